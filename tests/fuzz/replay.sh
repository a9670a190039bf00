#!/bin/sh
# The fuzz target passes on its seed corpus and on every input saved in
# tests/fuzz/regressions: tests/fuzz/replay runs tests/fuzz/fuzz_arena.c's
# checks on each, built with the normal compiler and without libFuzzer.
srcdir="${top_srcdir:-.}/tests/fuzz"
status=0
# SAMRENA_TEST_RUNNER is wine in a Windows cross build, which ends lines with CR LF.
# Under `make check-valgrind` (VALGRIND set) the replay runs under memcheck too.
runner=$SAMRENA_TEST_RUNNER
if [ -n "${VALGRIND:-}" ] && [ -z "$runner" ]; then
  runner="${top_builddir:-.}/libtool --mode=execute $VALGRIND -q --error-exitcode=1 --leak-check=full"
fi
out=$($runner "${top_builddir:-.}/tests/fuzz/replay${EXEEXT:-}" \
  "$srcdir/corpus" "$srcdir/regressions" 2>&1) || status=$?
printf '%s\n' "$out" | tr -d '\r'
exit $status
