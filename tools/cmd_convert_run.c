/* dsjson convert: the conversion of one file (reader -> writer), its findings, and the
   define found beside a Dataset-XML input. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_convert.h"

/* A define looked for beside a Dataset-XML input, kept for the run (a folder shares one). */
typedef struct conv_found_define {
    char *path;                      /* DIR/define.xml [owned] */
    dsj_define_t *def;               /* [owned]; NULL when missing or unusable */
    int exists;                      /* the file was there */
    dsj_error_t err;                 /* why it could not be loaded (when exists and !def) */
    struct conv_found_define *next;  /* [owned] */
} conv_found_define_t;

/* Per-file callback context. */
typedef struct conv_ctx {
    conv_run_t *run;                 /* [borrowed] */
    conv_result_t *res;              /* [borrowed] */
    const char *in;                  /* input path, named when a finding names no file [borrowed] */
} conv_ctx_t;

void conv_run_init(conv_run_t *run, const conv_opts_t *opts)
{
    memset(run, 0, sizeof *run);
    run->opts = opts;
}

void conv_run_free(conv_run_t *run)
{
    conv_found_define_t *f = run->found, *next;
    for (; f; f = next) {
        next = f->next;
        dsj_define_free(f->def);
        free(f->path);
        free(f);
    }
    run->found = NULL;
}

static void set_error(dsj_error_t *err, dsj_status_t code, const char *file, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void set_error(dsj_error_t *err, dsj_status_t code, const char *file, const char *fmt, ...)
{
    va_list ap;
    dsj_error_clear(err);
    err->code = code;
    snprintf(err->file, sizeof err->file, "%s", file);
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
}

/* Count every finding; print it to stderr while the run's budget lasts. */
static int conv_finding(const dsj_finding_t *f, void *vctx)
{
    conv_ctx_t *c = vctx;
    const conv_opts_t *o = c->run->opts;
    dsj_finding_t g = *f;
    unsigned sev = (unsigned)f->severity > DSJ_SEV_ERROR ? DSJ_SEV_ERROR : (unsigned)f->severity;
    c->res->per_sev[sev]++;
    if (o->max_findings && c->run->shown >= o->max_findings) {
        c->run->hidden++;
        return 0;
    }
    c->run->shown++;
    if (!g.file || !g.file[0]) g.file = c->in;
    fputs("dsjson convert: ", stderr);
    dsj_finding_print(stderr, &g);
    return 0;
}

char *conv_define_beside(const char *in)
{
    const char *slash = strrchr(in, '/');
    size_t dirlen = slash ? (size_t)(slash - in) + 1 : 0;
    char *p = malloc(dirlen + sizeof "define.xml");
    if (!p) return NULL;
    memcpy(p, in, dirlen);
    memcpy(p + dirlen, "define.xml", sizeof "define.xml");
    return p;
}

/* The define for a Dataset-XML input given no --define: DIR/define.xml, loaded once per run.
   Returns it [borrowed from the run], or NULL with err filled. */
static const dsj_define_t *define_for(conv_run_t *run, const char *in, dsj_error_t *err)
{
    conv_found_define_t *f;
    char *path = conv_define_beside(in);
    if (!path) {
        set_error(err, DSJ_E_NOMEM, in, "out of memory");
        return NULL;
    }
    for (f = run->found; f; f = f->next)
        if (!strcmp(f->path, path)) break;
    if (f) {
        free(path);
    } else {
        f = calloc(1, sizeof *f);
        if (!f) {
            free(path);
            set_error(err, DSJ_E_NOMEM, in, "out of memory");
            return NULL;
        }
        f->path = path;
        f->exists = cli_path_exists(path);
        if (f->exists) {
            dsj_error_clear(&f->err);
            f->def = dsj_define_load(path, &f->err);
            if (f->def)
                fprintf(stderr, "dsjson convert: note: no --define given: using %s, found beside the Dataset-XML input\n",
                        path);
        }
        f->next = run->found;
        run->found = f;
    }
    if (f->def) return f->def;
    if (!f->exists) {
        set_error(err, DSJ_E_DEFINE, in,
                  "Dataset-XML needs its Define-XML for column metadata and types: no --define given and no %s "
                  "beside the file; pass --define DEFINE.xml",
                  f->path);
    } else {
        char buf[1600];
        dsj_error_format(&f->err, buf, sizeof buf);
        set_error(err, f->err.code ? f->err.code : DSJ_E_DEFINE, in,
                  "the define found beside the file cannot be used (%s); pass --define DEFINE.xml", buf);
    }
    return NULL;
}

/* Error findings stop the output unless --keep-going. */
static int refusing(const conv_ctx_t *c)
{
    return !c->run->opts->keep_going && c->res->per_sev[DSJ_SEV_ERROR] > 0;
}

void conv_one(conv_run_t *run, const char *in, dsj_format_t in_fmt, const char *out, dsj_format_t out_fmt,
              conv_result_t *res)
{
    const conv_opts_t *o = run->opts;
    conv_ctx_t ctx;
    dsj_reader_options_t ro;
    dsj_writer_options_t wo;
    dsj_reader_t *r = NULL;
    dsj_writer_t *w = NULL;
    dsj_sink_t *sink;
    const dsj_define_t *define = o->define;
    const dsj_row_t *row;
    const char *err_file = in;
    dsj_status_t st;
    cli_progress_t prog;
    int in_json = dsj_format_is_dataset_json(in_fmt);

    memset(res, 0, sizeof *res);
    dsj_error_clear(&res->err);
    ctx.run = run;
    ctx.res = res;
    ctx.in = in;

    if (in_fmt == DSJ_FORMAT_DATASETXML && !define) {
        define = define_for(run, in, &res->err);
        if (!define) {
            res->failed = 1;
            return;
        }
    }

    dsj_reader_options_init(&ro);
    cli_apply_limits(&ro);
    ro.on_finding = conv_finding;
    ro.finding_ctx = &ctx;
    if (!in_json) { /* Dataset-JSON inputs keep sniffing their container from the content */
        ro.format = in_fmt;
        ro.define = define;
        ro.encoding = o->encoding;
        ro.flags |= o->read_flags;
        ro.sas_ulps = o->sas_ulps;
    }
    r = dsj_reader_open(in, &ro, &res->err);
    if (!r) goto fail;

    dsj_writer_options_init(&wo);
    wo.format = out_fmt;
    wo.version = o->to;
    wo.pretty = o->pretty;
    wo.compression_level = o->level;
    wo.dsjc_zlib = o->dsjc_zlib;
    wo.on_finding = conv_finding;
    wo.finding_ctx = &ctx;
    if (!dsj_format_is_dataset_json(out_fmt)) {
        wo.define = define;
        wo.xpt_version = o->xpt_version;
        wo.truncate = o->truncate;
    }

    /* Metadata already in error (a define mismatch found at open): read on, write nothing. */
    if (!refusing(&ctx)) {
        err_file = out;
        sink = dsj_sink_new_path(out, &res->err);
        if (!sink) goto fail;
        w = dsj_writer_new(sink, &wo, &res->err);
        if (!w) goto fail;
        if (dsj_writer_begin(w, dsj_reader_meta(r), &res->err) != DSJ_OK) goto fail;
    }

    cli_progress_init(&prog, "convert");
    while ((st = dsj_reader_next(r, &row, &res->err)) == DSJ_ROW) {
        res->rows++;
        if (w && refusing(&ctx)) { /* abandon the output, keep reading to report every finding */
            dsj_writer_free(w);
            w = NULL;
        }
        if (w && dsj_writer_write_row(w, row, &res->err) != DSJ_OK) break;
        cli_progress_update(&prog, row->index, dsj_reader_bytes_read(r));
    }
    cli_progress_end(&prog);
    if (st == DSJ_ROW) goto fail; /* the writer failed */
    if (st != DSJ_DONE) {         /* the reader failed */
        err_file = in;
        goto fail;
    }
    if (w && refusing(&ctx)) {    /* findings at the very end (records, sequence) */
        dsj_writer_free(w);
        w = NULL;
    }
    if (w) {
        err_file = out;
        if (dsj_writer_end(w, &res->err) != DSJ_OK) goto fail;
        res->written = 1;
    }
    dsj_writer_free(w);
    dsj_reader_free(r);
    return;

fail:
    if (res->err.code == DSJ_OK) res->err.code = DSJ_E_IO;
    if (!res->err.file[0]) snprintf(res->err.file, sizeof res->err.file, "%s", err_file);
    res->failed = 1;
    dsj_writer_free(w); /* abandons the temporary output; OUTPUT is untouched */
    dsj_reader_free(r);
}

int conv_exit_status(const conv_result_t *res)
{
    if (res->failed) return DSJ_EXIT_USAGE;
    if (res->per_sev[DSJ_SEV_ERROR]) return DSJ_EXIT_INVALID;
    return DSJ_EXIT_OK;
}

const char *conv_counts_text(const uint64_t per_sev[3], char *buf, size_t size)
{
    unsigned long long e = per_sev[DSJ_SEV_ERROR], wn = per_sev[DSJ_SEV_WARNING];
    snprintf(buf, size, "%llu error%s, %llu warning%s", e, e == 1 ? "" : "s", wn, wn == 1 ? "" : "s");
    return buf;
}

void conv_run_print_hidden(const conv_run_t *run)
{
    if (run->hidden)
        fprintf(stderr, "dsjson convert: ... and %llu more finding%s not shown (--max-findings %llu)\n",
                (unsigned long long)run->hidden, run->hidden == 1 ? "" : "s",
                (unsigned long long)run->opts->max_findings);
}
