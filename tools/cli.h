/* Shared declarations for the dsjson command-line tool (thin over the library). */
#ifndef DSJ_CLI_H
#define DSJ_CLI_H

#include <stdio.h>

#include "dsjson.h"

/* Exit codes (the CLI contract). */
#define DSJ_EXIT_OK 0       /* success / valid (warnings allowed) */
#define DSJ_EXIT_INVALID 1  /* validation errors found */
#define DSJ_EXIT_USAGE 2    /* usage error or unreadable input */

/* One function per subcommand; argv[0] is the subcommand name. */
int dsj_cmd_info(int argc, char **argv);
int dsj_cmd_validate(int argc, char **argv);
int dsj_cmd_convert(int argc, char **argv);
int dsj_cmd_diff(int argc, char **argv);
int dsj_cmd_validate_define(int argc, char **argv);
int dsj_cmd_check(int argc, char **argv);
int dsj_cmd_select(int argc, char **argv);
int dsj_cmd_odm2json(int argc, char **argv);
int dsj_cmd_json2odm(int argc, char **argv);
int dsj_cmd_define_meta(int argc, char **argv);

/* ------------------------------------------------------------------ findings
 * The findings of one file, gated by a finding budget shared by the whole run
 * (--max-findings): every finding is counted per severity, only budgeted ones
 * are kept.  cli_collect_finding is a dsj_finding_cb with ctx = cli_collect_t.
 */
typedef struct cli_collect {
    dsj_findings_t *kept;     /* unlimited list; only budgeted findings enter */
    uint64_t budget;          /* findings still allowed in the run (when limited) */
    int limited;
    uint64_t per_sev[3];      /* every finding of the file, shown or not */
    uint64_t total;
} cli_collect_t;

int cli_collect_finding(const dsj_finding_t *f, void *ctx);
/* "N errors, N warnings, N info" on stdout. */
void cli_print_counts(const uint64_t per_sev[3]);
/* "file:line:col: fatal CODE message (at pointer)" line on stdout. */
void cli_print_fatal(const dsj_error_t *e);

/* ------------------------------------------------------------------ options
 * A small long-option parser shared by the subcommands.  Options may appear
 * anywhere before a "--"; values are given as "--opt VALUE" or "--opt=VALUE".
 */
typedef struct cli_option {
    const char *name;      /* long name without "--", e.g. "max-findings" */
    char short_name;       /* 0 = none, e.g. 'h' for -h */
    int takes_value;       /* 1 when the option needs a value */
    int id;                /* returned by cli_next_option */
} cli_option_t;

typedef struct cli_parser {
    const char *cmd;            /* subcommand name, for messages */
    int argc;
    char **argv;
    int pos;                    /* next argv index */
    int only_operands;          /* after "--" */
    const cli_option_t *opts;   /* terminated by an entry with name NULL */
    const char *value;          /* value of the option just returned */
    const char *operand;        /* operand just returned (id CLI_OPERAND) */
} cli_parser_t;

#define CLI_END (-1)       /* no more arguments */
#define CLI_OPERAND (-2)   /* an operand: see parser->operand */
#define CLI_ERROR (-3)     /* a usage error was printed to stderr */

void cli_parser_init(cli_parser_t *p, const char *cmd, int argc, char **argv, const cli_option_t *opts);
/* Returns an option id, CLI_OPERAND, CLI_END or CLI_ERROR. */
int cli_next_option(cli_parser_t *p);

/* Print "dsjson CMD: <message>" and the hint to use --help; returns DSJ_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Parse a non-negative decimal integer option value; 0 on success, else prints a usage error and returns -1. */
int cli_parse_count(const char *cmd, const char *opt, const char *text, uint64_t max, uint64_t *out);

/* ------------------------------------------------------------------ reader limits
 * --max-depth N, --max-string BYTES, --max-number BYTES, --max-columns N,
 * --max-row-bytes BYTES, --max-line BYTES: the Dataset-JSON reader's hard
 * limits (docs/reliability.md).  BYTES may end in K, M or G (binary units).
 * A command lists CLI_LIMIT_OPTIONS in its option table, gives the ids it does
 * not know to cli_limit_option, and calls cli_apply_limits on each
 * dsj_reader_options_t after dsj_reader_options_init.  The values are kept for
 * the run (in the CLI, not the library).
 */
#define CLI_OPT_LIMIT 1000
#define CLI_LIMIT_OPTIONS \
    {"max-depth", 0, 1, CLI_OPT_LIMIT + 0}, {"max-string", 0, 1, CLI_OPT_LIMIT + 1}, \
    {"max-number", 0, 1, CLI_OPT_LIMIT + 2}, {"max-columns", 0, 1, CLI_OPT_LIMIT + 3}, \
    {"max-row-bytes", 0, 1, CLI_OPT_LIMIT + 4}, {"max-line", 0, 1, CLI_OPT_LIMIT + 5}
#define CLI_LIMIT_HELP \
    "  --max-depth N, --max-string B, --max-number B, --max-columns N,\n" \
    "  --max-row-bytes B, --max-line B\n" \
    "                      raise or lower the reader's limits (defaults 64 levels,\n" \
    "                      64M, 4096, 100000, 256M, 256M; docs/reliability.md)\n"
/* Returns 0 when id is not a limit option, 1 when it was taken, -1 after a usage error. */
int cli_limit_option(const cli_parser_t *p, int id);
void cli_apply_limits(dsj_reader_options_t *ro);

/* Output format for reports. */
typedef enum cli_report_format { CLI_REPORT_TEXT = 0, CLI_REPORT_JSON = 1 } cli_report_format_t;
/* "text" or "json"; 0 ok, -1 after printing a usage error. */
int cli_parse_report_format(const char *cmd, const char *text, cli_report_format_t *out);

/* ------------------------------------------------------------------ naming */
/* "1.0", "1.1" or "unknown". */
const char *cli_version_name(dsj_version_t v);
/* Stable name of a status code: "DSJ_E_SYNTAX"... */
const char *cli_status_name(dsj_status_t code);
/* Format an error for the user as "file:line:col: message (at pointer)";
   fallback_file is used when the error does not name a file. */
void cli_print_error(FILE *out, const char *cmd, const dsj_error_t *err, const char *fallback_file);

/* ------------------------------------------------------------------ JSON output
 * A tiny streaming JSON writer for reports (pretty printed, 2-space indent).
 * Strings are written as UTF-8 with the JSON escapes; invalid UTF-8 bytes are
 * replaced by U+FFFD so that the document always parses.
 */
typedef struct cli_json {
    FILE *out;
    int depth;
    int first[64];          /* per depth: no member written yet */
    int after_key;          /* a key was just written */
} cli_json_t;

void cli_json_init(cli_json_t *j, FILE *out);
void cli_json_begin_object(cli_json_t *j);
void cli_json_end_object(cli_json_t *j);
void cli_json_begin_array(cli_json_t *j);
void cli_json_end_array(cli_json_t *j);
void cli_json_key(cli_json_t *j, const char *key);
void cli_json_string(cli_json_t *j, const char *s);          /* NULL writes null */
void cli_json_string_n(cli_json_t *j, const char *s, size_t n);
void cli_json_uint(cli_json_t *j, uint64_t v);
void cli_json_int(cli_json_t *j, int64_t v);
void cli_json_bool(cli_json_t *j, int v);
void cli_json_null(cli_json_t *j);
void cli_json_raw(cli_json_t *j, const char *text, size_t n); /* a valid JSON token */
/* Finish the document (newline). */
void cli_json_finish(cli_json_t *j);
/* Open a summary object {"error","warning","info","total","shown"}; the caller may add keys, then ends it. */
void cli_json_summary_begin(cli_json_t *j, const uint64_t per_sev[3], uint64_t total, uint64_t shown);
/* The common end of a file entry of a report: "findings": [...], "summary": {...}, "fatal": error or null. */
void cli_json_findings_tail(cli_json_t *j, const cli_collect_t *c, const dsj_error_t *fatal);

/* Write s[0..n) as a JSON string literal (with quotes) to out. */
void cli_write_json_string(FILE *out, const char *s, size_t n);

/* Write one finding as a JSON object with every field (null when absent). */
void cli_json_finding(cli_json_t *j, const dsj_finding_t *f);
/* An error as {"code","message","line","column","offset","pointer"}. */
void cli_json_error(cli_json_t *j, const dsj_error_t *err);

/* ------------------------------------------------------------------ progress
 * Progress on stderr, only when stderr is a terminal (and DSJSON_NO_PROGRESS
 * is unset); redrawn at most four times a second; erased by cli_progress_end.
 */
typedef struct cli_progress {
    int enabled;
    int shown;
    const char *label;
    uint64_t last_ms;
    unsigned tick;
} cli_progress_t;

void cli_progress_init(cli_progress_t *p, const char *label);
/* Cheap to call per row: looks at the clock only every 256 calls. rows may be 0 (unknown). */
void cli_progress_update(cli_progress_t *p, uint64_t rows, uint64_t bytes);
void cli_progress_end(cli_progress_t *p);

/* ------------------------------------------------------------------ files */
/* 1 when both paths name the same existing file (same device and inode, or same text). */
int cli_same_file(const char *a, const char *b);
/* 1 when the path exists (any kind). */
int cli_path_exists(const char *path);
/* Last path component, for short messages. [borrowed from path] */
const char *cli_basename(const char *path);

#endif
