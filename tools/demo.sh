#!/bin/sh
# make demo: the main job of dsjson on the bundled official example data.
# usage: sh tools/demo.sh BIN
#   1. validate the DM example against its define.xml
#   2. convert it json -> ndjson -> dsjc -> Dataset-JSON 1.0
#   3. show the metadata of the results
#   4. diff the round trips against the original
#   5. run the example SDTM rule file (dsjson check) over the bundled examples
# Each command is printed before it runs.  Outputs go to build/demo/.
set -u

BIN=${1:-}
if [ -z "$BIN" ]; then
    echo "usage: sh tools/demo.sh BIN" >&2
    exit 2
fi
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 2
if [ ! -x "$BIN" ]; then
    echo "demo: $BIN is not an executable (run 'make tools')" >&2
    exit 2
fi

DATA=testdata/examples/v1.1/sdtm
DEFINE=$DATA/define.xml
OUT=build/demo
rm -rf "$OUT"
mkdir -p "$OUT"
PATH="$(dirname "$BIN"):$PATH"
export PATH

failed=0
# run ACCEPTED_EXIT_CODES COMMAND...: print the command, run it, check its exit status.
run() {
    ok=$1
    shift
    echo
    echo "\$ $*"
    "$@"
    rc=$?
    case " $ok " in
    *" $rc "*) ;;
    *) echo "demo: unexpected exit status $rc from: $*" >&2; failed=1 ;;
    esac
    return 0
}

echo "== dsjson demo: official CDISC Dataset-JSON examples from $DATA"
run "0" dsjson --version

echo
echo "== 1. validate the DM dataset against its define.xml (exit 0 = valid, 1 = error findings)"
run "0 1" dsjson validate --define "$DEFINE" "$DATA/dm.json"

echo
echo "== 2. convert: json -> ndjson -> dsjc -> Dataset-JSON 1.0"
run "0" dsjson convert "$DATA/dm.json" "$OUT/dm.ndjson"
run "0" dsjson convert "$OUT/dm.ndjson" "$OUT/dm.dsjc"
run "0" dsjson convert --to 1.0 "$OUT/dm.dsjc" "$OUT/dm-v1.0.json"
echo
echo "\$ ls -l $OUT"
ls -l "$OUT"

echo
echo "== 3. the results"
run "0" dsjson info "$OUT/dm.dsjc"
run "0" dsjson info "$OUT/dm-v1.0.json"
# the converted files sit away from define.xml: check them against the Dataset-JSON rules only
run "0 1" dsjson validate --no-define-ref "$OUT/dm.ndjson" "$OUT/dm.dsjc" "$OUT/dm-v1.0.json"

echo
echo "== 4. compare the results with the original, cell by cell (exit 0 = equal)"
run "0" dsjson diff "$DATA/dm.json" "$OUT/dm.dsjc"
run "0" dsjson diff "$DATA/dm.json" "$OUT/dm-v1.0.json"

echo
echo "== 5. scripted data checks: the example SDTM rule file (docs/checks.md) over the bundled examples"
run "0" dsjson check --rules testdata/checks/sdtm-rules.json --define "$DEFINE" "$DATA"

echo
if [ $failed -ne 0 ]; then
    echo "demo: FAILED (see the messages above)"
    exit 1
fi
echo "demo: done; the converted files are in $OUT/"
exit 0
