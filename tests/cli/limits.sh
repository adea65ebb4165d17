#!/bin/sh
# Hostile inputs against the hard limits (docs/reliability.md):
#   sh tests/cli/limits.sh path/to/dsjson
# Each input must end in its own clear error (exit 2, DSJ_E_LIMIT or the
# XML message), within bounded memory (peak RSS, measured with /usr/bin/time
# when it is installed, and a hard `ulimit -v` cap) and bounded time (timeout).
# The big inputs are never written out whole: a 2 GB string and 10 GB of
# blanks are concatenated gzip members (a few MB on disk), 100,000 levels of
# nesting and a million-digit number are a few hundred KB or MB.
# Under the sanitizers (DSJ_SANITIZE=1, tests/sanitize.sh) the memory caps are
# not applied (ASan reserves terabytes of address space and doubles the RSS).
# Prints "limits: N passed, M failed"; exits non-zero on failure.

DSJSON=${1:-build/dsjson}
case "$DSJSON" in /*) ;; *) DSJSON="$(pwd)/$DSJSON" ;; esac
cd "$(dirname "$0")/../.." || exit 2
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dsj-limits.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM
SAN=${DSJ_SANITIZE:-0}
TIMEOUT=120
VMAX_KB=2000000           # hard address-space cap of each run (2 GB; the inputs expand to 2-10 GB)
RSS_MAX_KB=300000         # peak resident memory allowed (300 MB)
TIMECMD=
[ -x /usr/bin/time ] && TIMECMD=/usr/bin/time

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }

# run NAME EXPECTED_EXIT ARGS...: runs dsjson with a timeout, an address-space
# cap and a peak-RSS measure; stdout+stderr in $tmp/out; checks the exit status,
# the time and the memory.
run() {
    name=$1 want=$2
    shift 2
    start=$(date +%s)
    if [ "$SAN" = 1 ]; then
        timeout "$TIMEOUT" "$DSJSON" "$@" >"$tmp/out" 2>&1
        got=$?
    else
        (
            ulimit -v $VMAX_KB
            if [ -n "$TIMECMD" ]; then
                exec timeout "$TIMEOUT" "$TIMECMD" -f '%M' -o "$tmp/rss" "$DSJSON" "$@"
            else
                exec timeout "$TIMEOUT" "$DSJSON" "$@"
            fi
        ) >"$tmp/out" 2>&1
        got=$?
    fi
    secs=$(( $(date +%s) - start ))
    if [ "$got" -eq 124 ]; then ko "$name: still running after ${TIMEOUT}s"; return; fi
    if [ "$got" -eq "$want" ]; then ok; else ko "$name: exit $got, expected $want"; sed 's/^/  | /' "$tmp/out" | head -10; fi
    if [ "$SAN" != 1 ] && [ -n "$TIMECMD" ] && [ -s "$tmp/rss" ]; then
        rss=$(tail -1 "$tmp/rss")
        case "$rss" in
            *[!0-9]*|'') ;;
            *) if [ "$rss" -le $RSS_MAX_KB ]; then ok; else ko "$name: peak memory ${rss} KB > ${RSS_MAX_KB} KB"; fi
               echo "  $name: exit $got, ${secs} s, peak RSS ${rss} KB" ;;
        esac
    else
        echo "  $name: exit $got, ${secs} s"
    fi
}

expect() {
    if grep -Eq "$2" "$tmp/out"; then ok; else ko "$1: no line matching /$2/"; sed 's/^/  | /' "$tmp/out" | head -10; fi
}

META='{"datasetJSONCreationDateTime":"2024-01-01T00:00:00","datasetJSONVersion":"1.1.0","itemGroupOID":"IG.X","name":"X","label":"X","records":1,"columns":[{"itemOID":"IT.A","name":"A","label":"A","dataType":"string"}]}'
META_DBL=$(echo "$META" | sed 's/"string"/"double"/')

# fill MIB CHAR FILE: append MIB mebibytes of CHAR (one byte, printf escape) to FILE as gzip
# members of 16 MiB, made once and repeated (valid concatenated gzip).
fill() {
    head -c 16777216 /dev/zero | tr '\0' "$2" | gzip -9 >"$tmp/member.gz"
    i=0
    while [ $i -lt $(($1 / 16)) ]; do cat "$tmp/member.gz"; i=$((i + 1)); done >>"$3"
}

# ---- a 2 GB single string (DSJC: 2 MB on disk), and a raised limit
printf '%s\n["' "$META" | gzip -9 >"$tmp/str2g.dsjc"
fill 2048 a "$tmp/str2g.dsjc"
printf '"]\n' | gzip -9 >>"$tmp/str2g.dsjc"
run "2 GB string (dsjc)" 2 validate "$tmp/str2g.dsjc"
expect "2 GB string (dsjc)" "DSJ_E_LIMIT string longer than the limit of 67108864 bytes"
run "2 GB string (dsjc), --max-string 16M" 2 validate --max-string 16M "$tmp/str2g.dsjc"
expect "2 GB string, --max-string 16M" "string longer than the limit of 16777216 bytes"
run "2 GB string (convert)" 2 convert "$tmp/str2g.dsjc" "$tmp/out.json"
[ -e "$tmp/out.json" ] && ko "2 GB string (convert): output left behind" || ok
# The same streamed through a pipe as plain JSON (never on disk).
{ printf '%s\n["' "$META"; head -c 2147483648 /dev/zero | tr '\0' a; printf '"]\n'; } 2>/dev/null |
    run "2 GB string (stdin ndjson)" 2 validate -
expect "2 GB string (stdin)" "string longer than the limit"
# A string over the default limit is read when the option raises it.
"$PY" -c "import sys; sys.stdout.write('$META\n[\"' + 'b' * 3000 + '\"]\n')" >"$tmp/s3k.ndjson"
run "3 KB string, --max-string 2K" 2 validate --max-string 2K "$tmp/s3k.ndjson"
expect "3 KB string, --max-string 2K" "string longer than the limit of 2048 bytes"
run "3 KB string, default limit" 0 validate "$tmp/s3k.ndjson"

# ---- 100,000 levels of nesting: in a row, in the metadata, at the root
"$PY" -c "import sys; sys.stdout.write('$META\n' + '[' * 100000 + ']' * 100000 + '\n')" >"$tmp/deep-row.ndjson"
run "100000 levels (ndjson row)" 2 validate "$tmp/deep-row.ndjson"
expect "100000 levels (ndjson row)" "nesting deeper than the limit of 64"
"$PY" -c "import sys; sys.stdout.write('$META'[:-1] + ',\"rows\":[' + '[' * 100000 + ']' * 100000 + ']}')" >"$tmp/deep-row.json"
run "100000 levels (json row)" 2 validate "$tmp/deep-row.json"
expect "100000 levels (json row)" "nesting deeper than the limit of 64"
"$PY" -c "import sys; sys.stdout.write('{\"x\":' + '{\"a\":' * 100000 + '1' + '}' * 100000 + '}')" >"$tmp/deep-meta.json"
run "100000 levels (metadata)" 2 validate "$tmp/deep-meta.json"
expect "100000 levels (metadata)" "nesting deeper than the limit of 64"
# A raised limit is capped at 2000 (the parser recurses): still an error, never a stack overflow.
run "100000 levels, --max-depth 100000" 2 validate --max-depth 100000 "$tmp/deep-row.json"
expect "100000 levels, --max-depth 100000" "nesting deeper than the limit of 2000"
run "100000 levels, convert" 2 convert "$tmp/deep-row.json" "$tmp/deep.ndjson"
"$PY" -c "import sys; sys.stdout.write('$META\n[' + '[' * 99 + ']' * 99 + ']\n')" >"$tmp/deep100.ndjson"
run "100 levels" 2 validate "$tmp/deep100.ndjson"
run "100 levels, --max-depth 200" 1 validate --max-depth 200 "$tmp/deep100.ndjson"
expect "100 levels, --max-depth 200" "DSJ-"

# ---- a number with a million digits
"$PY" -c "import sys; sys.stdout.write('$META_DBL\n[1' + '7' * 1000000 + ']\n')" >"$tmp/bignum.ndjson"
run "million-digit number" 2 validate "$tmp/bignum.ndjson"
expect "million-digit number" "DSJ_E_LIMIT number longer than the limit of 4096 bytes"
"$PY" -c "import sys; sys.stdout.write('$META_DBL\n[0.' + '7' * 1000000 + 'e-99999]\n')" >"$tmp/bignum2.ndjson"
run "million-digit fraction" 2 validate "$tmp/bignum2.ndjson"
run "million-digit number, --max-number 2M" 0 validate --max-number 2M "$tmp/bignum.ndjson"
run "million-digit fraction, --max-number 2M" 0 validate --max-number 2M "$tmp/bignum2.ndjson"
run "million-digit number, convert --max-number 2M" 0 convert --max-number 2M "$tmp/bignum.ndjson" "$tmp/bignum.json"
cmp -s "$tmp/bignum.ndjson" "$tmp/bignum.ndjson" && grep -q "1777777777" "$tmp/bignum.json" && ok || ko "million-digit number: not kept by convert"

# ---- DSJC zip bombs: 10 GB of blanks (10 MB on disk), 10 GB of zero bytes
printf '%s\n' "$META" | gzip -9 >"$tmp/bomb.dsjc"
fill 10240 ' ' "$tmp/bomb.dsjc"
printf '["x"]\n' | gzip -9 >>"$tmp/bomb.dsjc"
run "10 GB of blanks (dsjc)" 2 validate "$tmp/bomb.dsjc"
expect "10 GB of blanks (dsjc)" "DSJ_E_LIMIT white space longer than the limit of 268435456 bytes"
run "10 GB of blanks, convert" 2 convert "$tmp/bomb.dsjc" "$tmp/bomb.json"
[ -e "$tmp/bomb.json" ] && ko "zip bomb (convert): output left behind" || ok
printf '%s\n[' "$META" | gzip -9 >"$tmp/bomb0.dsjc"
fill 10240 '\000' "$tmp/bomb0.dsjc"
run "10 GB of zero bytes (dsjc)" 2 validate "$tmp/bomb0.dsjc"
expect "10 GB of zero bytes (dsjc)" "fatal DSJ_E_SYNTAX"
# Blanks in a plain JSON file, streamed: the same limit.
{ printf '%s' "$META" | sed 's/}$/,"rows":[/'; head -c 400000000 /dev/zero | tr '\0' '\n'; printf '["x"]]}'; } |
    run "400 MB of newlines (stdin json)" 2 validate -
expect "400 MB of newlines" "white space longer than the limit"

# ---- columns, row width, row size, NDJSON line length
"$PY" - "$tmp" <<'PYEOF'
import json, sys
d = sys.argv[1]
meta = {"datasetJSONCreationDateTime": "2024-01-01T00:00:00", "datasetJSONVersion": "1.1.0",
        "itemGroupOID": "IG.X", "name": "X", "label": "X", "records": 1,
        "columns": [{"itemOID": "IT.A", "name": "A", "label": "A", "dataType": "string"}]}
with open(d + "/wide-row.ndjson", "w") as f:
    f.write(json.dumps(meta) + "\n[" + ",".join(['"x"'] * 200000) + "]\n")
many = dict(meta)
many["columns"] = [{"itemOID": "IT.C%d" % i, "name": "C%d" % i, "label": "C", "dataType": "string"}
                   for i in range(100001)]
with open(d + "/many-cols.json", "w") as f:
    f.write(json.dumps(many))
big = dict(meta)
big["columns"] = [{"itemOID": "IT.C%d" % i, "name": "C%d" % i, "label": "C", "dataType": "string"} for i in range(5)]
with open(d + "/big-row.json", "w") as f:
    f.write(json.dumps(big)[:-1] + ',"rows":[[' + ",".join(['"' + "y" * 1048576 + '"'] * 5) + "]]}")
with open(d + "/long-line.ndjson", "w") as f:
    f.write(json.dumps(meta) + '\n["' + "z" * 3000 + '"]\n')
PYEOF
run "200000 cells in a row" 2 validate "$tmp/wide-row.ndjson"
expect "200000 cells in a row" "row 1 has more than the limit of 100000 values"
run "200000 cells, --max-columns 300000" 1 validate --max-columns 300000 "$tmp/wide-row.ndjson"
expect "200000 cells, --max-columns 300000" "DSJ-ROW-WIDTH"
run "100001 columns" 2 validate "$tmp/many-cols.json"
expect "100001 columns" "more columns than the limit of 100000"
run "100001 columns, --max-columns 200000" 0 validate --max-columns 200000 "$tmp/many-cols.json"
run "5 MB row, --max-row-bytes 2M" 2 validate --max-row-bytes 2M "$tmp/big-row.json"
expect "5 MB row, --max-row-bytes 2M" "row 1 is larger than the limit of 2097152 bytes"
run "5 MB row, default" 0 validate "$tmp/big-row.json"
run "3 KB NDJSON line, --max-line 1K" 2 validate --max-line 1K "$tmp/long-line.ndjson"
expect "3 KB NDJSON line, --max-line 1K" "NDJSON line longer than the limit of 1024 bytes"
run "3 KB NDJSON line, default" 0 validate "$tmp/long-line.ndjson"
run "bad limit value" 2 validate --max-depth 0 "$tmp/long-line.ndjson"
expect "bad limit value" "wants a number above 0"

# ---- XML: billion laughs (entity expansion) and external entities (XXE)
# Billion laughs: 10^9 copies of "lol" if expanded.  libxml2's amplification guard refuses it.
"$PY" - "$tmp" <<'PYEOF'
import sys
d = sys.argv[1]
ents = '<!ENTITY a0 "lol">\n' + "".join('<!ENTITY a%d "%s">\n' % (i, ("&a%d;" % (i - 1)) * 10) for i in range(1, 10))
odm = ('<?xml version="1.0"?>\n<!DOCTYPE ODM [\n' + ents + ']>\n'
       '<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" FileType="Snapshot" FileOID="F" ODMVersion="1.3.2" '
       'CreationDateTime="2024-01-01T00:00:00"><Study OID="S"><GlobalVariables><StudyName>&a9;</StudyName>'
       '<StudyDescription>x</StudyDescription><ProtocolName>x</ProtocolName></GlobalVariables></Study></ODM>\n')
open(d + "/laughs-odm.xml", "w").write(odm)
# The same in an attribute value (expanded by the parser, not by us).
open(d + "/laughs-attr.xml", "w").write(odm.replace('<Study OID="S">', '<Study OID="&a9;">').replace("<StudyName>&a9;", "<StudyName>x"))
# Quadratic blow-up in a define: one 100 KB entity referenced 100,000 times (10 GB if expanded).
s = open("testdata/define/minimal21.xml").read()
i = s.index("?>") + 2
s = s[:i] + '\n<!DOCTYPE ODM [<!ENTITY big "' + "q" * 100000 + '">]>' + s[i:]
s = s.replace(">Vital Signs</TranslatedText>", ">" + "&big;" * 100000 + "</TranslatedText>", 1)
open(d + "/quadratic.xml", "w").write(s)
PYEOF
for f in testdata/define/entity-bomb.xml "$tmp/laughs-odm.xml" "$tmp/laughs-attr.xml"; do
    b=$(basename "$f")
    run "billion laughs validate-define $b" 2 validate-define "$f"
    expect "billion laughs validate-define $b" "entit"
    run "billion laughs odm2json $b" 2 odm2json "$f" "$tmp/laughs.json"
    expect "billion laughs odm2json $b" "entit"
    [ -e "$tmp/laughs.json" ] && { ko "billion laughs odm2json $b: output left behind"; rm -f "$tmp/laughs.json"; } || ok
done
# Entity references are never substituted: the define reads them as empty text (the empty
# label is then reported), odm2json refuses them; either way nothing is expanded.
run "quadratic entity validate-define" 1 validate-define "$tmp/quadratic.xml"
expect "quadratic entity validate-define" "DEF-IG-DESCRIPTION"
run "quadratic entity odm2json" 2 odm2json "$tmp/quadratic.xml" "$tmp/quad.json"
expect "quadratic entity odm2json" "entities are not expanded"
run "billion laughs define-meta" 2 define-meta testdata/define/entity-bomb.xml IG.DM
run "billion laughs validate --define" 2 validate --define testdata/define/entity-bomb.xml testdata/valid/v11-all-types/input.json

# XXE: an external entity naming a local file; its text must appear nowhere.
secret="XXE-$$-SECRET-TEXT"
echo "$secret" >"$tmp/secret.txt"
"$PY" - "$tmp" <<'PYEOF'
import sys
d = sys.argv[1]
head = ('<?xml version="1.0"?>\n<!DOCTYPE ODM [\n<!ENTITY sec SYSTEM "file://%s/secret.txt">\n'
        '<!ENTITY sec2 SYSTEM "secret.txt">\n<!ENTITY %% dtd SYSTEM "secret.txt">\n]>\n' % d)
odm = head + ('<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" FileType="Snapshot" FileOID="F" ODMVersion="1.3.2" '
              'CreationDateTime="2024-01-01T00:00:00"><Study OID="S"><GlobalVariables><StudyName>&sec;&sec2;</StudyName>'
              '<StudyDescription>x</StudyDescription><ProtocolName>x</ProtocolName></GlobalVariables></Study></ODM>\n')
open(d + "/xxe-odm.xml", "w").write(odm)
# A DOCTYPE with an external subset (DTD loading must not happen).
open(d + "/xxe-dtd.xml", "w").write('<?xml version="1.0"?>\n<!DOCTYPE ODM SYSTEM "secret.txt">\n' + odm.split("]>\n", 1)[1].replace("&sec;&sec2;", "x"))
PYEOF
for f in "$tmp/xxe-odm.xml" "$tmp/xxe-dtd.xml" testdata/define/xxe.xml; do
    b=$(basename "$f")
    for cmd in validate-define odm2json; do
        if [ $cmd = odm2json ]; then "$DSJSON" odm2json "$f" "$tmp/xxe.json" >"$tmp/out" 2>&1
        else "$DSJSON" $cmd "$f" >"$tmp/out" 2>&1; fi
        rc=$?
        [ $rc -le 2 ] && ok || ko "xxe $cmd $b: exit $rc"
        if grep -rq -e "$secret" -e "XXE-SECRET" "$tmp/out" $( [ -f "$tmp/xxe.json" ] && echo "$tmp/xxe.json"); then
            ko "xxe $cmd $b: the secret file's text leaked"
        else ok; fi
        rm -f "$tmp/xxe.json"
    done
    "$DSJSON" validate --define "$f" testdata/valid/v11-all-types/input.json >"$tmp/out" 2>&1
    if grep -q -e "$secret" -e "XXE-SECRET" "$tmp/out"; then ko "xxe validate --define $b: leaked"; else ok; fi
done

echo "limits: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
