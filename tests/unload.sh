#!/bin/sh
# A program that loads the shared library with dlopen, lets a thread use
# it (a scratch arena, a kept arena), unloads it with dlclose while the
# thread lives and then lets the thread exit: the thread's exit callbacks
# are the library's, so the library must still be there, and they must
# destroy the thread's arenas (tests/unload_probe.c).
la="${top_builddir:-.}/lib/libsamrena.la"
dlname=$(sed -n "s/^dlname='\(.*\)'\$/\1/p" "$la")
if [ -z "$dlname" ]; then
  echo "SKIP: this build has no shared library"; exit 77
fi
lib="${top_builddir:-.}/lib/.libs/$dlname"
probe="${top_builddir:-.}/tests/unload_probe${EXEEXT:-}"
$SAMRENA_TEST_RUNNER "$probe" "$lib"
