#!/bin/sh
# Golden tests for `dsjson validate-define`.  Standalone:
#   sh tests/cli/define.sh path/to/dsjson
# Run from the repository root.  Uses testdata/define/; corpus cases run only
# when ${DSJ_CORPUS:-../shared/corpus} exists.  Exits non-zero on failure.

DSJSON=${1:-build/dsjson}
case "$DSJSON" in /*) ;; *) DSJSON="$(pwd)/$DSJSON" ;; esac
cd "$(dirname "$0")/../.." || exit 2   # the repository root: paths below are relative to it
TD=testdata/define
CORPUS=${DSJ_CORPUS:-../shared/corpus}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsj-define-cli.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run NAME EXPECTED_EXIT ARGS...: runs dsjson, keeps stdout/stderr in $tmp/out, $tmp/err
run() {
    name=$1 want=$2
    shift 2
    "$DSJSON" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else ko "$name: exit $got, expected $want"; sed 's/^/  | /' "$tmp/err" "$tmp/out" | head -20; fi
}

# expect_grep NAME FILE PATTERN: extended regex must match a line
expect_grep() {
    if grep -Eq "$3" "$2"; then ok; else ko "$1: no line matching /$3/ in $(basename "$2")"; sed 's/^/  | /' "$2" | head -20; fi
}

if [ ! -x "$DSJSON" ]; then
    echo "define cli: $DSJSON not found or not executable"
    exit 2
fi

# ---- a clean define
run "clean" 0 validate-define "$TD/minimal21.xml"
expect_grep "clean summary" "$tmp/out" "^$TD/minimal21.xml: 0 errors, 0 warnings, 0 info \\(Define-XML 2.1.0\\)\$"

# ---- a dangling CodeListOID: exact golden output
sed 's/CodeListOID="CL.VSTESTCD"/CodeListOID="CL.NOPE"/' "$TD/minimal21.xml" >"$tmp/dangling.xml"
run "dangling" 1 validate-define "$tmp/dangling.xml"
cat >"$tmp/golden" <<EOF
$tmp/dangling.xml:41: error DEF-REF-CODELIST ItemDef 'IT.VS.VSTESTCD' refers to CodeList 'CL.NOPE', which does not exist (at /ODM/Study/MetaDataVersion/ItemDef[@OID='IT.VS.VSTESTCD'])
$tmp/dangling.xml:55: warning DEF-UNREF-CODELIST CodeList 'CL.VSTESTCD' is not referenced by any ItemDef CodeListRef (at /ODM/Study/MetaDataVersion/CodeList[@OID='CL.VSTESTCD'])
$tmp/dangling.xml: 1 error, 1 warning, 0 info (Define-XML 2.1.0)
EOF
if cmp -s "$tmp/golden" "$tmp/out"; then ok; else ko "dangling: output differs from golden"; diff "$tmp/golden" "$tmp/out" | head -20; fi

# ---- JSON report shape
run "json" 1 validate-define --format json "$tmp/dangling.xml" "$TD/minimal21.xml"
if "$PY" - "$tmp/out" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
files = r["files"]
assert len(files) == 2, files
f0 = files[0]
keys = {"rule", "severity", "message", "file", "line", "column", "offset", "pointer", "row", "column_name"}
assert all(set(f) == keys for f in f0["findings"]), f0["findings"]
assert f0["findings"][0]["rule"] == "DEF-REF-CODELIST" and f0["findings"][0]["line"] == 41
assert f0["findings"][0]["severity"] == "error"
assert f0["summary"] == {"error": 1, "warning": 1, "info": 0, "total": 2, "shown": 2}, f0["summary"]
assert f0["version"] == "2.1.0" and f0["fatal"] is None
assert r["summary"]["files"] == 2 and r["summary"]["unreadable"] == 0 and r["summary"]["error"] == 1
assert files[1]["findings"] == [] and files[1]["summary"]["total"] == 0
EOF
then ok; else ko "json: report shape"; fi

# ---- --max-findings caps the list and counts the rest
run "max text" 1 validate-define --max-findings 1 "$tmp/dangling.xml"
expect_grep "max text" "$tmp/out" "^\\.\\.\\. and 1 more findings not shown\$"
[ "$(grep -c ' DEF-' "$tmp/out")" -eq 1 ] && ok || ko "max text: more than 1 finding listed"
run "max json" 1 validate-define --format=json --max-findings=1 "$tmp/dangling.xml"
if "$PY" -c 'import json,sys; f=json.load(open(sys.argv[1]))["files"][0]; assert len(f["findings"])==1 and f["summary"]["total"]==2 and f["summary"]["shown"]==1 and f["summary"]["warning"]==1' "$tmp/out"; then ok; else ko "max json: omitted count"; fi

# ---- several problems at once: all reported, each with its rule
sed -e 's/ *def:Structure="[^"]*"//' -e 's/DataType="float"/DataType="real"/' -e 's/KeySequence="2"/KeySequence="3"/' \
    "$TD/minimal21.xml" >"$tmp/damaged.xml"
run "damaged" 1 validate-define "$tmp/damaged.xml"
expect_grep "damaged structure" "$tmp/out" ":27: error DEF-IG-REQUIRED .*def:Structure"
expect_grep "damaged datatype" "$tmp/out" ": error DEF-ID-DATATYPE .*unknown DataType 'real'"
expect_grep "damaged keyseq" "$tmp/out" ":27: error DEF-IG-KEYSEQ .*2 is missing"

# ---- the broken files of testdata/define: every expected rule at its line, and nothing else at error level
# expect_file FILE EXIT "SUMMARY" RULE:LINE...
expect_file() {
    f=$1 want=$2 summary=$3
    shift 3
    run "$(basename "$f")" "$want" validate-define "$f"
    expect_grep "$(basename "$f") summary" "$tmp/out" "^$f: $summary"
    for rl in "$@"; do
        expect_grep "$(basename "$f") ${rl%%:*}" "$tmp/out" "^$f:${rl##*:}: (error|warning) ${rl%%:*} "
    done
}
expect_file "$TD/broken-refs.xml" 1 "4 errors, 4 warnings, 0 info" DEF-REF-WHERECLAUSE:18 DEF-UNREF-WHERECLAUSE:22 \
    DEF-REF-ITEMDEF:31 DEF-REF-METHOD:33 DEF-UNREF-ITEMDEF:37 DEF-REF-CODELIST:41 DEF-UNREF-CODELIST:55 DEF-UNREF-METHOD:66
expect_file "$TD/broken-unique.xml" 1 "4 errors, 0 warnings, 0 info" DEF-REF-ITEMDEF:18 DEF-IG-KEYSEQ:27 DEF-IR-ORDER-DUP:32 \
    DEF-OID-DUP:51
expect_file "$TD/broken-structure.xml" 1 "3 errors, 0 warnings, 0 info" DEF-ODM-FILETYPE:2 DEF-IG-REQUIRED:27 DEF-ID-DATATYPE:50
run "truncated file" 2 validate-define "$TD/truncated.xml"
expect_grep "truncated file" "$tmp/out" "^$TD/truncated.xml:47:76: fatal DSJ_E_XML XML error: Premature end of data"

# ---- not a Define-XML 2.x, not XML, unreadable: exit 2 with a clear message
run "define 1.0" 2 validate-define "$TD/define10.xml"
expect_grep "define 1.0" "$tmp/out" "define10.xml:[0-9]+:[0-9]+: fatal DSJ_E_UNSUPPORTED unsupported: Define-XML 1.0"
run "odm not define" 2 validate-define "$TD/odm-not-define.xml"
expect_grep "odm not define" "$tmp/out" "unsupported: ODM file is not a Define-XML"
head -c 2000 "$TD/minimal21.xml" >"$tmp/truncated.xml"
run "truncated" 2 validate-define "$tmp/truncated.xml"
expect_grep "truncated" "$tmp/out" "truncated.xml:[0-9]+:[0-9]+: fatal DSJ_E_XML XML error"
run "missing file" 2 validate-define "$tmp/nope.xml"
expect_grep "missing file" "$tmp/out" "nope.xml: fatal DSJ_E_IO cannot open"
run "one bad of two" 2 validate-define "$TD/minimal21.xml" "$TD/define10.xml"

# ---- external entities are never read
run "xxe" 0 validate-define "$TD/xxe.xml"
if grep -q XXE-SECRET "$tmp/out" "$tmp/err"; then ko "xxe: secret leaked"; else ok; fi

# ---- usage errors
run "no args" 2 validate-define
run "bad option" 2 validate-define --bogus "$TD/minimal21.xml"
run "bad format" 2 validate-define --format xml "$TD/minimal21.xml"
run "bad max" 2 validate-define --max-findings -3 "$TD/minimal21.xml"
run "xsd dir missing" 2 validate-define --xsd "$tmp/no-schemas" "$TD/minimal21.xml"
expect_grep "xsd dir missing" "$tmp/err" "no such folder"
mkdir "$tmp/empty-schemas"
run "xsd dir empty" 2 validate-define --xsd "$tmp/empty-schemas" "$TD/minimal21.xml"
expect_grep "xsd dir empty" "$tmp/out" "fatal DSJ_E_NOTFOUND no define2-1-0.xsd found"
run "help" 0 validate-define --help
expect_grep "help" "$tmp/out" "^usage: dsjson validate-define"

# ---- corpus: the official Dataset-JSON SDTM define has one real defect (STDTMIG, line 63)
if [ -d "$CORPUS" ]; then
    run "corpus sdtm" 1 validate-define --xsd "$CORPUS/schemas" "$CORPUS/cdisc-datasetjson-examples/v1.1/sdtm/define.xml"
    expect_grep "corpus sdtm enum" "$tmp/out" "define.xml:63: error DEF-STD-ENUM .*'STDTMIG'"
    expect_grep "corpus sdtm xsd" "$tmp/out" "define.xml:63: error DEF-XSD XML Schema: .*'STDTMIG'"
    expect_grep "corpus sdtm summary" "$tmp/out" ": 2 errors, 5 warnings, 0 info \\(Define-XML 2.1.0\\)\$"
    run "corpus clean 2.1 with xsd" 0 validate-define --xsd "$CORPUS/schemas" "$CORPUS/define-xml-examples/v2.1/defineV21-ADaM.xml" \
        "$CORPUS/define-xml-examples/v2.0/define.cdisc.sdtm.xml"
    run "corpus 1.0" 2 validate-define "$CORPUS/cdiscpilot01-phuse/sdtm/define.xml"
else
    echo "define cli: corpus not found at $CORPUS, corpus cases skipped"
fi

echo "define cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
