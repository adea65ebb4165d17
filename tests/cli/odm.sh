#!/bin/sh
# Tests for `dsjson odm2json` and `dsjson json2odm`.  Standalone:
#   sh tests/cli/odm.sh path/to/dsjson
# Run from anywhere; uses testdata/odm/.  Corpus cases run only when
# ${DSJ_CORPUS:-../shared/corpus} exists; xmllint schema checks only when
# xmllint is installed.  Prints "odm cli: N passed, M failed"; exits non-zero on failure.

DSJSON=${1:-build/dsjson}
case "$DSJSON" in /*) ;; *) DSJSON="$(pwd)/$DSJSON" ;; esac
cd "$(dirname "$0")/../.." || exit 2
TD=testdata/odm
CORPUS=${DSJ_CORPUS:-../shared/corpus}
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsj-odm-cli.XXXXXX") || exit 2
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

# same_xml NAME ORIG OUT: OUT is the XML from ORIG's JSON; converting OUT again must give the same
# JSON byte for byte (the canonical element-by-element comparison with the originals is in tests/unit/test_odm.c)
same_xml() {
    "$DSJSON" odm2json -q "$2" "$tmp/fix1.json" 2>/dev/null && "$DSJSON" odm2json -q "$3" "$tmp/fix2.json" 2>/dev/null &&
        cmp -s "$tmp/fix1.json" "$tmp/fix2.json" && ok || ko "$1: the XML written back does not convert to the same JSON"
}

if [ ! -x "$DSJSON" ]; then
    echo "odm cli: $DSJSON not found or not executable"
    exit 2
fi

# ---- round trip of the shipped files
for f in "$TD"/*.xml; do
    b=$(basename "$f" .xml)
    run "odm2json $b" 0 odm2json --pretty "$f" "$tmp/$b.json"
    run "json2odm $b" 0 json2odm "$tmp/$b.json" "$tmp/$b.xml"
    same_xml "round trip $b" "$f" "$tmp/$b.xml"
done
expect_grep "root attributes at top level" "$tmp/fhir-example.json" '^  "FileOID": "'
expect_grep "schema recorded" "$tmp/fhir-example.json" '"_schema": "odm-2.0"'

# ---- --wrap-root
run "wrap-root" 0 odm2json --wrap-root "$TD/fhir-example.xml" "$tmp/wrapped.json"
expect_grep "wrapped" "$tmp/wrapped.json" '^\{"ODM":\{'
run "wrapped back" 0 json2odm "$tmp/wrapped.json" "$tmp/wrapped.xml"
same_xml "wrapped round trip" "$TD/fhir-example.xml" "$tmp/wrapped.xml"

# ---- errors: exit 2 with the position
printf '<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3">\n<Study>\n</ODM>\n' >"$tmp/bad.xml"
run "invalid XML" 2 odm2json "$tmp/bad.xml" "$tmp/bad.json"
expect_grep "invalid XML line" "$tmp/err" 'bad.xml:3:.*invalid XML'
[ ! -e "$tmp/bad.json" ] && ok || ko "no output file after a failure"
printf '{"_schema": "odm-2.0", "ODMVersion": "2.0", "Study": [{"OID": "S", "Nonsense": "x"}]}' >"$tmp/unknown.json"
"$DSJSON" json2odm "$tmp/unknown.json" "$tmp/unknown.xml" >/dev/null 2>"$tmp/err"
if grep -q ODM-JSON-NO-TABLE "$tmp/err"; then
    echo "odm cli: no built-in odm-2.0 table, unknown-key case skipped"
else
    run "unknown key" 2 json2odm "$tmp/unknown.json" "$tmp/unknown.xml"
    expect_grep "unknown key pointer" "$tmp/err" 'unknown key "Nonsense".*at /Study/0/Nonsense'
fi
printf '{"FileOID": ' >"$tmp/trunc.json"
run "invalid JSON" 2 json2odm "$tmp/trunc.json" "$tmp/trunc.xml"
expect_grep "invalid JSON message" "$tmp/err" 'trunc.json:1:.*invalid JSON'
run "usage: no operands" 2 odm2json
run "usage: threshold without dir" 2 odm2json --bulk-threshold 10 "$TD/fhir-example.xml" "$tmp/x.json"
run "help" 0 odm2json --help
expect_grep "help text" "$tmp/out" 'usage: dsjson odm2json'

# ---- bulk data through a folder
mkdir -p "$tmp/bulk"
{
    printf '<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" FileOID="F" FileType="Snapshot" ODMVersion="1.3.2" CreationDateTime="2024-01-01T00:00:00">'
    printf '<ClinicalData StudyOID="S" MetaDataVersionOID="M"><SubjectData SubjectKey="1"><StudyEventData StudyEventOID="E"><FormData FormOID="F"><ItemGroupData ItemGroupOID="G">'
    printf '<ItemDataBase64Binary ItemOID="IT.IMG">'
    i=0
    while [ $i -lt 200 ]; do printf 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo='; i=$((i + 1)); done
    printf '</ItemDataBase64Binary></ItemGroupData></FormData></StudyEventData></SubjectData></ClinicalData></ODM>\n'
} >"$tmp/bulk.xml"
run "bulk out" 0 odm2json --bulk-dir "$tmp/bulk" --bulk-threshold 100 "$tmp/bulk.xml" "$tmp/bulk.json"
expect_grep "bulk URI in JSON" "$tmp/bulk.json" '"BulkDataURI":"000001-IT.IMG.b64"'
[ -s "$tmp/bulk/000001-IT.IMG.b64" ] && ok || ko "bulk file written"
run "bulk back" 0 json2odm --bulk-dir "$tmp/bulk" "$tmp/bulk.json" "$tmp/bulk2.xml"
same_xml "bulk round trip" "$tmp/bulk.xml" "$tmp/bulk2.xml"
run "bulk back without dir" 2 json2odm "$tmp/bulk.json" "$tmp/bulk3.xml"

# ---- corpus: a Define-XML 2.1 and a Dataset-XML, validated with xmllint when present
if [ -d "$CORPUS" ]; then
    run "corpus define 2.1" 0 odm2json "$CORPUS/define-xml-examples/v2.1/defineV21-SDTM.xml" "$tmp/d21.json"
    run "corpus define 2.1 back" 0 json2odm "$tmp/d21.json" "$tmp/d21.xml"
    same_xml "corpus define 2.1 round trip" "$CORPUS/define-xml-examples/v2.1/defineV21-SDTM.xml" "$tmp/d21.xml"
    run "corpus dataset-xml" 0 odm2json "$CORPUS/dataset-xml-sas-cst/sdtm/dm.xml" "$tmp/dm.json"
    run "corpus dataset-xml back" 0 json2odm "$tmp/dm.json" "$tmp/dm.xml"
    if command -v xmllint >/dev/null 2>&1; then
        xmllint --noout --schema "$CORPUS/schemas/define-xml-2.1/cdisc-define-2.1/define2-1-0.xsd" "$tmp/d21.xml" 2>"$tmp/xl" && ok || { ko "define 2.1 output not XSD-valid"; head -5 "$tmp/xl"; }
        xmllint --noout --schema "$CORPUS/schemas/dataset-xml-1.0/cdisc-datasetxml-1.0.0/dataset1-0-0.xsd" "$tmp/dm.xml" 2>"$tmp/xl" && ok || { ko "dataset-xml output not XSD-valid"; head -5 "$tmp/xl"; }
    fi
else
    echo "odm cli: corpus not found at $CORPUS, corpus cases skipped"
fi

echo "odm cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
