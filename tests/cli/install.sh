#!/bin/sh
# `make install` into a temporary DESTDIR installs the libraries, headers, libdsjson.pc, the tool
# and its man page; a program built with `pkg-config --cflags --libs libdsjson` links the installed
# shared library and runs.
# usage: sh tests/cli/install.sh BIN
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
W=$(mktemp -d "${TMPDIR:-/tmp}/dsj-install.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
passed=0; failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }
P=/opt/libdsjson-test
if make --no-print-directory install DESTDIR="$W/root" PREFIX="$P" >"$W/log" 2>&1; then ok; else bad "make install:"; tail -5 "$W/log"; fi
R="$W/root$P"
for f in lib/libdsjson.a lib/libdsjson.so.0.1.0 lib/libdsjson.so.0 lib/libdsjson.so include/libdsjson/dsjson.h \
         include/libdsjson/dsjson_define.h include/libdsjson/dsjson_odm.h include/libdsjson/dsjson_checks.h \
         lib/pkgconfig/libdsjson.pc bin/dsjson share/man/man1/dsjson.1; do
    [ -e "$R/$f" ] && ok || bad "not installed: $f"
done
"$R/bin/dsjson" --version >/dev/null 2>&1 && ok || bad "installed dsjson does not run"
awk '/^```c$/ { n++; on = 1; next } /^```$/ { on = 0 } on && n == 2' docs/api.md >"$W/ex.c"
# the .pc names the final prefix; point pkg-config at the staged copy with the prefix rewritten
mkdir -p "$W/pc" && sed "s|^prefix=.*|prefix=$R|" "$R/lib/pkgconfig/libdsjson.pc" >"$W/pc/libdsjson.pc"
FLAGS=$(PKG_CONFIG_PATH="$W/pc" pkg-config --cflags --libs libdsjson 2>"$W/pcerr") && ok || bad "pkg-config libdsjson: $(cat "$W/pcerr")"
# shellcheck disable=SC2086
if cc -std=c11 -o "$W/ex" "$W/ex.c" $FLAGS 2>"$W/cc"; then ok; else bad "example against the installed library:"; cat "$W/cc"; fi
if [ -x "$W/ex" ]; then
    LD_LIBRARY_PATH="$R/lib" "$W/ex" testdata/examples/v1.1/sdtm/dm.json "$W/dm.ndjson" >"$W/out" 2>&1 && ok || bad "example run: $(cat "$W/out")"
    LD_LIBRARY_PATH="$R/lib" ldd "$W/ex" | grep -q "$R/lib/libdsjson.so.0" && ok || bad "example is not linked to the installed libdsjson.so.0"
fi
echo "install: $passed passed, $failed failed"
[ $failed -eq 0 ]
