/* dsjson validate: check Dataset-JSON files, optionally against a define.xml. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char validate_help[] =
    "usage: dsjson validate [--define DEFINE.xml] [--format text|json] [--max-findings N]\n"
    "                       [--lenient] FILE...\n"
    "\n"
    "Check each Dataset-JSON file (1.0 or 1.1; .json, .ndjson or .dsjc, detected\n"
    "from the content) against the Dataset-JSON rules (docs/rules.md), streaming\n"
    "the rows.  Every finding names its rule, severity, file, line:column, JSON\n"
    "pointer and, for data, the row number and column name.\n"
    "\n"
    "options:\n"
    "  --define FILE       also check each dataset against this Define-XML 2.0/2.1\n"
    "  --format text|json  one line per finding and a summary per file (default),\n"
    "                      or one JSON document for the whole run\n"
    "  --max-findings N    show at most N findings in the whole run (default 1000,\n"
    "                      0 = no limit); the rest are counted\n"
    "  --lenient           read elided array elements ([1,,2]) as null, with a\n"
    "                      warning, instead of a syntax error\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 valid (warnings and info allowed), 1 an error finding in any\n"
    "file, 2 usage error or an unreadable input (missing file, syntax error,\n"
    "corrupt compression); the other files are still checked.\n";

enum { OPT_HELP = 1, OPT_DEFINE, OPT_FORMAT, OPT_MAX, OPT_LENIENT };

static const cli_option_t validate_opts[] = {
    {"help", 'h', 0, OPT_HELP},
    {"define", 0, 1, OPT_DEFINE},
    {"format", 0, 1, OPT_FORMAT},
    {"max-findings", 0, 1, OPT_MAX},
    {"lenient", 0, 0, OPT_LENIENT},
    {NULL, 0, 0, 0},
};

/* Findings of one file, gated by the budget of the whole run. */
typedef struct collect {
    dsj_findings_t *kept;     /* unlimited list; only budgeted findings enter */
    uint64_t budget;          /* findings still allowed in the run (when limited) */
    int limited;
    uint64_t per_sev[3];      /* every finding of the file, shown or not */
    uint64_t total;
} collect_t;

static int collect_finding(const dsj_finding_t *f, void *ctx)
{
    collect_t *c = ctx;
    c->total++;
    if ((unsigned)f->severity <= DSJ_SEV_ERROR) c->per_sev[f->severity]++;
    if (c->limited) {
        if (c->budget == 0) return 0;
        c->budget--;
    }
    dsj_findings_add(f, c->kept);
    return 0;
}

/* Result of one file. */
typedef struct file_result {
    const char *path;
    dsj_format_t format;       /* AUTO when unknown */
    dsj_version_t version;
    int fatal;                 /* the file could not be read to the end */
    dsj_error_t err;
} file_result_t;

typedef struct run_totals {
    uint64_t per_sev[3];
    uint64_t total, shown;
    size_t files, unreadable;
} run_totals_t;

/*
 * Validate one file: reader (with the reader-level findings), validator on
 * the metadata, every row, end-of-data checks.  This is what
 * dsj_validate_source does; the CLI drives the steps itself to know the
 * detected format and version and to show progress.
 */
static void validate_file(const char *path, unsigned read_flags, const dsj_define_t *def, collect_t *c,
                          file_result_t *res)
{
    dsj_reader_options_t ro;
    dsj_validate_options_t vo;
    dsj_source_t *src;
    dsj_reader_t *r;
    dsj_validator_t *v = NULL;
    const dsj_row_t *row;
    dsj_status_t st;
    cli_progress_t prog;
    char label[300];

    memset(res, 0, sizeof *res);
    res->path = path;
    dsj_error_clear(&res->err);

    dsj_reader_options_init(&ro);
    ro.flags = read_flags;
    ro.on_finding = collect_finding;
    ro.finding_ctx = c;
    dsj_validate_options_init(&vo);
    vo.file = path;
    vo.define = def;

    src = dsj_source_new_path(path, &res->err);
    if (!src) goto fatal;
    r = dsj_reader_new(src, &ro, &res->err);
    if (!r) goto fatal;
    res->format = dsj_reader_format(r);
    res->version = dsj_meta_version(dsj_reader_meta(r));

    v = dsj_validator_new(&vo, collect_finding, c);
    if (!v) {
        dsj_reader_free(r);
        res->err.code = DSJ_E_NOMEM;
        goto fatal;
    }
    st = dsj_validator_meta(v, r);
    if (st != DSJ_OK) goto fatal_status;

    snprintf(label, sizeof label, "validate %s", cli_basename(path));
    cli_progress_init(&prog, label);
    while ((st = dsj_reader_next(r, &row, &res->err)) == DSJ_ROW) {
        st = dsj_validator_row(v, row);
        if (st != DSJ_OK) break;
        cli_progress_update(&prog, row->index, dsj_reader_bytes_read(r));
    }
    cli_progress_end(&prog);
    if (st != DSJ_DONE) {
        if (st == DSJ_OK || st == DSJ_ROW) st = DSJ_E_STATE;
        goto fatal_status;
    }
    st = dsj_validator_end(v);
    if (st != DSJ_OK) goto fatal_status;
    dsj_validator_free(v);
    dsj_reader_free(r);
    return;

fatal_status:
    if (res->err.code == DSJ_OK) {
        res->err.code = st;
        snprintf(res->err.text, sizeof res->err.text, "%s", dsj_strerror(st));
    }
    dsj_validator_free(v);
    dsj_reader_free(r);
fatal:
    if (res->err.code == DSJ_OK) res->err.code = DSJ_E_IO;
    if (!res->err.file[0]) snprintf(res->err.file, sizeof res->err.file, "%s", path);
    res->fatal = 1;
}

/* ---------------------------------------------------------------- text report */

static void plural(uint64_t n, const char *one, const char *many)
{
    printf("%llu %s", (unsigned long long)n, n == 1 ? one : many);
}

static void text_counts(const uint64_t per_sev[3])
{
    plural(per_sev[DSJ_SEV_ERROR], "error", "errors");
    fputs(", ", stdout);
    plural(per_sev[DSJ_SEV_WARNING], "warning", "warnings");
    printf(", %llu info", (unsigned long long)per_sev[DSJ_SEV_INFO]);
}

static void text_fatal(const dsj_error_t *e)
{
    fputs(e->file, stdout);
    fputc(':', stdout);
    if (e->line) printf("%llu:%llu:", (unsigned long long)e->line, (unsigned long long)e->column);
    else if (e->offset) printf("byte %llu:", (unsigned long long)e->offset);
    printf(" fatal %s %s", cli_status_name(e->code), e->text[0] ? e->text : dsj_strerror(e->code));
    if (e->pointer[0]) printf(" (at %s)", e->pointer);
    fputc('\n', stdout);
}

static void text_file(const file_result_t *res, const collect_t *c)
{
    size_t i, n = dsj_findings_count(c->kept);
    for (i = 0; i < n; i++) dsj_finding_print(stdout, dsj_findings_get(c->kept, i));
    if (c->total > n)
        printf("... and %llu more findings not shown\n", (unsigned long long)(c->total - n));
    if (res->fatal) text_fatal(&res->err);
    printf("%s: ", res->path);
    text_counts(c->per_sev);
    if (res->fatal) fputs("; stopped by a fatal error", stdout);
    fputc('\n', stdout);
}

/* ---------------------------------------------------------------- json report */

static void json_summary(cli_json_t *j, const uint64_t per_sev[3], uint64_t total, uint64_t shown)
{
    cli_json_begin_object(j);
    cli_json_key(j, "error"); cli_json_uint(j, per_sev[DSJ_SEV_ERROR]);
    cli_json_key(j, "warning"); cli_json_uint(j, per_sev[DSJ_SEV_WARNING]);
    cli_json_key(j, "info"); cli_json_uint(j, per_sev[DSJ_SEV_INFO]);
    cli_json_key(j, "total"); cli_json_uint(j, total);
    cli_json_key(j, "shown"); cli_json_uint(j, shown);
}

static void json_file(cli_json_t *j, const file_result_t *res, const collect_t *c)
{
    size_t i, n = dsj_findings_count(c->kept);
    cli_json_begin_object(j);
    cli_json_key(j, "file"); cli_json_string(j, res->path);
    cli_json_key(j, "format");
    cli_json_string(j, res->format == DSJ_FORMAT_AUTO ? NULL : dsj_format_name(res->format));
    cli_json_key(j, "version");
    cli_json_string(j, res->version == DSJ_VERSION_UNKNOWN ? NULL : cli_version_name(res->version));
    cli_json_key(j, "findings");
    cli_json_begin_array(j);
    for (i = 0; i < n; i++) cli_json_finding(j, dsj_findings_get(c->kept, i));
    cli_json_end_array(j);
    cli_json_key(j, "summary");
    json_summary(j, c->per_sev, c->total, n);
    cli_json_end_object(j);
    cli_json_key(j, "fatal");
    if (res->fatal) cli_json_error(j, &res->err);
    else cli_json_null(j);
    cli_json_end_object(j);
}

/* ---------------------------------------------------------------- command */

int dsj_cmd_validate(int argc, char **argv)
{
    cli_parser_t p;
    cli_report_format_t fmt = CLI_REPORT_TEXT;
    const char *define_path = NULL;
    uint64_t max_findings = 1000;
    unsigned read_flags = 0;
    const char **files;
    size_t nfiles = 0, i;
    dsj_define_t *def = NULL;
    run_totals_t tot;
    cli_json_t j;
    int id, exit_code = DSJ_EXIT_OK;

    files = calloc((size_t)argc + 1, sizeof *files);
    if (!files) return DSJ_EXIT_USAGE;
    cli_parser_init(&p, "validate", argc, argv, validate_opts);
    while ((id = cli_next_option(&p)) != CLI_END) {
        switch (id) {
        case CLI_ERROR: free(files); return DSJ_EXIT_USAGE;
        case OPT_HELP: fputs(validate_help, stdout); free(files); return DSJ_EXIT_OK;
        case OPT_DEFINE: define_path = p.value; break;
        case OPT_FORMAT:
            if (cli_parse_report_format("validate", p.value, &fmt)) { free(files); return DSJ_EXIT_USAGE; }
            break;
        case OPT_MAX:
            if (cli_parse_count("validate", "max-findings", p.value, UINT64_MAX / 2, &max_findings)) {
                free(files);
                return DSJ_EXIT_USAGE;
            }
            break;
        case OPT_LENIENT: read_flags |= DSJ_READ_LENIENT; break;
        case CLI_OPERAND: files[nfiles++] = p.operand; break;
        default: break;
        }
    }
    if (nfiles == 0) {
        free(files);
        return cli_usage_error("validate", "missing FILE");
    }

    if (define_path) {
        dsj_error_t err;
        dsj_error_clear(&err);
        def = dsj_define_load(define_path, &err);
        if (!def) {
            cli_print_error(stderr, "validate", &err, define_path);
            free(files);
            return DSJ_EXIT_USAGE;
        }
    }
    /* TODO(define): without --define, a dataset's metaDataRef could name the
       define.xml to use; the library has no resolver for it yet, so the
       define checks run only when --define is given. */

    memset(&tot, 0, sizeof tot);
    if (fmt == CLI_REPORT_JSON) {
        cli_json_init(&j, stdout);
        cli_json_begin_object(&j);
        cli_json_key(&j, "files");
        cli_json_begin_array(&j);
    }
    for (i = 0; i < nfiles; i++) {
        collect_t c;
        file_result_t res;
        int k;
        memset(&c, 0, sizeof c);
        c.kept = dsj_findings_new(0);
        if (!c.kept) { exit_code = DSJ_EXIT_USAGE; break; }
        c.limited = max_findings != 0;
        c.budget = max_findings > tot.shown ? max_findings - tot.shown : 0;

        validate_file(files[i], read_flags, def, &c, &res);
        /* Metadata findings first, then by row and position (stable). */
        dsj_findings_sort(c.kept);

        if (fmt == CLI_REPORT_JSON) json_file(&j, &res, &c);
        else text_file(&res, &c);
        fflush(stdout);

        for (k = 0; k < 3; k++) tot.per_sev[k] += c.per_sev[k];
        tot.total += c.total;
        tot.shown += dsj_findings_count(c.kept);
        tot.files++;
        if (res.fatal) {
            tot.unreadable++;
            exit_code = DSJ_EXIT_USAGE;
        } else if (c.per_sev[DSJ_SEV_ERROR] && exit_code == DSJ_EXIT_OK) {
            exit_code = DSJ_EXIT_INVALID;
        }
        dsj_findings_free(c.kept);
    }

    if (fmt == CLI_REPORT_JSON) {
        cli_json_end_array(&j);
        cli_json_key(&j, "summary");
        json_summary(&j, tot.per_sev, tot.total, tot.shown);
        cli_json_key(&j, "files"); cli_json_uint(&j, tot.files);
        cli_json_key(&j, "unreadable"); cli_json_uint(&j, tot.unreadable);
        cli_json_end_object(&j);
        cli_json_key(&j, "define"); cli_json_string(&j, define_path);
        cli_json_key(&j, "valid"); cli_json_bool(&j, exit_code == DSJ_EXIT_OK);
        cli_json_end_object(&j);
        cli_json_finish(&j);
    } else if (nfiles > 1) {
        printf("total: %zu files, ", tot.files);
        text_counts(tot.per_sev);
        if (tot.unreadable) printf("; %zu not readable", tot.unreadable);
        fputc('\n', stdout);
    }
    dsj_define_free(def);
    free(files);
    if (fflush(stdout) != 0) return DSJ_EXIT_USAGE;
    return exit_code;
}
