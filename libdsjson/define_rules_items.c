/*
 * Standalone Define-XML validation, part 2: ItemDefs, CodeLists, value-level
 * metadata (ValueListDef, WhereClauseDef), MethodDefs, CommentDefs, OID
 * uniqueness and orphans.  Rule IDs and sources: docs/rules.md.
 */
#include "define_internal.h"

#include <stdio.h>
#include <strings.h>

static const char *const dt_define20[] = {"text", "integer", "float", "datetime", "date", "time", "partialDate",
                                          "partialTime", "partialDatetime", "incompleteDatetime", "durationDatetime", NULL};
static const char *const dt_define21[] = {"text", "integer", "float", "datetime", "date", "time", "partialDate", "partialTime",
                                          "partialDatetime", "incompleteDatetime", "durationDatetime", "intervalDatetime", NULL};
static const char *const dt_odm[] = {"string", "double", "URI", "boolean", "hexBinary", "base64Binary", "hexFloat",
                                     "base64Float", "incompleteDate", "incompleteTime", NULL};
static const char *const dt_with_length[] = {"text", "integer", "float", NULL};
static const char *const cl_types[] = {"text", "integer", "float", "string", NULL};
static const char *const origin20[] = {"CRF", "Derived", "Assigned", "Protocol", "eDT", "Predecessor", NULL};
static const char *const origin21[] = {"Collected", "Derived", "Assigned", "Protocol", "Predecessor", "Not Available", "Other", NULL};
static const char *const sources21[] = {"Subject", "Investigator", "Vendor", "Sponsor", NULL};
static const char *const method_types[] = {"Computation", "Imputation", "Transpose", "Other", NULL};
static const char *const yes_only[] = {"Yes", NULL};

static int is_number(const char *s, int integer)
{
    char *end;
    int64_t v;
    if (!s || !*s) return 0;
    if (integer) return dsj_define_parse_int(s, &v);
    (void)strtod(s, &end);
    return *end == '\0' && end != s && s[0] != ' ';
}

/* SAS format text: optional $, a name (letters, digits, _), a width, '.', decimals. */
static int display_format_ok(const char *f)
{
    const char *p = f;
    int before = 0;
    if (*p == '$') p++;
    while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_') {
        p++;
        before++;
    }
    if (*p != '.' || !before) return 0;
    for (p++; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    return 1;
}

/* Expected CodeList DataType for an ItemDef DataType. */
static const char *cl_type_for(const char *dt)
{
    if (!dt) return NULL;
    if (strcmp(dt, "integer") == 0 || strcmp(dt, "float") == 0) return dt;
    return "text";
}

static void check_origins(dsj_dr_t *r, const dsj_define_itemdef_t *it, const char *ptr)
{
    const dsj_define_t *d = r->def;
    int v21 = d->kind == DSJ_DEFINE_V2_1;
    size_t k;
    char owner[300];
    snprintf(owner, sizeof owner, "ItemDef '%s' def:Origin", dsj_dr_show(it->oid));
    if (v21 && it->n_origins > 1)
        dsj_dr_emit(r, "DEF-ID-ORIGIN", DSJ_SEV_ERROR, it->origins[1].line, ptr,
                    "ItemDef '%s': %zu def:Origin elements; Define-XML 2.1 allows at most 1", dsj_dr_show(it->oid), it->n_origins);
    for (k = 0; k < it->n_origins && !r->stop; k++) {
        const dsj_define_origin_t *o = &it->origins[k];
        if (!o->type) {
            dsj_dr_emit(r, "DEF-ID-ORIGIN", DSJ_SEV_ERROR, o->line, ptr, "ItemDef '%s': def:Origin without the required Type",
                        dsj_dr_show(it->oid));
        } else if (!dsj_dr_in(o->type, v21 ? origin21 : origin20)) {
            dsj_dr_emit(r, "DEF-ID-ORIGIN", v21 ? DSJ_SEV_ERROR : DSJ_SEV_WARNING, o->line, ptr,
                        "ItemDef '%s': def:Origin Type '%s' is not one of %s", dsj_dr_show(it->oid), o->type,
                        v21 ? "Collected, Derived, Assigned, Protocol, Predecessor, Not Available, Other"
                            : "CRF, Derived, Assigned, Protocol, eDT, Predecessor");
        }
        if (o->source && !v21)
            dsj_dr_emit(r, "DEF-ID-ORIGIN", DSJ_SEV_ERROR, o->line, ptr, "ItemDef '%s': def:Origin Source is a Define-XML 2.1 attribute",
                        dsj_dr_show(it->oid));
        else if (o->source && !dsj_dr_in(o->source, sources21))
            dsj_dr_emit(r, "DEF-ID-ORIGIN", DSJ_SEV_ERROR, o->line, ptr,
                        "ItemDef '%s': def:Origin Source '%s' is not one of Subject, Investigator, Vendor, Sponsor",
                        dsj_dr_show(it->oid), o->source);
        if (o->type && o->n_docrefs == 0 && d->odm_context && strcmp(d->odm_context, "Submission") == 0 && v21 &&
            strcmp(o->type, "Collected") == 0 && o->source &&
            (strcmp(o->source, "Investigator") == 0 || strcmp(o->source, "Subject") == 0))
            dsj_dr_emit(r, "DEF-ID-ORIGIN-CRF", DSJ_SEV_ERROR, o->line, ptr,
                        "ItemDef '%s' (%s) is Collected from the %s but has no def:DocumentRef to the annotated CRF",
                        dsj_dr_show(it->oid), dsj_dr_show(it->name), o->source);
        if (o->type && !v21 && strcmp(o->type, "CRF") == 0 && o->n_docrefs == 0)
            dsj_dr_emit(r, "DEF-ID-ORIGIN-CRF", DSJ_SEV_WARNING, o->line, ptr,
                        "ItemDef '%s' (%s) has a CRF origin but no def:DocumentRef to the annotated CRF pages",
                        dsj_dr_show(it->oid), dsj_dr_show(it->name));
        if (o->type && strcmp(o->type, "Predecessor") == 0 && dsj_dr_blank(o->description))
            dsj_dr_emit(r, "DEF-ID-ORIGIN", DSJ_SEV_WARNING, o->line, ptr,
                        "ItemDef '%s': a Predecessor origin should name the predecessor variable in its Description",
                        dsj_dr_show(it->oid));
        dsj_dr_docrefs(r, o->docrefs, o->n_docrefs, owner, ptr);
    }
}

/* CodeList consistency with the ItemDef using it: DataType, coded value length and type. */
static void check_itemdef_codelist(dsj_dr_t *r, const dsj_define_itemdef_t *it, const char *ptr)
{
    const dsj_define_codelist_t *cl = it->codelist;
    const char *want;
    size_t j, nlong = 0;
    const char *first_long = NULL;
    if (!cl) return;
    want = cl_type_for(it->data_type);
    if (want && cl->data_type && dsj_dr_in(cl->data_type, cl_types)) {
        const char *have = strcmp(cl->data_type, "string") == 0 ? "text" : cl->data_type;
        if (strcmp(want, have) != 0)
            dsj_dr_emit(r, "DEF-ID-CL-TYPE", DSJ_SEV_ERROR, it->line, ptr,
                        "ItemDef '%s' (%s, DataType %s) uses CodeList '%s' whose DataType is %s", dsj_dr_show(it->oid),
                        dsj_dr_show(it->name), it->data_type, dsj_dr_show(cl->oid), cl->data_type);
    }
    if (it->length <= 0 || !it->data_type || strcmp(it->data_type, "text") != 0) return;
    for (j = 0; j < cl->n_items; j++)
        if (cl->items[j].coded_value && (int64_t)dsj_dr_utf8_len(cl->items[j].coded_value) > it->length) {
            if (!first_long) first_long = cl->items[j].coded_value;
            nlong++;
        }
    if (nlong)
        dsj_dr_emit(r, "DEF-ID-CL-LENGTH", DSJ_SEV_WARNING, it->line, ptr,
                    "ItemDef '%s' (%s) has Length %lld but %zu coded value%s of CodeList '%s' %s longer (e.g. '%s')",
                    dsj_dr_show(it->oid), dsj_dr_show(it->name), (long long)it->length, nlong, nlong == 1 ? "" : "s",
                    dsj_dr_show(cl->oid), nlong == 1 ? "is" : "are", first_long);
}

static void check_itemdef(dsj_dr_t *r, size_t i)
{
    const dsj_define_t *d = r->def;
    const dsj_define_itemdef_t *it = &d->itemdefs[i];
    int v21 = d->kind == DSJ_DEFINE_V2_1;
    char p[512], owner[300];
    const char *ptr = dsj_dr_ptr(p, sizeof p, NULL, "ItemDef", "OID", it->oid, i);
    const char *id = dsj_dr_show(it->oid);
    const char *dt = it->data_type;
    int64_t v;

    snprintf(owner, sizeof owner, "ItemDef '%s'", id);
    if (!it->oid || !it->name || !dt)
        dsj_dr_emit(r, "DEF-ID-REQUIRED", DSJ_SEV_ERROR, it->line, ptr, "ItemDef '%s' (%s): OID, Name and DataType are required", id,
                    dsj_dr_show(it->name));
    if (!v21 && !it->sas_field_name)
        dsj_dr_emit(r, "DEF-ID-REQUIRED", DSJ_SEV_ERROR, it->line, ptr, "ItemDef '%s' (%s): Define-XML 2.0 requires SASFieldName", id,
                    dsj_dr_show(it->name));
    if (dsj_dr_blank(it->description) && (!v21 || r->in_itemgroup[i]))
        dsj_dr_emit(r, "DEF-ID-DESCRIPTION", v21 ? DSJ_SEV_WARNING : DSJ_SEV_ERROR, it->line, ptr,
                    "ItemDef '%s' (%s): a non-empty Description (the variable label) is %s", id, dsj_dr_show(it->name),
                    v21 ? "expected" : "required");
    /* DataType */
    if (dt && !dsj_dr_in(dt, v21 ? dt_define21 : dt_define20)) {
        if (dsj_dr_in(dt, dt_odm) || (!v21 && strcmp(dt, "intervalDatetime") == 0))
            dsj_dr_emit(r, "DEF-ID-DATATYPE", DSJ_SEV_ERROR, it->line, ptr,
                        "ItemDef '%s' (%s): DataType '%s' is an ODM type that Define-XML %s does not allow", id,
                        dsj_dr_show(it->name), dt, v21 ? "2.1" : "2.0");
        else
            dsj_dr_emit(r, "DEF-ID-DATATYPE", DSJ_SEV_ERROR, it->line, ptr, "ItemDef '%s' (%s): unknown DataType '%s'", id,
                        dsj_dr_show(it->name), dt);
    }
    /* Length */
    if (it->length_text && !(dsj_define_parse_int(it->length_text, &v) && v > 0))
        dsj_dr_emit(r, "DEF-ID-LENGTH", DSJ_SEV_ERROR, it->line, ptr, "ItemDef '%s': Length '%s' is not a positive integer", id,
                    it->length_text);
    if (dt && dsj_dr_in(dt, dt_with_length) && !it->length_text)
        dsj_dr_emit(r, "DEF-ID-LENGTH", DSJ_SEV_ERROR, it->line, ptr, "ItemDef '%s' (%s): Length is required for DataType %s", id,
                    dsj_dr_show(it->name), dt);
    if (dt && it->length_text && !dsj_dr_in(dt, dt_with_length) && dsj_dr_in(dt, v21 ? dt_define21 : dt_define20))
        dsj_dr_emit(r, "DEF-ID-LENGTH-DATE", DSJ_SEV_INFO, it->line, ptr,
                    "ItemDef '%s' (%s): Length is given for DataType %s, where it does not apply", id, dsj_dr_show(it->name), dt);
    /* SignificantDigits */
    if (it->significant_digits_text) {
        if (!(dsj_define_parse_int(it->significant_digits_text, &v) && v >= 0))
            dsj_dr_emit(r, "DEF-ID-SIGDIGITS", DSJ_SEV_ERROR, it->line, ptr,
                        "ItemDef '%s': SignificantDigits '%s' is not a non-negative integer", id, it->significant_digits_text);
        else if (dt && strcmp(dt, "float") != 0 && dsj_dr_in(dt, v21 ? dt_define21 : dt_define20))
            dsj_dr_emit(r, "DEF-ID-SIGDIGITS", DSJ_SEV_ERROR, it->line, ptr,
                        "ItemDef '%s' (%s): SignificantDigits is only allowed for DataType float (here %s)", id,
                        dsj_dr_show(it->name), dt);
        else if (it->length > 0 && v > it->length)
            dsj_dr_emit(r, "DEF-ID-SIGDIGITS", DSJ_SEV_ERROR, it->line, ptr,
                        "ItemDef '%s' (%s): SignificantDigits %lld is larger than Length %lld", id, dsj_dr_show(it->name),
                        (long long)v, (long long)it->length);
    } else if (dt && strcmp(dt, "float") == 0) {
        dsj_dr_emit(r, "DEF-ID-SIGDIGITS", DSJ_SEV_WARNING, it->line, ptr,
                    "ItemDef '%s' (%s): SignificantDigits is expected for DataType float", id, dsj_dr_show(it->name));
    }
    /* SAS names and display format */
    if (it->sas_field_name && dsj_dr_utf8_len(it->sas_field_name) > 8)
        dsj_dr_emit(r, "DEF-ID-SASNAME", DSJ_SEV_ERROR, it->line, ptr, "ItemDef '%s': SASFieldName '%s' is longer than 8 characters", id,
                    it->sas_field_name);
    if (it->name && r->in_itemgroup[i] && dsj_dr_utf8_len(it->name) > 8)
        dsj_dr_emit(r, "DEF-ID-SASNAME", DSJ_SEV_WARNING, it->line, ptr,
                    "ItemDef '%s': Name '%s' is longer than 8 characters (not usable as a SAS V5 transport name)", id, it->name);
    if (it->display_format && !display_format_ok(it->display_format))
        dsj_dr_emit(r, "DEF-ID-DISPLAYFORMAT", DSJ_SEV_WARNING, it->line, ptr,
                    "ItemDef '%s': def:DisplayFormat '%s' is not a SAS format (name, width, '.', decimals)", id, it->display_format);
    /* References */
    dsj_dr_ref(r, "DEF-REF-CODELIST", &d->map_codelist, r->used_codelist, d->codelists, sizeof *d->codelists, it->codelist_oid,
               "CodeList", it->line, ptr, owner);
    dsj_dr_ref(r, "DEF-REF-VALUELIST", &d->map_valuelist, r->used_valuelist, d->valuelists, sizeof *d->valuelists,
               it->valuelist_oid, "def:ValueListDef", it->line, ptr, owner);
    dsj_dr_ref(r, "DEF-REF-COMMENT", &d->map_comment, r->used_comment, d->comments, sizeof *d->comments, it->comment_oid,
               "def:CommentDef", it->line, ptr, owner);
    check_origins(r, it, ptr);
    check_itemdef_codelist(r, it, ptr);
}

static void check_codelist(dsj_dr_t *r, size_t i)
{
    const dsj_define_t *d = r->def;
    const dsj_define_codelist_t *cl = &d->codelists[i];
    int v21 = d->kind == DSJ_DEFINE_V2_1;
    char p[512], owner[300];
    const char *ptr = dsj_dr_ptr(p, sizeof p, NULL, "CodeList", "OID", cl->oid, i);
    const char *id = dsj_dr_show(cl->oid);
    size_t j, k, n_rank[2] = {0, 0}, n_order[2] = {0, 0}, n_kind[2] = {0, 0};
    int integer = cl->data_type && strcmp(cl->data_type, "integer") == 0;
    int numeric = integer || (cl->data_type && strcmp(cl->data_type, "float") == 0);

    dsj_oidmap_t orders[2];
    memset(orders, 0, sizeof orders);
    if (dsj_oidmap_init(&orders[0], cl->n_items) != 0 || dsj_oidmap_init(&orders[1], cl->n_items) != 0) {
        dsj_oidmap_free(&orders[0]);
        memset(orders, 0, sizeof orders); /* no memory: skip the OrderNumber duplicate check */
    }
    snprintf(owner, sizeof owner, "CodeList '%s'", id);
    if (!cl->oid || !cl->name || !cl->data_type)
        dsj_dr_emit(r, "DEF-CL-REQUIRED", DSJ_SEV_ERROR, cl->line, ptr, "CodeList '%s' (%s): OID, Name and DataType are required", id,
                    dsj_dr_show(cl->name));
    if (cl->data_type && !dsj_dr_in(cl->data_type, cl_types))
        dsj_dr_emit(r, "DEF-CL-DATATYPE", DSJ_SEV_ERROR, cl->line, ptr,
                    "CodeList '%s': DataType '%s' is not one of text, integer, float, string", id, cl->data_type);
    if (d->codelist_n_external[i] > 1 ||
        (d->codelist_n_external[i] && (d->codelist_has_codelistitem[i] || d->codelist_has_enumerated[i])) ||
        (d->codelist_has_codelistitem[i] && d->codelist_has_enumerated[i]))
        dsj_dr_emit(r, "DEF-CL-ITEMS", DSJ_SEV_ERROR, cl->line, ptr,
                    "CodeList '%s': CodeListItem, EnumeratedItem and ExternalCodeList exclude each other", id);
    else if (!d->codelist_n_external[i] && cl->n_items == 0)
        dsj_dr_emit(r, "DEF-CL-ITEMS", DSJ_SEV_ERROR, cl->line, ptr,
                    "CodeList '%s' (%s) has no CodeListItem, EnumeratedItem or ExternalCodeList", id, dsj_dr_show(cl->name));
    if (v21) {
        if (cl->standard_oid && cl->is_non_standard)
            dsj_dr_emit(r, "DEF-CL-STANDARD", DSJ_SEV_ERROR, cl->line, ptr,
                        "CodeList '%s': def:StandardOID and def:IsNonStandard=\"Yes\" exclude each other", id);
        else if (!cl->is_external && !cl->standard_oid && !cl->is_non_standard)
            dsj_dr_emit(r, "DEF-CL-STANDARD", DSJ_SEV_ERROR, cl->line, ptr,
                        "CodeList '%s' (%s): either def:StandardOID or def:IsNonStandard=\"Yes\" is required", id,
                        dsj_dr_show(cl->name));
        if (cl->nci_code && !cl->standard_oid)
            dsj_dr_emit(r, "DEF-CL-STANDARD", DSJ_SEV_ERROR, cl->line, ptr,
                        "CodeList '%s' (%s) has NCI code %s, so it should reference a standard (def:StandardOID)", id,
                        dsj_dr_show(cl->name), cl->nci_code);
        if (cl->is_non_standard && !dsj_dr_in(cl->is_non_standard, yes_only))
            dsj_dr_emit(r, "DEF-CL-STANDARD", DSJ_SEV_ERROR, cl->line, ptr, "CodeList '%s': def:IsNonStandard must be 'Yes' when present",
                        id);
        dsj_dr_ref(r, "DEF-REF-STANDARD", &d->map_standard, r->used_standard, d->standards, sizeof *d->standards, cl->standard_oid,
                   "def:Standard", cl->line, ptr, owner);
    }
    dsj_dr_ref(r, "DEF-REF-COMMENT", &d->map_comment, r->used_comment, d->comments, sizeof *d->comments, cl->comment_oid,
               "def:CommentDef", cl->line, ptr, owner);
    for (j = 0; j < cl->n_items && !r->stop; j++) {
        const dsj_define_codeitem_t *ci = &cl->items[j];
        char ip[800];
        const char *iptr = dsj_dr_ptr(ip, sizeof ip, ptr, ci->enumerated ? "EnumeratedItem" : "CodeListItem", "CodedValue",
                                      ci->coded_value, j);
        int e = ci->enumerated ? 1 : 0;
        n_kind[e]++;
        if (ci->rank_text) n_rank[e]++;
        if (ci->order_number_text) n_order[e]++;
        if (!ci->coded_value) {
            dsj_dr_emit(r, "DEF-CL-REQUIRED", DSJ_SEV_ERROR, ci->line, iptr, "CodeList '%s': item without the required CodedValue", id);
            continue;
        }
        if (!ci->enumerated && dsj_dr_blank(ci->decode))
            dsj_dr_emit(r, "DEF-CL-DECODE", DSJ_SEV_ERROR, ci->line, iptr,
                        "CodeList '%s': CodeListItem '%s' has no Decode/TranslatedText", id, ci->coded_value);
        if (numeric && !is_number(ci->coded_value, integer))
            dsj_dr_emit(r, "DEF-CL-VALUE-TYPE", DSJ_SEV_ERROR, ci->line, iptr, "CodeList '%s' (DataType %s): coded value '%s' is not %s",
                        id, cl->data_type, ci->coded_value, integer ? "an integer" : "a number");
        if (ci->rank_text && !is_number(ci->rank_text, 0))
            dsj_dr_emit(r, "DEF-CL-RANK", DSJ_SEV_ERROR, ci->line, iptr, "CodeList '%s': Rank '%s' of '%s' is not a number", id,
                        ci->rank_text, ci->coded_value);
        if (ci->order_number_text && !is_number(ci->order_number_text, 1))
            dsj_dr_emit(r, "DEF-CL-ORDER", DSJ_SEV_ERROR, ci->line, iptr, "CodeList '%s': OrderNumber '%s' of '%s' is not an integer", id,
                        ci->order_number_text, ci->coded_value);
        if (ci->extended_value && !dsj_dr_in(ci->extended_value, yes_only))
            dsj_dr_emit(r, "DEF-CL-ENUM", DSJ_SEV_ERROR, ci->line, iptr, "CodeList '%s': def:ExtendedValue of '%s' must be 'Yes'", id,
                        ci->coded_value);
        /* Constant-time duplicate checks: the code list index keeps the first item of each value. */
        if (dsj_define_codelist_item_find(d, cl, ci->coded_value, strlen(ci->coded_value)) != ci)
            dsj_dr_emit(r, "DEF-CL-VALUE-DUP", DSJ_SEV_ERROR, ci->line, iptr, "CodeList '%s': coded value '%s' appears twice", id,
                        ci->coded_value);
        if (ci->order_number_text && orders[e].cap) {
            int put = dsj_oidmap_put(&orders[e], ci->order_number_text, ci);
            if (put == 0) {
                const dsj_define_codeitem_t *first = dsj_oidmap_get(&orders[e], ci->order_number_text);
                dsj_dr_emit(r, "DEF-CL-ORDER-DUP", DSJ_SEV_ERROR, ci->line, iptr,
                            "CodeList '%s': OrderNumber %s is used by '%s' and '%s'", id, ci->order_number_text,
                            dsj_dr_show(first ? first->coded_value : NULL), ci->coded_value);
            }
        }
    }
    for (k = 0; k < 2; k++) {
        const char *what = k ? "EnumeratedItem" : "CodeListItem";
        if (n_rank[k] && n_rank[k] != n_kind[k])
            dsj_dr_emit(r, "DEF-CL-RANK", DSJ_SEV_ERROR, cl->line, ptr,
                        "CodeList '%s': Rank is given on %zu of %zu %s elements; it must be on all or none", id, n_rank[k], n_kind[k],
                        what);
        if (n_order[k] && n_order[k] != n_kind[k])
            dsj_dr_emit(r, "DEF-CL-ORDER", DSJ_SEV_ERROR, cl->line, ptr,
                        "CodeList '%s': OrderNumber is given on %zu of %zu %s elements; it must be on all or none", id, n_order[k],
                        n_kind[k], what);
    }
    dsj_oidmap_free(&orders[0]);
    dsj_oidmap_free(&orders[1]);
}

static void check_valuelists(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    size_t i, j, k;
    char p[512], owner[300];
    for (i = 0; i < d->n_valuelists && !r->stop; i++) {
        const dsj_define_valuelist_t *vl = &d->valuelists[i];
        const char *ptr = dsj_dr_ptr(p, sizeof p, NULL, "def:ValueListDef", "OID", vl->oid, i);
        snprintf(owner, sizeof owner, "def:ValueListDef '%s'", dsj_dr_show(vl->oid));
        if (!vl->oid)
            dsj_dr_emit(r, "DEF-VL-REQUIRED", DSJ_SEV_ERROR, vl->line, ptr, "def:ValueListDef without the required OID");
        if (vl->n_itemrefs == 0) {
            dsj_dr_emit(r, "DEF-VL-REQUIRED", DSJ_SEV_ERROR, vl->line, ptr, "%s has no ItemRef", owner);
            continue;
        }
        dsj_dr_itemrefs(r, vl->itemrefs, vl->n_itemrefs, owner, ptr);
        for (j = 0; j < vl->n_itemrefs && !r->stop; j++) {
            const dsj_define_itemref_t *ir = &vl->itemrefs[j];
            char ip[800];
            const char *iptr = dsj_dr_ptr(ip, sizeof ip, ptr, "ItemRef", "ItemOID", ir->item_oid, j);
            if (ir->n_where_clauses == 0)
                dsj_dr_emit(r, "DEF-VL-WHERE", DSJ_SEV_ERROR, ir->line, iptr, "%s: ItemRef '%s' has no def:WhereClauseRef", owner,
                            dsj_dr_show(ir->item_oid));
            for (k = 0; k < ir->n_where_clauses; k++) {
                if (!ir->where_clause_oids[k])
                    dsj_dr_emit(r, "DEF-VL-WHERE", DSJ_SEV_ERROR, ir->line, iptr,
                                "%s: def:WhereClauseRef without WhereClauseOID", owner);
                else if (!ir->where_clauses[k])
                    dsj_dr_emit(r, "DEF-REF-WHERECLAUSE", DSJ_SEV_ERROR, ir->line, iptr,
                                "%s: ItemRef '%s' refers to def:WhereClauseDef '%s', which does not exist", owner,
                                dsj_dr_show(ir->item_oid), ir->where_clause_oids[k]);
                else
                    r->used_whereclause[ir->where_clauses[k] - d->whereclauses] = 1;
            }
        }
    }
}

static void check_whereclauses(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    size_t i, j, k;
    char p[512], owner[300];
    for (i = 0; i < d->n_whereclauses && !r->stop; i++) {
        const dsj_define_whereclause_t *w = &d->whereclauses[i];
        const char *ptr = dsj_dr_ptr(p, sizeof p, NULL, "def:WhereClauseDef", "OID", w->oid, i);
        snprintf(owner, sizeof owner, "def:WhereClauseDef '%s'", dsj_dr_show(w->oid));
        if (!w->oid) dsj_dr_emit(r, "DEF-WC-REQUIRED", DSJ_SEV_ERROR, w->line, ptr, "def:WhereClauseDef without the required OID");
        if (w->n_checks == 0) dsj_dr_emit(r, "DEF-WC-REQUIRED", DSJ_SEV_ERROR, w->line, ptr, "%s has no RangeCheck", owner);
        dsj_dr_ref(r, "DEF-REF-COMMENT", &d->map_comment, r->used_comment, d->comments, sizeof *d->comments, w->comment_oid,
                   "def:CommentDef", w->line, ptr, owner);
        for (j = 0; j < w->n_checks && !r->stop; j++) {
            const dsj_define_rangecheck_t *rc = &w->checks[j];
            char rp[800];
            const char *rptr = dsj_dr_ptr(rp, sizeof rp, ptr, "RangeCheck", "def:ItemOID", rc->item_oid, j);
            int single;
            if (!rc->comparator_text || !rc->soft_hard || !rc->item_oid)
                dsj_dr_emit(r, "DEF-RC-REQUIRED", DSJ_SEV_ERROR, rc->line, rptr, "%s: RangeCheck needs Comparator, SoftHard and def:ItemOID",
                            owner);
            if (rc->comparator_text && rc->comparator == DSJ_DEFINE_CMP_UNKNOWN)
                dsj_dr_emit(r, "DEF-RC-ENUM", DSJ_SEV_ERROR, rc->line, rptr,
                            "%s: Comparator '%s' is not one of EQ, NE, LT, LE, GT, GE, IN, NOTIN", owner, rc->comparator_text);
            if (rc->soft_hard && strcmp(rc->soft_hard, "Soft") != 0 && strcmp(rc->soft_hard, "Hard") != 0)
                dsj_dr_emit(r, "DEF-RC-ENUM", DSJ_SEV_ERROR, rc->line, rptr, "%s: SoftHard '%s' is not Soft or Hard", owner, rc->soft_hard);
            if (rc->item_oid && !rc->itemdef)
                dsj_dr_emit(r, "DEF-REF-ITEMDEF", DSJ_SEV_ERROR, rc->line, rptr,
                            "%s: RangeCheck refers to ItemDef '%s', which does not exist", owner, rc->item_oid);
            single = rc->comparator != DSJ_DEFINE_CMP_IN && rc->comparator != DSJ_DEFINE_CMP_NOTIN &&
                     rc->comparator != DSJ_DEFINE_CMP_UNKNOWN;
            if (single && rc->n_values != 1)
                dsj_dr_emit(r, "DEF-RC-VALUES", DSJ_SEV_ERROR, rc->line, rptr, "%s: Comparator %s needs exactly 1 CheckValue, found %zu",
                            owner, rc->comparator_text, rc->n_values);
            else if (!single && rc->comparator != DSJ_DEFINE_CMP_UNKNOWN && rc->n_values == 0)
                dsj_dr_emit(r, "DEF-RC-VALUES", DSJ_SEV_ERROR, rc->line, rptr, "%s: Comparator %s needs at least 1 CheckValue", owner,
                            rc->comparator_text);
            /* CheckValues against the code list of the tested variable. */
            if (rc->itemdef && rc->itemdef->codelist && !rc->itemdef->codelist->is_external &&
                (rc->comparator == DSJ_DEFINE_CMP_EQ || rc->comparator == DSJ_DEFINE_CMP_IN))
                for (k = 0; k < rc->n_values; k++)
                    if (rc->values[k] && rc->values[k][0] &&
                        !dsj_define_codelist_item_find(d, rc->itemdef->codelist, rc->values[k], strlen(rc->values[k]))) {
                        dsj_dr_emit(r, "DEF-RC-CODELIST", DSJ_SEV_WARNING, rc->line, rptr,
                                    "%s: CheckValue '%s' for %s is not in its CodeList '%s'", owner, rc->values[k],
                                    dsj_dr_show(rc->itemdef->name), dsj_dr_show(rc->itemdef->codelist->oid));
                    }
        }
    }
}

static void check_methods_comments(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    size_t i;
    char p[512], owner[300];
    for (i = 0; i < d->n_methods && !r->stop; i++) {
        const dsj_define_method_t *m = &d->methods[i];
        const char *ptr = dsj_dr_ptr(p, sizeof p, NULL, "MethodDef", "OID", m->oid, i);
        snprintf(owner, sizeof owner, "MethodDef '%s'", dsj_dr_show(m->oid));
        if (!m->oid || !m->name)
            dsj_dr_emit(r, "DEF-MD-REQUIRED", DSJ_SEV_ERROR, m->line, ptr, "%s: OID and Name are required", owner);
        if (!m->type)
            dsj_dr_emit(r, "DEF-MD-REQUIRED", DSJ_SEV_ERROR, m->line, ptr, "%s: Type is required", owner);
        else if (!dsj_dr_in(m->type, method_types))
            dsj_dr_emit(r, "DEF-MD-TYPE", DSJ_SEV_ERROR, m->line, ptr,
                        "%s: Type '%s' is not one of Computation, Imputation, Transpose, Other", owner, m->type);
        if (dsj_dr_blank(m->description))
            dsj_dr_emit(r, "DEF-MD-DESCRIPTION", DSJ_SEV_ERROR, m->line, ptr, "%s: a non-empty Description is required", owner);
        dsj_dr_docrefs(r, m->docrefs, m->n_docrefs, owner, ptr);
    }
    for (i = 0; i < d->n_comments && !r->stop; i++) {
        const dsj_define_comment_t *c = &d->comments[i];
        const char *ptr = dsj_dr_ptr(p, sizeof p, NULL, "def:CommentDef", "OID", c->oid, i);
        snprintf(owner, sizeof owner, "def:CommentDef '%s'", dsj_dr_show(c->oid));
        if (!c->oid) dsj_dr_emit(r, "DEF-CD-REQUIRED", DSJ_SEV_ERROR, c->line, ptr, "def:CommentDef without the required OID");
        if (dsj_dr_blank(c->description))
            dsj_dr_emit(r, "DEF-CD-DESCRIPTION", DSJ_SEV_ERROR, c->line, ptr, "%s: a non-empty Description is required", owner);
        dsj_dr_docrefs(r, c->docrefs, c->n_docrefs, owner, ptr);
    }
}

void dsj_dr_check_items(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    size_t i, j;
    char p[512];
    check_valuelists(r); /* before ItemDefs: marks value-level ItemDefs as used */
    for (i = 0; i < d->n_itemdefs && !r->stop; i++) check_itemdef(r, i);
    for (i = 0; i < d->n_codelists && !r->stop; i++) check_codelist(r, i);
    for (i = 0; i < d->n_codelists && !r->stop; i++) {
        const dsj_define_codelist_t *cl = &d->codelists[i];
        if (!cl->name) continue;
        for (j = 0; j < i; j++)
            if (d->codelists[j].name && strcmp(d->codelists[j].name, cl->name) == 0) {
                dsj_dr_emit(r, "DEF-CL-NAME-DUP", DSJ_SEV_ERROR, cl->line, dsj_dr_ptr(p, sizeof p, NULL, "CodeList", "OID", cl->oid, i),
                            "CodeList '%s': Name '%s' is also used by CodeList '%s'", dsj_dr_show(cl->oid), cl->name,
                            dsj_dr_show(d->codelists[j].oid));
                break;
            }
    }
    check_whereclauses(r);
    check_methods_comments(r);
}

/* ------------------------------------------------------------------ uniqueness */

static void dup_check(dsj_dr_t *r, const dsj_oidmap_t *map, const void *base, size_t n, size_t size, size_t key_off,
                      size_t line_off, const char *el, const char *key_attr)
{
    size_t i;
    char p[512];
    for (i = 0; i < n && !r->stop; i++) {
        const char *e = (const char *)base + i * size;
        const char *key = *(const char *const *)(e + key_off);
        const void *first;
        uint64_t line = *(const uint64_t *)(e + line_off);
        if (!key) continue;
        first = dsj_oidmap_get(map, key);
        if (first && first != (const void *)e)
            dsj_dr_emit(r, "DEF-OID-DUP", DSJ_SEV_ERROR, line, dsj_dr_ptr(p, sizeof p, NULL, el, key_attr, key, i),
                        "%s %s '%s' is defined more than once (first at line %llu)", el, key_attr, key,
                        (unsigned long long)*(const uint64_t *)((const char *)first + line_off));
    }
}

void dsj_dr_check_uniqueness(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
#define DUP(map, arr, n, type, key, el, attr) \
    dup_check(r, &d->map, d->arr, d->n, sizeof(type), offsetof(type, key), offsetof(type, line), el, attr)
    DUP(map_standard, standards, n_standards, dsj_define_standard_t, oid, "def:Standard", "OID");
    DUP(map_itemgroup, itemgroups, n_itemgroups, dsj_define_itemgroup_t, oid, "ItemGroupDef", "OID");
    DUP(map_itemdef, itemdefs, n_itemdefs, dsj_define_itemdef_t, oid, "ItemDef", "OID");
    DUP(map_codelist, codelists, n_codelists, dsj_define_codelist_t, oid, "CodeList", "OID");
    DUP(map_valuelist, valuelists, n_valuelists, dsj_define_valuelist_t, oid, "def:ValueListDef", "OID");
    DUP(map_whereclause, whereclauses, n_whereclauses, dsj_define_whereclause_t, oid, "def:WhereClauseDef", "OID");
    DUP(map_method, methods, n_methods, dsj_define_method_t, oid, "MethodDef", "OID");
    DUP(map_comment, comments, n_comments, dsj_define_comment_t, oid, "def:CommentDef", "OID");
    DUP(map_leaf, leaves, n_leaves, dsj_define_leaf_t, id, "def:leaf", "ID");
#undef DUP
}

/* ------------------------------------------------------------------ orphans */

static void mark_extrefs(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    size_t i;
    for (i = 0; i < d->n_extrefs; i++) {
        const char *a = d->extrefs[i].attr, *v = d->extrefs[i].value;
        const void *t;
        if (!v) continue;
#define MARK(name, map, used, arr)                                     \
    if (strcmp(a, name) == 0 && (t = dsj_oidmap_get(&d->map, v)) != NULL) \
        r->used[((const char *)t - (const char *)d->arr) / sizeof *d->arr] = 1;
        MARK("ItemOID", map_itemdef, used_itemdef, itemdefs)
        else MARK("leafID", map_leaf, used_leaf, leaves) else MARK("CommentOID", map_comment, used_comment, comments)
        else MARK("WhereClauseOID", map_whereclause, used_whereclause, whereclauses)
        else MARK("MethodOID", map_method, used_method, methods) else MARK("ValueListOID", map_valuelist, used_valuelist, valuelists)
        else MARK("CodeListOID", map_codelist, used_codelist, codelists)
#undef MARK
    }
}

static void orphans(dsj_dr_t *r, const char *rule, const dsj_oidmap_t *map, const unsigned char *used, const void *base,
                    size_t n, size_t size, size_t key_off, size_t line_off, const char *el, const char *key_attr, const char *by)
{
    size_t i;
    char p[512];
    for (i = 0; i < n && !r->stop; i++) {
        const char *e = (const char *)base + i * size;
        const char *key = *(const char *const *)(e + key_off);
        if (used[i] || !key) continue;
        if (dsj_oidmap_get(map, key) != (const void *)e) continue; /* a duplicate OID: DEF-OID-DUP says it */
        dsj_dr_emit(r, rule, DSJ_SEV_WARNING, *(const uint64_t *)(e + line_off), dsj_dr_ptr(p, sizeof p, NULL, el, key_attr, key, i),
                    "%s '%s' is not referenced by any %s", el, key, by);
    }
}

void dsj_dr_check_orphans(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    size_t i, j;
    char p[512];
    mark_extrefs(r);
    /* Sizes in bytes of the element structs; (ptr - base) / size gives the index in used[]. */
#define ORPH(rule, map, used, arr, n, type, key, el, attr, by) \
    orphans(r, rule, &d->map, r->used, d->arr, d->n, sizeof(type), offsetof(type, key), offsetof(type, line), el, attr, by)
    ORPH("DEF-UNREF-ITEMDEF", map_itemdef, used_itemdef, itemdefs, n_itemdefs, dsj_define_itemdef_t, oid, "ItemDef", "OID", "ItemRef");
    ORPH("DEF-UNREF-CODELIST", map_codelist, used_codelist, codelists, n_codelists, dsj_define_codelist_t, oid, "CodeList", "OID",
         "ItemDef CodeListRef");
    ORPH("DEF-UNREF-VALUELIST", map_valuelist, used_valuelist, valuelists, n_valuelists, dsj_define_valuelist_t, oid, "def:ValueListDef", "OID",
         "def:ValueListRef");
    ORPH("DEF-UNREF-WHERECLAUSE", map_whereclause, used_whereclause, whereclauses, n_whereclauses, dsj_define_whereclause_t, oid,
         "def:WhereClauseDef", "OID", "def:WhereClauseRef");
    ORPH("DEF-UNREF-METHOD", map_method, used_method, methods, n_methods, dsj_define_method_t, oid, "MethodDef", "OID", "ItemRef MethodOID");
    ORPH("DEF-UNREF-COMMENT", map_comment, used_comment, comments, n_comments, dsj_define_comment_t, oid, "def:CommentDef", "OID",
         "def:CommentOID");
    ORPH("DEF-UNREF-LEAF", map_leaf, used_leaf, leaves, n_mdv_leaves, dsj_define_leaf_t, id, "def:leaf", "ID",
         "def:DocumentRef or def:ArchiveLocationID");
    if (d->kind == DSJ_DEFINE_V2_1)
        ORPH("DEF-UNREF-STANDARD", map_standard, used_standard, standards, n_standards, dsj_define_standard_t, oid, "def:Standard", "OID",
             "def:StandardOID");
#undef ORPH
    /* Duplicate documents: two MetaDataVersion leaves with the same href and title. */
    for (i = 0; i < d->n_mdv_leaves && !r->stop; i++) {
        const dsj_define_leaf_t *l = &d->leaves[i];
        if (!l->href) continue;
        for (j = 0; j < i; j++) {
            const dsj_define_leaf_t *m = &d->leaves[j];
            if (m->href && strcmp(m->href, l->href) == 0 && ((!m->title && !l->title) || (m->title && l->title && strcmp(m->title, l->title) == 0))) {
                dsj_dr_emit(r, "DEF-LEAF-DUP", DSJ_SEV_INFO, l->line, dsj_dr_ptr(p, sizeof p, NULL, "def:leaf", "ID", l->id, i),
                            "def:leaf '%s' has the same href '%s' and title as def:leaf '%s'", dsj_dr_show(l->id), l->href,
                            dsj_dr_show(m->id));
                break;
            }
        }
    }
}
