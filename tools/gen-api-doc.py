#!/usr/bin/env python3
"""Write docs/api.md from the public headers (libdsjson/dsjson*.h).

Every exported function (DSJ_EXPORT) is listed under the section banner of
its header with the comment that precedes it, which states what it does and
who owns what ([owned], [borrowed], [copied], [takes]).  Types and enums are
listed with their comments too.  Run from the repository root:

    /usr/bin/python3 tools/gen-api-doc.py            # rewrite docs/api.md
    /usr/bin/python3 tools/gen-api-doc.py --check    # exit 1 if docs/api.md is stale
                                                     # or a function returning a pointer
                                                     # has no ownership tag
"""
import re
import sys

HEADERS = ["libdsjson/dsjson.h", "libdsjson/dsjson_define.h",
           "libdsjson/dsjson_odm.h", "libdsjson/dsjson_checks.h"]
TAGS = ("[owned]", "[borrowed]", "[copied]", "[takes]")

INTRO = """# libdsjson C API

This file is generated from the public headers by `tools/gen-api-doc.py`
(`make check` fails when it is stale).  The headers are the reference; this is
the same text, grouped and indexed.

Include one header, `#include <dsjson.h>` (`pkg-config --cflags --libs libdsjson`
after `make install`); it includes the area headers `dsjson_define.h`,
`dsjson_odm.h` and `dsjson_checks.h`.

## Conventions

- Prefix `dsj_` for functions, `DSJ_` for constants, `dsj_<noun>_t` for types;
  names read `dsj_<noun>_<verb>`.
- Handles are opaque, made by `dsj_<noun>_new` (or a named constructor such as
  `dsj_reader_open`, `dsj_define_load`) and released with `dsj_<noun>_free`;
  every `_free` accepts NULL and does nothing.
- Functions that can fail return `dsj_status_t` (`DSJ_OK` is 0) or NULL, and
  fill a caller-owned `dsj_error_t` (code, file, line, column, byte offset,
  JSON pointer, message) when one is passed.  `dsj_strerror` gives a static text.
- Validation findings (problems in the data) are not errors: they go to a
  `dsj_finding_cb` or a `dsj_findings_t` list, each with a stable rule ID.
- Ownership is stated on every declaration that hands over a pointer:
  - **[owned]**: the caller releases the result with the function named;
  - **[borrowed]**: the pointer belongs to the library; its lifetime is stated;
  - **[copied]**: the library copies the argument, the caller keeps its own;
  - **[takes]**: the library takes ownership of the argument, even on failure.
- Thread safety: there is no mutable global state.  A handle (reader, writer,
  validator, checker) is used by one thread at a time; loaded read-only objects
  (`dsj_define_t`, a loaded rule set, the ODM schema tables) may be shared by
  threads.  libxml2 is initialised on first use by the define and ODM modules;
  a multi-threaded program should call `xmlInitParser()` once before starting
  threads.

## Example: validate a file

```c
#include <dsjson.h>
#include <stdio.h>

static int print_finding(const dsj_finding_t *f, void *ctx)
{
    (void)ctx;
    dsj_finding_print(stdout, f);
    return 0;                       /* 0 = go on */
}

int main(int argc, char **argv)
{
    dsj_error_t err;
    dsj_validate_options_t vo;
    dsj_source_t *src;
    char msg[1024];
    if (argc != 2) return 2;
    dsj_validate_options_init(&vo);
    vo.file = argv[1];
    src = dsj_source_new_path(argv[1], &err);
    if (!src) { fprintf(stderr, "%s\\n", dsj_error_format(&err, msg, sizeof msg)); return 2; }
    /* the source is taken by the call; findings are streamed to the callback */
    if (dsj_validate_source(src, NULL, &vo, print_finding, NULL, &err) != DSJ_OK) {
        fprintf(stderr, "%s\\n", dsj_error_format(&err, msg, sizeof msg));
        return 2;
    }
    return 0;
}
```

## Example: read rows and convert with the writer

```c
#include <dsjson.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    dsj_error_t err;
    dsj_reader_t *r;
    dsj_writer_t *w;
    dsj_writer_options_t wo;
    const dsj_row_t *row;
    dsj_status_t st;
    char msg[1024];
    if (argc != 3) return 2;
    r = dsj_reader_open(argv[1], NULL, &err);         /* metadata is read here */
    if (!r) goto fail;
    printf("%s: %zu columns\\n", dsj_meta_get(dsj_reader_meta(r), DSJ_META_NAME),
           dsj_meta_ncolumns(dsj_reader_meta(r)));
    dsj_writer_options_init(&wo);
    wo.format = dsj_format_from_path(argv[2]);        /* .json, .ndjson or .dsjc */
    w = dsj_writer_new(dsj_sink_new_path(argv[2], &err), &wo, &err);  /* atomic output */
    if (!w || dsj_writer_begin(w, dsj_reader_meta(r), &err) != DSJ_OK) goto fail;
    while ((st = dsj_reader_next(r, &row, &err)) == DSJ_ROW)   /* row is borrowed */
        if (dsj_writer_write_row(w, row, &err) != DSJ_OK) goto fail;
    if (st != DSJ_DONE || dsj_writer_end(w, &err) != DSJ_OK) goto fail;
    dsj_writer_free(w);
    dsj_reader_free(r);
    return 0;
fail:
    fprintf(stderr, "%s\\n", dsj_error_format(&err, msg, sizeof msg));
    return 2;   /* (a real program frees w and r here too; the output file is left untouched) */
}
```
"""


def parse_header(path):
    """Yield ('section', title) and ('decl', comment, declaration) in file order."""
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    i = 0
    comment = []
    out = []
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if s.startswith("/* ====="):
            # banner: " * Title", optional intro lines, then " * =====...*/"
            title = lines[i + 1].strip().lstrip("*").strip()
            j = i + 2
            intro = []
            while "=====" not in lines[j]:
                intro.append(lines[j].strip()[1:].strip())
                j += 1
            out.append(("section", title, "\n".join(intro).strip()))
            i = j + 1
            comment = []
            continue
        if s.startswith("/*"):
            block = [s]
            while "*/" not in lines[i]:
                i += 1
                block.append(lines[i].strip())
            comment = [re.sub(r"^/?\*+/?\s?", "", b).replace("*/", "").rstrip() for b in block]
            comment = [c for c in comment if c.strip() != ""]
            i += 1
            continue
        if s.startswith("DSJ_EXPORT") or s.startswith("typedef"):
            decl = [line.rstrip()]
            opener = s
            if opener.startswith("typedef struct") and opener.endswith(";") and "{" not in opener:
                # an opaque handle type: listed, and the comment stays for the next declaration
                out.append(("decl", [], line.rstrip()))
                i += 1
                continue
            if opener.startswith("typedef") and opener.endswith("{"):
                while not lines[i].startswith("}"):
                    i += 1
                    decl.append(lines[i].rstrip())
            else:
                while not re.sub(r"/\*.*\*/\s*$", "", decl[-1]).rstrip().endswith(";"):
                    i += 1
                    decl.append(lines[i].rstrip())
            trailing = ""
            m = re.search(r";\s*/\*(.*)\*/\s*$", decl[-1])
            if m and not opener.endswith("{"):
                trailing = m.group(1).strip()
            out.append(("decl", comment + ([trailing] if trailing else []), "\n".join(decl)))
            comment = []
            i += 1
            continue
        if s == "":
            pass
        elif not s.startswith("#"):
            comment = [] if not s.startswith("enum") else comment
        i += 1
    return out


def fname(decl):
    m = re.search(r"\b(dsj_[a-z0-9_]+)\s*\(", decl)
    return m.group(1) if m else None


def build():
    md = [INTRO]
    problems = []
    index = []
    for h in HEADERS:
        try:
            items = parse_header(h)
        except FileNotFoundError:
            continue
        md.append("\n## `%s`\n" % h.split("/")[-1])
        section_owns = False
        for kind, *rest in items:
            if kind == "section":
                md.append("\n### %s\n" % rest[0])
                if rest[1]:
                    md.append(rest[1] + "\n")
                section_owns = bool(re.search(r"\[(owned|borrowed|copied|takes)", rest[1]))
                continue
            comment, decl = rest
            clean = re.sub(r"\s*DSJ_WARN_UNUSED", "", decl.replace("DSJ_EXPORT ", ""))
            name = fname(decl) if "DSJ_EXPORT" in decl else None
            if name:
                index.append(name)
                ret = decl.split(name)[0]
                if "*" in ret and not section_owns and not re.search(r"\[(owned|borrowed|copied|takes)", " ".join(comment) + decl):
                    problems.append("%s: %s returns a pointer but states no ownership" % (h, name))
            md.append("```c\n%s\n```\n" % clean.strip())
            if comment:
                md.append("\n".join(comment).strip() + "\n")
    md.append("\n## Index\n")
    md.append(", ".join("`%s`" % n for n in sorted(index)) + "\n")
    return "\n".join(md), problems, index


def main():
    text, problems, index = build()
    if "--check" in sys.argv:
        ok = True
        try:
            cur = open("docs/api.md", encoding="utf-8").read()
        except FileNotFoundError:
            cur = ""
        if cur != text:
            print("docs/api.md is stale: run /usr/bin/python3 tools/gen-api-doc.py")
            ok = False
        for p in problems:
            print(p)
            ok = False
        print("api doc: %d functions documented, %s" % (len(index), "up to date" if ok else "PROBLEMS"))
        sys.exit(0 if ok else 1)
    open("docs/api.md", "w", encoding="utf-8").write(text)
    for p in problems:
        print("warning:", p)
    print("docs/api.md: %d functions" % len(index))


main()
