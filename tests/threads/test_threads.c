/*
 * Concurrency test: the library has no mutable global state beyond libxml2's
 * one-time initialisation, so independent jobs may run on several threads at once.
 *
 *   test_threads THREADS ROUNDS JOB...
 *
 * A JOB is one of
 *   validate:FILE              Dataset-JSON rules (any format the reader sniffs)
 *   validate:FILE:DEFINE       ... and the checks against DEFINE, loaded by the job itself
 *   shared:FILE:DEFINE         ... against DEFINE loaded once by main and shared by every thread
 *   define:DEFINE              dsj_define_load + dsj_define_validate (DEF-* rules)
 *   odm:XML                    ODM XML -> ODM JSON text
 *   check:RULES:FILE           a rule file over a dataset
 * Each job yields a digest: every finding (rule, severity, line, column, row, column name, message),
 * the fatal error if any, or the converted text.  First THREADS threads run every job ROUNDS times
 * each, all at once, starting at different jobs (before anything ran single-threaded, so that
 * libxml2's and the library's one-time initialisation race too); then main runs each job once alone.
 * Every threaded digest must equal the single-threaded one.  Prints "threads: N passed, M failed".
 * Built by tests/cli/threads.sh (with ThreadSanitizer when clang is there).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsjson.h"

typedef struct {
    char *kind, *a, *b;               /* [owned] parts of the job text */
    const dsj_define_t *shared;       /* shared:... jobs [borrowed from main] */
    char *reference;                  /* single-threaded digest [owned] */
} job_t;

typedef struct {
    char *data;
    size_t len, cap;
} text_t;

static void put(text_t *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->cap ? t->cap * 2 : 4096) + n;
        char *p = realloc(t->data, cap);
        if (!p) abort();
        t->data = p;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

static void putf(text_t *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(text_t *t, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    put(t, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static int on_finding(const dsj_finding_t *f, void *ctx)
{
    putf(ctx, "%s|%d|%llu:%llu|row %llu|%s|%s\n", f->rule ? f->rule : "-", (int)f->severity,
         (unsigned long long)f->line, (unsigned long long)f->column, (unsigned long long)f->row,
         f->column_name ? f->column_name : "-", f->message ? f->message : "-");
    return 0;
}

static void fatal(text_t *t, const dsj_error_t *err)
{
    putf(t, "FATAL %d %llu:%llu %s\n", (int)err->code, (unsigned long long)err->line, (unsigned long long)err->column,
         err->text);
}

static void run_validate(text_t *t, const char *file, const dsj_define_t *def)
{
    dsj_error_t err;
    dsj_reader_options_t ro;
    dsj_validate_options_t vo;
    dsj_reader_t *r;
    dsj_validator_t *v;
    const dsj_row_t *row;
    dsj_status_t st;
    unsigned long long rows = 0;

    dsj_error_clear(&err);
    dsj_reader_options_init(&ro);
    ro.on_finding = on_finding;
    ro.finding_ctx = t;
    ro.define = def;
    r = dsj_reader_open(file, &ro, &err);
    if (!r) { fatal(t, &err); return; }
    dsj_validate_options_init(&vo);
    vo.file = file;
    vo.define = def;
    v = dsj_validator_new(&vo, on_finding, t);
    if (!v) abort();
    st = dsj_validator_meta(v, r);
    while (st == DSJ_OK && (st = dsj_reader_next(r, &row, &err)) == DSJ_ROW) {
        rows++;
        st = dsj_validator_row(v, row);
    }
    if (st == DSJ_DONE) st = dsj_validator_end(v);
    else fatal(t, &err);
    putf(t, "status %d rows %llu\n", (int)st, rows);
    dsj_validator_free(v);
    dsj_reader_free(r);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    text_t t = {0};
    char buf[65536];
    size_t n;
    if (!f) return NULL;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) put(&t, buf, n);
    fclose(f);
    if (!t.data) put(&t, "", 0);
    *len = t.len;
    return t.data;
}

static void run_job(const job_t *j, text_t *t)
{
    dsj_error_t err;
    dsj_error_clear(&err);
    if (!strcmp(j->kind, "validate")) {
        dsj_define_t *def = NULL;
        if (j->b) {
            def = dsj_define_load(j->b, &err);
            if (!def) { fatal(t, &err); return; }
        }
        run_validate(t, j->a, def);
        dsj_define_free(def);
    } else if (!strcmp(j->kind, "shared")) {
        run_validate(t, j->a, j->shared);
    } else if (!strcmp(j->kind, "define")) {
        dsj_define_t *def = dsj_define_load(j->a, &err);
        if (!def) { fatal(t, &err); return; }
        if (dsj_define_validate(def, NULL, on_finding, t, &err) != DSJ_OK) fatal(t, &err);
        dsj_define_free(def);
    } else if (!strcmp(j->kind, "odm")) {
        size_t len = 0, out_len = 0;
        char *xml = slurp(j->a, &len), *json;
        dsj_odm_options_t o;
        if (!xml) { put(t, "cannot read\n", 12); return; }
        dsj_odm_options_init(&o);
        o.warn = on_finding;
        o.warn_ctx = t;
        json = dsj_odm_xml_to_json(xml, len, j->a, &o, &out_len, &err);
        if (json) put(t, json, out_len);
        else fatal(t, &err);
        free(json);
        free(xml);
    } else if (!strcmp(j->kind, "check")) {
        dsj_ruleset_t *rs = dsj_ruleset_load(j->a, &err);
        dsj_check_options_t co;
        if (!rs) { fatal(t, &err); return; }
        dsj_check_options_init(&co);
        if (dsj_check_file(rs, j->b, &co, on_finding, t, &err) != DSJ_OK) fatal(t, &err);
        dsj_ruleset_free(rs);
    } else {
        putf(t, "unknown job kind %s\n", j->kind);
    }
}

typedef struct {
    job_t *jobs;
    size_t njobs, first;
    int rounds;
    int failures;
    char **digests;                   /* [owned] one per (round, job) */
} worker_t;

static void *worker(void *arg)
{
    worker_t *w = arg;
    int r;
    size_t k;
    for (r = 0; r < w->rounds; r++)
        for (k = 0; k < w->njobs; k++) {
            size_t i = (w->first + k + (size_t)r) % w->njobs;
            text_t t = {0};
            run_job(&w->jobs[i], &t);
            w->digests[(size_t)r * w->njobs + i] = t.data ? t.data : strdup("");
        }
    return NULL;
}

int main(int argc, char **argv)
{
    int nthreads, rounds, i, r, pass = 0, fail = 0;
    size_t njobs, k;
    job_t *jobs;
    worker_t *w;
    pthread_t *tid;
    dsj_define_t **shared;
    if (argc < 4) {
        fprintf(stderr, "usage: test_threads THREADS ROUNDS JOB...\n");
        return 2;
    }
    nthreads = atoi(argv[1]);
    rounds = atoi(argv[2]);
    njobs = (size_t)(argc - 3);
    jobs = calloc(njobs, sizeof *jobs);
    shared = calloc(njobs, sizeof *shared);
    w = calloc((size_t)nthreads, sizeof *w);
    tid = calloc((size_t)nthreads, sizeof *tid);
    if (!jobs || !shared || !w || !tid || nthreads < 1 || rounds < 1) return 2;
    for (k = 0; k < njobs; k++) {
        char *s = strdup(argv[3 + k]), *c1, *c2;
        jobs[k].kind = s;
        c1 = strchr(s, ':');
        if (!c1) { fprintf(stderr, "bad job %s\n", argv[3 + k]); return 2; }
        *c1 = '\0';
        jobs[k].a = c1 + 1;
        c2 = strchr(jobs[k].a, ':');
        if (c2) { *c2 = '\0'; jobs[k].b = c2 + 1; }
    }
    /* Shared defines are loaded by main before the threads start, from a single thread; the
       threads only read them (dsj_define_t is immutable after loading). */
    for (k = 0; k < njobs; k++)
        if (!strcmp(jobs[k].kind, "shared")) {
            dsj_error_t err;
            dsj_error_clear(&err);
            shared[k] = dsj_define_load(jobs[k].b, &err);
            if (!shared[k]) { fprintf(stderr, "cannot load %s: %s\n", jobs[k].b, err.text); return 2; }
            jobs[k].shared = shared[k];
        }
    for (i = 0; i < nthreads; i++) {
        w[i].jobs = jobs;
        w[i].njobs = njobs;
        w[i].first = (size_t)i % njobs;
        w[i].rounds = rounds;
        w[i].digests = calloc((size_t)rounds * njobs, sizeof *w[i].digests);
        if (!w[i].digests) return 2;
    }
    for (i = 0; i < nthreads; i++)
        if (pthread_create(&tid[i], NULL, worker, &w[i]) != 0) { fprintf(stderr, "pthread_create failed\n"); return 2; }
    for (i = 0; i < nthreads; i++) pthread_join(tid[i], NULL);
    /* the single-threaded reference, after the threads */
    for (k = 0; k < njobs; k++) {
        text_t t = {0};
        run_job(&jobs[k], &t);
        jobs[k].reference = t.data ? t.data : strdup("");
        if (strstr(jobs[k].reference, "FATAL") && strcmp(jobs[k].kind, "validate") != 0)
            fprintf(stderr, "note: job %zu (%s %s) ends in a fatal error\n", k, jobs[k].kind, jobs[k].a);
    }
    for (k = 0; k < njobs; k++) {
        int bad = 0;
        for (i = 0; i < nthreads; i++)
            for (r = 0; r < rounds; r++) {
                const char *d = w[i].digests[(size_t)r * njobs + k];
                if (!d || strcmp(d, jobs[k].reference) != 0) {
                    if (!bad)
                        fprintf(stderr, "FAIL job %s:%s: thread %d round %d differs from the single-threaded run\n"
                                        "  threaded: %.300s\n  single:   %.300s\n",
                                jobs[k].kind, jobs[k].a, i, r, d ? d : "(none)", jobs[k].reference);
                    bad = 1;
                }
            }
        if (bad) fail++;
        else pass++;
        printf("job %-8s %-60s %6zu bytes of findings/output\n", jobs[k].kind, jobs[k].a, strlen(jobs[k].reference));
    }
    for (i = 0; i < nthreads; i++) {
        for (k = 0; k < (size_t)rounds * njobs; k++) free(w[i].digests[k]);
        free(w[i].digests);
    }
    for (k = 0; k < njobs; k++) {
        free(jobs[k].reference);
        free(jobs[k].kind);
        dsj_define_free(shared[k]);
    }
    free(jobs);
    free(shared);
    free(w);
    free(tid);
    printf("threads: %d passed, %d failed (%d threads x %d rounds x %zu jobs)\n", pass, fail, nthreads, rounds, njobs);
    return fail ? 1 : 0;
}
