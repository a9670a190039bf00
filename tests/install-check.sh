#!/bin/sh
# install-check.sh -- proves the installed package works for a consumer:
# `make install DESTDIR=...`, then against that tree only, a program built
# with `pkg-config --cflags --libs samrena` runs on the shared library, one
# built with --static needs no libsamrena.so, only samrena_* is exported,
# the man pages render and the headers (samrena.h, samvector.h,
# samrena/v_alloc.h) compile as C99, C11 and C++11.
# Usage: tests/install-check.sh [BUILDDIR]   (run after make; needs man-db)
set -eu
builddir=$(cd "${1:-.}" && pwd)
srcdir=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage=$tmp/stage

make -C "$builddir" install DESTDIR="$stage" >/dev/null
pcdir=$(find "$stage" -name samrena.pc -printf '%h\n' | head -n 1)
[ -n "$pcdir" ] || { echo "samrena.pc was not installed"; exit 1; }
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_LIBDIR="$pcdir"
export PKG_CONFIG_SYSROOT_DIR="$stage"
# pkgconf puts the sysroot in front of variables too; pkg-config does not.
in_stage() { case $1 in "$stage"*) echo "$1" ;; *) echo "$stage$1" ;; esac; }
libdir=$(in_stage "$(pkg-config --variable=libdir samrena)")
mandir=$(in_stage "$(pkg-config --variable=prefix samrena)")/share/man

cat >"$tmp/consumer.c" <<'C'
#include <samrena.h>
#include <stdio.h>
#include <string.h>
int main(void) {
  Samrena *arena = samrena_create(NULL);
  if (arena == NULL) return 1;
  char *text = (char *)samrena_push(arena, 32);
  if (text == NULL) return 2;
  strcpy(text, "installed");
  printf("%s %s %s\n", text, samrena_version(), samrena_strategy_name(samrena_strategy(arena)));
  samrena_destroy(arena);
  return 0;
}
C

# The other installed headers: the vector, the string builder, v_alloc.
cat >"$tmp/containers.c" <<'C'
#include <samvector.h>
#include <samrena/v_alloc.h>
#include <stdio.h>
#include <string.h>
SAMRENA_DECLARE_VECTOR(int)
int main(void) {
  SamrenaVector_int *v = samrena_vector_int_init_owned(4);
  if (v == NULL) return 1;
  for (int i = 0; i < 1000; i++)
    if (samrena_vector_int_push(v, &i) == NULL) return 2;
  Samrena *arena = samrena_create(NULL);
  SamrenaStr *s = samrena_str_init(arena);
  if (s == NULL || samrena_str_appendf(s, "%d ints, last %d", (int)samrena_vector_int_size(v),
                                       *samrena_vector_int_at(v, 999)) != SAMRENA_OK) return 3;
  AllocInfo info;
  memset(&info, 0, sizeof info);
  if (v_alloc_committ(&info, 100) == NULL || info.ptr - info.base != V_ALLOC_ALIGNMENT * 7) return 4;
  printf("%s\n", samrena_str_cstr(s));
  v_alloc_free(&info);
  samrena_vector_int_destroy(v);
  samrena_destroy(arena);
  return 0;
}
C

cc $(pkg-config --cflags samrena) -o "$tmp/shared" "$tmp/consumer.c" $(pkg-config --libs samrena)
LD_LIBRARY_PATH="$libdir" "$tmp/shared"
LD_LIBRARY_PATH="$libdir" ldd "$tmp/shared" | grep -q "libsamrena.so.0 => $libdir/" ||
  { echo "shared consumer does not load the staged libsamrena.so.0"; exit 1; }
cc $(pkg-config --cflags samrena) -o "$tmp/containers" "$tmp/containers.c" $(pkg-config --libs samrena)
LD_LIBRARY_PATH="$libdir" "$tmp/containers" | grep -q '^1000 ints, last 999$' ||
  { echo "the vector, string builder and v_alloc consumer does not work"; exit 1; }

cc $(pkg-config --cflags --static samrena) -o "$tmp/static" "$tmp/consumer.c" \
  -Wl,-Bstatic $(pkg-config --libs --static samrena) -Wl,-Bdynamic
"$tmp/static"
if ldd "$tmp/static" | grep -q libsamrena; then
  echo "static consumer still needs libsamrena.so"; exit 1
fi

exported=$(nm -D --defined-only "$libdir/libsamrena.so" | awk '{print $3}' | grep -v -E '^(samrena_[a-z0-9]|SAMRENA_GROWTH_[A-Z]+$)' || true)
if [ -n "$exported" ]; then
  echo "symbols exported beside samrena_*:"; echo "$exported"; exit 1
fi

man -M "$mandir" samrena_push 2>/dev/null | grep -q samrena_push_aligned ||
  { echo "man samrena_push does not render from the staged tree"; exit 1; }
man -M "$mandir" samrena_allocate 2>/dev/null | grep -q samrena_create ||
  { echo "the link page samrena_allocate does not reach samrena_create"; exit 1; }

inc=$(pkg-config --cflags samrena)
for consumer in consumer containers; do
  cc $inc -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only "$tmp/$consumer.c"
  cc $inc -std=c11 -pedantic -Wall -Wextra -Werror -fsyntax-only "$tmp/$consumer.c"
  if command -v c++ >/dev/null 2>&1; then
    cp "$tmp/$consumer.c" "$tmp/$consumer.cc"
    c++ $inc -std=c++11 -pedantic -Wall -Wextra -Werror -o "$tmp/cxx" "$tmp/$consumer.cc" $(pkg-config --libs samrena)
    LD_LIBRARY_PATH="$libdir" "$tmp/cxx" >/dev/null
  fi
done
echo "install-check: shared and static consumers, exports, man pages and headers all good"
