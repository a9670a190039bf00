#!/bin/sh
# The fuzz targets pass on their seed corpora and on every input saved as
# a regression: tests/fuzz/replay runs tests/fuzz/fuzz_arena.c's checks
# over tests/fuzz/corpus and tests/fuzz/regressions, and
# tests/fuzz/replay_containers fuzz_containers.c's over tests/fuzz/containers,
# with and without SAMRENA_DEBUG=1, built with the normal compiler and
# without libFuzzer.
srcdir="${top_srcdir:-.}/tests/fuzz"
status=0
# SAMRENA_TEST_RUNNER is wine in a Windows cross build, which ends lines with CR LF.
# Under `make check-valgrind` (VALGRIND set) the replay runs under memcheck too.
runner=$SAMRENA_TEST_RUNNER
if [ -n "${VALGRIND:-}" ] && [ -z "$runner" ]; then
  runner="${top_builddir:-.}/libtool --mode=execute $VALGRIND -q --error-exitcode=1 --leak-check=full"
fi
replay() {
  program=$1
  shift
  out=$($runner "${top_builddir:-.}/tests/fuzz/$program${EXEEXT:-}" "$@" 2>&1) || status=$?
  printf '%s\n' "$out" | tr -d '\r'
}
replay replay "$srcdir/corpus" "$srcdir/regressions"
replay replay_containers "$srcdir/containers"
# Again with every arena in the debug mode, owned vectors' included, which
# only the environment can ask for (tests/fuzz/containers/debug-*).
SAMRENA_DEBUG=1
export SAMRENA_DEBUG
replay replay_containers "$srcdir/containers"
exit $status
