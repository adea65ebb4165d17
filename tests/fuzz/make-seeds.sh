#!/bin/sh
# Build the seed corpora of the fuzz harnesses into OUT (default build/fuzz-seeds):
# one folder per harness, filled from testdata/ and from the project's own
# writers (dsjson convert to every format and version, dsjson odm2json).
# Seeds stay small: files over 64 KiB are skipped (the fuzzer truncates
# inputs to -max_len anyway).  Nothing here is committed: it is all built.
#
#   sh tests/fuzz/make-seeds.sh DSJSON [OUT]
set -u
DSJSON=${1:?usage: make-seeds.sh DSJSON [OUT]}
OUT=${2:-build/fuzz-seeds}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
case "$DSJSON" in /*) ;; *) DSJSON="$ROOT/$DSJSON" ;; esac
MAX=65536

rm -rf "$OUT"
for h in json ndjson dsjc define odm_xml odm_json rules values datasetxml xpt; do mkdir -p "$OUT/$h"; done
n=0
# add HARNESS FILE [PREFIX_BYTE_OCTAL]: copy FILE (with an optional first byte) as a seed
add() {
    [ -f "$2" ] || return 0
    sz=$(wc -c <"$2")
    [ "$sz" -le "$MAX" ] || return 0
    n=$((n + 1))
    if [ $# -ge 3 ]; then
        { printf "\\$3"; cat "$2"; } >"$OUT/$1/seed-$n"
    else
        cp "$2" "$OUT/$1/seed-$n"
    fi
}

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

# Dataset-JSON: every hand-written file, valid and broken, as found ...
for f in $(find testdata/valid testdata/invalid testdata/examples testdata/define-check -type f | sort); do
    case "$f" in
        *.json) add json "$f" ;;
        *.ndjson) add ndjson "$f"; add dsjc "$f" 001 ;;
        *.dsjc) add dsjc "$f" 000 ;;
    esac
done
# ... and rewritten by the writers: each valid file to JSON, NDJSON and DSJC, 1.0 and 1.1.
i=0
for f in $(find testdata/valid testdata/examples -type f \( -name '*.json' -o -name '*.ndjson' -o -name '*.dsjc' \) | sort); do
    [ "$(wc -c <"$f")" -le $MAX ] || continue
    i=$((i + 1))
    for v in 1.0 1.1; do
        "$DSJSON" convert --to $v "$f" "$tmp/s$i-$v.json" >/dev/null 2>&1 && add json "$tmp/s$i-$v.json"
        "$DSJSON" convert --to $v --pretty "$f" "$tmp/p$i-$v.json" >/dev/null 2>&1 && add json "$tmp/p$i-$v.json"
        "$DSJSON" convert --to $v "$f" "$tmp/s$i-$v.ndjson" >/dev/null 2>&1 && { add ndjson "$tmp/s$i-$v.ndjson"; add dsjc "$tmp/s$i-$v.ndjson" 001; }
        "$DSJSON" convert --to $v "$f" "$tmp/s$i-$v.dsjc" >/dev/null 2>&1 && add dsjc "$tmp/s$i-$v.dsjc" 000
        "$DSJSON" convert --to $v --dsjc-zlib "$f" "$tmp/z$i-$v.dsjc" >/dev/null 2>&1 && add dsjc "$tmp/z$i-$v.dsjc" 000
    done
done

# Dataset-XML and XPT made by the writers from the DM-like examples (when those writers exist),
# and any .xpt/.sas7bdat in testdata (first byte: 0 = XPT, 1 = SAS7BDAT, as fuzz_xpt reads it).
for f in $(find testdata/valid testdata/examples -type f -name '*.json' | sort); do
    [ "$(wc -c <"$f")" -le $MAX ] || continue
    i=$((i + 1))
    "$DSJSON" convert "$f" "$tmp/x$i.xml" >/dev/null 2>&1 && add datasetxml "$tmp/x$i.xml"
    "$DSJSON" convert "$f" "$tmp/x$i.xpt" >/dev/null 2>&1 && add xpt "$tmp/x$i.xpt" 000
    "$DSJSON" convert --xpt-version 8 "$f" "$tmp/x8$i.xpt" >/dev/null 2>&1 && add xpt "$tmp/x8$i.xpt" 000
done
# A Dataset-XML file that matches fuzz_datasetxml's built-in define (IG.DM).
cat >"$OUT/datasetxml/dm-builtin.xml" <<'XEOF'
<?xml version="1.0" encoding="UTF-8"?>
<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" xmlns:data="http://www.cdisc.org/ns/Dataset-XML/v1.0"
     ODMVersion="1.3.2" FileType="Snapshot" FileOID="F.DM" PriorFileOID="DEF.F" CreationDateTime="2024-01-01T00:00:00"
     data:DatasetXMLVersion="1.0.0">
  <ClinicalData StudyOID="ST.F" MetaDataVersionOID="MDV.F">
    <ItemGroupData ItemGroupOID="IG.DM" data:ItemGroupDataSeq="1">
      <ItemData ItemOID="IT.STUDYID" Value="F"/>
      <ItemData ItemOID="IT.USUBJID" Value="F-001"/>
      <ItemData ItemOID="IT.AGE" Value="34"/>
      <ItemData ItemOID="IT.HEIGHT" Value="172.5"/>
      <ItemData ItemOID="IT.BRTHDTC" Value="1980-02-29"/>
      <ItemData ItemOID="IT.RFSTDTC" Value="2014-01-02T10:30"/>
      <ItemData ItemOID="IT.TM" Value="10:30:00"/>
    </ItemGroupData>
    <ItemGroupData ItemGroupOID="IG.DM" data:ItemGroupDataSeq="2">
      <ItemData ItemOID="IT.STUDYID" Value="F"/>
      <ItemData ItemOID="IT.USUBJID" Value="F-002 &amp; &#xe9;"/>
      <ItemData ItemOID="IT.AGE" Value="-1"/>
      <ItemData ItemOID="IT.HEIGHT" Value="1e3"/>
    </ItemGroupData>
  </ClinicalData>
</ODM>
XEOF
for f in $(find testdata -type f \( -name '*.xpt' -o -name '*.XPT' \) | sort); do add xpt "$f" 000; done
for f in $(find testdata -type f -name '*.sas7bdat' | sort); do add xpt "$f" 001; done

# Define-XML and ODM XML.
for f in $(find testdata/define testdata/define-check testdata/odm testdata/examples -type f -name '*.xml' | sort); do
    add define "$f"
    add odm_xml "$f"
    add datasetxml "$f"
done
# ODM JSON made by the ODM writer.
i=0
for f in $(find testdata/define testdata/define-check testdata/odm -type f -name '*.xml' | sort); do
    i=$((i + 1))
    "$DSJSON" odm2json "$f" "$tmp/odm$i.json" >/dev/null 2>&1 && add odm_json "$tmp/odm$i.json"
done

# Rule files (first byte 0) and "when" conditions (first byte 1).
for f in testdata/checks/*.json; do add rules "$f" 000; done
i=0
for c in 'AGEU == "YEARS"' 'AGE >= 18 and AGE <= 65' 'not (AESEQ > 1) or USUBJID in ("S-001", "S-002")' \
         'AESTDTC < AEENDTC' 'DOSE != 1.50 and WT > 1e1' 'AGE is missing' 'AGEU not in ('"'"'X'"'"', "MONTHS")' 'USUBJID matches "S-0[0-9]+"' \
         '`AE SEQ` == 2'; do
    i=$((i + 1)); printf '\001%s' "$c" >"$OUT/rules/cond-$i"
done

# Value grammars: a NUL b.
i=0
for p in '2014-01-02' '2014-02-29' '2016-02-29T23:59:59.123+01:00' '2014-01-02T10:30' '--01-02' \
         '10:30:00' 'T10:30' '2014-W01-1' '2014-01-02T24:00:00Z' '1.50' '-0.000' '+1' '1e5' '12345678901234567890' \
         '-9223372036854775808' '9223372036854775807' '0.1' '1E-400' '3.0' 'caf\303\251' ; do
    i=$((i + 1)); printf '%s\0001.5' "$p" >"$OUT/values/v-$i"
done

for h in json ndjson dsjc define odm_xml odm_json rules values datasetxml xpt; do
    printf '%s %s  ' "$h" "$(ls "$OUT/$h" | wc -l)"
done
echo "(seeds in $OUT)"
