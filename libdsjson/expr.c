/*
 * Row conditions (the expression language of rule files and `dsjson select
 * --where`), value comparison and PCRE2 regexes.
 *
 * Grammar (docs/checks.md):
 *   expr    := and ("or" and)*
 *   and     := unary ("and" unary)*
 *   unary   := "not" unary | "(" expr ")" | test
 *   test    := COLUMN ( OP value
 *                     | ["not"] "in" "(" literal ("," literal)* ")"
 *                     | "matches" STRING
 *                     | "is" ["not"] "missing" )
 *   OP      := "==" | "!=" | "<" | "<=" | ">" | ">="
 *   value   := literal | COLUMN
 *   literal := STRING | NUMBER
 * Keywords are case-insensitive; COLUMN is [A-Za-z_][A-Za-z0-9_.]* (or a
 * name in backquotes); STRING is "..." or '...' with \" \' \\ \n \t escapes.
 *
 * The parser builds an AST whose column references are slots (indices into
 * the condition's name list); dsj_condition_bind resolves the names once per
 * dataset into column indices, so evaluation per row is index lookups only.
 */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "checks_internal.h"
#include "convert_internal.h"

/* ================================================================
 * Regexes
 * ============================================================== */

struct dsj_regex {
    pcre2_code *code;
};

dsj_regex_t *dsj_regex_compile(const char *pattern, size_t len, char *msg, size_t msgsize, size_t *erroffset)
{
    int ec = 0;
    PCRE2_SIZE off = 0;
    pcre2_code *code;
    dsj_regex_t *re;
    code = pcre2_compile((PCRE2_SPTR)pattern, len, PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &ec, &off, NULL);
    if (!code) {
        PCRE2_UCHAR buf[256];
        if (pcre2_get_error_message(ec, buf, sizeof buf) < 0) snprintf((char *)buf, sizeof buf, "error %d", ec);
        if (msg && msgsize) snprintf(msg, msgsize, "%s", (const char *)buf);
        if (erroffset) *erroffset = (size_t)off;
        return NULL;
    }
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter when unavailable */
    re = dsj_calloc(1, sizeof *re);
    if (!re) {
        pcre2_code_free(code);
        if (msg && msgsize) snprintf(msg, msgsize, "out of memory");
        if (erroffset) *erroffset = 0;
        return NULL;
    }
    re->code = code;
    return re;
}

void dsj_regex_free(dsj_regex_t *re)
{
    if (!re) return;
    pcre2_code_free(re->code);
    dsj_free(re);
}

void *dsj_regex_match_data_new(void)
{
    return pcre2_match_data_create(1, NULL);
}

void dsj_regex_match_data_free(void *md)
{
    pcre2_match_data_free(md);
}

int dsj_regex_match(const dsj_regex_t *re, void *md, const char *s, size_t n)
{
    int rc = pcre2_match(re->code, (PCRE2_SPTR)(s ? s : ""), n, 0, 0, md, NULL);
    if (rc >= 0) return 1;
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    return -1;
}

/* ================================================================
 * Value comparison
 * ============================================================== */

int dsj_cell_numeric(const dsj_cell_t *c)
{
    if (c->kind == DSJ_CELL_INTEGER || c->kind == DSJ_CELL_NUMBER) return 1;
    return c->kind == DSJ_CELL_STRING && dsj_json_number_valid(c->text, c->len);
}

/* A parsed ISO 8601 date or datetime, possibly partial. */
typedef struct isodt {
    int comp[6];          /* year, month, day, hour, minute, second */
    int prec;             /* components present (1..6) */
    const char *frac;     /* fraction digits of the second, or NULL */
    size_t flen;
    const char *tz;       /* "Z" or "+hh:mm"..., or NULL */
    size_t tzlen;
} isodt_t;

static int digits(const char *s, size_t n, size_t at, size_t count, int *out)
{
    size_t i;
    int v = 0;
    if (at + count > n) return 0;
    for (i = 0; i < count; i++) {
        if (!isdigit((unsigned char)s[at + i])) return 0;
        v = v * 10 + (s[at + i] - '0');
    }
    *out = v;
    return 1;
}

static int iso_parse(const char *s, size_t n, isodt_t *d)
{
    size_t i = 4;
    memset(d, 0, sizeof *d);
    if (n < 4 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[3])) return 0; /* fast exit for text */
    if (!dsj_iso8601_date(s, n, 1) && !dsj_iso8601_datetime(s, n, 1)) return 0;
    if (!digits(s, n, 0, 4, &d->comp[0])) return 0;
    d->prec = 1;
    if (i < n && s[i] == '-' && digits(s, n, i + 1, 2, &d->comp[1])) { d->prec = 2; i += 3; }
    if (d->prec == 2 && i < n && s[i] == '-' && digits(s, n, i + 1, 2, &d->comp[2])) { d->prec = 3; i += 3; }
    if (d->prec == 3 && i < n && s[i] == 'T' && digits(s, n, i + 1, 2, &d->comp[3])) {
        d->prec = 4;
        i += 3;
        if (i < n && s[i] == ':' && digits(s, n, i + 1, 2, &d->comp[4])) {
            d->prec = 5;
            i += 3;
            if (i < n && s[i] == ':' && digits(s, n, i + 1, 2, &d->comp[5])) {
                d->prec = 6;
                i += 3;
                if (i < n && (s[i] == '.' || s[i] == ',')) {
                    d->frac = s + i + 1;
                    i++;
                    while (i < n && isdigit((unsigned char)s[i])) i++;
                    d->flen = (size_t)(s + i - d->frac);
                }
            }
        }
    }
    if (i < n) {
        if (d->prec < 4) return 0; /* only a time may carry a zone */
        d->tz = s + i;
        d->tzlen = n - i;
    }
    return 1;
}

static int iso_compare(const isodt_t *a, const isodt_t *b)
{
    int k, m = a->prec < b->prec ? a->prec : b->prec;
    if (m >= 4) {
        /* Times in different zones (or one without a zone) are not compared. */
        if ((a->tz == NULL) != (b->tz == NULL)) return DSJ_COMPARE_UNDECIDED;
        if (a->tz && (a->tzlen != b->tzlen || memcmp(a->tz, b->tz, a->tzlen))) return DSJ_COMPARE_UNDECIDED;
    }
    for (k = 0; k < m; k++)
        if (a->comp[k] != b->comp[k]) return a->comp[k] < b->comp[k] ? -1 : 1;
    if (a->prec != b->prec) return DSJ_COMPARE_UNDECIDED;
    if (a->prec == 6) {
        size_t i, fl = a->flen > b->flen ? a->flen : b->flen;
        if ((a->frac == NULL) != (b->frac == NULL)) return DSJ_COMPARE_UNDECIDED;
        for (i = 0; i < fl; i++) {
            char x = i < a->flen ? a->frac[i] : '0', y = i < b->flen ? b->frac[i] : '0';
            if (x != y) return x < y ? -1 : 1;
        }
    }
    return 0;
}

static int bytes_compare(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c < 0 ? -1 : 1;
    return an == bn ? 0 : (an < bn ? -1 : 1);
}

int dsj_value_compare(const dsj_cell_t *a, const dsj_cell_t *b)
{
    int an, bn;
    isodt_t da, db;
    if (!a || !b || dsj_cell_is_missing(a) || dsj_cell_is_missing(b)) return DSJ_COMPARE_UNDECIDED;
    if (a->kind == DSJ_CELL_INVALID || b->kind == DSJ_CELL_INVALID) return DSJ_COMPARE_UNDECIDED;
    if (a->kind == DSJ_CELL_BOOLEAN || b->kind == DSJ_CELL_BOOLEAN) {
        if (a->kind != b->kind) return DSJ_COMPARE_UNDECIDED;
        return bytes_compare(a->text, a->len, b->text, b->len); /* false < true */
    }
    an = dsj_cell_numeric(a);
    bn = dsj_cell_numeric(b);
    if (a->kind != DSJ_CELL_STRING || b->kind != DSJ_CELL_STRING) {
        /* At least one number: both must be numbers. */
        if (!an || !bn) return DSJ_COMPARE_UNDECIDED;
        return dsj_number_text_compare(a->text, a->len, b->text, b->len);
    }
    if (an && bn) return dsj_number_text_compare(a->text, a->len, b->text, b->len);
    if (iso_parse(a->text, a->len, &da) && iso_parse(b->text, b->len, &db)) return iso_compare(&da, &db);
    return bytes_compare(a->text, a->len, b->text, b->len);
}

/* ================================================================
 * Tokenizer
 * ============================================================== */

typedef enum tok_type {
    T_END, T_IDENT, T_STRING, T_NUMBER, T_OP, T_LPAREN, T_RPAREN, T_COMMA,
    T_AND, T_OR, T_NOT, T_IN, T_MATCHES, T_IS, T_MISSING
} tok_type_t;

enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

typedef struct token {
    tok_type_t type;
    size_t pos;          /* 0-based byte offset in the text */
    char *text;          /* IDENT (name), STRING (unescaped), NUMBER: owned */
    size_t len;
    int op;
} token_t;

typedef struct parser {
    const char *s;
    size_t n, i;
    token_t tok;         /* current token */
    dsj_error_t *err;
    int failed;
    int depth;           /* current nesting of 'not' and '(' */
    struct dsj_condition *cond;
} parser_t;

static void perr(parser_t *p, size_t pos, const char *fmt, const char *arg)
{
    char msg[400];
    if (p->failed) return;
    p->failed = 1;
    snprintf(msg, sizeof msg, fmt, arg ? arg : "");
    dsj_error_set(p->err, DSJ_E_SYNTAX, NULL, 1, pos + 1, pos, "condition: at position %zu: %s", pos + 1, msg);
}

static const struct { const char *word; tok_type_t type; } keywords[] = {
    {"and", T_AND}, {"or", T_OR}, {"not", T_NOT}, {"in", T_IN},
    {"matches", T_MATCHES}, {"is", T_IS}, {"missing", T_MISSING}, {NULL, T_END},
};

static void next_token(parser_t *p)
{
    const char *s = p->s;
    size_t n = p->n, i = p->i, k;
    token_t *t = &p->tok;
    dsj_free(t->text);
    memset(t, 0, sizeof *t);
    if (p->failed) { t->type = T_END; return; }
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    t->pos = i;
    if (i >= n) { t->type = T_END; p->i = i; return; }
    if (s[i] == '(') { t->type = T_LPAREN; p->i = i + 1; return; }
    if (s[i] == ')') { t->type = T_RPAREN; p->i = i + 1; return; }
    if (s[i] == ',') { t->type = T_COMMA; p->i = i + 1; return; }
    if (strchr("=!<>", s[i])) {
        t->type = T_OP;
        if (s[i] == '=' && i + 1 < n && s[i + 1] == '=') { t->op = OP_EQ; i += 2; }
        else if (s[i] == '!' && i + 1 < n && s[i + 1] == '=') { t->op = OP_NE; i += 2; }
        else if (s[i] == '<' && i + 1 < n && s[i + 1] == '=') { t->op = OP_LE; i += 2; }
        else if (s[i] == '>' && i + 1 < n && s[i + 1] == '=') { t->op = OP_GE; i += 2; }
        else if (s[i] == '<' && !(i + 1 < n && s[i + 1] == '>')) { t->op = OP_LT; i++; }
        else if (s[i] == '>') { t->op = OP_GT; i++; }
        else if (s[i] == '=') { perr(p, i, "'=' is not an operator; use '=='", NULL); t->type = T_END; return; }
        else { perr(p, i, "unknown operator (use ==, !=, <, <=, >, >=)", NULL); t->type = T_END; return; }
        p->i = i;
        return;
    }
    if (s[i] == '"' || s[i] == '\'') {
        char q = s[i];
        dsj_buf_t b;
        dsj_buf_init(&b);
        i++;
        for (;;) {
            if (i >= n) {
                dsj_buf_free(&b);
                perr(p, t->pos, "unterminated string", NULL);
                t->type = T_END;
                return;
            }
            if (s[i] == q) { i++; break; }
            if (s[i] == '\\' && i + 1 < n) {
                char c = s[i + 1];
                if (c == 'n') c = '\n';
                else if (c == 't') c = '\t';
                else if (c == 'r') c = '\r';
                else if (c != '\\' && c != '"' && c != '\'') {
                    /* Keep unknown escapes verbatim (regexes need \d, \w...). */
                    dsj_buf_putc(&b, '\\');
                }
                dsj_buf_putc(&b, c);
                i += 2;
                continue;
            }
            dsj_buf_putc(&b, s[i]);
            i++;
        }
        t->type = T_STRING;
        t->len = b.len;
        t->text = dsj_buf_steal(&b);
        p->i = i;
        return;
    }
    if (isdigit((unsigned char)s[i]) || (s[i] == '-' && i + 1 < n && (isdigit((unsigned char)s[i + 1]) || s[i + 1] == '.')) ||
        (s[i] == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
        k = i;
        if (s[i] == '-') i++;
        while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '.' ||
                         ((s[i] == '+' || s[i] == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E'))))
            i++;
        if (!dsj_json_number_valid(s + k, i - k)) {
            char tmp[64];
            snprintf(tmp, sizeof tmp, "%.*s", (int)(i - k > 40 ? 40 : i - k), s + k);
            perr(p, k, "'%s' is not a number (JSON number syntax: -12, 3.5, 1e3)", tmp);
            t->type = T_END;
            return;
        }
        t->type = T_NUMBER;
        t->text = dsj_strndup(s + k, i - k);
        t->len = i - k;
        p->i = i;
        return;
    }
    if (isalpha((unsigned char)s[i]) || s[i] == '_' || s[i] == '`') {
        if (s[i] == '`') {
            k = ++i;
            while (i < n && s[i] != '`') i++;
            if (i >= n) { perr(p, t->pos, "unterminated `column name`", NULL); t->type = T_END; return; }
            t->type = T_IDENT;
            t->text = dsj_strndup(s + k, i - k);
            t->len = i - k;
            p->i = i + 1;
            return;
        }
        k = i;
        while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.')) i++;
        t->type = T_IDENT;
        for (size_t w = 0; keywords[w].word; w++)
            if (strlen(keywords[w].word) == i - k && !strncasecmp(keywords[w].word, s + k, i - k)) t->type = keywords[w].type;
        if (t->type == T_IDENT) {
            t->text = dsj_strndup(s + k, i - k);
            t->len = i - k;
        }
        p->i = i;
        return;
    }
    {
        char tmp[8];
        snprintf(tmp, sizeof tmp, "%c", s[i]);
        perr(p, i, "unexpected character '%s'", tmp);
        t->type = T_END;
    }
}

/* ================================================================
 * AST
 * ============================================================== */

typedef enum node_type { N_AND, N_OR, N_NOT, N_CMP, N_IN, N_MATCH, N_MISSING } node_type_t;

typedef struct operand {
    int slot;            /* column slot, or -1 for a literal */
    dsj_cell_t lit;      /* literal (text owned) */
} operand_t;

typedef struct node {
    node_type_t type;
    struct node *a, *b;  /* AND/OR/NOT */
    int slot;            /* the tested column */
    int op;              /* CMP */
    int neg;             /* IN, MISSING: "not in", "is not missing" */
    operand_t rhs;       /* CMP */
    dsj_cell_t *list;    /* IN literals (texts owned) */
    size_t nlist;
    dsj_regex_t *re;     /* MATCH */
} node_t;

struct dsj_condition {
    char *text;
    node_t *root;
    char **names;        /* column slot -> name */
    size_t nnames;
};

struct dsj_condition_eval {
    const dsj_condition_t *cond;
    long *idx;           /* slot -> column index */
    void *md;            /* regex match data */
};

static void node_free(node_t *x)
{
    size_t i;
    if (!x) return;
    node_free(x->a);
    node_free(x->b);
    dsj_free((void *)x->rhs.lit.text);
    for (i = 0; i < x->nlist; i++) dsj_free((void *)x->list[i].text);
    dsj_free(x->list);
    dsj_regex_free(x->re);
    dsj_free(x);
}

static node_t *node_new(parser_t *p, node_type_t type)
{
    node_t *x = dsj_calloc(1, sizeof *x);
    if (!x) {
        if (!p->failed) dsj_error_set(p->err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        p->failed = 1;
        return NULL;
    }
    x->type = type;
    x->slot = -1;
    x->rhs.slot = -1;
    return x;
}

static int slot_of(parser_t *p, const char *name)
{
    struct dsj_condition *c = p->cond;
    size_t i;
    char **nn;
    for (i = 0; i < c->nnames; i++)
        if (!strcmp(c->names[i], name)) return (int)i;
    nn = dsj_realloc(c->names, (c->nnames + 1) * sizeof *nn);
    if (!nn) { p->failed = 1; dsj_error_set(p->err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory"); return -1; }
    c->names = nn;
    c->names[c->nnames] = dsj_strdup(name);
    if (!c->names[c->nnames]) { p->failed = 1; dsj_error_set(p->err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory"); return -1; }
    return (int)c->nnames++;
}

/* Move the current literal token into a cell. */
static void take_literal(parser_t *p, dsj_cell_t *c)
{
    c->kind = p->tok.type == T_STRING ? DSJ_CELL_STRING : (strpbrk(p->tok.text, ".eE") ? DSJ_CELL_NUMBER : DSJ_CELL_INTEGER);
    c->text = p->tok.text;
    c->len = p->tok.len;
    p->tok.text = NULL;
}

static const char *tok_desc(const token_t *t)
{
    switch (t->type) {
    case T_END: return "end of condition";
    case T_IDENT: return "a column name";
    case T_STRING: return "a string";
    case T_NUMBER: return "a number";
    case T_OP: return "an operator";
    case T_LPAREN: return "'('";
    case T_RPAREN: return "')'";
    case T_COMMA: return "','";
    default: return "a keyword";
    }
}

static node_t *parse_or(parser_t *p);

static node_t *parse_test(parser_t *p)
{
    node_t *x;
    int slot;
    size_t colpos = p->tok.pos;
    if (p->tok.type != T_IDENT) {
        perr(p, p->tok.pos, "expected a column name, found %s", tok_desc(&p->tok));
        return NULL;
    }
    slot = slot_of(p, p->tok.text);
    if (slot < 0) return NULL;
    next_token(p);
    if (p->failed) return NULL;
    switch (p->tok.type) {
    case T_OP:
        x = node_new(p, N_CMP);
        if (!x) return NULL;
        x->slot = slot;
        x->op = p->tok.op;
        next_token(p);
        if (p->tok.type == T_STRING || p->tok.type == T_NUMBER) take_literal(p, &x->rhs.lit);
        else if (p->tok.type == T_IDENT) x->rhs.slot = slot_of(p, p->tok.text);
        else { perr(p, p->tok.pos, "expected a value or a column after the operator, found %s", tok_desc(&p->tok)); node_free(x); return NULL; }
        next_token(p);
        return x;
    case T_NOT:
    case T_IN: {
        int neg = p->tok.type == T_NOT;
        if (neg) {
            next_token(p);
            if (p->tok.type != T_IN) { perr(p, p->tok.pos, "expected 'in' after 'not', found %s", tok_desc(&p->tok)); return NULL; }
        }
        next_token(p);
        if (p->tok.type != T_LPAREN) { perr(p, p->tok.pos, "expected '(' after 'in', found %s", tok_desc(&p->tok)); return NULL; }
        x = node_new(p, N_IN);
        if (!x) return NULL;
        x->slot = slot;
        x->neg = neg;
        for (;;) {
            dsj_cell_t *nl;
            next_token(p);
            if (p->tok.type != T_STRING && p->tok.type != T_NUMBER) {
                perr(p, p->tok.pos, "expected a string or number in the 'in' list, found %s", tok_desc(&p->tok));
                node_free(x);
                return NULL;
            }
            nl = dsj_realloc(x->list, (x->nlist + 1) * sizeof *nl);
            if (!nl) { node_free(x); p->failed = 1; dsj_error_set(p->err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory"); return NULL; }
            x->list = nl;
            memset(&x->list[x->nlist], 0, sizeof *nl);
            take_literal(p, &x->list[x->nlist++]);
            next_token(p);
            if (p->tok.type == T_COMMA) continue;
            if (p->tok.type == T_RPAREN) break;
            perr(p, p->tok.pos, "expected ',' or ')' in the 'in' list, found %s", tok_desc(&p->tok));
            node_free(x);
            return NULL;
        }
        next_token(p);
        return x;
    }
    case T_MATCHES: {
        char msg[256];
        size_t off = 0, pos;
        next_token(p);
        if (p->tok.type != T_STRING) { perr(p, p->tok.pos, "expected a \"regex\" string after 'matches', found %s", tok_desc(&p->tok)); return NULL; }
        x = node_new(p, N_MATCH);
        if (!x) return NULL;
        x->slot = slot;
        x->re = dsj_regex_compile(p->tok.text, p->tok.len, msg, sizeof msg, &off);
        if (!x->re) {
            char full[300];
            pos = p->tok.pos;
            snprintf(full, sizeof full, "bad regular expression: %s at pattern offset %zu", msg, off);
            perr(p, pos, "%s", full);
            node_free(x);
            return NULL;
        }
        next_token(p);
        return x;
    }
    case T_IS:
        x = node_new(p, N_MISSING);
        if (!x) return NULL;
        x->slot = slot;
        next_token(p);
        if (p->tok.type == T_NOT) { x->neg = 1; next_token(p); }
        if (p->tok.type != T_MISSING) { perr(p, p->tok.pos, "expected 'missing' after 'is', found %s", tok_desc(&p->tok)); node_free(x); return NULL; }
        next_token(p);
        return x;
    default:
        perr(p, p->tok.pos, "expected an operator, 'in', 'matches' or 'is' after the column, found %s", tok_desc(&p->tok));
        (void)colpos;
        return NULL;
    }
}

#define MAX_NESTING 200

static node_t *parse_unary(parser_t *p)
{
    node_t *x, *inner;
    if (p->failed) return NULL;
    if ((p->tok.type == T_NOT || p->tok.type == T_LPAREN) && ++p->depth > MAX_NESTING) {
        perr(p, p->tok.pos, "nested too deeply (more than 200 levels of 'not' and parentheses)", NULL);
        return NULL;
    }
    if (p->tok.type == T_NOT) {
        next_token(p);
        inner = parse_unary(p);
        if (!inner) return NULL;
        x = node_new(p, N_NOT);
        if (!x) { node_free(inner); return NULL; }
        x->a = inner;
        p->depth--;
        return x;
    }
    if (p->tok.type == T_LPAREN) {
        size_t open = p->tok.pos;
        next_token(p);
        inner = parse_or(p);
        if (!inner) return NULL;
        if (p->tok.type != T_RPAREN) {
            char tmp[32];
            snprintf(tmp, sizeof tmp, "%zu", open + 1);
            perr(p, p->tok.pos, "expected ')' to close the '(' at position %s", tmp);
            node_free(inner);
            return NULL;
        }
        next_token(p);
        p->depth--;
        return inner;
    }
    return parse_test(p);
}

static node_t *parse_binary(parser_t *p, tok_type_t optok, node_type_t type, node_t *(*sub)(parser_t *))
{
    node_t *left = sub(p), *right, *x;
    while (left && !p->failed && p->tok.type == optok) {
        next_token(p);
        right = sub(p);
        if (!right) { node_free(left); return NULL; }
        x = node_new(p, type);
        if (!x) { node_free(left); node_free(right); return NULL; }
        x->a = left;
        x->b = right;
        left = x;
    }
    if (p->failed) { node_free(left); return NULL; }
    return left;
}

static node_t *parse_and(parser_t *p) { return parse_binary(p, T_AND, N_AND, parse_unary); }
static node_t *parse_or(parser_t *p) { return parse_binary(p, T_OR, N_OR, parse_and); }

dsj_condition_t *dsj_condition_parse(const char *text, dsj_error_t *err)
{
    parser_t p;
    dsj_condition_t *c;
    if (!text) { dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "condition: NULL text"); return NULL; }
    c = dsj_calloc(1, sizeof *c);
    if (!c || !(c->text = dsj_strdup(text))) {
        dsj_free(c);
        dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        return NULL;
    }
    memset(&p, 0, sizeof p);
    p.s = text;
    p.n = strlen(text);
    p.err = err;
    p.cond = c;
    next_token(&p);
    if (!p.failed && p.tok.type == T_END) perr(&p, p.tok.pos, "empty condition", NULL);
    if (!p.failed) c->root = parse_or(&p);
    if (!p.failed && p.tok.type != T_END)
        perr(&p, p.tok.pos, "unexpected %s (expected 'and', 'or' or the end)", tok_desc(&p.tok));
    dsj_free(p.tok.text);
    if (p.failed || !c->root) {
        if (!p.failed) dsj_error_set(err, DSJ_E_SYNTAX, NULL, 0, 0, 0, "condition: cannot parse");
        dsj_condition_free(c);
        return NULL;
    }
    return c;
}

void dsj_condition_free(dsj_condition_t *c)
{
    size_t i;
    if (!c) return;
    node_free(c->root);
    for (i = 0; i < c->nnames; i++) dsj_free(c->names[i]);
    dsj_free(c->names);
    dsj_free(c->text);
    dsj_free(c);
}

const char *dsj_condition_text(const dsj_condition_t *c)
{
    return c ? c->text : NULL;
}

/* ================================================================
 * Binding and evaluation
 * ============================================================== */

dsj_condition_eval_t *dsj_condition_bind(const dsj_condition_t *c, const dsj_meta_t *meta, dsj_error_t *err)
{
    dsj_condition_eval_t *e;
    size_t i;
    if (!c || !meta) { dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "condition: NULL argument"); return NULL; }
    e = dsj_calloc(1, sizeof *e);
    if (!e) { dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory"); return NULL; }
    e->cond = c;
    e->idx = dsj_calloc(c->nnames ? c->nnames : 1, sizeof *e->idx);
    e->md = dsj_regex_match_data_new();
    if (!e->idx || !e->md) {
        dsj_condition_eval_free(e);
        dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        return NULL;
    }
    for (i = 0; i < c->nnames; i++) {
        e->idx[i] = dsj_meta_find_column(meta, c->names[i]);
        if (e->idx[i] < 0) {
            dsj_error_set(err, DSJ_E_NOTFOUND, NULL, 0, 0, 0, "condition \"%.80s%s\": no column %s in dataset %s", c->text, strlen(c->text) > 80 ? "..." : "",
                          c->names[i], dsj_meta_get(meta, DSJ_META_NAME) ? dsj_meta_get(meta, DSJ_META_NAME) : "(unnamed)");
            dsj_condition_eval_free(e);
            return NULL;
        }
    }
    return e;
}

void dsj_condition_eval_free(dsj_condition_eval_t *e)
{
    if (!e) return;
    dsj_free(e->idx);
    if (e->md) dsj_regex_match_data_free(e->md);
    dsj_free(e);
}

static const dsj_cell_t null_cell = {DSJ_CELL_NULL, NULL, 0, 0, 0, 0};

static const dsj_cell_t *cell_at(const dsj_condition_eval_t *e, const dsj_row_t *row, int slot)
{
    long k = e->idx[slot];
    if (k < 0 || (size_t)k >= row->ncells) return &null_cell;
    return &row->cells[k];
}

static int op_holds(int op, int c)
{
    if (c == DSJ_COMPARE_UNDECIDED) return 0;
    switch (op) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    default: return c >= 0;
    }
}

static int eval_node(dsj_condition_eval_t *e, const node_t *x, const dsj_row_t *row)
{
    const dsj_cell_t *v;
    size_t i;
    switch (x->type) {
    case N_AND: return eval_node(e, x->a, row) && eval_node(e, x->b, row);
    case N_OR: return eval_node(e, x->a, row) || eval_node(e, x->b, row);
    case N_NOT: return !eval_node(e, x->a, row);
    case N_MISSING: return dsj_cell_is_missing(cell_at(e, row, x->slot)) != x->neg;
    case N_CMP:
        v = cell_at(e, row, x->slot);
        return op_holds(x->op, dsj_value_compare(v, x->rhs.slot >= 0 ? cell_at(e, row, x->rhs.slot) : &x->rhs.lit));
    case N_IN:
        v = cell_at(e, row, x->slot);
        if (dsj_cell_is_missing(v)) return 0;
        for (i = 0; i < x->nlist; i++)
            if (dsj_value_compare(v, &x->list[i]) == 0) return !x->neg;
        return x->neg;
    case N_MATCH:
        v = cell_at(e, row, x->slot);
        if (dsj_cell_is_missing(v) || v->kind == DSJ_CELL_INVALID) return 0;
        return dsj_regex_match(x->re, e->md, v->text, v->len) == 1;
    }
    return 0;
}

int dsj_condition_eval(dsj_condition_eval_t *e, const dsj_row_t *row)
{
    if (!e || !row) return 0;
    return eval_node(e, e->cond->root, row);
}
