#!/bin/sh
# Corpus-wide checks of the dsjson CLI (make corpus-tests).
# usage: tests/corpus/run.sh BIN [CORPUS_DIR]
#
# Files checked: every Dataset-JSON file (.json, .ndjson, .dsjc; v1.0 and v1.1) under
# CORPUS_DIR/cdisc-datasetjson-examples, plus the bundled copies in testdata/examples.
# When CORPUS_DIR is absent, only testdata/examples is checked (so `make check` in a plain
# clone still runs every kind of check, on a smaller set).
#
# Per file (tests/corpus/check_file.sh has the details):
#   validate       `BIN validate --format json` exits 0, no error or warning findings (info allowed)
#   define         `BIN validate --define` against the study's define.xml reads every file
#   define-same    ... and gives the same findings for X.json, X.ndjson and X.dsjc
#   sibling-*      X.json vs official X.ndjson / X.dsjc with `BIN diff`
#   roundtrip-fmt  json -> ndjson -> dsjc -> json (and rotations), `BIN diff ORIGINAL RESULT` exits 0
#   roundtrip-ver  1.1 -> 1.0 -> 1.1 or 1.0 -> 1.1 -> 1.0, `BIN diff` exits 0
#   schema         converted outputs pass the official 1.0 / 1.1 JSON schema (python3-jsonschema)
#   validate-out   converted outputs pass `BIN validate` with no error/warning
#   writer-*       --dsjc-zlib, --level 1 and --pretty outputs read back equal
# Prints every failure, then "corpus: N passed, M failed" (N, M count checks); exit 1 on failure.
# Environment: CORPUS_JOBS (parallel jobs, default: number of CPUs, at most 4),
#              CORPUS_KEEP=1 keeps the temporary directory for inspection.
BIN=$1
CORPUS=$2
if [ -z "$BIN" ]; then
    echo "usage: tests/corpus/run.sh BIN [CORPUS_DIR]" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
case $BIN in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
if [ ! -x "$BIN" ]; then
    echo "corpus: $BIN is not an executable" >&2
    exit 2
fi
if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
    echo "corpus: /usr/bin/python3 with python3-jsonschema is required (apt-get install python3-jsonschema)" >&2
    exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dsj-corpus.XXXXXX") || exit 2
cleanup() { if [ "${CORPUS_KEEP:-0}" = 1 ]; then echo "corpus: temporary files kept in $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

LIST="$WORK/files"
: >"$LIST"
: >"$WORK/results0"
if [ -n "$CORPUS" ] && [ -d "$CORPUS/cdisc-datasetjson-examples" ]; then
    SRC=$(cd "$CORPUS/cdisc-datasetjson-examples" && pwd)
    find "$SRC" -type f \( -name '*.json' -o -name '*.ndjson' -o -name '*.dsjc' \) | sort >>"$LIST"
    echo "corpus: checking $(wc -l <"$LIST") files of $SRC, plus testdata/examples"
else
    echo "corpus: SKIP full corpus (${CORPUS:-no CORPUS_DIR given}: cdisc-datasetjson-examples not found);" \
         "checking the bundled testdata/examples only"
fi
find "$ROOT/testdata/examples" -type f \( -name '*.json' -o -name '*.ndjson' -o -name '*.dsjc' \) | sort >>"$LIST"

# The bundled copies must still be byte-for-byte what testdata/SOURCES.md lists.
awk -F'|' '/^\| (examples|schemas)\// { gsub(/[ `]/, "", $2); gsub(/[ `]/, "", $7); print $7 "  " $2 }' \
    "$ROOT/testdata/SOURCES.md" >"$WORK/sha256"
if [ ! -s "$WORK/sha256" ]; then
    echo "FAIL sources testdata/SOURCES.md: no file table found" >>"$WORK/results0"
elif (cd "$ROOT/testdata" && sha256sum --quiet -c "$WORK/sha256") >"$WORK/sha.log" 2>&1; then
    echo "PASS sources testdata/SOURCES.md ($(wc -l <"$WORK/sha256") files)" >>"$WORK/results0"
else
    echo "FAIL sources testdata/SOURCES.md: $(tr '\n' ' ' <"$WORK/sha.log" | cut -c1-300)" >>"$WORK/results0"
fi

JOBS=${CORPUS_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$JOBS" -gt 4 ] && JOBS=4
START=$(date +%s)
# One file per job; each job writes its PASS/FAIL lines to its own WORK/f.*.out file.
xargs -d '\n' -P "$JOBS" -n 1 sh "$HERE/check_file.sh" "$BIN" "$WORK" <"$LIST" >"$WORK/stdout" 2>"$WORK/stderr"
cat "$WORK"/f.*.out "$WORK/results0" >"$WORK/results" 2>/dev/null
cat "$WORK/stdout" >>"$WORK/stderr"

grep '^FAIL ' "$WORK/results"
if [ -s "$WORK/stderr" ]; then
    echo "corpus: messages on stderr:"
    head -n 20 "$WORK/stderr"
fi
NPASS=$(grep -c '^PASS ' "$WORK/results")
NFAIL=$(grep -c '^FAIL ' "$WORK/results")
NFILES=$(wc -l <"$LIST")
# per-check tally, e.g. "validate 60/61"
awk '{ n[$2]++; if ($1 == "PASS") p[$2]++ } END { for (c in n) printf "  %-14s %d/%d passed\n", c, p[c], n[c] }' \
    "$WORK/results" | sort
echo "corpus: $NFILES files in $(($(date +%s) - START)) s"
echo "corpus: $NPASS passed, $NFAIL failed"
[ "$NFAIL" -eq 0 ] && [ "$NPASS" -gt 0 ]
