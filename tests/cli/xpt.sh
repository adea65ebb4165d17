#!/bin/sh
# Tests for reading SAS XPORT (and SAS7BDAT) with `dsjson convert`.  Standalone:
#   sh tests/cli/xpt.sh path/to/dsjson
# Broken inputs are made here; the corpus cases run only when
# ${DSJ_CORPUS:-../shared/corpus} exists.  For every XPT of the official
# Dataset-JSON 1.1 examples the converted file must equal the official JSON
# cell by cell (dsjson diff), with the differences docs/xpt.md explains:
#   R12  the official value is ours rounded to 12 significant digits (ADLBHY)
#   R15  the official value is ours rounded to 15 significant digits where ours
#        is 2 or more ULPs away from that form (SDTM LB), so it is kept exactly
# and, with the define, only these metadata attributes may differ:
# datasetJSONCreationDateTime, fileOID, originator, sourceSystem (not in the XPT or the define).
# Prints "xpt cli: N passed, M failed"; exits non-zero on failure.

DSJSON=${1:-build/dsjson}
case "$DSJSON" in /*) ;; *) DSJSON="$(pwd)/$DSJSON" ;; esac
cd "$(dirname "$0")/../.." || exit 2
CORPUS=${DSJ_CORPUS:-../shared/corpus}
PY=/usr/bin/python3
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsj-xpt-cli.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run NAME EXPECTED_EXIT ARGS...: stdout/stderr kept in $tmp/out, $tmp/err
run() {
    name=$1 want=$2
    shift 2
    DSJSON_NO_PROGRESS=1 "$DSJSON" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else ko "$name: exit $got, expected $want"; sed 's/^/  | /' "$tmp/err" "$tmp/out" | head -20; fi
}

expect_grep() {
    if grep -Eq "$3" "$2"; then ok; else ko "$1: no line matching /$3/ in $(basename "$2")"; sed 's/^/  | /' "$2" | head -20; fi
}

# check_diff NAME OURS OFFICIAL MODE: MODE "define" (metadata must match but for the allowed attributes)
# or "nodefine" (metadata not compared: it comes from the file).  Prints a one-line summary.
check_diff() {
    "$DSJSON" diff --format json --max-diffs 0 "$2" "$3" >"$tmp/diff.json" 2>"$tmp/diff.err"
    rc=$?
    if [ "$rc" -gt 1 ]; then ko "$1: dsjson diff failed ($rc)"; sed 's/^/  | /' "$tmp/diff.err" | head; return; fi
    if $PY - "$tmp/diff.json" "$4" "$1" <<'EOF'; then ok; else ko "$1: differences beyond the documented ones"; fi
import json, sys
d = json.load(open(sys.argv[1]))
mode, name = sys.argv[2], sys.argv[3]
allowed_meta = {"datasetJSONCreationDateTime", "fileOID", "originator", "sourceSystem/name", "sourceSystem/version"}
r12 = r15 = 0
bad = []
for x in d["differences"]:
    if x["kind"] == "metadata" and x["column"] is None and x["attribute"] in allowed_meta:
        continue
    if x["kind"] in ("metadata", "column") and mode == "nodefine":
        continue
    if x["kind"] == "cell" and isinstance(x["a"], (int, float)) and isinstance(x["b"], (int, float)) \
            and not isinstance(x["a"], bool) and not isinstance(x["b"], bool):
        a, b = float(x["a"]), float(x["b"])
        if float("%.15g" % a) == b and a != b:
            r15 += 1
            continue
        if float("%.12g" % a) == b and a != b:
            r12 += 1
            continue
    bad.append(x)
rows = d["summary"]["rows"]
if rows["a"] != rows["b"]:
    bad.append({"rows": rows})
print("  %-8s %-8s rows %d, cells rounded by the official file: %d at 12 digits (R12), %d at 15 digits (R15), other differences: %d"
      % (name, mode, rows["a"], r12, r15, len(bad)))
for x in bad[:10]:
    print("    unexpected:", json.dumps(x))
sys.exit(1 if bad else 0)
EOF
}

# ---------------------------------------------------------------- inputs made here

printf 'hello, this is not a transport file\n' >"$tmp/text.xpt"
run "text named .xpt" 2 convert "$tmp/text.xpt" "$tmp/text.json"
expect_grep "text named .xpt: message" "$tmp/err" "not a SAS XPORT"
[ ! -e "$tmp/text.json" ] && ok || ko "text named .xpt: an output was left behind"

$PY -c 'import sys; sys.stdout.write("**COMPRESSED** " * 5 + " " * 400)' >"$tmp/cport.xpt"
run "CPORT bytes" 2 convert "$tmp/cport.xpt" "$tmp/cport.json"
expect_grep "CPORT bytes: message" "$tmp/err" "CPORT.*CIMPORT"

: >"$tmp/empty.xpt"
run "empty .xpt" 2 convert "$tmp/empty.xpt" "$tmp/empty.json"

head -c 300 /dev/zero >"$tmp/zeros.sas7bdat"
run "zeros .sas7bdat" 2 convert "$tmp/zeros.sas7bdat" "$tmp/zeros.json"
expect_grep "zeros .sas7bdat: message" "$tmp/err" "SAS7BDAT"

# ---------------------------------------------------------------- corpus

if [ ! -d "$CORPUS" ]; then
    echo "xpt cli: corpus not found at $CORPUS: corpus cases skipped"
else
    EX=$CORPUS/cdisc-datasetjson-examples/v1.1
    has_define=0
    "$DSJSON" convert --help 2>/dev/null | grep -q -- '--define' && has_define=1

    for dir in adam sdtm; do
        for x in "$EX/$dir"/*.xpt; do
            b=$(basename "$x" .xpt)
            [ -f "$EX/$dir/$b.json" ] || continue
            run "$dir/$b: convert" 0 convert "$x" "$tmp/$b.json"
            expect_grep "$dir/$b: no-define warning" "$tmp/err" "XPT-NO-DEFINE"
            check_diff "$b" "$tmp/$b.json" "$EX/$dir/$b.json" nodefine
            if [ "$has_define" = 1 ]; then
                run "$dir/$b: convert --define" 0 convert --define "$EX/$dir/define.xml" "$x" "$tmp/${b}_d.json"
                check_diff "$b" "$tmp/${b}_d.json" "$EX/$dir/$b.json" define
            fi
        done
    done
    [ "$has_define" = 1 ] || echo "xpt cli: dsjson convert has no --define yet: define comparisons skipped"

    # --ulps 2: the SDTM LB example's R15 cells (2 ULPs from their 15-digit forms) come out as the
    # official file has them, so no cell differs; --ulps 1 (the default) keeps the 25 exact values
    if [ "$has_define" = 1 ]; then
        run "sdtm/lb: --ulps 2" 0 convert --ulps 2 --define "$EX/sdtm/define.xml" "$EX/sdtm/lb.xpt" "$tmp/lb_u2.json"
        "$DSJSON" diff "$EX/sdtm/lb.json" "$tmp/lb_u2.json" >"$tmp/diff_u2" 2>&1
        expect_grep "sdtm/lb --ulps 2: no cell differs" "$tmp/diff_u2" " 0 cell differences"
        run "sdtm/lb: --ulps 1" 0 convert --ulps 1 --define "$EX/sdtm/define.xml" "$EX/sdtm/lb.xpt" "$tmp/lb_u1.json"
        "$DSJSON" diff "$EX/sdtm/lb.json" "$tmp/lb_u1.json" >"$tmp/diff_u1" 2>&1
        expect_grep "sdtm/lb --ulps 1: the 25 exact values" "$tmp/diff_u1" " 25 cell differences"
        rm -f "$tmp/lb_u1.json" "$tmp/lb_u2.json"
    fi
    run "--ulps 0 refused" 2 convert --ulps 0 "$EX/sdtm/lb.xpt" "$tmp/lb_u0.json"
    run "--ulps 17 refused" 2 convert --ulps 17 "$EX/sdtm/lb.xpt" "$tmp/lb_u0.json"
    [ ! -e "$tmp/lb_u0.json" ] && ok || ko "--ulps refused: an output was left behind"

    # other outputs: NDJSON and DSJC of the same rows
    run "adsl to ndjson" 0 convert "$EX/adam/adsl.xpt" "$tmp/adsl.ndjson"
    check_diff adsl-nd "$tmp/adsl.ndjson" "$EX/adam/adsl.ndjson" nodefine
    run "dm to dsjc" 0 convert "$EX/sdtm/dm.xpt" "$tmp/dm.dsjc"
    check_diff dm-dsjc "$tmp/dm.dsjc" "$EX/sdtm/dm.dsjc" nodefine

    # the original CDISC pilot files: convert without a define and validate
    for x in "$CORPUS"/cdiscpilot01-phuse/sdtm/*.xpt "$CORPUS"/cdiscpilot01-phuse/adam/*.xpt; do
        [ -f "$x" ] || continue
        b=pilot_$(basename "$x" .xpt)
        run "$b: convert" 0 convert "$x" "$tmp/$b.json"
        run "$b: validate" 0 validate --no-define-ref "$tmp/$b.json"
        rm -f "$tmp/$b.json"
    done

    # the SAS CPORT file named .xpt
    cp="$CORPUS/negative-cases/sas-cport-not-xport_cported.xpt"
    if [ -f "$cp" ]; then
        run "CPORT file" 2 convert "$cp" "$tmp/cported.json"
        expect_grep "CPORT file: message" "$tmp/err" "SAS CPORT file.*not a SAS XPORT.*PROC CIMPORT"
        [ ! -e "$tmp/cported.json" ] && ok || ko "CPORT file: an output was left behind"
    fi
fi

echo "xpt cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
