/* Private declarations of the ODM XML <-> JSON converter (odm*.c).  Never installed. */
#ifndef DSJ_ODM_INTERNAL_H
#define DSJ_ODM_INTERNAL_H

#include "dsj_internal.h"

#include <json-c/json.h>

/* Generated from the official XSDs (odm_tables.gen.c, owned by the tables module). */
typedef struct dsj_odm_table_src {
    const char *schema;
    const char *json;
} dsj_odm_table_src_t;
extern const dsj_odm_table_src_t dsj_odm_table_sources[];

/* ---- namespaces ---- */
#define ODM_NS_ODM13 "http://www.cdisc.org/ns/odm/v1.3"
#define ODM_NS_ODM20 "http://www.cdisc.org/ns/odm/v2.0"
#define ODM_NS_DEF20 "http://www.cdisc.org/ns/def/v2.0"
#define ODM_NS_DEF21 "http://www.cdisc.org/ns/def/v2.1"
#define ODM_NS_DATA "http://www.cdisc.org/ns/Dataset-XML/v1.0"
#define ODM_NS_XLINK "http://www.w3.org/1999/xlink"
#define ODM_NS_ARM "http://www.cdisc.org/ns/arm/v1.0"
#define ODM_NS_XML "http://www.w3.org/XML/1998/namespace"

/* Standard prefix of a CDISC namespace whose prefix the JSON drops ("def", "xml"...), else NULL. */
const char *odm_known_prefix(const char *uri);
/* URI of a known prefix for schema (def -> v2.0 or v2.1 by table name), else NULL. */
const char *odm_known_uri(const char *prefix, const char *schema);

/* ---- schema tables ---- */
enum { ODM_T_STRING = 0, ODM_T_INTEGER, ODM_T_DECIMAL, ODM_T_FLOAT, ODM_T_BOOLEAN };

typedef struct odm_attr {
    char *uri;        /* NULL = no namespace */
    char *local;
    char *key;        /* JSON key */
    int type;
} odm_attr_t;

typedef struct odm_child {
    char *uri;
    char *local;
    char *key;        /* JSON key */
    int repeat;
    int seq;          /* position in the sequence */
} odm_child_t;

typedef struct odm_elem {
    char *name;       /* "{uri}Local" */
    odm_attr_t *attrs;
    size_t nattrs;
    odm_child_t *kids;
    size_t nkids;
    int text, mixed, any;
} odm_elem_t;

typedef struct odm_table {
    char *schema;
    char *root;        /* "{uri}ODM" */
    char *odm_uri;     /* the ODM namespace of the table */
    json_object *namespaces; /* prefix -> uri [owned ref] */
    odm_elem_t *elems; /* sorted by name */
    size_t nelems;
} odm_table_t;

/* Parse a table from its JSON text; NULL with err on a malformed table. [owned] odm_table_free */
odm_table_t *odm_table_parse(const char *json, const char *what, dsj_error_t *err);
void odm_table_free(odm_table_t *t);
/* The built-in table of that name, loaded once (thread-safe). [borrowed, static] NULL when absent. */
const odm_table_t *odm_table_builtin(const char *schema);
/* Element by "{uri}Local" (uri may be NULL). [borrowed] NULL when unknown. */
const odm_elem_t *odm_table_elem(const odm_table_t *t, const char *uri, const char *local);
const odm_attr_t *odm_elem_attr(const odm_elem_t *e, const char *uri, const char *local);
const odm_attr_t *odm_elem_attr_key(const odm_elem_t *e, const char *key);
const odm_child_t *odm_elem_child(const odm_elem_t *e, const char *uri, const char *local);
const odm_child_t *odm_elem_child_key(const odm_elem_t *e, const char *key);
/* Prefix the table maps to uri (from its "namespaces"), else NULL. [borrowed] */
const char *odm_table_prefix(const odm_table_t *t, const char *uri);

/* 1 when s[0..n) is a JSON integer literal (-?(0|[1-9][0-9]*)) that fits int64. */
int odm_json_int_text(const char *s, int64_t *out);

/* Write v as JSON to b (pretty: 2-space indent starting at level). 0 ok, -1 nomem. */
int odm_json_emit(dsj_buf_t *b, json_object *v, int pretty, int level);

/* Warnings: rule names ODM-JSON-* */
void odm_warn(const dsj_odm_options_t *o, const char *rule, const char *file, uint64_t line,
              const char *pointer, const char *fmt, ...) DSJ_PRINTF(6, 7);

#endif
