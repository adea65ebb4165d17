/*
 * Dataset-XML 1.0 writer (issue 4, Dataset-JSON -> Dataset-XML).
 *
 * A dsj_writer_backend_t (backend_internal.h): the writer core hands us the
 * metadata converted to Dataset-JSON 1.1 and finished 1.1 rows; we stream
 * ODM 1.3.2 + Dataset-XML 1.0 to the sink through our own 64 KiB buffer, one
 * element per line (the layout of the SAS Clinical Standards Toolkit files):
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <ODM xmlns=... data:DatasetXMLVersion="1.0.0">      root attributes one per line
 *   <ClinicalData StudyOID=".." MetaDataVersionOID="..">   or ReferenceData
 *   <ItemGroupData ItemGroupOID=".." data:ItemGroupDataSeq="1">
 *   <ItemData ItemOID=".." Value=".."/>                     one per non-null cell
 *   </ItemGroupData>
 *   </ClinicalData>
 *   </ODM>
 *
 * Memory is bounded: the per-column "<ItemData ItemOID=.. Value=\"" prefixes
 * are built once in begin; a row is escaped straight into the output buffer.
 * Mapping and rule ids (DXML-W-*): docs/datasetxml.md, "Dataset-JSON to
 * Dataset-XML".
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "backend_internal.h"
#include "define_internal.h" /* the define's ODM/@FileOID for PriorFileOID (no public accessor) */

#define DXW_BUF_SIZE (64u * 1024u)

typedef struct dxw {
    /* options [borrowed from the writer's copy of the options, which outlives us] */
    dsj_finding_cb on_finding;
    void *finding_ctx;
    const dsj_define_t *define;

    dsj_sink_t *sink;           /* [borrowed] the writer owns it */
    const dsj_meta_t *meta;     /* [borrowed] 1.1 metadata, for the writer's life */
    char *buf;                  /* [owned] output buffer of DXW_BUF_SIZE bytes */
    size_t len;
    dsj_buf_t group_open;       /* [owned] "<ItemGroupData ItemGroupOID=\"..\" data:ItemGroupDataSeq=\"" */
    dsj_buf_t prefixes;         /* [owned] every column's "<ItemData ItemOID=\"..\" Value=\"" back to back */
    size_t *prefix_off;         /* [owned] ncols + 1 offsets into prefixes */
    size_t ncols;
    const char *close_tag;      /* [static] "</ClinicalData>\n" or "</ReferenceData>\n" */
    uint64_t seq;               /* ItemGroupDataSeq of the last row written */
} dxw_t;

/* ---------------------------------------------------------------- output buffer */

static dsj_status_t dxw_flush(dxw_t *w, dsj_error_t *err)
{
    dsj_status_t st = DSJ_OK;
    if (w->len) st = dsj_sink_write(w->sink, w->buf, w->len, err);
    w->len = 0;
    return st;
}

static dsj_status_t dxw_out(dxw_t *w, const void *p, size_t n, dsj_error_t *err)
{
    if (DSJ_UNLIKELY(n > DXW_BUF_SIZE - w->len)) {
        dsj_status_t st = dxw_flush(w, err);
        if (st != DSJ_OK) return st;
        if (n >= DXW_BUF_SIZE) return dsj_sink_write(w->sink, p, n, err);
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
    return DSJ_OK;
}

static dsj_status_t dxw_puts(dxw_t *w, const char *s, dsj_error_t *err)
{
    return dxw_out(w, s, strlen(s), err);
}

/* ---------------------------------------------------------------- escaping */

/* Byte classes: 0 copy, 1 escape (& < > " TAB LF CR), 2 not allowed in XML 1.0, 3 UTF-8 lead/continuation. */
static const unsigned char dxw_class[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 2, 2, 1, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
};

static const char *dxw_entity(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\t': return "&#9;";
    case '\n': return "&#10;";
    default: return "&#13;"; /* '\r' */
    }
}

/* Length of the strict UTF-8 sequence at u[i] (no overlongs, surrogates or > U+10FFFF), 0 if invalid;
   *cp receives the code point. */
static size_t dxw_utf8(const unsigned char *u, size_t n, size_t i, uint32_t *cp)
{
    unsigned char c = u[i], lo = 0x80, hi = 0xBF;
    size_t k, len;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; v = c & 0x1Fu; }
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; v = c & 0x0Fu;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; v = c & 0x07u;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else return 0;
    if (n - i < len) return 0;
    for (k = 1; k < len; k++) {
        unsigned char b = u[i + k];
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
        v = (v << 6) | (b & 0x3Fu);
    }
    *cp = v;
    return len;
}

enum { DXW_ESC_OK = 0, DXW_ESC_UTF8 = 1, DXW_ESC_CHAR = 2, DXW_ESC_IO = 3 };

/* Write s[0..n) escaped for an XML attribute value.  On a bad byte returns DXW_ESC_UTF8 or DXW_ESC_CHAR with
   *at = its byte offset and *cp = the character (CHAR only); DXW_ESC_IO with err filled on a write failure. */
static int dxw_escaped(dxw_t *w, const char *s, size_t n, size_t *at, uint32_t *cp, dsj_error_t *err)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0;
    while (i < n) {
        unsigned char cls = dxw_class[u[i]];
        if (DSJ_LIKELY(cls == 0)) { i++; continue; }
        if (cls == 3) {
            uint32_t v = 0;
            size_t k = dxw_utf8(u, n, i, &v);
            if (!k) { *at = i; return DXW_ESC_UTF8; }
            if (v == 0xFFFE || v == 0xFFFF) { *at = i; *cp = v; return DXW_ESC_CHAR; }
            i += k;
            continue;
        }
        if (cls == 2) { *at = i; *cp = u[i]; return DXW_ESC_CHAR; }
        if (i > run && dxw_out(w, s + run, i - run, err) != DSJ_OK) return DXW_ESC_IO;
        if (dxw_puts(w, dxw_entity(u[i]), err) != DSJ_OK) return DXW_ESC_IO;
        run = ++i;
    }
    if (i > run && dxw_out(w, s + run, i - run, err) != DSJ_OK) return DXW_ESC_IO;
    return DXW_ESC_OK;
}

/* Metadata text escaped into the output; what names the attribute in the error. */
static dsj_status_t dxw_meta_text(dxw_t *w, const char *s, const char *what, dsj_error_t *err)
{
    size_t at = 0;
    uint32_t cp = 0;
    int r = dxw_escaped(w, s, strlen(s), &at, &cp, err);
    if (r == DXW_ESC_OK) return DSJ_OK;
    if (r == DXW_ESC_IO) return err ? err->code : DSJ_E_IO;
    if (r == DXW_ESC_UTF8)
        return dsj_error_set(err, DSJ_E_ENCODING, NULL, 0, 0, 0, "%s: invalid UTF-8 at byte %zu", what, at);
    return dsj_error_set(err, DSJ_E_ENCODING, NULL, 0, 0, 0,
                         "%s: character U+%04X (byte %zu) is not allowed in XML 1.0, so Dataset-XML cannot carry it",
                         what, (unsigned)cp, at);
}

/* ' NAME="escaped value"' */
static dsj_status_t dxw_attr(dxw_t *w, const char *sep, const char *name, const char *value, const char *what,
                             dsj_error_t *err)
{
    dsj_status_t st;
    if (!value) return DSJ_OK;
    if ((st = dxw_puts(w, sep, err)) != DSJ_OK || (st = dxw_puts(w, name, err)) != DSJ_OK ||
        (st = dxw_out(w, "=\"", 2, err)) != DSJ_OK || (st = dxw_meta_text(w, value, what, err)) != DSJ_OK)
        return st;
    return dxw_out(w, "\"", 1, err);
}

/* ---------------------------------------------------------------- begin: metadata and the define */

static dsj_status_t dxw_finding(dxw_t *w, const char *rule, const char *pointer, const char *column,
                                dsj_error_t *err, const char *fmt, const char *a, const char *b,
                                const char *c)
{
    char msg[900];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "", c ? c : "");
    if (dsj_emit(w->on_finding, w->finding_ctx, rule, DSJ_SEV_WARNING, NULL, 0, 0, 0, pointer, 0, column,
                 "%s", msg))
        return dsj_error_set(err, DSJ_E_ABORTED, NULL, 0, 0, 0, "stopped by the findings callback at %s", rule);
    return DSJ_OK;
}

/* The define's ItemGroupDef for this dataset: by itemGroupOID, else by name. */
static const dsj_define_itemgroup_t *dxw_define_group(const dsj_define_t *def, const char *ig_oid, const char *name)
{
    const dsj_define_itemgroup_t *ig = ig_oid ? dsj_define_itemgroup_find(def, ig_oid) : NULL;
    if (!ig && name) ig = dsj_define_itemgroup_find_by_name(def, name);
    return ig;
}

static int dxw_group_has_item(const dsj_define_itemgroup_t *ig, const char *item_oid)
{
    size_t k;
    for (k = 0; k < ig->n_itemrefs; k++)
        if (ig->itemrefs[k].item_oid && strcmp(ig->itemrefs[k].item_oid, item_oid) == 0) return 1;
    return 0;
}

/* The ItemOID of the ItemRef whose ItemDef has this Name (for a column without itemOID), or NULL. */
static const char *dxw_group_item_by_name(const dsj_define_itemgroup_t *ig, const char *name)
{
    size_t k;
    for (k = 0; ig && name && k < ig->n_itemrefs; k++) {
        const dsj_define_itemdef_t *d = ig->itemrefs[k].itemdef;
        if (d && d->name && strcmp(d->name, name) == 0) return ig->itemrefs[k].item_oid;
    }
    return NULL;
}

/* An OID attribute value: the dataset's, else the define's, else fail naming what to pass. */
static dsj_status_t dxw_required_oid(dxw_t *w, dsj_meta_attr_t a, const char *def_value, const char *xml_name,
                                     const char *json_name, const char **out, dsj_error_t *err)
{
    const char *v = dsj_meta_get(w->meta, a);
    char ptr[64];
    if (v && *v) {
        if (def_value && strcmp(v, def_value) != 0) {
            snprintf(ptr, sizeof ptr, "/%s", json_name);
            dsj_status_t st = dxw_finding(w, a == DSJ_META_STUDY_OID ? "DXML-W-STUDYOID" : "DXML-W-MDVOID", ptr,
                                          NULL, err, "%s \"%s\" differs from the define's \"%s\"; the dataset's "
                                          "value is written", json_name, v, def_value);
            if (st != DSJ_OK) return st;
        }
        *out = v;
        return DSJ_OK;
    }
    if (def_value && *def_value) { *out = def_value; return DSJ_OK; }
    return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0,
                         "Dataset-XML needs %s but the dataset has no %s%s", xml_name, json_name,
                         w->define ? " and the define gives none: set it in the dataset"
                                   : ": pass the define (dsjson convert --define DEFINE.xml) or set it in the dataset");
}

/* Conversion time as an xs:dateTime in UTC; SOURCE_DATE_EPOCH (seconds) replaces "now" for reproducible output. */
static void dxw_now(char *out, size_t size)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    time_t t = time(NULL);
    struct tm tm;
    if (env && *env) {
        char *end = NULL;
        long long v = strtoll(env, &end, 10);
        if (end && !*end && v >= 0) t = (time_t)v;
    }
    if (!gmtime_r(&t, &tm)) memset(&tm, 0, sizeof tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* 1 when the metadata says reference data: 1.0 referenceData, or the root attribute "isReferenceData": true
   (found in the Dataset-JSON 1.1 drafts and the official extensions example). */
static int dxw_meta_reference(const dsj_meta_t *meta)
{
    struct json_object *ex = dsj_meta_extra(meta), *v = NULL;
    if (dsj_meta_is_reference_data(meta)) return 1;
    return ex && json_object_is_type(ex, json_type_object) && json_object_object_get_ex(ex, "isReferenceData", &v) &&
           json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/* Attributes the library does not model (extensions, unknown keys) have no place in Dataset-XML. */
static dsj_status_t dxw_report_extras(dxw_t *w, const dsj_meta_t *meta, dsj_error_t *err)
{
    struct json_object *ex = dsj_meta_extra(meta);
    if (!ex || !json_object_is_type(ex, json_type_object)) return DSJ_OK;
    {
        json_object_object_foreach(ex, key, val) {
            char ptr[300];
            dsj_status_t st;
            if (strcmp(key, "isReferenceData") == 0 && json_object_is_type(val, json_type_boolean)) continue;
            snprintf(ptr, sizeof ptr, "/%s", key);
            st = dxw_finding(w, "DXML-W-EXTRA", ptr, NULL, err,
                             "attribute \"%s\" has no Dataset-XML counterpart: not written%s%s", key, NULL, NULL);
            if (st != DSJ_OK) return st;
        }
    }
    return DSJ_OK;
}

/* Build group_open and every column's ItemData prefix; check the columns against the define. */
static dsj_status_t dxw_prepare_columns(dxw_t *w, const char *ig_oid, const dsj_define_itemgroup_t *ig,
                                        dsj_error_t *err)
{
    size_t i;
    dsj_status_t st;
    /* The prefixes are escaped with the output buffer's escaper: build them in w->buf, then move them. */
    w->prefix_off = dsj_calloc(w->ncols + 1, sizeof *w->prefix_off);
    if (!w->prefix_off) return dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
    if ((st = dxw_attr(w, "<ItemGroupData", " ItemGroupOID", ig_oid, "itemGroupOID", err)) != DSJ_OK) return st;
    if ((st = dxw_puts(w, " data:ItemGroupDataSeq=\"", err)) != DSJ_OK) return st;
    if (dsj_buf_append(&w->group_open, w->buf, w->len)) return dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
    w->len = 0;
    for (i = 0; i < w->ncols; i++) {
        const dsj_column_t *c = dsj_meta_column(w->meta, i);
        const char *oid = c->item_oid;
        char ptr[64], what[600];
        snprintf(ptr, sizeof ptr, "/columns/%zu/itemOID", i);
        if (!oid || !*oid) {
            oid = dxw_group_item_by_name(ig, c->name);
            if (!oid)
                return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0,
                                     "column %zu (%s) has no itemOID, which Dataset-XML needs for ItemData/@ItemOID%s",
                                     i + 1, c->name ? c->name : "unnamed",
                                     w->define ? " (and the define's ItemGroupDef has no ItemDef of that name)"
                                               : ": pass the define (--define DEFINE.xml) or set itemOID");
            if ((st = dxw_finding(w, "DXML-W-ITEMOID-FROM-DEFINE", ptr, c->name, err,
                                  "column %s has no itemOID: ItemOID \"%s\" taken from the define%s", c->name, oid,
                                  NULL)) != DSJ_OK)
                return st;
        } else if (ig && !dxw_group_has_item(ig, oid)) {
            if ((st = dxw_finding(w, "DXML-W-ITEMOID", ptr, c->name, err,
                                  "column %s: itemOID \"%s\" is not an ItemRef of the define's ItemGroupDef \"%s\"",
                                  c->name, oid, ig->oid)) != DSJ_OK)
                return st;
        }
        snprintf(what, sizeof what, "column %zu (%s) itemOID", i + 1, c->name ? c->name : "unnamed");
        if ((st = dxw_attr(w, "<ItemData", " ItemOID", oid, what, err)) != DSJ_OK) return st;
        if ((st = dxw_puts(w, " Value=\"", err)) != DSJ_OK) return st;
        w->prefix_off[i] = w->prefixes.len;
        if (dsj_buf_append(&w->prefixes, w->buf, w->len)) return dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        w->len = 0;
    }
    w->prefix_off[w->ncols] = w->prefixes.len;
    return DSJ_OK;
}

static dsj_status_t dxw_begin(void *ctx, const dsj_meta_t *meta, dsj_sink_t *sink, dsj_error_t *err)
{
    dxw_t *w = ctx;
    const dsj_define_itemgroup_t *ig = NULL;
    const char *ig_oid = dsj_meta_get(meta, DSJ_META_ITEMGROUP_OID);
    const char *name = dsj_meta_get(meta, DSJ_META_NAME);
    const char *study = NULL, *mdv = NULL, *file_oid, *as_of, *prior = NULL;
    char derived[1024], now[40];
    int reference = dxw_meta_reference(meta);
    dsj_status_t st;

    w->meta = meta;
    w->sink = sink;
    w->ncols = dsj_meta_ncolumns(meta);
    if (w->define) {
        ig = dxw_define_group(w->define, ig_oid, name);
        if (!ig) {
            if ((st = dxw_finding(w, "DXML-W-ITEMGROUP", "/itemGroupOID", NULL, err,
                                  "itemGroupOID \"%s\" (name %s) has no ItemGroupDef in the define%s", ig_oid,
                                  name ? name : "absent", NULL)) != DSJ_OK)
                return st;
        } else if (ig_oid && ig->oid && strcmp(ig_oid, ig->oid) != 0) {
            if ((st = dxw_finding(w, "DXML-W-ITEMGROUP", "/itemGroupOID", NULL, err,
                                  "itemGroupOID \"%s\" is not in the define; its ItemGroupDef named %s has OID "
                                  "\"%s\": the dataset's value is written", ig_oid, name, ig->oid)) != DSJ_OK)
                return st;
        }
        if (ig) {
            if (reference && !ig->is_reference_data &&
                (st = dxw_finding(w, "DXML-W-REFDATA", "/referenceData", NULL, err,
                                  "the dataset says referenceData but the define's ItemGroupDef \"%s\" is not "
                                  "IsReferenceData=\"Yes\": written as ClinicalData%s%s", ig->oid, NULL, NULL)) != DSJ_OK)
                return st;
            reference = ig->is_reference_data;
        }
        prior = w->define->odm_file_oid && *w->define->odm_file_oid ? w->define->odm_file_oid : NULL;
    }
    if (!ig_oid || !*ig_oid) {
        if (!ig || !ig->oid)
            return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0,
                                 "Dataset-XML needs ItemGroupData/@ItemGroupOID but the dataset has no itemGroupOID%s",
                                 w->define ? " and the define has no ItemGroupDef of that name"
                                           : ": pass the define (--define DEFINE.xml) or set itemGroupOID");
        ig_oid = ig->oid;
    }
    if ((st = dxw_required_oid(w, DSJ_META_STUDY_OID, w->define ? dsj_define_study_oid(w->define) : NULL,
                               "ClinicalData/@StudyOID", "studyOID", &study, err)) != DSJ_OK ||
        (st = dxw_required_oid(w, DSJ_META_METADATA_VERSION_OID, w->define ? dsj_define_mdv_oid(w->define) : NULL,
                               "ClinicalData/@MetaDataVersionOID", "metaDataVersionOID", &mdv, err)) != DSJ_OK)
        return st;
    file_oid = dsj_meta_get(meta, DSJ_META_FILE_OID);
    if (!file_oid || !*file_oid) {
        snprintf(derived, sizeof derived, "%s.%s", study, name && *name ? name : ig_oid);
        file_oid = derived;
    }
    /* AsOfDateTime: 1.0 asOfDateTime (kept for backends by the writer core), else dbLastModifiedDateTime. */
    as_of = dsj_meta_get(meta, DSJ_META_AS_OF_DATETIME);
    if (!as_of) as_of = dsj_meta_get(meta, DSJ_META_DB_LAST_MODIFIED_DATETIME);
    if (as_of && !dsj_iso8601_metadata_datetime(as_of, strlen(as_of))) {
        if ((st = dxw_finding(w, "DXML-W-ASOF", "/dbLastModifiedDateTime", NULL, err,
                              "\"%s\" is not a complete date-time (YYYY-MM-DDThh:mm:ss), which ODM/@AsOfDateTime "
                              "needs: AsOfDateTime omitted%s%s", as_of, NULL, NULL)) != DSJ_OK)
            return st;
        as_of = NULL;
    }
    dxw_now(now, sizeof now);
    if ((st = dxw_report_extras(w, meta, err)) != DSJ_OK) return st;

    if ((st = dxw_prepare_columns(w, ig_oid, ig, err)) != DSJ_OK) return st;

    if ((st = dxw_puts(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ODM\n"
                          "xmlns=\"http://www.cdisc.org/ns/odm/v1.3\"\n"
                          "xmlns:data=\"http://www.cdisc.org/ns/Dataset-XML/v1.0\"\n"
                          "ODMVersion=\"1.3.2\"\nFileType=\"Snapshot\"", err)) != DSJ_OK ||
        (st = dxw_attr(w, "\n", "FileOID", file_oid, "fileOID", err)) != DSJ_OK ||
        (st = dxw_attr(w, "\n", "PriorFileOID", prior, "the define's FileOID", err)) != DSJ_OK ||
        (st = dxw_attr(w, "\n", "CreationDateTime", now, "CreationDateTime", err)) != DSJ_OK ||
        (st = dxw_attr(w, "\n", "AsOfDateTime", as_of, "dbLastModifiedDateTime", err)) != DSJ_OK ||
        (st = dxw_attr(w, "\n", "Originator", dsj_meta_get(meta, DSJ_META_ORIGINATOR), "originator", err)) != DSJ_OK ||
        (st = dxw_attr(w, "\n", "SourceSystem", dsj_meta_get(meta, DSJ_META_SOURCE_SYSTEM_NAME), "sourceSystem.name",
                       err)) != DSJ_OK ||
        (st = dxw_attr(w, "\n", "SourceSystemVersion", dsj_meta_get(meta, DSJ_META_SOURCE_SYSTEM_VERSION),
                       "sourceSystem.version", err)) != DSJ_OK ||
        (st = dxw_puts(w, "\ndata:DatasetXMLVersion=\"1.0.0\">\n", err)) != DSJ_OK)
        return st;
    w->close_tag = reference ? "</ReferenceData>\n" : "</ClinicalData>\n";
    if ((st = dxw_attr(w, reference ? "<ReferenceData" : "<ClinicalData", " StudyOID", study, "studyOID",
                       err)) != DSJ_OK ||
        (st = dxw_attr(w, " ", "MetaDataVersionOID", mdv, "metaDataVersionOID", err)) != DSJ_OK)
        return st;
    return dxw_out(w, ">\n", 2, err);
}

/* ---------------------------------------------------------------- rows */

static dsj_status_t dxw_cell_error(dxw_t *w, const dsj_row_t *row, size_t i, int r, size_t at, uint32_t cp,
                                   dsj_error_t *err)
{
    const dsj_column_t *c = dsj_meta_column(w->meta, i);
    const char *name = c && c->name ? c->name : "unnamed";
    char ptr[64];
    dsj_status_t st;
    if (r == DXW_ESC_UTF8)
        st = dsj_error_set(err, DSJ_E_ENCODING, NULL, 0, 0, 0, "row %llu, column %s: invalid UTF-8 at byte %zu of the value",
                           (unsigned long long)row->index, name, at);
    else
        st = dsj_error_set(err, DSJ_E_ENCODING, NULL, 0, 0, 0,
                           "row %llu, column %s: character U+%04X (byte %zu of the value) is not allowed in XML 1.0, "
                           "so Dataset-XML cannot carry it", (unsigned long long)row->index, name, (unsigned)cp, at);
    snprintf(ptr, sizeof ptr, "/rows/%llu/%zu", (unsigned long long)(row->index ? row->index - 1 : 0), i);
    dsj_error_set_pointer(err, ptr);
    return st;
}

static dsj_status_t dxw_row(void *ctx, const dsj_row_t *row, dsj_error_t *err)
{
    dxw_t *w = ctx;
    char num[24];
    size_t i, n = row->ncells < w->ncols ? row->ncells : w->ncols;
    dsj_status_t st;
    int k;
    w->seq++;
    k = snprintf(num, sizeof num, "%llu\">\n", (unsigned long long)w->seq);
    if ((st = dxw_out(w, w->group_open.data, w->group_open.len, err)) != DSJ_OK ||
        (st = dxw_out(w, num, (size_t)k, err)) != DSJ_OK)
        return st;
    for (i = 0; i < n; i++) {
        const dsj_cell_t *c = &row->cells[i];
        if (c->kind == DSJ_CELL_NULL || !c->text) continue;
        if ((st = dxw_out(w, w->prefixes.data + w->prefix_off[i], w->prefix_off[i + 1] - w->prefix_off[i], err)) != DSJ_OK)
            return st;
        if (c->kind == DSJ_CELL_STRING) {
            size_t at = 0;
            uint32_t cp = 0;
            int r = dxw_escaped(w, c->text, c->len, &at, &cp, err);
            if (r == DXW_ESC_IO) return err ? err->code : DSJ_E_IO;
            if (r != DXW_ESC_OK) return dxw_cell_error(w, row, i, r, at, cp, err);
        } else if ((st = dxw_out(w, c->text, c->len, err)) != DSJ_OK) { /* number token, true/false */
            return st;
        }
        if ((st = dxw_out(w, "\"/>\n", 4, err)) != DSJ_OK) return st;
    }
    return dxw_out(w, "</ItemGroupData>\n", 17, err);
}

static dsj_status_t dxw_end(void *ctx, dsj_error_t *err)
{
    dxw_t *w = ctx;
    dsj_status_t st;
    if ((st = dxw_puts(w, w->close_tag, err)) != DSJ_OK || (st = dxw_puts(w, "</ODM>\n", err)) != DSJ_OK ||
        (st = dxw_flush(w, err)) != DSJ_OK)
        return st;
    return dsj_sink_commit(w->sink, err);
}

static void dxw_free(void *ctx)
{
    dxw_t *w = ctx;
    if (!w) return;
    dsj_free(w->buf);
    dsj_buf_free(&w->group_open);
    dsj_buf_free(&w->prefixes);
    dsj_free(w->prefix_off);
    dsj_free(w);
}

static const dsj_writer_backend_t dxw_backend = {"dataset-xml", dxw_begin, dxw_row, dxw_end, dxw_free};

dsj_status_t dsj_datasetxml_writer_new(const dsj_writer_options_t *opts, const dsj_writer_backend_t **backend,
                                       void **ctx, dsj_error_t *err)
{
    dxw_t *w = dsj_calloc(1, sizeof *w);
    if (w) w->buf = dsj_malloc(DXW_BUF_SIZE);
    if (!w || !w->buf) {
        dsj_free(w);
        return dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
    }
    if (opts) {
        w->on_finding = opts->on_finding;
        w->finding_ctx = opts->finding_ctx;
        w->define = opts->define;
    }
    dsj_buf_init(&w->group_open);
    dsj_buf_init(&w->prefixes);
    w->close_tag = "</ClinicalData>\n";
    *backend = &dxw_backend;
    *ctx = w;
    return DSJ_OK;
}
