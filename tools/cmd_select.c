/* dsjson select: stream a dataset's rows as CSV, NDJSON or a JSON array, for pipelines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char select_help[] =
    "usage: dsjson select [--columns A,B,...] [--where CONDITION] [--to csv|ndjson|json] FILE\n"
    "\n"
    "Stream the rows of a dataset (any supported format) to stdout, one pass, in\n"
    "bounded memory.\n"
    "\n"
    "options:\n"
    "  --columns A,B     only these columns, in this order (default: all)\n"
    "  --where COND      only rows where the condition holds; the condition language\n"
    "                    of rule files (docs/checks.md), e.g.\n"
    "                    'AESEV == \"SEVERE\" and AESTDTC >= \"2013\"'\n"
    "  --to FORMAT       ndjson (default): one JSON object per row keyed by column\n"
    "                    name, numbers as their exact text; json: one JSON array of\n"
    "                    such objects; csv: RFC 4180 (header line, CRLF line ends,\n"
    "                    fields quoted when they hold a comma, quote, CR or LF;\n"
    "                    null is an empty field)\n"
    "  -h, --help        show this help\n"
    "\n"
    "Exit status: 0 success, 2 usage error, unknown column, bad condition or an\n"
    "unreadable input.\n";

enum { OPT_HELP = 1, OPT_COLUMNS, OPT_WHERE, OPT_TO };

static const cli_option_t select_opts[] = {
    {"help", 'h', 0, OPT_HELP},
    {"columns", 0, 1, OPT_COLUMNS},
    {"where", 0, 1, OPT_WHERE},
    {"to", 0, 1, OPT_TO},
    {NULL, 0, 0, 0},
};

typedef enum out_kind { OUT_NDJSON, OUT_JSON, OUT_CSV } out_kind_t;

static void csv_field(FILE *out, const char *s, size_t n)
{
    size_t i;
    int quote = 0;
    for (i = 0; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') { quote = 1; break; }
    if (!quote) { fwrite(s, 1, n, out); return; }
    fputc('"', out);
    for (i = 0; i < n; i++) {
        if (s[i] == '"') fputc('"', out);
        fputc(s[i], out);
    }
    fputc('"', out);
}

static void json_value(FILE *out, const dsj_cell_t *c)
{
    switch (c->kind) {
    case DSJ_CELL_NULL: fputs("null", out); break;
    case DSJ_CELL_STRING: cli_write_json_string(out, c->text, c->len); break;
    default: fwrite(c->text, 1, c->len, out); break; /* numbers, booleans, raw JSON: exact text */
    }
}

/* Split "A,B" into column indices of meta; prints the error and returns -1 for an unknown name. */
static int parse_columns(const char *list, const dsj_meta_t *meta, long **idx, size_t *n)
{
    const char *s = list;
    size_t cap = 8;
    *n = 0;
    *idx = malloc(cap * sizeof **idx);
    if (!*idx) return -1;
    for (;;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        char name[512];
        long k;
        snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name ? len : sizeof name - 1), s);
        k = dsj_meta_find_column(meta, name);
        if (k < 0) {
            fprintf(stderr, "dsjson select: no column '%s' in dataset %s\n", name,
                    dsj_meta_get(meta, DSJ_META_NAME) ? dsj_meta_get(meta, DSJ_META_NAME) : "(unnamed)");
            return -1;
        }
        if (*n == cap) {
            long *ni = realloc(*idx, cap * 2 * sizeof *ni);
            if (!ni) return -1;
            *idx = ni;
            cap *= 2;
        }
        (*idx)[(*n)++] = k;
        if (!e) break;
        s = e + 1;
    }
    return 0;
}

int dsj_cmd_select(int argc, char **argv)
{
    cli_parser_t p;
    const char *columns = NULL, *where = NULL, *file = NULL;
    out_kind_t to = OUT_NDJSON;
    dsj_condition_t *cond = NULL;
    dsj_condition_eval_t *ev = NULL;
    dsj_reader_t *r = NULL;
    dsj_reader_options_t ro;
    const dsj_meta_t *meta;
    const dsj_row_t *row;
    dsj_error_t err;
    dsj_status_t st;
    long *idx = NULL;
    size_t ncols = 0, i, emitted = 0;
    int id, rc = DSJ_EXIT_OK;
    FILE *out = stdout;

    cli_parser_init(&p, "select", argc, argv, select_opts);
    while ((id = cli_next_option(&p)) != CLI_END) {
        switch (id) {
        case CLI_ERROR: return DSJ_EXIT_USAGE;
        case OPT_HELP: fputs(select_help, stdout); return DSJ_EXIT_OK;
        case OPT_COLUMNS: columns = p.value; break;
        case OPT_WHERE: where = p.value; break;
        case OPT_TO:
            if (!strcmp(p.value, "csv")) to = OUT_CSV;
            else if (!strcmp(p.value, "ndjson")) to = OUT_NDJSON;
            else if (!strcmp(p.value, "json")) to = OUT_JSON;
            else return cli_usage_error("select", "--to must be csv, ndjson or json, not '%s'", p.value);
            break;
        case CLI_OPERAND:
            if (file) return cli_usage_error("select", "give one FILE");
            file = p.operand;
            break;
        default: break;
        }
    }
    if (!file) return cli_usage_error("select", "missing FILE");
    dsj_error_clear(&err);
    if (where) {
        cond = dsj_condition_parse(where, &err);
        if (!cond) {
            fprintf(stderr, "dsjson select: --where: %s\n", err.text);
            return DSJ_EXIT_USAGE;
        }
    }
    dsj_reader_options_init(&ro);
    ro.on_finding = cli_reader_finding_stderr; /* duplicate keys and bad UTF-8 are reported, not silently resolved */
    ro.finding_ctx = (void *)file;
    r = dsj_reader_open(file, &ro, &err);
    if (!r) {
        cli_print_error(stderr, "select", &err, file);
        dsj_condition_free(cond);
        return DSJ_EXIT_USAGE;
    }
    meta = dsj_reader_meta(r);
    if (columns) {
        if (parse_columns(columns, meta, &idx, &ncols)) { rc = DSJ_EXIT_USAGE; goto done; }
    } else {
        ncols = dsj_meta_ncolumns(meta);
        idx = malloc((ncols ? ncols : 1) * sizeof *idx);
        if (!idx) { rc = DSJ_EXIT_USAGE; goto done; }
        for (i = 0; i < ncols; i++) idx[i] = (long)i;
    }
    if (cond) {
        ev = dsj_condition_bind(cond, meta, &err);
        if (!ev) {
            fprintf(stderr, "dsjson select: --where: %s\n", err.text);
            rc = DSJ_EXIT_USAGE;
            goto done;
        }
    }
    if (to == OUT_CSV) {
        for (i = 0; i < ncols; i++) {
            const char *nm = dsj_meta_column(meta, (size_t)idx[i])->name;
            if (i) fputc(',', out);
            csv_field(out, nm ? nm : "", nm ? strlen(nm) : 0);
        }
        fputs("\r\n", out);
    } else if (to == OUT_JSON) {
        fputs("[", out);
    }
    while ((st = dsj_reader_next(r, &row, &err)) == DSJ_ROW) {
        if (ev && !dsj_condition_eval(ev, row)) continue;
        if (to == OUT_CSV) {
            for (i = 0; i < ncols; i++) {
                const dsj_cell_t *c = (size_t)idx[i] < row->ncells ? &row->cells[idx[i]] : NULL;
                if (i) fputc(',', out);
                if (c && c->kind != DSJ_CELL_NULL) csv_field(out, c->text, c->len);
            }
            fputs("\r\n", out);
        } else {
            if (to == OUT_JSON) fputs(emitted ? ",\n" : "\n", out);
            fputc('{', out);
            for (i = 0; i < ncols; i++) {
                const char *nm = dsj_meta_column(meta, (size_t)idx[i])->name;
                static const dsj_cell_t null_cell = {DSJ_CELL_NULL, NULL, 0, 0, 0, 0};
                const dsj_cell_t *c = (size_t)idx[i] < row->ncells ? &row->cells[idx[i]] : &null_cell;
                if (i) fputc(',', out);
                cli_write_json_string(out, nm ? nm : "", nm ? strlen(nm) : 0);
                fputc(':', out);
                json_value(out, c);
            }
            fputc('}', out);
            if (to == OUT_NDJSON) fputc('\n', out);
        }
        emitted++;
        if (ferror(out)) break; /* a full disk or a file-size limit: stop reading, report below */
    }
    if (to == OUT_JSON) fputs(emitted ? "\n]\n" : "]\n", out);
    if (ferror(out)) {
        fprintf(stderr, "dsjson select: cannot write the output: %s\n", strerror(errno));
        rc = DSJ_EXIT_USAGE;
    } else if (st != DSJ_DONE) {
        fflush(out);
        cli_print_error(stderr, "select", &err, file);
        rc = DSJ_EXIT_USAGE;
    }
done:
    if (fflush(out) != 0) {
        if (rc == DSJ_EXIT_OK) fprintf(stderr, "dsjson select: cannot write the output: %s\n", strerror(errno));
        rc = DSJ_EXIT_USAGE;
    }
    free(idx);
    dsj_condition_eval_free(ev);
    dsj_condition_free(cond);
    dsj_reader_free(r);
    return rc;
}
