#!/bin/sh
# fastpath.sh PROGRAM -- instructions per push of bench/fastpath's loops,
# counted by callgrind inside the loop functions only (fastpath_*), with
# their ratios to the minimal inline bump and to apr_palloc.
program=${1:-./bench/fastpath}
command -v valgrind >/dev/null 2>&1 || { echo "fastpath: valgrind not found; skipped"; exit 0; }
pushes=$("$program" | sed -n 's/^usage: fastpath NAME *(\([0-9]*\) pushes.*/\1/p')
names=$("$program" | sed -n 's/.*NAME: *\(.*\))$/\1/p')
[ -n "$pushes" ] && [ -n "$names" ] || { echo "fastpath: $program gave no usage line"; exit 1; }
tmp=${TMPDIR:-/tmp}/fastpath.$$
trap 'rm -f "$tmp"' EXIT
echo "fast path: $pushes pushes of 32 B, handle on the heap, under valgrind --tool=callgrind"
printf '  %-12s %12s %9s %9s\n' loop instr/push 'vs bump' 'vs apr'
bump= apr=
for name in $names; do
  valgrind --tool=callgrind -q --callgrind-out-file="$tmp" --toggle-collect='fastpath_*' \
    "$program" "$name" >/dev/null || { echo "fastpath: $name failed under valgrind"; exit 1; }
  total=$(sed -n 's/^\(totals\|summary\): *\([0-9]*\).*/\2/p' "$tmp" | head -n 1)
  per=$(awk -v t="$total" -v n="$pushes" 'BEGIN { printf "%.2f", t / n }')
  [ "$name" = bump ] && bump=$per
  [ "$name" = apr ] && apr=$per
  eval "per_$(echo $name | tr - _)=\$per"
done
for name in $names; do
  eval "per=\$per_$(echo $name | tr - _)"
  awk -v n="$name" -v p="$per" -v b="$bump" -v a="$apr" 'BEGIN {
    printf "  %-12s %12s %8.2fx", n, p, p / b
    if (a != "") printf " %8.2fx", p / a
    printf "\n" }'
done
