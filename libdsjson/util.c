/* Shared helpers: allocation, buffers, errors, findings, names. */
#include "dsj_internal.h"

#include <errno.h>
#include <stdio.h>

const char *dsj_version(void) { return DSJ_VERSION_STRING; }

/* ---------------- allocation ---------------- */

void *dsj_malloc(size_t n) { return malloc(n ? n : 1); }
void *dsj_calloc(size_t count, size_t n) { return calloc(count ? count : 1, n ? n : 1); }
void *dsj_realloc(void *p, size_t n) { return realloc(p, n ? n : 1); }
void dsj_free(void *p) { free(p); }

char *dsj_strndup(const char *s, size_t n)
{
    char *d;
    if (!s) return NULL;
    d = dsj_malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *dsj_strdup(const char *s) { return s ? dsj_strndup(s, strlen(s)) : NULL; }

/* ---------------- buffers ---------------- */

void dsj_buf_init(dsj_buf_t *b) { b->data = NULL; b->len = 0; b->cap = 0; }

void dsj_buf_free(dsj_buf_t *b)
{
    dsj_free(b->data);
    dsj_buf_init(b);
}

void dsj_buf_reset(dsj_buf_t *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

int dsj_buf_reserve(dsj_buf_t *b, size_t extra)
{
    size_t need, cap;
    char *p;
    if (extra > SIZE_MAX - b->len - 1) return -1;
    need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = dsj_realloc(b->data, cap);
    if (!p) return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int dsj_buf_append(dsj_buf_t *b, const void *p, size_t n)
{
    if (dsj_buf_reserve(b, n)) return -1;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int dsj_buf_putc(dsj_buf_t *b, char c)
{
    if (b->len + 1 >= b->cap && dsj_buf_reserve(b, 1)) return -1;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return 0;
}

int dsj_buf_puts(dsj_buf_t *b, const char *s) { return dsj_buf_append(b, s, strlen(s)); }

int dsj_buf_printf(dsj_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    char small[256];
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return -1;
    if ((size_t)n < sizeof small) return dsj_buf_append(b, small, (size_t)n);
    if (dsj_buf_reserve(b, (size_t)n)) return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int dsj_buf_json_string(dsj_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;
    if (dsj_buf_reserve(b, n + 2)) return -1;
    b->data[b->len++] = '"';
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (dsj_buf_append(b, s + run, i - run)) return -1;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        default:
            u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
            u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = '\0';
            esc = u;
        }
        if (dsj_buf_puts(b, esc)) return -1;
        run = i + 1;
    }
    if (dsj_buf_append(b, s + run, n - run)) return -1;
    return dsj_buf_putc(b, '"');
}

char *dsj_buf_steal(dsj_buf_t *b)
{
    char *d = b->data;
    if (!d) d = dsj_strdup("");
    dsj_buf_init(b);
    return d;
}

int dsj_buf_pointer_token(dsj_buf_t *b, const char *tok)
{
    if (dsj_buf_putc(b, '/')) return -1;
    for (; *tok; tok++) {
        if (*tok == '~') { if (dsj_buf_puts(b, "~0")) return -1; }
        else if (*tok == '/') { if (dsj_buf_puts(b, "~1")) return -1; }
        else if (dsj_buf_putc(b, *tok)) return -1;
    }
    return 0;
}

/* ---------------- errors ---------------- */

static const char *const status_text[DSJ_E__COUNT] = {
    [DSJ_OK] = "success",
    [DSJ_E_NOMEM] = "out of memory",
    [DSJ_E_ARG] = "invalid argument",
    [DSJ_E_STATE] = "call out of order",
    [DSJ_E_IO] = "input/output error",
    [DSJ_E_SYNTAX] = "syntax error",
    [DSJ_E_FORMAT] = "not a valid document of the expected format",
    [DSJ_E_UNSUPPORTED] = "unsupported version or feature",
    [DSJ_E_COMPRESSION] = "corrupt or truncated compressed data",
    [DSJ_E_ENCODING] = "invalid character encoding",
    [DSJ_E_LIMIT] = "a size or depth limit was exceeded",
    [DSJ_E_RANGE] = "value out of range",
    [DSJ_E_TYPE] = "value has the wrong type",
    [DSJ_E_MISMATCH] = "data does not match its metadata",
    [DSJ_E_NOTFOUND] = "not found",
    [DSJ_E_XML] = "XML error",
    [DSJ_E_DEFINE] = "define.xml cannot be used",
    [DSJ_E_ABORTED] = "stopped by a callback",
};

const char *dsj_strerror(dsj_status_t code)
{
    if (code == DSJ_ROW) return "row available";
    if (code == DSJ_DONE) return "no more rows";
    if ((int)code < 0 || code >= DSJ_E__COUNT || !status_text[code]) return "unknown status";
    return status_text[code];
}

void dsj_error_clear(dsj_error_t *err)
{
    if (err) memset(err, 0, sizeof *err);
}

dsj_status_t dsj_error_set(dsj_error_t *err, dsj_status_t code, const char *file,
                           uint64_t line, uint64_t column, uint64_t offset,
                           const char *fmt, ...)
{
    va_list ap;
    if (!err) return code;
    err->code = code;
    if (file) snprintf(err->file, sizeof err->file, "%s", file);
    err->line = line;
    err->column = column;
    err->offset = offset;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    return code;
}

void dsj_error_set_pointer(dsj_error_t *err, const char *pointer)
{
    if (err && pointer) snprintf(err->pointer, sizeof err->pointer, "%s", pointer);
}

char *dsj_error_format(const dsj_error_t *err, char *buf, size_t size)
{
    size_t n = 0;
    if (!buf || !size) return buf;
    buf[0] = '\0';
    if (!err) return buf;
#define ADD(...) do { if (n < size) { int k_ = snprintf(buf + n, size - n, __VA_ARGS__); if (k_ > 0) n += (size_t)k_; } } while (0)
    if (err->file[0]) ADD("%s:", err->file);
    if (err->line) ADD("%llu:%llu:", (unsigned long long)err->line, (unsigned long long)err->column);
    else if (err->offset) ADD("byte %llu:", (unsigned long long)err->offset);
    if (n) ADD(" ");
    ADD("%s", err->text[0] ? err->text : dsj_strerror(err->code));
    if (err->pointer[0]) ADD(" (at %s)", err->pointer);
#undef ADD
    return buf;
}

/* ---------------- findings ---------------- */

const char *dsj_severity_name(dsj_severity_t sev)
{
    switch (sev) {
    case DSJ_SEV_INFO: return "info";
    case DSJ_SEV_WARNING: return "warning";
    case DSJ_SEV_ERROR: return "error";
    }
    return "unknown";
}

int dsj_emit(dsj_finding_cb cb, void *ctx, const char *rule, dsj_severity_t sev,
             const char *file, uint64_t line, uint64_t column, uint64_t offset,
             const char *pointer, uint64_t row, const char *column_name,
             const char *fmt, ...)
{
    dsj_finding_t f;
    char msg[1024];
    va_list ap;
    if (!cb) return 0;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    f.rule = rule;
    f.severity = sev;
    f.message = msg;
    f.file = file;
    f.line = line;
    f.column = column;
    f.offset = offset;
    f.pointer = pointer;
    f.row = row;
    f.column_name = column_name;
    return cb(&f, ctx);
}

struct dsj_findings {
    dsj_finding_t *items;
    size_t count, cap, max_kept;
    uint64_t total;
    uint64_t per_sev[3];
};

dsj_findings_t *dsj_findings_new(size_t max_kept)
{
    dsj_findings_t *l = dsj_calloc(1, sizeof *l);
    if (l) l->max_kept = max_kept;
    return l;
}

static void finding_release(dsj_finding_t *f)
{
    dsj_free((char *)f->rule);
    dsj_free((char *)f->message);
    dsj_free((char *)f->file);
    dsj_free((char *)f->pointer);
    dsj_free((char *)f->column_name);
}

void dsj_findings_clear(dsj_findings_t *l)
{
    size_t i;
    if (!l) return;
    for (i = 0; i < l->count; i++) finding_release(&l->items[i]);
    l->count = 0;
    l->total = 0;
    memset(l->per_sev, 0, sizeof l->per_sev);
}

void dsj_findings_free(dsj_findings_t *l)
{
    if (!l) return;
    dsj_findings_clear(l);
    dsj_free(l->items);
    dsj_free(l);
}

int dsj_findings_add(const dsj_finding_t *f, void *ctx)
{
    dsj_findings_t *l = ctx;
    dsj_finding_t *d;
    if (!l || !f) return 0;
    l->total++;
    if ((unsigned)f->severity <= DSJ_SEV_ERROR) l->per_sev[f->severity]++;
    if (l->max_kept && l->count >= l->max_kept) return 0;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        dsj_finding_t *p = dsj_realloc(l->items, cap * sizeof *p);
        if (!p) return 0;
        l->items = p;
        l->cap = cap;
    }
    d = &l->items[l->count++];
    *d = *f;
    d->rule = dsj_strdup(f->rule);
    d->message = dsj_strdup(f->message);
    d->file = dsj_strdup(f->file);
    d->pointer = dsj_strdup(f->pointer);
    d->column_name = dsj_strdup(f->column_name);
    return 0;
}

size_t dsj_findings_count(const dsj_findings_t *l) { return l ? l->count : 0; }
uint64_t dsj_findings_total(const dsj_findings_t *l) { return l ? l->total : 0; }

uint64_t dsj_findings_total_severity(const dsj_findings_t *l, dsj_severity_t sev)
{
    if (!l || (unsigned)sev > DSJ_SEV_ERROR) return 0;
    return l->per_sev[sev];
}

const dsj_finding_t *dsj_findings_get(const dsj_findings_t *l, size_t i)
{
    return (l && i < l->count) ? &l->items[i] : NULL;
}

static int finding_cmp(const dsj_finding_t *a, const dsj_finding_t *b)
{
    if (a->row != b->row) return a->row < b->row ? -1 : 1;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->offset != b->offset) return a->offset < b->offset ? -1 : 1;
    return 0;
}

void dsj_findings_sort(dsj_findings_t *l)
{
    /* insertion sort on an index-stable merge would be nicer for big lists; a
       bottom-up merge sort keeps it O(n log n) and stable. */
    dsj_finding_t *tmp;
    size_t width, i, n;
    if (!l || l->count < 2) return;
    n = l->count;
    tmp = dsj_malloc(n * sizeof *tmp);
    if (!tmp) return;
    for (width = 1; width < n; width *= 2) {
        for (i = 0; i < n; i += 2 * width) {
            size_t lo = i, mid = i + width < n ? i + width : n;
            size_t hi = i + 2 * width < n ? i + 2 * width : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                tmp[k++] = finding_cmp(&l->items[b], &l->items[a]) < 0 ? l->items[b++] : l->items[a++];
            while (a < mid) tmp[k++] = l->items[a++];
            while (b < hi) tmp[k++] = l->items[b++];
        }
        memcpy(l->items, tmp, n * sizeof *tmp);
    }
    dsj_free(tmp);
}

void dsj_finding_print(FILE *out, const dsj_finding_t *f)
{
    if (f->file && f->file[0]) fprintf(out, "%s:", f->file);
    if (f->line) fprintf(out, "%llu:%llu:", (unsigned long long)f->line, (unsigned long long)f->column);
    else if (f->offset) fprintf(out, "byte %llu:", (unsigned long long)f->offset);
    fprintf(out, " %s %s", dsj_severity_name(f->severity), f->rule ? f->rule : "?");
    if (f->row) {
        fprintf(out, " [row %llu", (unsigned long long)f->row);
        if (f->column_name) fprintf(out, ", %s", f->column_name);
        fputc(']', out);
    } else if (f->column_name) {
        fprintf(out, " [%s]", f->column_name);
    }
    fprintf(out, " %s", f->message ? f->message : "");
    if (f->pointer && f->pointer[0]) fprintf(out, " (at %s)", f->pointer);
    fputc('\n', out);
}

/* ---------------- names ---------------- */

static const char *const type_names[] = {
    [DSJ_TYPE_NONE] = "", [DSJ_TYPE_STRING] = "string", [DSJ_TYPE_INTEGER] = "integer",
    [DSJ_TYPE_DECIMAL] = "decimal", [DSJ_TYPE_FLOAT] = "float", [DSJ_TYPE_DOUBLE] = "double",
    [DSJ_TYPE_BOOLEAN] = "boolean", [DSJ_TYPE_DATETIME] = "datetime", [DSJ_TYPE_DATE] = "date",
    [DSJ_TYPE_TIME] = "time", [DSJ_TYPE_URI] = "URI", [DSJ_TYPE_UNKNOWN] = "unknown",
};

const char *dsj_datatype_name(dsj_datatype_t t)
{
    if ((unsigned)t > DSJ_TYPE_UNKNOWN) return "unknown";
    return type_names[t];
}

dsj_datatype_t dsj_datatype_from_name(const char *name)
{
    int t;
    if (!name) return DSJ_TYPE_NONE;
    for (t = DSJ_TYPE_STRING; t < DSJ_TYPE_UNKNOWN; t++)
        if (strcmp(name, type_names[t]) == 0) return (dsj_datatype_t)t;
    return DSJ_TYPE_UNKNOWN;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix), i;
    if (m > n) return 0;
    for (i = 0; i < m; i++) {
        char c = s[n - m + i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != suffix[i]) return 0;
    }
    return 1;
}

dsj_format_t dsj_format_from_path(const char *path)
{
    if (!path) return DSJ_FORMAT_AUTO;
    if (ends_with(path, ".ndjson")) return DSJ_FORMAT_NDJSON;
    if (ends_with(path, ".dsjc")) return DSJ_FORMAT_DSJC;
    if (ends_with(path, ".json")) return DSJ_FORMAT_JSON;
    if (ends_with(path, ".xml")) return DSJ_FORMAT_DATASETXML;
    if (ends_with(path, ".xpt")) return DSJ_FORMAT_XPT;
    if (ends_with(path, ".sas7bdat")) return DSJ_FORMAT_SAS7BDAT;
    return DSJ_FORMAT_AUTO;
}

int dsj_format_is_dataset_json(dsj_format_t f)
{
    return f == DSJ_FORMAT_JSON || f == DSJ_FORMAT_NDJSON || f == DSJ_FORMAT_DSJC;
}

const char *dsj_format_name(dsj_format_t f)
{
    switch (f) {
    case DSJ_FORMAT_JSON: return "json";
    case DSJ_FORMAT_NDJSON: return "ndjson";
    case DSJ_FORMAT_DSJC: return "dsjc";
    case DSJ_FORMAT_DATASETXML: return "dataset-xml";
    case DSJ_FORMAT_XPT: return "xpt";
    case DSJ_FORMAT_SAS7BDAT: return "sas7bdat";
    default: return "auto";
    }
}

const char *dsj_meta_attr_name(dsj_meta_attr_t a, dsj_version_t v)
{
    int v10 = (v == DSJ_V1_0);
    switch (a) {
    case DSJ_META_DATASET_JSON_VERSION: return "datasetJSONVersion";
    case DSJ_META_CREATION_DATETIME: return v10 ? "creationDateTime" : "datasetJSONCreationDateTime";
    case DSJ_META_FILE_OID: return "fileOID";
    case DSJ_META_DB_LAST_MODIFIED_DATETIME: return "dbLastModifiedDateTime";
    case DSJ_META_AS_OF_DATETIME: return "asOfDateTime";
    case DSJ_META_ORIGINATOR: return "originator";
    case DSJ_META_SOURCE_SYSTEM_NAME: return v10 ? "sourceSystem" : "sourceSystem/name";
    case DSJ_META_SOURCE_SYSTEM_VERSION: return v10 ? "sourceSystemVersion" : "sourceSystem/version";
    case DSJ_META_STUDY_OID: return "studyOID";
    case DSJ_META_METADATA_VERSION_OID: return "metaDataVersionOID";
    case DSJ_META_METADATA_REF: return "metaDataRef";
    case DSJ_META_ITEMGROUP_OID: return v10 ? "itemGroupData/<key>" : "itemGroupOID";
    case DSJ_META_NAME: return "name";
    case DSJ_META_LABEL: return "label";
    default: return "";
    }
}
