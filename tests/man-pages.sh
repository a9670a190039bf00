#!/bin/sh
# Every public function has a man page (a full page or a .so link to one
# that names it), every page is installed, and every full page is clean
# under `mandoc -Tlint` (warnings count as failures).
top_srcdir=${top_srcdir:-.}
cd "$top_srcdir" || exit 99
status=0

functions=$(cat include/samrena.h include/samvector.h include/samrena/*.h 2>/dev/null |
  grep -oE '\bsamrena_[a-z0-9_]+[[:space:]]*\(' | sed 's/[[:space:](]//g' | sort -u)
for f in $functions; do
  page=man/$f.3
  if [ ! -f "$page" ]; then
    echo "FAIL: $f has no man page ($page)"; status=1; continue
  fi
  target=$page
  link=$(sed -n 's/^\.so man3\///p' "$page")
  [ -n "$link" ] && target=man/$link
  if [ ! -f "$target" ]; then
    echo "FAIL: $page links to a missing page ($target)"; status=1; continue
  fi
  grep -Eq "^\.Nm $f( |,|\$)" "$target" || { echo "FAIL: $target does not name $f (.Nm)"; status=1; }
done

for page in man/*.3; do
  grep -q "man/$(basename "$page")" man/local.mk ||
    { echo "FAIL: $page is not listed in man/local.mk, so it is not installed"; status=1; }
done

if [ -z "$MANDOC" ]; then
  MANDOC=$(command -v mandoc)
fi
if [ -z "$MANDOC" ]; then
  echo "SKIP: mandoc not found: man pages not linted (Debian package: mandoc)"
  [ $status -eq 0 ] && exit 77
  exit $status
fi
for page in man/*.3; do
  grep -q '^\.so ' "$page" && continue
  lint=$("$MANDOC" -Tlint -W warning "$page" 2>&1)
  if [ -n "$lint" ]; then
    echo "FAIL: mandoc -Tlint $page:"; printf '%s\n' "$lint"; status=1
  fi
done
[ $status -eq 0 ] && echo "man pages: $(echo "$functions" | wc -w) public functions documented, lint clean"
exit $status
