#!/bin/sh
# docs/api.md is generated from the public headers and up to date; every pointer-returning
# function states its ownership; the C examples in docs/api.md compile against the static
# library and run on the bundled data; the shared library exports exactly the DSJ_EXPORT
# functions of the public headers.
# usage: sh tests/cli/api_doc.sh BIN   (the libraries are looked for next to BIN)
set -u
BIN=$1
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
B=$(dirname "$BIN")
W=$(mktemp -d "${TMPDIR:-/tmp}/dsj-api.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
passed=0; failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

if /usr/bin/python3 tools/gen-api-doc.py --check >"$W/check" 2>&1; then ok; else bad "gen-api-doc --check:"; cat "$W/check"; fi

# the ```c blocks of docs/api.md
awk '/^```c$/ { n++; on = 1; next } /^```$/ { on = 0 } on && n <= 2 { print > ("'"$W"'/ex" n ".c") }' docs/api.md
FLAGS="$(pkg-config --cflags --libs libxml-2.0 json-c libpcre2-8 zlib) -lreadstat -lm"
for n in 1 2; do
    # shellcheck disable=SC2086
    if cc -std=c11 -Wall -Wextra -Werror -Ilibdsjson -o "$W/ex$n" "$W/ex$n.c" "$B/libdsjson.a" $FLAGS 2>"$W/cc$n"; then ok
    else bad "example $n does not compile:"; cat "$W/cc$n"; fi
done
if [ -x "$W/ex1" ]; then
    "$W/ex1" testdata/examples/v1.1/sdtm/ta.json >"$W/o1" 2>&1; rc=$?
    [ $rc -eq 0 ] && ok || bad "example 1 on ta.json: exit $rc"
    "$W/ex1" tests/cli/data/dm3-invalid.json >"$W/o1b" 2>&1
    grep -q "DSJ-ROW-WIDTH" "$W/o1b" && ok || bad "example 1 does not report DSJ-ROW-WIDTH on dm3-invalid.json"
fi
if [ -x "$W/ex2" ]; then
    "$W/ex2" testdata/examples/v1.1/sdtm/dm.json "$W/dm.dsjc" >"$W/o2" 2>&1; rc=$?
    [ $rc -eq 0 ] && grep -q "^DM: 26 columns" "$W/o2" && ok || bad "example 2: exit $rc, $(cat "$W/o2")"
    "$BIN" diff testdata/examples/v1.1/sdtm/dm.json "$W/dm.dsjc" >/dev/null 2>&1 && ok || bad "example 2 output differs from its input"
fi

# exported symbols of the shared library == DSJ_EXPORT functions of the public headers
if [ -f "$B/libdsjson.so" ] && command -v nm >/dev/null 2>&1; then
    nm -D --defined-only "$B/libdsjson.so" | awk '$2 == "T" { print $3 }' | sort >"$W/exported"
    cat libdsjson/dsjson*.h | tr '\n' ' ' | grep -o 'DSJ_EXPORT[^;(]*(' | sed 's/.*[ *]\(dsj_[a-z0-9_]*\) *(/\1/' | grep '^dsj_' | sort -u >"$W/declared"
    if cmp -s "$W/exported" "$W/declared"; then ok
    else bad "exported symbols differ from the DSJ_EXPORT declarations (< exported only, > declared only):"; diff "$W/exported" "$W/declared" | grep '^[<>]'; fi
fi
echo "api doc: $passed passed, $failed failed"
[ $failed -eq 0 ]
