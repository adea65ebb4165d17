#!/usr/bin/python3
"""Independent checks for tests/corpus/run.sh (plain Python + python3-jsonschema, no libdsjson code).

usage:
  helper.py findings REPORT_FILE
      REPORT_FILE holds the stdout of `dsjson validate --format json`.  Exit 0 when it
      parses as JSON and holds no finding of severity error or warning (info is allowed),
      1 otherwise (the offending findings are printed).
  helper.py schema SCHEMA_DIR EXPECT FILE...
      Check every FILE (.json, .ndjson or .dsjc) against the official Dataset-JSON schema
      of version EXPECT ("1.0" or "1.1"): whole document for .json, line 1 (the metadata
      object) for .ndjson and for decompressed .dsjc.  Also checks that the document's
      datasetJSONVersion starts with EXPECT and that the row count equals "records".
      Prints "PASS schema FILE" or "FAIL schema FILE: reason" per file; exit 1 on any failure.
  helper.py metadiff A B
      Print, one per line, the names of top-level metadata attributes (v1.1 layout, rows
      excluded) whose values differ between A and B.
  helper.py align SRC_JSON IN OUT
      Copy IN (.ndjson or .dsjc) to OUT (same format), replacing the metadata attributes
      that differ from SRC_JSON's by SRC_JSON's values.  Row lines are copied byte for byte.
"""
import gzip
import json
import os
import sys
import zlib


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def decompress_dsjc(raw):
    if raw[:2] == b"\x1f\x8b":
        return gzip.decompress(raw)
    return zlib.decompress(raw)


def ndjson_text(path):
    """NDJSON text of an .ndjson or .dsjc file."""
    raw = read_bytes(path)
    if path.endswith(".dsjc"):
        raw = decompress_dsjc(raw)
    return raw.decode("utf-8")


def load_any(path):
    """(metadata dict without rows, row count) of any Dataset-JSON file."""
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        return doc, None
    lines = ndjson_text(path).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    meta = json.loads(lines[0])
    for i, line in enumerate(lines[1:], start=2):
        row = json.loads(line)
        if not isinstance(row, list):
            raise ValueError("line %d is not a JSON array" % i)
    return meta, len(lines) - 1


def flat_meta(doc):
    """Top-level attributes in v1.1 layout, rows removed (v1.0 nested data flattened)."""
    out = {k: v for k, v in doc.items() if k not in ("rows", "clinicalData", "referenceData")}
    for key in ("clinicalData", "referenceData"):
        if key in doc:
            data = doc[key]
            out["(data)"] = key
            for k, v in data.items():
                if k != "itemGroupData":
                    out[k] = v
            for oid, ig in data.get("itemGroupData", {}).items():
                out["itemGroupOID"] = oid
                for k, v in ig.items():
                    if k != "itemData":
                        out[k] = v
    return out


def cmd_findings(path):
    text = read_bytes(path).decode("utf-8", "replace")
    docs = []
    try:
        docs.append(json.loads(text))
    except ValueError:
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    docs.append(json.loads(line))
                except ValueError:
                    print("validate report is not JSON (line %d): %.200s" % (n, line))
                    return 1
    if not docs:
        print("validate report is empty")
        return 1
    bad = []

    def walk(node):
        if isinstance(node, dict):
            sev = node.get("severity")
            if isinstance(sev, str) and sev.lower() in ("error", "warning"):
                bad.append(node)
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for d in docs:
        walk(d)
    for f in bad[:10]:
        print("finding: " + json.dumps(f, ensure_ascii=False)[:400])
    if len(bad) > 10:
        print("... %d findings in all" % len(bad))
    return 1 if bad else 0


def cmd_schema(schema_dir, expect, files):
    import jsonschema  # only this subcommand needs it

    if expect == "1.1":
        path = os.path.join(schema_dir, "dataset-json-1.1", "dataset.schema.json")
        cls = jsonschema.Draft201909Validator
    elif expect == "1.0":
        path = os.path.join(schema_dir, "dataset-json-1.0", "dataset.schema.json")
        cls = jsonschema.Draft7Validator
    else:
        print("FAIL schema: unknown version %s" % expect)
        return 1
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    cls.check_schema(schema)
    validator = cls(schema)
    rc = 0
    for fp in files:
        try:
            doc, nrows = load_any(fp)
            problems = []
            ver = str(doc.get("datasetJSONVersion", ""))
            if not ver.startswith(expect):
                problems.append("datasetJSONVersion %r, expected %s" % (ver, expect))
            if fp.endswith(".json"):
                if expect == "1.1":
                    nrows = len(doc.get("rows", []))
                    records = doc.get("records")
                else:
                    records = None
                    for key in ("clinicalData", "referenceData"):
                        for ig in doc.get(key, {}).get("itemGroupData", {}).values():
                            nrows = len(ig.get("itemData", []))
                            records = ig.get("records")
            else:
                records = doc.get("records")
            if records is not None and records != nrows:
                problems.append("records %r but %r rows" % (records, nrows))
            errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
            for e in errs[:5]:
                ptr = "/" + "/".join(str(p) for p in e.absolute_path)
                problems.append("schema %s at %s: %.200s" % (expect, ptr, e.message))
            if len(errs) > 5:
                problems.append("... %d schema errors in all" % len(errs))
        except Exception as e:  # unreadable output is a failure of the writer
            problems = ["cannot read: %s" % e]
        if problems:
            rc = 1
            print("FAIL schema %s: %s" % (fp, "; ".join(problems)))
        else:
            print("PASS schema %s" % fp)
    return rc


def cmd_metadiff(a, b):
    ma, _ = load_any(a)
    mb, _ = load_any(b)
    fa, fb = flat_meta(ma), flat_meta(mb)
    for k in sorted(set(fa) | set(fb)):
        if fa.get(k) != fb.get(k):
            print(k)
    return 0


def cmd_align(src, inp, out):
    ref, _ = load_any(src)
    ref = flat_meta(ref)
    text = ndjson_text(inp)
    first, nl, rest = text.partition("\n")
    meta = json.loads(first)
    for k in list(meta):
        if k in ref and meta[k] != ref[k]:
            meta[k] = ref[k]
    data = (json.dumps(meta, ensure_ascii=False, separators=(",", ":")) + nl + rest).encode("utf-8")
    if out.endswith(".dsjc"):
        data = gzip.compress(data)
    with open(out, "wb") as f:
        f.write(data)
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "findings":
        return cmd_findings(argv[2])
    if len(argv) >= 5 and argv[1] == "schema":
        return cmd_schema(argv[2], argv[3], argv[4:])
    if len(argv) == 4 and argv[1] == "metadiff":
        return cmd_metadiff(argv[2], argv[3])
    if len(argv) == 5 and argv[1] == "align":
        return cmd_align(argv[2], argv[3], argv[4])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
