/* dsjson validate: check Dataset-JSON files, optionally against a define.xml. */
#include <dirent.h>
#include <libxml/parser.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static const char validate_help[] =
    "usage: dsjson validate [--define DEFINE.xml | --no-define-ref] [--format text|json]\n"
    "                       [--max-findings N] [--lenient] [--jobs N] FILE_OR_DIR...\n"
    "\n"
    "Check each Dataset-JSON file (1.0 or 1.1; .json, .ndjson or .dsjc, detected\n"
    "from the content) against the Dataset-JSON rules (docs/rules.md), streaming\n"
    "the rows.  Every finding names its rule, severity, file, line:column, JSON\n"
    "pointer and, for data, the row number and column name.\n"
    "\n"
    "options:\n"
    "  --define FILE       also check each dataset against this Define-XML 2.0/2.1\n"
    "  --no-define-ref     without --define, do not follow a dataset's metaDataRef\n"
    "                      (by default a metaDataRef naming a local define.xml,\n"
    "                      relative to the dataset file, is loaded and used)\n"
    "  --format text|json  one line per finding and a summary per file (default),\n"
    "                      or one JSON document for the whole run\n"
    "  --max-findings N    show at most N findings in the whole run (default 1000,\n"
    "                      0 = no limit); the rest are counted\n"
    "  --lenient           read elided array elements ([1,,2]) as null, with a\n"
    "                      warning, instead of a syntax error\n"
    CLI_LIMIT_HELP
    "  -j, --jobs N        check up to N files at the same time (threads; default 1);\n"
    "                      the report is the same, in the same order, as with 1\n"
    "  -h, --help          show this help\n"
    "\n"
    "A folder stands for the .json, .ndjson and .dsjc files in it (sorted by name);\n"
    "with a define (given or found through metaDataRef) the folder is also checked\n"
    "as a study: datasets the define lists but the folder lacks, and dataset files\n"
    "the define does not describe (docs/rules-define-check.md).\n"
    "\n"
    "Exit status: 0 valid (warnings and info allowed), 1 an error finding in any\n"
    "file, 2 usage error or an unreadable input (missing file, syntax error,\n"
    "corrupt compression); the other files are still checked.\n";

enum { OPT_HELP = 1, OPT_DEFINE, OPT_FORMAT, OPT_MAX, OPT_LENIENT, OPT_NO_REF, OPT_JOBS };

#define MAX_JOBS 256

static const cli_option_t validate_opts[] = {
    {"help", 'h', 0, OPT_HELP},
    {"define", 0, 1, OPT_DEFINE},
    {"format", 0, 1, OPT_FORMAT},
    {"max-findings", 0, 1, OPT_MAX},
    {"lenient", 0, 0, OPT_LENIENT},
    {"no-define-ref", 0, 0, OPT_NO_REF},
    {"jobs", 'j', 1, OPT_JOBS},
    CLI_LIMIT_OPTIONS,
    {NULL, 0, 0, 0},
};

/* Result of one file. */
typedef struct file_result {
    const char *path;
    dsj_format_t format;       /* AUTO when unknown */
    dsj_version_t version;
    int fatal;                 /* the file could not be read to the end */
    dsj_error_t err;
    char *ig_oid;              /* itemGroupOID and name of the dataset [owned], for the study check */
    char *name;
    const dsj_define_t *define; /* the define the file was checked against, or NULL */
} file_result_t;

/* Deliver a finding of the CLI's own (metaDataRef, study check) to the collector. */
static void emit(cli_collect_t *c, const char *rule, dsj_severity_t sev, const char *file, uint64_t line,
                 uint64_t column, uint64_t offset, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));
static void emit(cli_collect_t *c, const char *rule, dsj_severity_t sev, const char *file, uint64_t line,
                 uint64_t column, uint64_t offset, const char *pointer, const char *fmt, ...)
{
    dsj_finding_t f;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memset(&f, 0, sizeof f);
    f.rule = rule;
    f.severity = sev;
    f.message = msg;
    f.file = file;
    f.line = line;
    f.column = column;
    f.offset = offset;
    f.pointer = pointer;
    cli_collect_finding(&f, c);
}

/* Defines loaded through metaDataRef, each once per run. */
typedef struct define_slot {
    char *path;
    dsj_define_t *def;         /* NULL when loading failed */
    dsj_error_t err;
} define_slot_t;

typedef struct define_ctx {
    const dsj_define_t *given; /* --define */
    int follow_ref;            /* no --no-define-ref */
    define_slot_t *slots;
    size_t nslots;
    pthread_mutex_t *lock;     /* [borrowed] held around the cache with --jobs, else NULL */
} define_ctx_t;

static const dsj_define_t *define_cached(define_ctx_t *dc, const char *path, const dsj_error_t **err)
{
    define_slot_t *p;
    size_t i;
    for (i = 0; i < dc->nslots; i++)
        if (!strcmp(dc->slots[i].path, path) || cli_same_file(dc->slots[i].path, path)) {
            *err = &dc->slots[i].err;
            return dc->slots[i].def;
        }
    p = realloc(dc->slots, (dc->nslots + 1) * sizeof *p);
    if (!p) return NULL;
    dc->slots = p;
    p = &dc->slots[dc->nslots];
    dsj_error_clear(&p->err);
    p->path = strdup(path);
    if (!p->path) return NULL;
    p->def = dsj_define_load(path, &p->err);
    dc->nslots++;
    *err = &p->err;
    return p->def;
}

static void define_ctx_free(define_ctx_t *dc)
{
    size_t i;
    for (i = 0; i < dc->nslots; i++) {
        free(dc->slots[i].path);
        dsj_define_free(dc->slots[i].def);
    }
    free(dc->slots);
}

/*
 * The define for a dataset given without --define: its metaDataRef resolved
 * relative to the dataset file (never over the network).  Problems are
 * warnings (DXC-DEFINE-REF); the dataset is then checked without a define.
 * Uses the metadata available before the first row.
 */
static const dsj_define_t *define_from_ref(define_ctx_t *dc, const dsj_reader_t *r, const char *path, cli_collect_t *c)
{
    const dsj_meta_t *m = dsj_reader_meta(r);
    const char *ref = dsj_meta_get(m, DSJ_META_METADATA_REF);
    const dsj_define_t *def;
    const dsj_error_t *lerr = NULL;
    dsj_error_t err;
    char pointer[64];
    uint64_t line = 0, col = 0, off = 0;
    char *resolved;
    if (!ref) return NULL;
    if (dsj_meta_version(m) == DSJ_V1_0)
        snprintf(pointer, sizeof pointer, "/%s/metaDataRef",
                 dsj_meta_is_reference_data(m) ? "referenceData" : "clinicalData");
    else
        snprintf(pointer, sizeof pointer, "/metaDataRef");
    dsj_reader_meta_position(r, pointer, &line, &col, &off);
    dsj_error_clear(&err);
    resolved = dsj_define_resolve_metadataref(m, path, NULL, NULL, &err);
    if (!resolved) {
        emit(c, "DXC-DEFINE-REF", DSJ_SEV_WARNING, path, line, col, off, pointer,
                 "metaDataRef \"%s\" does not lead to a local define.xml (%s); the dataset was checked "
                 "without a define (use --define)", ref, err.text[0] ? err.text : dsj_strerror(err.code));
        return NULL;
    }
    /* With --jobs the cache is shared: the lock covers the lookup and the use of *lerr (a slot
       that another thread's insertion may move). */
    if (dc->lock) pthread_mutex_lock(dc->lock);
    def = define_cached(dc, resolved, &lerr);
    if (!def) {
        emit(c, "DXC-DEFINE-REF", DSJ_SEV_WARNING, path, line, col, off, pointer,
                 "metaDataRef \"%s\" names %s, which cannot be used as a define (%s); the dataset was checked "
                 "without a define", ref, resolved, lerr && lerr->text[0] ? lerr->text : "out of memory");
    } else {
        emit(c, "DXC-DEFINE-REF-USED", DSJ_SEV_INFO, path, line, col, off, pointer,
                 "checked against %s, found through metaDataRef \"%s\" (--define picks another, "
                 "--no-define-ref skips it)", resolved, ref);
    }
    if (dc->lock) pthread_mutex_unlock(dc->lock);
    free(resolved);
    return def;
}

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
static void validate_file(const char *path, unsigned read_flags, define_ctx_t *dc, cli_collect_t *c,
                          file_result_t *res, int progress)
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
    cli_apply_limits(&ro);
    ro.flags = read_flags;
    ro.on_finding = cli_collect_finding;
    ro.finding_ctx = c;
    ro.define = dc->given; /* Dataset-XML takes its column types from the define */
    dsj_validate_options_init(&vo);
    vo.file = path;

    src = dsj_source_new_path(path, &res->err);
    if (!src) goto fatal;
    r = dsj_reader_new(src, &ro, &res->err);
    if (!r) goto fatal;
    res->format = dsj_reader_format(r);
    res->version = dsj_meta_version(dsj_reader_meta(r));
    vo.define = dc->given;
    if (!vo.define && dc->follow_ref) vo.define = define_from_ref(dc, r, path, c);
    res->define = vo.define;

    v = dsj_validator_new(&vo, cli_collect_finding, c);
    if (!v) {
        dsj_reader_free(r);
        res->err.code = DSJ_E_NOMEM;
        goto fatal;
    }
    st = dsj_validator_meta(v, r);
    if (st != DSJ_OK) goto fatal_status;

    snprintf(label, sizeof label, "validate %s", cli_basename(path));
    if (progress) cli_progress_init(&prog, label);
    while ((st = dsj_reader_next(r, &row, &res->err)) == DSJ_ROW) {
        st = dsj_validator_row(v, row);
        if (st != DSJ_OK) break;
        if (progress) cli_progress_update(&prog, row->index, dsj_reader_bytes_read(r));
    }
    if (progress) cli_progress_end(&prog);
    if (st != DSJ_DONE) {
        if (st == DSJ_OK || st == DSJ_ROW) st = DSJ_E_STATE;
        goto fatal_status;
    }
    st = dsj_validator_end(v);
    if (st != DSJ_OK) goto fatal_status;
    /* identity for the study check (complete now: attributes after the rows are in) */
    res->ig_oid = dsj_meta_get(dsj_reader_meta(r), DSJ_META_ITEMGROUP_OID)
                      ? strdup(dsj_meta_get(dsj_reader_meta(r), DSJ_META_ITEMGROUP_OID)) : NULL;
    res->name = dsj_meta_get(dsj_reader_meta(r), DSJ_META_NAME)
                    ? strdup(dsj_meta_get(dsj_reader_meta(r), DSJ_META_NAME)) : NULL;
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

static void text_file(const file_result_t *res, const cli_collect_t *c)
{
    size_t i, n = dsj_findings_count(c->kept);
    for (i = 0; i < n; i++) dsj_finding_print(stdout, dsj_findings_get(c->kept, i));
    if (c->total > n)
        printf("... and %llu more findings not shown\n", (unsigned long long)(c->total - n));
    if (res->fatal) cli_print_fatal(&res->err);
    printf("%s: ", res->path);
    cli_print_counts(c->per_sev);
    if (res->fatal) fputs("; stopped by a fatal error", stdout);
    fputc('\n', stdout);
}

/* ---------------------------------------------------------------- json report */

static void json_file(cli_json_t *j, const file_result_t *res, const cli_collect_t *c)
{
    cli_json_begin_object(j);
    cli_json_key(j, "file"); cli_json_string(j, res->path);
    cli_json_key(j, "format");
    cli_json_string(j, res->format == DSJ_FORMAT_AUTO ? NULL : dsj_format_name(res->format));
    cli_json_key(j, "version");
    cli_json_string(j, res->version == DSJ_VERSION_UNKNOWN ? NULL : cli_version_name(res->version));
    cli_json_findings_tail(j, c, res->fatal ? &res->err : NULL);
    cli_json_end_object(j);
}

/* ---------------------------------------------------------------- folders */

/* One input: a file named on the command line, or a dataset file of a folder. */
typedef struct input {
    char *path;                /* [owned] */
    long dir;                  /* index into the folder list, or -1 */
} input_t;

typedef struct study_dir {
    const char *path;          /* as given */
    size_t first, count;       /* its inputs */
} study_dir_t;

static int has_dataset_ext(const char *name)
{
    return dsj_format_is_dataset_json(dsj_format_from_path(name));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the dataset files of dir (sorted) to *in; returns -1 when it cannot be read. */
static int expand_dir(const char *dir, input_t **in, size_t *n, size_t *cap, long dir_index)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t nn = 0, cn = 0, k;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) {
        char full[4096];
        struct stat st;
        if (e->d_name[0] == '.' || !has_dataset_ext(e->d_name)) continue;
        snprintf(full, sizeof full, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (nn == cn) {
            char **q = realloc(names, (cn = cn ? cn * 2 : 16) * sizeof *q);
            if (!q) break;
            names = q;
        }
        if (!(names[nn] = strdup(full))) break;
        nn++;
    }
    closedir(d);
    if (nn) qsort(names, nn, sizeof *names, cmp_str);
    for (k = 0; k < nn; k++) {
        if (*n == *cap) {
            input_t *q = realloc(*in, (*cap = *cap * 2 + 8) * sizeof *q);
            if (!q) { free(names[k]); continue; }
            *in = q;
        }
        (*in)[*n].path = names[k];
        (*in)[(*n)++].dir = dir_index;
    }
    free(names);
    return 0;
}

/*
 * Study check of a folder against its define: every ItemGroupDef should have
 * a dataset file (DXC-STUDY-MISSING-DATASET: warning, info when the define
 * says def:HasNoData="Yes"), and every dataset file should be described by
 * the define (DXC-STUDY-EXTRA-DATASET: warning; the file's own findings say
 * more).  Datasets are matched by itemGroupOID, else by name; the same dataset
 * in several formats counts once.
 */
static void study_check(const study_dir_t *sd, const file_result_t *res, const dsj_define_t *def, cli_collect_t *c)
{
    size_t g, k, ng = dsj_define_itemgroup_count(def);
    for (g = 0; g < ng; g++) {
        const dsj_define_itemgroup_t *ig = dsj_define_itemgroup_at(def, g);
        int found = 0;
        for (k = 0; k < sd->count && !found; k++) {
            const file_result_t *r = &res[sd->first + k];
            if ((r->ig_oid && ig->oid && !strcmp(r->ig_oid, ig->oid)) ||
                (r->name && ig->name && !strcmp(r->name, ig->name)))
                found = 1;
        }
        if (found) continue;
        if (ig->has_no_data && !strcmp(ig->has_no_data, "Yes"))
            emit(c, "DXC-STUDY-MISSING-DATASET", DSJ_SEV_INFO, sd->path, 0, 0, 0, NULL,
                     "the define lists dataset %s (%s) with def:HasNoData=\"Yes\"; no file for it in the folder, as expected",
                     ig->name ? ig->name : "?", ig->oid ? ig->oid : "?");
        else
            emit(c, "DXC-STUDY-MISSING-DATASET", DSJ_SEV_WARNING, sd->path, 0, 0, 0, NULL,
                     "the define lists dataset %s (%s) but the folder has no dataset file for it",
                     ig->name ? ig->name : "?", ig->oid ? ig->oid : "?");
    }
    for (k = 0; k < sd->count; k++) {
        const file_result_t *r = &res[sd->first + k];
        if (r->fatal) continue;
        if ((r->ig_oid && dsj_define_itemgroup_find(def, r->ig_oid)) ||
            (r->name && dsj_define_itemgroup_find_by_name(def, r->name)))
            continue;
        emit(c, "DXC-STUDY-EXTRA-DATASET", DSJ_SEV_WARNING, sd->path, 0, 0, 0, NULL,
                 "dataset file %s (%s, %s) is not described by the define", cli_basename(r->path),
                 r->name ? r->name : "no name", r->ig_oid ? r->ig_oid : "no itemGroupOID");
    }
}

/* ---------------------------------------------------------------- --jobs
 * Worker threads take the inputs in order and check each into its own
 * collector; the main thread reports them strictly in input order, as the
 * sequential loop does.  The finding budget of --max-findings depends on the
 * findings shown before a file, so a worker keeps up to the whole budget and
 * the reporter cuts the list to what is left, in arrival order (what the
 * sequential collector would have kept), before sorting it.  Workers run at
 * most 2 x jobs files ahead of the report, so buffered findings stay bounded.
 */
typedef struct job_slot {
    cli_collect_t c;           /* the file's findings [owned until reported] */
    int done;
} job_slot_t;

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;         /* a file was checked, or one was reported */
    size_t next, reported, nin, window;
    const input_t *in;         /* [borrowed] */
    file_result_t *results;    /* [borrowed] results[i] written by the worker of input i */
    job_slot_t *slots;         /* [owned] one per input */
    unsigned read_flags;
    define_ctx_t *dc;          /* [borrowed] */
    uint64_t max_findings;
    int stop;
} pool_t;

static void *pool_worker(void *arg)
{
    pool_t *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        size_t i;
        job_slot_t *js;
        while (!p->stop && p->next < p->nin && p->next >= p->reported + p->window) pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop || p->next >= p->nin) break;
        i = p->next++;
        pthread_mutex_unlock(&p->mu);
        js = &p->slots[i];
        memset(&js->c, 0, sizeof js->c);
        js->c.kept = dsj_findings_new(0);
        js->c.limited = p->max_findings != 0;
        js->c.budget = p->max_findings;
        if (js->c.kept) validate_file(p->in[i].path, p->read_flags, p->dc, &js->c, &p->results[i], 0);
        pthread_mutex_lock(&p->mu);
        js->done = 1;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Wait for input i, move its findings into *c and cut them to the run's remaining budget. */
static void pool_take(pool_t *p, size_t i, uint64_t shown, cli_collect_t *c)
{
    job_slot_t *js = &p->slots[i];
    pthread_mutex_lock(&p->mu);
    while (!js->done) pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    *c = js->c;
    memset(&js->c, 0, sizeof js->c);
    if (c->kept && c->limited) {
        uint64_t left = p->max_findings > shown ? p->max_findings - shown : 0;
        size_t k, n = dsj_findings_count(c->kept);
        if (n > left) {
            dsj_findings_t *cut = dsj_findings_new(0);
            for (k = 0; cut && k < left; k++) dsj_findings_add(dsj_findings_get(c->kept, k), cut);
            dsj_findings_free(c->kept);
            c->kept = cut;
        }
    }
}

static void pool_reported(pool_t *p, size_t i)
{
    pthread_mutex_lock(&p->mu);
    p->reported = i + 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* ---------------------------------------------------------------- command */

typedef struct run {
    cli_report_format_t fmt;
    cli_json_t j;
    run_totals_t tot;
    uint64_t max_findings;
    int exit_code;
} run_t;

static void collect_start(run_t *run, cli_collect_t *c)
{
    memset(c, 0, sizeof *c);
    c->kept = dsj_findings_new(0);
    c->limited = run->max_findings != 0;
    c->budget = run->max_findings > run->tot.shown ? run->max_findings - run->tot.shown : 0;
}

/* Report one entry (a file or a folder's study check) and add it to the totals. */
static void report_entry(run_t *run, const file_result_t *res, cli_collect_t *c)
{
    int k;
    /* Metadata findings first, then by row and position (stable). */
    dsj_findings_sort(c->kept);
    if (run->fmt == CLI_REPORT_JSON) json_file(&run->j, res, c);
    else text_file(res, c);
    fflush(stdout);
    for (k = 0; k < 3; k++) run->tot.per_sev[k] += c->per_sev[k];
    run->tot.total += c->total;
    run->tot.shown += dsj_findings_count(c->kept);
    run->tot.files++;
    if (res->fatal) {
        run->tot.unreadable++;
        run->exit_code = DSJ_EXIT_USAGE;
    } else if (c->per_sev[DSJ_SEV_ERROR] && run->exit_code == DSJ_EXIT_OK) {
        run->exit_code = DSJ_EXIT_INVALID;
    }
    dsj_findings_free(c->kept);
    c->kept = NULL;
}

int dsj_cmd_validate(int argc, char **argv)
{
    cli_parser_t p;
    const char *define_path = NULL;
    unsigned read_flags = 0;
    input_t *in = NULL;
    study_dir_t *dirs;
    file_result_t *results = NULL;
    size_t nin = 0, capin = 0, ndirs = 0, i;
    define_ctx_t dc;
    dsj_define_t *def = NULL;
    run_t run;
    int id;
    uint64_t jobs = 1;
    pool_t pool;
    pthread_t threads[MAX_JOBS];
    size_t nthreads = 0;
    pthread_mutex_t define_lock = PTHREAD_MUTEX_INITIALIZER;

    memset(&run, 0, sizeof run);
    memset(&dc, 0, sizeof dc);
    memset(&pool, 0, sizeof pool);
    run.fmt = CLI_REPORT_TEXT;
    run.max_findings = 1000;
    dc.follow_ref = 1;
    dirs = calloc((size_t)argc + 1, sizeof *dirs);
    if (!dirs) return DSJ_EXIT_USAGE;
    cli_parser_init(&p, "validate", argc, argv, validate_opts);
    while ((id = cli_next_option(&p)) != CLI_END) {
        switch (id) {
        case CLI_ERROR: run.exit_code = DSJ_EXIT_USAGE; goto out;
        case OPT_HELP: fputs(validate_help, stdout); goto out;
        case OPT_DEFINE: define_path = p.value; break;
        case OPT_NO_REF: dc.follow_ref = 0; break;
        case OPT_FORMAT:
            if (cli_parse_report_format("validate", p.value, &run.fmt)) { run.exit_code = DSJ_EXIT_USAGE; goto out; }
            break;
        case OPT_MAX:
            if (cli_parse_count("validate", "max-findings", p.value, UINT64_MAX / 2, &run.max_findings)) {
                run.exit_code = DSJ_EXIT_USAGE;
                goto out;
            }
            break;
        case OPT_LENIENT: read_flags |= DSJ_READ_LENIENT; break;
        case OPT_JOBS:
            if (cli_parse_count("validate", "jobs", p.value, MAX_JOBS, &jobs)) {
                run.exit_code = DSJ_EXIT_USAGE;
                goto out;
            }
            if (jobs == 0) {
                run.exit_code = cli_usage_error("validate", "--jobs must be at least 1");
                goto out;
            }
            break;
        case CLI_OPERAND: {
            struct stat st;
            if (stat(p.operand, &st) == 0 && S_ISDIR(st.st_mode)) {
                dirs[ndirs].path = p.operand;
                dirs[ndirs].first = nin;
                if (expand_dir(p.operand, &in, &nin, &capin, (long)ndirs) != 0) {
                    fprintf(stderr, "dsjson validate: cannot read folder '%s'\n", p.operand);
                    run.exit_code = DSJ_EXIT_USAGE;
                    goto out;
                }
                dirs[ndirs].count = nin - dirs[ndirs].first;
                ndirs++;
            } else {
                if (nin == capin) {
                    input_t *q = realloc(in, (capin = capin * 2 + 8) * sizeof *q);
                    if (!q) { run.exit_code = DSJ_EXIT_USAGE; goto out; }
                    in = q;
                }
                in[nin].path = strdup(p.operand);
                in[nin++].dir = -1;
            }
            break;
        }
        default:
            if (cli_limit_option(&p, id) < 0) { run.exit_code = DSJ_EXIT_USAGE; goto out; }
            break;
        }
    }
    if (nin == 0) {
        run.exit_code = cli_usage_error("validate", ndirs ? "no .json, .ndjson or .dsjc file in the folder"
                                                          : "missing FILE");
        goto out;
    }
    if (define_path) {
        dsj_error_t err;
        dsj_error_clear(&err);
        def = dsj_define_load(define_path, &err);
        if (!def) {
            cli_print_error(stderr, "validate", &err, define_path);
            run.exit_code = DSJ_EXIT_USAGE;
            goto out;
        }
        dc.given = def;
    }
    results = calloc(nin, sizeof *results);
    if (!results) { run.exit_code = DSJ_EXIT_USAGE; goto out; }
    if (jobs > nin) jobs = nin;
    if (jobs > 1) {
        xmlInitParser(); /* libxml2's global set-up, once, before threads use it */
        pool.slots = calloc(nin, sizeof *pool.slots);
        if (!pool.slots) { run.exit_code = DSJ_EXIT_USAGE; goto out; }
        pthread_mutex_init(&pool.mu, NULL);
        pthread_cond_init(&pool.cv, NULL);
        pool.nin = nin;
        pool.window = 2 * (size_t)jobs;
        pool.in = in;
        pool.results = results;
        pool.read_flags = read_flags;
        pool.dc = &dc;
        pool.max_findings = run.max_findings;
        dc.lock = &define_lock;
        for (nthreads = 0; nthreads < jobs; nthreads++)
            if (pthread_create(&threads[nthreads], NULL, pool_worker, &pool) != 0) break;
        if (nthreads == 0) { /* no thread at all: check sequentially */
            free(pool.slots);
            pool.slots = NULL;
            dc.lock = NULL;
        }
    }

    if (run.fmt == CLI_REPORT_JSON) {
        cli_json_init(&run.j, stdout);
        cli_json_begin_object(&run.j);
        cli_json_key(&run.j, "files");
        cli_json_begin_array(&run.j);
    }
    for (i = 0; i < nin; i++) {
        cli_collect_t c;
        if (pool.slots) {
            pool_take(&pool, i, run.tot.shown, &c);
        } else {
            collect_start(&run, &c);
            if (c.kept) validate_file(in[i].path, read_flags, &dc, &c, &results[i], 1);
        }
        if (!c.kept) { run.exit_code = DSJ_EXIT_USAGE; break; }
        report_entry(&run, &results[i], &c);
        if (pool.slots) pool_reported(&pool, i);
        /* after a folder's last file: its study check, when a define is known */
        if (in[i].dir >= 0) {
            study_dir_t *sd = &dirs[in[i].dir];
            const dsj_define_t *sdef = dc.given;
            size_t k;
            if (i + 1 != sd->first + sd->count) continue;
            for (k = 0; k < sd->count && !sdef; k++) sdef = results[sd->first + k].define;
            if (!sdef) continue;
            collect_start(&run, &c);
            if (!c.kept) { run.exit_code = DSJ_EXIT_USAGE; break; }
            study_check(sd, results, sdef, &c);
            {
                file_result_t sr;
                memset(&sr, 0, sizeof sr);
                sr.path = sd->path;
                report_entry(&run, &sr, &c);
            }
        }
    }

    if (run.fmt == CLI_REPORT_JSON) {
        cli_json_t *j = &run.j;
        cli_json_end_array(j);
        cli_json_key(j, "summary");
        cli_json_summary_begin(j, run.tot.per_sev, run.tot.total, run.tot.shown);
        cli_json_key(j, "files"); cli_json_uint(j, run.tot.files);
        cli_json_key(j, "unreadable"); cli_json_uint(j, run.tot.unreadable);
        cli_json_end_object(j);
        cli_json_key(j, "define"); cli_json_string(j, define_path);
        cli_json_key(j, "valid"); cli_json_bool(j, run.exit_code == DSJ_EXIT_OK);
        cli_json_end_object(j);
        cli_json_finish(j);
    } else if (run.tot.files > 1) {
        printf("total: %zu files, ", run.tot.files);
        cli_print_counts(run.tot.per_sev);
        if (run.tot.unreadable) printf("; %zu not readable", run.tot.unreadable);
        fputc('\n', stdout);
    }
    if (fflush(stdout) != 0) run.exit_code = DSJ_EXIT_USAGE;
out:
    if (pool.slots) {
        pthread_mutex_lock(&pool.mu);
        pool.stop = 1; /* after an early break: workers stop taking files */
        pthread_cond_broadcast(&pool.cv);
        pthread_mutex_unlock(&pool.mu);
        for (i = 0; i < nthreads; i++) pthread_join(threads[i], NULL);
        for (i = 0; i < nin; i++) dsj_findings_free(pool.slots[i].c.kept);
        free(pool.slots);
        pthread_cond_destroy(&pool.cv);
        pthread_mutex_destroy(&pool.mu);
    }
    for (i = 0; i < nin; i++) {
        free(in[i].path);
        if (results) {
            free(results[i].ig_oid);
            free(results[i].name);
        }
    }
    free(results);
    free(in);
    free(dirs);
    define_ctx_free(&dc);
    dsj_define_free(def);
    return run.exit_code;
}
