/*
 * Optional XML Schema validation of a define against the official CDISC
 * schema set (rule DEF-XSD).  The entry schema (define2-0-0.xsd or
 * define2-1-0.xsd, or the ARM 1.0 entry arm1-0-0.xsd of the same set when the
 * document uses Analysis Results Metadata) is found by walking xsd_dir.  The
 * schema files are read from local disk only as their relative imports say;
 * the document is re-parsed from the kept bytes with the same safe options
 * as the model parse.
 */
#include "define_internal.h"
#include "xml_init_internal.h"

#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <sys/stat.h>

#define ARM_NS "http://www.cdisc.org/ns/arm/v1.0"

/* Depth-first search for a file named `name` under dir; result in out. 1 found, 0 not. */
static int find_file(const char *dir, const char *name, int depth, char *out, size_t outsz)
{
    DIR *d;
    struct dirent *e;
    char path[4096];
    struct stat st;
    int found = 0;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
        snprintf(out, outsz, "%s", path);
        return 1;
    }
    if (depth <= 0 || !(d = opendir(dir))) return 0;
    while (!found && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) found = find_file(path, name, depth - 1, out, outsz);
    }
    closedir(d);
    return found;
}

typedef struct xsd_ctx {
    const dsj_define_t *def;
    dsj_finding_cb cb;
    void *ctx;
    int stop;
    size_t emitted;
    dsj_buf_t schema_errors;
} xsd_ctx_t;

static void trim(char *s)
{
    size_t l = strlen(s);
    while (l && (s[l - 1] == '\n' || s[l - 1] == ' ' || s[l - 1] == '\r')) s[--l] = '\0';
}

/* XPath-like location of an element: names with prefixes, keyed by OID / ItemOID / ID when present. */
static void node_path(const xmlNode *n, char *out, size_t size)
{
    const xmlNode *chain[64];
    size_t depth = 0, len = 0;
    out[0] = '\0';
    for (; n && n->type == XML_ELEMENT_NODE && depth < 64; n = n->parent) chain[depth++] = n;
    while (depth-- > 0 && len < size) {
        const xmlNode *e = chain[depth];
        static const char *const keys[] = {"OID", "ItemOID", "ID", "leafID", "CodedValue", NULL};
        const char *prefix = e->ns && e->ns->prefix ? (const char *)e->ns->prefix : NULL;
        size_t k;
        int w = snprintf(out + len, size - len, "/%s%s%s", prefix ? prefix : "", prefix ? ":" : "", (const char *)e->name);
        if (w < 0) break;
        len += (size_t)w;
        for (k = 0; keys[k] && len < size; k++) {
            xmlChar *v = xmlGetNoNsProp((xmlNodePtr)e, BAD_CAST keys[k]);
            if (v) {
                w = snprintf(out + len, size - len, "[@%s='%s']", keys[k], (const char *)v);
                xmlFree(v);
                if (w > 0) len += (size_t)w;
                break;
            }
        }
    }
}

static void on_valid_error(void *user, xmlErrorPtr e)
{
    xsd_ctx_t *x = user;
    char msg[700], ptr[600];
    if (x->stop || !e) return;
    snprintf(msg, sizeof msg, "%s", e->message ? e->message : "schema validity error");
    trim(msg);
    ptr[0] = '\0';
    if (e->node && ((xmlNodePtr)e->node)->type == XML_ELEMENT_NODE) node_path((const xmlNode *)e->node, ptr, sizeof ptr);
    x->emitted++;
    if (dsj_emit(x->cb, x->ctx, "DEF-XSD", e->level == XML_ERR_WARNING ? DSJ_SEV_WARNING : DSJ_SEV_ERROR, x->def->file,
                 e->line > 0 ? (uint64_t)e->line : 0, 0, 0, ptr[0] ? ptr : NULL, 0, NULL, "XML Schema: %s", msg))
        x->stop = 1;
}

static void on_schema_error(void *user, xmlErrorPtr e)
{
    xsd_ctx_t *x = user;
    if (!e || e->level < XML_ERR_ERROR || x->schema_errors.len > 2000) return;
    if (x->schema_errors.len) dsj_buf_puts(&x->schema_errors, "; ");
    dsj_buf_printf(&x->schema_errors, "%s:%d: %s", e->file ? e->file : "?", e->line, e->message ? e->message : "error");
    if (x->schema_errors.data) trim(x->schema_errors.data);
    x->schema_errors.len = strlen(x->schema_errors.data);
}

/* First entity reference node in the tree, or NULL (iterative walk). */
static const xmlNode *find_entity_ref(const xmlNode *n)
{
    while (n) {
        if (n->type == XML_ENTITY_REF_NODE) return n;
        if (n->type == XML_ELEMENT_NODE && n->children) {
            n = n->children;
            continue;
        }
        while (n && !n->next) n = n->parent;
        if (n) n = n->next;
    }
    return NULL;
}

/* libxml2 prints some loader warnings through its generic handler (per thread); keep them off stderr. */
static void quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static int uses_arm(const dsj_define_t *def)
{
    /* The ARM namespace URI in the text is enough: it is only ever declared by ARM documents. */
    return def->xml && memmem(def->xml, def->xml_len, ARM_NS, strlen(ARM_NS)) != NULL;
}

dsj_status_t dsj_define_validate_xsd(const dsj_define_t *def, const char *xsd_dir, dsj_finding_cb cb, void *ctx, int *aborted,
                                     dsj_error_t *err)
{
    char entry[4096], arm[4200];
    const char *name = def->kind == DSJ_DEFINE_V2_0 ? "define2-0-0.xsd" : "define2-1-0.xsd";
    xmlSchemaParserCtxtPtr pctx;
    xmlSchemaPtr schema;
    xmlSchemaValidCtxtPtr vctx;
    xmlParserCtxtPtr xctx;
    xmlDocPtr doc;
    xsd_ctx_t x;
    struct stat st;
    dsj_status_t status = DSJ_OK;
    int rc;

    *aborted = 0;
    if (!find_file(xsd_dir, name, 4, entry, sizeof entry))
        return dsj_error_set(err, DSJ_E_NOTFOUND, xsd_dir, 0, 0, 0, "no %s found under the schema folder '%s'", name, xsd_dir);
    if (uses_arm(def)) {
        /* <set>/cdisc-define-2.x/define2-x-0.xsd -> <set>/cdisc-arm-1.0/arm1-0-0.xsd */
        char set[4096], *slash;
        snprintf(set, sizeof set, "%s", entry);
        if ((slash = strrchr(set, '/')) != NULL) *slash = '\0';
        if ((slash = strrchr(set, '/')) != NULL) *slash = '\0';
        else snprintf(set, sizeof set, ".");
        {
            snprintf(arm, sizeof arm, "%s/cdisc-arm-1.0/arm1-0-0.xsd", set);
            if (strlen(arm) < sizeof entry && stat(arm, &st) == 0 && S_ISREG(st.st_mode)) memcpy(entry, arm, strlen(arm) + 1);
        }
    }
    memset(&x, 0, sizeof x);
    x.def = def;
    x.cb = cb;
    x.ctx = ctx;
    dsj_buf_init(&x.schema_errors);
    dsj_xml_init();
    pctx = xmlSchemaNewParserCtxt(entry);
    if (!pctx) {
        dsj_buf_free(&x.schema_errors);
        return dsj_error_set(err, DSJ_E_NOMEM, entry, 0, 0, 0, "cannot create the XML Schema parser");
    }
    xmlSchemaSetParserStructuredErrors(pctx, on_schema_error, &x);
    {
        xmlGenericErrorFunc saved = xmlGenericError;
        void *saved_ctx = xmlGenericErrorContext;
        xmlSetGenericErrorFunc(NULL, quiet);
        schema = xmlSchemaParse(pctx);
        xmlSetGenericErrorFunc(saved_ctx, saved);
    }
    xmlSchemaFreeParserCtxt(pctx);
    if (!schema) {
        status = dsj_error_set(err, DSJ_E_DEFINE, entry, 0, 0, 0, "cannot load the XML Schema %s: %s", entry,
                               x.schema_errors.data ? x.schema_errors.data : "unknown error");
        dsj_buf_free(&x.schema_errors);
        return status;
    }
    dsj_buf_free(&x.schema_errors);
    xctx = xmlNewParserCtxt();
    doc = xctx ? xmlCtxtReadMemory(xctx, def->xml, (int)def->xml_len, def->file, NULL,
                                   XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES)
               : NULL;
    if (!doc) {
        status = dsj_error_set(err, DSJ_E_XML, def->file, 0, 0, 0, "cannot re-read the define for XML Schema validation");
    } else {
        const xmlNode *ent = find_entity_ref(xmlDocGetRootElement(doc));
        vctx = ent ? NULL : xmlSchemaNewValidCtxt(schema);
        if (ent) {
            /* libxml2 cannot validate through entity references, and we never expand them. */
            long l = xmlGetLineNo(ent->parent);
            if (dsj_emit(cb, ctx, "DEF-XSD", DSJ_SEV_ERROR, def->file, l > 0 ? (uint64_t)l : 0, 0, 0, NULL, 0, NULL,
                         "XML Schema validation skipped: the document uses the entity reference &%s; (entities are never "
                         "expanded, for safety)",
                         (const char *)ent->name))
                x.stop = 1;
        } else if (!vctx) {
            status = dsj_error_set(err, DSJ_E_NOMEM, def->file, 0, 0, 0, "cannot create the XML Schema validator");
        } else {
            xmlSchemaSetValidStructuredErrors(vctx, on_valid_error, &x);
            rc = xmlSchemaValidateDoc(vctx, doc);
            /* rc < 0: libxml2 gave up (e.g. on an entity reference, which is never expanded here); it has
               reported why through on_valid_error, or else we say so as a finding. */
            if (rc < 0 && !x.stop && !x.emitted &&
                dsj_emit(cb, ctx, "DEF-XSD", DSJ_SEV_ERROR, def->file, 0, 0, 0, NULL, 0, NULL,
                         "XML Schema validation could not be completed (libxml2 internal error %d)", rc))
                x.stop = 1;
            xmlSchemaFreeValidCtxt(vctx);
        }
        xmlFreeDoc(doc);
    }
    if (xctx) xmlFreeParserCtxt(xctx);
    xmlSchemaFree(schema);
    *aborted = x.stop;
    return status;
}
