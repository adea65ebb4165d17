/* dsjson convert: stream datasets between Dataset-JSON, Dataset-XML and SAS XPORT;
   command line, one INPUT OUTPUT pair or many inputs into --out-dir.
   The conversion of one file is in cmd_convert_run.c. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cmd_convert.h"

static const char convert_help[] =
    "usage: dsjson convert [OPTIONS] INPUT OUTPUT\n"
    "       dsjson convert [OPTIONS] --out-dir DIR --format FMT INPUT_OR_FOLDER...\n"
    "\n"
    "Convert datasets between Dataset-JSON (1.0 and 1.1), Dataset-XML 1.0 and SAS\n"
    "XPORT, streaming the rows (memory does not grow with the row count).  The\n"
    "formats come from the file extensions:\n"
    "  .json      Dataset-JSON (one JSON document)\n"
    "  .ndjson    NDJSON: metadata on the first line, then one row per line\n"
    "  .dsjc      compressed NDJSON (Compressed Dataset-JSON)\n"
    "  .xml       Dataset-XML 1.0 (reading it needs the Define-XML: --define)\n"
    "  .xpt       SAS XPORT v5 or v8 (read and written through ReadStat)\n"
    "  .sas7bdat  SAS dataset (input only)\n"
    "A Dataset-JSON input's container and version are detected from the content.\n"
    "OUTPUT is written atomically: it appears only when complete, an existing\n"
    "OUTPUT is replaced only then, and after a failure nothing is left behind.\n"
    "\n"
    "options:\n"
    "  --define FILE     Define-XML 2.0/2.1 of the datasets: gives a Dataset-XML\n"
    "                    input its columns and types, is matched by name to the\n"
    "                    variables of an XPT/SAS input, and is checked against on\n"
    "                    Dataset-XML/XPT output.  Without it, a Dataset-XML input\n"
    "                    uses the file define.xml in its own folder if there is\n"
    "                    one (else exit 2); an XPT/SAS input takes its metadata\n"
    "                    from the file alone (a define beside it is not used)\n"
    "  --to 1.0|1.1      Dataset-JSON output version (default: the input's; 1.1\n"
    "                    from Dataset-XML and XPT); see docs/conversion.md\n"
    "  --pretty          .json output: indented metadata, one row per line\n"
    "  --dsjc-zlib       .dsjc output: raw zlib stream (as the DSJC text says)\n"
    "                    instead of gzip (as the official example files are)\n"
    "  --level N         .dsjc output: compression level 1 (fast) to 9 (small)\n"
    "  --xpt-version 5|8 .xpt output: XPORT version (default 5)\n"
    "  --truncate        .xpt output: cut names, labels and character values that\n"
    "                    are too long for the XPORT version, with a warning each,\n"
    "                    instead of failing\n"
    "  --encoding NAME   XPT/SAS input: text encoding (an iconv name such as\n"
    "                    WINDOWS-1252, LATIN1, UTF-8); default: the file's own,\n"
    "                    else WINDOWS-1252\n"
    "  --exact-numbers   XPT/SAS input: always the shortest text that reads back as\n"
    "                    the same double (default: the 15-significant-digit form\n"
    "                    where it reads back within one unit in the last place)\n"
    "  --ulps N          XPT/SAS input: use the 15-significant-digit form where it\n"
    "                    reads back within N units in the last place (1 to 16,\n"
    "                    default 1; 2 matches the official SDTM LB example)\n"
    "  --sas-dates-as-numbers\n"
    "                    XPT/SAS input: keep numbers with a SAS date, time or\n"
    "                    datetime format as numbers instead of ISO 8601 strings\n"
    "  --keep-going      write the output despite error findings, with the values\n"
    "                    as found\n"
    "  --max-findings N  print at most N findings in the whole run (default 100,\n"
    "                    0 = no limit); the rest are counted\n"
    "  --out-dir DIR     convert each INPUT to DIR/NAME.EXT (NAME: the input's file\n"
    "                    name without its extension; EXT from --format); DIR is\n"
    "                    created if missing.  A folder INPUT stands for its .json,\n"
    "                    .ndjson, .dsjc, .xml, .xpt and .sas7bdat files (sorted by\n"
    "                    name); .xml files whose name starts with \"define\" and the\n"
    "                    --define file are skipped, given or found\n"
    "  --format FMT      with --out-dir: json, ndjson, dsjc, xml or xpt\n"
    CLI_LIMIT_HELP
    "  -h, --help        show this help\n"
    "\n"
    "Findings of the input (a value that does not fit its Define-XML type, an\n"
    "unknown ItemOID, an ItemGroupDataSeq gap...) and conversion warnings go to\n"
    "stderr as \"file:line:col: severity RULE [row N, COL] message\".  After an\n"
    "error finding the input is read to the end, to report every finding, but the\n"
    "output is not written (an existing OUTPUT is left as it was) unless\n"
    "--keep-going is given.  With --out-dir, stdout has one line per file\n"
    "(\"dm.xml -> OUT/dm.json: 18 rows, 0 errors, 1 warning\") and a total line.\n"
    "\n"
    "Exit status: 0 written, no error findings (warnings allowed); 1 error\n"
    "findings (output written only with --keep-going); 2 usage error, unreadable\n"
    "input, missing or unusable define, or failed output.  With several inputs,\n"
    "the worst of them; every file is still converted.\n";

enum {
    OPT_HELP = 1, OPT_TO, OPT_PRETTY, OPT_ZLIB, OPT_LEVEL, OPT_DEFINE, OPT_KEEP, OPT_MAX, OPT_OUTDIR,
    OPT_FORMAT, OPT_ENCODING, OPT_EXACT, OPT_SASDATES, OPT_XPTVER, OPT_TRUNCATE, OPT_ULPS
};

static const cli_option_t convert_opts[] = {
    {"help", 'h', 0, OPT_HELP},
    {"to", 0, 1, OPT_TO},
    {"pretty", 0, 0, OPT_PRETTY},
    {"dsjc-zlib", 0, 0, OPT_ZLIB},
    {"level", 0, 1, OPT_LEVEL},
    {"define", 0, 1, OPT_DEFINE},
    {"keep-going", 0, 0, OPT_KEEP},
    {"max-findings", 0, 1, OPT_MAX},
    {"out-dir", 0, 1, OPT_OUTDIR},
    {"format", 0, 1, OPT_FORMAT},
    {"encoding", 0, 1, OPT_ENCODING},
    {"exact-numbers", 0, 0, OPT_EXACT},
    {"sas-dates-as-numbers", 0, 0, OPT_SASDATES},
    {"xpt-version", 0, 1, OPT_XPTVER},
    {"truncate", 0, 0, OPT_TRUNCATE},
    {"ulps", 0, 1, OPT_ULPS},
    CLI_LIMIT_OPTIONS,
    {NULL, 0, 0, 0},
};

#define SUPPORTED_EXTS ".json, .ndjson, .dsjc, .xml (Dataset-XML), .xpt, .sas7bdat (input only)"

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int format_or_usage(const char *path, const char *what, dsj_format_t *out)
{
    *out = dsj_format_from_path(path);
    if (*out == DSJ_FORMAT_AUTO) {
        if (is_dir(path))
            cli_usage_error("convert", "%s '%s' is a folder; convert folders with --out-dir DIR --format FMT", what,
                            path);
        else
            cli_usage_error("convert", "cannot tell the format of %s '%s' from its extension; supported: %s", what,
                            path, SUPPORTED_EXTS);
        return -1;
    }
    return 0;
}

static int is_xpt_input(dsj_format_t f) { return f == DSJ_FORMAT_XPT || f == DSJ_FORMAT_SAS7BDAT; }

/* Notes about options that the formats at hand do not use. */
static void note_unused(const conv_opts_t *o, int any_xpt_in, dsj_format_t out_fmt, int any_json_in_only)
{
    if (o->pretty && out_fmt != DSJ_FORMAT_JSON)
        fprintf(stderr, "dsjson convert: note: --pretty applies to .json output only; ignored\n");
    if ((o->dsjc_zlib || o->level) && out_fmt != DSJ_FORMAT_DSJC)
        fprintf(stderr, "dsjson convert: note: --dsjc-zlib and --level apply to .dsjc output only; ignored\n");
    if ((o->xpt_version || o->truncate) && out_fmt != DSJ_FORMAT_XPT)
        fprintf(stderr, "dsjson convert: note: --xpt-version and --truncate apply to .xpt output only; ignored\n");
    if ((o->encoding || o->read_flags || o->sas_ulps) && !any_xpt_in)
        fprintf(stderr, "dsjson convert: note: --encoding, --exact-numbers, --ulps and --sas-dates-as-numbers apply to "
                        ".xpt and .sas7bdat input only; ignored\n");
    if (o->define_path && any_json_in_only && dsj_format_is_dataset_json(out_fmt))
        fprintf(stderr, "dsjson convert: note: --define is not used between Dataset-JSON files (check a dataset "
                        "against its define with dsjson validate --define)\n");
}

/* Load --define; prints the error and returns NULL when it cannot be used. [owned] */
static dsj_define_t *load_define(const char *path)
{
    dsj_error_t err;
    dsj_define_t *d;
    dsj_error_clear(&err);
    d = dsj_define_load(path, &err);
    if (!d) cli_print_error(stderr, "convert", &err, path);
    return d;
}

/* One INPUT OUTPUT pair. */
static int convert_pair(conv_opts_t *o, const char *in, const char *out)
{
    dsj_format_t in_fmt, out_fmt;
    dsj_define_t *def = NULL;
    conv_run_t run;
    conv_result_t res;
    char counts[128];
    int rc;

    if (format_or_usage(in, "INPUT", &in_fmt) || format_or_usage(out, "OUTPUT", &out_fmt)) return DSJ_EXIT_USAGE;
    if (out_fmt == DSJ_FORMAT_SAS7BDAT)
        return cli_usage_error("convert", "SAS7BDAT is an input format only; write .xpt instead ('%s')", out);
    if (cli_same_file(in, out))
        return cli_usage_error("convert", "INPUT and OUTPUT are the same file ('%s'); write to a new name", out);
    if (o->define_path && cli_same_file(o->define_path, out))
        return cli_usage_error("convert", "OUTPUT '%s' is the --define file; write to a new name", out);
    if (o->to != DSJ_VERSION_UNKNOWN && !dsj_format_is_dataset_json(out_fmt))
        return cli_usage_error("convert", "option '--to' applies to Dataset-JSON output (.json, .ndjson, .dsjc) "
                                          "only, not to %s output",
                               dsj_format_name(out_fmt));
    note_unused(o, is_xpt_input(in_fmt), out_fmt, dsj_format_is_dataset_json(in_fmt));
    if (o->define_path) {
        if (!(def = load_define(o->define_path))) return DSJ_EXIT_USAGE;
        o->define = def;
    }

    conv_run_init(&run, o);
    conv_one(&run, in, in_fmt, out, out_fmt, &res);
    if (res.failed) cli_print_error(stderr, "convert", &res.err, in);
    conv_run_print_hidden(&run);
    conv_counts_text(res.per_sev, counts, sizeof counts);
    if (res.per_sev[DSJ_SEV_ERROR]) {
        if (res.failed)
            fprintf(stderr, "dsjson convert: %s: %s\n", in, counts);
        else if (res.written)
            fprintf(stderr, "dsjson convert: %s: %s in %llu rows; %s written with the values as found (--keep-going)\n",
                    in, counts, (unsigned long long)res.rows, out);
        else
            fprintf(stderr, "dsjson convert: %s: %s in %llu rows; %s not written (--keep-going writes the values as "
                            "found)\n",
                    in, counts, (unsigned long long)res.rows, out);
    }
    rc = conv_exit_status(&res);
    conv_run_free(&run);
    dsj_define_free(def);
    o->define = NULL;
    return rc;
}

/* ------------------------------------------------------------------ many inputs */

typedef struct job {
    char *in;           /* [owned] */
    dsj_format_t fmt;
    char *out;          /* [owned] OUT_DIR/NAME.EXT */
} job_t;

typedef struct jobs {
    job_t *v;           /* [owned] */
    size_t n, cap;
} jobs_t;

static void jobs_free(jobs_t *j)
{
    size_t i;
    for (i = 0; i < j->n; i++) {
        free(j->v[i].in);
        free(j->v[i].out);
    }
    free(j->v);
    memset(j, 0, sizeof *j);
}

static int jobs_add(jobs_t *j, const char *in, dsj_format_t fmt)
{
    if (j->n == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 16;
        job_t *v = realloc(j->v, cap * sizeof *v);
        if (!v) return -1;
        j->v = v;
        j->cap = cap;
    }
    j->v[j->n].in = strdup(in);
    j->v[j->n].out = NULL;
    j->v[j->n].fmt = fmt;
    if (!j->v[j->n].in) return -1;
    j->n++;
    return 0;
}

/* An .xml whose name starts with "define" (define.xml, define_adam.xml...): a define, not a dataset. */
static int looks_like_define(const char *path, dsj_format_t fmt)
{
    return fmt == DSJ_FORMAT_DATASETXML && !strncasecmp(cli_basename(path), "define", 6);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Append the dataset files of folder dir (sorted by name). -1 when it cannot be read. */
static int expand_dir(const char *dir, const conv_opts_t *o, jobs_t *j)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t nn = 0, cn = 0, k;
    int rc = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) {
        char *full;
        size_t len = strlen(dir);
        dsj_format_t f;
        struct stat st;
        if (e->d_name[0] == '.') continue;
        f = dsj_format_from_path(e->d_name);
        if (f == DSJ_FORMAT_AUTO) continue;
        if (!(full = malloc(len + strlen(e->d_name) + 2))) { rc = -1; break; }
        sprintf(full, "%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/", e->d_name);
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode) || looks_like_define(full, f) ||
            (o->define_path && cli_same_file(full, o->define_path))) {
            free(full);
            continue;
        }
        if (nn == cn) {
            char **q = realloc(names, (cn = cn ? cn * 2 : 16) * sizeof *q);
            if (!q) { free(full); rc = -1; break; }
            names = q;
        }
        names[nn++] = full;
    }
    closedir(d);
    if (nn) qsort(names, nn, sizeof *names, cmp_str);
    for (k = 0; k < nn; k++) {
        if (rc == 0 && jobs_add(j, names[k], dsj_format_from_path(names[k])) != 0) rc = -1;
        free(names[k]);
    }
    free(names);
    return rc;
}

static const char *format_ext(dsj_format_t f)
{
    switch (f) {
    case DSJ_FORMAT_JSON: return "json";
    case DSJ_FORMAT_NDJSON: return "ndjson";
    case DSJ_FORMAT_DSJC: return "dsjc";
    case DSJ_FORMAT_DATASETXML: return "xml";
    case DSJ_FORMAT_XPT: return "xpt";
    default: return NULL;
    }
}

static int parse_format(const char *text, dsj_format_t *out)
{
    if (!strcmp(text, "json")) *out = DSJ_FORMAT_JSON;
    else if (!strcmp(text, "ndjson")) *out = DSJ_FORMAT_NDJSON;
    else if (!strcmp(text, "dsjc")) *out = DSJ_FORMAT_DSJC;
    else if (!strcmp(text, "xml") || !strcmp(text, "dataset-xml")) *out = DSJ_FORMAT_DATASETXML;
    else if (!strcmp(text, "xpt")) *out = DSJ_FORMAT_XPT;
    else {
        cli_usage_error("convert", "option '--format' wants json, ndjson, dsjc, xml or xpt, not '%s'", text);
        return -1;
    }
    return 0;
}

/* DIR/NAME.EXT for input in. [owned] */
static char *out_name(const char *dir, const char *in, const char *ext)
{
    const char *base = cli_basename(in), *dot = strrchr(base, '.');
    size_t blen = dot && dot != base ? (size_t)(dot - base) : strlen(base), dlen = strlen(dir);
    char *p = malloc(dlen + blen + strlen(ext) + 3);
    if (!p) return NULL;
    sprintf(p, "%s%s%.*s.%s", dir, dlen && dir[dlen - 1] == '/' ? "" : "/", (int)blen, base, ext);
    return p;
}

static int cmp_job_out(const void *a, const void *b)
{
    return strcmp((*(job_t *const *)a)->out, (*(job_t *const *)b)->out);
}

/* Refuse (usage error) when an output would overwrite an input or the define, or two inputs share an output. */
static int check_outputs(const jobs_t *j, const conv_opts_t *o)
{
    size_t i, k;
    job_t **by_out = malloc((j->n ? j->n : 1) * sizeof *by_out);
    int rc = 0;
    if (!by_out) return cli_usage_error("convert", "out of memory");
    for (i = 0; i < j->n; i++) by_out[i] = &j->v[i];
    qsort(by_out, j->n, sizeof *by_out, cmp_job_out);
    for (i = 1; i < j->n && !rc; i++)
        if (!strcmp(by_out[i - 1]->out, by_out[i]->out))
            rc = cli_usage_error("convert", "'%s' and '%s' would both be written to '%s'; convert them separately",
                                 by_out[i - 1]->in, by_out[i]->in, by_out[i]->out);
    free(by_out);
    for (i = 0; i < j->n && !rc; i++) {
        const char *out = j->v[i].out;
        if (o->define_path && cli_same_file(out, o->define_path)) {
            rc = cli_usage_error("convert", "output '%s' would overwrite the --define file", out);
            break;
        }
        if (!cli_path_exists(out)) continue; /* cannot be an input (inputs exist or fail anyway) */
        for (k = 0; k < j->n; k++)
            if (cli_same_file(out, j->v[k].in)) {
                rc = cli_usage_error("convert", "output '%s' would overwrite the input '%s'; choose another --out-dir",
                                     out, j->v[k].in);
                break;
            }
    }
    return rc;
}

static int make_dir(const char *dir)
{
    if (is_dir(dir)) return 0;
    if (mkdir(dir, 0777) == 0) return 0;
    fprintf(stderr, "dsjson convert: cannot create the output folder '%s': %s\n", dir, strerror(errno));
    return -1;
}

static int convert_many(conv_opts_t *o, const char **ops, int nops, const char *out_dir, dsj_format_t out_fmt)
{
    jobs_t j = {0};
    conv_run_t run;
    dsj_define_t *def = NULL;
    uint64_t written = 0, refused = 0, failed = 0, rows = 0, sev[3] = {0, 0, 0};
    int i, rc = DSJ_EXIT_OK, any_xpt = 0, all_json = 1;
    size_t k;
    char counts[128];

    if (nops < 1) return cli_usage_error("convert", "--out-dir wants one or more INPUT files or folders");
    if (o->to != DSJ_VERSION_UNKNOWN && !dsj_format_is_dataset_json(out_fmt))
        return cli_usage_error("convert", "option '--to' applies to Dataset-JSON output (json, ndjson, dsjc) only, "
                                          "not to --format %s",
                               format_ext(out_fmt));
    if (cli_path_exists(out_dir) && !is_dir(out_dir))
        return cli_usage_error("convert", "--out-dir '%s' exists and is not a folder", out_dir);
    for (i = 0; i < nops; i++) {
        dsj_format_t f;
        if (is_dir(ops[i])) {
            size_t before = j.n;
            if (expand_dir(ops[i], o, &j) != 0) {
                fprintf(stderr, "dsjson convert: cannot read the folder '%s': %s\n", ops[i], strerror(errno));
                jobs_free(&j);
                return DSJ_EXIT_USAGE;
            }
            if (j.n == before)
                fprintf(stderr, "dsjson convert: note: no dataset file in the folder '%s'\n", ops[i]);
            continue;
        }
        if (format_or_usage(ops[i], "INPUT", &f)) {
            jobs_free(&j);
            return DSJ_EXIT_USAGE;
        }
        if (looks_like_define(ops[i], f) || (o->define_path && cli_same_file(ops[i], o->define_path))) {
            fprintf(stderr, "dsjson convert: note: skipping '%s' (a define, not a dataset)\n", ops[i]);
            continue;
        }
        if (jobs_add(&j, ops[i], f) != 0) {
            jobs_free(&j);
            return cli_usage_error("convert", "out of memory");
        }
    }
    if (j.n == 0) {
        jobs_free(&j);
        return cli_usage_error("convert", "no dataset file to convert (%s)", SUPPORTED_EXTS);
    }
    for (k = 0; k < j.n; k++) {
        if (!(j.v[k].out = out_name(out_dir, j.v[k].in, format_ext(out_fmt)))) {
            jobs_free(&j);
            return cli_usage_error("convert", "out of memory");
        }
        if (is_xpt_input(j.v[k].fmt)) any_xpt = 1;
        if (!dsj_format_is_dataset_json(j.v[k].fmt)) all_json = 0;
    }
    if (check_outputs(&j, o) != 0) {
        jobs_free(&j);
        return DSJ_EXIT_USAGE;
    }
    note_unused(o, any_xpt, out_fmt, all_json);
    if (o->define_path && !(def = load_define(o->define_path))) {
        jobs_free(&j);
        return DSJ_EXIT_USAGE;
    }
    o->define = def;
    if (make_dir(out_dir) != 0) {
        jobs_free(&j);
        dsj_define_free(def);
        return DSJ_EXIT_USAGE;
    }

    conv_run_init(&run, o);
    for (k = 0; k < j.n; k++) {
        conv_result_t res;
        int frc;
        conv_one(&run, j.v[k].in, j.v[k].fmt, j.v[k].out, out_fmt, &res);
        frc = conv_exit_status(&res);
        if (frc > rc) rc = frc;
        rows += res.rows;
        sev[0] += res.per_sev[0];
        sev[1] += res.per_sev[1];
        sev[2] += res.per_sev[2];
        conv_counts_text(res.per_sev, counts, sizeof counts);
        if (res.failed) {
            char buf[1600];
            failed++;
            dsj_error_format(&res.err, buf, sizeof buf);
            printf("%s -> %s: failed: %s\n", j.v[k].in, j.v[k].out, buf);
        } else if (res.written) {
            written++;
            printf("%s -> %s: %llu row%s, %s%s\n", j.v[k].in, j.v[k].out, (unsigned long long)res.rows,
                   res.rows == 1 ? "" : "s", counts,
                   res.per_sev[DSJ_SEV_ERROR] ? " (written with the values as found)" : "");
        } else {
            refused++;
            printf("%s -> %s: not written: %llu row%s, %s (--keep-going writes the values as found)\n", j.v[k].in,
                   j.v[k].out, (unsigned long long)res.rows, res.rows == 1 ? "" : "s", counts);
        }
        fflush(stdout);
    }
    conv_run_print_hidden(&run);
    conv_counts_text(sev, counts, sizeof counts);
    printf("total: %llu file%s, %llu written, %llu not written, %llu failed; %llu row%s, %s\n", (unsigned long long)j.n,
           j.n == 1 ? "" : "s", (unsigned long long)written, (unsigned long long)refused, (unsigned long long)failed,
           (unsigned long long)rows, rows == 1 ? "" : "s", counts);
    conv_run_free(&run);
    jobs_free(&j);
    dsj_define_free(def);
    o->define = NULL;
    return rc;
}

/* ------------------------------------------------------------------ entry */

int dsj_cmd_convert(int argc, char **argv)
{
    cli_parser_t p;
    conv_opts_t o;
    const char **ops;
    const char *out_dir = NULL, *format_text = NULL;
    dsj_format_t out_fmt = DSJ_FORMAT_AUTO;
    uint64_t n;
    int id, nops = 0, rc;

    memset(&o, 0, sizeof o);
    o.to = DSJ_VERSION_UNKNOWN;
    o.max_findings = 100;
    ops = calloc((size_t)argc + 1, sizeof *ops);
    if (!ops) return cli_usage_error("convert", "out of memory");

    cli_parser_init(&p, "convert", argc, argv, convert_opts);
    while ((id = cli_next_option(&p)) != CLI_END) {
        switch (id) {
        case CLI_ERROR: rc = DSJ_EXIT_USAGE; goto done;
        case OPT_HELP: fputs(convert_help, stdout); rc = DSJ_EXIT_OK; goto done;
        case OPT_TO:
            if (!strcmp(p.value, "1.0") || !strcmp(p.value, "1.0.0")) o.to = DSJ_V1_0;
            else if (!strcmp(p.value, "1.1") || !strcmp(p.value, "1.1.0")) o.to = DSJ_V1_1;
            else { rc = cli_usage_error("convert", "option '--to' wants 1.0 or 1.1, not '%s'", p.value); goto done; }
            break;
        case OPT_PRETTY: o.pretty = 1; break;
        case OPT_ZLIB: o.dsjc_zlib = 1; break;
        case OPT_LEVEL:
            if (cli_parse_count("convert", "level", p.value, 9, &n)) { rc = DSJ_EXIT_USAGE; goto done; }
            if (n == 0) { rc = cli_usage_error("convert", "option '--level' wants 1 to 9, not '%s'", p.value); goto done; }
            o.level = (int)n;
            break;
        case OPT_DEFINE: o.define_path = p.value; break;
        case OPT_KEEP: o.keep_going = 1; break;
        case OPT_MAX:
            if (cli_parse_count("convert", "max-findings", p.value, UINT64_MAX / 2, &o.max_findings)) {
                rc = DSJ_EXIT_USAGE;
                goto done;
            }
            break;
        case OPT_OUTDIR: out_dir = p.value; break;
        case OPT_FORMAT: format_text = p.value; break;
        case OPT_ENCODING: o.encoding = p.value; break;
        case OPT_EXACT: o.read_flags |= DSJ_READ_EXACT_NUMBERS; break;
        case OPT_SASDATES: o.read_flags |= DSJ_READ_SAS_DATES_AS_NUMBERS; break;
        case OPT_XPTVER:
            if (!strcmp(p.value, "5")) o.xpt_version = 5;
            else if (!strcmp(p.value, "8")) o.xpt_version = 8;
            else { rc = cli_usage_error("convert", "option '--xpt-version' wants 5 or 8, not '%s'", p.value); goto done; }
            break;
        case OPT_TRUNCATE: o.truncate = 1; break;
        case OPT_ULPS: {
            uint64_t u = 0;
            if (cli_parse_count("convert", "ulps", p.value, 16, &u) || u == 0) {
                if (u == 0) cli_usage_error("convert", "option '--ulps' wants 1 to 16, not '%s'", p.value);
                rc = DSJ_EXIT_USAGE;
                goto done;
            }
            o.sas_ulps = (unsigned)u;
            break;
        }
        case CLI_OPERAND: ops[nops++] = p.operand; break;
        default:
            if (cli_limit_option(&p, id) < 0) { rc = DSJ_EXIT_USAGE; goto done; }
            break;
        }
    }
    if (o.encoding && !o.encoding[0]) {
        rc = cli_usage_error("convert", "option '--encoding' wants an encoding name such as WINDOWS-1252");
        goto done;
    }
    if (out_dir || format_text) {
        if (!out_dir) { rc = cli_usage_error("convert", "option '--format' goes with --out-dir DIR"); goto done; }
        if (!format_text) {
            rc = cli_usage_error("convert", "--out-dir wants --format json|ndjson|dsjc|xml|xpt for the outputs");
            goto done;
        }
        if (!out_dir[0]) { rc = cli_usage_error("convert", "option '--out-dir' wants a folder name"); goto done; }
        if (parse_format(format_text, &out_fmt)) { rc = DSJ_EXIT_USAGE; goto done; }
        rc = convert_many(&o, ops, nops, out_dir, out_fmt);
        goto done;
    }
    if (nops != 2) {
        rc = cli_usage_error("convert", "wants exactly two files, INPUT and OUTPUT (got %d)", nops);
        goto done;
    }
    rc = convert_pair(&o, ops[0], ops[1]);
done:
    free(ops);
    return rc;
}
