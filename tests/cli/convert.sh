#!/bin/sh
# Tests for `dsjson convert` beyond the golden cases: the error-findings contract
# (--keep-going vs refusal, no output left behind, exit codes), --max-findings,
# --out-dir summaries, the missing-define message, and end-to-end Dataset-XML and
# XPT conversions (each part skips with a message while its backend is not built,
# corpus parts when ${DSJ_CORPUS:-../shared/corpus} is absent).
#   sh tests/cli/convert.sh path/to/dsjson
# Prints "convert cli: N passed, M failed"; exits non-zero on failure.

DSJSON=${1:-build/dsjson}
case "$DSJSON" in /*) ;; *) DSJSON="$(pwd)/$DSJSON" ;; esac
cd "$(dirname "$0")/../.." || exit 2
CORPUS=${DSJ_CORPUS:-../shared/corpus}
EX=testdata/examples/v1.1/sdtm
DSJSON_NO_PROGRESS=1
export DSJSON_NO_PROGRESS
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsj-convert-cli.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run NAME EXPECTED_EXIT ARGS...: stdout/stderr kept in $tmp/out, $tmp/err
run() {
    name=$1 want=$2
    shift 2
    "$DSJSON" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else ko "$name: exit $got, expected $want"; sed 's/^/  | /' "$tmp/err" "$tmp/out" | head -20; fi
}

expect_grep() {
    if grep -Eq "$3" "$2"; then ok; else ko "$1: no line matching /$3/ in $(basename "$2")"; sed 's/^/  | /' "$2" | head -20; fi
}

expect_count() { # NAME FILE REGEX N
    n=$(grep -Ec "$3" "$2")
    if [ "$n" -eq "$4" ]; then ok; else ko "$1: $n lines match /$3/, expected $4"; fi
}

absent() { if [ ! -e "$2" ]; then ok; else ko "$1: $2 exists"; fi; }
present() { if [ -s "$2" ]; then ok; else ko "$1: $2 missing or empty"; fi; }
# No temporary file left in a folder: only the names given.
only_files() { # NAME DIR NAMES...
    name=$1 dir=$2
    shift 2
    got=$(ls -A "$dir" | tr '\n' ' ')
    if [ "$got" = "$* " ] || { [ $# -eq 0 ] && [ -z "$got" ]; }; then ok; else ko "$name: $dir holds '$got', expected '$* '"; fi
}

# same_data NAME A B ALLOWED: A and B have the same columns, rows and cells; the only differences
# allowed are dataset attributes matching the regex ALLOWED (those the format cannot carry)
same_data() {
    "$DSJSON" diff --max-diffs 0 "$2" "$3" >"$tmp/diff" 2>&1
    rc=$?
    if [ $rc -gt 1 ]; then ko "$1: diff exit $rc"; head -5 "$tmp/diff"; return; fi
    bad=$(grep -v -E "^metadata ($4)(/[a-z]+)?: |^$2 and $3 (are equal|differ)" "$tmp/diff" | head -5)
    if [ -z "$bad" ]; then ok; else ko "$1: unexpected differences:"; echo "$bad" | sed 's/^/  | /'; fi
}

if [ ! -x "$DSJSON" ]; then
    echo "convert cli: $DSJSON not found or not executable"
    exit 2
fi

# ---- inputs with error findings, generated.  bad_json N: Dataset-JSON 1.1 with N rows holding
# invalid UTF-8 (reader finding DSJ-ENC-UTF8, severity error; no writer can write such a value) out of
# N + 2.  dup3.json: 3 columns with a duplicate key each (DSJ-JSON-DUPKEY, error; the first value is kept).
bad_json() {
    printf '{"datasetJSONCreationDateTime":"2024-01-01T00:00:00","datasetJSONVersion":"1.1.0",'
    printf '"itemGroupOID":"IG.X","records":%d,"name":"X","label":"x",' $(($1 + 2))
    printf '"columns":[{"itemOID":"IT.A","name":"A","label":"a","dataType":"string"},'
    printf '{"itemOID":"IT.N","name":"N","label":"n","dataType":"integer"}],"rows":[["ok",1]'
    i=0
    while [ $i -lt "$1" ]; do printf ',["b\377d",%d]' $((i + 2)); i=$((i + 1)); done
    printf ',["ok",0]]}\n'
}
mkdir -p "$tmp/in" "$tmp/o"
bad_json 30 >"$tmp/in/bad30.json"
cat >"$tmp/in/dup3.json" <<'JSON'
{"datasetJSONCreationDateTime":"2024-01-01T00:00:00","datasetJSONVersion":"1.1.0","itemGroupOID":"IG.X",
 "records":2,"name":"X","label":"x","columns":[
 {"itemOID":"IT.A","name":"A","label":"a","label":"a2","dataType":"string"},
 {"itemOID":"IT.B","name":"B","label":"b","label":"b2","dataType":"string"},
 {"itemOID":"IT.N","name":"N","label":"n","label":"n2","dataType":"integer"}],
 "rows":[["x","y",1],["z",null,2]]}
JSON
cp tests/cli/data/dm3.json "$tmp/in/dm3.json"

# ---- refusal: exit 1, no output, an existing OUTPUT untouched, nothing left behind
run "refuse" 1 convert "$tmp/in/dup3.json" "$tmp/o/bad.ndjson"
absent "refuse: no output" "$tmp/o/bad.ndjson"
only_files "refuse: no temporary file" "$tmp/o"
expect_count "refuse: every finding shown" "$tmp/err" 'dup3.json:[345]:[0-9]+: error DSJ-JSON-DUPKEY' 3
expect_grep "refuse: summary" "$tmp/err" 'dup3.json: 3 errors, 0 warnings in 2 rows; .*bad.ndjson not written \(--keep-going'
echo previous >"$tmp/o/keep.json"
run "refuse keeps existing" 1 convert "$tmp/in/bad30.json" "$tmp/o/keep.json"
[ "$(cat "$tmp/o/keep.json")" = previous ] && ok || ko "refuse: existing OUTPUT was changed"
only_files "refuse keeps existing: no temporary file" "$tmp/o" keep.json
rm -f "$tmp/o/keep.json"

# ---- --keep-going: written with the values as found, still exit 1
run "keep-going" 1 convert --keep-going "$tmp/in/dup3.json" "$tmp/o/bad.ndjson"
present "keep-going: output written" "$tmp/o/bad.ndjson"
expect_grep "keep-going: summary" "$tmp/err" 'dup3.json: 3 errors, 0 warnings in 2 rows; .*bad.ndjson written with the values as found'
[ "$(wc -l <"$tmp/o/bad.ndjson")" -eq 3 ] && ok || ko "keep-going: 1 metadata line + 2 rows expected"
run "keep-going output reads" 0 info "$tmp/o/bad.ndjson"
rm -f "$tmp/o/bad.ndjson"
# a value no writer can write (invalid UTF-8) ends --keep-going with a failed output: exit 2, nothing left
run "keep-going, unwritable value" 2 convert --keep-going "$tmp/in/bad30.json" "$tmp/o/bad.json"
expect_grep "keep-going, unwritable value: message" "$tmp/err" 'bad.json: row 2, column A: invalid UTF-8'
only_files "keep-going, unwritable value: nothing written" "$tmp/o"

# ---- --max-findings: cap and count
run "max-findings 5" 1 convert --max-findings 5 "$tmp/in/bad30.json" "$tmp/o/b.json"
expect_count "max-findings 5: lines shown" "$tmp/err" 'error DSJ-ENC-UTF8' 5
expect_grep "max-findings 5: rest counted" "$tmp/err" '\.\.\. and 25 more findings not shown \(--max-findings 5\)'
expect_grep "max-findings 5: total" "$tmp/err" 'bad30.json: 30 errors, 0 warnings in 32 rows'
run "max-findings default 100" 1 convert "$tmp/in/bad30.json" "$tmp/o/b.json"
expect_count "max-findings default: all 30 shown" "$tmp/err" 'error DSJ-ENC-UTF8' 30
run "max-findings 0 = no limit" 1 convert --max-findings 0 "$tmp/in/bad30.json" "$tmp/o/b.json"
expect_count "max-findings 0: all shown" "$tmp/err" 'error DSJ-ENC-UTF8' 30
only_files "max-findings: nothing written" "$tmp/o"

# ---- --out-dir: one line per file, a total, the worst exit status; the cap is for the whole run
run "out-dir" 1 convert --max-findings 4 --out-dir "$tmp/o" --format ndjson "$tmp/in"
expect_count "out-dir: lines" "$tmp/out" ' -> ' 3
expect_grep "out-dir: refused file" "$tmp/out" '^.*/in/dup3.json -> .*/o/dup3.ndjson: not written: 2 rows, 3 errors, 0 warnings'
expect_grep "out-dir: clean file" "$tmp/out" '^.*/in/dm3.json -> .*/o/dm3.ndjson: 3 rows, 0 errors, 0 warnings$'
expect_grep "out-dir: total" "$tmp/out" '^total: 3 files, 1 written, 2 not written, 0 failed; 37 rows, 33 errors, 0 warnings$'
expect_count "out-dir: run-wide cap" "$tmp/err" 'error DSJ-ENC-UTF8' 4
expect_grep "out-dir: hidden count" "$tmp/err" '\.\.\. and 29 more findings not shown'
only_files "out-dir: only the clean output" "$tmp/o" dm3.ndjson
run "out-dir keep-going" 1 convert --keep-going --out-dir "$tmp/o" --format dsjc "$tmp/in/dup3.json" "$tmp/in/dm3.json"
expect_grep "out-dir keep-going: written" "$tmp/out" 'dup3.dsjc: 2 rows, 3 errors, 0 warnings \(written with the values as found\)'
expect_grep "out-dir keep-going: total" "$tmp/out" '^total: 2 files, 2 written, 0 not written, 0 failed'
present "out-dir keep-going: file" "$tmp/o/dup3.dsjc"
printf '{"trunc' >"$tmp/in/zz-broken.json"
run "out-dir failure is exit 2" 2 convert --out-dir "$tmp/o2" --format json "$tmp/in"
expect_grep "out-dir failure line" "$tmp/out" 'zz-broken.json -> .*/o2/zz-broken.json: failed: .*zz-broken.json:1:'
expect_grep "out-dir failure total" "$tmp/out" '^total: 4 files, 1 written, 2 not written, 1 failed'
only_files "out-dir failure: outputs" "$tmp/o2" dm3.json
rm -f "$tmp/in/zz-broken.json"
run "out-dir refuses to overwrite an input" 2 convert --out-dir "$tmp/in" --format json "$tmp/in/dm3.json"
expect_grep "out-dir overwrite message" "$tmp/err" "would overwrite the input"

# ---- Dataset-XML without a define: the message says what to pass
printf '\357\273\277<?xml version="1.0"?>\r\n<ODM/>\r\n' >"$tmp/o/dm.xml"
run "missing define" 2 convert "$tmp/o/dm.xml" "$tmp/o/dm.json"
expect_grep "missing define message" "$tmp/err" 'dm.xml: Dataset-XML needs its Define-XML .* no .*/o/define.xml beside the file; pass --define DEFINE.xml'
absent "missing define: no output" "$tmp/o/dm.json"
run "missing define (out-dir)" 2 convert --out-dir "$tmp/o3" --format json "$tmp/o/dm.xml"
expect_grep "missing define line" "$tmp/out" 'dm.xml -> .*dm.json: failed: .*pass --define DEFINE.xml'
rm -f "$tmp/o/dm.xml"

# ---- Dataset-XML end to end (once the backend is built)
xml_ready=1
"$DSJSON" convert --define "$EX/define.xml" "$EX/dm.json" "$tmp/probe.xml" >/dev/null 2>"$tmp/err"
grep -q 'not available yet' "$tmp/err" && xml_ready=0
"$DSJSON" convert --define "$EX/define.xml" "$tmp/probe.xml" "$tmp/probe.json" >/dev/null 2>"$tmp/err"
grep -q 'not available yet' "$tmp/err" && xml_ready=0
if [ $xml_ready -eq 1 ]; then
    mkdir -p "$tmp/x"
    run "json -> dataset-xml" 0 convert --define "$EX/define.xml" "$EX/dm.json" "$tmp/x/dm.xml"
    run "dataset-xml -> json" 0 convert --define "$EX/define.xml" "$tmp/x/dm.xml" "$tmp/x/dm.json"
    same_data "dataset-xml round trip" "$EX/dm.json" "$tmp/x/dm.json" 'datasetJSONCreationDateTime' 
    cp "$EX/define.xml" "$tmp/x/define.xml"
    run "define beside" 0 convert "$tmp/x/dm.xml" "$tmp/x/dm2.ndjson"
    expect_grep "define beside note" "$tmp/err" 'using .*/x/define.xml'
    run "define.xml skipped in a folder" 0 convert --out-dir "$tmp/x/out" --format json "$tmp/x"/*.xml
    expect_grep "define skipped note" "$tmp/err" "skipping '.*/x/define.xml'"
    expect_grep "folder xml total" "$tmp/out" '^total: 1 file, 1 written'
    if command -v xmllint >/dev/null 2>&1 && [ -d "$CORPUS/schemas/dataset-xml-1.0" ]; then
        xmllint --noout --schema "$CORPUS/schemas/dataset-xml-1.0/cdisc-datasetxml-1.0.0/dataset1-0-0.xsd" \
            "$tmp/x/dm.xml" 2>"$tmp/xl" && ok || { ko "dataset-xml output not XSD-valid"; head -5 "$tmp/xl"; }
    fi
    # broken Dataset-XML: truncated -> exit 2, nothing written
    head -c 2000 "$tmp/x/dm.xml" >"$tmp/x/trunc.xml"
    run "truncated dataset-xml" 2 convert --define "$EX/define.xml" "$tmp/x/trunc.xml" "$tmp/x/trunc.json"
    expect_grep "truncated dataset-xml position" "$tmp/err" 'trunc.xml:[0-9]+:'
    absent "truncated dataset-xml: no output" "$tmp/x/trunc.json"
    # text in an integer column: an error finding -> refused (exit 1) or written with --keep-going
    sed -e 's/ItemOID="IT.DM.AGE" Value="[0-9]*"/ItemOID="IT.DM.AGE" Value="old"/' "$tmp/x/dm.xml" >"$tmp/x/badage.xml"
    if cmp -s "$tmp/x/dm.xml" "$tmp/x/badage.xml"; then
        echo "convert cli: no IT.DM.AGE ItemData in the written Dataset-XML; integer-column case skipped"
    else
        run "text in an integer column" 1 convert --define "$EX/define.xml" "$tmp/x/badage.xml" "$tmp/x/badage.json"
        expect_grep "text in an integer column: finding" "$tmp/err" 'badage.xml:[0-9]+:[0-9]+: error .*AGE'
        absent "text in an integer column: no output" "$tmp/x/badage.json"
        run "text in an integer column --keep-going" 1 convert --keep-going --define "$EX/define.xml" \
            "$tmp/x/badage.xml" "$tmp/x/badage.json"
        present "keep-going output" "$tmp/x/badage.json"
    fi
else
    echo "convert cli: the Dataset-XML backend is not built yet; Dataset-XML cases skipped"
fi

# ---- XPT end to end (once the backend is built)
xpt_ready=1
"$DSJSON" convert "$EX/dm.json" "$tmp/probe.xpt" >/dev/null 2>"$tmp/err"
grep -q 'not available yet' "$tmp/err" && xpt_ready=0
[ -f "$tmp/probe.xpt" ] && "$DSJSON" convert "$tmp/probe.xpt" "$tmp/probe.json" >/dev/null 2>"$tmp/err"
grep -q 'not available yet' "$tmp/err" && xpt_ready=0
if [ $xpt_ready -eq 1 ]; then
    mkdir -p "$tmp/t"
    run "json -> xpt" 0 convert "$EX/dm.json" "$tmp/t/dm.xpt"
    run "xpt -> json (define)" 0 convert --define "$EX/define.xml" "$tmp/t/dm.xpt" "$tmp/t/dm.json"
    # XPT carries no file-level attributes (creation time, fileOID, originator, source system)
    same_data "xpt round trip" "$EX/dm.json" "$tmp/t/dm.json" \
        'datasetJSONCreationDateTime|dbLastModifiedDateTime|fileOID|originator|sourceSystem' 
    run "json -> xpt v8" 0 convert --xpt-version 8 "$EX/dm.json" "$tmp/t/dm8.xpt"
    run "xpt -> json, no define, exact numbers" 0 convert --exact-numbers --sas-dates-as-numbers "$tmp/t/dm.xpt" "$tmp/t/dmx.ndjson"
    run "xpt folder" 0 convert --define "$EX/define.xml" --out-dir "$tmp/t/out" --format json "$tmp/t/dm.xpt"
    expect_grep "xpt folder line" "$tmp/out" 'dm.xpt -> .*/t/out/dm.json: 18 rows'
    if [ -f "$CORPUS/negative-cases/sas-cport-not-xport_cported.xpt" ]; then
        run "CPORT refused" 2 convert "$CORPUS/negative-cases/sas-cport-not-xport_cported.xpt" "$tmp/t/cport.json"
        absent "CPORT: no output" "$tmp/t/cport.json"
    fi
else
    echo "convert cli: the XPT backend is not built yet; XPT cases skipped"
fi

# ---- corpus: the 34 SAS CST Dataset-XML files as one folder conversion
if [ -d "$CORPUS/dataset-xml-sas-cst/sdtm" ] && [ $xml_ready -eq 1 ]; then
    "$DSJSON" convert --keep-going --out-dir "$tmp/cst" --format json "$CORPUS/dataset-xml-sas-cst/sdtm" \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -le 1 ] && ok || { ko "corpus Dataset-XML folder: exit $rc"; head -20 "$tmp/out"; }
    expect_count "corpus Dataset-XML folder: one line per dataset" "$tmp/out" ' -> ' 34
    expect_grep "corpus Dataset-XML folder: define used" "$tmp/err" 'using .*dataset-xml-sas-cst/sdtm/define.xml'
    expect_grep "corpus Dataset-XML folder: total" "$tmp/out" '^total: 34 files, 34 written, 0 not written, 0 failed'
elif [ ! -d "$CORPUS" ]; then
    echo "convert cli: corpus not found at $CORPUS, corpus cases skipped"
fi
# ---- corpus: the official SDTM XPT files with their define, and the CDISC pilot XPT folder without one
XS=$CORPUS/cdisc-datasetjson-examples/v1.1/sdtm
if [ -f "$XS/dm.xpt" ] && [ $xpt_ready -eq 1 ]; then
    run "corpus XPT with define" 0 convert --define "$XS/define.xml" --out-dir "$tmp/xj" --format json "$XS"/*.xpt
    expect_count "corpus XPT: one line per dataset" "$tmp/out" ' -> .*: [0-9]+ rows?, 0 errors' "$(ls "$XS"/*.xpt | wc -l)"
    same_data "corpus XPT dm equals the official JSON" "$XS/dm.json" "$tmp/xj/dm.json" \
        'datasetJSONCreationDateTime|dbLastModifiedDateTime|fileOID|originator|sourceSystem'
fi
PS=$CORPUS/cdiscpilot01-phuse/sdtm
if [ -d "$PS" ] && [ $xpt_ready -eq 1 ]; then
    run "corpus pilot XPT folder, no define" 0 convert --out-dir "$tmp/pj" --format ndjson "$PS"
    expect_grep "corpus pilot: total" "$tmp/out" '^total: 18 files, 18 written, 0 not written, 0 failed'
    expect_count "corpus pilot: a no-define warning per file" "$tmp/err" 'warning XPT-NO-DEFINE' 18
    absent "corpus pilot: its define.xml (Define 1.0) skipped" "$tmp/pj/define.ndjson"
fi

echo "convert cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
