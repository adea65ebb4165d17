#!/bin/sh
# On-disk validation suites.
#
#   tests/run-suites.sh BIN
#
# BIN is the dsjson CLI.  For every case folder:
#   testdata/valid/<case>/input.{json,ndjson,dsjc}
#       `BIN validate --no-define-ref --format json input.*` (Dataset-JSON rules only) must exit 0 and report no error
#       and no warning findings (info is allowed).
#   testdata/invalid/<case>/input.* + expect
#       expect holds "exit N" (the expected exit status: 0 valid with
#       warnings, 1 errors, 2 unreadable) and one line per expected finding:
#       "rule RULE-ID" or "rule RULE-ID row N" (a finding with that rule, and
#       that 1-based row, must be in the JSON report).  Lines starting with #
#       are comments.  An optional "args ..." line adds CLI options (e.g.
#       "args --lenient").
# Prints one line per failure and "suites: N passed, M failed"; exits 1 when
# any case fails.
set -u

BIN=${1:?usage: tests/run-suites.sh BIN}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${DSJ_SUITES:-$HERE/../testdata}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

pass=0
fail=0

# check_report REPORT EXPECT_FILE MODE  (MODE: valid | invalid); prints problems, exits non-zero on failure
check_report() {
    "$PY" - "$1" "$2" "$3" <<'EOF'
import json, sys
report_path, expect_path, mode = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(report_path, encoding='utf-8', errors='replace').read().strip()
findings = []
if text:
    try:
        doc, _ = json.JSONDecoder().raw_decode(text)
    except ValueError as e:
        print("report is not JSON: %s" % e)
        sys.exit(1)
    for f in doc.get('files', []):
        findings.extend(f.get('findings') or [])
bad = []
if mode == 'valid':
    for f in findings:
        if f.get('severity') in ('error', 'warning'):
            bad.append("unexpected %s %s (row %s): %s" % (f.get('severity'), f.get('rule'), f.get('row'), f.get('message')))
else:
    for line in open(expect_path, encoding='utf-8'):
        parts = line.split()
        if not parts or parts[0].startswith('#') or parts[0] in ('exit', 'args'):
            continue
        if parts[0] != 'rule' or len(parts) not in (2, 4) or (len(parts) == 4 and parts[2] != 'row'):
            bad.append("bad expect line: %s" % line.strip())
            continue
        rule = parts[1]
        row = int(parts[3]) if len(parts) == 4 else None
        if not any(f.get('rule') == rule and (row is None or f.get('row') == row) for f in findings):
            got = sorted(set("%s@%s" % (f.get('rule'), f.get('row')) for f in findings))
            bad.append("missing rule %s%s (got: %s)" % (rule, " row %d" % row if row else "", ", ".join(got) or "nothing"))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
}

run_case() { # run_case DIR MODE
    dir=$1
    mode=$2
    name=$(basename "$dir")
    input=
    for f in "$dir"/input.*; do
        [ -f "$f" ] && input=$f && break
    done
    if [ -z "$input" ]; then
        echo "FAIL $mode/$name: no input.* file"
        fail=$((fail + 1))
        return
    fi
    want=0
    if [ "$mode" = invalid ]; then
        if [ ! -f "$dir/expect" ]; then
            echo "FAIL $mode/$name: no expect file"
            fail=$((fail + 1))
            return
        fi
        want=$(awk '$1 == "exit" { print $2; exit }' "$dir/expect")
        [ -n "$want" ] || want=1
    fi
    args=
    [ "$mode" = invalid ] && args=$(awk '$1 == "args" { $1 = ""; print; exit }' "$dir/expect")
    # shellcheck disable=SC2086  # args is a list of options
    "$BIN" validate --no-define-ref --format json $args "$input" >"$TMP/out" 2>"$TMP/err"
    got=$?
    problems=
    if [ "$got" -ne "$want" ]; then
        problems="exit $got, expected $want; $(head -c 300 "$TMP/err" | tr '\n' ' ')"
    fi
    if [ "$want" -ne 2 ] || [ "$mode" = valid ]; then
        more=$(check_report "$TMP/out" "$dir/expect" "$mode")
        [ -n "$more" ] && problems="$problems $more"
    elif [ -s "$dir/expect" ] && grep -q '^rule' "$dir/expect"; then
        more=$(check_report "$TMP/out" "$dir/expect" "$mode")
        [ -n "$more" ] && problems="$problems $more"
    fi
    if [ -n "$problems" ]; then
        echo "FAIL $mode/$name: $problems"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}

for d in "$DATA"/valid/*/; do
    [ -d "$d" ] && run_case "${d%/}" valid
done
for d in "$DATA"/invalid/*/; do
    [ -d "$d" ] && run_case "${d%/}" invalid
done

echo "suites: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
