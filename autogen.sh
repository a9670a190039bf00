#!/bin/sh
# autogen.sh -- generate ./configure from a git checkout (tarballs ship it).
set -e
cd "$(dirname "$0")"

missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need autoreconf autoconf
need automake automake
need libtoolize libtool
need pkg-config pkgconf
if [ -z "$missing" ] && [ ! -f "$(aclocal --print-ac-dir)/ax_tls.m4" ]; then
  missing="$missing autoconf-archive"
fi
if [ -n "$missing" ]; then
  echo "autogen.sh: missing tools; on Debian or Ubuntu install them with:" >&2
  echo "  sudo apt-get install$missing" >&2
  exit 1
fi

mkdir -p m4 build-aux   # git keeps no empty directory
autoreconf --force --install --verbose >/dev/null 2>&1 || autoreconf --force --install --verbose
echo "autogen.sh: now run ./configure && make && make check"
