/* Private to dsjson convert: the options of a run and the conversion of one file
   (cmd_convert.c parses the command line and walks the inputs; cmd_convert_run.c converts). */
#ifndef DSJ_CMD_CONVERT_H
#define DSJ_CMD_CONVERT_H

#include "cli.h"

/* Options shared by every file of a run. */
typedef struct conv_opts {
    dsj_version_t to;               /* Dataset-JSON output version; UNKNOWN = the input's */
    int pretty, dsjc_zlib, level;   /* Dataset-JSON output shape */
    int keep_going;                 /* write the values as found despite error findings */
    uint64_t max_findings;          /* findings shown on stderr in the whole run; 0 = no limit */
    const dsj_define_t *define;     /* --define [borrowed]; NULL when not given */
    const char *define_path;        /* its path [borrowed from argv] */
    const char *encoding;           /* XPT/SAS input encoding [borrowed from argv]; NULL = default */
    unsigned read_flags;            /* DSJ_READ_EXACT_NUMBERS, DSJ_READ_SAS_DATES_AS_NUMBERS */
    unsigned sas_ulps;              /* --ulps (0 = default) */
    int xpt_version;                /* 0 (default 5), 5 or 8 */
    int truncate;                   /* XPT output: truncate with a warning each */
} conv_opts_t;

/* Run-wide state: the finding budget and the defines found beside Dataset-XML inputs. */
typedef struct conv_run {
    const conv_opts_t *opts;        /* [borrowed] */
    uint64_t shown;                 /* findings printed so far */
    uint64_t hidden;                /* findings counted but not printed (over --max-findings) */
    struct conv_found_define *found;/* [owned] list of defines loaded from beside the inputs */
} conv_run_t;

/* What happened to one file. */
typedef struct conv_result {
    uint64_t rows;                  /* rows read */
    uint64_t per_sev[3];            /* findings by severity (reader and writer) */
    int written;                    /* OUTPUT committed */
    int failed;                     /* unreadable input or failed output: err is filled */
    dsj_error_t err;                /* when failed; err.file is filled in */
} conv_result_t;

void conv_run_init(conv_run_t *run, const conv_opts_t *opts);
/* Frees the defines loaded from beside inputs. */
void conv_run_free(conv_run_t *run);

/* Convert in (format in_fmt) to out (format out_fmt).  Findings go to stderr as they come
   (within the run's budget).  Never prints the failure itself: the caller reports res. */
void conv_one(conv_run_t *run, const char *in, dsj_format_t in_fmt, const char *out, dsj_format_t out_fmt,
              conv_result_t *res);

/* Exit status for a result: 0 written without error findings, 1 error findings, 2 failed. */
int conv_exit_status(const conv_result_t *res);

/* "N error(s), N warning(s)" into buf. [borrowed: the caller's buffer] */
const char *conv_counts_text(const uint64_t per_sev[3], char *buf, size_t size);

/* Print "... and N more findings not shown" when the run hid some. */
void conv_run_print_hidden(const conv_run_t *run);

/* The name of a Dataset-XML input's define when none is given: DIR/define.xml. [owned] free() */
char *conv_define_beside(const char *in);

#endif
