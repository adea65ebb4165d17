#!/usr/bin/python3
"""Compare the data of two Dataset-XML 1.0 files.

    compare-datasetxml.py [--exact] [--max-diffs N] A.xml B.xml

Records are matched by (ItemGroupOID, data:ItemGroupDataSeq); inside a record
each ItemOID's Value is compared.  A missing ItemData and one with
IsNull="Yes" both mean null; Value="" is the empty string, which is not null.
Values compare by text, and also equal when both are decimal numbers of the
same value ("72" == "72.0", ".5" == "0.5", "1E2" == "100") unless --exact.
The container (ClinicalData or ReferenceData), StudyOID and
MetaDataVersionOID are compared too; the ODM root attributes (FileOID,
CreationDateTime...) are not.

Both files are streamed side by side (xml.etree iterparse, elements cleared
once read): when the records come in the same order memory stays constant;
records seen in one file but not yet in the other wait in a table.

Prints each difference (at most --max-diffs, default 20) and a summary line;
exit 0 when equal, 1 when different, 2 when a file cannot be read.
"""
import argparse
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal, InvalidOperation

ODM = "{http://www.cdisc.org/ns/odm/v1.3}"
DATA = "{http://www.cdisc.org/ns/Dataset-XML/v1.0}"
CONTAINERS = (ODM + "ClinicalData", ODM + "ReferenceData")


def records(path):
    """Yield ('container', (tag, StudyOID, MDVOID)) once, then ((igoid, seq), {itemoid: value}) per record."""
    context = ET.iterparse(path, events=("start", "end"))
    root = None
    container = None
    current = None
    for event, el in context:
        if event == "start":
            if root is None:
                root = el
                if el.tag != ODM + "ODM":
                    raise ValueError("the root element is %s, not ODM 1.3 ODM" % el.tag)
            elif el.tag in CONTAINERS:
                container = el
                yield "container", (el.tag[len(ODM):], el.get("StudyOID"), el.get("MetaDataVersionOID"))
            elif el.tag == ODM + "ItemGroupData":
                current = {}
            continue
        if el.tag == ODM + "ItemData" and current is not None:
            if el.get("IsNull") != "Yes":
                oid = el.get("ItemOID")
                if oid in current:
                    raise ValueError("ItemOID %s twice in one ItemGroupData" % oid)
                current[oid] = el.get("Value")
        elif el.tag == ODM + "ItemGroupData":
            key = (el.get("ItemGroupOID"), el.get(DATA + "ItemGroupDataSeq"))
            yield key, current
            current = None
            # drop the finished record: the container would otherwise keep every (cleared) child
            if container is not None:
                container.clear()
            else:
                el.clear()
        elif el.tag in CONTAINERS:
            el.clear()


def as_decimal(text):
    if text is None:
        return None
    t = text.strip()
    if not t or t.lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity", "snan"):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def main(argv):
    ap = argparse.ArgumentParser(description="Compare the data of two Dataset-XML files.")
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--exact", action="store_true", help="values must have the same text (no numeric equality)")
    ap.add_argument("--max-diffs", type=int, default=20)
    args = ap.parse_args(argv)

    diffs = 0
    numeric_equal = 0
    values = 0
    matched = 0

    def report(msg):
        nonlocal diffs
        diffs += 1
        if diffs <= args.max_diffs:
            print(msg)

    def compare(key, ra, rb):
        nonlocal numeric_equal, values, matched
        matched += 1
        where = "%s seq %s" % key
        for oid in sorted(set(ra) | set(rb), key=lambda o: (o is None, o or "")):
            va, vb = ra.get(oid), rb.get(oid)
            values += 1
            if va == vb:
                continue
            if not args.exact and va is not None and vb is not None:
                da, db = as_decimal(va), as_decimal(vb)
                if da is not None and db is not None and da == db:
                    numeric_equal += 1
                    continue
            report("%s %s: %s | %s" % (where, oid, "null" if va is None else repr(va),
                                         "null" if vb is None else repr(vb)))

    try:
        ga, gb = records(args.a), records(args.b)
        pending_a, pending_b = {}, {}
        ca = cb = None
        done_a = done_b = False
        while not (done_a and done_b):
            ka = kb = None
            if not done_a:
                item = next(ga, None)
                if item is None:
                    done_a = True
                elif item[0] == "container":
                    ca = item[1]
                else:
                    ka, ra = item
                    if ka in pending_a:
                        report("%s seq %s: twice in %s" % (ka[0], ka[1], args.a))
                    elif ka in pending_b:
                        compare(ka, ra, pending_b.pop(ka))
                    else:
                        pending_a[ka] = ra
            if not done_b:
                item = next(gb, None)
                if item is None:
                    done_b = True
                elif item[0] == "container":
                    cb = item[1]
                else:
                    kb, rb = item
                    if kb in pending_b:
                        report("%s seq %s: twice in %s" % (kb[0], kb[1], args.b))
                    elif kb in pending_a:
                        compare(kb, pending_a.pop(kb), rb)
                    else:
                        pending_b[kb] = rb
    except (ET.ParseError, ValueError, OSError) as e:
        print("compare-datasetxml: %s" % e, file=sys.stderr)
        return 2

    if ca != cb:
        report("container: %s | %s" % (ca, cb))
    for key in sorted(pending_a, key=str):
        report("%s seq %s: only in %s" % (key[0], key[1], args.a))
    for key in sorted(pending_b, key=str):
        report("%s seq %s: only in %s" % (key[0], key[1], args.b))
    if diffs > args.max_diffs:
        print("... %d more differences" % (diffs - args.max_diffs))
    state = "equal" if diffs == 0 else "DIFFERENT"
    print("%s: %d records matched, %d values compared (%d equal as numbers only), %d differences"
          % (state, matched, values, numeric_equal, diffs))
    return 0 if diffs == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
