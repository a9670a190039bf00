#!/bin/sh
# The shared library exports exactly the symbols listed in lib/libsamrena.sym
# (one per line, sorted), so adding or removing a public symbol is a
# deliberate change: update the list, debian/libsamrena0.symbols and
# -version-info together (README.md, "Versioning").  When debian/ is there
# (a git checkout, not a release tarball), its symbols file must name the
# same symbols.
# Skips (77) when there is no ELF shared library (--disable-shared, mingw)
# or no nm.  A --enable-fault-injection build exports test-only symbols,
# samrena_fault_*: they are ignored.
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
list=$top_srcdir/lib/libsamrena.sym
so=$top_builddir/lib/.libs/libsamrena.so
la=$top_builddir/lib/libsamrena.la
nm=${NM_FOR_ABI:-nm}

# libtool's archive names the shared library it built; an empty dlname
# means none was (--disable-shared), whatever stale file lies in .libs.
if [ -f "$la" ] && grep -q "^dlname=''" "$la"; then
  echo "SKIP: built without a shared library (--disable-shared)"; exit 77
fi
if [ ! -f "$so" ]; then
  echo "SKIP: no $so (static-only or non-ELF build, e.g. mingw)"; exit 77
fi
if ! command -v "$nm" >/dev/null 2>&1; then
  echo "SKIP: $nm not found (Debian package: binutils)"; exit 77
fi
if [ ! -f "$list" ]; then
  echo "FAIL: $list is missing"; exit 1
fi

tmp=${TMPDIR:-/tmp}/abi-symbols.$$
mkdir "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT
status=0

LC_ALL=C; export LC_ALL
grep -v '^[[:space:]]*$' "$list" > "$tmp/listed"
if ! sort -u -c "$tmp/listed" 2>/dev/null; then
  echo "FAIL: $list is not sorted (LC_ALL=C sort -u) or has duplicates"; status=1
  sort -u "$tmp/listed" -o "$tmp/listed"
fi

if ! "$nm" -D --defined-only "$so" > "$tmp/nm" 2>"$tmp/nm.err"; then
  echo "FAIL: $nm -D --defined-only $so failed:"; cat "$tmp/nm.err"; exit 1
fi
# "ADDRESS TYPE NAME"; drop any @VERSION suffix and the fault-injection hooks.
awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" |
  grep -v '^samrena_fault_' |
  sort -u > "$tmp/exported"
if [ ! -s "$tmp/exported" ]; then
  echo "FAIL: $nm found no exported symbols in $so"; exit 1
fi

added=$(comm -13 "$tmp/listed" "$tmp/exported")
removed=$(comm -23 "$tmp/listed" "$tmp/exported")
if [ -n "$added" ]; then
  echo "FAIL: exported but not in lib/libsamrena.sym (a new public symbol?):"
  printf '%s\n' "$added" | sed 's/^/  + /'; status=1
fi
if [ -n "$removed" ]; then
  echo "FAIL: in lib/libsamrena.sym but not exported (an ABI break: soname bump):"
  printf '%s\n' "$removed" | sed 's/^/  - /'; status=1
fi

# debian/libsamrena0.symbols: " NAME@Base VERSION" lines under the soname.
symbols=$top_srcdir/debian/libsamrena0.symbols
if [ -f "$symbols" ]; then
  sed -n 's/^[[:space:]]\{1,\}\([A-Za-z0-9_]\{1,\}\)@[A-Za-z0-9_.]\{1,\}[[:space:]].*/\1/p' "$symbols" |
    sort -u > "$tmp/debian"
  if ! cmp -s "$tmp/listed" "$tmp/debian"; then
    echo "FAIL: debian/libsamrena0.symbols and lib/libsamrena.sym name different symbols:"
    diff "$tmp/listed" "$tmp/debian" | sed -n 's/^</  only in lib\/libsamrena.sym:/p; s/^>/  only in debian\/libsamrena0.symbols:/p'
    status=1
  fi
fi

[ $status -eq 0 ] && echo "abi-symbols: $(wc -l < "$tmp/exported") exported symbols, as lib/libsamrena.sym lists"
exit $status
