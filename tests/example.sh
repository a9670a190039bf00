#!/bin/sh
# The example does its job: counts the bundled text and names its top word.
set -e
# SAMRENA_TEST_RUNNER is wine in a Windows cross build; Windows ends lines with CR LF.
out=$($SAMRENA_TEST_RUNNER "${top_builddir:-.}/examples/wordfreq${EXEEXT:-}" "${top_srcdir:-.}/examples/sample.txt" 3 | tr -d '\r')
printf '%s\n' "$out"
printf '%s\n' "$out" | head -n 1 | grep -Eq '^[0-9]+ words, [0-9]+ distinct, in a (chained|virtual) arena of [0-9]+ bytes$'
printf '%s\n' "$out" | sed -n 2p | grep -Eq '^ +[0-9]+  the$'
test "$(printf '%s\n' "$out" | wc -l)" -eq 4
