/*
 * Define-XML 2.0/2.1 parse: libxml2 DOM (no network, no entity substitution,
 * no DTD loading) walked once into the arena model of define_internal.h.
 * Nothing is judged here beyond "is this a Define-XML 2.x at all": every
 * other problem is left for dsj_define_validate.
 */
#include "define_internal.h"
#include "xml_init_internal.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>

typedef struct pctx {
    dsj_define_t *def;
    dsj_arena_t *a;
    const char *defns;
    int nomem;
    size_t *line_start;  /* byte offset of each line's start (index 0 = line 1) */
    size_t n_lines;
} pctx_t;

/* ------------------------------------------------------------------ small helpers */

static int ns_is(const xmlNode *n, const char *uri)
{
    if (!uri) return n->ns == NULL;
    return n->ns && n->ns->href && strcmp((const char *)n->ns->href, uri) == 0;
}

static int is_el(const xmlNode *n, const char *uri, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0 && ns_is(n, uri);
}

/*
 * libxml2 records the line where a start tag ENDS; messages want the line
 * where it starts.  Look back from the end of that line for "<prefix:name"
 * (a start tag spans a handful of lines at most).
 */
static uint64_t line_of_p(const pctx_t *p, const xmlNode *n)
{
    long l = xmlGetLineNo(n);
    char q[256];
    size_t ql, end, lo, i;
    const char *x = p->def->xml;
    if (l <= 0) return 0;
    if (!p->line_start || (size_t)l > p->n_lines) return (uint64_t)l;
    if (n->ns && n->ns->prefix)
        snprintf(q, sizeof q, "<%s:%s", (const char *)n->ns->prefix, (const char *)n->name);
    else
        snprintf(q, sizeof q, "<%s", (const char *)n->name);
    ql = strlen(q);
    end = (size_t)l < p->n_lines ? p->line_start[l] : p->def->xml_len;
    lo = (size_t)l > 64 ? p->line_start[l - 64] : 0;
    for (i = end; i-- > lo;) {
        if (x[i] == '<' && i + ql <= p->def->xml_len && memcmp(x + i, q, ql) == 0) {
            char c = i + ql < p->def->xml_len ? x[i + ql] : '>';
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '>' || c == '/') {
                /* binary search the line of offset i */
                size_t a = 0, b = p->n_lines;
                while (b - a > 1) {
                    size_t m = (a + b) / 2;
                    if (p->line_start[m] <= i) a = m; else b = m;
                }
                return (uint64_t)a + 1;
            }
        }
    }
    return (uint64_t)l;
}
#define line_of(n) line_of_p(p, (n))

/* Attribute value by local name and namespace (NULL uri = no namespace); arena copy. */
static const char *attr(pctx_t *p, const xmlNode *n, const char *uri, const char *local)
{
    const xmlAttr *a;
    for (a = n->properties; a; a = a->next) {
        const xmlNode *t;
        dsj_buf_t b;
        char *s;
        if (strcmp((const char *)a->name, local) != 0) continue;
        if (uri ? !(a->ns && a->ns->href && strcmp((const char *)a->ns->href, uri) == 0) : a->ns != NULL) continue;
        dsj_buf_init(&b);
        for (t = a->children; t; t = t->next)
            if ((t->type == XML_TEXT_NODE) && t->content) dsj_buf_puts(&b, (const char *)t->content);
        s = dsj_arena_strdup(p->a, b.data ? b.data : "");
        dsj_buf_free(&b);
        if (!s) p->nomem = 1;
        return s;
    }
    return NULL;
}

static const char *dattr(pctx_t *p, const xmlNode *n, const char *local)
{
    return attr(p, n, p->defns, local);
}

/* Text content of an element: text and CDATA children only (entity references are never expanded). */
static const char *text_of(pctx_t *p, const xmlNode *n)
{
    const xmlNode *c;
    dsj_buf_t b;
    char *s;
    dsj_buf_init(&b);
    for (c = n->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            dsj_buf_puts(&b, (const char *)c->content);
    s = dsj_arena_strdup(p->a, b.data ? b.data : "");
    dsj_buf_free(&b);
    if (!s) p->nomem = 1;
    return s;
}

static size_t count_children(const xmlNode *n, const char *uri, const char *local)
{
    size_t k = 0;
    const xmlNode *c;
    for (c = n->children; c; c = c->next)
        if (is_el(c, uri, local)) k++;
    return k;
}

/* Note a child element that occurs more than max times under n (DEF-CARDINALITY). */
static void at_most(pctx_t *p, const xmlNode *n, const char *parent, const char *key, const char *uri, const char *local,
                    const char *shown, size_t max)
{
    dsj_define_t *def = p->def;
    size_t k = count_children(n, uri, local);
    if (k <= max) return;
    if (def->n_extra_children == def->cap_extra_children) {
        size_t cap = def->cap_extra_children ? def->cap_extra_children * 2 : 16;
        struct dsj_define_extra_child *g = dsj_arena_alloc(p->a, cap * sizeof *g);
        if (!g) {
            p->nomem = 1;
            return;
        }
        if (def->n_extra_children) memcpy(g, def->extra_children, def->n_extra_children * sizeof *g);
        def->extra_children = g;
        def->cap_extra_children = cap;
    }
    def->extra_children[def->n_extra_children].parent = parent;
    def->extra_children[def->n_extra_children].key = key;
    def->extra_children[def->n_extra_children].child = shown;
    def->extra_children[def->n_extra_children].count = k;
    def->extra_children[def->n_extra_children].max = max;
    def->extra_children[def->n_extra_children].line = line_of(n);
    def->n_extra_children++;
}

static const xmlNode *first_child(const xmlNode *n, const char *uri, const char *local)
{
    const xmlNode *c;
    for (c = n->children; c; c = c->next)
        if (is_el(c, uri, local)) return c;
    return NULL;
}

static void *arr(pctx_t *p, size_t n, size_t size)
{
    void *r;
    if (n == 0) return NULL;
    r = dsj_arena_alloc(p->a, n * size);
    if (!r) p->nomem = 1;
    return r;
}

/* Description/TranslatedText: the one without xml:lang or with "en", else the first. */
static const char *translated(pctx_t *p, const xmlNode *parent)
{
    const xmlNode *c, *first = NULL, *best = NULL;
    if (!parent) return NULL;
    for (c = parent->children; c; c = c->next) {
        xmlChar *lang;
        if (!is_el(c, DSJ_NS_ODM, "TranslatedText")) continue;
        if (!first) first = c;
        lang = xmlNodeGetLang(c);
        if (!lang || xmlStrcasecmp(lang, BAD_CAST "en") == 0 || xmlStrncasecmp(lang, BAD_CAST "en-", 3) == 0) {
            xmlFree(lang);
            best = c;
            break;
        }
        xmlFree(lang);
    }
    if (!best) best = first;
    return best ? text_of(p, best) : NULL;
}

static const char *description(pctx_t *p, const xmlNode *n)
{
    const xmlNode *d = first_child(n, DSJ_NS_ODM, "Description");
    return d ? translated(p, d) : NULL;
}

static void parse_aliases(pctx_t *p, const xmlNode *n, const dsj_define_alias_t **out, size_t *nout)
{
    size_t k = count_children(n, DSJ_NS_ODM, "Alias"), i = 0;
    dsj_define_alias_t *al = arr(p, k, sizeof *al);
    const xmlNode *c;
    if (!al) return;
    for (c = n->children; c; c = c->next)
        if (is_el(c, DSJ_NS_ODM, "Alias")) {
            al[i].context = attr(p, c, NULL, "Context");
            al[i].name = attr(p, c, NULL, "Name");
            i++;
        }
    *out = al;
    *nout = k;
}

static const char *nci_code(const dsj_define_alias_t *al, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (al[i].context && strcmp(al[i].context, "nci:ExtCodeID") == 0) return al[i].name;
    return NULL;
}

static void parse_docref(pctx_t *p, const xmlNode *c, dsj_define_docref_t *d)
{
    const xmlNode *pr = first_child(c, p->defns, "PDFPageRef");
    d->leaf_id = attr(p, c, NULL, "leafID");
    d->line = line_of(c);
    if (pr) {
        d->page_type = attr(p, pr, NULL, "Type");
        d->page_refs = attr(p, pr, NULL, "PageRefs");
        d->first_page = attr(p, pr, NULL, "FirstPage");
        d->last_page = attr(p, pr, NULL, "LastPage");
        d->title = attr(p, pr, NULL, "Title");
    }
}

static void parse_docrefs(pctx_t *p, const xmlNode *n, const dsj_define_docref_t **out, size_t *nout)
{
    size_t k = count_children(n, p->defns, "DocumentRef"), i = 0;
    dsj_define_docref_t *d = arr(p, k, sizeof *d);
    const xmlNode *c;
    if (!d) return;
    for (c = n->children; c; c = c->next)
        if (is_el(c, p->defns, "DocumentRef")) parse_docref(p, c, &d[i++]);
    *out = d;
    *nout = k;
}

static void int_attr(const char *text, int64_t *out)
{
    int64_t v;
    *out = dsj_define_parse_int(text, &v) ? v : 0;
}

/* ------------------------------------------------------------------ elements */

static void parse_itemref(pctx_t *p, const xmlNode *n, dsj_define_itemref_t *r)
{
    size_t k, i = 0;
    const xmlNode *c;
    r->item_oid = attr(p, n, NULL, "ItemOID");
    r->order_number_text = attr(p, n, NULL, "OrderNumber");
    int_attr(r->order_number_text, &r->order_number);
    r->mandatory_text = attr(p, n, NULL, "Mandatory");
    r->mandatory = r->mandatory_text && strcmp(r->mandatory_text, "Yes") == 0;
    r->key_sequence_text = attr(p, n, NULL, "KeySequence");
    int_attr(r->key_sequence_text, &r->key_sequence);
    r->method_oid = attr(p, n, NULL, "MethodOID");
    r->role = attr(p, n, NULL, "Role");
    r->role_codelist_oid = attr(p, n, NULL, "RoleCodeListOID");
    r->is_non_standard = dattr(p, n, "IsNonStandard");
    r->has_no_data = dattr(p, n, "HasNoData");
    r->line = line_of(n);
    k = count_children(n, p->defns, "WhereClauseRef");
    if (k) {
        const char **oids = arr(p, k, sizeof *oids);
        const dsj_define_whereclause_t **wc = arr(p, k, sizeof *wc);
        if (!oids || !wc) return;
        for (c = n->children; c; c = c->next)
            if (is_el(c, p->defns, "WhereClauseRef")) oids[i++] = attr(p, c, NULL, "WhereClauseOID");
        r->where_clause_oids = oids;
        r->where_clauses = wc;
        r->n_where_clauses = k;
    }
}

static void parse_itemrefs(pctx_t *p, const xmlNode *n, const dsj_define_itemref_t **out, size_t *nout)
{
    size_t k = count_children(n, DSJ_NS_ODM, "ItemRef"), i = 0;
    dsj_define_itemref_t *r = arr(p, k, sizeof *r);
    const xmlNode *c;
    if (!r) return;
    for (c = n->children; c; c = c->next)
        if (is_el(c, DSJ_NS_ODM, "ItemRef")) parse_itemref(p, c, &r[i++]);
    *out = r;
    *nout = k;
}

static void parse_leaf(pctx_t *p, const xmlNode *n, dsj_define_leaf_t *l)
{
    const xmlNode *t = first_child(n, p->defns, "title");
    l->id = attr(p, n, NULL, "ID");
    l->href = attr(p, n, DSJ_NS_XLINK, "href");
    l->title = t ? text_of(p, t) : NULL;
    l->line = line_of(n);
    at_most(p, n, "def:leaf", l->id, p->defns, "title", "def:title", 1);
}

static void parse_itemgroup(pctx_t *p, const xmlNode *n, size_t idx, size_t *leaf_slot)
{
    dsj_define_t *def = p->def;
    dsj_define_itemgroup_t *g = &def->itemgroups[idx];
    const xmlNode *c, *desc;
    g->oid = attr(p, n, NULL, "OID");
    g->name = attr(p, n, NULL, "Name");
    g->sas_dataset_name = attr(p, n, NULL, "SASDatasetName");
    g->domain = attr(p, n, NULL, "Domain");
    g->origin = attr(p, n, NULL, "Origin");
    g->repeating_text = attr(p, n, NULL, "Repeating");
    g->repeating = g->repeating_text && strcmp(g->repeating_text, "Yes") == 0;
    g->is_reference_data_text = attr(p, n, NULL, "IsReferenceData");
    g->is_reference_data = g->is_reference_data_text && strcmp(g->is_reference_data_text, "Yes") == 0;
    g->purpose = attr(p, n, NULL, "Purpose");
    g->structure = dattr(p, n, "Structure");
    g->archive_location_id = dattr(p, n, "ArchiveLocationID");
    g->comment_oid = dattr(p, n, "CommentOID");
    g->standard_oid = dattr(p, n, "StandardOID");
    g->is_non_standard = dattr(p, n, "IsNonStandard");
    g->has_no_data = dattr(p, n, "HasNoData");
    g->class_name = dattr(p, n, "Class"); /* 2.0 attribute */
    g->line = line_of(n);
    desc = first_child(n, DSJ_NS_ODM, "Description");
    g->description = desc ? translated(p, desc) : NULL;
    at_most(p, n, "ItemGroupDef", g->oid, DSJ_NS_ODM, "Description", "Description", 1);
    def->ig_description_line[idx] = desc ? line_of(desc) : 0;
    parse_itemrefs(p, n, &g->itemrefs, &g->n_itemrefs);
    parse_aliases(p, n, &g->aliases, &g->n_aliases);
    for (c = n->children; c; c = c->next) {
        if (is_el(c, p->defns, "Class")) {
            const xmlNode *sc = first_child(c, p->defns, "SubClass");
            if (def->ig_n_class[idx].count++ == 0) {
                def->ig_n_class[idx].line = line_of(c);
                if (!g->class_name) g->class_name = attr(p, c, NULL, "Name");
                if (sc) {
                    g->subclass_name = attr(p, sc, NULL, "Name");
                    g->subclass_parent = attr(p, sc, NULL, "ParentClass");
                }
            }
        } else if (is_el(c, p->defns, "leaf")) {
            if (def->ig_n_leaf[idx].count++ == 0) def->ig_n_leaf[idx].line = line_of(c);
            parse_leaf(p, c, &def->leaves[*leaf_slot]);
            if (def->ig_n_leaf[idx].count == 1) g->leaf = &def->leaves[*leaf_slot];
            (*leaf_slot)++;
        }
    }
}

static void parse_itemdef(pctx_t *p, const xmlNode *n, size_t idx)
{
    dsj_define_t *def = p->def;
    dsj_define_itemdef_t *it = &def->itemdefs[idx];
    const xmlNode *c;
    size_t k, i = 0;
    int64_t v;
    it->oid = attr(p, n, NULL, "OID");
    it->name = attr(p, n, NULL, "Name");
    it->data_type = attr(p, n, NULL, "DataType");
    it->length_text = attr(p, n, NULL, "Length");
    it->length = dsj_define_parse_int(it->length_text, &v) && v > 0 ? v : 0;
    it->significant_digits_text = attr(p, n, NULL, "SignificantDigits");
    it->significant_digits = dsj_define_parse_int(it->significant_digits_text, &v) && v >= 0 ? v : 0;
    it->sas_field_name = attr(p, n, NULL, "SASFieldName");
    it->display_format = dattr(p, n, "DisplayFormat");
    it->comment_oid = dattr(p, n, "CommentOID");
    it->line = line_of(n);
    def->itemdef_has_description[idx] = first_child(n, DSJ_NS_ODM, "Description") != NULL;
    it->description = description(p, n);
    at_most(p, n, "ItemDef", it->oid, DSJ_NS_ODM, "Description", "Description", 1);
    at_most(p, n, "ItemDef", it->oid, DSJ_NS_ODM, "CodeListRef", "CodeListRef", 1);
    at_most(p, n, "ItemDef", it->oid, p->defns, "ValueListRef", "def:ValueListRef", 1);
    if ((c = first_child(n, DSJ_NS_ODM, "CodeListRef"))) it->codelist_oid = attr(p, c, NULL, "CodeListOID");
    if ((c = first_child(n, p->defns, "ValueListRef"))) it->valuelist_oid = attr(p, c, NULL, "ValueListOID");
    parse_aliases(p, n, &it->aliases, &it->n_aliases);
    k = count_children(n, p->defns, "Origin");
    if (k) {
        dsj_define_origin_t *o = arr(p, k, sizeof *o);
        if (!o) return;
        for (c = n->children; c; c = c->next)
            if (is_el(c, p->defns, "Origin")) {
                o[i].type = attr(p, c, NULL, "Type");
                o[i].source = attr(p, c, NULL, "Source");
                o[i].description = description(p, c);
                o[i].line = line_of(c);
                parse_docrefs(p, c, &o[i].docrefs, &o[i].n_docrefs);
                i++;
            }
        it->origins = o;
        it->n_origins = k;
    }
}

static void parse_codeitem(pctx_t *p, const xmlNode *n, dsj_define_codeitem_t *ci, int enumerated)
{
    const xmlNode *d = first_child(n, DSJ_NS_ODM, "Decode");
    const dsj_define_alias_t *al = NULL;
    size_t nal = 0;
    ci->coded_value = attr(p, n, NULL, "CodedValue");
    ci->rank_text = attr(p, n, NULL, "Rank");
    ci->order_number_text = attr(p, n, NULL, "OrderNumber");
    ci->extended_value = dattr(p, n, "ExtendedValue");
    ci->decode = d ? translated(p, d) : NULL;
    ci->description = description(p, n);
    parse_aliases(p, n, &al, &nal);
    ci->nci_code = nci_code(al, nal);
    ci->enumerated = enumerated;
    ci->line = line_of(n);
    at_most(p, n, enumerated ? "EnumeratedItem" : "CodeListItem", ci->coded_value, DSJ_NS_ODM, "Decode", "Decode", 1);
}

static void parse_codelist(pctx_t *p, const xmlNode *n, size_t idx)
{
    dsj_define_t *def = p->def;
    dsj_define_codelist_t *cl = &def->codelists[idx];
    const xmlNode *c;
    size_t k1 = count_children(n, DSJ_NS_ODM, "CodeListItem"), k2 = count_children(n, DSJ_NS_ODM, "EnumeratedItem");
    size_t i = 0;
    dsj_define_codeitem_t *items = arr(p, k1 + k2, sizeof *items);
    const dsj_define_alias_t *al = NULL;
    size_t nal = 0;
    cl->oid = attr(p, n, NULL, "OID");
    cl->name = attr(p, n, NULL, "Name");
    cl->data_type = attr(p, n, NULL, "DataType");
    cl->sas_format_name = attr(p, n, NULL, "SASFormatName");
    cl->standard_oid = dattr(p, n, "StandardOID");
    cl->is_non_standard = dattr(p, n, "IsNonStandard");
    cl->comment_oid = dattr(p, n, "CommentOID");
    cl->description = description(p, n);
    cl->line = line_of(n);
    at_most(p, n, "CodeList", cl->oid, DSJ_NS_ODM, "Description", "Description", 1);
    parse_aliases(p, n, &al, &nal);
    cl->nci_code = nci_code(al, nal);
    def->codelist_has_codelistitem[idx] = k1 > 0;
    def->codelist_has_enumerated[idx] = k2 > 0;
    for (c = n->children; c; c = c->next) {
        if (items && is_el(c, DSJ_NS_ODM, "CodeListItem")) parse_codeitem(p, c, &items[i++], 0);
        else if (items && is_el(c, DSJ_NS_ODM, "EnumeratedItem")) parse_codeitem(p, c, &items[i++], 1);
        else if (is_el(c, DSJ_NS_ODM, "ExternalCodeList")) {
            if (def->codelist_n_external[idx]++ == 0) {
                cl->is_external = 1;
                cl->ext_dictionary = attr(p, c, NULL, "Dictionary");
                cl->ext_version = attr(p, c, NULL, "Version");
                cl->ext_ref = attr(p, c, NULL, "ref");
                cl->ext_href = attr(p, c, NULL, "href");
            }
        }
    }
    cl->items = items;
    cl->n_items = i;
}

static void parse_whereclause(pctx_t *p, const xmlNode *n, dsj_define_whereclause_t *w)
{
    size_t k = count_children(n, DSJ_NS_ODM, "RangeCheck"), i = 0;
    dsj_define_rangecheck_t *rc = arr(p, k, sizeof *rc);
    const xmlNode *c;
    static const struct { const char *t; dsj_define_comparator_t c; } cmps[] = {
        {"EQ", DSJ_DEFINE_CMP_EQ}, {"NE", DSJ_DEFINE_CMP_NE}, {"LT", DSJ_DEFINE_CMP_LT}, {"LE", DSJ_DEFINE_CMP_LE},
        {"GT", DSJ_DEFINE_CMP_GT}, {"GE", DSJ_DEFINE_CMP_GE}, {"IN", DSJ_DEFINE_CMP_IN}, {"NOTIN", DSJ_DEFINE_CMP_NOTIN}};
    w->oid = attr(p, n, NULL, "OID");
    w->comment_oid = dattr(p, n, "CommentOID");
    w->line = line_of(n);
    if (!rc) return;
    for (c = n->children; c; c = c->next) {
        size_t nv, j = 0, m;
        const xmlNode *v;
        const char **vals;
        if (!is_el(c, DSJ_NS_ODM, "RangeCheck")) continue;
        rc[i].comparator_text = attr(p, c, NULL, "Comparator");
        for (m = 0; m < sizeof cmps / sizeof cmps[0]; m++)
            if (rc[i].comparator_text && strcmp(rc[i].comparator_text, cmps[m].t) == 0) rc[i].comparator = cmps[m].c;
        rc[i].soft_hard = attr(p, c, NULL, "SoftHard");
        rc[i].item_oid = dattr(p, c, "ItemOID");
        rc[i].line = line_of(c);
        nv = count_children(c, DSJ_NS_ODM, "CheckValue");
        vals = arr(p, nv, sizeof *vals);
        if (vals)
            for (v = c->children; v; v = v->next)
                if (is_el(v, DSJ_NS_ODM, "CheckValue")) vals[j++] = text_of(p, v);
        rc[i].values = vals;
        rc[i].n_values = j;
        i++;
    }
    w->checks = rc;
    w->n_checks = k;
}

static void parse_method(pctx_t *p, const xmlNode *n, dsj_define_method_t *m)
{
    m->oid = attr(p, n, NULL, "OID");
    m->name = attr(p, n, NULL, "Name");
    m->type = attr(p, n, NULL, "Type");
    m->description = description(p, n);
    m->n_formal_expressions = count_children(n, DSJ_NS_ODM, "FormalExpression");
    m->line = line_of(n);
    at_most(p, n, "MethodDef", m->oid, DSJ_NS_ODM, "Description", "Description", 1);
    parse_docrefs(p, n, &m->docrefs, &m->n_docrefs);
}

static void parse_comment(pctx_t *p, const xmlNode *n, dsj_define_comment_t *m)
{
    m->oid = attr(p, n, NULL, "OID");
    m->description = description(p, n);
    m->line = line_of(n);
    at_most(p, n, "def:CommentDef", m->oid, DSJ_NS_ODM, "Description", "Description", 1);
    parse_docrefs(p, n, &m->docrefs, &m->n_docrefs);
}

static void parse_docgroup(pctx_t *p, const xmlNode *n, dsj_define_occ_t *occ, dsj_define_docref_t **out, size_t *nout)
{
    const dsj_define_docref_t *d = NULL;
    size_t k = 0;
    if (occ->count++ == 0) occ->line = line_of(n);
    parse_docrefs(p, n, &d, &k);
    if (occ->count == 1) {
        *out = (dsj_define_docref_t *)d;
        *nout = k;
    }
}

/* Collect OID-like references inside an element the model does not cover (e.g. ARM). */
static void collect_extrefs(pctx_t *p, const xmlNode *n, int depth)
{
    static const char *const names[] = {"ItemOID", "leafID", "CommentOID", "WhereClauseOID", "MethodOID",
                                        "ValueListOID", "CodeListOID", NULL};
    const xmlAttr *a;
    const xmlNode *c;
    dsj_define_t *def = p->def;
    if (depth > 64) return;
    for (a = n->properties; a; a = a->next) {
        size_t i;
        for (i = 0; names[i]; i++)
            if (strcmp((const char *)a->name, names[i]) == 0) break;
        if (!names[i]) continue;
        if (def->n_extrefs == def->cap_extrefs) {
            size_t cap = def->cap_extrefs ? def->cap_extrefs * 2 : 32;
            struct dsj_define_extref *g = dsj_arena_alloc(p->a, cap * sizeof *g);
            if (!g) {
                p->nomem = 1;
                return;
            }
            if (def->n_extrefs) memcpy(g, def->extrefs, def->n_extrefs * sizeof *g);
            def->extrefs = g;
            def->cap_extrefs = cap;
        }
        def->extrefs[def->n_extrefs].attr = names[i];
        def->extrefs[def->n_extrefs].value = attr(p, n, a->ns && a->ns->href ? (const char *)a->ns->href : NULL, names[i]);
        def->extrefs[def->n_extrefs].line = line_of(n);
        def->n_extrefs++;
    }
    for (c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) collect_extrefs(p, c, depth + 1);
}

static void parse_mdv(pctx_t *p, const xmlNode *mdv)
{
    dsj_define_t *def = p->def;
    const xmlNode *c;
    size_t n_ig = 0, n_id = 0, n_cl = 0, n_vl = 0, n_wc = 0, n_md = 0, n_cd = 0, n_lf = 0, n_std = 0, n_iglf = 0;
    size_t i_ig = 0, i_id = 0, i_cl = 0, i_vl = 0, i_wc = 0, i_md = 0, i_cd = 0, i_lf = 0, i_std = 0, leaf_slot;

    def->mdv_oid = attr(p, mdv, NULL, "OID");
    def->mdv_name = attr(p, mdv, NULL, "Name");
    def->mdv_description = attr(p, mdv, NULL, "Description");
    def->mdv_line = line_of(mdv);
    def->standard_name = dattr(p, mdv, "StandardName");
    def->standard_version = dattr(p, mdv, "StandardVersion");
    def->mdv_comment_oid = dattr(p, mdv, "CommentOID");

    /* Count first so that every array is allocated once (pointers stay stable). */
    for (c = mdv->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (is_el(c, DSJ_NS_ODM, "ItemGroupDef")) { n_ig++; n_iglf += count_children(c, p->defns, "leaf"); }
        else if (is_el(c, DSJ_NS_ODM, "ItemDef")) n_id++;
        else if (is_el(c, DSJ_NS_ODM, "CodeList")) n_cl++;
        else if (is_el(c, DSJ_NS_ODM, "MethodDef")) n_md++;
        else if (is_el(c, p->defns, "ValueListDef")) n_vl++;
        else if (is_el(c, p->defns, "WhereClauseDef")) n_wc++;
        else if (is_el(c, p->defns, "CommentDef")) n_cd++;
        else if (is_el(c, p->defns, "leaf")) n_lf++;
        else if (is_el(c, p->defns, "Standards")) n_std += count_children(c, p->defns, "Standard");
    }
    def->itemgroups = arr(p, n_ig, sizeof *def->itemgroups);
    def->ig_n_leaf = arr(p, n_ig, sizeof *def->ig_n_leaf);
    def->ig_n_class = arr(p, n_ig, sizeof *def->ig_n_class);
    def->ig_description_line = arr(p, n_ig, sizeof *def->ig_description_line);
    def->itemdefs = arr(p, n_id, sizeof *def->itemdefs);
    def->itemdef_has_description = arr(p, n_id, 1);
    def->codelists = arr(p, n_cl, sizeof *def->codelists);
    def->codelist_has_codelistitem = arr(p, n_cl, 1);
    def->codelist_has_enumerated = arr(p, n_cl, 1);
    def->codelist_n_external = arr(p, n_cl, sizeof *def->codelist_n_external);
    def->valuelists = arr(p, n_vl, sizeof *def->valuelists);
    def->whereclauses = arr(p, n_wc, sizeof *def->whereclauses);
    def->methods = arr(p, n_md, sizeof *def->methods);
    def->comments = arr(p, n_cd, sizeof *def->comments);
    def->leaves = arr(p, n_lf + n_iglf, sizeof *def->leaves);
    def->standards = arr(p, n_std, sizeof *def->standards);
    if (p->nomem) return;
    def->n_mdv_leaves = n_lf;
    leaf_slot = n_lf;

    for (c = mdv->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (is_el(c, DSJ_NS_ODM, "ItemGroupDef")) parse_itemgroup(p, c, i_ig++, &leaf_slot);
        else if (is_el(c, DSJ_NS_ODM, "ItemDef")) parse_itemdef(p, c, i_id++);
        else if (is_el(c, DSJ_NS_ODM, "CodeList")) parse_codelist(p, c, i_cl++);
        else if (is_el(c, DSJ_NS_ODM, "MethodDef")) parse_method(p, c, &def->methods[i_md++]);
        else if (is_el(c, p->defns, "ValueListDef")) {
            dsj_define_valuelist_t *vl = &def->valuelists[i_vl++];
            vl->oid = attr(p, c, NULL, "OID");
            vl->line = line_of(c);
            parse_itemrefs(p, c, &vl->itemrefs, &vl->n_itemrefs);
        } else if (is_el(c, p->defns, "WhereClauseDef")) parse_whereclause(p, c, &def->whereclauses[i_wc++]);
        else if (is_el(c, p->defns, "CommentDef")) parse_comment(p, c, &def->comments[i_cd++]);
        else if (is_el(c, p->defns, "leaf")) parse_leaf(p, c, &def->leaves[i_lf++]);
        else if (is_el(c, p->defns, "AnnotatedCRF"))
            parse_docgroup(p, c, &def->n_acrf, &def->acrf_docrefs, &def->n_acrf_docrefs);
        else if (is_el(c, p->defns, "SupplementalDoc"))
            parse_docgroup(p, c, &def->n_suppdoc, &def->supp_docrefs, &def->n_supp_docrefs);
        else if (is_el(c, p->defns, "Standards")) {
            const xmlNode *s;
            if (def->n_standards_el.count++ == 0) def->n_standards_el.line = line_of(c);
            for (s = c->children; s; s = s->next) {
                dsj_define_standard_t *st;
                if (!is_el(s, p->defns, "Standard")) continue;
                st = &def->standards[i_std++];
                st->oid = attr(p, s, NULL, "OID");
                st->name = attr(p, s, NULL, "Name");
                st->type = attr(p, s, NULL, "Type");
                st->publishing_set = attr(p, s, NULL, "PublishingSet");
                st->version = attr(p, s, NULL, "Version");
                st->status = attr(p, s, NULL, "Status");
                st->comment_oid = dattr(p, s, "CommentOID");
                st->line = line_of(s);
            }
        } else if (!ns_is(c, DSJ_NS_ODM) && !ns_is(c, p->defns)) {
            collect_extrefs(p, c, 0);
        }
    }
    def->n_itemgroups = i_ig;
    def->n_itemdefs = i_id;
    def->n_codelists = i_cl;
    def->n_valuelists = i_vl;
    def->n_whereclauses = i_wc;
    def->n_methods = i_md;
    def->n_comments = i_cd;
    def->n_leaves = leaf_slot;
    def->n_standards = i_std;
}

/* ------------------------------------------------------------------ version detection */

/* Namespace URI of def:DefineVersion on an element, or of a def-looking namespace in scope. */
static const char *find_def_ns(const xmlNode *mdv, const xmlNode *root, const char **dv_ns)
{
    const xmlAttr *a;
    const xmlNs *ns;
    static const char *known[] = {DSJ_NS_DEF21, DSJ_NS_DEF20, DSJ_NS_DEF10};
    size_t i;
    *dv_ns = NULL;
    if (mdv)
        for (a = mdv->properties; a; a = a->next)
            if (strcmp((const char *)a->name, "DefineVersion") == 0 && a->ns && a->ns->href) {
                *dv_ns = (const char *)a->ns->href;
                for (i = 0; i < 3; i++)
                    if (strcmp(*dv_ns, known[i]) == 0) return known[i];
            }
    /* No (known) def:DefineVersion: look at the namespaces declared on the root and MetaDataVersion. */
    for (i = 0; i < 3; i++) {
        const xmlNode *el;
        for (el = root; el; el = el == root ? mdv : NULL)
            for (ns = el->nsDef; ns; ns = ns->next)
                if (ns->href && strcmp((const char *)ns->href, known[i]) == 0) return known[i];
    }
    return NULL;
}

static int build_lines(pctx_t *p)
{
    size_t i, n = 1, k = 0;
    const char *x = p->def->xml;
    for (i = 0; i < p->def->xml_len; i++)
        if (x[i] == '\n') n++;
    p->line_start = dsj_malloc(n * sizeof *p->line_start);
    if (!p->line_start) return -1;
    p->line_start[k++] = 0;
    for (i = 0; i < p->def->xml_len; i++)
        if (x[i] == '\n') p->line_start[k++] = i + 1;
    p->n_lines = n;
    return 0;
}

static const xmlNode *first_el(const pctx_t *p, const xmlNode *n, const char *uri, const char *local, dsj_define_occ_t *occ)
{
    const xmlNode *c, *first = NULL;
    for (c = n ? n->children : NULL; c; c = c->next)
        if (is_el(c, uri, local)) {
            if (!first) first = c;
            if (occ && occ->count++ == 0) occ->line = line_of(c);
        }
    return first;
}

static dsj_status_t parse_root(pctx_t *p, xmlDoc *doc, dsj_error_t *err)
{
    dsj_define_t *def = p->def;
    const xmlNode *root = xmlDocGetRootElement(doc), *study, *mdv, *gv;
    const char *dv_ns;
    if (!root)
        return dsj_error_set(err, DSJ_E_UNSUPPORTED, def->file, 0, 0, 0, "unsupported: document has no root element");
    if (strcmp((const char *)root->name, "ODM") != 0)
        return dsj_error_set(err, DSJ_E_UNSUPPORTED, def->file, line_of(root), 0, 0,
                             "unsupported: root element <%s> is not ODM, so this is not a Define-XML document",
                             (const char *)root->name);
    if (!ns_is(root, DSJ_NS_ODM)) {
        const char *rns = root->ns && root->ns->href ? (const char *)root->ns->href : NULL;
        const xmlNode *s1 = first_el(p, root, rns, "Study", NULL);
        const char *dns = find_def_ns(first_el(p, s1, rns, "MetaDataVersion", NULL), root, &dv_ns);
        if (dns && strcmp(dns, DSJ_NS_DEF10) == 0)
            return dsj_error_set(err, DSJ_E_UNSUPPORTED, def->file, line_of(root), 0, 0,
                                 "unsupported: Define-XML 1.0 (ODM namespace '%s'); only Define-XML 2.0 and 2.1 are handled",
                                 rns ? rns : "(none)");
        return dsj_error_set(err, DSJ_E_UNSUPPORTED, def->file, line_of(root), 0, 0,
                             "unsupported: ODM namespace '%s' is not a Define-XML 2.x (which uses " DSJ_NS_ODM ")",
                             rns ? rns : "(none)");
    }
    study = first_el(p, root, DSJ_NS_ODM, "Study", &def->n_study);
    mdv = first_el(p, study, DSJ_NS_ODM, "MetaDataVersion", &def->n_mdv);
    p->defns = find_def_ns(mdv, root, &dv_ns);
    if (!p->defns) {
        if (dv_ns)
            return dsj_error_set(err, DSJ_E_UNSUPPORTED, def->file, line_of(mdv), 0, 0,
                                 "unsupported: def:DefineVersion in unknown namespace '%s'", dv_ns);
        return dsj_error_set(err, DSJ_E_UNSUPPORTED, def->file, mdv ? line_of(mdv) : line_of(root), 0, 0,
                             "unsupported: ODM file is not a Define-XML (no Define-XML namespace, no def:DefineVersion)");
    }
    if (strcmp(p->defns, DSJ_NS_DEF10) == 0)
        return dsj_error_set(err, DSJ_E_UNSUPPORTED, def->file, mdv ? line_of(mdv) : line_of(root), 0, 0,
                             "unsupported: Define-XML 1.0 (namespace " DSJ_NS_DEF10 "); only Define-XML 2.0 and 2.1 are handled");
    def->def_ns = p->defns;
    def->kind = strcmp(p->defns, DSJ_NS_DEF20) == 0 ? DSJ_DEFINE_V2_0 : DSJ_DEFINE_V2_1;

    def->odm_file_oid = attr(p, root, NULL, "FileOID");
    def->odm_file_type = attr(p, root, NULL, "FileType");
    def->odm_version = attr(p, root, NULL, "ODMVersion");
    def->odm_creation = attr(p, root, NULL, "CreationDateTime");
    def->odm_as_of = attr(p, root, NULL, "AsOfDateTime");
    def->odm_originator = attr(p, root, NULL, "Originator");
    def->odm_source_system = attr(p, root, NULL, "SourceSystem");
    def->odm_source_system_version = attr(p, root, NULL, "SourceSystemVersion");
    def->odm_context = attr(p, root, p->defns, "Context");
    def->odm_line = line_of(root);
    if (study) {
        def->study_oid = attr(p, study, NULL, "OID");
        def->study_line = line_of(study);
        gv = first_el(p, study, DSJ_NS_ODM, "GlobalVariables", &def->n_global_variables);
        if (gv) {
            const xmlNode *t;
            if ((t = first_child(gv, DSJ_NS_ODM, "StudyName"))) def->study_name = text_of(p, t);
            if ((t = first_child(gv, DSJ_NS_ODM, "StudyDescription"))) def->study_description = text_of(p, t);
            if ((t = first_child(gv, DSJ_NS_ODM, "ProtocolName"))) def->protocol_name = text_of(p, t);
        }
    }
    if (mdv) {
        def->define_version = attr(p, mdv, p->defns, "DefineVersion");
        def->define_version_ns = dv_ns;
        parse_mdv(p, mdv);
    }
    if (p->nomem) return dsj_error_set(err, DSJ_E_NOMEM, def->file, 0, 0, 0, "out of memory building the define model");
    return DSJ_OK;
}

static dsj_status_t parse_doc(dsj_define_t *def, xmlDoc *doc, dsj_error_t *err)
{
    pctx_t pc;
    dsj_status_t st;
    memset(&pc, 0, sizeof pc);
    pc.def = def;
    pc.a = &def->arena;
    if (build_lines(&pc) != 0) return dsj_error_set(err, DSJ_E_NOMEM, def->file, 0, 0, 0, "out of memory");
    st = parse_root(&pc, doc, err);
    dsj_free(pc.line_start);
    return st;
}

dsj_status_t dsj_define_parse(dsj_define_t *def, dsj_error_t *err)
{
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    dsj_status_t st;
    /* NONET: no network; no NOENT (entities never substituted); no DTDLOAD/DTDATTR/DTDVALID. */
    int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS | XML_PARSE_BIG_LINES;
    if (def->xml_len > (size_t)0x7fffffff)
        return dsj_error_set(err, DSJ_E_LIMIT, def->file, 0, 0, 0, "define file too large (%zu bytes)", def->xml_len);
    dsj_xml_init();
    ctxt = xmlNewParserCtxt();
    if (!ctxt) return dsj_error_set(err, DSJ_E_NOMEM, def->file, 0, 0, 0, "out of memory (XML parser)");
    doc = xmlCtxtReadMemory(ctxt, def->xml, (int)def->xml_len, def->file, NULL, opts);
    if (!doc || !ctxt->wellFormed) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        char msg[400];
        size_t l;
        snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "not well-formed XML");
        l = strlen(msg);
        while (l && (msg[l - 1] == '\n' || msg[l - 1] == ' ')) msg[--l] = '\0';
        st = dsj_error_set(err, DSJ_E_XML, def->file, e && e->line > 0 ? (uint64_t)e->line : 0,
                           e && e->int2 > 0 ? (uint64_t)e->int2 : 0, 0, "XML error: %s", msg);
        xmlFreeDoc(doc);
        xmlFreeParserCtxt(ctxt);
        return st;
    }
    st = parse_doc(def, doc, err);
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return st;
}
