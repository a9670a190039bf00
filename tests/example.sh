#!/bin/sh
# The example does its job: counts the bundled text and names its top word.
set -e
out=$("${top_builddir:-.}/examples/wordfreq" "${top_srcdir:-.}/examples/sample.txt" 3)
printf '%s\n' "$out"
printf '%s\n' "$out" | head -n 1 | grep -Eq '^[0-9]+ words, [0-9]+ distinct, in a (chained|virtual) arena of [0-9]+ bytes$'
printf '%s\n' "$out" | sed -n 2p | grep -Eq '^ +[0-9]+  the$'
test "$(printf '%s\n' "$out" | wc -l)" -eq 4
