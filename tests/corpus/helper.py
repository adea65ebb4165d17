#!/usr/bin/python3
"""Independent checks for tests/corpus/run.sh (plain Python + python3-jsonschema, no libdsjson code).

usage:
  helper.py findings REPORT_FILE
      REPORT_FILE holds the stdout of `dsjson validate --format json`.  PASS (exit 0) when
      it parses as JSON and holds no finding of severity error or warning (info is allowed),
      FAIL (exit 1) otherwise, naming the offending findings.
  helper.py schema SCHEMA_DIR EXPECT FILE...
      Check every FILE (.json, .ndjson or .dsjc) against the official Dataset-JSON schema
      of version EXPECT ("1.0" or "1.1"): whole document for .json, line 1 (the metadata
      object) for .ndjson and for decompressed .dsjc.  Also checks that the document's
      datasetJSONVersion starts with EXPECT and that the row count equals "records".
      Prints "PASS schema FILE" or "FAIL schema FILE: reason" per file; exit 1 on any failure.
  All subcommands that check print "PASS CHECK LABEL[ note]" or "FAIL CHECK LABEL: reason".
  helper.py losses DIFF_JSON WARNINGS
      DIFF_JSON holds `dsjson diff --format json --max-diffs 0 ORIGINAL RESULT` of a version
      round trip, WARNINGS the stderr of both `dsjson convert --to` steps.  Exit 0 when every
      difference is a metadata difference that the conversion announced (a DSJ-CONVERT-*
      warning naming the attribute, and the column for column properties); cells must not differ.
  helper.py plan PLAN_FILE SCHEMA_DIR
      Run many of the checks above in one process (Python start-up and the jsonschema import
      dominate the run time).  Each line of PLAN_FILE is tab-separated:
        findings CHECK LABEL REPORT_FILE
        schema   CHECK LABEL EXPECT FILE
        losses   CHECK LABEL DIFF_JSON WARNINGS
        definereport CHECK LABEL REPORT_FILE   (complete report; findings only counted)
        samefindings CHECK LABEL REPORT_A REPORT_B   (same findings, positions aside)
      and gives one "PASS CHECK LABEL[ note]" or "FAIL CHECK LABEL: reason" line.
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


def check_findings(path):
    """Problems (list of strings) in a `dsjson validate --format json` report."""
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
                    return ["validate report is not JSON (line %d): %.200s" % (n, line)]
    if not docs:
        return ["validate report is empty"]
    bad = []
    counted = []

    def walk(node):
        if isinstance(node, dict):
            sev = node.get("severity")
            if isinstance(sev, str) and sev.lower() in ("error", "warning"):
                bad.append(node)
            # summary counts (findings beyond the display cap are only counted)
            for key in ("error", "errors", "warning", "warnings"):
                if isinstance(node.get(key), int) and not isinstance(node.get(key), bool) and node[key] > 0:
                    counted.append("%s: %d" % (key, node[key]))
            if node.get("fatal") not in (None, False, ""):
                counted.append("fatal: %.200s" % json.dumps(node["fatal"]))
            if node.get("valid") is False:
                counted.append("valid: false")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for d in docs:
        walk(d)
    out = ["finding: " + json.dumps(f, ensure_ascii=False)[:300] for f in bad[:5]]
    if len(bad) > 5:
        out.append("... %d error/warning findings in all" % len(bad))
    if counted and not out:
        out.append("report counts " + ", ".join(sorted(set(counted))))
    return out


_validators = {}


def validator_for(schema_dir, expect):
    if expect not in _validators:
        import jsonschema  # only schema checks need it

        if expect == "1.1":
            path = os.path.join(schema_dir, "dataset-json-1.1", "dataset.schema.json")
            cls = jsonschema.Draft201909Validator
        elif expect == "1.0":
            path = os.path.join(schema_dir, "dataset-json-1.0", "dataset.schema.json")
            cls = jsonschema.Draft7Validator
        else:
            raise ValueError("unknown Dataset-JSON version %r" % expect)
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        cls.check_schema(schema)
        _validators[expect] = cls(schema)
    return _validators[expect]


def check_schema(schema_dir, expect, fp):
    """Problems of one file against the official schema of version expect."""
    try:
        validator = validator_for(schema_dir, expect)
        doc, nrows = load_any(fp)
        problems = []
        ver = str(doc.get("datasetJSONVersion", ""))
        if not ver.startswith(expect):
            problems.append("datasetJSONVersion %r, expected %s" % (ver, expect))
        records = doc.get("records")
        if fp.endswith(".json"):
            nrows = len(doc.get("rows", []))
            for key in ("clinicalData", "referenceData"):  # 1.0 layout
                for ig in doc.get(key, {}).get("itemGroupData", {}).values():
                    nrows = len(ig.get("itemData", []))
                    records = ig.get("records")
        if records is not None and records != nrows:
            problems.append("records %r but %r rows" % (records, nrows))
        errs = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
        for e in errs[:5]:
            ptr = "/" + "/".join(str(p) for p in e.absolute_path)
            problems.append("schema %s at %s: %.200s" % (expect, ptr, e.message))
        if len(errs) > 5:
            problems.append("... %d schema errors in all" % len(errs))
        return problems
    except Exception as e:  # unreadable output is a failure of the writer
        return ["cannot check: %s" % e]


def check_losses(diff_path, warn_path):
    """(problems, note) for a version round trip's diff against the conversion warnings."""
    try:
        with open(diff_path, encoding="utf-8") as f:
            report = json.load(f)
    except Exception as e:
        return ["diff --format json output unreadable: %s" % e], ""
    warnings = [l for l in read_bytes(warn_path).decode("utf-8", "replace").splitlines()
                if "DSJ-CONVERT" in l]
    diffs = report.get("differences", [])
    summary = report.get("summary", {})
    problems = []
    if summary.get("total", len(diffs)) != len(diffs):
        problems.append("diff listed %d of %s differences" % (len(diffs), summary.get("total")))
    announced = []
    for d in diffs:
        attr, col = d.get("attribute"), d.get("column")
        what = "%s%s" % ("column %s " % col if col else "", attr)
        if d.get("kind") != "metadata":
            problems.append("%s differs (%s): %.150s" % (what, d.get("kind"), json.dumps(d)))
            continue
        hit = [w for w in warnings if attr and attr in w and (not col or "[%s]" % col in w or col in w)]
        if hit:
            announced.append(what)
        else:
            problems.append("%s lost (%s -> %s) without a conversion warning"
                            % (what, json.dumps(d.get("a")), json.dumps(d.get("b"))))
    note = ""
    if announced and not problems:
        note = " (only announced losses: %s)" % ", ".join(announced[:6]) + (" ..." if len(announced) > 6 else "")
    return problems, note


def report_findings(path):
    """(findings, problems) of a `validate --format json` report: every finding dict."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except Exception as e:
        return [], ["validate report is not JSON: %s" % e]
    found, problems = [], []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("severity"), str) and "rule" in node:
                found.append(node)
            if node.get("fatal") not in (None, False, ""):
                problems.append("fatal: %.200s" % json.dumps(node["fatal"]))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(doc)
    return found, problems


def check_define_report(path):
    """(problems, note): the report must be complete (no fatal error); findings are counted."""
    found, problems = report_findings(path)
    by = {}
    for f in found:
        by[f["severity"]] = by.get(f["severity"], 0) + 1
    note = ""
    if by.get("error") or by.get("warning"):
        rules = sorted({f["rule"] for f in found if f["severity"] in ("error", "warning")})
        note = " (%d error, %d warning findings: %s)" % (by.get("error", 0), by.get("warning", 0), " ".join(rules))
    return problems, note


def check_same_findings(path_a, path_b):
    """Problems when two reports (same data in two formats) differ in their findings.
    Positions (line, column, offset, pointer, file) depend on the format and are not compared."""
    fa, pa = report_findings(path_a)
    fb, pb = report_findings(path_b)
    if pa or pb:
        return pa + pb

    def sig(f):
        return (f.get("rule"), f.get("severity"), f.get("row"), f.get("column_name"), f.get("message"))

    sa, sb = sorted(map(sig, fa), key=repr), sorted(map(sig, fb), key=repr)
    if sa == sb:
        return []
    only_a = [x for x in sa if x not in sb]
    only_b = [x for x in sb if x not in sa]
    out = ["%d vs %d findings" % (len(sa), len(sb))]
    out += ["only in %s: %.200s" % (os.path.basename(path_a), repr(x)) for x in only_a[:3]]
    out += ["only in %s: %.200s" % (os.path.basename(path_b), repr(x)) for x in only_b[:3]]
    return out


def emit(check, label, problems, note=""):
    if problems:
        print(("FAIL %s %s: %s" % (check, label, "; ".join(problems)))[:1500])
        return 1
    print("PASS %s %s%s" % (check, label, note))
    return 0


def cmd_plan(path, schema_dir):
    rc = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            kind, check, label, args = fields[0], fields[1], fields[2], fields[3:]
            if kind == "findings":
                rc |= emit(check, label, check_findings(args[0]))
            elif kind == "schema":
                rc |= emit(check, label, check_schema(schema_dir, args[0], args[1]))
            elif kind == "definereport":
                problems, note = check_define_report(args[0])
                rc |= emit(check, label, problems, note)
            elif kind == "samefindings":
                rc |= emit(check, label, check_same_findings(args[0], args[1]))
            elif kind == "losses":
                problems, note = check_losses(args[0], args[1])
                rc |= emit(check, label, problems, note)
            else:
                rc |= emit(check, label, ["unknown plan line kind %r" % kind])
    sys.stdout.flush()
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
    if len(argv) == 3 and argv[1] == "findings":
        return emit("validate", argv[2], check_findings(argv[2]))
    if len(argv) >= 5 and argv[1] == "schema":
        return max(emit("schema", fp, check_schema(argv[2], argv[3], fp)) for fp in argv[4:])
    if len(argv) == 4 and argv[1] == "losses":
        problems, note = check_losses(argv[2], argv[3])
        return emit("roundtrip-ver", argv[2], problems, note)
    if len(argv) == 4 and argv[1] == "plan":
        return cmd_plan(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "metadiff":
        return cmd_metadiff(argv[2], argv[3])
    if len(argv) == 5 and argv[1] == "align":
        return cmd_align(argv[2], argv[3], argv[4])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
