#!/bin/sh
# make bench: time and peak memory of dsjson on a large generated LB dataset.
# usage: tests/bench/run.sh BIN
#
# Data: ../shared/tools/gen_lb.py (relative to the repository root) writes a synthetic SDTM LB
# dataset as Dataset-JSON 1.1 .json and .ndjson (plus Dataset-XML and a define.xml) into
# tests/bench/data/lb-ROWS/ (gitignored).  Generated once, reused afterwards.
# Measured (each BENCH_RUNS times, default 3; median wall time, largest peak RSS):
#   dsjson validate lb.json / lb.ndjson, dsjson check with the ten rules of tests/bench/check-rules.json
#   on lb.json, dsjson convert lb.json to .ndjson and .dsjc,
#   a json-c whole-file load (tests/bench/jsonc_load.c) and Python's json.load of lb.json.
# Ratios are against the json-c load.  Issue 8 targets, checked at the end:
#   validate <= 1/3 of the json-c load time; peak RSS of every dsjson command <= 32 MiB;
#   convert to NDJSON <= 1.5 x validate time.
# Environment: BENCH_ROWS (default 1000000), BENCH_RUNS (default 3), CC (default cc).
# The table is printed in Markdown so it can go into docs/performance.md as is.
BIN=$1
if [ -z "$BIN" ]; then
    echo "usage: tests/bench/run.sh BIN" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
case $BIN in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
ROWS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-3}
CC=${CC:-cc}
PY=/usr/bin/python3
GEN="$ROOT/../shared/tools/gen_lb.py"
DATA="$HERE/data/lb-$ROWS"
TOOLS="$ROOT/build/bench"

if [ ! -x "$BIN" ]; then
    echo "bench: $BIN is not an executable (run make lib tools first)" >&2
    exit 2
fi

# ---- data (generated once)
if [ ! -s "$DATA/lb.json" ] || [ ! -s "$DATA/lb.ndjson" ]; then
    if [ ! -f "$GEN" ]; then
        echo "bench: the data generator ../shared/tools/gen_lb.py (relative to the repository root," >&2
        echo "bench: i.e. $GEN) is absent; it is needed once to create $DATA." >&2
        exit 2
    fi
    echo "bench: generating $ROWS LB rows into $DATA (once) ..."
    rm -rf "$DATA.tmp"
    "$PY" "$GEN" "$ROWS" "$DATA.tmp" || { echo "bench: gen_lb.py failed" >&2; exit 2; }
    rm -rf "$DATA"
    mv "$DATA.tmp" "$DATA"
fi

# ---- helper programs
mkdir -p "$TOOLS" || exit 2
BFLAGS="-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror"
if [ ! -x "$TOOLS/rusage_run" ] || [ "$HERE/rusage_run.c" -nt "$TOOLS/rusage_run" ]; then
    # shellcheck disable=SC2086
    $CC $BFLAGS -o "$TOOLS/rusage_run" "$HERE/rusage_run.c" || exit 2
fi
if [ ! -x "$TOOLS/jsonc_load" ] || [ "$HERE/jsonc_load.c" -nt "$TOOLS/jsonc_load" ]; then
    # shellcheck disable=SC2086
    $CC $BFLAGS $(pkg-config --cflags json-c) -o "$TOOLS/jsonc_load" "$HERE/jsonc_load.c" \
        $(pkg-config --libs json-c) || { echo "bench: cannot build jsonc_load (json-c dev package?)" >&2; exit 2; }
fi

OUT=$(mktemp -d "${TMPDIR:-/tmp}/dsj-bench.XXXXXX") || exit 2
trap 'rm -rf "$OUT"' EXIT
trap 'exit 130' INT TERM
RES="$OUT/results"
: >"$RES"

# measure NAME COMMAND...: RUNS runs; appends "NAME median_s maxrss_kib worst_exit" to $RES.
measure() {
    name=$1
    shift
    i=0
    : >"$OUT/runs"
    while [ $i -lt "$RUNS" ]; do
        rm -f "$OUT"/out.*
        "$TOOLS/rusage_run" "$OUT/one" "$@" 2>"$OUT/stderr"
        if [ ! -s "$OUT/one" ]; then echo "0 0 127" >"$OUT/one"; fi
        cat "$OUT/one" >>"$OUT/runs"
        i=$((i + 1))
    done
    med=$(sort -n "$OUT/runs" | awk '{ t[NR] = $1 } END { print t[int((NR + 1) / 2)] }')
    rss=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$OUT/runs")
    ex=$(awk 'BEGIN { m = 0 } $3 > m { m = $3 } END { print m }' "$OUT/runs")
    echo "$name $med $rss $ex" >>"$RES"
    if [ "$ex" -ne 0 ]; then
        echo "bench: '$name' exited $ex: $(head -c 300 "$OUT/stderr" | tr '\n' ' ')" >&2
    fi
    printf 'bench: %-22s %8.3f s %9.1f MiB%s\n' "$name" "$med" "$(echo "$rss" | awk '{ print $1 / 1024 }')" \
        "$([ "$ex" -ne 0 ] && echo "  (exit $ex)")"
}

JSON="$DATA/lb.json"
NDJSON="$DATA/lb.ndjson"
echo "bench: $ROWS rows; lb.json $(($(wc -c <"$JSON") / 1048576)) MiB, lb.ndjson $(($(wc -c <"$NDJSON") / 1048576)) MiB; $RUNS runs each"
measure jsonc-load "$TOOLS/jsonc_load" "$JSON"
measure python-json.load "$PY" -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$JSON"
measure validate-json "$BIN" validate "$JSON"
measure validate-ndjson "$BIN" validate "$NDJSON"
if [ -f "$DATA/define.xml" ]; then
    # every value check of the define (types, lengths, codelists, mandatory, key uniqueness)
    measure define-validate "$BIN" validate --define "$DATA/define.xml" "$JSON"
fi
measure check-10-rules "$BIN" check --rules "$HERE/check-rules.json" "$JSON"
measure convert-ndjson "$BIN" convert "$JSON" "$OUT/out.ndjson"
measure convert-dsjc "$BIN" convert "$JSON" "$OUT/out.dsjc"
# XPT (issue 7): the same rows as an XPORT v5 file written once by dsjson (through ReadStat), read back to
# Dataset-JSON beside ReadStat's own command-line tool writing CSV (docs/xpt.md)
if [ ! -s "$DATA/lb.xpt" ]; then
    "$BIN" convert "$JSON" "$DATA/lb.xpt.tmp.xpt" >/dev/null 2>&1 && mv "$DATA/lb.xpt.tmp.xpt" "$DATA/lb.xpt"
fi
if [ -s "$DATA/lb.xpt" ]; then
    measure xpt-to-json "$BIN" convert "$DATA/lb.xpt" "$OUT/out.json"
    if command -v readstat >/dev/null 2>&1; then
        measure readstat-xpt-csv readstat "$DATA/lb.xpt" "$OUT/out.csv"
    fi
fi

# ---- report
MODEL=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')
MEM=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
echo
echo "Machine: $(nproc) CPUs, $MODEL, $MEM RAM; $(uname -sr); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Build: $("$BIN" --version 2>/dev/null), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "Data: gen_lb.py $ROWS rows, lb.json $(wc -c <"$JSON") bytes, lb.ndjson $(wc -c <"$NDJSON") bytes"
echo
awk -v rows="$ROWS" '
    { name[NR] = $1; t[NR] = $2; rss[NR] = $3; ex[NR] = $4; if ($1 == "jsonc-load") { jt = $2; jr = $3 } }
    END {
        print "| command | median wall s | peak RSS MiB | time / json-c | RSS / json-c | exit |"
        print "|---|---:|---:|---:|---:|---:|"
        for (i = 1; i <= NR; i++) {
            rt = "-"; rr = "-"
            if (jt > 0) rt = sprintf("%.2f", t[i] / jt)
            if (jr > 0) rr = sprintf("%.3f", rss[i] / jr)
            printf "| %s | %.3f | %.1f | %s | %s | %d |\n", name[i], t[i], rss[i] / 1024, rt, rr, ex[i]
        }
    }' "$RES"
echo
# Targets (issue 8)
awk '
    { t[$1] = $2; rss[$1] = $3; ex[$1] = $4 }
    function verdict(ok) { return ok ? "met" : "MISSED" }
    function ratio(a, b) { return b > 0 ? a / b : 0 }
    END {
        printf "Targets (issue 8):\n"
        for (c in t) if (c ~ /^(validate|convert)/ && ex[c] != 0) printf "- %s FAILED (exit %d): its figures are not valid\n", c, ex[c]
        printf "- validate json <= 1/3 json-c time: %.3f s vs %.3f s (ratio %.2f): %s\n",
               t["validate-json"], t["jsonc-load"], ratio(t["validate-json"], t["jsonc-load"]),
               verdict(ex["validate-json"] == 0 && t["validate-json"] * 3 <= t["jsonc-load"])
        printf "- validate ndjson <= 1/3 json-c time: ratio %.2f: %s\n",
               ratio(t["validate-ndjson"], t["jsonc-load"]), verdict(ex["validate-ndjson"] == 0 && t["validate-ndjson"] * 3 <= t["jsonc-load"])
        m = 0
        for (c in rss) if (c ~ /^(validate|convert)/ && rss[c] > m) m = rss[c]
        printf "- peak RSS of dsjson <= 32 MiB: largest %.1f MiB: %s\n", m / 1024, verdict(m <= 32 * 1024)
        if ("define-validate" in t)
            printf "- validate --define <= 1.3 x validate: %.3f s vs %.3f s (ratio %.2f): %s; peak RSS %.1f MiB (the key-uniqueness table grows with the rows: docs/rules-define-check.md)\n",
                   t["define-validate"], t["validate-json"], ratio(t["define-validate"], t["validate-json"]),
                   verdict(ex["define-validate"] == 0 && t["define-validate"] <= 1.3 * t["validate-json"]), rss["define-validate"] / 1024
        printf "- (no target) check with 10 rules (tests/bench/check-rules.json) vs validate json: %.3f s vs %.3f s (ratio %.2f), peak RSS %.1f MiB (the unique rule keeps one key per row: docs/checks.md)\n",
               t["check-10-rules"], t["validate-json"], ratio(t["check-10-rules"], t["validate-json"]), rss["check-10-rules"] / 1024
        printf "- convert to ndjson <= 1.5 x validate: %.3f s vs %.3f s (ratio %.2f): %s\n",
               t["convert-ndjson"], t["validate-json"], ratio(t["convert-ndjson"], t["validate-json"]),
               verdict(ex["convert-ndjson"] == 0 && t["convert-ndjson"] <= 1.5 * t["validate-json"])
        if ("xpt-to-json" in t && "readstat-xpt-csv" in t)
            printf "- convert XPT to JSON no slower than readstat XPT to CSV: %.3f s vs %.3f s (ratio %.2f): %s; peak RSS %.1f MiB vs %.1f MiB\n",
                   t["xpt-to-json"], t["readstat-xpt-csv"], ratio(t["xpt-to-json"], t["readstat-xpt-csv"]),
                   verdict(ex["xpt-to-json"] == 0 && t["xpt-to-json"] <= t["readstat-xpt-csv"]),
                   rss["xpt-to-json"] / 1024, rss["readstat-xpt-csv"] / 1024
    }' "$RES"
