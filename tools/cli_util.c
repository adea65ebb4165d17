/* Shared helpers of the dsjson CLI: option parsing, report rendering, progress. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* ================================================================ options */

void cli_parser_init(cli_parser_t *p, const char *cmd, int argc, char **argv, const cli_option_t *opts)
{
    memset(p, 0, sizeof *p);
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
    p->pos = 1; /* argv[0] is the subcommand name */
    p->opts = opts;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "dsjson %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'dsjson %s --help' for more information.\n", cmd);
    return DSJ_EXIT_USAGE;
}

int cli_next_option(cli_parser_t *p)
{
    const cli_option_t *o;
    const char *arg, *eq;
    size_t namelen;

    p->value = NULL;
    p->operand = NULL;
    if (p->pos >= p->argc) return CLI_END;
    arg = p->argv[p->pos++];
    if (p->only_operands || arg[0] != '-' || arg[1] == '\0') { /* "-" is an operand */
        p->operand = arg;
        return CLI_OPERAND;
    }
    if (!strcmp(arg, "--")) {
        p->only_operands = 1;
        return cli_next_option(p);
    }
    if (arg[1] != '-') { /* short option: exactly one letter, value in the next argument */
        if (arg[2] != '\0') {
            cli_usage_error(p->cmd, "unknown option '%s'", arg);
            return CLI_ERROR;
        }
        for (o = p->opts; o->name; o++) {
            if (o->short_name && o->short_name == arg[1]) {
                if (o->takes_value) {
                    if (p->pos >= p->argc) {
                        cli_usage_error(p->cmd, "option '%s' needs a value", arg);
                        return CLI_ERROR;
                    }
                    p->value = p->argv[p->pos++];
                }
                return o->id;
            }
        }
        cli_usage_error(p->cmd, "unknown option '%s'", arg);
        return CLI_ERROR;
    }
    arg += 2;
    eq = strchr(arg, '=');
    namelen = eq ? (size_t)(eq - arg) : strlen(arg);
    for (o = p->opts; o->name; o++) {
        if (strlen(o->name) != namelen || strncmp(o->name, arg, namelen) != 0) continue;
        if (o->takes_value) {
            if (eq) {
                p->value = eq + 1;
            } else if (p->pos < p->argc) {
                p->value = p->argv[p->pos++];
            } else {
                cli_usage_error(p->cmd, "option '--%s' needs a value", o->name);
                return CLI_ERROR;
            }
        } else if (eq) {
            cli_usage_error(p->cmd, "option '--%s' takes no value", o->name);
            return CLI_ERROR;
        }
        return o->id;
    }
    cli_usage_error(p->cmd, "unknown option '--%.*s'", (int)namelen, arg);
    return CLI_ERROR;
}

int cli_parse_count(const char *cmd, const char *opt, const char *text, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    const char *s = text;
    if (!*s) goto bad;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') goto bad;
        if (v > (UINT64_MAX - 9) / 10) goto bad;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v > max) goto bad;
    *out = v;
    return 0;
bad:
    if (max >= UINT32_MAX)
        cli_usage_error(cmd, "option '--%s' wants a whole number (0 or more), not '%s'", opt, text);
    else
        cli_usage_error(cmd, "option '--%s' wants a whole number from 0 to %llu, not '%s'", opt,
                        (unsigned long long)max, text);
    return -1;
}

/* Reader limits given on the command line (0 = the library default). */
static size_t cli_limits[6];

int cli_limit_option(const cli_parser_t *p, int id)
{
    static const char *const names[6] = {"max-depth", "max-string", "max-number", "max-columns",
                                         "max-row-bytes", "max-line"};
    const char *s = p->value;
    uint64_t v = 0, unit = 1;
    int k = id - CLI_OPT_LIMIT;
    if (k < 0 || k >= 6) return 0;
    if (!s || !*s) goto bad;
    for (; *s >= '0' && *s <= '9'; s++) {
        if (v > (UINT64_MAX - 9) / 10) goto bad;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (s == p->value) goto bad;
    if (*s && k != 0 && k != 3) { /* byte counts take K, M, G */
        if (*s == 'K' || *s == 'k') unit = 1024;
        else if (*s == 'M' || *s == 'm') unit = 1024 * 1024;
        else if (*s == 'G' || *s == 'g') unit = 1024 * 1024 * 1024;
        else goto bad;
        s++;
    }
    if (*s || v == 0 || v > (uint64_t)SIZE_MAX / unit) goto bad;
    cli_limits[k] = (size_t)(v * unit);
    return 1;
bad:
    cli_usage_error(p->cmd, "option '--%s' wants a number above 0%s, not '%s'", names[k],
                    k != 0 && k != 3 ? " (bytes; K, M or G may follow)" : "", p->value ? p->value : "");
    return -1;
}

void cli_apply_limits(dsj_reader_options_t *ro)
{
    if (cli_limits[0]) ro->max_depth = cli_limits[0];
    if (cli_limits[1]) ro->max_string = cli_limits[1];
    if (cli_limits[2]) ro->max_number = cli_limits[2];
    if (cli_limits[3]) ro->max_columns = cli_limits[3];
    if (cli_limits[4]) ro->max_row_bytes = cli_limits[4];
    if (cli_limits[5]) ro->max_line = cli_limits[5];
}

int cli_parse_report_format(const char *cmd, const char *text, cli_report_format_t *out)
{
    if (!strcmp(text, "text")) *out = CLI_REPORT_TEXT;
    else if (!strcmp(text, "json")) *out = CLI_REPORT_JSON;
    else {
        cli_usage_error(cmd, "option '--format' wants 'text' or 'json', not '%s'", text);
        return -1;
    }
    return 0;
}

/* ================================================================ naming */

const char *cli_version_name(dsj_version_t v)
{
    switch (v) {
    case DSJ_V1_0: return "1.0";
    case DSJ_V1_1: return "1.1";
    default: return "unknown";
    }
}

const char *cli_status_name(dsj_status_t code)
{
    switch (code) {
    case DSJ_OK: return "DSJ_OK";
    case DSJ_E_NOMEM: return "DSJ_E_NOMEM";
    case DSJ_E_ARG: return "DSJ_E_ARG";
    case DSJ_E_STATE: return "DSJ_E_STATE";
    case DSJ_E_IO: return "DSJ_E_IO";
    case DSJ_E_SYNTAX: return "DSJ_E_SYNTAX";
    case DSJ_E_FORMAT: return "DSJ_E_FORMAT";
    case DSJ_E_UNSUPPORTED: return "DSJ_E_UNSUPPORTED";
    case DSJ_E_COMPRESSION: return "DSJ_E_COMPRESSION";
    case DSJ_E_ENCODING: return "DSJ_E_ENCODING";
    case DSJ_E_LIMIT: return "DSJ_E_LIMIT";
    case DSJ_E_RANGE: return "DSJ_E_RANGE";
    case DSJ_E_TYPE: return "DSJ_E_TYPE";
    case DSJ_E_MISMATCH: return "DSJ_E_MISMATCH";
    case DSJ_E_NOTFOUND: return "DSJ_E_NOTFOUND";
    case DSJ_E_XML: return "DSJ_E_XML";
    case DSJ_E_DEFINE: return "DSJ_E_DEFINE";
    case DSJ_E_ABORTED: return "DSJ_E_ABORTED";
    case DSJ_ROW: return "DSJ_ROW";
    case DSJ_DONE: return "DSJ_DONE";
    default: return "DSJ_E_UNKNOWN";
    }
}

void cli_print_error(FILE *out, const char *cmd, const dsj_error_t *err, const char *fallback_file)
{
    dsj_error_t e = *err;
    char buf[1600];
    if (!e.file[0] && fallback_file) snprintf(e.file, sizeof e.file, "%s", fallback_file);
    dsj_error_format(&e, buf, sizeof buf);
    fprintf(out, "dsjson %s: %s\n", cmd, buf);
}

/* ================================================================ JSON output */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len, i;
    unsigned cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return 0;
    if (n < len) return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    return len;
}

void cli_write_json_string(FILE *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    fputc('"', out);
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        switch (c) {
        case '"': fputs("\\\"", out); i++; continue;
        case '\\': fputs("\\\\", out); i++; continue;
        case '\n': fputs("\\n", out); i++; continue;
        case '\r': fputs("\\r", out); i++; continue;
        case '\t': fputs("\\t", out); i++; continue;
        case '\b': fputs("\\b", out); i++; continue;
        case '\f': fputs("\\f", out); i++; continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7F) {
            fprintf(out, "\\u%04x", c);
            i++;
            continue;
        }
        k = utf8_seq(s + i, n - i);
        if (k == 0) {
            fputs("\\ufffd", out);
            i++;
            continue;
        }
        fwrite(s + i, 1, k, out);
        i += k;
    }
    fputc('"', out);
}

void cli_json_init(cli_json_t *j, FILE *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->first[0] = 1;
}

static void json_indent(cli_json_t *j)
{
    int i;
    fputc('\n', j->out);
    for (i = 0; i < j->depth; i++) fputs("  ", j->out);
}

/* Before any value or key: separator and indentation. */
static void json_pre_value(cli_json_t *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth == 0) return;
    if (!j->first[j->depth]) fputc(',', j->out);
    j->first[j->depth] = 0;
    json_indent(j);
}

static void json_open(cli_json_t *j, char c)
{
    json_pre_value(j);
    fputc(c, j->out);
    if (j->depth < 63) j->depth++;
    j->first[j->depth] = 1;
}

static void json_close(cli_json_t *j, char c)
{
    int empty = j->first[j->depth];
    if (j->depth > 0) j->depth--;
    if (!empty) json_indent(j);
    fputc(c, j->out);
}

void cli_json_begin_object(cli_json_t *j) { json_open(j, '{'); }
void cli_json_end_object(cli_json_t *j) { json_close(j, '}'); }
void cli_json_begin_array(cli_json_t *j) { json_open(j, '['); }
void cli_json_end_array(cli_json_t *j) { json_close(j, ']'); }

void cli_json_key(cli_json_t *j, const char *key)
{
    json_pre_value(j);
    cli_write_json_string(j->out, key, strlen(key));
    fputs(": ", j->out);
    j->after_key = 1;
}

void cli_json_string_n(cli_json_t *j, const char *s, size_t n)
{
    json_pre_value(j);
    if (!s) fputs("null", j->out);
    else cli_write_json_string(j->out, s, n);
}

void cli_json_string(cli_json_t *j, const char *s) { cli_json_string_n(j, s, s ? strlen(s) : 0); }

void cli_json_uint(cli_json_t *j, uint64_t v)
{
    json_pre_value(j);
    fprintf(j->out, "%llu", (unsigned long long)v);
}

void cli_json_int(cli_json_t *j, int64_t v)
{
    json_pre_value(j);
    fprintf(j->out, "%lld", (long long)v);
}

void cli_json_bool(cli_json_t *j, int v)
{
    json_pre_value(j);
    fputs(v ? "true" : "false", j->out);
}

void cli_json_null(cli_json_t *j)
{
    json_pre_value(j);
    fputs("null", j->out);
}

void cli_json_raw(cli_json_t *j, const char *text, size_t n)
{
    json_pre_value(j);
    fwrite(text, 1, n, j->out);
}

void cli_json_finish(cli_json_t *j) { fputc('\n', j->out); }

/* A positive number or null (0 means absent in the library's structs). */
static void json_uint_or_null(cli_json_t *j, uint64_t v)
{
    if (v) cli_json_uint(j, v);
    else cli_json_null(j);
}

void cli_json_finding(cli_json_t *j, const dsj_finding_t *f)
{
    cli_json_begin_object(j);
    cli_json_key(j, "rule"); cli_json_string(j, f->rule);
    cli_json_key(j, "severity"); cli_json_string(j, dsj_severity_name(f->severity));
    cli_json_key(j, "message"); cli_json_string(j, f->message);
    cli_json_key(j, "file"); cli_json_string(j, f->file);
    cli_json_key(j, "line"); json_uint_or_null(j, f->line);
    cli_json_key(j, "column"); json_uint_or_null(j, f->column);
    cli_json_key(j, "offset");
    if (f->offset || f->line) cli_json_uint(j, f->offset); else cli_json_null(j);
    cli_json_key(j, "pointer"); cli_json_string(j, (f->pointer && f->pointer[0]) ? f->pointer : NULL);
    cli_json_key(j, "row"); json_uint_or_null(j, f->row);
    cli_json_key(j, "column_name"); cli_json_string(j, f->column_name);
    cli_json_end_object(j);
}

void cli_json_error(cli_json_t *j, const dsj_error_t *err)
{
    cli_json_begin_object(j);
    cli_json_key(j, "code"); cli_json_string(j, cli_status_name(err->code));
    cli_json_key(j, "message"); cli_json_string(j, err->text[0] ? err->text : dsj_strerror(err->code));
    cli_json_key(j, "line"); json_uint_or_null(j, err->line);
    cli_json_key(j, "column"); json_uint_or_null(j, err->column);
    cli_json_key(j, "offset");
    if (err->offset || err->line) cli_json_uint(j, err->offset); else cli_json_null(j);
    cli_json_key(j, "pointer"); cli_json_string(j, err->pointer[0] ? err->pointer : NULL);
    cli_json_end_object(j);
}

/* ================================================================ findings */

int cli_collect_finding(const dsj_finding_t *f, void *ctx)
{
    cli_collect_t *c = ctx;
    c->total++;
    if ((unsigned)f->severity <= DSJ_SEV_ERROR) c->per_sev[f->severity]++;
    if (c->limited) {
        if (c->budget == 0) return 0;
        c->budget--;
    }
    dsj_findings_add(f, c->kept);
    return 0;
}

static void plural(uint64_t n, const char *one, const char *many)
{
    printf("%llu %s", (unsigned long long)n, n == 1 ? one : many);
}

void cli_print_counts(const uint64_t per_sev[3])
{
    plural(per_sev[DSJ_SEV_ERROR], "error", "errors");
    fputs(", ", stdout);
    plural(per_sev[DSJ_SEV_WARNING], "warning", "warnings");
    printf(", %llu info", (unsigned long long)per_sev[DSJ_SEV_INFO]);
}

void cli_print_fatal(const dsj_error_t *e)
{
    fputs(e->file, stdout);
    fputc(':', stdout);
    if (e->line) printf("%llu:%llu:", (unsigned long long)e->line, (unsigned long long)e->column);
    else if (e->offset) printf("byte %llu:", (unsigned long long)e->offset);
    printf(" fatal %s %s", cli_status_name(e->code), e->text[0] ? e->text : dsj_strerror(e->code));
    if (e->pointer[0]) printf(" (at %s)", e->pointer);
    fputc('\n', stdout);
}

void cli_json_summary_begin(cli_json_t *j, const uint64_t per_sev[3], uint64_t total, uint64_t shown)
{
    cli_json_begin_object(j);
    cli_json_key(j, "error"); cli_json_uint(j, per_sev[DSJ_SEV_ERROR]);
    cli_json_key(j, "warning"); cli_json_uint(j, per_sev[DSJ_SEV_WARNING]);
    cli_json_key(j, "info"); cli_json_uint(j, per_sev[DSJ_SEV_INFO]);
    cli_json_key(j, "total"); cli_json_uint(j, total);
    cli_json_key(j, "shown"); cli_json_uint(j, shown);
}

void cli_json_findings_tail(cli_json_t *j, const cli_collect_t *c, const dsj_error_t *fatal)
{
    size_t i, n = dsj_findings_count(c->kept);
    cli_json_key(j, "findings");
    cli_json_begin_array(j);
    for (i = 0; i < n; i++) cli_json_finding(j, dsj_findings_get(c->kept, i));
    cli_json_end_array(j);
    cli_json_key(j, "summary");
    cli_json_summary_begin(j, c->per_sev, c->total, n);
    cli_json_end_object(j);
    cli_json_key(j, "fatal");
    if (fatal) cli_json_error(j, fatal);
    else cli_json_null(j);
}

/* ================================================================ progress */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void cli_progress_init(cli_progress_t *p, const char *label)
{
    const char *env = getenv("DSJSON_NO_PROGRESS");
    memset(p, 0, sizeof *p);
    p->label = label;
    p->enabled = isatty(STDERR_FILENO) && !(env && *env);
    if (p->enabled) p->last_ms = now_ms();
}

void cli_progress_update(cli_progress_t *p, uint64_t rows, uint64_t bytes)
{
    uint64_t t;
    if (!p->enabled) return;
    if ((++p->tick & 255u) != 0) return;
    t = now_ms();
    if (t - p->last_ms < 250) return; /* at most four redraws a second */
    p->last_ms = t;
    if (rows)
        fprintf(stderr, "\r%s: %llu rows, %.1f MB read ", p->label, (unsigned long long)rows,
                (double)bytes / 1e6);
    else
        fprintf(stderr, "\r%s: %.1f MB read ", p->label, (double)bytes / 1e6);
    fflush(stderr);
    p->shown = 1;
}

void cli_progress_end(cli_progress_t *p)
{
    if (p->enabled && p->shown) {
        fputs("\r\033[K", stderr); /* erase the progress line */
        fflush(stderr);
    }
    p->shown = 0;
}

/* ================================================================ files */

int cli_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!strcmp(a, b)) return 1;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cli_path_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

const char *cli_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}
