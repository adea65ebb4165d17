#!/bin/sh
# CLI tests for `dsjson check` and `dsjson select`.
# Usage: sh tests/cli/checks.sh [BIN]   (run from the repository root; BIN defaults to build/dsjson)
# Prints "checks cli: N passed, M failed"; exit status 1 when any failed.

BIN=${1:-build/dsjson}
EX=testdata/examples/v1.1/sdtm
RULES=testdata/checks/sdtm-rules.json
PY=/usr/bin/python3
T=$(mktemp -d "${TMPDIR:-/tmp}/dsj-checks.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_rc RC DESCRIPTION -- COMMAND...   (stdout -> $T/out, stderr -> $T/err)
expect_rc() {
    want=$1; desc=$2; shift 3
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" = "$want" ]; then ok; else ko "$desc: exit $got, want $want"; sed 's/^/    /' "$T/err" | head -5; fi
}
# expect_grep FILE PATTERN DESCRIPTION
expect_grep() {
    if grep -q -- "$2" "$1"; then ok; else ko "$3: no '$2' in $(basename "$1")"; sed 's/^/    /' "$1" | head -5; fi
}

# ---------------------------------------------------------------- check: example rule file on the bundled examples
expect_rc 0 "example rules on bundled examples" -- "$BIN" check --rules "$RULES" --define "$EX/define.xml" "$EX"
expect_grep "$T/out" "total: 6 files, 0 errors, 0 warnings, 0 info" "bundled examples are clean"
# without --define the in_codelist rule is skipped with one warning (DM only)
expect_rc 0 "no define: warning only" -- "$BIN" check --rules "$RULES" "$EX/dm.json"
expect_grep "$T/out" "warning DM-SEX-CODELIST.*needs a define.xml" "in_codelist without define"

# JSON report has the validate shape
expect_rc 0 "json report" -- "$BIN" check --rules "$RULES" --define "$EX/define.xml" --format json "$EX/ae.json" "$EX/dm.json"
if $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["files"][0]; assert set(f)=={"file","format","version","findings","summary","fatal"}; assert d["summary"]["files"]==2 and d["valid"] is True and d["rules"]' "$T/out"; then ok; else ko "json report shape"; fi

# ---------------------------------------------------------------- check: findings on broken data
mkdir -p "$T/study"
"$BIN" convert "$EX/dm.json" "$T/study/dm.json" >/dev/null 2>&1 || cp "$EX/dm.json" "$T/study/dm.json"
# AE with a subject not in DM, a duplicate key and an end date before the start
$PY - "$EX/ae.json" "$T/study/ae.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
cols = [c["name"] for c in d["columns"]]
u, s, st, en = cols.index("USUBJID"), cols.index("AESEQ"), cols.index("AESTDTC"), cols.index("AEENDTC")
d["rows"][0][u] = "NOSUCH-SUBJECT"
d["rows"][2][s] = d["rows"][1][s]; d["rows"][2][u] = d["rows"][1][u]
d["rows"][3][st] = "2013-02-10"; d["rows"][3][en] = "2013-02-01"
json.dump(d, open(sys.argv[2], "w"))
EOF
expect_rc 1 "broken AE gives errors" -- "$BIN" check --rules "$RULES" "$T/study/ae.json"
expect_grep "$T/out" "error AE-USUBJID-IN-DM \[row 1, USUBJID\]" "exists_in finding"
expect_grep "$T/out" "error AE-KEYS-UNIQUE \[row 3, USUBJID\].*repeats row 2" "unique finding"
expect_grep "$T/out" "error AE-END-AFTER-START \[row 4, AEENDTC\]" "compare finding"
expect_grep "$T/out" "(at /rows/3/" "pointer of the compare finding"
# --format json: the same shape as validate --format json (keys of the run, of a file, of a finding)
"$BIN" check --rules "$RULES" --format json "$T/study/ae.json" >"$T/check.json" 2>/dev/null
"$BIN" validate --format json testdata/invalid/col-datatype-number/input.json >"$T/validate.json" 2>/dev/null
if $PY - "$T/check.json" "$T/validate.json" <<'PYEOF'
import json, sys
c, v = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert set(c) - {"rules"} == set(v), (set(c), set(v))
assert set(c["files"][0]) == set(v["files"][0])
assert set(c["summary"]) == set(v["summary"])
vf = [f for x in v["files"] for f in x["findings"]]
assert vf and c["files"][0]["findings"]
assert set(c["files"][0]["findings"][0]) == set(vf[0]), (set(c["files"][0]["findings"][0]), set(vf[0]))
f = c["files"][0]["findings"][0]
assert f["rule"] == "AE-USUBJID-IN-DM" and f["row"] == 1 and f["column_name"] == "USUBJID" and f["severity"] == "error", f
assert c["valid"] is False and c["summary"]["error"] == 3
PYEOF
then ok; else ko "check --format json has the validate shape"; fi
# --max-findings caps the shown findings
expect_rc 1 "max-findings" -- "$BIN" check --rules "$RULES" --max-findings 1 "$T/study/ae.json"
expect_grep "$T/out" "more findings not shown" "max-findings note"
# exists_in target missing: one error finding naming the dataset
mkdir -p "$T/alone"; cp "$EX/ae.json" "$T/alone/ae.json"
expect_rc 1 "exists_in without DM" -- "$BIN" check --rules "$RULES" "$T/alone/ae.json"
expect_grep "$T/out" "dataset DM not found next to" "exists_in missing dataset"

# ---------------------------------------------------------------- check: usage and malformed rule files
expect_rc 2 "no --rules" -- "$BIN" check "$EX/dm.json"
expect_rc 2 "no files" -- "$BIN" check --rules "$RULES"
expect_rc 2 "missing input" -- "$BIN" check --rules "$RULES" "$T/nope.json"
expect_rc 2 "missing rule file" -- "$BIN" check --rules "$T/nope-rules.json" "$EX/dm.json"
printf '{"rules":[{"id":"R1","column":"X","check":{"pattern":"(ab"}}]}' >"$T/bad.json"
expect_rc 2 "bad regex" -- "$BIN" check --rules "$T/bad.json" "$EX/dm.json"
expect_grep "$T/err" "rule 'R1' (index 0): bad pattern.*at offset 3" "bad regex names rule and offset"
printf '{"rules":[{"id":"R1","column":"X","check":{"not_null":true}},{"id":"R1","column":"Y","check":{"unique":true}}]}' >"$T/bad.json"
expect_rc 2 "duplicate id" -- "$BIN" check --rules "$T/bad.json" "$EX/dm.json"
expect_grep "$T/err" "rule 'R1' (index 1): duplicate rule id" "duplicate id message"
printf '{"rules":[{"id":"R1","column":"X","check":{"nonsense":true}}]}' >"$T/bad.json"
expect_rc 2 "unknown check" -- "$BIN" check --rules "$T/bad.json" "$EX/dm.json"
expect_grep "$T/err" "unknown check 'nonsense'" "unknown check message"
printf '{"rules":[{"id":"R1","column":"X","when":"A == ","check":{"not_null":true}}]}' >"$T/bad.json"
expect_rc 2 "bad when" -- "$BIN" check --rules "$T/bad.json" "$EX/dm.json"
expect_grep "$T/err" "rule 'R1' (index 0): 'when': condition: at position 6" "bad when names position"
printf '{"rules": [' >"$T/bad.json"
expect_rc 2 "not JSON" -- "$BIN" check --rules "$T/bad.json" "$EX/dm.json"

# ---------------------------------------------------------------- the JSON Schema accepts the example and rejects broken files
if $PY -c 'import jsonschema' 2>/dev/null; then
    if $PY - "$RULES" <<'PYEOF'
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open("schemas/rules.schema.json")))
assert not list(v.iter_errors(json.load(open(sys.argv[1]))))
for bad in ({"rules": [{"id": "A", "column": "X", "check": {"pattern": "a", "not_null": True}}]},
            {"rules": [{"id": "A", "column": "X", "check": {"nonsense": 1}}]},
            {"rules": [{"id": "A", "check": {"not_null": True}}]},
            {"rules": [{"id": "A", "column": "X", "severity": "fatal", "check": {"not_null": True}}]}):
    assert list(v.iter_errors(bad)), bad
PYEOF
    then ok; else ko "schemas/rules.schema.json"; fi
fi

# ---------------------------------------------------------------- select
expect_rc 0 "select csv" -- "$BIN" select --columns USUBJID,AGE,SEX --where 'AGE >= 85 and SEX == "F"' --to csv "$EX/dm.json"
if [ "$(head -1 "$T/out")" = "$(printf 'USUBJID,AGE,SEX\r')" ]; then ok; else ko "csv header"; fi
if tail -n +2 "$T/out" | tr -d '\r' | awk -F, '$2 < 85 || $3 != "F" { bad = 1 } END { exit bad }'; then ok; else ko "csv rows follow --where"; fi
expect_rc 0 "select ndjson" -- "$BIN" select --where 'AGE >= 85' "$EX/dm.json"
if $PY -c '
import json,sys
rows=[json.loads(l) for l in open(sys.argv[1])]
src=json.load(open(sys.argv[2])); cols=[c["name"] for c in src["columns"]]
want=[dict(zip(cols,r)) for r in src["rows"] if r[cols.index("AGE")] is not None and r[cols.index("AGE")]>=85]
assert rows==want and len(rows)>0, (len(rows), len(want))' "$T/out" "$EX/dm.json"; then ok; else ko "ndjson rows = python filter"; fi
expect_rc 0 "select json" -- "$BIN" select --columns USUBJID --to json "$EX/dm.json"
if $PY -c 'import json,sys; a=json.load(open(sys.argv[1])); s=json.load(open(sys.argv[2])); assert len(a)==len(s["rows"])' "$T/out" "$EX/dm.json"; then ok; else ko "json array"; fi
expect_rc 0 "select from dsjc" -- "$BIN" select --columns USUBJID --to csv "$EX/dm.dsjc"
expect_rc 0 "select matches UTF-8" -- "$BIN" select --columns AETERM --where 'AETERM matches "下.{1}"' --to csv testdata/examples/v1.1/i18n/ae.json
expect_grep "$T/out" "^下痢" "UTF-8 regex: one character after 下"
if $PY -c 'import sys; t=open(sys.argv[1],encoding="utf-8",newline="").read().split("\r\n")[1:-1]; assert t and all(len(x)==2 and x[0]=="下" for x in t), t' "$T/out"; then ok; else ko "UTF-8 regex matched only 2-character terms"; fi
expect_rc 2 "select bad where" -- "$BIN" select --where 'AGE >' "$EX/dm.json"
expect_grep "$T/err" "position 6" "select where error position"
expect_rc 2 "select unknown column" -- "$BIN" select --columns NOPE "$EX/dm.json"
expect_rc 2 "select where unknown column" -- "$BIN" select --where 'NOPE == 1' "$EX/dm.json"
expect_rc 2 "select bad --to" -- "$BIN" select --to xml "$EX/dm.json"

# ---------------------------------------------------------------- the examples of docs/checks.md, output compared
# expect_out DESCRIPTION EXPECTED_FILE -- shell pipeline (run with sh -c, BIN as dsjson)
expect_out() {
    desc=$1; want=$2; shift 3
    sh -c "$*" >"$T/got" 2>&1
    if cmp -s "$T/got" "$want"; then ok; else ko "docs example: $desc"; diff "$want" "$T/got" | head -5; fi
}
D=$BIN
printf 'USUBJID,AGE,SEX\r\nCDISC010,86,F\r\nCDISC013,89,F\r\nCDISC015,86,F\r\n' >"$T/w1"
expect_out "select csv" "$T/w1" -- "$D select --columns USUBJID,AGE,SEX --where 'AGE >= 85 and SEX == \"F\"' --to csv $EX/dm.json"
if command -v jq >/dev/null 2>&1; then
    printf 'CDISC002\tSUDDEN DEATH\nCDISC008\tCOMPLETED SUICIDE\nCDISC013\tMYOCARDIAL INFARCTION\nCDISC016\tNASOPHARYNGITIS\nCDISC018\tNAUSEA\n' >"$T/w2"
    expect_out "select | jq" "$T/w2" -- "$D select --where 'AESEV == \"SEVERE\"' $EX/ae.json | jq -r '[.USUBJID, .AETERM] | @tsv'"
fi
printf 'MILD 45\nMODERATE 24\nSEVERE 5\n' >"$T/w3"
expect_out "select | awk" "$T/w3" -- "$D select --columns AESEV --to csv $EX/ae.dsjc | awk -F, 'BEGIN { RS = \"\\r\\n\" } NR > 1 { n[\$1]++ } END { for (k in n) print k, n[k] }' | sort"
printf '[\n{"USUBJID":"CDISC013","AGE":89}\n]\n' >"$T/w4"
expect_out "select json" "$T/w4" -- "$D select --columns USUBJID,AGE --where 'AGE > 88' --to json $EX/dm.json"
# the broken-AE example: row 1 subject CDISC999, row 3 AESEQ 2 (so row 4 repeats it), row 4 ends before it starts
mkdir -p "$T/doc/study"
cp "$EX/dm.json" "$T/doc/study/dm.json"
$PY - "$EX/ae.json" "$T/doc/study/ae.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); c = [x["name"] for x in d["columns"]]
d["rows"][3][c.index("AEENDTC")] = "2012-11-01"; d["rows"][0][c.index("USUBJID")] = "CDISC999"; d["rows"][2][c.index("AESEQ")] = 2
json.dump(d, open(sys.argv[2], "w"))
PYEOF
sed -n '/^\$ dsjson check --rules testdata\/checks\/sdtm-rules.json study\/ae.json/,/^```/p' docs/checks.md | sed '1d;$d' >"$T/w5"
RULES_ABS=$(pwd)/$RULES
BIN_ABS=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
expect_out "check broken AE" "$T/w5" -- "cd $T/doc && $BIN_ABS check --rules $RULES_ABS study/ae.json"

echo "checks cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
