/*
 * dsjson validate-define [--xsd DIR] [--format text|json] [--max-findings N] DEFINE.xml...
 *
 * Standalone Define-XML 2.0/2.1 validation.  Exit 0: no errors (warnings
 * allowed); 1: errors found; 2: usage error, or a file that cannot be read,
 * is not well-formed XML, or is not a Define-XML 2.x.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: dsjson validate-define [--xsd DIR] [--format text|json] [--max-findings N] DEFINE.xml...\n"
            "  --xsd DIR          also validate against the CDISC XML Schemas found under DIR\n"
            "                     (define2-0-0.xsd / define2-1-0.xsd; arm1-0-0.xsd when ARM is used)\n"
            "  --format FMT       text (default): one line per finding; json: a report object\n"
            "  --max-findings N   list at most N findings per file (default 1000; 0 = all)\n"
            "exit: 0 no errors, 1 errors found, 2 usage error or unreadable / not a Define-XML 2.x\n");
}

static json_object *jstr(const char *s) { return s ? json_object_new_string(s) : NULL; }

static json_object *finding_json(const dsj_finding_t *f)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "rule", jstr(f->rule));
    json_object_object_add(o, "severity", json_object_new_string(dsj_severity_name(f->severity)));
    json_object_object_add(o, "message", jstr(f->message));
    json_object_object_add(o, "file", jstr(f->file));
    json_object_object_add(o, "line", f->line ? json_object_new_int64((int64_t)f->line) : NULL);
    json_object_object_add(o, "column", f->column ? json_object_new_int64((int64_t)f->column) : NULL);
    json_object_object_add(o, "pointer", jstr(f->pointer));
    json_object_object_add(o, "row", f->row ? json_object_new_int64((int64_t)f->row) : NULL);
    json_object_object_add(o, "column_name", jstr(f->column_name));
    return o;
}

/* Text line: "file:line: severity RULE message (at location)". */
static void finding_text(FILE *out, const dsj_finding_t *f)
{
    fprintf(out, "%s:", f->file ? f->file : "-");
    if (f->line) fprintf(out, "%llu:", (unsigned long long)f->line);
    fprintf(out, " %s %s %s", dsj_severity_name(f->severity), f->rule ? f->rule : "-", f->message ? f->message : "");
    if (f->pointer) fprintf(out, " (at %s)", f->pointer);
    fputc('\n', out);
}

int dsj_cmd_validate_define(int argc, char **argv)
{
    const char *xsd = NULL, *format = "text";
    size_t max_findings = 1000;
    int i, first_file = 0, json = 0, rc = DSJ_EXIT_OK;
    json_object *report = NULL, *files = NULL;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            first_file = i + 1;
            break;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return DSJ_EXIT_OK;
        } else if (strcmp(a, "--xsd") == 0 && i + 1 < argc) {
            xsd = argv[++i];
        } else if (strncmp(a, "--xsd=", 6) == 0) {
            xsd = a + 6;
        } else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
            format = argv[++i];
        } else if (strncmp(a, "--format=", 9) == 0) {
            format = a + 9;
        } else if ((strcmp(a, "--max-findings") == 0 && i + 1 < argc) || strncmp(a, "--max-findings=", 15) == 0) {
            const char *v = a[14] == '=' ? a + 15 : argv[++i];
            char *end;
            unsigned long long n;
            errno = 0;
            n = strtoull(v, &end, 10);
            if (!*v || *end || errno || v[0] == '-') {
                fprintf(stderr, "dsjson validate-define: --max-findings needs a non-negative integer, got '%s'\n", v);
                return DSJ_EXIT_USAGE;
            }
            max_findings = (size_t)n;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "dsjson validate-define: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return DSJ_EXIT_USAGE;
        } else {
            first_file = i;
            break;
        }
    }
    if (strcmp(format, "json") == 0) json = 1;
    else if (strcmp(format, "text") != 0) {
        fprintf(stderr, "dsjson validate-define: --format must be text or json, got '%s'\n", format);
        return DSJ_EXIT_USAGE;
    }
    if (!first_file || first_file >= argc) {
        fprintf(stderr, "dsjson validate-define: no DEFINE.xml given\n");
        usage(stderr);
        return DSJ_EXIT_USAGE;
    }
    if (json) {
        report = json_object_new_object();
        files = json_object_new_array();
        json_object_object_add(report, "files", files);
    }
    for (i = first_file; i < argc; i++) {
        const char *path = argv[i];
        dsj_error_t err;
        dsj_define_t *def;
        dsj_findings_t *list = dsj_findings_new(max_findings);
        dsj_status_t st;
        size_t k, kept;
        uint64_t total;
        dsj_error_clear(&err);
        if (!list) {
            fprintf(stderr, "dsjson validate-define: out of memory\n");
            rc = DSJ_EXIT_USAGE;
            break;
        }
        def = dsj_define_load(path, &err);
        if (!def) {
            char buf[1200];
            dsj_error_format(&err, buf, sizeof buf);
            fprintf(stderr, "dsjson validate-define: %s\n", buf);
            if (json) {
                json_object *fo = json_object_new_object();
                json_object_object_add(fo, "file", json_object_new_string(path));
                json_object_object_add(fo, "error", json_object_new_string(buf));
                json_object_array_add(files, fo);
            }
            rc = DSJ_EXIT_USAGE;
            dsj_findings_free(list);
            continue;
        }
        st = dsj_define_validate(def, xsd, dsj_findings_add, list, &err);
        if (st != DSJ_OK) {
            char buf[1200];
            dsj_error_format(&err, buf, sizeof buf);
            fprintf(stderr, "dsjson validate-define: %s\n", buf);
            rc = DSJ_EXIT_USAGE;
        }
        dsj_findings_sort(list);
        kept = dsj_findings_count(list);
        total = dsj_findings_total(list);
        if (json) {
            json_object *fo = json_object_new_object(), *arr = json_object_new_array(), *sum = json_object_new_object();
            json_object_object_add(fo, "file", json_object_new_string(path));
            for (k = 0; k < kept; k++) json_object_array_add(arr, finding_json(dsj_findings_get(list, k)));
            json_object_object_add(fo, "findings", arr);
            json_object_object_add(sum, "error", json_object_new_int64((int64_t)dsj_findings_total_severity(list, DSJ_SEV_ERROR)));
            json_object_object_add(sum, "warning", json_object_new_int64((int64_t)dsj_findings_total_severity(list, DSJ_SEV_WARNING)));
            json_object_object_add(sum, "info", json_object_new_int64((int64_t)dsj_findings_total_severity(list, DSJ_SEV_INFO)));
            json_object_object_add(fo, "summary", sum);
            if (total > kept) json_object_object_add(fo, "omitted", json_object_new_int64((int64_t)(total - kept)));
            json_object_array_add(files, fo);
        } else {
            for (k = 0; k < kept; k++) finding_text(stdout, dsj_findings_get(list, k));
            if (total > kept)
                printf("%s: %llu more findings not shown (--max-findings %zu)\n", path, (unsigned long long)(total - kept),
                       max_findings);
            printf("%s: %llu errors, %llu warnings, %llu notes (Define-XML %s)\n", path,
                   (unsigned long long)dsj_findings_total_severity(list, DSJ_SEV_ERROR),
                   (unsigned long long)dsj_findings_total_severity(list, DSJ_SEV_WARNING),
                   (unsigned long long)dsj_findings_total_severity(list, DSJ_SEV_INFO),
                   dsj_define_version(def) ? dsj_define_version(def)
                                           : (dsj_define_version_kind(def) == DSJ_DEFINE_V2_0 ? "2.0" : "2.1"));
        }
        if (dsj_findings_total_severity(list, DSJ_SEV_ERROR) && rc == DSJ_EXIT_OK) rc = DSJ_EXIT_INVALID;
        dsj_findings_free(list);
        dsj_define_free(def);
    }
    if (json) {
        printf("%s\n", json_object_to_json_string_ext(report, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(report);
    }
    return rc;
}
