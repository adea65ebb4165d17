#!/bin/sh
# Checks of one Dataset-JSON file, run by tests/corpus/run.sh (in parallel, one file per call).
# usage: check_file.sh BIN WORKDIR FILE
# Writes one line per check to WORKDIR/f.XXXXXX.out: "PASS <check> <file>[ note]" or "FAIL <check> <file>: <reason>".
# Temporary outputs go to a fresh directory under WORKDIR (run.sh removes WORKDIR).
#
# Checks:
#   validate      `BIN validate --no-define-ref --format json FILE` (Dataset-JSON rules only) exits 0 and reports no error or warning finding
#                 (info findings are allowed).  For extensions/extended_dataset.json, which carries
#                 non-standard attributes and a wrong "records", only "reads" is checked: exit 0 or 1
#                 (findings), never 2 (unreadable input).
#   define        files with a study define.xml (next to them, or in the v1.1 folder of the same kind
#                 for the v1.0 copies): `BIN validate --define DEFINE --format json` reads the whole
#                 file (exit 0 or 1, no fatal error).  Findings are counted in the PASS note, not
#                 failed: the official examples do not fully agree with their own define.xml (e.g.
#                 ae.json AEDECOD "" with Mandatory="Yes", ts.json TSVAL "P50Y" under the integer
#                 WhereClause WC.TS_INTEGER, FAOBJ "PRURITIS" not in CL.FAOBJ).
#   define-same   X.json, X.ndjson and X.dsjc give the same define findings (rule, severity, row,
#                 column, message; positions differ by format and are not compared).
#   sibling-*     for X.json with official X.ndjson / X.dsjc siblings: `BIN diff X.json X.ndjson`
#                 exits 0.  The official .dsjc files were written by another tool and differ from the
#                 .json in datasetJSONCreationDateTime and sourceSystem only (rows identical).  The
#                 script does not hard-code that: helper.py metadiff lists the attributes that really
#                 differ; `BIN diff X.json X.dsjc` must then exit 1 and name each of them in its
#                 output, and after helper.py align (a copy of the .dsjc with those attributes taken
#                 from the .json) `BIN diff` must exit 0.
#   roundtrip-fmt 1.1 input: FILE -> the other two formats in turn -> FILE's format
#                 (json -> ndjson -> dsjc -> json, ndjson -> dsjc -> json -> ndjson,
#                 dsjc -> json -> ndjson -> dsjc), then `BIN diff FILE RESULT` exits 0.
#   roundtrip-ver .json files: 1.1 -> 1.0 -> 1.1, or 1.0 -> 1.1 -> 1.0.  Each step must agree with
#                 its input under diff's cross-version comparison (`BIN diff ORIGINAL MIDDLE` and
#                 `BIN diff MIDDLE RESULT` exit 0).  `BIN diff ORIGINAL RESULT` must exit 0, or 1
#                 with only metadata differences that the conversion announced as DSJ-CONVERT-*
#                 warnings: some attributes have no counterpart in the other version and cannot
#                 survive the trip (1.1 dbLastModifiedDateTime and date/datetime/time dataTypes of
#                 ISO 8601 string columns; 1.0 asOfDateTime and the referenceData choice).  Cells
#                 must never differ, and a loss the conversion did not announce is a failure.
#   schema        every converted file passes the official schema of its version (python3-jsonschema:
#                 whole document for .json, line 1 for .ndjson/.dsjc) and has as many rows as "records".
# The Python checks of one file are collected in a plan and run by one helper.py process.
BIN=$1
WORK=$2
FILE=$3
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
HELPER="$HERE/helper.py"
SCHEMAS="$ROOT/testdata/schemas"

T=$(mktemp -d "$WORK/f.XXXXXX") || exit 1
# Results go to a file of this job's own (parallel jobs writing long lines to one pipe could
# interleave); run.sh collects WORK/f.*.out.
exec >"$T.out"
LOG="$T/log"
PLAN="$T/plan"
: >"$PLAN"

pass() { echo "PASS $1 $FILE"; }
fail() { echo "FAIL $1 $FILE: $2"; }
# last lines of the log as a one-line reason
why() { tail -n 4 "$LOG" 2>/dev/null | tr '\n' ' ' | cut -c1-400; }
# plan KIND CHECK LABEL ARGS...: one tab-separated line for helper.py plan
plan() {
    line=$1
    shift
    for a in "$@"; do line="$line	$a"; done
    echo "$line" >>"$PLAN"
}
# plan_schema VERSION OUTPUT: schema check of a converted file, labelled FILE:output-name
plan_schema() { plan schema schema "$FILE:$(basename "$2")" "$1" "$2"; }

# validate_out OUTPUT: our validator must accept our writer's output (no error/warning findings).
validate_out() {
    "$BIN" validate --no-define-ref --format json "$1" >"$1.report" 2>"$LOG"
    rc_=$?
    if [ $rc_ -ne 0 ]; then
        fail validate-out "$(basename "$1"): exit $rc_: $(why)"
    else
        plan findings validate-out "$FILE:$(basename "$1")" "$1.report"
    fi
}

# conv IN OUT [VERSION]: format from OUT's extension, version 1.0/1.1 via --to.
# Conversion warnings (stderr) are appended to $T/warnings as well.
conv() {
    if [ -n "$3" ]; then
        "$BIN" convert --to "$3" "$1" "$2" >"$LOG" 2>&1
    else
        "$BIN" convert "$1" "$2" >"$LOG" 2>&1
    fi
    rc_=$?
    cat "$LOG" >>"$T/warnings"
    return $rc_
}

# dsdiff A B: runs BIN diff, output in $LOG, returns its exit status.
dsdiff() { "$BIN" diff "$1" "$2" >"$LOG" 2>&1; }

case $FILE in
*.ndjson) EXT=ndjson ;;
*.dsjc) EXT=dsjc ;;
*.json) EXT=json ;;
*) fail read "not a Dataset-JSON file name"; exit 0 ;;
esac
STEM=${FILE%.*}
BASE=$(basename "$STEM")

# Version: DSJC and NDJSON exist only in 1.1; a .json says so in its first bytes.
VER=1.1
if [ $EXT = json ] && head -c 4096 "$FILE" | grep -q '"datasetJSONVersion"[[:space:]]*:[[:space:]]*"1\.0'; then
    VER=1.0
fi

# ---- extended_dataset.json: reads only
case $FILE in
*/extensions/extended_dataset.json)
    "$BIN" validate --no-define-ref --format json "$FILE" >"$T/report.json" 2>"$LOG"
    rc=$?
    if [ $rc -eq 0 ] || [ $rc -eq 1 ]; then pass reads; else fail reads "validate exit $rc: $(why)"; fi
    rm -rf "$T"
    exit 0
    ;;
esac

# ---- validate
"$BIN" validate --no-define-ref --format json "$FILE" >"$T/report.json" 2>"$LOG"
rc=$?
if [ $rc -ne 0 ]; then
    fail validate "exit $rc: $(why) $(head -c 300 "$T/report.json" | tr '\n' ' ')"
else
    plan findings validate "$FILE" "$T/report.json"
fi

# ---- against the study's define.xml (Define-XML 2.1): the one next to the file, or for the v1.0
# copies the one of the v1.1 folder of the same kind (same study data, same define).
DIR=$(dirname "$FILE")
DEFINE=
if [ -f "$DIR/define.xml" ]; then
    DEFINE="$DIR/define.xml"
elif [ -f "$DIR/../../v1.1/$(basename "$DIR")/define.xml" ]; then
    DEFINE="$DIR/../../v1.1/$(basename "$DIR")/define.xml"
fi
if [ -n "$DEFINE" ]; then
    "$BIN" validate --define "$DEFINE" --max-findings 0 --format json "$FILE" >"$T/define.report" 2>"$LOG"
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
        fail define "validate --define $DEFINE: exit $rc: $(why) $(head -c 300 "$T/define.report" | tr '\n' ' ')"
    else
        plan definereport define "$FILE" "$T/define.report"
        # the same data in another format must give the same define findings
        if [ $EXT = json ]; then
            for e in ndjson dsjc; do
                [ -f "$STEM.$e" ] || continue
                "$BIN" validate --define "$DEFINE" --max-findings 0 --format json "$STEM.$e" >"$T/define.$e.report" 2>"$LOG"
                rc=$?
                if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
                    fail define-same "$BASE.$e: exit $rc: $(why)"
                else
                    plan samefindings define-same "$FILE:$BASE.$e" "$T/define.report" "$T/define.$e.report"
                fi
            done
        fi
    fi
fi

# ---- official siblings (X.json vs X.ndjson / X.dsjc)
if [ $EXT = json ]; then
    if [ -f "$STEM.ndjson" ]; then
        if dsdiff "$FILE" "$STEM.ndjson"; then pass sibling-ndjson; else fail sibling-ndjson "diff exit $?: $(why)"; fi
    fi
    if [ -f "$STEM.dsjc" ]; then
        attrs=$("$PY" "$HELPER" metadiff "$FILE" "$STEM.dsjc" 2>&1)
        dsdiff "$FILE" "$STEM.dsjc"
        rc=$?
        if [ -z "$attrs" ]; then
            if [ $rc -eq 0 ]; then pass sibling-dsjc; else fail sibling-dsjc "diff exit $rc: $(why)"; fi
        else
            missing=
            for a in $attrs; do grep -q "$a" "$LOG" || missing="$missing $a"; done
            if [ $rc -ne 1 ]; then
                fail sibling-dsjc "differs in $(echo $attrs) but diff exit $rc: $(why)"
            elif [ -n "$missing" ]; then
                fail sibling-dsjc "diff exit 1 but its output does not name:$missing: $(why)"
            elif ! "$PY" "$HELPER" align "$FILE" "$STEM.dsjc" "$T/aligned.dsjc" >"$LOG" 2>&1; then
                fail sibling-dsjc "helper.py align: $(why)"
            elif dsdiff "$FILE" "$T/aligned.dsjc"; then
                echo "PASS sibling-dsjc $FILE (differs in $(echo $attrs) only, as expected)"
            else
                fail sibling-dsjc "after aligning $(echo $attrs): diff exit $?: $(why)"
            fi
        fi
    fi
fi

# ---- format round trip (1.1 only: NDJSON and DSJC are 1.1 forms)
if [ $VER = 1.1 ]; then
    case $EXT in
    json) CHAIN="ndjson dsjc json" ;;
    ndjson) CHAIN="dsjc json ndjson" ;;
    dsjc) CHAIN="json ndjson dsjc" ;;
    esac
    prev=$FILE
    ok=1
    for e in $CHAIN; do
        out="$T/fmt.$e.$BASE.$e"
        conv "$prev" "$out"
        rc=$?
        if [ $rc -ne 0 ]; then
            fail roundtrip-fmt "convert $(basename "$prev") -> .$e: exit $rc: $(why)"
            ok=0
            break
        fi
        plan_schema 1.1 "$out"
        validate_out "$out"
        prev=$out
    done
    if [ $ok = 1 ]; then
        if dsdiff "$FILE" "$prev"; then pass roundtrip-fmt; else fail roundtrip-fmt "diff original result: exit $?: $(why)"; fi
    fi
fi

# ---- writer variants (1.1 .json only): raw zlib DSJC (the form the DSJC text describes), fastest
# compression level, and pretty-printed JSON; each must read back equal to the original.
if [ $VER = 1.1 ] && [ $EXT = json ]; then
    for v in zlib level1 pretty; do
        case $v in
        zlib) out="$T/var.zlib.$BASE.dsjc"; set -- --dsjc-zlib ;;
        level1) out="$T/var.level1.$BASE.dsjc"; set -- --level 1 ;;
        pretty) out="$T/var.pretty.$BASE.json"; set -- --pretty ;;
        esac
        if "$BIN" convert "$@" "$FILE" "$out" >"$LOG" 2>&1; then :; else
            fail writer-$v "convert $*: exit $?: $(why)"
            continue
        fi
        if dsdiff "$FILE" "$out"; then pass writer-$v; else fail writer-$v "diff original result: exit $?: $(why)"; fi
        plan_schema 1.1 "$out"
    done
    # the raw zlib form really is zlib (RFC 1950 header), not gzip
    if [ -f "$T/var.zlib.$BASE.dsjc" ] && [ "$(head -c 2 "$T/var.zlib.$BASE.dsjc" | od -An -tx1 | tr -d ' ')" = 1f8b ]; then
        fail writer-zlib "--dsjc-zlib wrote a gzip header"
    fi
fi

# ---- version round trip (.json only)
if [ $EXT = json ]; then
    if [ $VER = 1.1 ]; then OTHER=1.0; else OTHER=1.1; fi
    mid="$T/ver.$OTHER.$BASE.json"
    back="$T/ver.$VER.$BASE.json"
    : >"$T/warnings"
    step=
    if conv "$FILE" "$mid" $OTHER; then :; else step="convert --to $OTHER: exit $?"; fi
    if [ -z "$step" ]; then
        plan_schema $OTHER "$mid"
        validate_out "$mid"
        if dsdiff "$FILE" "$mid"; then :; else step="$VER -> $OTHER: diff original middle: exit $?"; fi
    fi
    if [ -z "$step" ]; then
        if conv "$mid" "$back" $VER; then :; else step="convert --to $VER (back): exit $?"; fi
    fi
    if [ -z "$step" ]; then
        plan_schema $VER "$back"
        validate_out "$back"
        if dsdiff "$mid" "$back"; then :; else step="$OTHER -> $VER: diff middle result: exit $?"; fi
    fi
    if [ -n "$step" ]; then
        fail roundtrip-ver "$step: $(why)"
    else
        "$BIN" diff --format json --max-diffs 0 "$FILE" "$back" >"$T/rt.json" 2>"$LOG"
        rc=$?
        if [ $rc -eq 0 ]; then
            pass roundtrip-ver
        elif [ $rc -eq 1 ]; then
            plan losses roundtrip-ver "$FILE" "$T/rt.json" "$T/warnings"
        else
            fail roundtrip-ver "$VER -> $OTHER -> $VER: diff original result: exit $rc: $(why)"
        fi
    fi
fi

# ---- the Python checks of this file, in one process
if [ -s "$PLAN" ]; then
    "$PY" "$HELPER" plan "$PLAN" "$SCHEMAS" 2>"$LOG" || true
    if [ -s "$LOG" ]; then fail helper "helper.py plan: $(why)"; fi
fi

rm -rf "$T"
exit 0
