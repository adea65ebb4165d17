/* dsjson check: run a rule file (scripted data checks) over Dataset-JSON files. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char check_help[] =
    "usage: dsjson check --rules RULES.json [--define DEFINE.xml] [--format text|json]\n"
    "                    [--max-findings N] FILE_OR_DIR...\n"
    "\n"
    "Run the rules of a rule file (docs/checks.md, schemas/rules.schema.json) over\n"
    "each dataset, streaming the rows once.  A folder stands for its datasets\n"
    "(.json, .ndjson, .dsjc; one file per dataset name, preferring .json, then\n"
    ".ndjson, then .dsjc).  exists_in rules read the other dataset from the same\n"
    "folder as the checked file.  Findings have the shape of `dsjson validate`;\n"
    "their rule is the rule id.\n"
    "\n"
    "options:\n"
    "  --rules FILE        the rule file (required)\n"
    "  --define FILE       define.xml for in_codelist rules\n"
    "  --format text|json  one line per finding and a summary per file (default),\n"
    "                      or one JSON document for the whole run\n"
    "  --max-findings N    show at most N findings in the whole run (default 1000,\n"
    "                      0 = no limit); the rest are counted\n"
    CLI_LIMIT_HELP
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 no error-severity finding, 1 an error finding, 2 usage error,\n"
    "an unreadable input or a malformed rule file (the message names the rule).\n";

enum { OPT_HELP = 1, OPT_RULES, OPT_DEFINE, OPT_FORMAT, OPT_MAX };

static const cli_option_t check_opts[] = {
    {"help", 'h', 0, OPT_HELP},
    {"rules", 0, 1, OPT_RULES},
    {"define", 0, 1, OPT_DEFINE},
    {"format", 0, 1, OPT_FORMAT},
    {"max-findings", 0, 1, OPT_MAX},
    CLI_LIMIT_OPTIONS,
    {NULL, 0, 0, 0},
};

/* ---------------------------------------------------------------- file list */

typedef struct file_list {
    char **paths;
    size_t n, cap;
} file_list_t;

static int list_add(file_list_t *l, const char *path)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 16;
        char **np = realloc(l->paths, nc * sizeof *np);
        if (!np) return -1;
        l->paths = np;
        l->cap = nc;
    }
    l->paths[l->n] = strdup(path);
    if (!l->paths[l->n]) return -1;
    l->n++;
    return 0;
}

static int ext_rank(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    if (!strcmp(dot, ".json")) return 3;
    if (!strcmp(dot, ".ndjson")) return 2;
    if (!strcmp(dot, ".dsjc")) return 1;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add the datasets of a folder: one file per name, .json before .ndjson before .dsjc, sorted. */
static int list_dir(file_list_t *l, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i, j;
    int rc = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || !ext_rank(e->d_name)) continue;
        if (n == cap) {
            char **nn;
            cap = cap ? cap * 2 : 32;
            nn = realloc(names, cap * sizeof *nn);
            if (!nn) { rc = -1; break; }
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (!names[n]) { rc = -1; break; }
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (i = 0; i < n && rc == 0; i++) {
        const char *dot = strrchr(names[i], '.');
        size_t stem = (size_t)(dot - names[i]);
        int best = 1;
        char path[4096];
        for (j = 0; j < n; j++) {
            const char *d2 = strrchr(names[j], '.');
            if (j != i && (size_t)(d2 - names[j]) == stem && !strncmp(names[i], names[j], stem) &&
                ext_rank(names[j]) > ext_rank(names[i]))
                best = 0;
        }
        if (!best) continue;
        snprintf(path, sizeof path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
        rc = list_add(l, path);
    }
    for (i = 0; i < n; i++) free(names[i]);
    free(names);
    return rc;
}

/* ---------------------------------------------------------------- reports */

/* ---------------------------------------------------------------- command */

int dsj_cmd_check(int argc, char **argv)
{
    cli_parser_t p;
    cli_report_format_t fmt = CLI_REPORT_TEXT;
    const char *rules_path = NULL, *define_path = NULL;
    uint64_t max_findings = 1000, per_tot[3] = {0, 0, 0}, total = 0, shown = 0;
    size_t i, nfiles = 0, unreadable = 0;
    file_list_t files = {NULL, 0, 0};
    dsj_define_t *def = NULL;
    dsj_ruleset_t *rs = NULL;
    dsj_error_t err;
    cli_json_t j;
    int id, exit_code = DSJ_EXIT_OK, k;

    cli_parser_init(&p, "check", argc, argv, check_opts);
    while ((id = cli_next_option(&p)) != CLI_END) {
        switch (id) {
        case CLI_ERROR: exit_code = DSJ_EXIT_USAGE; goto done;
        case OPT_HELP: fputs(check_help, stdout); goto done;
        case OPT_RULES: rules_path = p.value; break;
        case OPT_DEFINE: define_path = p.value; break;
        case OPT_FORMAT:
            if (cli_parse_report_format("check", p.value, &fmt)) { exit_code = DSJ_EXIT_USAGE; goto done; }
            break;
        case OPT_MAX:
            if (cli_parse_count("check", "max-findings", p.value, UINT64_MAX / 2, &max_findings)) {
                exit_code = DSJ_EXIT_USAGE;
                goto done;
            }
            break;
        case CLI_OPERAND: {
            struct stat st;
            nfiles++;
            if (stat(p.operand, &st) == 0 && S_ISDIR(st.st_mode)) {
                if (list_dir(&files, p.operand)) {
                    fprintf(stderr, "dsjson check: cannot list folder %s\n", p.operand);
                    exit_code = DSJ_EXIT_USAGE;
                    goto done;
                }
            } else if (list_add(&files, p.operand)) {
                exit_code = DSJ_EXIT_USAGE;
                goto done;
            }
            break;
        }
        default:
            if (cli_limit_option(&p, id) < 0) { exit_code = DSJ_EXIT_USAGE; goto done; }
            break;
        }
    }
    if (!rules_path) { exit_code = cli_usage_error("check", "missing --rules RULES.json"); goto done; }
    if (nfiles == 0) { exit_code = cli_usage_error("check", "missing FILE_OR_DIR"); goto done; }

    dsj_error_clear(&err);
    rs = dsj_ruleset_load(rules_path, &err);
    if (!rs) {
        cli_print_error(stderr, "check", &err, rules_path);
        exit_code = DSJ_EXIT_USAGE;
        goto done;
    }
    if (define_path) {
        dsj_error_clear(&err);
        def = dsj_define_load(define_path, &err);
        if (!def) {
            cli_print_error(stderr, "check", &err, define_path);
            exit_code = DSJ_EXIT_USAGE;
            goto done;
        }
    }

    if (fmt == CLI_REPORT_JSON) {
        cli_json_init(&j, stdout);
        cli_json_begin_object(&j);
        cli_json_key(&j, "files");
        cli_json_begin_array(&j);
    }
    for (i = 0; i < files.n; i++) {
        cli_collect_t c;
        dsj_check_options_t co;
        dsj_reader_options_t ro;
        dsj_reader_t *r;
        dsj_status_t st = DSJ_OK;
        dsj_format_t format = DSJ_FORMAT_AUTO;
        dsj_version_t version = DSJ_VERSION_UNKNOWN;
        size_t n, f;
        int fatal = 0;

        memset(&c, 0, sizeof c);
        c.kept = dsj_findings_new(0);
        if (!c.kept) { exit_code = DSJ_EXIT_USAGE; break; }
        c.limited = max_findings != 0;
        c.budget = max_findings > shown ? max_findings - shown : 0;

        dsj_error_clear(&err);
        dsj_reader_options_init(&ro);
        cli_apply_limits(&ro);
        dsj_check_options_init(&co);
        co.file = files.paths[i];
        co.define = def;
        co.reader_options = &ro;
        r = dsj_reader_open(files.paths[i], &ro, &err);
        if (r) {
            format = dsj_reader_format(r);
            version = dsj_meta_version(dsj_reader_meta(r));
            st = dsj_check_reader(rs, r, &co, cli_collect_finding, &c, &err);
            dsj_reader_free(r);
        }
        if (!r || st != DSJ_OK) {
            fatal = 1;
            if (err.code == DSJ_OK) err.code = st != DSJ_OK ? st : DSJ_E_IO;
            if (!err.file[0]) snprintf(err.file, sizeof err.file, "%s", files.paths[i]);
        }
        dsj_findings_sort(c.kept);
        n = dsj_findings_count(c.kept);
        if (fmt == CLI_REPORT_JSON) {
            cli_json_begin_object(&j);
            cli_json_key(&j, "file"); cli_json_string(&j, files.paths[i]);
            cli_json_key(&j, "format");
            cli_json_string(&j, format == DSJ_FORMAT_AUTO ? NULL : dsj_format_name(format));
            cli_json_key(&j, "version");
            cli_json_string(&j, version == DSJ_VERSION_UNKNOWN ? NULL : cli_version_name(version));
            cli_json_findings_tail(&j, &c, fatal ? &err : NULL);
            cli_json_end_object(&j);
        } else {
            for (f = 0; f < n; f++) dsj_finding_print(stdout, dsj_findings_get(c.kept, f));
            if (c.total > n) printf("... and %llu more findings not shown\n", (unsigned long long)(c.total - n));
            if (fatal) cli_print_fatal(&err);
            printf("%s: ", files.paths[i]);
            cli_print_counts(c.per_sev);
            if (fatal) fputs("; stopped by a fatal error", stdout);
            fputc('\n', stdout);
        }
        fflush(stdout);
        for (k = 0; k < 3; k++) per_tot[k] += c.per_sev[k];
        total += c.total;
        shown += n;
        if (fatal) {
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
        cli_json_summary_begin(&j, per_tot, total, shown);
        cli_json_key(&j, "files"); cli_json_uint(&j, files.n);
        cli_json_key(&j, "unreadable"); cli_json_uint(&j, unreadable);
        cli_json_end_object(&j);
        cli_json_key(&j, "rules"); cli_json_string(&j, rules_path);
        cli_json_key(&j, "define"); cli_json_string(&j, define_path);
        cli_json_key(&j, "valid"); cli_json_bool(&j, exit_code == DSJ_EXIT_OK);
        cli_json_end_object(&j);
        cli_json_finish(&j);
    } else if (files.n > 1) {
        printf("total: %zu files, ", files.n);
        cli_print_counts(per_tot);
        if (unreadable) printf("; %zu not readable", unreadable);
        fputc('\n', stdout);
    }
    if (fflush(stdout) != 0) exit_code = DSJ_EXIT_USAGE;
done:
    for (i = 0; i < files.n; i++) free(files.paths[i]);
    free(files.paths);
    dsj_ruleset_free(rs);
    dsj_define_free(def);
    return exit_code;
}
