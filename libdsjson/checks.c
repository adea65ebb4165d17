/*
 * Scripted data checks: rule files (load + validate with json-c) and their
 * evaluation over a streaming reader (docs/checks.md).
 *
 * A rule set is immutable after loading.  Running it over one dataset binds
 * the rules that apply (column indices resolved once), then reads the rows
 * once.  `unique` keeps a hash set of the key tuples seen; `exists_in` first
 * reads the other dataset once into such a set.  Everything else is per row.
 */
#include "json_dupkey_internal.h"
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "checks_internal.h"

/* ================================================================
 * Rule model
 * ============================================================== */

typedef enum check_kind {
    K_PATTERN = 0, K_NOT_NULL, K_IN, K_IN_CODELIST, K_RANGE, K_MAX_LENGTH, K_UNIQUE, K_COMPARE, K_EXISTS_IN, K__COUNT
} check_kind_t;

static const char *const kind_names[K__COUNT] = {
    "pattern", "not_null", "in", "in_codelist", "range", "max_length", "unique", "compare", "exists_in",
};

enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };
static const char *const op_names[] = {"==", "!=", "<", "<=", ">", ">="};

typedef struct rule {
    char *id;
    size_t index;
    dsj_severity_t severity;
    char *message;                  /* NULL: generated */
    char **datasets;                /* NULL with all_datasets */
    size_t ndatasets;
    int all_datasets;
    char **columns;
    size_t ncolumns;
    dsj_condition_t *when;
    check_kind_t kind;
    char *pattern;                  /* pattern */
    dsj_regex_t *re;
    dsj_cell_t *values;             /* in (texts owned) */
    size_t nvalues;
    char *codelist;                 /* in_codelist */
    dsj_cell_t min, max;            /* range (texts owned; kind NULL when absent) */
    int64_t max_length;
    int op;                         /* compare */
    char *other_column;
    char *other_dataset;            /* exists_in */
    char **other_columns;
    size_t nother;
} rule_t;

struct dsj_ruleset {
    rule_t *rules;
    size_t n;
};

static void strv_free(char **v, size_t n)
{
    size_t i;
    if (!v) return;
    for (i = 0; i < n; i++) dsj_free(v[i]);
    dsj_free(v);
}

static void rule_clear(rule_t *r)
{
    size_t i;
    dsj_free(r->id);
    dsj_free(r->message);
    strv_free(r->datasets, r->ndatasets);
    strv_free(r->columns, r->ncolumns);
    dsj_condition_free(r->when);
    dsj_free(r->pattern);
    dsj_regex_free(r->re);
    for (i = 0; i < r->nvalues; i++) dsj_free((void *)r->values[i].text);
    dsj_free(r->values);
    dsj_free(r->codelist);
    dsj_free((void *)r->min.text);
    dsj_free((void *)r->max.text);
    dsj_free(r->other_column);
    dsj_free(r->other_dataset);
    strv_free(r->other_columns, r->nother);
}

void dsj_ruleset_free(dsj_ruleset_t *rs)
{
    size_t i;
    if (!rs) return;
    for (i = 0; i < rs->n; i++) rule_clear(&rs->rules[i]);
    dsj_free(rs->rules);
    dsj_free(rs);
}

size_t dsj_ruleset_count(const dsj_ruleset_t *rs)
{
    return rs ? rs->n : 0;
}

const char *dsj_ruleset_rule_id(const dsj_ruleset_t *rs, size_t i)
{
    return rs && i < rs->n ? rs->rules[i].id : NULL;
}

/* ================================================================
 * Loading
 * ============================================================== */

typedef struct loader {
    const char *name;
    dsj_error_t *err;
    rule_t *r;       /* rule being loaded */
} loader_t;

/* Fail with "rule 'ID' (index N): ..." and the pointer /rules/N[/sub]. */
static int lerr(loader_t *L, const char *sub, const char *fmt, ...) DSJ_PRINTF(3, 4);
static int lerr(loader_t *L, const char *sub, const char *fmt, ...)
{
    char msg[400], ptr[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (L->r && L->r->id)
        dsj_error_set(L->err, DSJ_E_FORMAT, L->name, 0, 0, 0, "rule '%s' (index %zu): %s", L->r->id, L->r->index, msg);
    else if (L->r)
        dsj_error_set(L->err, DSJ_E_FORMAT, L->name, 0, 0, 0, "rule at index %zu: %s", L->r->index, msg);
    else
        dsj_error_set(L->err, DSJ_E_FORMAT, L->name, 0, 0, 0, "rule file: %s", msg);
    if (L->r) snprintf(ptr, sizeof ptr, "/rules/%zu%s%s", L->r->index, sub && *sub ? "/" : "", sub ? sub : "");
    else snprintf(ptr, sizeof ptr, "%s", sub ? sub : "");
    dsj_error_set_pointer(L->err, ptr);
    return -1;
}

static const char *jtype(json_object *o)
{
    return o ? json_type_to_name(json_object_get_type(o)) : "null";
}

static int nomem(loader_t *L)
{
    dsj_error_set(L->err, DSJ_E_NOMEM, L->name, 0, 0, 0, "out of memory");
    return -1;
}

/* A non-empty array of non-empty strings (or one string when allow_single). */
static int load_names(loader_t *L, json_object *o, const char *what, int allow_single, char ***out, size_t *n)
{
    size_t i, len;
    if (allow_single && json_object_is_type(o, json_type_string)) {
        *out = dsj_calloc(1, sizeof **out);
        if (!*out || !(**out = dsj_strdup(json_object_get_string(o)))) return nomem(L);
        *n = 1;
        if (!***out) return lerr(L, what, "'%s' must not be empty", what);
        return 0;
    }
    if (!json_object_is_type(o, json_type_array))
        return lerr(L, what, "'%s' must be %s, not %s", what, allow_single ? "a string or an array of strings" : "an array of strings", jtype(o));
    len = json_object_array_length(o);
    if (len == 0) return lerr(L, what, "'%s' must not be empty", what);
    *out = dsj_calloc(len, sizeof **out);
    if (!*out) return nomem(L);
    for (i = 0; i < len; i++) {
        json_object *e = json_object_array_get_idx(o, i);
        char sub[64];
        snprintf(sub, sizeof sub, "%s/%zu", what, i);
        if (!json_object_is_type(e, json_type_string) || !json_object_get_string_len(e))
            return lerr(L, sub, "'%s' item %zu must be a non-empty string, not %s", what, i, jtype(e));
        (*out)[i] = dsj_strdup(json_object_get_string(e));
        *n = i + 1;
        if (!(*out)[i]) return nomem(L);
    }
    return 0;
}

/* A JSON number or string as a cell with owned text (numbers keep their text). */
static int load_literal(loader_t *L, json_object *o, const char *sub, int numbers_only, dsj_cell_t *c)
{
    const char *t;
    memset(c, 0, sizeof *c);
    if (json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double)) {
        t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        c->kind = strpbrk(t, ".eE") ? DSJ_CELL_NUMBER : DSJ_CELL_INTEGER;
    } else if (!numbers_only && json_object_is_type(o, json_type_string)) {
        t = json_object_get_string(o);
        c->kind = DSJ_CELL_STRING;
    } else {
        return lerr(L, sub, "%s must be %s, not %s", sub, numbers_only ? "a number" : "a string or a number", jtype(o));
    }
    c->text = dsj_strdup(t);
    if (!c->text) return nomem(L);
    c->len = strlen(t);
    return 0;
}

static int load_check(loader_t *L, json_object *chk)
{
    rule_t *r = L->r;
    json_object *v = NULL;
    const char *key = NULL;
    int k, found = -1, nkeys = 0;
    char keys[200] = "";
    if (!json_object_is_type(chk, json_type_object)) return lerr(L, "check", "'check' must be an object, not %s", jtype(chk));
    json_object_object_foreach(chk, ck, cv) {
        nkeys++;
        if (strlen(keys) + strlen(ck) + 3 < sizeof keys) {
            if (keys[0]) strcat(keys, ", ");
            strcat(keys, ck);
        }
        for (k = 0; k < K__COUNT; k++)
            if (!strcmp(ck, kind_names[k])) break;
        if (k == K__COUNT)
            return lerr(L, "check", "unknown check '%s' (expected one of pattern, not_null, in, in_codelist, range, "
                        "max_length, unique, compare, exists_in)", ck);
        found = k;
        key = ck;
        v = cv;
    }
    if (nkeys == 0) return lerr(L, "check", "'check' is empty; give exactly one check kind");
    if (nkeys > 1) return lerr(L, "check", "'check' has %d kinds (%s); give exactly one per rule", nkeys, keys);
    r->kind = (check_kind_t)found;
    {
        char sub[64];
        snprintf(sub, sizeof sub, "check/%s", key);
        switch (r->kind) {
        case K_PATTERN: {
            char msg[256];
            size_t off = 0;
            if (!json_object_is_type(v, json_type_string)) return lerr(L, sub, "'pattern' must be a string, not %s", jtype(v));
            r->pattern = dsj_strdup(json_object_get_string(v));
            if (!r->pattern) return nomem(L);
            r->re = dsj_regex_compile(r->pattern, (size_t)json_object_get_string_len(v), msg, sizeof msg, &off);
            if (!r->re) return lerr(L, sub, "bad pattern /%s/: %s at offset %zu (PCRE2)", r->pattern, msg, off);
            break;
        }
        case K_NOT_NULL:
        case K_UNIQUE:
            if (!json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v))
                return lerr(L, sub, "'%s' must be true, not %s", key, json_object_to_json_string(v));
            break;
        case K_IN: {
            size_t i, n;
            if (!json_object_is_type(v, json_type_array) || !(n = json_object_array_length(v)))
                return lerr(L, sub, "'in' must be a non-empty array of strings or numbers, not %s", jtype(v));
            r->values = dsj_calloc(n, sizeof *r->values);
            if (!r->values) return nomem(L);
            for (i = 0; i < n; i++) {
                char isub[80];
                snprintf(isub, sizeof isub, "check/in/%zu", i);
                if (load_literal(L, json_object_array_get_idx(v, i), isub, 0, &r->values[i])) return -1;
                r->nvalues = i + 1;
            }
            break;
        }
        case K_IN_CODELIST:
            if (!json_object_is_type(v, json_type_string) || !json_object_get_string_len(v))
                return lerr(L, sub, "'in_codelist' must be a code list OID (a non-empty string), not %s", jtype(v));
            r->codelist = dsj_strdup(json_object_get_string(v));
            if (!r->codelist) return nomem(L);
            break;
        case K_RANGE: {
            int n = 0;
            if (!json_object_is_type(v, json_type_object)) return lerr(L, sub, "'range' must be an object {\"min\": N, \"max\": N}, not %s", jtype(v));
            json_object_object_foreach(v, rk, rv) {
                if (!strcmp(rk, "min")) { if (load_literal(L, rv, "check/range/min", 1, &r->min)) return -1; }
                else if (!strcmp(rk, "max")) { if (load_literal(L, rv, "check/range/max", 1, &r->max)) return -1; }
                else return lerr(L, sub, "unknown member '%s' in 'range' (expected min, max)", rk);
                n++;
            }
            if (!n) return lerr(L, sub, "'range' needs 'min', 'max' or both");
            if (r->min.text && r->max.text && dsj_number_text_compare(r->min.text, r->min.len, r->max.text, r->max.len) > 0)
                return lerr(L, sub, "'range' min %s is greater than max %s", r->min.text, r->max.text);
            break;
        }
        case K_MAX_LENGTH:
            if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
                return lerr(L, sub, "'max_length' must be a non-negative integer, not %s", json_object_to_json_string(v));
            r->max_length = json_object_get_int64(v);
            break;
        case K_COMPARE: {
            json_object *op = NULL, *col = NULL;
            int i;
            if (!json_object_is_type(v, json_type_object)) return lerr(L, sub, "'compare' must be an object {\"op\": \"<\", \"column\": NAME}, not %s", jtype(v));
            json_object_object_foreach(v, ck2, cv2) {
                if (!strcmp(ck2, "op")) op = cv2;
                else if (!strcmp(ck2, "column")) col = cv2;
                else return lerr(L, sub, "unknown member '%s' in 'compare' (expected op, column)", ck2);
            }
            if (!json_object_is_type(op, json_type_string)) return lerr(L, "check/compare/op", "'compare' needs \"op\": one of <, <=, ==, !=, >=, >");
            for (i = 0; i < 6; i++)
                if (!strcmp(json_object_get_string(op), op_names[i])) break;
            if (i == 6) return lerr(L, "check/compare/op", "unknown compare op '%s' (expected <, <=, ==, !=, >=, >)", json_object_get_string(op));
            r->op = i;
            if (!json_object_is_type(col, json_type_string) || !json_object_get_string_len(col))
                return lerr(L, "check/compare/column", "'compare' needs \"column\": the other column's name");
            r->other_column = dsj_strdup(json_object_get_string(col));
            if (!r->other_column) return nomem(L);
            break;
        }
        case K_EXISTS_IN: {
            json_object *ds = NULL, *cols = NULL;
            if (!json_object_is_type(v, json_type_object)) return lerr(L, sub, "'exists_in' must be an object {\"dataset\": NAME, \"columns\": [...]}, not %s", jtype(v));
            json_object_object_foreach(v, ek, ev) {
                if (!strcmp(ek, "dataset")) ds = ev;
                else if (!strcmp(ek, "columns")) cols = ev;
                else return lerr(L, sub, "unknown member '%s' in 'exists_in' (expected dataset, columns)", ek);
            }
            if (!json_object_is_type(ds, json_type_string) || !json_object_get_string_len(ds))
                return lerr(L, "check/exists_in/dataset", "'exists_in' needs \"dataset\": the other dataset's name");
            if (strchr(json_object_get_string(ds), '/'))
                return lerr(L, "check/exists_in/dataset", "'exists_in' dataset must be a dataset name, not a path");
            r->other_dataset = dsj_strdup(json_object_get_string(ds));
            if (!r->other_dataset) return nomem(L);
            if (!cols) return lerr(L, "check/exists_in", "'exists_in' needs \"columns\": the other dataset's columns");
            if (load_names(L, cols, "check/exists_in/columns", 0, &r->other_columns, &r->nother)) return -1;
            break;
        }
        default:
            break;
        }
    }
    return 0;
}

static int load_rule(loader_t *L, json_object *o)
{
    rule_t *r = L->r;
    json_object *id = NULL, *sev = NULL, *msg = NULL, *ds = NULL, *col = NULL, *cols = NULL, *when = NULL, *chk = NULL;
    r->severity = DSJ_SEV_ERROR;
    if (!json_object_is_type(o, json_type_object)) return lerr(L, "", "a rule must be an object, not %s", jtype(o));
    json_object_object_get_ex(o, "id", &id);
    if (!json_object_is_type(id, json_type_string) || !json_object_get_string_len(id))
        return lerr(L, "id", "'id' is required and must be a non-empty string%s%s", id ? ", not " : "", id ? jtype(id) : "");
    r->id = dsj_strdup(json_object_get_string(id));
    if (!r->id) return nomem(L);
    json_object_object_foreach(o, k, v) {
        if (!strcmp(k, "id")) continue;
        else if (!strcmp(k, "severity")) sev = v;
        else if (!strcmp(k, "message")) msg = v;
        else if (!strcmp(k, "dataset")) ds = v;
        else if (!strcmp(k, "column")) col = v;
        else if (!strcmp(k, "columns")) cols = v;
        else if (!strcmp(k, "when")) when = v;
        else if (!strcmp(k, "check")) chk = v;
        else if (!strcmp(k, "description")) {
            if (!json_object_is_type(v, json_type_string)) return lerr(L, "description", "'description' must be a string");
        } else
            return lerr(L, k, "unknown member '%s' (expected id, severity, message, description, dataset, column, "
                        "columns, when, check)", k);
    }
    if (sev) {
        const char *s = json_object_is_type(sev, json_type_string) ? json_object_get_string(sev) : "";
        if (!strcmp(s, "error")) r->severity = DSJ_SEV_ERROR;
        else if (!strcmp(s, "warning")) r->severity = DSJ_SEV_WARNING;
        else if (!strcmp(s, "info")) r->severity = DSJ_SEV_INFO;
        else return lerr(L, "severity", "'severity' must be \"error\", \"warning\" or \"info\", not %s", json_object_to_json_string(sev));
    }
    if (msg) {
        if (!json_object_is_type(msg, json_type_string)) return lerr(L, "message", "'message' must be a string, not %s", jtype(msg));
        r->message = dsj_strdup(json_object_get_string(msg));
        if (!r->message) return nomem(L);
    }
    if (!ds || (json_object_is_type(ds, json_type_string) && !strcmp(json_object_get_string(ds), "*"))) {
        r->all_datasets = 1;
    } else if (load_names(L, ds, "dataset", 1, &r->datasets, &r->ndatasets)) {
        return -1;
    }
    if (col && cols) return lerr(L, "columns", "give 'column' or 'columns', not both");
    if (!col && !cols) return lerr(L, "", "'column' or 'columns' is required");
    if (col) {
        if (!json_object_is_type(col, json_type_string) || !json_object_get_string_len(col))
            return lerr(L, "column", "'column' must be a non-empty string, not %s", jtype(col));
        if (load_names(L, col, "column", 1, &r->columns, &r->ncolumns)) return -1;
    } else if (load_names(L, cols, "columns", 0, &r->columns, &r->ncolumns)) {
        return -1;
    }
    if (when) {
        dsj_error_t cerr;
        if (!json_object_is_type(when, json_type_string)) return lerr(L, "when", "'when' must be a condition string, not %s", jtype(when));
        dsj_error_clear(&cerr);
        r->when = dsj_condition_parse(json_object_get_string(when), &cerr);
        if (!r->when) return lerr(L, "when", "'when': %s", cerr.text);
    }
    if (!chk) return lerr(L, "", "'check' is required");
    if (load_check(L, chk)) return -1;
    if (r->kind == K_COMPARE && r->ncolumns != 1) return lerr(L, "columns", "'compare' needs exactly one column");
    if (r->kind == K_EXISTS_IN && r->ncolumns != r->nother)
        return lerr(L, "check/exists_in/columns", "'exists_in' lists %zu columns but the rule has %zu", r->nother, r->ncolumns);
    return 0;
}

static dsj_ruleset_t *load_root(json_object *root, const char *name, dsj_error_t *err)
{
    loader_t L;
    json_object *rules = NULL;
    dsj_ruleset_t *rs;
    size_t i, j, n;
    memset(&L, 0, sizeof L);
    L.name = name;
    L.err = err;
    if (!json_object_is_type(root, json_type_object)) {
        lerr(&L, "", "the root must be an object {\"rules\": [...]}, not %s", jtype(root));
        return NULL;
    }
    json_object_object_foreach(root, k, v) {
        if (!strcmp(k, "rules")) rules = v;
        else if (strcmp(k, "$schema") && strcmp(k, "description") && strcmp(k, "title") && strcmp(k, "version")) {
            lerr(&L, "", "unknown root member '%s' (expected rules, $schema, title, description, version)", k);
            return NULL;
        }
    }
    if (!json_object_is_type(rules, json_type_array)) {
        lerr(&L, "/rules", "'rules' is required and must be an array, not %s", rules ? jtype(rules) : "absent");
        return NULL;
    }
    n = json_object_array_length(rules);
    rs = dsj_calloc(1, sizeof *rs);
    if (!rs || !(rs->rules = dsj_calloc(n ? n : 1, sizeof *rs->rules))) {
        dsj_free(rs);
        nomem(&L);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        L.r = &rs->rules[i];
        L.r->index = i;
        rs->n = i + 1;
        if (load_rule(&L, json_object_array_get_idx(rules, i))) goto fail;
        for (j = 0; j < i; j++)
            if (!strcmp(rs->rules[j].id, L.r->id)) {
                lerr(&L, "id", "duplicate rule id (also used by the rule at index %zu)", j);
                goto fail;
            }
    }
    return rs;
fail:
    dsj_ruleset_free(rs);
    return NULL;
}

dsj_ruleset_t *dsj_ruleset_load_string(const char *text, size_t len, const char *name, dsj_error_t *err)
{
    json_tokener *tok;
    json_object *root;
    enum json_tokener_error jerr;
    dsj_ruleset_t *rs;
    if (!text) { dsj_error_set(err, DSJ_E_ARG, name, 0, 0, 0, "rule file: NULL text"); return NULL; }
    if (!name) name = "<rules>";
    tok = json_tokener_new();
    if (!tok) { dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory"); return NULL; }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    root = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue) jerr = json_tokener_error_parse_eof;
    if (!root || jerr != json_tokener_success || (size_t)json_tokener_get_parse_end(tok) < len) {
        size_t off = json_tokener_get_parse_end(tok), i, line = 1, col = 1;
        int trailing = jerr == json_tokener_success;
        for (i = 0; i < off && i < len; i++) {
            if (text[i] == '\n') { line++; col = 1; } else col++;
        }
        if (trailing) {
            /* Only whitespace may follow the document. */
            for (i = off; i < len && strchr(" \t\r\n", text[i]); i++) {}
            if (i == len) goto parsed;
        }
        dsj_error_set(err, DSJ_E_SYNTAX, name, line, col, off, "rule file is not valid JSON: %s",
                      trailing ? "text after the document" : json_tokener_error_desc(jerr));
        json_object_put(root);
        json_tokener_free(tok);
        return NULL;
    }
parsed:
    json_tokener_free(tok);
    {   /* json-c keeps the last value of a repeated key: refuse the rule file instead */
        dsj_dupkey_t dk;
        int d = dsj_json_find_dupkey(text, len, &dk);
        if (d != 0) {
            if (d < 0) dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory");
            else
                dsj_error_set(err, DSJ_E_SYNTAX, name, dk.line, dk.column, dk.offset,
                              "rule file: duplicate key \"%s\" in a JSON object (each key may appear once)", dk.key);
            json_object_put(root);
            return NULL;
        }
    }
    rs = load_root(root, name, err);
    json_object_put(root);
    return rs;
}

dsj_ruleset_t *dsj_ruleset_load(const char *path, dsj_error_t *err)
{
    FILE *f;
    dsj_buf_t b;
    char chunk[65536];
    size_t n;
    dsj_ruleset_t *rs;
    if (!path) { dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "rule file: NULL path"); return NULL; }
    f = fopen(path, "rb");
    if (!f) { dsj_error_set(err, DSJ_E_IO, path, 0, 0, 0, "cannot open rule file: %s", strerror(errno)); return NULL; }
    dsj_buf_init(&b);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (dsj_buf_append(&b, chunk, n)) {
            fclose(f);
            dsj_buf_free(&b);
            dsj_error_set(err, DSJ_E_NOMEM, path, 0, 0, 0, "out of memory");
            return NULL;
        }
    }
    if (ferror(f)) {
        fclose(f);
        dsj_buf_free(&b);
        dsj_error_set(err, DSJ_E_IO, path, 0, 0, 0, "cannot read rule file: %s", strerror(errno));
        return NULL;
    }
    fclose(f);
    rs = dsj_ruleset_load_string(b.data ? b.data : "", b.len, path, err);
    dsj_buf_free(&b);
    return rs;
}

/* ================================================================
 * Key sets (unique, exists_in)
 *
 * A key is the tuple of a row's values in the rule's columns, encoded as
 * per column: a tag byte ('N' number, 'S' string, 'B' boolean), a 4-byte
 * length and the bytes.  Numbers (number cells and number-like strings) are
 * put in a canonical form so that 1.50, 1.5 and 15e-1 are the same key.
 * Keys live in 64 KiB arena chunks; the table holds (hash, first row, key)
 * slots of 24 bytes at a load factor of at most 1/2.
 * ============================================================== */

typedef struct slot {
    uint64_t hash;
    uint64_t row;
    const char *key;     /* NULL = empty; [uint32 len][bytes] */
} slot_t;

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
} chunk_t;

typedef struct keyset {
    slot_t *slots;
    size_t cap, count;
    chunk_t *chunks;
} keyset_t;

static void keyset_free(keyset_t *s)
{
    chunk_t *c, *n;
    if (!s) return;
    for (c = s->chunks; c; c = n) {
        n = c->next;
        dsj_free(c);
    }
    dsj_free(s->slots);
    dsj_free(s);
}

static uint64_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    h ^= h >> 29;
    return h ? h : 1;
}

static int keyset_grow(keyset_t *s)
{
    size_t ncap = s->cap ? s->cap * 2 : 1024, i;
    slot_t *ns = dsj_calloc(ncap, sizeof *ns);
    if (!ns) return -1;
    for (i = 0; i < s->cap; i++) {
        size_t j;
        if (!s->slots[i].key) continue;
        j = (size_t)s->slots[i].hash & (ncap - 1);
        while (ns[j].key) j = (j + 1) & (ncap - 1);
        ns[j] = s->slots[i];
    }
    dsj_free(s->slots);
    s->slots = ns;
    s->cap = ncap;
    return 0;
}

static slot_t *keyset_find(const keyset_t *s, const char *k, size_t n, uint64_t h)
{
    size_t j;
    uint32_t len32;
    if (!s->cap) return NULL;
    j = (size_t)h & (s->cap - 1);
    while (s->slots[j].key) {
        if (s->slots[j].hash == h) {
            memcpy(&len32, s->slots[j].key, 4);
            if (len32 == n && !memcmp(s->slots[j].key + 4, k, n)) return &s->slots[j];
        }
        j = (j + 1) & (s->cap - 1);
    }
    return NULL;
}

/* Insert; returns 1 when added, 0 when present (*first = its row), -1 no memory. */
static int keyset_add(keyset_t *s, const char *k, size_t n, uint64_t row, uint64_t *first)
{
    uint64_t h = hash_bytes(k, n);
    slot_t *f = keyset_find(s, k, n, h);
    size_t j, need = n + 4;
    uint32_t len32 = (uint32_t)n;
    char *dst;
    if (f) {
        if (first) *first = f->row;
        return 0;
    }
    if ((s->count + 1) * 2 > s->cap && keyset_grow(s)) return -1;
    if (!s->chunks || s->chunks->cap - s->chunks->used < need) {
        size_t cap = need > 65536 ? need : 65536;
        chunk_t *c = dsj_malloc(sizeof *c + cap);
        if (!c) return -1;
        c->next = s->chunks;
        c->used = 0;
        c->cap = cap;
        s->chunks = c;
    }
    dst = s->chunks->data + s->chunks->used;
    s->chunks->used += need;
    memcpy(dst, &len32, 4);
    memcpy(dst + 4, k, n);
    j = (size_t)h & (s->cap - 1);
    while (s->slots[j].key) j = (j + 1) & (s->cap - 1);
    s->slots[j].hash = h;
    s->slots[j].row = row;
    s->slots[j].key = dst;
    s->count++;
    return 1;
}

/* Canonical text of a valid JSON number: "0", or [-]DIGITSeEXP with value 0.DIGITS x 10^EXP. */
static int number_canonical(dsj_buf_t *b, const char *s, size_t n)
{
    size_t i = 0, ib, ie, fb = 0, fe = 0, first, last, total;
    int64_t exp = 0, E;
    int neg = 0, eneg = 0;
    char tmp[32];
    if (i < n && s[i] == '-') { neg = 1; i++; }
    ib = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    ie = i;
    if (i < n && s[i] == '.') {
        fb = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        fe = i;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (exp < 1000000000000LL) exp = exp * 10 + (s[i] - '0');
            i++;
        }
        if (eneg) exp = -exp;
    }
    total = (ie - ib) + (fe - fb);
#define DIG(k) ((k) < ie - ib ? s[ib + (k)] : s[fb + (k) - (ie - ib)])
    for (first = 0; first < total && DIG(first) == '0'; first++) {}
    if (first == total) return dsj_buf_putc(b, '0');
    for (last = total - 1; DIG(last) == '0'; last--) {}
    E = (int64_t)(ie - ib) - (int64_t)first + exp;
    if (neg && dsj_buf_putc(b, '-')) return -1;
    for (i = first; i <= last; i++)
        if (dsj_buf_putc(b, DIG(i))) return -1;
#undef DIG
    snprintf(tmp, sizeof tmp, "e%" PRId64, E);
    return dsj_buf_puts(b, tmp);
}

/* Encode the key of cells[cols[0..n)] into b; returns 1 when some value is missing (no key), -1 no memory. */
static int key_encode(dsj_buf_t *b, const dsj_row_t *row, const long *cols, size_t n)
{
    size_t i;
    dsj_buf_reset(b);
    for (i = 0; i < n; i++) {
        const dsj_cell_t *c;
        size_t at;
        uint32_t len32;
        char tag;
        if (cols[i] < 0 || (size_t)cols[i] >= row->ncells) return 1;
        c = &row->cells[cols[i]];
        if (dsj_cell_is_missing(c)) return 1;
        tag = dsj_cell_numeric(c) ? 'N' : c->kind == DSJ_CELL_BOOLEAN ? 'B' : 'S';
        if (dsj_buf_putc(b, tag) || dsj_buf_append(b, "\0\0\0\0", 4)) return -1;
        at = b->len;
        if (tag == 'N' ? number_canonical(b, c->text, c->len) : dsj_buf_append(b, c->text, c->len)) return -1;
        len32 = (uint32_t)(b->len - at);
        memcpy(b->data + at - 4, &len32, 4);
    }
    return 0;
}

/* ================================================================
 * Running
 * ============================================================== */

typedef struct active {
    const rule_t *r;
    long *cols;                       /* per rule column */
    long other;                       /* compare column */
    dsj_condition_eval_t *when;
    const dsj_define_codelist_t *cl;
    keyset_t *set;                    /* unique: seen keys; exists_in: the other dataset's keys */
} active_t;

typedef struct run {
    const dsj_ruleset_t *rs;
    const dsj_check_options_t *o;
    const char *file;
    const dsj_meta_t *meta;
    char dsname[256];
    char row_prefix[300];
    dsj_finding_cb cb;
    void *ctx;
    active_t *act;
    size_t nact;
    void *md;
    dsj_buf_t key;
    dsj_buf_t msg;
    int stop;
} run_t;

void dsj_check_options_init(dsj_check_options_t *o)
{
    if (o) memset(o, 0, sizeof *o);
}

static int rule_applies(const rule_t *r, const char *dsname)
{
    size_t i;
    if (r->all_datasets) return 1;
    for (i = 0; i < r->ndatasets; i++)
        if (!strcasecmp(r->datasets[i], dsname)) return 1;
    return 0;
}

/* A short, quoted form of a value for messages (cut at a UTF-8 boundary). */
static void value_text(char *out, size_t size, const dsj_cell_t *c)
{
    size_t n;
    if (c->kind == DSJ_CELL_NULL) { snprintf(out, size, "null"); return; }
    n = c->len;
    if (n > 60) {
        n = 60;
        while (n > 0 && ((unsigned char)c->text[n] & 0xC0) == 0x80) n--;
    }
    if (c->kind == DSJ_CELL_STRING)
        snprintf(out, size, "\"%.*s\"%s", (int)n, c->text, n < c->len ? "..." : "");
    else
        snprintf(out, size, "%.*s%s", (int)n, c->text, n < c->len ? "..." : "");
}

static void emit(run_t *R, const rule_t *r, dsj_severity_t sev, const dsj_row_t *row, long col, const char *colname,
                 const char *fmt, ...) DSJ_PRINTF(7, 8);
static void emit(run_t *R, const rule_t *r, dsj_severity_t sev, const dsj_row_t *row, long col, const char *colname,
                 const char *fmt, ...)
{
    char detail[700], ptr[360];
    const dsj_cell_t *c = NULL;
    va_list ap;
    if (R->stop) return;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    ptr[0] = '\0';
    if (row) {
        if (col >= 0 && (size_t)col < row->ncells) c = &row->cells[col];
        if (col >= 0) snprintf(ptr, sizeof ptr, "%s/%" PRIu64 "/%ld", R->row_prefix, row->index - 1, col);
        else snprintf(ptr, sizeof ptr, "%s/%" PRIu64, R->row_prefix, row->index - 1);
    }
    if (dsj_emit(R->cb, R->ctx, r->id, sev, R->file, c ? c->line : row ? row->line : 0, c ? c->column : row ? row->column : 0,
                 c ? c->offset : row ? row->offset : 0, ptr[0] ? ptr : NULL, row ? row->index : 0, colname,
                 "%s%s%s%s", r->message ? r->message : "", r->message ? " (" : "", detail, r->message ? ")" : ""))
        R->stop = 1;
}

static const char *dataset_name_of(const dsj_meta_t *meta, const dsj_check_options_t *o, const char *file, char *buf, size_t size)
{
    const char *n = o && o->dataset_name ? o->dataset_name : dsj_meta_get(meta, DSJ_META_NAME);
    const char *base, *dot;
    if (n && *n) return n;
    base = file ? strrchr(file, '/') : NULL;
    base = base ? base + 1 : file ? file : "";
    dot = strchr(base, '.');
    snprintf(buf, size, "%.*s", (int)(dot ? (size_t)(dot - base) : strlen(base)), base);
    return buf;
}

/* Find NAME.{json,ndjson,dsjc} (lower, as given, upper case) in the folder of file. */
static int find_dataset_file(const char *file, const char *name, char *out, size_t size)
{
    static const char *const exts[] = {".json", ".ndjson", ".dsjc"};
    const char *slash = file ? strrchr(file, '/') : NULL;
    int dirlen = slash ? (int)(slash - file) : 1;
    const char *dir = slash ? file : ".";
    char variant[3][128];
    size_t v, e, i;
    struct stat st;
    snprintf(variant[0], sizeof variant[0], "%s", name);
    snprintf(variant[1], sizeof variant[1], "%s", name);
    snprintf(variant[2], sizeof variant[2], "%s", name);
    for (i = 0; variant[0][i]; i++) {
        variant[0][i] = (char)tolower((unsigned char)variant[0][i]);
        variant[2][i] = (char)toupper((unsigned char)variant[2][i]);
    }
    for (v = 0; v < 3; v++)
        for (e = 0; e < 3; e++) {
            snprintf(out, size, "%.*s/%s%s", dirlen, dir, variant[v], exts[e]);
            if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) return 1;
        }
    return 0;
}

/* Read the other dataset of an exists_in rule into a key set.  Problems become one finding. */
static int load_exists_set(run_t *R, active_t *a)
{
    const rule_t *r = a->r;
    char path[1200], cols_text[300] = "";
    dsj_reader_options_t ro;
    dsj_reader_t *rd;
    dsj_error_t err;
    const dsj_row_t *row;
    dsj_status_t st;
    long *oc;
    size_t i;
    if (!find_dataset_file(R->file, r->other_dataset, path, sizeof path)) {
        emit(R, r, DSJ_SEV_ERROR, NULL, -1, NULL, "rule not applied: dataset %s not found next to %s (looked for %s.json, "
             ".ndjson, .dsjc in lower, given and upper case)", r->other_dataset, R->file ? R->file : "the input", r->other_dataset);
        return 0;
    }
    if (R->o && R->o->reader_options) ro = *R->o->reader_options;
    else dsj_reader_options_init(&ro);
    ro.on_finding = NULL; /* the other file's reader findings belong to its own check */
    ro.finding_ctx = NULL;
    dsj_error_clear(&err);
    rd = dsj_reader_open(path, &ro, &err);
    if (!rd) {
        emit(R, r, DSJ_SEV_ERROR, NULL, -1, NULL, "rule not applied: cannot read %s: %s", path, err.text);
        return 0;
    }
    oc = dsj_calloc(r->nother, sizeof *oc);
    a->set = dsj_calloc(1, sizeof *a->set);
    if (!oc || !a->set) {
        dsj_free(oc);
        dsj_reader_free(rd);
        return -1;
    }
    for (i = 0; i < r->nother; i++) {
        oc[i] = dsj_meta_find_column(dsj_reader_meta(rd), r->other_columns[i]);
        if (strlen(cols_text) + strlen(r->other_columns[i]) + 2 < sizeof cols_text) {
            if (i) strcat(cols_text, ",");
            strcat(cols_text, r->other_columns[i]);
        }
        if (oc[i] < 0) {
            emit(R, r, DSJ_SEV_ERROR, NULL, -1, NULL, "rule not applied: %s has no column %s", path, r->other_columns[i]);
            dsj_free(oc);
            dsj_reader_free(rd);
            keyset_free(a->set);
            a->set = NULL;
            return 0;
        }
    }
    while ((st = dsj_reader_next(rd, &row, &err)) == DSJ_ROW) {
        int k = key_encode(&R->key, row, oc, r->nother);
        if (k < 0 || (k == 0 && keyset_add(a->set, R->key.data, R->key.len, row->index, NULL) < 0)) {
            dsj_free(oc);
            dsj_reader_free(rd);
            return -1;
        }
    }
    dsj_free(oc);
    dsj_reader_free(rd);
    if (st != DSJ_DONE) {
        emit(R, r, DSJ_SEV_ERROR, NULL, -1, NULL, "rule not applied: cannot read %s: %s", path, err.text);
        keyset_free(a->set);
        a->set = NULL;
    }
    (void)cols_text;
    return 0;
}

/* Bind the rules that apply to this dataset.  Returns DSJ_OK or a fatal status (err filled). */
static dsj_status_t bind_rules(run_t *R, dsj_error_t *err)
{
    size_t i, k;
    R->act = dsj_calloc(R->rs->n ? R->rs->n : 1, sizeof *R->act);
    if (!R->act) return dsj_error_set(err, DSJ_E_NOMEM, R->file, 0, 0, 0, "out of memory");
    for (i = 0; i < R->rs->n; i++) {
        const rule_t *r = &R->rs->rules[i];
        active_t *a = &R->act[R->nact];
        const char *missing = NULL;
        if (!rule_applies(r, R->dsname)) continue;
        a->r = r;
        a->other = -1;
        a->cols = dsj_calloc(r->ncolumns, sizeof *a->cols);
        if (!a->cols) return dsj_error_set(err, DSJ_E_NOMEM, R->file, 0, 0, 0, "out of memory");
        R->nact++;
        for (k = 0; k < r->ncolumns && !missing; k++) {
            a->cols[k] = dsj_meta_find_column(R->meta, r->columns[k]);
            if (a->cols[k] < 0) missing = r->columns[k];
        }
        if (!missing && r->kind == K_COMPARE) {
            a->other = dsj_meta_find_column(R->meta, r->other_column);
            if (a->other < 0) missing = r->other_column;
        }
        if (!missing && r->when) {
            dsj_error_t e2;
            dsj_error_clear(&e2);
            a->when = dsj_condition_bind(r->when, R->meta, &e2);
            if (!a->when) {
                if (e2.code != DSJ_E_NOTFOUND) return dsj_error_set(err, e2.code, R->file, 0, 0, 0, "%s", e2.text);
                missing = "a column of 'when'";
                if (!r->all_datasets)
                    emit(R, r, DSJ_SEV_WARNING, NULL, -1, NULL, "rule not applied: %s", e2.text);
                a->r = NULL;
                continue;
            }
        }
        if (missing) {
            /* With "*" a rule simply does not apply to datasets without its columns. */
            if (!r->all_datasets)
                emit(R, r, DSJ_SEV_WARNING, NULL, -1, NULL, "rule not applied: dataset %s has no column %s", R->dsname, missing);
            a->r = NULL;
            continue;
        }
        if (r->kind == K_IN_CODELIST) {
            if (!R->o || !R->o->define) {
                emit(R, r, DSJ_SEV_WARNING, NULL, -1, NULL, "rule not applied: in_codelist %s needs a define.xml (--define)",
                     r->codelist);
                a->r = NULL;
                continue;
            }
            a->cl = dsj_define_codelist_find(R->o->define, r->codelist);
            if (!a->cl)
                return dsj_error_set(err, DSJ_E_DEFINE, R->file, 0, 0, 0, "rule '%s': code list %s is not in %s", r->id,
                                     r->codelist, dsj_define_file(R->o->define) ? dsj_define_file(R->o->define) : "the define");
        } else if (r->kind == K_UNIQUE) {
            a->set = dsj_calloc(1, sizeof *a->set);
            if (!a->set) return dsj_error_set(err, DSJ_E_NOMEM, R->file, 0, 0, 0, "out of memory");
        } else if (r->kind == K_EXISTS_IN) {
            if (load_exists_set(R, a) < 0) return dsj_error_set(err, DSJ_E_NOMEM, R->file, 0, 0, 0, "out of memory");
            if (!a->set) a->r = NULL;
        }
        if (R->stop) break;
    }
    return DSJ_OK;
}

static const char *tuple_text(run_t *R, const active_t *a, const dsj_row_t *row)
{
    size_t k;
    char v[100];
    dsj_buf_reset(&R->msg);
    for (k = 0; k < a->r->ncolumns; k++) {
        dsj_buf_puts(&R->msg, k ? ", " : "");
        dsj_buf_puts(&R->msg, a->r->columns[k]);
        dsj_buf_putc(&R->msg, '=');
        value_text(v, sizeof v, &row->cells[a->cols[k]]);
        dsj_buf_puts(&R->msg, v);
    }
    return R->msg.data ? R->msg.data : "";
}

static void check_cell(run_t *R, const active_t *a, const dsj_row_t *row, size_t k)
{
    const rule_t *r = a->r;
    long ci = a->cols[k];
    const char *cn = r->columns[k];
    static const dsj_cell_t null_cell = {DSJ_CELL_NULL, NULL, 0, 0, 0, 0};
    const dsj_cell_t *c = (size_t)ci < row->ncells ? &row->cells[ci] : &null_cell;
    char v[100];
    int m;
    if (r->kind == K_NOT_NULL) {
        if (dsj_cell_is_missing(c))
            emit(R, r, r->severity, row, ci, cn, "%s is missing (%s)", cn, c->kind == DSJ_CELL_NULL ? "null" : "empty string");
        return;
    }
    if (dsj_cell_is_missing(c)) return;
    v[0] = '\0';
#define VT() (value_text(v, sizeof v, c), v) /* the value's text, only made for a finding */
    switch (r->kind) {
    case K_PATTERN:
        if (c->kind == DSJ_CELL_INVALID) return;
        m = dsj_regex_match(r->re, R->md, c->text, c->len);
        if (m == 0) emit(R, r, r->severity, row, ci, cn, "%s %s does not match /%s/", cn, VT(), r->pattern);
        else if (m < 0) emit(R, r, r->severity, row, ci, cn, "%s %s cannot be matched (invalid UTF-8)", cn, VT());
        break;
    case K_IN: {
        size_t i;
        for (i = 0; i < r->nvalues; i++)
            if (dsj_value_compare(c, &r->values[i]) == 0) return;
        emit(R, r, r->severity, row, ci, cn, "%s %s is not one of the %zu allowed values", cn, VT(), r->nvalues);
        break;
    }
    case K_IN_CODELIST:
        if (!dsj_define_codelist_item_find(R->o->define, a->cl, c->text, c->len))
            emit(R, r, r->severity, row, ci, cn, "%s %s is not in code list %s", cn, VT(), r->codelist);
        break;
    case K_RANGE:
        if (!dsj_cell_numeric(c)) {
            emit(R, r, r->severity, row, ci, cn, "%s %s is not a number", cn, VT());
        } else if (r->min.text && dsj_number_text_compare(c->text, c->len, r->min.text, r->min.len) < 0) {
            emit(R, r, r->severity, row, ci, cn, "%s %s is below the minimum %s", cn, VT(), r->min.text);
        } else if (r->max.text && dsj_number_text_compare(c->text, c->len, r->max.text, r->max.len) > 0) {
            emit(R, r, r->severity, row, ci, cn, "%s %s is above the maximum %s", cn, VT(), r->max.text);
        }
        break;
    case K_MAX_LENGTH: {
        size_t len = dsj_utf8_length(c->text, c->len);
        if (len == (size_t)-1) len = c->len;
        if ((int64_t)len > r->max_length)
            emit(R, r, r->severity, row, ci, cn, "%s %s has %zu characters, more than %" PRId64, cn, VT(), len, r->max_length);
        break;
    }
    case K_COMPARE: {
        const dsj_cell_t *o = (size_t)a->other < row->ncells ? &row->cells[a->other] : &null_cell;
        int cmp, ok;
        char ov[100];
        if (dsj_cell_is_missing(o)) return;
        cmp = dsj_value_compare(c, o);
        if (cmp == DSJ_COMPARE_UNDECIDED) return;
        switch (r->op) {
        case OP_EQ: ok = cmp == 0; break;
        case OP_NE: ok = cmp != 0; break;
        case OP_LT: ok = cmp < 0; break;
        case OP_LE: ok = cmp <= 0; break;
        case OP_GT: ok = cmp > 0; break;
        default: ok = cmp >= 0; break;
        }
        if (!ok) {
            value_text(ov, sizeof ov, o);
            emit(R, r, r->severity, row, ci, cn, "%s %s is not %s %s %s", cn, VT(), op_names[r->op], r->other_column, ov);
        }
        break;
    }
    default:
        break;
    }
#undef VT
}

static void check_row(run_t *R, const dsj_row_t *row)
{
    size_t i, k;
    for (i = 0; i < R->nact && !R->stop; i++) {
        active_t *a = &R->act[i];
        const rule_t *r = a->r;
        if (!r) continue;
        if (a->when && !dsj_condition_eval(a->when, row)) continue;
        if (r->kind == K_UNIQUE || r->kind == K_EXISTS_IN) {
            uint64_t first = 0;
            int e = key_encode(&R->key, row, a->cols, r->ncolumns), added;
            if (e) { if (e < 0) R->stop = 2; continue; }
            if (r->kind == K_UNIQUE) {
                added = keyset_add(a->set, R->key.data, R->key.len, row->index, &first);
                if (added < 0) { R->stop = 2; continue; }
                if (added == 0)
                    emit(R, r, r->severity, row, a->cols[0], r->columns[0], "%s repeats row %" PRIu64, tuple_text(R, a, row), first);
            } else if (!keyset_find(a->set, R->key.data, R->key.len, hash_bytes(R->key.data, R->key.len))) {
                char other[300] = "";
                for (k = 0; k < r->nother; k++) {
                    size_t at = strlen(other);
                    snprintf(other + at, sizeof other - at, "%s%s.%s", k ? ", " : "", r->other_dataset, r->other_columns[k]);
                }
                emit(R, r, r->severity, row, a->cols[0], r->columns[0], "%s not found in %s", tuple_text(R, a, row), other);
            }
            continue;
        }
        for (k = 0; k < r->ncolumns && !R->stop; k++) check_cell(R, a, row, k);
    }
}

static void run_free(run_t *R)
{
    size_t i;
    for (i = 0; i < R->nact; i++) {
        dsj_free(R->act[i].cols);
        dsj_condition_eval_free(R->act[i].when);
        keyset_free(R->act[i].set);
    }
    dsj_free(R->act);
    if (R->md) dsj_regex_match_data_free(R->md);
    dsj_buf_free(&R->key);
    dsj_buf_free(&R->msg);
}

dsj_status_t dsj_check_reader(const dsj_ruleset_t *rs, dsj_reader_t *r, const dsj_check_options_t *opts,
                              dsj_finding_cb cb, void *ctx, dsj_error_t *err)
{
    run_t R;
    const dsj_row_t *row;
    dsj_status_t st;
    char namebuf[256];
    if (!rs || !r) return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_check_reader: NULL argument");
    memset(&R, 0, sizeof R);
    R.rs = rs;
    R.o = opts;
    R.file = opts && opts->file ? opts->file : NULL;
    R.meta = dsj_reader_meta(r);
    R.cb = cb;
    R.ctx = ctx;
    dsj_buf_init(&R.key);
    dsj_buf_init(&R.msg);
    snprintf(R.dsname, sizeof R.dsname, "%s", dataset_name_of(R.meta, opts, R.file, namebuf, sizeof namebuf));
    if (dsj_meta_version(R.meta) == DSJ_V1_0) {
        const char *oid = dsj_meta_get(R.meta, DSJ_META_ITEMGROUP_OID);
        dsj_buf_t p;
        dsj_buf_init(&p);
        dsj_buf_puts(&p, dsj_meta_is_reference_data(R.meta) ? "/referenceData/itemGroupData" : "/clinicalData/itemGroupData");
        dsj_buf_pointer_token(&p, oid ? oid : "");
        dsj_buf_puts(&p, "/itemData");
        snprintf(R.row_prefix, sizeof R.row_prefix, "%s", p.data ? p.data : "/rows");
        dsj_buf_free(&p);
    } else {
        snprintf(R.row_prefix, sizeof R.row_prefix, "/rows");
    }
    R.md = dsj_regex_match_data_new();
    if (!R.md) { run_free(&R); return dsj_error_set(err, DSJ_E_NOMEM, R.file, 0, 0, 0, "out of memory"); }
    st = bind_rules(&R, err);
    if (st != DSJ_OK) { run_free(&R); return st; }
    while (!R.stop && (st = dsj_reader_next(r, &row, err)) == DSJ_ROW) check_row(&R, row);
    if (R.stop == 2) st = dsj_error_set(err, DSJ_E_NOMEM, R.file, 0, 0, 0, "out of memory");
    else if (R.stop) st = dsj_error_set(err, DSJ_E_ABORTED, R.file, 0, 0, 0, "stopped by the finding callback");
    else if (st == DSJ_DONE) st = DSJ_OK;
    run_free(&R);
    return st;
}

dsj_status_t dsj_check_file(const dsj_ruleset_t *rs, const char *path, const dsj_check_options_t *opts,
                            dsj_finding_cb cb, void *ctx, dsj_error_t *err)
{
    dsj_check_options_t o;
    dsj_reader_t *r;
    dsj_status_t st;
    if (!rs || !path) return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_check_file: NULL argument");
    if (opts) o = *opts;
    else dsj_check_options_init(&o);
    if (!o.file) o.file = path;
    r = dsj_reader_open(path, o.reader_options, err);
    if (!r) return err ? err->code : DSJ_E_IO;
    st = dsj_check_reader(rs, r, &o, cb, ctx, err);
    dsj_reader_free(r);
    return st;
}

dsj_status_t dsj_check_files(const dsj_ruleset_t *rs, const char *const *paths, size_t n,
                             const dsj_check_options_t *opts, dsj_finding_cb cb, void *ctx, dsj_error_t *err)
{
    dsj_check_options_t o;
    dsj_status_t first = DSJ_OK, st;
    dsj_error_t e;
    size_t i;
    if (!rs || (n && !paths)) return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_check_files: NULL argument");
    if (opts) o = *opts;
    else dsj_check_options_init(&o);
    for (i = 0; i < n; i++) {
        o.file = paths[i];
        dsj_error_clear(&e);
        st = dsj_check_file(rs, paths[i], &o, cb, ctx, &e);
        if (st == DSJ_OK) continue;
        if (!e.file[0]) snprintf(e.file, sizeof e.file, "%s", paths[i]);
        if (first == DSJ_OK) {
            first = st;
            if (err) *err = e;
        }
        if (st == DSJ_E_ABORTED) break;
    }
    return first;
}
