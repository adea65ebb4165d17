#!/bin/sh
# Study-folder check on the official Dataset-JSON SDTM example folder: its define lists
# 31 datasets, the folder ships 28; the 3 missing ones (NV, SUPPNV, SUPPOE) carry
# def:HasNoData="Yes", so they are info findings and nothing else is reported at the
# folder level.  Skips when ../shared/corpus is absent.
# usage: sh tests/cli/study_corpus.sh BIN
BIN=$1
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR="${CORPUS:-$ROOT/../shared/corpus}/cdisc-datasetjson-examples/v1.1/sdtm"
if [ ! -d "$DIR" ]; then echo "study corpus: skipped (no $DIR)"; echo "study corpus: 0 passed, 0 failed"; exit 0; fi
T=$(mktemp -d "${TMPDIR:-/tmp}/dsj-study.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
"$BIN" validate --max-findings 0 --format json "$DIR" >"$T/r.json" 2>"$T/err"
rc=$?
/usr/bin/python3 - "$T/r.json" "$rc" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rc = int(sys.argv[2])
passed = failed = 0
def check(cond, what):
    global passed, failed
    if cond: passed += 1
    else:
        failed += 1
        print("FAIL", what)
files = d["files"]
folder = files[-1]
check(len(files) == 85, "84 dataset files (28 json, 28 ndjson, 28 dsjc) + the folder entry, got %d" % len(files))
check(all(f["fatal"] is None for f in files), "no file unreadable")
study = [(x["rule"], x["severity"], x["message"].split(" ")[4]) for x in folder["findings"]]
check(sorted(study) == [("DXC-STUDY-MISSING-DATASET", "info", n) for n in ("NV", "SUPPNV", "SUPPOE")],
      "folder findings are the 3 HasNoData datasets: %r" % study)
used = sum(1 for f in files for x in f["findings"] if x["rule"] == "DXC-DEFINE-REF-USED")
check(used == 84, "every dataset found the define through metaDataRef (%d)" % used)
check(rc == 1, "exit 1: the official examples have real define defects (AEDECOD empty...), got %d" % rc)
print("study corpus: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
