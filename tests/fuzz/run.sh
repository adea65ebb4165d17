#!/bin/sh
# Run every libFuzzer harness for a set time (used by `make fuzz` and `make fuzz-smoke`).
#
#   sh tests/fuzz/run.sh DSJSON FUZZ_BUILD SECONDS [JOBS]
#
# DSJSON is the (plain) dsjson tool, used to build the seed corpora
# (tests/fuzz/make-seeds.sh -> build/fuzz-seeds).  Each harness
# FUZZ_BUILD/fuzz/fuzz_NAME runs SECONDS seconds with its dictionary
# (tests/fuzz/*.dict), the seeds, and a working corpus kept between runs in
# build/fuzz-corpus/NAME; JOBS harnesses run at once (default 2).
# A finding (crash, sanitizer report, leak, timeout over 20 s, more than
# 2.5 GB of memory) is saved as build/fuzz-crashes/NAME-crash-<sha1> (or
# -leak-, -timeout-, -oom-); reproduce it with `FUZZ_BUILD/fuzz/fuzz_NAME FILE`.
# Prints one line per harness (executions, corpus size, peak memory,
# findings) and exits 1 when any harness found something.
set -u
DSJSON=${1:?usage: run.sh DSJSON FUZZ_BUILD SECONDS [JOBS]}
FB=${2:?usage: run.sh DSJSON FUZZ_BUILD SECONDS [JOBS]}
SECS=${3:?usage: run.sh DSJSON FUZZ_BUILD SECONDS [JOBS]}
JOBS=${4:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2

bins=$(ls "$FB"/fuzz/fuzz_* 2>/dev/null | grep -v '\.' )
[ -n "$bins" ] || { echo "fuzz: no harness in $FB/fuzz (run 'make fuzz-build')" >&2; exit 2; }
sh tests/fuzz/make-seeds.sh "$DSJSON" build/fuzz-seeds >/dev/null || exit 2
mkdir -p build/fuzz-crashes build/fuzz-logs
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export UBSAN_OPTIONS

dict_of() {
    case "$1" in
        json|ndjson|dsjc) echo tests/fuzz/dataset_json.dict ;;
        define|odm_xml|datasetxml) echo tests/fuzz/xml.dict ;;
        rules) echo tests/fuzz/rules.dict ;;
        values) echo tests/fuzz/values.dict ;;
        *) echo "" ;;
    esac
}

run_one() {
    b=$1
    name=$(basename "$b"); name=${name#fuzz_}
    mkdir -p "build/fuzz-corpus/$name" "build/fuzz-seeds/$name"
    d=$(dict_of "$name")
    set -- -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2560 -max_len=32768 -print_final_stats=1 \
        -artifact_prefix="build/fuzz-crashes/$name-"
    [ -n "$d" ] && set -- "$@" -dict="$d"
    "$b" "$@" "build/fuzz-corpus/$name" "build/fuzz-seeds/$name" >"build/fuzz-logs/$name.log" 2>&1
    echo $? >"build/fuzz-logs/$name.rc"
}

start=$(date +%s)
set -- $bins
while [ $# -gt 0 ]; do
    pids=""
    k=0
    while [ $# -gt 0 ] && [ $k -lt "$JOBS" ]; do
        run_one "$1" &
        pids="$pids $!"
        shift; k=$((k + 1))
    done
    for p in $pids; do wait "$p"; done
done

found=0
total=0
for b in $bins; do
    name=$(basename "$b"); name=${name#fuzz_}
    log=build/fuzz-logs/$name.log
    rc=$(cat "build/fuzz-logs/$name.rc" 2>/dev/null || echo 99)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
    units=$(ls "build/fuzz-corpus/$name" | wc -l)
    total=$((total + ${execs:-0}))
    if [ "$rc" = 0 ]; then
        echo "fuzz $name: ${execs:-?} executions in ${SECS}s, corpus $units, peak ${rss:-?} MB, no finding"
    else
        found=$((found + 1))
        art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        why=$(grep -m1 -E '^SUMMARY:|ERROR: libFuzzer|==ERROR:|runtime error' "$log")
        echo "fuzz $name: FINDING after ${execs:-?} executions (exit $rc): ${why:-see $log}"
        echo "  saved: ${art:-none}; log: $log; reproduce: $b ${art:-FILE}"
    fi
done
echo "fuzz: $(echo "$bins" | wc -w) harnesses, $total executions, $found with findings ($(( $(date +%s) - start )) s)"
[ "$found" -eq 0 ]
