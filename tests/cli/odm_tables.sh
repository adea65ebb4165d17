#!/bin/sh
# Regenerating the ODM element tables from the corpus XSDs reproduces the committed
# schemas/odm/*.json and libdsjson/odm_tables.gen.c byte for byte, and the generator
# reports broken schemas clearly.  Standalone:
#   sh tests/cli/odm_tables.sh [BIN]
# (BIN, the dsjson binary, is accepted for tests/cli/run.sh but not needed.)
# Skips (exit 0) when ${DSJ_CORPUS:-../shared/corpus}/schemas is absent.

cd "$(dirname "$0")/../.." || exit 2   # the repository root
CORPUS=${DSJ_CORPUS:-../shared/corpus}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
GEN=tools/gen-odm-tables.py
pass=0
fail=0
ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

if [ ! -d "$CORPUS/schemas" ]; then
    echo "odm tables: skipped (corpus not found at $CORPUS; set DSJ_CORPUS)"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsj-odm-tables.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# 1. regeneration is byte-identical
if "$PY" "$GEN" --corpus "$CORPUS" --out "$tmp/out" >"$tmp/gen.out" 2>"$tmp/gen.err"; then ok; else
    ko "generator failed"; sed 's/^/  | /' "$tmp/gen.err" | head -20; fi
for f in schemas/odm/odm-1.3.2.json schemas/odm/define-2.0.json schemas/odm/define-2.1.json \
         schemas/odm/dataset-xml-1.0.json schemas/odm/odm-2.0.json libdsjson/odm_tables.gen.c; do
    if [ ! -f "$f" ]; then ko "$f is not committed"
    elif cmp -s "$f" "$tmp/out/$f"; then ok
    else ko "$f differs from a fresh regeneration (run: $PY $GEN)"; diff "$f" "$tmp/out/$f" | head -10 | sed 's/^/  | /'
    fi
done
# no stray tables
for f in schemas/odm/*.json; do
    [ -f "$tmp/out/$f" ] && ok || ko "$f is not produced by the generator"
done

echo "odm tables: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
