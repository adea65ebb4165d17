/*
 * dsjson validate-define [--xsd DIR] [--format text|json] [--max-findings N] DEFINE.xml...
 *
 * Standalone Define-XML 2.0/2.1 validation (library: dsj_define_load,
 * dsj_define_validate; rules in docs/rules.md, "Define-XML rules").
 * Exit 0: no errors (warnings allowed); 1: errors found; 2: usage error, or a
 * file that cannot be read, is not well-formed XML, or is not a Define-XML 2.x
 * (reported as that file's fatal error; the other files are still checked).
 *
 * The report has the shape of `dsjson validate`'s: text, one finding per line
 * "file:line: severity RULE message (at location)" then a summary line per
 * file; JSON {"files":[{"file","version","findings":[...],"summary":{...},
 * "fatal"}],"summary":{...}}.  --max-findings caps the findings listed in the
 * whole run (default 1000, 0 = all); the summary counts every finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { OPT_HELP = 1, OPT_XSD, OPT_FORMAT, OPT_MAX };

static const cli_option_t define_opts[] = {
    {"help", 'h', 0, OPT_HELP},
    {"xsd", 0, 1, OPT_XSD},
    {"format", 0, 1, OPT_FORMAT},
    {"max-findings", 0, 1, OPT_MAX},
    {NULL, 0, 0, 0},
};

static const char define_help[] =
    "usage: dsjson validate-define [--xsd DIR] [--format text|json] [--max-findings N] DEFINE.xml...\n"
    "Validate Define-XML 2.0/2.1 documents on their own: structure, references, uniqueness and the\n"
    "DEF-* rule catalogue (docs/rules.md).\n"
    "  --xsd DIR          also validate against the CDISC XML Schemas found under DIR\n"
    "                     (define2-0-0.xsd / define2-1-0.xsd; arm1-0-0.xsd when ARM is used)\n"
    "  --format FMT       text (default): one line per finding; json: a report object\n"
    "  --max-findings N   list at most N findings in the run (default 1000; 0 = all)\n"
    "exit: 0 no errors, 1 errors found, 2 usage error or a file that is unreadable / not a Define-XML 2.x\n";

typedef struct result {
    const char *path;
    const char *version;  /* def:DefineVersion, or "2.0"/"2.1" from the namespace; NULL when not loaded */
    int fatal;
    dsj_error_t err;
} result_t;

static void text_finding(const dsj_finding_t *f)
{
    printf("%s:", f->file ? f->file : "-");
    if (f->line) printf("%llu:", (unsigned long long)f->line);
    printf(" %s %s %s", dsj_severity_name(f->severity), f->rule ? f->rule : "-", f->message ? f->message : "");
    if (f->pointer && f->pointer[0]) printf(" (at %s)", f->pointer);
    fputc('\n', stdout);
}

static void text_file(const result_t *res, const cli_collect_t *c)
{
    size_t i, n = dsj_findings_count(c->kept);
    for (i = 0; i < n; i++) text_finding(dsj_findings_get(c->kept, i));
    if (c->total > n) printf("... and %llu more findings not shown\n", (unsigned long long)(c->total - n));
    if (res->fatal) {
        const dsj_error_t *e = &res->err;
        printf("%s:", e->file[0] ? e->file : res->path);
        if (e->line) printf("%llu:%llu:", (unsigned long long)e->line, (unsigned long long)e->column);
        printf(" fatal %s %s\n", cli_status_name(e->code), e->text[0] ? e->text : dsj_strerror(e->code));
    }
    printf("%s: %llu %s, %llu %s, %llu info", res->path, (unsigned long long)c->per_sev[DSJ_SEV_ERROR],
           c->per_sev[DSJ_SEV_ERROR] == 1 ? "error" : "errors", (unsigned long long)c->per_sev[DSJ_SEV_WARNING],
           c->per_sev[DSJ_SEV_WARNING] == 1 ? "warning" : "warnings", (unsigned long long)c->per_sev[DSJ_SEV_INFO]);
    if (res->version) printf(" (Define-XML %s)", res->version);
    if (res->fatal) fputs("; stopped by a fatal error", stdout);
    fputc('\n', stdout);
}

static void json_file(cli_json_t *j, const result_t *res, const cli_collect_t *c)
{
    cli_json_begin_object(j);
    cli_json_key(j, "file");
    cli_json_string(j, res->path);
    cli_json_key(j, "version");
    cli_json_string(j, res->version);
    cli_json_findings_tail(j, c, res->fatal ? &res->err : NULL);
    cli_json_end_object(j);
}

/* Load and validate one file; the define version text is copied into vbuf. */
static void check_file(const char *path, const char *xsd, cli_collect_t *c, result_t *res, char *vbuf, size_t vsize)
{
    dsj_define_t *def;
    dsj_status_t st;
    memset(res, 0, sizeof *res);
    res->path = path;
    dsj_error_clear(&res->err);
    def = dsj_define_load(path, &res->err);
    if (!def) {
        res->fatal = 1;
        return;
    }
    snprintf(vbuf, vsize, "%s",
             dsj_define_version(def) ? dsj_define_version(def)
                                     : (dsj_define_version_kind(def) == DSJ_DEFINE_V2_0 ? "2.0" : "2.1"));
    res->version = vbuf;
    st = dsj_define_validate(def, xsd, cli_collect_finding, c, &res->err);
    if (st != DSJ_OK) res->fatal = 1; /* e.g. the schema folder has no entry schema */
    dsj_define_free(def);
}

int dsj_cmd_validate_define(int argc, char **argv)
{
    cli_parser_t p;
    cli_report_format_t fmt = CLI_REPORT_TEXT;
    const char *xsd = NULL;
    uint64_t max_findings = 1000, shown = 0, total = 0, per_sev[3] = {0, 0, 0}, nfiles = 0, unreadable = 0;
    const char **files;
    size_t n = 0, i;
    cli_json_t j;
    int id, exit_code = DSJ_EXIT_OK;

    files = calloc((size_t)argc + 1, sizeof *files);
    if (!files) return DSJ_EXIT_USAGE;
    cli_parser_init(&p, "validate-define", argc, argv, define_opts);
    while ((id = cli_next_option(&p)) != CLI_END) {
        switch (id) {
        case CLI_ERROR:
            free(files);
            return DSJ_EXIT_USAGE;
        case OPT_HELP:
            fputs(define_help, stdout);
            free(files);
            return DSJ_EXIT_OK;
        case OPT_XSD:
            xsd = p.value;
            break;
        case OPT_FORMAT:
            if (cli_parse_report_format("validate-define", p.value, &fmt)) {
                free(files);
                return DSJ_EXIT_USAGE;
            }
            break;
        case OPT_MAX:
            if (cli_parse_count("validate-define", "max-findings", p.value, UINT64_MAX / 2, &max_findings)) {
                free(files);
                return DSJ_EXIT_USAGE;
            }
            break;
        case CLI_OPERAND:
            files[n++] = p.operand;
            break;
        default:
            break;
        }
    }
    if (n == 0) {
        free(files);
        return cli_usage_error("validate-define", "missing DEFINE.xml");
    }
    if (xsd && !cli_path_exists(xsd)) {
        free(files);
        return cli_usage_error("validate-define", "--xsd: no such folder '%s'", xsd);
    }
    if (fmt == CLI_REPORT_JSON) {
        cli_json_init(&j, stdout);
        cli_json_begin_object(&j);
        cli_json_key(&j, "files");
        cli_json_begin_array(&j);
    }
    for (i = 0; i < n; i++) {
        cli_collect_t c;
        result_t res;
        char vbuf[64];
        int k;
        memset(&c, 0, sizeof c);
        c.kept = dsj_findings_new(0);
        if (!c.kept) {
            exit_code = DSJ_EXIT_USAGE;
            break;
        }
        c.limited = max_findings != 0;
        c.budget = max_findings > shown ? max_findings - shown : 0;
        check_file(files[i], xsd, &c, &res, vbuf, sizeof vbuf);
        dsj_findings_sort(c.kept);
        if (fmt == CLI_REPORT_JSON) json_file(&j, &res, &c);
        else text_file(&res, &c);
        fflush(stdout);
        for (k = 0; k < 3; k++) per_sev[k] += c.per_sev[k];
        total += c.total;
        shown += dsj_findings_count(c.kept);
        nfiles++;
        if (res.fatal) {
            unreadable++;
            exit_code = DSJ_EXIT_USAGE;
        } else if (c.per_sev[DSJ_SEV_ERROR] && exit_code == DSJ_EXIT_OK) {
            exit_code = DSJ_EXIT_INVALID;
        }
        dsj_findings_free(c.kept);
    }
    if (fmt == CLI_REPORT_JSON) {
        cli_json_end_array(&j);
        cli_json_key(&j, "summary");
        cli_json_summary_begin(&j, per_sev, total, shown);
        cli_json_key(&j, "files");
        cli_json_uint(&j, nfiles);
        cli_json_key(&j, "unreadable");
        cli_json_uint(&j, unreadable);
        cli_json_end_object(&j);
        cli_json_end_object(&j);
        cli_json_finish(&j);
    }
    free(files);
    return exit_code;
}
