/*
 * ODM JSON -> ODM XML (docs/odm-json.md).  The JSON document is loaded with
 * json-c (up to DSJ_ODM_JSON_MAX_BYTES), an XML tree is built with the
 * schema table deciding names, namespaces, child order and value types, and
 * the tree is serialized.  Errors carry the JSON pointer of the offending key.
 */
#include "odm_internal.h"
#include "xml_init_internal.h"
#include "json_dupkey_internal.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <stdio.h>

#define XHTML_TYPE "application/xhtml+xml"

typedef struct j2x {
    const dsj_odm_options_t *o;
    dsj_odm_options_t defaults;
    const odm_table_t *table;
    odm_table_t *own_table;
    char schema[64];
    const char *odm_uri;
    const char *file;
    json_object *ns;       /* _ns [borrowed] */
    json_object *types;    /* ItemOID -> DataType */
    xmlDocPtr doc;
    xmlNodePtr root;
    dsj_buf_t ptr;         /* JSON pointer of the current value */
    dsj_error_t *err;
    dsj_status_t status;
    int consume;           /* the tree is ours: release items once written */
} j2x_t;

static int failed(j2x_t *c) { return c->status != DSJ_OK; }

static void fail(j2x_t *c, dsj_status_t code, const char *fmt, ...) DSJ_PRINTF(3, 4);
static void fail(j2x_t *c, dsj_status_t code, const char *fmt, ...)
{
    char text[480];
    va_list ap;
    if (failed(c)) return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    c->status = dsj_error_set(c->err, code, c->file, 0, 0, 0, "%s", text);
    dsj_error_set_pointer(c->err, c->ptr.len ? c->ptr.data : "");
}

static size_t ptr_push(j2x_t *c, const char *tok)
{
    size_t old = c->ptr.len;
    dsj_buf_pointer_token(&c->ptr, tok);
    return old;
}

static size_t ptr_push_idx(j2x_t *c, size_t i)
{
    size_t old = c->ptr.len;
    dsj_buf_printf(&c->ptr, "/%zu", i);
    return old;
}

static void ptr_pop(j2x_t *c, size_t old)
{
    c->ptr.len = old;
    if (c->ptr.data) c->ptr.data[old] = '\0';
}

/* ------------------------------------------------------------------ namespaces */

/* xmlNs for uri declared on the root (created on first use). */
static xmlNsPtr get_ns(j2x_t *c, const char *uri, const char *prefix)
{
    xmlNsPtr ns;
    char gen[32];
    unsigned i = 0;
    if (!uri) return NULL;
    if (c->odm_uri && !strcmp(uri, c->odm_uri)) {
        for (ns = c->root->nsDef; ns; ns = ns->next)
            if (!ns->prefix && !strcmp((const char *)ns->href, uri)) return ns;
    }
    if (!strcmp(uri, ODM_NS_XML)) return xmlSearchNs(c->doc, c->root, (const xmlChar *)"xml");
    for (ns = c->root->nsDef; ns; ns = ns->next)
        if (!strcmp((const char *)ns->href, uri)) {
            if (ns->prefix) return ns;
        }
    if (!prefix) prefix = odm_known_prefix(uri);
    if (!prefix) prefix = odm_table_prefix(c->table, uri);
    if (!prefix) prefix = "ns";
    snprintf(gen, sizeof gen, "%s", prefix);
    while (xmlSearchNs(c->doc, c->root, (const xmlChar *)gen)) snprintf(gen, sizeof gen, "%s%u", prefix, ++i);
    return xmlNewNs(c->root, (const xmlChar *)uri, (const xmlChar *)gen);
}

/* Resolve "p:Local" keys: returns the uri (NULL when p is unknown) and sets *local. */
static const char *resolve_prefixed(j2x_t *c, const char *key, const char **local, char *pbuf, size_t pn)
{
    const char *colon = strchr(key, ':');
    json_object *v;
    const char *uri;
    if (!colon || (size_t)(colon - key) >= pn) return NULL;
    memcpy(pbuf, key, (size_t)(colon - key));
    pbuf[colon - key] = '\0';
    *local = colon + 1;
    if (c->ns && json_object_object_get_ex(c->ns, pbuf, &v) && json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    uri = odm_known_uri(pbuf, c->schema);
    if (uri) return uri;
    if (c->table && c->table->namespaces && json_object_object_get_ex(c->table->namespaces, pbuf, &v))
        return json_object_get_string(v);
    return NULL;
}

/* ------------------------------------------------------------------ bulk */

static int is_bulk(json_object *v)
{
    json_object *u;
    return json_object_is_type(v, json_type_object) && json_object_object_length(v) == 1 &&
           json_object_object_get_ex(v, "BulkDataURI", &u) && json_object_is_type(u, json_type_string);
}

/* Fetch the value of a BulkDataURI. [owned] */
static char *bulk_fetch(j2x_t *c, json_object *v, const char *item_oid, const char *dtype, size_t *len)
{
    json_object *u;
    dsj_error_t e;
    char *data = NULL;
    size_t old;
    json_object_object_get_ex(v, "BulkDataURI", &u);
    dsj_error_clear(&e);
    old = ptr_push(c, "BulkDataURI");
    if (c->o->bulk_read_item)
        data = c->o->bulk_read_item(c->o->bulk_ctx, json_object_get_string(u), item_oid ? item_oid : "",
                                    dtype ? dtype : "", len, &e);
    else if (c->o->bulk_read)
        data = c->o->bulk_read(c->o->bulk_ctx, json_object_get_string(u), len, &e);
    else {
        fail(c, DSJ_E_ARG, "BulkDataURI \"%s\" but no bulk read handler is set", json_object_get_string(u));
        ptr_pop(c, old);
        return NULL;
    }
    if (!data)
        fail(c, e.code ? e.code : DSJ_E_IO, "bulk data \"%s\" cannot be read: %s", json_object_get_string(u),
             e.text[0] ? e.text : "read handler failed");
    ptr_pop(c, old);
    return data;
}

/* ------------------------------------------------------------------ elements */

static int is_reserved(const char *k)
{
    return !strcmp(k, "_content") || !strcmp(k, "_order") || !strcmp(k, "_unknown") || !strcmp(k, "_markup");
}

static int is_root_reserved(const char *k)
{
    return !strcmp(k, "_schema") || !strcmp(k, "_ns") || !strcmp(k, "_root") || !strcmp(k, "_xmlns");
}

static int in_list(json_object *arr, const char *k)
{
    size_t i;
    if (!arr) return 0;
    for (i = 0; i < json_object_array_length(arr); i++) {
        json_object *s = json_object_array_get_idx(arr, i);
        if (json_object_is_type(s, json_type_string) && !strcmp(json_object_get_string(s), k)) return 1;
    }
    return 0;
}

static void build_elem(j2x_t *c, xmlNodePtr node, const odm_elem_t *e, json_object *obj, const char *item_oid,
                       int is_root, int depth);

/* Text of a scalar attribute value, or NULL after failing. [borrowed from v] */
static const char *attr_text(j2x_t *c, json_object *v, const odm_attr_t *at, const char *key, char *buf, size_t bn)
{
    switch (json_object_get_type(v)) {
    case json_type_string: return json_object_get_string(v);
    case json_type_int:
        if (at && at->type == ODM_T_STRING) {
            fail(c, DSJ_E_TYPE, "a number for the string attribute %s (write it as a JSON string)", key);
            return NULL;
        }
        snprintf(buf, bn, "%lld", (long long)json_object_get_int64(v));
        return buf;
    case json_type_double:
        if (!at || at->type == ODM_T_STRING || at->type == ODM_T_INTEGER || at->type == ODM_T_BOOLEAN) {
            fail(c, DSJ_E_TYPE, "a %s number for the %s attribute %s", at && at->type == ODM_T_INTEGER ? "non-integer" : "",
                 at && at->type == ODM_T_INTEGER ? "integer" : "string", key);
            return NULL;
        }
        return json_object_to_json_string(v);
    default:
        fail(c, DSJ_E_TYPE, "attribute %s must be a string%s, not %s", key,
             at && at->type == ODM_T_INTEGER ? " or an integer" : "", json_type_to_name(json_object_get_type(v)));
        return NULL;
    }
}

static void set_attrs(j2x_t *c, xmlNodePtr node, const odm_elem_t *e, json_object *obj, json_object *unknown,
                      const char *item_oid, int is_root)
{
    json_object_object_foreach(obj, key, v) {
        const odm_attr_t *at;
        const char *uri = NULL, *local = key, *text;
        char pbuf[64], nbuf[32];
        char *bulk = NULL;
        size_t old, blen = 0;
        json_type t = json_object_get_type(v);
        if (failed(c)) return;
        if (is_reserved(key) || (is_root && is_root_reserved(key))) continue;
        at = odm_elem_attr_key(e, key[0] == '@' ? key + 1 : key);
        if (t == json_type_array || (t == json_type_object && !(at && is_bulk(v)))) continue; /* a child */
        old = ptr_push(c, key);
        if (key[0] == '@' && !at) {
            fail(c, DSJ_E_FORMAT, "unknown key \"%s\": \"@Name\" names an attribute of the schema", key);
            ptr_pop(c, old);
            return;
        }
        if (at) {
            uri = at->uri;
            local = at->local;
        } else if (strchr(key, ':')) {
            uri = resolve_prefixed(c, key, &local, pbuf, sizeof pbuf);
            if (!uri) { fail(c, DSJ_E_FORMAT, "unknown namespace prefix in key \"%s\" (declare it in the root \"_ns\")", key); ptr_pop(c, old); return; }
        } else if (e && !in_list(unknown, key)) {
            fail(c, DSJ_E_FORMAT, "unknown key \"%s\": %s has no such attribute in schema %s", key,
                 strchr(e->name, '}') ? strchr(e->name, '}') + 1 : e->name, c->schema);
            ptr_pop(c, old);
            return;
        }
        if (is_bulk(v)) {
            text = bulk = bulk_fetch(c, v, item_oid, NULL, &blen);
            if (!bulk) { ptr_pop(c, old); return; }
            {
                char *z = dsj_strndup(bulk, blen);
                free(bulk);
                text = bulk = z;
            }
        } else {
            text = attr_text(c, v, at, key, nbuf, sizeof nbuf);
        }
        if (text) {
            xmlNsPtr ns = uri ? get_ns(c, uri, NULL) : NULL;
            if (ns) xmlNewNsProp(node, ns, (const xmlChar *)local, (const xmlChar *)text);
            else xmlNewProp(node, (const xmlChar *)local, (const xmlChar *)text);
        }
        dsj_free(bulk);
        ptr_pop(c, old);
    }
}

/* Element name of child key in e: uri/local; 0 when the key is not allowed. */
static int child_name(j2x_t *c, const odm_elem_t *e, const char *key, json_object *unknown,
                      const char **uri, const char **local, const odm_child_t **ch, char *pbuf, size_t pn)
{
    *ch = odm_elem_child_key(e, key);
    if (*ch) { *uri = (*ch)->uri; *local = (*ch)->local; return 1; }
    if (strchr(key, ':')) {
        *uri = resolve_prefixed(c, key, local, pbuf, pn);
        if (!*uri) { fail(c, DSJ_E_FORMAT, "unknown namespace prefix in key \"%s\" (declare it in the root \"_ns\")", key); return 0; }
        return 1;
    }
    if (e && !e->any && !in_list(unknown, key)) {
        fail(c, DSJ_E_FORMAT, "unknown key \"%s\": %s has no such child element in schema %s", key,
             strchr(e->name, '}') ? strchr(e->name, '}') + 1 : e->name, c->schema);
        return 0;
    }
    *uri = c->odm_uri;
    *local = key;
    return 1;
}

/* Append one child element for obj (an item of key). */
static void add_child(j2x_t *c, xmlNodePtr node, const char *uri, const char *local, json_object *obj,
                      const char *item_oid, int depth)
{
    xmlNodePtr k;
    if (!json_object_is_type(obj, json_type_object)) {
        fail(c, DSJ_E_TYPE, "element %s must be a JSON object, not %s", local, json_type_to_name(json_object_get_type(obj)));
        return;
    }
    k = xmlNewChild(node, get_ns(c, uri, NULL), (const xmlChar *)local, NULL);
    if (!k) { fail(c, DSJ_E_NOMEM, "out of memory"); return; }
    build_elem(c, k, odm_table_elem(c->table, uri, local), obj, item_oid, 0, depth + 1);
}

typedef struct kid {
    const char *key;
    const char *uri, *local;
    json_object *val;
    int seq;
    size_t next;     /* next item for _order */
    size_t pos;      /* object order, for stable sort */
} kid_t;

static int kid_cmp(const void *a, const void *b)
{
    const kid_t *x = a, *y = b;
    if (x->seq != y->seq) return (x->seq > y->seq) - (x->seq < y->seq);
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static void emit_item(j2x_t *c, xmlNodePtr node, kid_t *k, size_t i, const char *item_oid, int depth)
{
    size_t o1 = ptr_push(c, k->key), o2 = 0;
    json_object *v = k->val;
    if (json_object_is_type(v, json_type_array)) {
        o2 = ptr_push_idx(c, i);
        v = json_object_array_get_idx(v, i);
    }
    add_child(c, node, k->uri, k->local, v, item_oid, depth);
    if (c->consume && o2 && !failed(c)) json_object_array_put_idx(k->val, i, NULL);
    if (o2) ptr_pop(c, o2);
    ptr_pop(c, o1);
}

static void add_children(j2x_t *c, xmlNodePtr node, const odm_elem_t *e, json_object *obj, json_object *unknown,
                         const char *item_oid, int is_root, int depth)
{
    kid_t *kids;
    size_t n = 0, i, j;
    json_object *order = NULL;
    kids = dsj_calloc((size_t)json_object_object_length(obj) + 1, sizeof *kids);
    if (!kids) { fail(c, DSJ_E_NOMEM, "out of memory"); return; }
    {
        json_object_object_foreach(obj, key, v) {
            json_type t = json_object_get_type(v);
            const odm_child_t *ch;
            char pbuf[64];
            size_t old;
            if (failed(c)) break;
            if (is_reserved(key) || (is_root && is_root_reserved(key))) continue;
            if (t != json_type_array && t != json_type_object) continue;
            if (t == json_type_object && odm_elem_attr_key(e, key[0] == '@' ? key + 1 : key) && is_bulk(v)) continue;
            old = ptr_push(c, key);
            if (child_name(c, e, key, unknown, &kids[n].uri, &kids[n].local, &ch, pbuf, sizeof pbuf)) {
                if (ch && ch->repeat && t != json_type_array)
                    fail(c, DSJ_E_TYPE, "%s may repeat, so it must be an array (even for one element)", key);
                else if (ch && !ch->repeat && t == json_type_array && !in_list(unknown, key))
                    fail(c, DSJ_E_TYPE, "an array where the schema allows a single %s (write an object)", key);
                if (kids[n].uri && strchr(key, ':') && !ch) {
                    /* keep the local name pointer valid: it points into key */
                }
                kids[n].key = key;
                kids[n].val = v;
                kids[n].seq = ch ? ch->seq : 1000000;
                kids[n].pos = n;
                n++;
            }
            ptr_pop(c, old);
        }
    }
    if (failed(c)) { dsj_free(kids); return; }
    qsort(kids, n, sizeof *kids, kid_cmp);
    if (json_object_object_get_ex(obj, "_order", &order)) {
        size_t old = ptr_push(c, "_order");
        if (!json_object_is_type(order, json_type_array)) fail(c, DSJ_E_TYPE, "_order must be an array of keys");
        for (i = 0; !failed(c) && i < json_object_array_length(order); i++) {
            json_object *s = json_object_array_get_idx(order, i);
            const char *k = json_object_get_string(s);
            size_t o2 = ptr_push_idx(c, i);
            for (j = 0; j < n && (!json_object_is_type(s, json_type_string) || strcmp(kids[j].key, k)); j++) {}
            if (j == n) fail(c, DSJ_E_FORMAT, "_order names \"%s\", which is not a child element key of this object", k ? k : "?");
            else {
                size_t count = json_object_is_type(kids[j].val, json_type_array) ? json_object_array_length(kids[j].val) : 1;
                if (kids[j].next >= count) fail(c, DSJ_E_FORMAT, "_order names \"%s\" more often than it has elements (%zu)", k, count);
                else {
                    ptr_pop(c, o2);
                    ptr_pop(c, old);
                    emit_item(c, node, &kids[j], kids[j].next++, item_oid, depth);
                    old = ptr_push(c, "_order");
                    o2 = ptr_push_idx(c, i);
                }
            }
            ptr_pop(c, o2);
        }
        ptr_pop(c, old);
    }
    for (j = 0; j < n && !failed(c); j++) {
        size_t count = json_object_is_type(kids[j].val, json_type_array) ? json_object_array_length(kids[j].val) : 1;
        for (i = kids[j].next; i < count && !failed(c); i++) emit_item(c, node, &kids[j], i, item_oid, depth);
    }
    dsj_free(kids);
}

static void set_content(j2x_t *c, xmlNodePtr node, const odm_elem_t *e, json_object *obj, const char *item_oid)
{
    json_object *v, *m;
    size_t old;
    int markup;
    const char *name = (const char *)node->name;
    if (!json_object_object_get_ex(obj, "_content", &v)) return;
    old = ptr_push(c, "_content");
    markup = json_object_object_get_ex(obj, "_markup", &m) && json_object_get_boolean(m);
    if (!markup && e && e->mixed) {
        xmlChar *type = xmlGetProp(node, (const xmlChar *)"Type");
        markup = type && !strcmp((const char *)type, XHTML_TYPE);
        xmlFree(type);
    }
    if (is_bulk(v)) {
        const char *dt = NULL;
        size_t n = 0;
        char *data;
        if (!strcmp(name, "ItemDataBase64Binary")) dt = "base64Binary";
        else if (!strcmp(name, "ItemDataHexBinary")) dt = "hexBinary";
        else if (!strcmp(name, "ItemDataBase64Float")) dt = "base64Float";
        else if (!strcmp(name, "ItemDataHexFloat")) dt = "hexFloat";
        else if (item_oid) {
            json_object *t;
            if (json_object_object_get_ex(c->types, item_oid, &t)) dt = json_object_get_string(t);
        }
        data = bulk_fetch(c, v, item_oid, dt, &n);
        if (data) xmlNodeAddContentLen(node, (const xmlChar *)data, (int)n);
        free(data);
    } else if (!json_object_is_type(v, json_type_string)) {
        fail(c, DSJ_E_TYPE, "_content must be a string, not %s", json_type_to_name(json_object_get_type(v)));
    } else if (markup) {
        xmlNodePtr list = NULL, k, next;
        const char *s = json_object_get_string(v);
        int len = json_object_get_string_len(v);
        if (len == 0) { ptr_pop(c, old); return; }
        if (xmlParseInNodeContext(node, s, len, XML_PARSE_NONET, &list) != XML_ERR_OK) {
            fail(c, DSJ_E_XML, "_content of %s is not well-formed XML markup", name);
            xmlFreeNodeList(list);
        } else {
            for (k = list; k; k = next) {
                next = k->next;
                xmlUnlinkNode(k);
                xmlAddChild(node, k);
            }
        }
    } else {
        xmlNodeAddContentLen(node, (const xmlChar *)json_object_get_string(v), json_object_get_string_len(v));
    }
    ptr_pop(c, old);
}

static void build_elem(j2x_t *c, xmlNodePtr node, const odm_elem_t *e, json_object *obj, const char *item_oid,
                       int is_root, int depth)
{
    json_object *unknown = NULL, *v;
    const char *name = (const char *)node->name;
    if (depth > 256) { fail(c, DSJ_E_LIMIT, "JSON nested deeper than 256 elements"); return; }
    if (json_object_object_get_ex(obj, "_unknown", &unknown) && !json_object_is_type(unknown, json_type_array)) {
        size_t old = ptr_push(c, "_unknown");
        fail(c, DSJ_E_TYPE, "_unknown must be an array of keys");
        ptr_pop(c, old);
        return;
    }
    if (!strncmp(name, "ItemData", 8) && json_object_object_get_ex(obj, "ItemOID", &v) &&
        json_object_is_type(v, json_type_string))
        item_oid = json_object_get_string(v);
    if (!strcmp(name, "ItemDef")) {
        json_object *oid, *dt;
        if (json_object_object_get_ex(obj, "OID", &oid) && json_object_object_get_ex(obj, "DataType", &dt) &&
            json_object_is_type(oid, json_type_string) && json_object_is_type(dt, json_type_string))
            json_object_object_add(c->types, json_object_get_string(oid), json_object_get(dt));
    }
    set_attrs(c, node, e, obj, unknown, item_oid, is_root);
    if (failed(c)) return;
    set_content(c, node, e, obj, item_oid);
    if (failed(c)) return;
    add_children(c, node, e, obj, unknown, item_oid, is_root, depth);
}

/* ------------------------------------------------------------------ driver */

static void choose_schema(j2x_t *c, json_object *root)
{
    json_object *v, *st, *mdv;
    const char *s = NULL;
    size_t old = c->ptr.len;
    if (c->o->schema) s = c->o->schema;
    else if (json_object_object_get_ex(root, "_schema", &v)) {
        if (!json_object_is_type(v, json_type_string)) {
            ptr_push(c, "_schema");
            fail(c, DSJ_E_TYPE, "_schema must be a string");
            return;
        }
        s = json_object_get_string(v);
    } else if (json_object_object_get_ex(root, "ODMVersion", &v) && json_object_is_type(v, json_type_string) &&
               !strncmp(json_object_get_string(v), "2.", 2)) {
        s = "odm-2.0";
    } else if (json_object_object_get_ex(root, "DatasetXMLVersion", &v)) {
        s = "dataset-xml-1.0";
    } else {
        s = "odm-1.3.2";
        if (json_object_object_get_ex(root, "Study", &st)) {
            if (json_object_is_type(st, json_type_array)) st = json_object_array_get_idx(st, 0);
            if (st && json_object_object_get_ex(st, "MetaDataVersion", &mdv)) {
                if (json_object_is_type(mdv, json_type_array)) mdv = json_object_array_get_idx(mdv, 0);
                if (mdv && json_object_object_get_ex(mdv, "DefineVersion", &v) && json_object_is_type(v, json_type_string))
                    s = !strncmp(json_object_get_string(v), "2.0", 3) ? "define-2.0" : "define-2.1";
            }
        }
    }
    ptr_pop(c, old);
    snprintf(c->schema, sizeof c->schema, "%s", s);
    if (c->o->schema_json) {
        c->own_table = odm_table_parse(c->o->schema_json, "schema_json", c->err);
        if (!c->own_table) { c->status = c->err ? c->err->code : DSJ_E_FORMAT; return; }
        if (!strcmp(c->own_table->schema, c->schema)) c->table = c->own_table;
    }
    if (!c->table) c->table = odm_table_builtin(c->schema);
    if (!c->table)
        odm_warn(c->o, "ODM-JSON-NO-TABLE", c->file, 0, NULL,
                 "no schema table %s is built in: keys are taken by the fallback rules", c->schema);
    c->odm_uri = c->table ? c->table->odm_uri : !strcmp(c->schema, "odm-2.0") ? ODM_NS_ODM20 : ODM_NS_ODM13;
}

/* Output of a built document: to memory (out/out_len) or to a sink. */
typedef struct xml_out {
    char *mem;
    size_t len;
    dsj_sink_t *sink;
    dsj_error_t *err;
    int failed;
} xml_out_t;

static int sink_write_cb(void *ctx, const char *buf, int len)
{
    xml_out_t *o = ctx;
    if (o->failed) return -1;
    if (dsj_sink_write(o->sink, buf, (size_t)len, o->err) != DSJ_OK) { o->failed = 1; return -1; }
    return len;
}

static int sink_close_cb(void *ctx) { (void)ctx; return 0; }

static void write_doc(j2x_t *c, xml_out_t *xo)
{
    if (xo->sink) {
        xmlSaveCtxtPtr sc = xmlSaveToIO(sink_write_cb, sink_close_cb, xo, "UTF-8", c->o->pretty ? XML_SAVE_FORMAT : 0);
        if (!sc) { fail(c, DSJ_E_NOMEM, "cannot serialize the XML"); return; }
        xmlSaveDoc(sc, c->doc);
        if (xmlSaveClose(sc) < 0 && !xo->failed) fail(c, DSJ_E_IO, "cannot write the XML");
        if (xo->failed) c->status = c->err && c->err->code ? c->err->code : DSJ_E_IO;
    } else {
        xmlChar *mem = NULL;
        int size = 0;
        xmlDocDumpFormatMemoryEnc(c->doc, &mem, &size, "UTF-8", c->o->pretty ? 1 : 0);
        if (!mem) { fail(c, DSJ_E_NOMEM, "cannot serialize the XML"); return; }
        xo->mem = dsj_strndup((const char *)mem, (size_t)size);
        xo->len = (size_t)size;
        xmlFree(mem);
        if (!xo->mem) fail(c, DSJ_E_NOMEM, "out of memory");
    }
}

static dsj_status_t convert_tree(json_object *top, const char *name, const dsj_odm_options_t *opts, int consume,
                                 xml_out_t *xo, dsj_error_t *err)
{
    j2x_t c;
    json_object *root = top, *v;
    const char *rootname = "ODM";
    dsj_status_t st;
    memset(&c, 0, sizeof c);
    c.consume = consume;
    dsj_odm_options_init(&c.defaults);
    c.o = opts ? opts : &c.defaults;
    c.file = name;
    c.err = err;
    c.types = json_object_new_object();
    dsj_buf_init(&c.ptr);
    if (json_object_is_type(top, json_type_object) && json_object_object_length(top) == 1 &&
        json_object_object_get_ex(top, "ODM", &v) && json_object_is_type(v, json_type_object)) {
        root = v;
        ptr_push(&c, "ODM");
    }
    if (!json_object_is_type(root, json_type_object)) {
        fail(&c, DSJ_E_FORMAT, "the ODM JSON root must be an object (the ODM element)");
        goto done;
    }
    choose_schema(&c, root);
    if (failed(&c)) goto done;
    if (json_object_object_get_ex(root, "_ns", &v)) {
        size_t old = ptr_push(&c, "_ns");
        if (!json_object_is_type(v, json_type_object)) fail(&c, DSJ_E_TYPE, "_ns must be an object of prefix: URI");
        else {
            json_object_object_foreach(v, p, u) {
                if (!json_object_is_type(u, json_type_string)) { fail(&c, DSJ_E_TYPE, "_ns/%s must be a URI string", p); break; }
            }
        }
        ptr_pop(&c, old);
        c.ns = v;
    }
    if (failed(&c)) goto done;
    if (json_object_object_get_ex(root, "_xmlns", &v)) {
        if (!json_object_is_type(v, json_type_string)) {
            size_t old = ptr_push(&c, "_xmlns");
            fail(&c, DSJ_E_TYPE, "_xmlns must be a namespace URI string");
            ptr_pop(&c, old);
            goto done;
        }
        c.odm_uri = json_object_get_string(v)[0] ? json_object_get_string(v) : NULL;
    }
    if (json_object_object_get_ex(root, "_root", &v)) {
        if (!json_object_is_type(v, json_type_string) || xmlValidateNCName((const xmlChar *)json_object_get_string(v), 0) != 0) {
            size_t old = ptr_push(&c, "_root");
            fail(&c, DSJ_E_TYPE, "_root must be an element name");
            ptr_pop(&c, old);
            goto done;
        }
        rootname = json_object_get_string(v);
    }
    dsj_xml_init();
    c.doc = xmlNewDoc((const xmlChar *)"1.0");
    c.root = xmlNewDocNode(c.doc, NULL, (const xmlChar *)rootname, NULL);
    if (!c.doc || !c.root) { fail(&c, DSJ_E_NOMEM, "out of memory"); goto done; }
    xmlDocSetRootElement(c.doc, c.root);
    if (c.odm_uri) xmlSetNs(c.root, xmlNewNs(c.root, (const xmlChar *)c.odm_uri, NULL));
    if (c.ns) {   /* declare _ns prefixes on the root, in order */
        json_object_object_foreach(c.ns, p, u) {
            if (!xmlSearchNs(c.doc, c.root, (const xmlChar *)p))
                xmlNewNs(c.root, (const xmlChar *)json_object_get_string(u), (const xmlChar *)p);
        }
    }
    build_elem(&c, c.root, c.odm_uri ? odm_table_elem(c.table, c.odm_uri, rootname) : NULL, root, NULL, 1, 0);
    if (!failed(&c)) write_doc(&c, xo);
done:
    if (c.doc) xmlFreeDoc(c.doc);
    dsj_buf_free(&c.ptr);
    json_object_put(c.types);
    odm_table_free(c.own_table);
    st = c.status;
    return st;
}

char *dsj_odm_tree_to_xml(json_object *root, const char *name, const dsj_odm_options_t *opts, size_t *out_len,
                          dsj_error_t *err)
{
    xml_out_t xo;
    memset(&xo, 0, sizeof xo);
    if (!root) { dsj_error_set(err, DSJ_E_ARG, name, 0, 0, 0, "NULL JSON tree"); return NULL; }
    if (convert_tree(root, name, opts, 0, &xo, err) != DSJ_OK) { dsj_free(xo.mem); return NULL; }
    if (out_len) *out_len = xo.len;
    return xo.mem;
}

/* Parse a JSON text strictly; NULL with err (line, column, offset). [owned] */
static json_object *parse_json(const char *json, size_t len, const char *name, dsj_error_t *err)
{
    json_tokener *tok;
    json_object *root;
    if (!json) { dsj_error_set(err, DSJ_E_ARG, name, 0, 0, 0, "NULL JSON"); return NULL; }
    if (len > DSJ_ODM_JSON_MAX_BYTES || len > (size_t)INT32_MAX) {
        dsj_error_set(err, DSJ_E_LIMIT, name, 0, 0, 0, "ODM JSON larger than %zu bytes is not supported",
                      (size_t)DSJ_ODM_JSON_MAX_BYTES);
        return NULL;
    }
    {   /* json-c passes bad UTF-8 through, which would make the XML output unreadable */
        size_t bad = dsj_utf8_check(json, len), i;
        if (bad < len) {
            uint64_t line = 1, col = 1;
            for (i = 0; i < bad; i++) {
                if (json[i] == '\n') line++, col = 1;
                else col++;
            }
            dsj_error_set(err, DSJ_E_ENCODING, name, line, col, bad, "invalid JSON: bad UTF-8 at byte %zu", bad);
            return NULL;
        }
    }
    tok = json_tokener_new_ex(600);   /* 256 XML levels need up to 512 JSON levels */
    if (!tok) { dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory"); return NULL; }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    root = json_tokener_parse_ex(tok, json, (int)len);
    if (!root && json_tokener_get_error(tok) == json_tokener_continue) {
        root = json_tokener_parse_ex(tok, "", 1);   /* end of input: finishes a bare literal */
        tok->char_offset = (int)len;                /* everything was read; an error is at the end */
    }
    if (!root && json_tokener_get_error(tok) == json_tokener_success) {
        json_tokener_free(tok);
        dsj_error_set(err, DSJ_E_FORMAT, name, 1, 1, 0, "the ODM JSON root must be an object (the ODM element), not null");
        return NULL;
    }
    if (!root || json_tokener_get_error(tok) != json_tokener_success || tok->char_offset < (int)len) {
        size_t off = (size_t)tok->char_offset, i;
        uint64_t line = 1, col = 1;
        enum json_tokener_error je = json_tokener_get_error(tok);
        int trailing = root && je == json_tokener_success;
        if (!root && je == json_tokener_continue) je = json_tokener_error_parse_eof;
        if (trailing) {   /* only whitespace may follow */
            for (i = off; i < len && (json[i] == ' ' || json[i] == '\n' || json[i] == '\r' || json[i] == '\t'); i++) {}
            if (i == len) goto parsed;
            off = i;
        }
        for (i = 0; i < off && i < len; i++) {
            if (json[i] == '\n') line++, col = 1;
            else col++;
        }
        dsj_error_set(err, DSJ_E_SYNTAX, name, line, col, off, "invalid JSON: %s",
                      trailing ? "extra data after the document" : json_tokener_error_desc(je));
        if (root) json_object_put(root);
        json_tokener_free(tok);
        return NULL;
    }
parsed:
    json_tokener_free(tok);
    {   /* json-c keeps the last value of a repeated key: report it instead */
        dsj_dupkey_t dk;
        int d = dsj_json_find_dupkey(json, len, &dk);
        if (d != 0) {
            if (d < 0) dsj_error_set(err, DSJ_E_NOMEM, name, 0, 0, 0, "out of memory");
            else
                dsj_error_set(err, DSJ_E_FORMAT, name, dk.line, dk.column, dk.offset,
                              "duplicate key \"%s\" in a JSON object (each key may appear once)", dk.key);
            json_object_put(root);
            return NULL;
        }
    }
    return root;
}

char *dsj_odm_json_to_xml(const char *json, size_t len, const char *name, const dsj_odm_options_t *opts,
                          size_t *out_len, dsj_error_t *err)
{
    json_object *root = parse_json(json, len, name, err);
    xml_out_t xo;
    if (!root) return NULL;
    memset(&xo, 0, sizeof xo);
    if (convert_tree(root, name, opts, 1, &xo, err) != DSJ_OK) { dsj_free(xo.mem); xo.mem = NULL; }
    json_object_put(root);
    if (xo.mem && out_len) *out_len = xo.len;
    return xo.mem;
}

dsj_status_t dsj_odm_json_file_to_xml_file(const char *in_path, const char *out_path,
                                           const dsj_odm_options_t *opts, dsj_error_t *err)
{
    FILE *f;
    char *buf;
    long n;
    json_object *root;
    xml_out_t xo;
    dsj_sink_t *sink;
    dsj_status_t st;
    if (!in_path || !out_path) return dsj_error_set(err, DSJ_E_ARG, in_path, 0, 0, 0, "NULL path");
    f = fopen(in_path, "rb");
    if (!f) return dsj_error_set(err, DSJ_E_IO, in_path, 0, 0, 0, "cannot open: %s", strerror(errno));
    if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fclose(f);
        return dsj_error_set(err, DSJ_E_IO, in_path, 0, 0, 0, "cannot read (not a regular file?)");
    }
    if ((size_t)n > DSJ_ODM_JSON_MAX_BYTES) {
        fclose(f);
        return dsj_error_set(err, DSJ_E_LIMIT, in_path, 0, 0, 0, "ODM JSON larger than %zu bytes is not supported",
                             (size_t)DSJ_ODM_JSON_MAX_BYTES);
    }
    buf = dsj_malloc((size_t)n + 1);
    if (!buf) { fclose(f); return dsj_error_set(err, DSJ_E_NOMEM, in_path, 0, 0, 0, "out of memory"); }
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        dsj_free(buf);
        return dsj_error_set(err, DSJ_E_IO, in_path, 0, 0, 0, "read failed");
    }
    fclose(f);
    buf[n] = '\0';
    root = parse_json(buf, (size_t)n, in_path, err);
    dsj_free(buf);
    if (!root) return err ? err->code : DSJ_E_SYNTAX;
    sink = dsj_sink_new_path(out_path, err);
    if (!sink) { json_object_put(root); return err ? err->code : DSJ_E_IO; }
    memset(&xo, 0, sizeof xo);
    xo.sink = sink;
    xo.err = err;
    st = convert_tree(root, in_path, opts, 1, &xo, err);
    json_object_put(root);
    if (st == DSJ_OK) st = dsj_sink_commit(sink, err);
    dsj_sink_free(sink);
    return st;
}
