#!/bin/sh
# No lost data: every file dsjson writes appears complete or not at all, and an input is never modified.
#
#   sh tests/cli/atomic.sh path/to/dsjson
#
# 1. SIGKILL: a conversion of a generated dataset (ATOMIC_ROWS rows, default 200000) to .json, .ndjson and
#    .dsjc is killed with kill -9 after various delays.  The destination must then be either the old file
#    (same checksum) or the complete new one (same as an uninterrupted run), and the folder may hold at most
#    the killed process's temporary file, named .OUT.XXXXXX.tmp (removed by the test before the next run).
# 2. Write error: under a file-size limit (ulimit -f; dsjson ignores SIGXFSZ, so write() fails with EFBIG)
#    convert (json, ndjson, dsjc), odm2json, json2odm and define-meta end with a message, exit 2, no output
#    and no temporary file; select to a redirected stdout ends with exit 2 and a message.
# 3. Same file: every writing command refuses an output that is its input (same name, ./ and ../ spellings,
#    absolute path, symbolic link, hard link), exits 2 and leaves the input byte for byte unchanged.
# Prints "atomic: N passed, M failed"; exits non-zero on failure.

DSJSON=${1:-build/dsjson}
case "$DSJSON" in /*) ;; *) DSJSON="$(pwd)/$DSJSON" ;; esac
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
ROWS=${ATOMIC_ROWS:-200000}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsj-atomic.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
sum() { cksum <"$1" 2>/dev/null | awk '{print $1 "-" $2}'; }
# temporaries NAME DIR: the temporary files of destination NAME in DIR (the sink's pattern .NAME.XXXXXX.tmp)
temporaries() { (cd "$2" && ls -A | grep -E "^\\.$1\\.[A-Za-z0-9]{6}\\.tmp\$"); }
others() { # others DIR KEEP...: files of DIR other than the KEEP names and their temporaries
    dir=$1
    shift
    (cd "$dir" && ls -A) | while read -r f; do
        keep=0
        for k in "$@"; do
            case $f in "$k" | ".$k."*.tmp) keep=1 ;; esac
        done
        [ $keep -eq 1 ] || echo "$f"
    done
}

# ---------------------------------------------------------------- data
mkdir "$tmp/in" "$tmp/out"
"$PY" - "$ROWS" "$tmp/in/big.ndjson" <<'EOF' || { echo "atomic: cannot generate the test data"; exit 2; }
import json, random, sys
n, path = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(9)
cols = [("STUDYID", "string", 12), ("USUBJID", "string", 20), ("LBSEQ", "integer", None),
        ("LBTESTCD", "string", 8), ("LBORRES", "string", 20), ("LBSTRESN", "double", None),
        ("LBNRIND", "string", 8), ("LBDTC", "datetime", None), ("LBDY", "integer", None)]
meta = {"datasetJSONCreationDateTime": "2026-01-01T00:00:00", "datasetJSONVersion": "1.1.0",
        "fileOID": "F.ATOMIC", "studyOID": "S.ATOMIC", "metaDataVersionOID": "MDV.1", "itemGroupOID": "IG.LB",
        "records": n, "name": "LB", "label": "Laboratory", "columns": []}
for name, t, ln in cols:
    c = {"itemOID": "IT.LB." + name, "name": name, "label": name.title(), "dataType": t}
    if ln:
        c["length"] = ln
    meta["columns"].append(c)
with open(path, "w") as f:
    f.write(json.dumps(meta) + "\n")
    tests = ["ALB", "ALT", "GLUC", "HGB", "K", "SODIUM"]
    for i in range(n):
        v = round(rnd.uniform(1, 200), 2)
        f.write(json.dumps(["ATOMIC", "ATOMIC-%05d" % (i // 40), i % 40 + 1, tests[i % 6], str(v), v,
                            rnd.choice(["NORMAL", "HIGH", "LOW"]), "2025-%02d-%02dT08:30:00" % (i % 12 + 1, i % 28 + 1),
                            i % 300 - 10]) + "\n")
EOF
"$DSJSON" convert "$tmp/in/big.ndjson" "$tmp/in/big.json" || { echo "atomic: cannot convert the test data"; exit 2; }
"$DSJSON" convert "$ROOT/testdata/valid/v11-minimal/input.json" "$tmp/in/old.json" || exit 2

# ---------------------------------------------------------------- 1. SIGKILL at many points
killed=0
for ext in json ndjson dsjc; do
    rm -rf "$tmp/out"
    mkdir "$tmp/out"
    dst=$tmp/out/dest.$ext
    ref=$tmp/in/ref.$ext
    "$DSJSON" convert "$tmp/in/big.json" "$ref" || { ko "uninterrupted conversion to .$ext"; continue; }
    "$DSJSON" convert "$tmp/in/old.json" "$dst" || { ko "small conversion to .$ext"; continue; }
    old=$(sum "$dst")
    new=$(sum "$ref")
    for delay in 0 0.01 0.03 0.06 0.1 0.2 0.35 0.5 0.8 1.2; do
        "$DSJSON" convert "$tmp/in/big.json" "$dst" 2>/dev/null &
        pid=$!
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        st=$?
        [ "$st" -eq 137 ] && killed=$((killed + 1))
        got=$(sum "$dst")
        if [ "$got" = "$old" ] || [ "$got" = "$new" ]; then ok; else ko "kill -9 after ${delay}s (.$ext, status $st): destination is neither the old nor the new file"; fi
        n=$(temporaries "dest.$ext" "$tmp/out" | wc -l)
        if [ "$st" -eq 137 ] && [ "$n" -le 1 ]; then ok
        elif [ "$st" -ne 137 ] && [ "$n" -eq 0 ]; then ok
        else ko "kill -9 after ${delay}s (.$ext, status $st): $n temporary files left"; fi
        stray=$(others "$tmp/out" "dest.$ext")
        if [ -z "$stray" ]; then ok; else ko "kill -9 after ${delay}s (.$ext): stray files: $stray"; fi
        # the killed process's temporary file is the only thing left; a later run neither needs nor touches it
        if [ "$n" -eq 1 ]; then
            left=$(temporaries "dest.$ext" "$tmp/out")
            before=$(sum "$tmp/out/$left")
            "$DSJSON" convert "$tmp/in/old.json" "$tmp/out/other.$ext" && [ "$(sum "$tmp/out/$left")" = "$before" ] && ok ||
                ko "a later run in the same folder changed the killed process's temporary file"
            rm -f "$tmp/out/other.$ext" "$tmp/out/$left"
        fi
        # back to the old content for the next kill, unless the new one is complete (both are allowed)
        [ "$(sum "$dst")" = "$new" ] && "$DSJSON" convert "$tmp/in/old.json" "$dst" && old=$(sum "$dst")
    done
done
# The kills must really have hit running conversions, or the test proves nothing.
if [ "$killed" -ge 10 ]; then ok; else ko "only $killed of 30 conversions were still running when killed (use a larger ATOMIC_ROWS)"; fi
echo "atomic: $killed of 30 conversions killed while running"

# ---------------------------------------------------------------- 2. write errors under a file-size limit
# run_limited BLOCKS OUTFILE CMD...: run with ulimit -f BLOCKS (stderr to $tmp/err, not limited: it is opened before)
run_limited() {
    blocks=$1
    shift
    (ulimit -f "$blocks" && exec "$DSJSON" "$@") >"$tmp/stdout" 2>"$tmp/err"
}
limit_case() { # limit_case NAME OUT CMD...
    name=$1 out=$2
    shift 2
    rm -f "$out"
    run_limited 8 "$@"
    st=$?
    [ "$st" -eq 2 ] && ok || ko "$name under ulimit -f: exit $st, expected 2 ($(head -c 200 "$tmp/err"))"
    grep -q "File too large" "$tmp/err" && ok || ko "$name under ulimit -f: no 'File too large' message ($(head -c 200 "$tmp/err"))"
    [ ! -e "$out" ] && ok || ko "$name under ulimit -f: partial output $out left"
    n=$(temporaries "$(basename "$out")" "$(dirname "$out")" | wc -l)
    [ "$n" -eq 0 ] && ok || ko "$name under ulimit -f: $n temporary files left"
}
mkdir "$tmp/lim"
limit_case "convert to json" "$tmp/lim/a.json" convert "$tmp/in/big.ndjson" "$tmp/lim/a.json"
limit_case "convert to ndjson" "$tmp/lim/a.ndjson" convert "$tmp/in/big.json" "$tmp/lim/a.ndjson"
limit_case "convert to dsjc" "$tmp/lim/a.dsjc" convert "$tmp/in/big.json" "$tmp/lim/a.dsjc"
limit_case "convert to 1.0 json" "$tmp/lim/b.json" convert --to 1.0 "$tmp/in/big.json" "$tmp/lim/b.json"
# odm2json / json2odm: a Define-XML made bigger than the limit by many code list items
"$PY" - "$ROOT/testdata/define/minimal21.xml" "$tmp/in/bigdef.xml" <<'EOF'
import sys
s = open(sys.argv[1], encoding="utf-8").read()
items = "".join('<CodeListItem CodedValue="V%05d" OrderNumber="%d"><Decode><TranslatedText xml:lang="en">Value %d'
                '</TranslatedText></Decode></CodeListItem>\n' % (i, i + 3, i) for i in range(3000))
s = s.replace('<Alias Name="C66741"', items + '<Alias Name="C66741"', 1)
open(sys.argv[2], "w", encoding="utf-8").write(s)
EOF
"$DSJSON" odm2json -q "$tmp/in/bigdef.xml" "$tmp/in/bigdef.json" || ko "odm2json of the big define"
limit_case "odm2json" "$tmp/lim/d.json" odm2json -q "$tmp/in/bigdef.xml" "$tmp/lim/d.json"
limit_case "json2odm" "$tmp/lim/d.xml" json2odm -q "$tmp/in/bigdef.json" "$tmp/lim/d.xml"
# define-meta writes a few kB: a limit of one block
rm -f "$tmp/lim/m.json"
run_limited 1 define-meta "$ROOT/testdata/define/minimal21.xml" VS "$tmp/lim/m.json"
st=$?
[ "$st" -eq 2 ] && grep -q "File too large" "$tmp/err" && [ ! -e "$tmp/lim/m.json" ] && [ -z "$(ls -A "$tmp/lim")" ] && ok ||
    ko "define-meta under ulimit -f 1: exit $st, $(head -c 200 "$tmp/err"), left: $(ls -A "$tmp/lim")"
# select writes to stdout: a redirected stdout over the limit is a write error too
(ulimit -f 8 && exec "$DSJSON" select "$tmp/in/big.json") >"$tmp/lim/sel.out" 2>"$tmp/err"
st=$?
[ "$st" -eq 2 ] && [ -s "$tmp/err" ] && ok || ko "select to a limited stdout: exit $st, expected 2 with a message ($(head -c 200 "$tmp/err"))"
rm -f "$tmp/lim/sel.out"
# the existing destination survives a failed write
"$DSJSON" convert "$tmp/in/old.json" "$tmp/lim/keep.json"
before=$(sum "$tmp/lim/keep.json")
run_limited 8 convert "$tmp/in/big.ndjson" "$tmp/lim/keep.json"
[ $? -eq 2 ] && [ "$(sum "$tmp/lim/keep.json")" = "$before" ] && [ "$(ls -A "$tmp/lim")" = "keep.json" ] && ok ||
    ko "a failed write replaced or damaged the existing destination"

# ---------------------------------------------------------------- 3. input and output the same file
mkdir "$tmp/same" "$tmp/same/sub"
cp "$ROOT/testdata/valid/v11-minimal/input.json" "$tmp/same/ds.json"
"$DSJSON" convert "$tmp/same/ds.json" "$tmp/same/ds.ndjson" || exit 2
"$DSJSON" convert "$tmp/same/ds.json" "$tmp/same/ds.dsjc" || exit 2
cp "$ROOT/testdata/define/minimal21.xml" "$tmp/same/define.xml"
"$DSJSON" odm2json -q "$tmp/same/define.xml" "$tmp/same/odm.json" || exit 2
ln -s ds.json "$tmp/same/link.json"
ln -s define.xml "$tmp/same/link.xml"
ln -s odm.json "$tmp/same/linkodm.json"
ln "$tmp/same/ds.ndjson" "$tmp/same/hard.ndjson"
snapshot() { (cd "$tmp/same" && for f in ds.json ds.ndjson ds.dsjc define.xml odm.json; do echo "$f $(sum "$f")"; done) }
snap=$(snapshot)
same_case() { # same_case NAME CMD...: must exit 2 with a message, leave every input and the folder as they were
    name=$1
    shift
    (cd "$tmp/same" && "$DSJSON" "$@") >/dev/null 2>"$tmp/err"
    st=$?
    [ "$st" -eq 2 ] && grep -qi "same file" "$tmp/err" && ok || ko "$name: exit $st, expected 2 with 'same file' ($(head -c 200 "$tmp/err"))"
    [ "$(snapshot)" = "$snap" ] && ok || ko "$name: an input file changed"
    [ -z "$(cd "$tmp/same" && ls -A | grep '\.tmp$')" ] && ok || ko "$name: temporary file left"
}
for spell in ds.json ./ds.json sub/../ds.json "$tmp/same/ds.json" link.json; do
    same_case "convert json -> $spell" convert ds.json "$spell"
done
same_case "convert via symlink input" convert link.json ds.json
same_case "convert ndjson -> hard link" convert ds.ndjson hard.ndjson
same_case "convert ndjson -> ./ndjson" convert ds.ndjson ./ds.ndjson
same_case "convert dsjc -> dsjc" convert ds.dsjc sub/../ds.dsjc
same_case "convert --to 1.0" convert --to 1.0 ds.json ./ds.json
for spell in define.xml ./define.xml sub/../define.xml "$tmp/same/define.xml" link.xml; do
    same_case "odm2json -> $spell" odm2json -q define.xml "$spell"
    same_case "define-meta -> $spell" define-meta define.xml VS "$spell"
done
for spell in odm.json ./odm.json "$tmp/same/odm.json" linkodm.json; do
    same_case "json2odm -> $spell" json2odm -q odm.json "$spell"
done

echo "atomic: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
