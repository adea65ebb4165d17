#!/bin/sh
# Golden tests of the dsjson command-line tool.
#
#   sh tests/cli/run.sh BIN                 run every case, then every other tests/cli/*.sh BIN
#   sh tests/cli/run.sh BIN NAME...         run only these cases
#   sh tests/cli/run.sh BIN --refresh NAME  rewrite the golden stdout and exit of case NAME
#
# A case is a folder tests/cli/cases/NAME with
#   cmd     one shell command line, run from the repository root with `dsjson`
#           on PATH meaning BIN; $W is an empty scratch folder for the case
#           (a relative path, so outputs that name files are stable)
#   stdout  the expected standard output (trailing whitespace is ignored)
#   exit    the expected exit status of the command line
# Progress output is off (stderr is not a terminal, and DSJSON_NO_PROGRESS=1).
set -u

if [ $# -lt 1 ]; then
    echo "usage: sh tests/cli/run.sh BIN [NAME... | --refresh NAME]" >&2
    exit 2
fi
BIN=$1
shift
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
if [ ! -x "$BIN" ]; then
    echo "tests/cli/run.sh: $BIN is not an executable (run 'make tools' first)" >&2
    exit 2
fi
cd "$ROOT" || exit 2

BINDIR=build/cli-work/.bin
rm -rf build/cli-work
mkdir -p "$BINDIR"
ln -s "$BIN" "$BINDIR/dsjson"
PATH="$ROOT/$BINDIR:$PATH"
DSJSON_NO_PROGRESS=1
export PATH DSJSON_NO_PROGRESS

# Run case $1; output to build/cli-work/NAME.{out,err}; prints the exit status.
run_case() {
    W=build/cli-work/$1
    mkdir -p "$W"
    export W
    sh -c "$(cat "tests/cli/cases/$1/cmd")" >"build/cli-work/$1.out" 2>"build/cli-work/$1.err" </dev/null
    echo $?
}

strip() { sed -e 's/[[:space:]]*$//' "$1"; }

if [ "${1:-}" = "--refresh" ]; then
    [ $# -eq 2 ] || { echo "usage: sh tests/cli/run.sh BIN --refresh NAME" >&2; exit 2; }
    d=tests/cli/cases/$2
    [ -f "$d/cmd" ] || { echo "no case $2 ($d/cmd missing)" >&2; exit 2; }
    rc=$(run_case "$2")
    cp "build/cli-work/$2.out" "$d/stdout"
    echo "$rc" >"$d/exit"
    echo "refreshed $d (exit $rc); review it with: git diff -- $d"
    exit 0
fi

passed=0
failed=0
failed_names=

if [ $# -gt 0 ]; then
    names="$*"
else
    names=$(ls tests/cli/cases)
fi

for name in $names; do
    d=tests/cli/cases/$name
    if [ ! -f "$d/cmd" ]; then
        echo "FAIL $name: no $d/cmd"
        failed=$((failed + 1)); failed_names="$failed_names $name"
        continue
    fi
    want_rc=$(cat "$d/exit" 2>/dev/null || echo missing)
    rc=$(run_case "$name")
    strip "build/cli-work/$name.out" >"build/cli-work/$name.got"
    if [ -f "$d/stdout" ]; then strip "$d/stdout" >"build/cli-work/$name.want"; else : >"build/cli-work/$name.want"; fi
    if [ "$rc" = "$want_rc" ] && cmp -s "build/cli-work/$name.want" "build/cli-work/$name.got"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); failed_names="$failed_names $name"
        echo "FAIL $name"
        echo "  command: $(cat "$d/cmd")"
        [ "$rc" = "$want_rc" ] || echo "  exit status: expected $want_rc, got $rc"
        diff -u "build/cli-work/$name.want" "build/cli-work/$name.got" | sed -e 's/^/  /' | head -60
        if [ -s "build/cli-work/$name.err" ]; then
            echo "  stderr:"
            head -20 "build/cli-work/$name.err" | sed -e 's/^/    /'
        fi
        echo "  if the new output is right, refresh the golden file with:"
        echo "    sh tests/cli/run.sh $BIN --refresh $name"
    fi
done

# Other CLI test scripts (e.g. define.sh) get BIN and report by exit status.
if [ $# -eq 0 ]; then
    for s in tests/cli/*.sh; do
        [ "$s" = tests/cli/run.sh ] && continue
        [ -f "$s" ] || continue
        if sh "$s" "$BIN" >"build/cli-work/$(basename "$s").log" 2>&1; then
            passed=$((passed + 1))
            echo "  $(basename "$s"): $(tail -1 "build/cli-work/$(basename "$s").log")"
        else
            failed=$((failed + 1)); failed_names="$failed_names $s"
            echo "FAIL $s (output below)"
            sed -e 's/^/  /' "build/cli-work/$(basename "$s").log" | tail -40
        fi
    done
fi

echo "cli tests: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
    echo "failed:$failed_names"
    exit 1
fi
exit 0
