/* dsjson convert: stream a dataset from one format/version to another. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char convert_help[] =
    "usage: dsjson convert [--to 1.0|1.1] [--pretty] [--dsjc-zlib] [--level N] INPUT OUTPUT\n"
    "\n"
    "Convert a dataset between Dataset-JSON formats and versions, streaming the\n"
    "rows (memory does not grow with the row count).  The formats come from the\n"
    "file extensions:\n"
    "  .json    Dataset-JSON (one JSON document)\n"
    "  .ndjson  NDJSON: metadata on the first line, then one row per line\n"
    "  .dsjc    compressed NDJSON (Compressed Dataset-JSON)\n"
    "The input format and version are detected from the content.  OUTPUT is\n"
    "written atomically: it appears only when complete, an existing OUTPUT is\n"
    "replaced only then, and after a failure nothing is left behind.\n"
    "\n"
    "options:\n"
    "  --to 1.0|1.1   output version (default: the input's); see\n"
    "                 docs/conversion.md for what changes\n"
    "  --pretty       .json output: indented metadata, one row per line\n"
    "  --dsjc-zlib    .dsjc output: raw zlib stream (as the DSJC text says)\n"
    "                 instead of gzip (as the official example files are)\n"
    "  --level N      .dsjc output: compression level 1 (fast) to 9 (small)\n"
    "  -h, --help     show this help\n"
    "\n"
    "Conversion warnings (fields without a counterpart in the output version)\n"
    "go to stderr.  Exit status: 0 success, 2 usage error, unreadable input or\n"
    "failed output.\n";

enum { OPT_HELP = 1, OPT_TO, OPT_PRETTY, OPT_ZLIB, OPT_LEVEL };

static const cli_option_t convert_opts[] = {
    {"help", 'h', 0, OPT_HELP},
    {"to", 0, 1, OPT_TO},
    {"pretty", 0, 0, OPT_PRETTY},
    {"dsjc-zlib", 0, 0, OPT_ZLIB},
    {"level", 0, 1, OPT_LEVEL},
    {NULL, 0, 0, 0},
};

/* Reader and conversion warnings; ctx is the input path, named when the finding names no file
   (conversion findings point into the input's metadata). */
static int warn_finding(const dsj_finding_t *f, void *ctx)
{
    dsj_finding_t g = *f;
    if (!g.file || !g.file[0]) g.file = ctx;
    fputs("dsjson convert: ", stderr);
    dsj_finding_print(stderr, &g);
    return 0;
}

static int format_or_usage(const char *path, const char *what, dsj_format_t *out)
{
    *out = dsj_format_from_path(path);
    if (*out == DSJ_FORMAT_AUTO) {
        cli_usage_error("convert",
                        "cannot tell the format of %s '%s' from its extension; supported: .json, .ndjson, .dsjc",
                        what, path);
        return -1;
    }
    return 0;
}

int dsj_cmd_convert(int argc, char **argv)
{
    cli_parser_t p;
    const char *in = NULL, *out = NULL;
    dsj_format_t in_fmt, out_fmt;
    dsj_writer_options_t wo;
    dsj_reader_options_t ro;
    dsj_reader_t *r = NULL;
    dsj_writer_t *w = NULL;
    dsj_sink_t *sink;
    dsj_error_t err;
    dsj_status_t st;
    const dsj_row_t *row;
    const char *err_file;
    cli_progress_t prog;
    uint64_t level = 0;
    int id, nops = 0, pretty = 0, zlib = 0;
    dsj_version_t to = DSJ_VERSION_UNKNOWN;

    cli_parser_init(&p, "convert", argc, argv, convert_opts);
    while ((id = cli_next_option(&p)) != CLI_END) {
        switch (id) {
        case CLI_ERROR: return DSJ_EXIT_USAGE;
        case OPT_HELP: fputs(convert_help, stdout); return DSJ_EXIT_OK;
        case OPT_TO:
            if (!strcmp(p.value, "1.0") || !strcmp(p.value, "1.0.0")) to = DSJ_V1_0;
            else if (!strcmp(p.value, "1.1") || !strcmp(p.value, "1.1.0")) to = DSJ_V1_1;
            else return cli_usage_error("convert", "option '--to' wants 1.0 or 1.1, not '%s'", p.value);
            break;
        case OPT_PRETTY: pretty = 1; break;
        case OPT_ZLIB: zlib = 1; break;
        case OPT_LEVEL:
            if (cli_parse_count("convert", "level", p.value, 9, &level)) return DSJ_EXIT_USAGE;
            if (level == 0) return cli_usage_error("convert", "option '--level' wants 1 to 9, not '%s'", p.value);
            break;
        case CLI_OPERAND:
            if (nops == 0) in = p.operand;
            else if (nops == 1) out = p.operand;
            nops++;
            break;
        default: break;
        }
    }
    if (nops != 2)
        return cli_usage_error("convert", "wants exactly two files, INPUT and OUTPUT (got %d)", nops);
    if (format_or_usage(in, "INPUT", &in_fmt) || format_or_usage(out, "OUTPUT", &out_fmt))
        return DSJ_EXIT_USAGE;
    if (cli_same_file(in, out))
        return cli_usage_error("convert", "INPUT and OUTPUT are the same file ('%s'); write to a new name", out);
    if (pretty && out_fmt != DSJ_FORMAT_JSON)
        fprintf(stderr, "dsjson convert: note: --pretty applies to .json output only; ignored\n");
    if ((zlib || level) && out_fmt != DSJ_FORMAT_DSJC)
        fprintf(stderr, "dsjson convert: note: --dsjc-zlib and --level apply to .dsjc output only; ignored\n");

    dsj_error_clear(&err);
    dsj_reader_options_init(&ro);
    ro.on_finding = warn_finding;
    ro.finding_ctx = (void *)in;
    r = dsj_reader_open(in, &ro, &err);
    if (!r) {
        cli_print_error(stderr, "convert", &err, in);
        return DSJ_EXIT_USAGE;
    }

    dsj_writer_options_init(&wo);
    wo.format = out_fmt;
    wo.version = to;
    wo.pretty = pretty;
    wo.compression_level = (int)level;
    wo.dsjc_zlib = zlib;
    wo.on_finding = warn_finding;
    wo.finding_ctx = (void *)in;

    err_file = out;
    sink = dsj_sink_new_path(out, &err);
    if (!sink) goto fail;
    w = dsj_writer_new(sink, &wo, &err);
    if (!w) goto fail;
    if (dsj_writer_begin(w, dsj_reader_meta(r), &err) != DSJ_OK) goto fail;

    cli_progress_init(&prog, "convert");
    while ((st = dsj_reader_next(r, &row, &err)) == DSJ_ROW) {
        if (dsj_writer_write_row(w, row, &err) != DSJ_OK) break;
        cli_progress_update(&prog, row->index, dsj_reader_bytes_read(r));
    }
    cli_progress_end(&prog);
    if (st == DSJ_ROW) goto fail;          /* the writer failed */
    if (st != DSJ_DONE) {                  /* the reader failed */
        err_file = in;
        goto fail;
    }
    if (dsj_writer_end(w, &err) != DSJ_OK) goto fail;
    dsj_writer_free(w);
    dsj_reader_free(r);
    return DSJ_EXIT_OK;

fail:
    if (err.code == DSJ_OK) err.code = DSJ_E_IO;
    cli_print_error(stderr, "convert", &err, err_file);
    dsj_writer_free(w); /* abandons the temporary output; OUTPUT is untouched */
    dsj_reader_free(r);
    return DSJ_EXIT_USAGE;
}
