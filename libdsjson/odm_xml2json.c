/*
 * ODM XML -> ODM JSON (docs/odm-json.md).
 *
 * The XML is read with an xmlTextReader (no network, no entity expansion, no
 * DTD loading).  The ODM root is written member by member; each top-level
 * child is expanded to a DOM subtree, converted to a json-c object and
 * written, except ClinicalData and ReferenceData, whose children
 * (ItemGroupData, SubjectData...) are expanded one at a time: memory stays
 * bounded by the largest such child.
 */
#include "odm_internal.h"
#include "xml_init_internal.h"

#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlsave.h>
#include <errno.h>
#include <stdio.h>

#define FLUSH_AT (64u * 1024u)
#define XHTML_TYPE "application/xhtml+xml"

typedef struct x2j {
    const dsj_odm_options_t *o;
    dsj_odm_options_t defaults;
    const odm_table_t *table;
    odm_table_t *own_table;       /* parsed from o->schema_json */
    char schema[64];
    const char *odm_uri;          /* namespace of the root */
    const char *file;
    json_object *ns;              /* prefix -> uri, non-CDISC namespaces */
    json_object *types;           /* ItemOID -> DataType (from ItemDefs seen) */
    unsigned gen_prefix;
    dsj_error_t *err;
    dsj_status_t status;
    dsj_buf_t out;
    dsj_sink_t *sink;
    /* first XML parse error */
    int xml_failed;
    char xml_msg[400];
    uint64_t xml_line, xml_col;
} x2j_t;

static int failed(x2j_t *c) { return c->status != DSJ_OK; }

static void fail(x2j_t *c, dsj_status_t code, uint64_t line, const char *fmt, ...) DSJ_PRINTF(4, 5);
static void fail(x2j_t *c, dsj_status_t code, uint64_t line, const char *fmt, ...)
{
    char text[480];
    va_list ap;
    if (failed(c)) return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    c->status = dsj_error_set(c->err, code, c->file, line, 0, 0, "%s", text);
}

/* ------------------------------------------------------------------ namespaces */

/* Prefix to use in keys for a non-CDISC namespace uri; registers it in _ns. */
static const char *ns_prefix(x2j_t *c, const char *uri, const char *doc_prefix)
{
    json_object *v;
    char gen[32];
    const char *p = doc_prefix;
    json_object_object_foreach(c->ns, k, val) {
        if (!strcmp(json_object_get_string(val), uri)) return k;
    }
    if (!p || !*p || odm_known_uri(p, c->schema) || json_object_object_get_ex(c->ns, p, &v)) {
        p = odm_table_prefix(c->table, uri);
        if (!p || odm_known_uri(p, c->schema) || json_object_object_get_ex(c->ns, p, &v)) {
            do snprintf(gen, sizeof gen, "ns%u", ++c->gen_prefix);
            while (json_object_object_get_ex(c->ns, gen, &v));
            p = gen;
        }
    }
    json_object_object_add(c->ns, p, json_object_new_string(uri));
    json_object_object_get_ex(c->ns, p, &v);
    /* return a pointer owned by the map: the key string */
    {
        json_object_object_foreach(c->ns, k2, v2) {
            (void)v2;
            if (!strcmp(k2, p)) return k2;
        }
    }
    return NULL;
}

static char *prefixed(const char *p, const char *local)
{
    size_t n = strlen(p) + strlen(local) + 2;
    char *k = dsj_malloc(n);
    if (k) snprintf(k, n, "%s:%s", p, local);
    return k;
}

/* Key for a name that the table does not describe (the fallback). */
static char *fallback_key(x2j_t *c, const char *uri, const char *prefix, const char *local, int is_attr)
{
    const char *p;
    if (!uri) return dsj_strdup(local);
    if (!is_attr && c->odm_uri && !strcmp(uri, c->odm_uri)) return dsj_strdup(local);
    p = odm_known_prefix(uri);
    if (!p) p = ns_prefix(c, uri, prefix);
    if (!p) return NULL;
    return prefixed(p, local);
}

/* ------------------------------------------------------------------ values */

static int is_binary_type(const char *t)
{
    return t && (!strcmp(t, "base64Binary") || !strcmp(t, "hexBinary") ||
                 !strcmp(t, "base64Float") || !strcmp(t, "hexFloat"));
}

/* json-c value for a lexical value that may go to the bulk handler. */
static json_object *bulk_or_string(x2j_t *c, const char *item_oid, const char *dtype, const char *s, uint64_t line)
{
    size_t n = strlen(s);
    size_t thr = c->o->bulk_threshold ? c->o->bulk_threshold : 1024;
    if (c->o->bulk_write && is_binary_type(dtype) && n > thr) {
        dsj_error_t e;
        char *uri;
        json_object *o;
        dsj_error_clear(&e);
        uri = c->o->bulk_write(c->o->bulk_ctx, item_oid ? item_oid : "", dtype, s, n, &e);
        if (!uri) {
            fail(c, e.code ? e.code : DSJ_E_IO, line, "bulk data write handler failed for item %s: %s",
                 item_oid ? item_oid : "?", e.text[0] ? e.text : "no URI returned");
            return NULL;
        }
        o = json_object_new_object();
        json_object_object_add(o, "BulkDataURI", json_object_new_string(uri));
        free(uri);
        return o;
    }
    return json_object_new_string(s);
}

static const char *item_type(x2j_t *c, const char *item_oid)
{
    json_object *v;
    if (item_oid && json_object_object_get_ex(c->types, item_oid, &v)) return json_object_get_string(v);
    return NULL;
}

/* ------------------------------------------------------------------ element -> json */

static const char *nsuri(const xmlNs *ns) { return ns ? (const char *)ns->href : NULL; }
static const char *nspfx(const xmlNs *ns) { return ns ? (const char *)ns->prefix : NULL; }

static void arr_add_unique(json_object *arr, const char *key)
{
    size_t i;
    for (i = 0; i < json_object_array_length(arr); i++)
        if (!strcmp(json_object_get_string(json_object_array_get_idx(arr, i)), key)) return;
    json_object_array_add(arr, json_object_new_string(key));
}

static void add_unknown(json_object *obj, const char *key)
{
    json_object *arr;
    if (!json_object_object_get_ex(obj, "_unknown", &arr)) {
        arr = json_object_new_array();
        json_object_object_add(obj, "_unknown", arr);
    }
    arr_add_unique(arr, key);
}

/* Move an "_unknown" list of attrs into the array into. */
static void take_unknown(json_object *attrs, json_object *into)
{
    json_object *u;
    size_t i;
    if (!json_object_object_get_ex(attrs, "_unknown", &u)) return;
    for (i = 0; i < json_object_array_length(u); i++)
        arr_add_unique(into, json_object_get_string(json_object_array_get_idx(u, i)));
    json_object_object_del(attrs, "_unknown");
}

/* Convert the attributes of node into obj. */
static void convert_attrs(x2j_t *c, xmlNodePtr node, const odm_elem_t *e, json_object *obj, const char *item_oid)
{
    xmlAttrPtr a;
    for (a = node->properties; a && !failed(c); a = a->next) {
        const char *uri = nsuri(a->ns), *local = (const char *)a->name;
        const odm_attr_t *at = odm_elem_attr(e, uri, local);
        xmlChar *val = xmlNodeListGetString(node->doc, a->children, 1);
        const char *s = val ? (const char *)val : "";
        char *key = at ? dsj_strdup(at->key) : fallback_key(c, uri, nspfx(a->ns), local, 1);
        json_object *jv = NULL, *old;
        if (!key) { xmlFree(val); fail(c, DSJ_E_NOMEM, 0, "out of memory"); return; }
        if (!at && e && !uri) {
            add_unknown(obj, key);
            odm_warn(c->o, "ODM-JSON-UNKNOWN-ATTRIBUTE", c->file, (uint64_t)xmlGetLineNo(node), NULL,
                     "attribute %s of element %s is not in schema %s (kept, listed in _unknown)",
                     local, node->name, c->schema);
        }
        if (at && at->type == ODM_T_INTEGER) {
            int64_t iv;
            if (odm_json_int_text(s, &iv)) jv = json_object_new_int64(iv);
            else odm_warn(c->o, "ODM-JSON-INTEGER", c->file, (uint64_t)xmlGetLineNo(node), NULL,
                          "attribute %s=\"%s\" of element %s is not a plain integer; kept as a string",
                          local, s, node->name);
        }
        if (!jv && !uri && !strcmp(local, "Value") && !strcmp((const char *)node->name, "ItemData"))
            jv = bulk_or_string(c, item_oid, item_type(c, item_oid), s, (uint64_t)xmlGetLineNo(node));
        else if (!jv)
            jv = json_object_new_string(s);
        xmlFree(val);
        if (!jv) { dsj_free(key); return; }
        if (json_object_object_get_ex(obj, key, &old))
            fail(c, DSJ_E_FORMAT, (uint64_t)xmlGetLineNo(node), "element %s: two attributes map to the JSON key \"%s\"",
                 node->name, key);
        else
            json_object_object_add(obj, key, jv), jv = NULL;
        if (jv) json_object_put(jv);
        dsj_free(key);
    }
}

static int only_space(const xmlChar *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return 0;
    return 1;
}

/* Serialize the children of node as markup (mixed content). */
static char *dump_children(x2j_t *c, xmlNodePtr node)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlNodePtr k;
    char *s;
    if (!buf) return NULL;
    for (k = node->children; k; k = k->next) {
        if (k->type == XML_COMMENT_NODE || k->type == XML_PI_NODE) continue;
        if (k->type == XML_ELEMENT_NODE && k->ns && !k->ns->prefix) {
            /* an inherited default namespace is declared on the fragment itself */
            xmlNsPtr d;
            for (d = k->nsDef; d && d->prefix; d = d->next) {}
            if (!d) xmlSetNs(k, xmlNewNs(k, k->ns->href, NULL));
        }
        if (k->type == XML_ELEMENT_NODE) {
            /* namespaces used inside but declared outside go to _ns */
            xmlNodePtr d = k;
            while (d) {
                if (d->type == XML_ELEMENT_NODE && d->ns && d->ns->prefix && !odm_known_prefix(nsuri(d->ns))) {
                    json_object *v;
                    if (!json_object_object_get_ex(c->ns, (const char *)d->ns->prefix, &v))
                        json_object_object_add(c->ns, (const char *)d->ns->prefix,
                                               json_object_new_string((const char *)d->ns->href));
                }
                if (d->children && d->type == XML_ELEMENT_NODE) d = d->children;
                else {
                    while (d && d != k && !d->next) d = d->parent;
                    if (!d || d == k) break;
                    d = d->next;
                }
            }
        }
        xmlNodeDump(buf, node->doc, k, 0, 0);
    }
    s = dsj_strdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return s;
}

typedef struct group {
    char *key;
    int seq;           /* schema position; unknown: 1e9 + first appearance */
    int repeat;
    json_object *val;  /* array, or the single object */
    size_t count;
} group_t;

static int group_cmp(const void *a, const void *b)
{
    const group_t *x = a, *y = b;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static json_object *convert_elem(x2j_t *c, xmlNodePtr node, const char *item_oid, int depth);

/* Key, repeat flag and schema position of a child element. */
static char *child_key(x2j_t *c, const odm_elem_t *e, xmlNodePtr k, int *repeat, int *seq, int *known)
{
    const odm_child_t *ch = odm_elem_child(e, nsuri(k->ns), (const char *)k->name);
    if (ch) {
        *repeat = ch->repeat;
        *seq = ch->seq;
        *known = 1;
        return dsj_strdup(ch->key);
    }
    *repeat = 1;
    *seq = -1;
    *known = 0;
    return fallback_key(c, nsuri(k->ns), nspfx(k->ns), (const char *)k->name, 0);
}

static void convert_children(x2j_t *c, xmlNodePtr node, const odm_elem_t *e, json_object *obj,
                             const char *item_oid, int depth)
{
    xmlNodePtr k;
    group_t *groups = NULL;
    size_t ng = 0, cap = 0, i, nelem = 0;
    json_object *order = json_object_new_array();
    int in_order = 1, last_seq = -1;
    for (k = node->children; k && !failed(c); k = k->next) {
        int repeat, seq, known;
        char *key;
        json_object *child;
        if (k->type != XML_ELEMENT_NODE) continue;
        key = child_key(c, e, k, &repeat, &seq, &known);
        if (!key) { fail(c, DSJ_E_NOMEM, 0, "out of memory"); break; }
        if (!known && e && !e->any && !strchr(key, ':')) {
            add_unknown(obj, key);
            odm_warn(c->o, "ODM-JSON-UNKNOWN-ELEMENT", c->file, (uint64_t)xmlGetLineNo(k), NULL,
                     "element %s is not a child of %s in schema %s (kept as an array, listed in _unknown)",
                     k->name, node->name, c->schema);
        }
        for (i = 0; i < ng && strcmp(groups[i].key, key); i++) {}
        if (i == ng) {
            if (ng == cap) {
                group_t *g = dsj_realloc(groups, (cap = cap ? 2 * cap : 8) * sizeof *g);
                if (!g) { dsj_free(key); fail(c, DSJ_E_NOMEM, 0, "out of memory"); break; }
                groups = g;
            }
            groups[ng].key = key;
            groups[ng].seq = known ? seq : 1000000 + (int)ng;
            groups[ng].repeat = repeat;
            groups[ng].val = repeat ? json_object_new_array() : NULL;
            groups[ng].count = 0;
            ng++;
        } else {
            dsj_free(key);
            if (i != ng - 1 || groups[i].seq < last_seq) in_order = 0;
        }
        if (groups[i].seq < last_seq) in_order = 0;
        last_seq = groups[i].seq;
        json_object_array_add(order, json_object_new_string(groups[i].key));
        nelem++;
        child = convert_elem(c, k, item_oid, depth + 1);
        if (!child) break;
        if (!groups[i].repeat && groups[i].count == 1) {
            /* a single child that occurs again: keep both, as an array */
            json_object *arr = json_object_new_array();
            json_object_array_add(arr, groups[i].val);
            groups[i].val = arr;
            groups[i].repeat = 1;
            add_unknown(obj, groups[i].key);
            odm_warn(c->o, "ODM-JSON-REPEATED-SINGLE", c->file, (uint64_t)xmlGetLineNo(k), NULL,
                     "element %s occurs more than once in %s although schema %s allows one (kept as an array, listed in _unknown)",
                     k->name, node->name, c->schema);
        }
        if (groups[i].repeat) json_object_array_add(groups[i].val, child);
        else groups[i].val = child;
        groups[i].count++;
    }
    /* in-order check: groups contiguous and in schema order */
    if (!failed(c)) {
        qsort(groups, ng, sizeof *groups, group_cmp);
        for (i = 0; i < ng; i++) {
            json_object *old;
            if (json_object_object_get_ex(obj, groups[i].key, &old)) {
                /* an attribute with the key of a child (ItemDef/@Origin and def:Origin): "@Origin" */
                char *ak = prefixed("@", groups[i].key);
                if (!ak) { fail(c, DSJ_E_NOMEM, 0, "out of memory"); break; }
                memmove(ak, ak + 1, strlen(ak));    /* "@:Key" -> "@Key" */
                ak[0] = '@';
                json_object_object_add(obj, ak, json_object_get(old));
                json_object_object_del(obj, groups[i].key);
                dsj_free(ak);
            }
            json_object_object_add(obj, groups[i].key, groups[i].val);
            groups[i].val = NULL;
        }
        if (!in_order && nelem > 1) json_object_object_add(obj, "_order", json_object_get(order));
    }
    for (i = 0; i < ng; i++) {
        dsj_free(groups[i].key);
        if (groups[i].val) json_object_put(groups[i].val);
    }
    dsj_free(groups);
    json_object_put(order);
}

static json_object *convert_elem(x2j_t *c, xmlNodePtr node, const char *item_oid, int depth)
{
    const odm_elem_t *e = odm_table_elem(c->table, nsuri(node->ns), (const char *)node->name);
    json_object *obj;
    xmlNodePtr k;
    int has_elem = 0, has_text = 0;
    xmlChar *oid = NULL;
    const char *name = (const char *)node->name;
    if (depth > 256) { fail(c, DSJ_E_LIMIT, (uint64_t)xmlGetLineNo(node), "XML nested deeper than 256 elements"); return NULL; }
    obj = json_object_new_object();
    if (!strncmp(name, "ItemData", 8) && (oid = xmlGetProp(node, (const xmlChar *)"ItemOID"))) item_oid = (const char *)oid;
    if (!strcmp(name, "ItemDef")) {
        xmlChar *io = xmlGetProp(node, (const xmlChar *)"OID"), *dt = xmlGetProp(node, (const xmlChar *)"DataType");
        if (io && dt) json_object_object_add(c->types, (const char *)io, json_object_new_string((const char *)dt));
        xmlFree(io);
        xmlFree(dt);
    }
    convert_attrs(c, node, e, obj, item_oid);
    for (k = node->children; k; k = k->next) {
        if (k->type == XML_ELEMENT_NODE) has_elem = 1;
        else if ((k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) && !only_space(k->content)) has_text = 1;
        else if (k->type == XML_ENTITY_REF_NODE)
            fail(c, DSJ_E_UNSUPPORTED, (uint64_t)xmlGetLineNo(node), "entity reference &%s; in %s: entities are not expanded",
                 k->name, name);
    }
    if (!failed(c)) {
        xmlChar *type = xmlGetProp(node, (const xmlChar *)"Type");
        int xhtml = e && e->mixed && type && !strcmp((const char *)type, XHTML_TYPE);
        xmlFree(type);
        if (xhtml || (has_elem && has_text)) {
            char *m = dump_children(c, node);
            if (!m) fail(c, DSJ_E_NOMEM, 0, "out of memory");
            else json_object_object_add(obj, "_content", json_object_new_string(m));
            dsj_free(m);
            if (!xhtml) json_object_object_add(obj, "_markup", json_object_new_boolean(1));
        } else if (has_elem) {
            convert_children(c, node, e, obj, item_oid, depth);
        } else if (node->children) {
            xmlChar *t = xmlNodeGetContent(node);
            const char *dt = NULL;
            json_object *jv;
            if (!strcmp(name, "ItemDataBase64Binary")) dt = "base64Binary";
            else if (!strcmp(name, "ItemDataHexBinary")) dt = "hexBinary";
            else if (!strcmp(name, "ItemDataBase64Float")) dt = "base64Float";
            else if (!strcmp(name, "ItemDataHexFloat")) dt = "hexFloat";
            else if (!strcmp(name, "Value") && item_oid) dt = item_type(c, item_oid);
            jv = bulk_or_string(c, item_oid, dt, t ? (const char *)t : "", (uint64_t)xmlGetLineNo(node));
            if (jv) json_object_object_add(obj, "_content", jv);
            xmlFree(t);
        }
    }
    xmlFree(oid);
    if (failed(c)) { json_object_put(obj); return NULL; }
    return obj;
}

/* ------------------------------------------------------------------ output */

static void out_flush(x2j_t *c, int force)
{
    if (failed(c) || (!force && c->out.len < FLUSH_AT) || !c->out.len) return;
    if (dsj_sink_write(c->sink, c->out.data, c->out.len, c->err) != DSJ_OK) c->status = c->err ? c->err->code : DSJ_E_IO;
    dsj_buf_reset(&c->out);
}

static void out_nl(x2j_t *c, int level)
{
    int i;
    if (!c->o->pretty) return;
    dsj_buf_putc(&c->out, '\n');
    for (i = 0; i < level; i++) dsj_buf_puts(&c->out, "  ");
}

static void out_key(x2j_t *c, const char *key, int *first, int level)
{
    if (!*first) dsj_buf_putc(&c->out, ',');
    *first = 0;
    out_nl(c, level);
    dsj_buf_json_string(&c->out, key, strlen(key));
    dsj_buf_puts(&c->out, c->o->pretty ? ": " : ":");
}

/* Write the members of obj (no braces). */
static void out_members(x2j_t *c, json_object *obj, int *first, int level)
{
    json_object_object_foreach(obj, k, v) {
        out_key(c, k, first, level);
        odm_json_emit(&c->out, v, c->o->pretty, level);
    }
}

/* An object written member by member whose children are streamed in. */
typedef struct stream_obj {
    const odm_elem_t *e;
    int level;         /* level of the members */
    int first;
    char *cur;         /* key of the open group */
    int cur_array;
    json_object *seen; /* key -> run index */
    json_object *runs; /* [[key, count], ...] */
    int in_order;
    int last_seq;
    json_object *unknown;
} stream_obj_t;

static void sobj_init(stream_obj_t *s, const odm_elem_t *e, int level)
{
    memset(s, 0, sizeof *s);
    s->e = e;
    s->level = level;
    s->first = 1;
    s->seen = json_object_new_object();
    s->runs = json_object_new_array();
    s->in_order = 1;
    s->last_seq = -1;
    s->unknown = json_object_new_array();
}

static void sobj_close_group(x2j_t *c, stream_obj_t *s)
{
    if (s->cur && s->cur_array) {
        out_nl(c, s->level);
        dsj_buf_putc(&c->out, ']');
    }
    dsj_free(s->cur);
    s->cur = NULL;
}

/* One child element of a streamed object: convert and write it. */
static void sobj_child(x2j_t *c, stream_obj_t *s, xmlNodePtr k, const char *parent_name)
{
    int repeat, seq, known;
    char *key = child_key(c, s->e, k, &repeat, &seq, &known);
    json_object *child, *run;
    if (!key) { fail(c, DSJ_E_NOMEM, 0, "out of memory"); return; }
    if (!known && s->e && !s->e->any && !strchr(key, ':')) {
        size_t i, dup = 0;
        for (i = 0; i < json_object_array_length(s->unknown); i++)
            if (!strcmp(json_object_get_string(json_object_array_get_idx(s->unknown, i)), key)) dup = 1;
        if (!dup) {
            arr_add_unique(s->unknown, key);
            odm_warn(c->o, "ODM-JSON-UNKNOWN-ELEMENT", c->file, (uint64_t)xmlGetLineNo(k), NULL,
                     "element %s is not a child of %s in schema %s (kept as an array, listed in _unknown)",
                     k->name, parent_name, c->schema);
        }
    }
    child = convert_elem(c, k, NULL, 2);
    if (!child) { dsj_free(key); return; }
    if (s->cur && !strcmp(s->cur, key)) {
        if (!s->cur_array) {
            fail(c, DSJ_E_UNSUPPORTED, (uint64_t)xmlGetLineNo(k),
                 "element %s occurs twice in %s, which schema %s allows once; not supported in a streamed element",
                 k->name, parent_name, c->schema);
            json_object_put(child);
            dsj_free(key);
            return;
        }
        dsj_buf_putc(&c->out, ',');
        run = json_object_array_get_idx(s->runs, json_object_array_length(s->runs) - 1);
        json_object_array_put_idx(run, 1, json_object_new_int64(json_object_get_int64(json_object_array_get_idx(run, 1)) + 1));
        dsj_free(key);
    } else {
        json_object *tmp;
        int gseq = known ? seq : 1000000 + (int)json_object_array_length(s->runs);
        (void)0;
        if (json_object_object_get_ex(s->seen, key, &tmp)) {
            fail(c, DSJ_E_UNSUPPORTED, (uint64_t)xmlGetLineNo(k),
                 "elements %s are interleaved with other elements inside %s; not supported in a streamed element",
                 k->name, parent_name);
            json_object_put(child);
            dsj_free(key);
            return;
        }
        sobj_close_group(c, s);
        if (gseq < s->last_seq) s->in_order = 0;
        s->last_seq = gseq;
        json_object_object_add(s->seen, key, json_object_new_boolean(1));
        run = json_object_new_array();
        json_object_array_add(run, json_object_new_string(key));
        json_object_array_add(run, json_object_new_int64(1));
        json_object_array_add(s->runs, run);
        out_key(c, key, &s->first, s->level);
        s->cur = key;
        s->cur_array = repeat;
        if (repeat) dsj_buf_putc(&c->out, '[');
    }
    if (s->cur_array) out_nl(c, s->level + 1);
    odm_json_emit(&c->out, child, c->o->pretty, s->cur_array ? s->level + 1 : s->level);
    json_object_put(child);
    out_flush(c, 0);
}

/* Close the groups, write _order/_unknown; no closing brace. */
static void sobj_finish(x2j_t *c, stream_obj_t *s)
{
    size_t i, nruns = json_object_array_length(s->runs);
    sobj_close_group(c, s);
    if (json_object_array_length(s->unknown)) {
        out_key(c, "_unknown", &s->first, s->level);
        odm_json_emit(&c->out, s->unknown, c->o->pretty, s->level);
    }
    if (!s->in_order) {
        int firstitem = 1;
        out_key(c, "_order", &s->first, s->level);
        dsj_buf_putc(&c->out, '[');
        for (i = 0; i < nruns; i++) {
            json_object *run = json_object_array_get_idx(s->runs, i);
            const char *k = json_object_get_string(json_object_array_get_idx(run, 0));
            int64_t n = json_object_get_int64(json_object_array_get_idx(run, 1)), j;
            for (j = 0; j < n; j++) {
                if (!firstitem) dsj_buf_putc(&c->out, ',');
                firstitem = 0;
                dsj_buf_json_string(&c->out, k, strlen(k));
                out_flush(c, 0);
            }
        }
        dsj_buf_putc(&c->out, ']');
    }
    json_object_put(s->seen);
    json_object_put(s->runs);
    json_object_put(s->unknown);
}

/* ------------------------------------------------------------------ driver */

static void xml_error(void *ctx, const xmlError *e)
{
    x2j_t *c = ctx;
    size_t n;
    if (c->xml_failed || !e || e->level < XML_ERR_ERROR) return;
    c->xml_failed = 1;
    snprintf(c->xml_msg, sizeof c->xml_msg, "%s", e->message ? e->message : "XML error");
    n = strlen(c->xml_msg);
    while (n && (c->xml_msg[n - 1] == '\n' || c->xml_msg[n - 1] == ' ')) c->xml_msg[--n] = '\0';
    c->xml_line = (uint64_t)(e->line > 0 ? e->line : 0);
    c->xml_col = (uint64_t)(e->int2 > 0 ? e->int2 : 0);
}

static void reader_error_cb(void *ctx, xmlErrorPtr e) { xml_error(ctx, e); }

static void choose_schema(x2j_t *c, xmlNodePtr root)
{
    const char *s = "odm-1.3.2";
    xmlNsPtr ns;
    if (c->o->schema) s = c->o->schema;
    else if (root->ns && !strcmp(nsuri(root->ns), ODM_NS_ODM20)) s = "odm-2.0";
    else {
        for (ns = root->nsDef; ns; ns = ns->next) {
            if (!strcmp(nsuri(ns), ODM_NS_DEF21)) { s = "define-2.1"; break; }
            if (!strcmp(nsuri(ns), ODM_NS_DEF20)) { s = "define-2.0"; break; }
            if (!strcmp(nsuri(ns), ODM_NS_DATA)) { s = "dataset-xml-1.0"; break; }
        }
    }
    snprintf(c->schema, sizeof c->schema, "%s", s);
    c->table = NULL;
    if (c->o->schema_json) {
        c->own_table = odm_table_parse(c->o->schema_json, "schema_json", c->err);
        if (!c->own_table) { c->status = c->err ? c->err->code : DSJ_E_FORMAT; return; }
        if (!strcmp(c->own_table->schema, c->schema)) c->table = c->own_table;
    }
    if (!c->table) c->table = odm_table_builtin(c->schema);
    if (!c->table)
        odm_warn(c->o, "ODM-JSON-NO-TABLE", c->file, 0, NULL,
                 "no schema table %s is built in: every child becomes an array, every attribute a string", c->schema);
}

static int is_stream_container(x2j_t *c, xmlNodePtr n)
{
    return n->ns && c->odm_uri && !strcmp(nsuri(n->ns), c->odm_uri) &&
           (!strcmp((const char *)n->name, "ClinicalData") || !strcmp((const char *)n->name, "ReferenceData"));
}

/* Read the next node; returns 1 node, 0 end, -1 error (c failed). */
static int rd(x2j_t *c, xmlTextReaderPtr r)
{
    int ret = xmlTextReaderRead(r);
    if (ret < 0 || c->xml_failed) {
        fail(c, DSJ_E_XML, c->xml_line, "invalid XML: %s", c->xml_failed ? c->xml_msg : "parse error");
        return -1;
    }
    return ret;
}

/* Skip the subtree of the current element; 1 ok, -1 error, 0 end. */
static int rd_next(x2j_t *c, xmlTextReaderPtr r)
{
    int ret = xmlTextReaderNext(r);
    if (ret < 0 || c->xml_failed) {
        fail(c, DSJ_E_XML, c->xml_line, "invalid XML: %s", c->xml_failed ? c->xml_msg : "parse error");
        return -1;
    }
    return ret;
}

/* Convert the content of a streamed element whose start tag is current. */
static void stream_container(x2j_t *c, xmlTextReaderPtr r, xmlNodePtr node, int level)
{
    const odm_elem_t *e = odm_table_elem(c->table, nsuri(node->ns), (const char *)node->name);
    json_object *attrs = json_object_new_object();
    stream_obj_t s;
    int depth = xmlTextReaderDepth(r), empty = xmlTextReaderIsEmptyElement(r), ret;
    char *name = dsj_strdup((const char *)node->name);
    dsj_buf_putc(&c->out, '{');
    convert_attrs(c, node, e, attrs, NULL);
    sobj_init(&s, e, level + 1);
    if (!failed(c)) {
        take_unknown(attrs, s.unknown);
        out_members(c, attrs, &s.first, level + 1);
    }
    json_object_put(attrs);
    ret = empty ? 0 : rd(c, r);
    while (!failed(c) && ret == 1 && xmlTextReaderDepth(r) > depth) {
        int t = xmlTextReaderNodeType(r);
        if (t == XML_READER_TYPE_ELEMENT) {
            xmlNodePtr k = xmlTextReaderExpand(r);
            if (!k) { fail(c, DSJ_E_XML, c->xml_line, "invalid XML: %s", c->xml_failed ? c->xml_msg : "cannot expand element"); break; }
            sobj_child(c, &s, k, name);
            ret = rd_next(c, r);
            continue;
        }
        if ((t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA) && !only_space(xmlTextReaderConstValue(r)))
            fail(c, DSJ_E_UNSUPPORTED, (uint64_t)xmlTextReaderGetParserLineNumber(r),
                 "text inside %s is not supported in a streamed element", name);
        ret = rd(c, r);
    }
    if (!failed(c)) {
        sobj_finish(c, &s);
        out_nl(c, level);
        dsj_buf_putc(&c->out, '}');
    } else {
        json_object_put(s.seen);
        json_object_put(s.runs);
        json_object_put(s.unknown);
        dsj_free(s.cur);
    }
    dsj_free(name);
}

static dsj_status_t run(x2j_t *c, xmlTextReaderPtr r)
{
    xmlNodePtr root = NULL;
    stream_obj_t s;
    int ret, level = c->o->wrap_root ? 1 : 0, depth, empty, xmlns_differs = 0;
    json_object *attrs;
    xmlTextReaderSetStructuredErrorHandler(r, reader_error_cb, c);
    while ((ret = rd(c, r)) == 1)
        if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT) break;
    if (failed(c)) return c->status;
    if (ret != 1) { fail(c, DSJ_E_XML, c->xml_line, "invalid XML: no root element"); return c->status; }
    root = xmlTextReaderCurrentNode(r);
    if (!root) { fail(c, DSJ_E_XML, c->xml_line, "invalid XML: no root element"); return c->status; }
    c->odm_uri = nsuri(root->ns);
    choose_schema(c, root);
    if (failed(c)) return c->status;
    {
        const char *expect = c->table ? c->table->odm_uri : !strcmp(c->schema, "odm-2.0") ? ODM_NS_ODM20 : ODM_NS_ODM13;
        if (!c->odm_uri || strcmp(c->odm_uri, expect)) {
            odm_warn(c->o, "ODM-JSON-NAMESPACE", c->file, (uint64_t)xmlGetLineNo(root), NULL,
                     "root namespace %s is not the namespace of schema %s (%s); kept in \"_xmlns\"",
                     c->odm_uri ? c->odm_uri : "(none)", c->schema, expect);
            xmlns_differs = 1;
        }
        if (strcmp((const char *)root->name, "ODM"))
            odm_warn(c->o, "ODM-JSON-ROOT", c->file, (uint64_t)xmlGetLineNo(root), NULL,
                     "root element is %s, not ODM; kept in \"_root\"", root->name);
    }
    {   /* keep every non-CDISC namespace declared on the root */
        xmlNsPtr ns;
        for (ns = root->nsDef; ns; ns = ns->next)
            if (ns->prefix && !odm_known_prefix(nsuri(ns)) && (!c->odm_uri || strcmp(nsuri(ns), c->odm_uri)))
                ns_prefix(c, nsuri(ns), nspfx(ns));
    }
    if (level) dsj_buf_puts(&c->out, "{"), out_nl(c, 1), dsj_buf_puts(&c->out, c->o->pretty ? "\"ODM\": " : "\"ODM\":");
    dsj_buf_putc(&c->out, '{');
    sobj_init(&s, odm_table_elem(c->table, c->odm_uri, (const char *)root->name), level + 1);
    attrs = json_object_new_object();
    convert_attrs(c, root, s.e, attrs, NULL);
    take_unknown(attrs, s.unknown);
    json_object_object_add(attrs, "_schema", json_object_new_string(c->schema));
    if (strcmp((const char *)root->name, "ODM"))
        json_object_object_add(attrs, "_root", json_object_new_string((const char *)root->name));
    if (xmlns_differs)
        json_object_object_add(attrs, "_xmlns", json_object_new_string(c->odm_uri ? c->odm_uri : ""));
    out_members(c, attrs, &s.first, level + 1);
    json_object_put(attrs);
    depth = xmlTextReaderDepth(r);
    empty = xmlTextReaderIsEmptyElement(r);
    ret = empty ? 0 : rd(c, r);
    while (!failed(c) && ret == 1 && xmlTextReaderDepth(r) > depth) {
        int t = xmlTextReaderNodeType(r);
        if (t == XML_READER_TYPE_ELEMENT) {
            xmlNodePtr k = xmlTextReaderCurrentNode(r);
            if (k && is_stream_container(c, k)) {
                /* open the group by hand, then stream the container's children */
                const odm_child_t *ch = odm_elem_child(s.e, nsuri(k->ns), (const char *)k->name);
                int repeat = ch ? ch->repeat : 1, seq = ch ? ch->seq : 1000000;
                const char *key = ch ? ch->key : (const char *)k->name;
                json_object *tmp;
                if (!ch && s.e && !s.e->any) arr_add_unique(s.unknown, key);
                if (s.cur && !strcmp(s.cur, key) && s.cur_array) {
                    json_object *run = json_object_array_get_idx(s.runs, json_object_array_length(s.runs) - 1);
                    json_object_array_put_idx(run, 1, json_object_new_int64(json_object_get_int64(json_object_array_get_idx(run, 1)) + 1));
                    dsj_buf_putc(&c->out, ',');
                } else if (json_object_object_get_ex(s.seen, key, &tmp)) {
                    fail(c, DSJ_E_UNSUPPORTED, (uint64_t)xmlGetLineNo(k),
                         "elements %s are interleaved with other elements inside ODM, or repeat where the schema allows one",
                         k->name);
                    break;
                } else {
                    json_object *run = json_object_new_array();
                    sobj_close_group(c, &s);
                    if (seq < s.last_seq) s.in_order = 0;
                    s.last_seq = seq;
                    json_object_object_add(s.seen, key, json_object_new_boolean(1));
                    json_object_array_add(run, json_object_new_string(key));
                    json_object_array_add(run, json_object_new_int64(1));
                    json_object_array_add(s.runs, run);
                    out_key(c, key, &s.first, s.level);
                    s.cur = dsj_strdup(key);
                    s.cur_array = repeat;
                    if (repeat) dsj_buf_putc(&c->out, '[');
                }
                if (s.cur_array) out_nl(c, s.level + 1);
                stream_container(c, r, k, s.cur_array ? s.level + 1 : s.level);
                out_flush(c, 0);
                ret = failed(c) ? -1 : rd(c, r);
                continue;
            }
            k = xmlTextReaderExpand(r);
            if (!k) { fail(c, DSJ_E_XML, c->xml_line, "invalid XML: %s", c->xml_failed ? c->xml_msg : "cannot expand element"); break; }
            sobj_child(c, &s, k, (const char *)root->name);
            ret = rd_next(c, r);
            continue;
        }
        if ((t == XML_READER_TYPE_TEXT || t == XML_READER_TYPE_CDATA) && !only_space(xmlTextReaderConstValue(r)))
            fail(c, DSJ_E_UNSUPPORTED, (uint64_t)xmlTextReaderGetParserLineNumber(r), "text directly inside ODM is not supported");
        ret = rd(c, r);
    }
    /* the rest of the document (comments, PIs) must still be well-formed */
    while (!failed(c) && ret == 1) ret = rd(c, r);
    if (failed(c)) {
        json_object_put(s.seen); json_object_put(s.runs); json_object_put(s.unknown); dsj_free(s.cur);
        return c->status;
    }
    sobj_finish(c, &s);
    if (json_object_object_length(c->ns)) {
        int f = 0;
        out_key(c, "_ns", &f, level + 1);
        odm_json_emit(&c->out, c->ns, c->o->pretty, level + 1);
    }
    out_nl(c, level);
    dsj_buf_putc(&c->out, '}');
    if (level) out_nl(c, 0), dsj_buf_putc(&c->out, '}');
    dsj_buf_putc(&c->out, '\n');
    out_flush(c, 1);
    return c->status;
}

static dsj_status_t convert_reader(xmlTextReaderPtr r, const char *name, dsj_sink_t *sink,
                                   const dsj_odm_options_t *opts, dsj_error_t *err)
{
    x2j_t c;
    dsj_status_t st;
    memset(&c, 0, sizeof c);
    dsj_odm_options_init(&c.defaults);
    c.o = opts ? opts : &c.defaults;
    c.file = name;
    c.err = err;
    c.sink = sink;
    c.ns = json_object_new_object();
    c.types = json_object_new_object();
    dsj_buf_init(&c.out);
    if (!r) {
        st = dsj_error_set(err, DSJ_E_IO, name, 0, 0, 0, "cannot open the XML input");
    } else {
        st = run(&c, r);
        xmlFreeTextReader(r);
    }
    dsj_buf_free(&c.out);
    json_object_put(c.ns);
    json_object_put(c.types);
    odm_table_free(c.own_table);
    return st;
}

#define READER_OPTS (XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES)

dsj_status_t dsj_odm_xml_file_to_sink(const char *in_path, dsj_sink_t *sink, const dsj_odm_options_t *opts,
                                      dsj_error_t *err)
{
    FILE *probe;
    if (!in_path || !sink) return dsj_error_set(err, DSJ_E_ARG, in_path, 0, 0, 0, "NULL argument");
    probe = fopen(in_path, "rb");
    if (!probe) return dsj_error_set(err, DSJ_E_IO, in_path, 0, 0, 0, "cannot open: %s", strerror(errno));
    fclose(probe);
    dsj_xml_init();
    return convert_reader(xmlReaderForFile(in_path, NULL, READER_OPTS), in_path, sink, opts, err);
}

dsj_status_t dsj_odm_xml_file_to_json_file(const char *in_path, const char *out_path,
                                           const dsj_odm_options_t *opts, dsj_error_t *err)
{
    dsj_sink_t *sink = dsj_sink_new_path(out_path, err);
    dsj_status_t st;
    if (!sink) return err ? err->code : DSJ_E_IO;
    st = dsj_odm_xml_file_to_sink(in_path, sink, opts, err);
    if (st == DSJ_OK) st = dsj_sink_commit(sink, err);
    dsj_sink_free(sink);
    return st;
}

char *dsj_odm_xml_to_json(const char *xml, size_t len, const char *name, const dsj_odm_options_t *opts,
                          size_t *out_len, dsj_error_t *err)
{
    dsj_sink_t *sink;
    char *out = NULL;
    if (!xml || len > (size_t)INT32_MAX) {
        dsj_error_set(err, DSJ_E_ARG, name, 0, 0, 0, xml ? "XML larger than 2 GiB: use the file functions" : "NULL XML");
        return NULL;
    }
    sink = dsj_sink_new_memory(err);
    if (!sink) return NULL;
    dsj_xml_init();
    if (convert_reader(xmlReaderForMemory(xml, (int)len, name, NULL, READER_OPTS), name, sink, opts, err) == DSJ_OK &&
        dsj_sink_commit(sink, err) == DSJ_OK)
        out = dsj_sink_memory_steal(sink, out_len);
    dsj_sink_free(sink);
    return out;
}

json_object *dsj_odm_xml_to_tree(const char *xml, size_t len, const char *name, const dsj_odm_options_t *opts,
                                 dsj_error_t *err)
{
    size_t n = 0;
    char *s = dsj_odm_xml_to_json(xml, len, name, opts, &n, err);
    json_object *t = NULL;
    json_tokener *tok;
    if (!s) return NULL;
    tok = json_tokener_new_ex(600);   /* 256 elements deep = up to 512 JSON levels */
    if (tok) {
        t = json_tokener_parse_ex(tok, s, (int)n);
        json_tokener_free(tok);
    }
    free(s);
    if (!t) dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "cannot build the JSON tree");
    return t;
}
