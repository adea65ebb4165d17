#!/bin/sh
# Concurrency: different files validated (with and without a define, every Dataset-JSON format, 1.0 and 1.1),
# defines validated, ODM XML converted and rule files run from several threads at once; every result must
# equal the single-threaded one (tests/threads/test_threads.c).  The library sources are compiled here,
# into a temporary folder, with ThreadSanitizer (clang -fsanitize=thread) when clang is installed, so that
# a data race fails the test; without clang the test runs an ordinary build and says that TSan was skipped.
#
#   sh tests/cli/threads.sh [path/to/dsjson]     (the argument is accepted for tests/cli/run.sh and unused)
# Prints "threads: N passed, M failed"; exits non-zero on failure.

cd "$(dirname "$0")/../.." || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsj-threads.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
THREADS=${THREADS_N:-8}
ROUNDS=${THREADS_ROUNDS:-3}
CFLAGS_COMMON="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -g -O1
  -Ilibdsjson $(pkg-config --cflags libxml-2.0 json-c 2>/dev/null || echo -I/usr/include/libxml2 -I/usr/include/json-c)"
LIBS="-lxml2 -ljson-c -lpcre2-8 -lz -lreadstat -lm -lpthread"

if command -v clang >/dev/null 2>&1; then
    CC=clang
    SAN="-fsanitize=thread"
    mode="ThreadSanitizer"
else
    CC=${CC:-cc}
    SAN=
    mode="no ThreadSanitizer (clang is not installed: skipped; plain build)"
fi
echo "threads: building the library with $CC $SAN"
objs=
n=0
for src in libdsjson/*.c; do
    o=$tmp/$(basename "$src" .c).o
    # shellcheck disable=SC2086
    { $CC $CFLAGS_COMMON $SAN -fPIC -c "$src" -o "$o" || echo "$src" >>"$tmp/compile-failed"; } &
    objs="$objs $o"
    n=$((n + 1))
    [ $((n % 4)) -eq 0 ] && wait
done
wait
if [ -f "$tmp/compile-failed" ]; then
    echo "threads: cannot compile $(cat "$tmp/compile-failed")"
    echo "threads: 0 passed, 1 failed"
    exit 1
fi
# shellcheck disable=SC2086
$CC $CFLAGS_COMMON $SAN tests/threads/test_threads.c $objs $LIBS -o "$tmp/test_threads" ||
    { echo "threads: cannot link the test"; echo "threads: 0 passed, 1 failed"; exit 1; }

T=testdata
DC=$T/define-check
set -- \
    validate:$T/valid/v11-all-types/input.json \
    validate:$T/valid/v11-all-types-ndjson/input.ndjson \
    validate:$T/valid/v11-all-types-dsjc/input.dsjc \
    validate:$T/valid/v10-clinical/input.json \
    validate:$T/valid/v11-rows-first/input.json \
    validate:$T/invalid/val-many-errors/input.json \
    validate:$T/invalid/dupkey-v10-itemdata/input.json \
    validate:$T/invalid/utf8-dsjc-row/input.dsjc \
    validate:$T/invalid/trunc-json-0041/input.json \
    validate:$DC/dm.json:$DC/define-sdtm-dm-cm-ts.xml \
    validate:$DC/ts.json:$DC/define-sdtm-dm-cm-ts.xml \
    shared:$DC/cm.json:$DC/define-sdtm-dm-cm-ts.xml \
    shared:$DC/dm.json:$DC/define-sdtm-dm-cm-ts.xml \
    shared:$DC/ts.json:$DC/define-sdtm-dm-cm-ts.xml \
    define:$T/define/broken-refs.xml \
    define:$T/define/broken-unique.xml \
    define:$T/define/minimal21.xml \
    define:$T/define/entity-bomb.xml \
    odm:$T/odm/RepeatingIG-UC-D-Example.xml \
    odm:$T/define/minimal21.xml \
    check:$T/checks/sdtm-rules.json:$DC/dm.json \
    check:$T/checks/sdtm-rules.json:$DC/cm.json
# Dataset-XML (typed by its define) and XPT (ReadStat, on a reading thread of its own)
for f in $T/datasetxml/*.xml $T/invalid/dxml-seq-gap/input.xml $T/invalid/dxml-text-in-integer/input.xml; do
    case $f in */define.xml) continue ;; esac
    d=$T/datasetxml/define.xml
    [ -f "$(dirname "$f")/define.xml" ] && d=$(dirname "$f")/define.xml
    [ -f "$f" ] && [ -f "$d" ] && set -- "$@" "validate:$f:$d"
done
for f in $T/invalid/xpt-*/input.xpt $T/xpt/*.xpt; do
    [ -f "$f" ] && set -- "$@" "validate:$f"
done
missing=0
for j in "$@"; do
    p=${j#*:}
    p=${p%%:*}
    [ -f "$p" ] || { echo "threads: missing test file $p"; missing=1; }
done
[ $missing -eq 0 ] || { echo "threads: 0 passed, 1 failed"; exit 1; }

echo "threads: $THREADS threads x $ROUNDS rounds, $mode"
TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=$(pwd)/tests/threads/tsan.supp" "$tmp/test_threads" "$THREADS" "$ROUNDS" "$@" \
    >"$tmp/out" 2>"$tmp/err"
st=$?
cat "$tmp/out"
if [ $st -ne 0 ]; then
    head -80 "$tmp/err"
    [ $st -eq 66 ] && echo "threads: ThreadSanitizer reported a data race"
    echo "threads: 0 passed, 1 failed"
    exit 1
fi
grep -q "^threads: .* 0 failed" "$tmp/out" || { echo "threads: 0 passed, 1 failed"; exit 1; }
