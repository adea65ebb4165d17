#!/bin/sh
# On-disk validation suites and the broken-input corpus.
#
#   tests/run-suites.sh BIN [CASE_DIR...]
#
# BIN is the dsjson CLI.  For every case folder:
#   testdata/valid/<case>/input.{json,ndjson,dsjc}
#       `BIN validate --no-define-ref --format json input.*` (Dataset-JSON rules only) must exit 0 and report no error
#       and no warning findings (info is allowed).
#   testdata/invalid/<case>/input.* + expect   (format: testdata/invalid/README.md)
#       expect lines (# starts a comment):
#         exit N            expected exit status (0 valid with warnings, 1 errors, 2 unreadable); default 1
#         args OPTIONS      extra options for the default command (e.g. "args --lenient")
#         cmd COMMAND ...   the command to run instead of the default
#                           "validate --no-define-ref --format json {args} {in}"; placeholders:
#                           {in} the input.* file, {dir} the case folder, {tmp} an empty scratch folder
#                           (for outputs), {args} the args line
#         rule ID [row N]   a finding with that rule (and that 1-based row) is in the JSON report on stdout
#         fatal CODE        the report's fatal error of some file has that code (e.g. DSJ_E_SYNTAX)
#         message TEXT      TEXT (the rest of the line) occurs in stderr or stdout
#         output NAME       after the command, {tmp}/NAME exists (a successful conversion)
#       Every case must say why it fails: at least one rule, fatal or message line (unless exit 0).
#       When the exit status is not 0, {tmp} must be empty afterwards (no partial output, no temporary file).
#       The files of the case folder must be byte for byte the same afterwards (inputs are never modified).
#   With CASE_DIR arguments only those folders are run (as invalid cases).
# Prints one line per failure and "suites: N passed, M failed"; exits 1 when any case fails.
set -u

BIN=${1:?usage: tests/run-suites.sh BIN [CASE_DIR...]}
shift
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$(cd "${DSJ_SUITES:-$HERE/../testdata}" && pwd) || exit 2
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT INT TERM

pass=0
fail=0

# check_report REPORT STDERR EXPECT_FILE MODE  (MODE: valid | invalid); prints problems, exits non-zero on failure
check_report() {
    "$PY" - "$1" "$2" "$3" "$4" <<'EOF'
import json, sys
report_path, err_path, expect_path, mode = sys.argv[1:5]
text = open(report_path, encoding='utf-8', errors='replace').read()
errtext = open(err_path, encoding='utf-8', errors='replace').read()
findings, fatals, doc_ok = [], [], False
if text.strip():
    try:
        doc, _ = json.JSONDecoder().raw_decode(text.strip())
        doc_ok = isinstance(doc, dict)
    except ValueError as e:
        doc = None
    if doc_ok:
        for f in doc.get('files', []) or []:
            findings.extend(f.get('findings') or [])
            if f.get('fatal'):
                fatals.append(f['fatal'].get('code'))
bad = []
def got():
    g = sorted(set("%s@%s" % (f.get('rule'), f.get('row')) for f in findings))
    return ", ".join(g + ["fatal " + str(c) for c in fatals]) or "nothing"
if mode == 'valid':
    if not doc_ok:
        bad.append("report is not a JSON object")
    for f in findings:
        if f.get('severity') in ('error', 'warning'):
            bad.append("unexpected %s %s (row %s): %s" % (f.get('severity'), f.get('rule'), f.get('row'), f.get('message')))
else:
    reasons = 0
    want_exit = 1
    for line in open(expect_path, encoding='utf-8'):
        parts = line.split()
        if not parts or parts[0].startswith('#'):
            continue
        key = parts[0]
        if key == 'exit':
            want_exit = int(parts[1])
            continue
        if key in ('args', 'cmd', 'output'):
            continue
        if key == 'rule':
            if len(parts) not in (2, 4) or (len(parts) == 4 and parts[2] != 'row'):
                bad.append("bad expect line: %s" % line.strip())
                continue
            reasons += 1
            rule = parts[1]
            row = int(parts[3]) if len(parts) == 4 else None
            if not doc_ok:
                bad.append("no JSON report for rule %s" % rule)
            elif not any(f.get('rule') == rule and (row is None or f.get('row') == row) for f in findings):
                bad.append("missing rule %s%s (got: %s)" % (rule, " row %d" % row if row else "", got()))
        elif key == 'fatal':
            reasons += 1
            if len(parts) != 2:
                bad.append("bad expect line: %s" % line.strip())
            elif parts[1] not in fatals:
                bad.append("missing fatal %s (got: %s)" % (parts[1], got()))
        elif key == 'message':
            reasons += 1
            frag = line.strip()[len('message'):].strip()
            if frag not in errtext and frag not in text:
                bad.append("message '%s' not in output (stderr: %s)" % (frag, errtext.strip()[:200].replace('\n', ' ')))
        else:
            bad.append("bad expect line: %s" % line.strip())
    if reasons == 0 and want_exit != 0:
        bad.append("expect names no rule, fatal or message: the case does not say why it fails")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
}

# expect_value DIR KEY: the rest of the first line starting with KEY
expect_value() {
    awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1/expect"
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
    args=
    cmd=
    if [ "$mode" = invalid ]; then
        if [ ! -f "$dir/expect" ]; then
            echo "FAIL $mode/$name: no expect file"
            fail=$((fail + 1))
            return
        fi
        want=$(expect_value "$dir" exit)
        [ -n "$want" ] || want=1
        args=$(expect_value "$dir" args)
        cmd=$(expect_value "$dir" cmd)
    fi
    [ -n "$cmd" ] || cmd="validate --no-define-ref --format json {args} {in}"
    scratch=$TMP/case
    rm -rf "$scratch"
    mkdir "$scratch"
    # Substitute the placeholders (paths hold no '|'), then split into words: case files have no spaces in names.
    line=$(printf '%s\n' "$cmd" | sed -e "s|{in}|$input|g" -e "s|{dir}|$dir|g" -e "s|{tmp}|$scratch|g" \
        -e "s|{args}|$args|g")
    before=$(cat "$dir"/* | cksum)
    # shellcheck disable=SC2086  # line is a word list
    (cd "$scratch" && "$BIN" $line) >"$TMP/out" 2>"$TMP/err" </dev/null
    got=$?
    problems=
    [ "$(cat "$dir"/* | cksum)" = "$before" ] || problems="the case folder changed (an input was modified);"
    if [ "$got" -ne "$want" ]; then
        problems="exit $got, expected $want; $(head -c 300 "$TMP/err" | tr '\n' ' ')"
    fi
    more=$(check_report "$TMP/out" "$TMP/err" "${dir}/expect" "$mode")
    [ -n "$more" ] && problems="$problems $(printf '%s' "$more" | tr '\n' ';')"
    if [ "$mode" = invalid ]; then
        outname=$(expect_value "$dir" output)
        if [ -n "$outname" ] && [ ! -s "$scratch/$outname" ]; then
            problems="$problems no output $outname"
        fi
        if [ "$got" -ne 0 ] && [ -n "$(ls -A "$scratch")" ]; then
            problems="$problems left behind after failure: $(ls -A "$scratch" | tr '\n' ' ')"
        fi
    fi
    if [ -n "$problems" ]; then
        echo "FAIL $mode/$name: $problems"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}

if [ $# -gt 0 ]; then
    for d in "$@"; do
        d=$(cd "$d" && pwd)
        run_case "$d" invalid
    done
else
    for d in "$DATA"/valid/*/; do
        [ -d "$d" ] && run_case "${d%/}" valid
    done
    for d in "$DATA"/invalid/*/; do
        [ -d "$d" ] && run_case "${d%/}" invalid
    done
fi

echo "suites: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
