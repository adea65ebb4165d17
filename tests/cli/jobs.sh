#!/bin/sh
# Tests for `dsjson validate --jobs N`: the report (text and JSON, exit status, the
# --max-findings cut, fatal files, study checks) must be byte for byte the one of --jobs 1.
#   sh tests/cli/jobs.sh path/to/dsjson
# The folder checked is built from testdata/valid and testdata/invalid (good files, files with
# findings, unreadable ones); corpus folders are added when ${DSJ_CORPUS:-../shared/corpus} exists.
# Prints "jobs cli: N passed, M failed"; exits non-zero on failure.

DSJSON=${1:-build/dsjson}
case "$DSJSON" in /*) ;; *) DSJSON="$(pwd)/$DSJSON" ;; esac
cd "$(dirname "$0")/../.." || exit 2
CORPUS=${DSJ_CORPUS:-../shared/corpus}
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsj-jobs-cli.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# A folder of every test dataset, named after its case.
mkdir -p "$tmp/mixed"
for f in testdata/valid/*/input.* testdata/invalid/*/input.*; do
    [ -f "$f" ] || continue
    case ${f##*.} in json | ndjson | dsjc) ;; *) continue ;; esac # validate reads only these (testdata/invalid has .xml cases)
    case=$(basename "$(dirname "$f")")
    kind=$(basename "$(dirname "$(dirname "$f")")")
    cp "$f" "$tmp/mixed/$kind-$case.${f##*.}"
done
n=$(ls "$tmp/mixed" | wc -l)
if [ "$n" -ge 20 ]; then ok; else ko "only $n test datasets found under testdata/"; fi

# same NAME ARGS...: --jobs 1 and --jobs 2, 3, 16 give the same stdout and exit status.
same() {
    name=$1
    shift
    "$DSJSON" validate --jobs 1 "$@" >"$tmp/j1" 2>/dev/null
    want=$?
    for j in 2 3 16; do
        "$DSJSON" validate --jobs $j "$@" >"$tmp/jn" 2>/dev/null
        got=$?
        if [ "$got" -eq "$want" ] && cmp -s "$tmp/j1" "$tmp/jn"; then
            ok
        else
            ko "$name: --jobs $j gave exit $got (want $want) or another report"
            diff "$tmp/j1" "$tmp/jn" | head -10 | sed 's/^/  | /'
        fi
    done
    # and --jobs 1 is the plain sequential run
    "$DSJSON" validate "$@" >"$tmp/j0" 2>/dev/null
    if [ $? -eq "$want" ] && cmp -s "$tmp/j0" "$tmp/j1"; then ok; else ko "$name: --jobs 1 differs from no --jobs"; fi
}

same "mixed folder, text" "$tmp/mixed"
same "mixed folder, json" --format json "$tmp/mixed"
same "mixed folder, 5 findings in all" --max-findings 5 "$tmp/mixed"
same "mixed folder, no limit" --max-findings 0 "$tmp/mixed"
same "missing file among files" "$tmp/mixed/valid-v11-minimal.json" "$tmp/no-such-file.json" "$tmp/mixed/invalid-val-length.json"
same "define, files" --define testdata/define-check/define-sdtm-dm-cm-ts.xml testdata/define-check/dm.json \
    testdata/define-check/cm.json testdata/define-check/ts.json "$tmp/mixed/valid-v11-minimal.json"

# a fatal file really is reported fatally in the parallel run too
"$DSJSON" validate --jobs 4 "$tmp/mixed" >"$tmp/out" 2>/dev/null
if grep -q "fatal" "$tmp/out" && grep -q "^total: $n files" "$tmp/out"; then ok; else ko "--jobs 4: no fatal line or wrong total"; fi

# usage errors
for bad in 0 -1 abc 100000; do
    "$DSJSON" validate --jobs "$bad" "$tmp/mixed" >/dev/null 2>"$tmp/err"
    if [ $? -eq 2 ] && [ -s "$tmp/err" ]; then ok; else ko "--jobs $bad: not a usage error"; fi
done
"$DSJSON" validate --help | grep -q -- "--jobs N" && ok || ko "--jobs missing from validate --help"

if [ -d "$CORPUS/cdisc-datasetjson-examples/v1.1/sdtm" ]; then
    E=$CORPUS/cdisc-datasetjson-examples
    same "corpus sdtm+adam (metaDataRef defines, study checks)" "$E/v1.1/sdtm" "$E/v1.1/adam" "$E/v1.0/sdtm"
    same "corpus with --define, json" --format json --max-findings 40 --define "$E/v1.1/sdtm/define.xml" "$E/v1.1/sdtm"
else
    echo "jobs cli: corpus cases skipped (no $CORPUS)"
fi

echo "jobs cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
