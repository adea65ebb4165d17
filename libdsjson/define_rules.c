/*
 * Standalone Define-XML validation, part 1: driver, helpers, document-level
 * rules (ODM, Study, MetaDataVersion, Standards, documents, leaves) and
 * datasets (ItemGroupDef, ItemRef, keys).  Part 2 (define_rules_items.c)
 * has ItemDefs, CodeLists, value-level metadata, methods, comments, OID
 * uniqueness and orphans.  Rule IDs and sources: docs/rules.md.
 */
#include "define_internal.h"

#include <stdarg.h>
#include <strings.h>
#include <stdio.h>

/* ------------------------------------------------------------------ helpers */

int dsj_dr_emit(dsj_dr_t *r, const char *rule, dsj_severity_t sev, uint64_t line, const char *pointer,
                const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    if (r->stop) return 1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (dsj_emit(r->cb, r->ctx, rule, sev, r->def->file, line, 0, 0, pointer, 0, NULL, "%s", msg)) r->stop = 1;
    return r->stop;
}

const char *dsj_dr_ptr(char *buf, size_t n, const char *parent, const char *el, const char *key_attr,
                       const char *key, size_t index)
{
    if (key)
        snprintf(buf, n, "%s/%s[@%s='%s']", parent ? parent : DSJ_DR_MDV, el, key_attr, key);
    else
        snprintf(buf, n, "%s/%s[%zu]", parent ? parent : DSJ_DR_MDV, el, index + 1);
    return buf;
}

int dsj_dr_in(const char *v, const char *const *list)
{
    if (!v) return 0;
    for (; *list; list++)
        if (strcmp(v, *list) == 0) return 1;
    return 0;
}

int dsj_dr_blank(const char *s)
{
    if (!s) return 1;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return 0;
    return 1;
}

size_t dsj_dr_utf8_len(const char *s)
{
    size_t n = 0;
    if (!s) return 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

const char *dsj_dr_show(const char *s) { return s ? s : "(none)"; }

/* Check a reference: NULL oid is fine (absent); a dangling one is an error. */
void dsj_dr_ref(dsj_dr_t *r, const char *rule, const dsj_oidmap_t *map, unsigned char *used, const void *base,
                size_t size, const char *oid, const char *what, uint64_t line, const char *ptr, const char *owner)
{
    const void *t;
    if (!oid) return;
    t = dsj_oidmap_get(map, oid);
    if (!t) {
        dsj_dr_emit(r, rule, DSJ_SEV_ERROR, line, ptr, "%s refers to %s '%s', which does not exist", owner, what, oid);
        return;
    }
    if (used) used[((const char *)t - (const char *)base) / size] = 1;
}

/* ------------------------------------------------------------------ document level */

static void check_odm(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    int v21 = d->kind == DSJ_DEFINE_V2_1;
    static const char *const contexts[] = {"Submission", "Other", NULL};
    if (!d->odm_file_oid) dsj_dr_emit(r, "DEF-ODM-REQUIRED", DSJ_SEV_ERROR, d->odm_line, "/ODM", "ODM: required attribute FileOID is missing");
    if (!d->odm_creation)
        dsj_dr_emit(r, "DEF-ODM-REQUIRED", DSJ_SEV_ERROR, d->odm_line, "/ODM", "ODM: required attribute CreationDateTime is missing");
    if (!d->odm_file_type || strcmp(d->odm_file_type, "Snapshot") != 0)
        dsj_dr_emit(r, "DEF-ODM-FILETYPE", DSJ_SEV_ERROR, d->odm_line, "/ODM",
                    "ODM/@FileType is '%s'; a Define-XML document must be 'Snapshot'", dsj_dr_show(d->odm_file_type));
    if (!d->odm_version || strcmp(d->odm_version, "1.3.2") != 0)
        dsj_dr_emit(r, "DEF-ODM-VERSION", DSJ_SEV_ERROR, d->odm_line, "/ODM",
                    "ODM/@ODMVersion is '%s'; Define-XML 2.x requires '1.3.2'", dsj_dr_show(d->odm_version));
    if (v21 && !dsj_dr_in(d->odm_context, contexts))
        dsj_dr_emit(r, "DEF-ODM-CONTEXT", DSJ_SEV_ERROR, d->odm_line, "/ODM",
                    "ODM/@def:Context is '%s'; Define-XML 2.1 requires 'Submission' or 'Other'", dsj_dr_show(d->odm_context));
    if (d->n_study.count != 1)
        dsj_dr_emit(r, "DEF-STUDY-COUNT", DSJ_SEV_ERROR, d->n_study.count ? d->n_study.line : d->odm_line, "/ODM/Study",
                    "ODM has %zu Study elements; exactly 1 is required", d->n_study.count);
    if (d->n_study.count) {
        if (!d->study_oid)
            dsj_dr_emit(r, "DEF-STUDY-REQUIRED", DSJ_SEV_ERROR, d->study_line, "/ODM/Study", "Study: required attribute OID is missing");
        if (d->n_global_variables.count != 1 || !d->study_name || !d->study_description || !d->protocol_name)
            dsj_dr_emit(r, "DEF-STUDY-REQUIRED", DSJ_SEV_ERROR, d->n_global_variables.count ? d->n_global_variables.line : d->study_line,
                        "/ODM/Study/GlobalVariables",
                        "Study '%s': GlobalVariables with StudyName, StudyDescription and ProtocolName is required",
                        dsj_dr_show(d->study_oid));
        if (d->n_mdv.count != 1)
            dsj_dr_emit(r, "DEF-MDV-COUNT", DSJ_SEV_ERROR, d->n_mdv.count ? d->n_mdv.line : d->study_line, DSJ_DR_MDV,
                        "Study has %zu MetaDataVersion elements; exactly 1 is required", d->n_mdv.count);
    }
}

static void check_mdv(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    int v21 = d->kind == DSJ_DEFINE_V2_1;
    const char *v = d->define_version;
    if (!d->n_mdv.count) return;
    if (!d->mdv_oid) dsj_dr_emit(r, "DEF-MDV-REQUIRED", DSJ_SEV_ERROR, d->mdv_line, DSJ_DR_MDV, "MetaDataVersion: required attribute OID is missing");
    if (!d->mdv_name)
        dsj_dr_emit(r, "DEF-MDV-REQUIRED", DSJ_SEV_ERROR, d->mdv_line, DSJ_DR_MDV, "MetaDataVersion '%s': required attribute Name is missing",
                    dsj_dr_show(d->mdv_oid));
    if (!v) {
        dsj_dr_emit(r, "DEF-MDV-VERSION", DSJ_SEV_ERROR, d->mdv_line, DSJ_DR_MDV,
                    "MetaDataVersion '%s': required attribute def:DefineVersion is missing (%s namespace declared)",
                    dsj_dr_show(d->mdv_oid), v21 ? "2.1" : "2.0");
    } else if (v21 ? !(strncmp(v, "2.1.", 4) == 0 && v[4] >= '0' && v[4] <= '9' && strspn(v + 4, "0123456789") == strlen(v + 4))
                   : strcmp(v, "2.0.0") != 0) {
        dsj_dr_emit(r, "DEF-MDV-VERSION", DSJ_SEV_ERROR, d->mdv_line, DSJ_DR_MDV,
                    "MetaDataVersion '%s': def:DefineVersion '%s' does not match the %s namespace (expected %s)",
                    dsj_dr_show(d->mdv_oid), v, v21 ? DSJ_NS_DEF21 : DSJ_NS_DEF20, v21 ? "2.1.n" : "2.0.0");
    }
    if (!v21) {
        static const char *const names[] = {"ADaM-IG", "ADAM-IG", "SDTM-IG", "SEND-IG", "SDTM-IG-MD", "SDTM-IG-AP", "SDTM-IG-PGx", NULL};
        if (!d->standard_name || !d->standard_version)
            dsj_dr_emit(r, "DEF-MDV-STANDARD", DSJ_SEV_ERROR, d->mdv_line, DSJ_DR_MDV,
                        "MetaDataVersion '%s': Define-XML 2.0 requires def:StandardName and def:StandardVersion",
                        dsj_dr_show(d->mdv_oid));
        else if (!dsj_dr_in(d->standard_name, names))
            dsj_dr_emit(r, "DEF-MDV-STANDARD", DSJ_SEV_WARNING, d->mdv_line, DSJ_DR_MDV,
                        "MetaDataVersion '%s': def:StandardName '%s' is not one of the usual names (ADaM-IG, SDTM-IG, SEND-IG...)",
                        dsj_dr_show(d->mdv_oid), d->standard_name);
    }
    dsj_dr_ref(r, "DEF-REF-COMMENT", &d->map_comment, r->used_comment, d->comments, sizeof *d->comments,
               d->mdv_comment_oid, "def:CommentDef", d->mdv_line, DSJ_DR_MDV, "MetaDataVersion/@def:CommentOID");
}

static void check_standards(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    static const char *const names[] = {"ADaMIG", "BIMO", "CDISC/NCI", "SDTMIG", "SDTMIG-AP", "SDTMIG-MD",
                                        "SENDIG", "SENDIG-AR", "SENDIG-DART", NULL};
    static const char *const types[] = {"CT", "IG", NULL};
    static const char *const sets[] = {"ADaM", "CDASH", "DEFINE-XML", "SDTM", "SEND", NULL};
    size_t i;
    char p[512];
    if (d->kind == DSJ_DEFINE_V2_0) return;
    if (d->n_standards_el.count > 1)
        dsj_dr_emit(r, "DEF-STD-REQUIRED", DSJ_SEV_ERROR, d->n_standards_el.line, DSJ_DR_MDV "/def:Standards",
                    "MetaDataVersion has %zu def:Standards elements; at most 1 is allowed", d->n_standards_el.count);
    else if (d->n_standards_el.count == 0 && d->n_mdv.count)
        dsj_dr_emit(r, "DEF-STD-REQUIRED", DSJ_SEV_ERROR, d->mdv_line, DSJ_DR_MDV "/def:Standards",
                    "MetaDataVersion '%s': Define-XML 2.1 requires def:Standards with at least one def:Standard",
                    dsj_dr_show(d->mdv_oid));
    for (i = 0; i < d->n_standards && !r->stop; i++) {
        const dsj_define_standard_t *s = &d->standards[i];
        const char *ptr = dsj_dr_ptr(p, sizeof p, DSJ_DR_MDV "/def:Standards", "def:Standard", "OID", s->oid, i);
        if (!s->oid || !s->name || !s->type || !s->version || !s->status)
            dsj_dr_emit(r, "DEF-STD-REQUIRED", DSJ_SEV_ERROR, s->line, ptr,
                        "def:Standard '%s': OID, Name, Type, Version and Status are required", dsj_dr_show(s->oid));
        if (s->name && !dsj_dr_in(s->name, names))
            dsj_dr_emit(r, "DEF-STD-ENUM", DSJ_SEV_ERROR, s->line, ptr,
                        "def:Standard '%s': Name '%s' is not a Define-XML 2.1 standard name (ADaMIG, BIMO, CDISC/NCI, SDTMIG, "
                        "SDTMIG-AP, SDTMIG-MD, SENDIG, SENDIG-AR, SENDIG-DART)",
                        dsj_dr_show(s->oid), s->name);
        if (s->type && !dsj_dr_in(s->type, types))
            dsj_dr_emit(r, "DEF-STD-ENUM", DSJ_SEV_ERROR, s->line, ptr, "def:Standard '%s': Type '%s' is not CT or IG",
                        dsj_dr_show(s->oid), s->type);
        if (s->publishing_set && !dsj_dr_in(s->publishing_set, sets))
            dsj_dr_emit(r, "DEF-STD-ENUM", DSJ_SEV_ERROR, s->line, ptr,
                        "def:Standard '%s': PublishingSet '%s' is not one of ADaM, CDASH, DEFINE-XML, SDTM, SEND",
                        dsj_dr_show(s->oid), s->publishing_set);
        if (s->type && strcmp(s->type, "CT") == 0 && !s->publishing_set)
            dsj_dr_emit(r, "DEF-STD-PUBSET", DSJ_SEV_ERROR, s->line, ptr,
                        "def:Standard '%s': PublishingSet is required when Type is 'CT'", dsj_dr_show(s->oid));
        if (s->type && strcmp(s->type, "CT") != 0 && s->publishing_set)
            dsj_dr_emit(r, "DEF-STD-PUBSET", DSJ_SEV_ERROR, s->line, ptr,
                        "def:Standard '%s': PublishingSet is only allowed when Type is 'CT'", dsj_dr_show(s->oid));
        dsj_dr_ref(r, "DEF-REF-COMMENT", &d->map_comment, r->used_comment, d->comments, sizeof *d->comments, s->comment_oid,
                   "def:CommentDef", s->line, ptr, "def:Standard/@def:CommentOID");
    }
}

/* Every def:DocumentRef: leafID present and resolving; the same leaf twice in one element is a note. */
void dsj_dr_docrefs(dsj_dr_t *r, const dsj_define_docref_t *refs, size_t n, const char *owner, const char *ptr)
{
    const dsj_define_t *d = r->def;
    size_t i, j;
    for (i = 0; i < n && !r->stop; i++) {
        if (!refs[i].leaf_id) {
            dsj_dr_emit(r, "DEF-DOCREF-REQUIRED", DSJ_SEV_ERROR, refs[i].line, ptr, "%s: def:DocumentRef without leafID", owner);
            continue;
        }
        dsj_dr_ref(r, "DEF-REF-LEAF", &d->map_leaf, r->used_leaf, d->leaves, sizeof *d->leaves, refs[i].leaf_id, "def:leaf",
                   refs[i].line, ptr, owner);
        for (j = 0; j < i; j++)
            if (refs[j].leaf_id && strcmp(refs[j].leaf_id, refs[i].leaf_id) == 0) {
                dsj_dr_emit(r, "DEF-DOCREF-DUP", DSJ_SEV_INFO, refs[i].line, ptr,
                            "%s: two def:DocumentRef elements name leaf '%s'; one with several page references is enough",
                            owner, refs[i].leaf_id);
                break;
            }
    }
}

static void check_documents(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    size_t i;
    char p[512];
    if (d->n_acrf.count > 1)
        dsj_dr_emit(r, "DEF-DOC-ACRF", DSJ_SEV_ERROR, d->n_acrf.line, DSJ_DR_MDV "/def:AnnotatedCRF",
                    "MetaDataVersion has %zu def:AnnotatedCRF elements; at most 1 is allowed", d->n_acrf.count);
    if (d->n_acrf.count && d->n_acrf_docrefs != 1)
        dsj_dr_emit(r, "DEF-DOC-ACRF", DSJ_SEV_ERROR, d->n_acrf.line, DSJ_DR_MDV "/def:AnnotatedCRF",
                    "def:AnnotatedCRF has %zu def:DocumentRef elements; exactly 1 is expected", d->n_acrf_docrefs);
    dsj_dr_docrefs(r, d->acrf_docrefs, d->n_acrf_docrefs, "def:AnnotatedCRF", DSJ_DR_MDV "/def:AnnotatedCRF");
    if (d->n_suppdoc.count > 1)
        dsj_dr_emit(r, "DEF-DOC-SUPPDOC", DSJ_SEV_ERROR, d->n_suppdoc.line, DSJ_DR_MDV "/def:SupplementalDoc",
                    "MetaDataVersion has %zu def:SupplementalDoc elements; at most 1 is allowed", d->n_suppdoc.count);
    if (d->n_suppdoc.count && d->n_supp_docrefs == 0)
        dsj_dr_emit(r, "DEF-DOC-SUPPDOC", DSJ_SEV_ERROR, d->n_suppdoc.line, DSJ_DR_MDV "/def:SupplementalDoc",
                    "def:SupplementalDoc has no def:DocumentRef; at least 1 is required");
    dsj_dr_docrefs(r, d->supp_docrefs, d->n_supp_docrefs, "def:SupplementalDoc", DSJ_DR_MDV "/def:SupplementalDoc");
    for (i = 0; i < d->n_leaves && !r->stop; i++) {
        const dsj_define_leaf_t *l = &d->leaves[i];
        const char *ptr = dsj_dr_ptr(p, sizeof p, NULL, "def:leaf", "ID", l->id, i);
        if (!l->id || !l->href)
            dsj_dr_emit(r, "DEF-LEAF-REQUIRED", DSJ_SEV_ERROR, l->line, ptr, "def:leaf '%s': ID and xlink:href are required",
                        dsj_dr_show(l->id));
        if (!l->title || dsj_dr_blank(l->title))
            dsj_dr_emit(r, "DEF-LEAF-REQUIRED", DSJ_SEV_ERROR, l->line, ptr, "def:leaf '%s': a non-empty def:title is required",
                        dsj_dr_show(l->id));
    }
}

/* Children repeated beyond their maximum (found by the parser). */
static void check_cardinality(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    size_t i;
    char p[512];
    for (i = 0; i < d->n_extra_children && !r->stop; i++) {
        const struct dsj_define_extra_child *x = &d->extra_children[i];
        const char *key_attr = strcmp(x->parent, "def:leaf") == 0 ? "ID"
                               : (strcmp(x->parent, "CodeListItem") == 0 || strcmp(x->parent, "EnumeratedItem") == 0) ? "CodedValue"
                                                                                                                    : "OID";
        dsj_dr_emit(r, "DEF-CARDINALITY", DSJ_SEV_ERROR, x->line, dsj_dr_ptr(p, sizeof p, NULL, x->parent, key_attr, x->key, 0),
                    "%s '%s' has %zu %s elements; at most %zu %s allowed", x->parent, dsj_dr_show(x->key), x->count, x->child,
                    x->max, x->max == 1 ? "is" : "are");
    }
}

/* ------------------------------------------------------------------ datasets */

static const char *const analysis_classes[] = {
    "ADAM OTHER", "BASIC DATA STRUCTURE", "DEVICE LEVEL ANALYSIS DATASET", "MEDICAL DEVICE BASIC DATA STRUCTURE",
    "MEDICAL DEVICE OCCURRENCE DATA STRUCTURE", "OCCURRENCE DATA STRUCTURE", "SUBJECT LEVEL ANALYSIS DATASET", NULL};
static const char *const tabulation_classes[] = {"EVENTS", "FINDINGS", "FINDINGS ABOUT", "INTERVENTIONS", "RELATIONSHIP",
                                                 "SPECIAL PURPOSE", "STUDY REFERENCE", "TRIAL DESIGN", NULL};
static const char *const subclasses[] = {"ADVERSE EVENT", "MEDICAL DEVICE TIME-TO-EVENT", "NON-COMPARTMENTAL ANALYSIS",
                                         "POPULATION PHARMACOKINETIC ANALYSIS", "TIME-TO-EVENT", NULL};
static const char *const yes_no[] = {"Yes", "No", NULL};
static const char *const yes_only[] = {"Yes", NULL};

/* ItemRef checks shared by ItemGroupDefs and ValueListDefs. */
void dsj_dr_itemrefs(dsj_dr_t *r, const dsj_define_itemref_t *refs, size_t n, const char *owner, const char *owner_ptr)
{
    const dsj_define_t *d = r->def;
    size_t i, j;
    char p[640];
    for (i = 0; i < n && !r->stop; i++) {
        const dsj_define_itemref_t *ir = &refs[i];
        const char *ptr = dsj_dr_ptr(p, sizeof p, owner_ptr, "ItemRef", "ItemOID", ir->item_oid, i);
        int64_t v;
        if (!ir->item_oid) {
            dsj_dr_emit(r, "DEF-IR-REQUIRED", DSJ_SEV_ERROR, ir->line, ptr, "%s: ItemRef without the required ItemOID", owner);
        } else if (!ir->itemdef) {
            dsj_dr_emit(r, "DEF-REF-ITEMDEF", DSJ_SEV_ERROR, ir->line, ptr,
                        "%s: ItemRef refers to ItemDef '%s', which does not exist", owner, ir->item_oid);
        } else {
            r->used_itemdef[ir->itemdef - d->itemdefs] = 1;
        }
        if (!ir->mandatory_text)
            dsj_dr_emit(r, "DEF-IR-REQUIRED", DSJ_SEV_ERROR, ir->line, ptr, "%s: ItemRef '%s' has no Mandatory attribute (Yes/No)",
                        owner, dsj_dr_show(ir->item_oid));
        else if (!dsj_dr_in(ir->mandatory_text, yes_no))
            dsj_dr_emit(r, "DEF-IR-ENUM", DSJ_SEV_ERROR, ir->line, ptr, "%s: ItemRef '%s' Mandatory is '%s', not Yes or No", owner,
                        dsj_dr_show(ir->item_oid), ir->mandatory_text);
        if (ir->order_number_text && !(dsj_define_parse_int(ir->order_number_text, &v) && v > 0))
            dsj_dr_emit(r, "DEF-IR-ORDER", DSJ_SEV_ERROR, ir->line, ptr, "%s: ItemRef '%s' OrderNumber '%s' is not a positive integer",
                        owner, dsj_dr_show(ir->item_oid), ir->order_number_text);
        if (ir->key_sequence_text && !(dsj_define_parse_int(ir->key_sequence_text, &v) && v > 0))
            dsj_dr_emit(r, "DEF-IR-KEYSEQ", DSJ_SEV_ERROR, ir->line, ptr, "%s: ItemRef '%s' KeySequence '%s' is not a positive integer",
                        owner, dsj_dr_show(ir->item_oid), ir->key_sequence_text);
        if (ir->is_non_standard && !dsj_dr_in(ir->is_non_standard, yes_only))
            dsj_dr_emit(r, "DEF-IR-ENUM", DSJ_SEV_ERROR, ir->line, ptr, "%s: ItemRef '%s' def:IsNonStandard must be 'Yes' when present",
                        owner, dsj_dr_show(ir->item_oid));
        if (ir->has_no_data && !dsj_dr_in(ir->has_no_data, yes_only))
            dsj_dr_emit(r, "DEF-IR-ENUM", DSJ_SEV_ERROR, ir->line, ptr, "%s: ItemRef '%s' def:HasNoData must be 'Yes' when present",
                        owner, dsj_dr_show(ir->item_oid));
        if (ir->method_oid) {
            char who[400];
            snprintf(who, sizeof who, "%s: ItemRef '%s'", owner, dsj_dr_show(ir->item_oid));
            dsj_dr_ref(r, "DEF-REF-METHOD", &d->map_method, r->used_method, d->methods, sizeof *d->methods, ir->method_oid,
                       "MethodDef", ir->line, ptr, who);
        }
        if (ir->itemdef && !ir->method_oid) {
            size_t k;
            for (k = 0; k < ir->itemdef->n_origins; k++)
                if (ir->itemdef->origins[k].type && strcmp(ir->itemdef->origins[k].type, "Derived") == 0) {
                    dsj_dr_emit(r, "DEF-IR-METHOD", DSJ_SEV_WARNING, ir->line, ptr,
                                "%s: ItemRef '%s' has no MethodOID although its ItemDef has a Derived origin", owner,
                                ir->item_oid);
                    break;
                }
        }
        for (j = 0; j < i; j++) {
            if (ir->order_number_text && refs[j].order_number_text &&
                strcmp(ir->order_number_text, refs[j].order_number_text) == 0) {
                dsj_dr_emit(r, "DEF-IR-ORDER-DUP", DSJ_SEV_ERROR, ir->line, ptr,
                            "%s: OrderNumber %s is used by ItemRefs '%s' and '%s'", owner, ir->order_number_text,
                            dsj_dr_show(refs[j].item_oid), dsj_dr_show(ir->item_oid));
                break;
            }
        }
    }
}

static void check_itemgroup(dsj_dr_t *r, size_t gi)
{
    const dsj_define_t *d = r->def;
    const dsj_define_itemgroup_t *g = &d->itemgroups[gi];
    int v21 = d->kind == DSJ_DEFINE_V2_1, has_data;
    char p[512], owner[300];
    const char *ptr = dsj_dr_ptr(p, sizeof p, NULL, "ItemGroupDef", "OID", g->oid, gi);
    const char *id = dsj_dr_show(g->oid);
    size_t i, j, nkeys = 0;
    int64_t maxkey = 0;

    snprintf(owner, sizeof owner, "ItemGroupDef '%s'", id);
#define REQ(field, label)                                                                                          \
    if (!g->field)                                                                                                 \
    dsj_dr_emit(r, "DEF-IG-REQUIRED", DSJ_SEV_ERROR, g->line, ptr, "ItemGroupDef '%s' (%s): required attribute %s is missing", \
                id, dsj_dr_show(g->name), label)
    REQ(oid, "OID");
    REQ(name, "Name");
    REQ(repeating_text, "Repeating");
    REQ(purpose, "Purpose");
    REQ(structure, "def:Structure");
    if (!v21) REQ(sas_dataset_name, "SASDatasetName");
    if (!v21) REQ(class_name, "def:Class");
#undef REQ
    if (v21 && d->ig_n_class[gi].count == 0)
        dsj_dr_emit(r, "DEF-IG-REQUIRED", DSJ_SEV_ERROR, g->line, ptr, "ItemGroupDef '%s' (%s): required element def:Class is missing",
                    id, dsj_dr_show(g->name));
    if (d->ig_n_class[gi].count > 1)
        dsj_dr_emit(r, "DEF-IG-REQUIRED", DSJ_SEV_ERROR, d->ig_n_class[gi].line, ptr,
                    "ItemGroupDef '%s': %zu def:Class elements; exactly 1 is allowed", id, d->ig_n_class[gi].count);
    if (g->repeating_text && !dsj_dr_in(g->repeating_text, yes_no))
        dsj_dr_emit(r, "DEF-IG-ENUM", DSJ_SEV_ERROR, g->line, ptr, "ItemGroupDef '%s': Repeating '%s' is not Yes or No", id,
                    g->repeating_text);
    if (g->is_reference_data_text && !dsj_dr_in(g->is_reference_data_text, yes_no))
        dsj_dr_emit(r, "DEF-IG-ENUM", DSJ_SEV_ERROR, g->line, ptr, "ItemGroupDef '%s': IsReferenceData '%s' is not Yes or No", id,
                    g->is_reference_data_text);
    if (g->purpose && strcmp(g->purpose, "Tabulation") != 0 && strcmp(g->purpose, "Analysis") != 0)
        dsj_dr_emit(r, "DEF-IG-ENUM", DSJ_SEV_ERROR, g->line, ptr, "ItemGroupDef '%s': Purpose '%s' is not Tabulation or Analysis",
                    id, g->purpose);
    if (g->is_non_standard && !dsj_dr_in(g->is_non_standard, yes_only))
        dsj_dr_emit(r, "DEF-IG-ENUM", DSJ_SEV_ERROR, g->line, ptr, "ItemGroupDef '%s': def:IsNonStandard must be 'Yes' when present", id);
    if (g->has_no_data && !dsj_dr_in(g->has_no_data, yes_only))
        dsj_dr_emit(r, "DEF-IG-ENUM", DSJ_SEV_ERROR, g->line, ptr, "ItemGroupDef '%s': def:HasNoData must be 'Yes' when present", id);
    if (dsj_dr_blank(g->description))
        dsj_dr_emit(r, "DEF-IG-DESCRIPTION", DSJ_SEV_ERROR, d->ig_description_line[gi] ? d->ig_description_line[gi] : g->line, ptr,
                    "ItemGroupDef '%s' (%s): a non-empty Description (the dataset label) is required", id, dsj_dr_show(g->name));
    /* Class against Purpose; SubClass under its parent class. */
    if (g->class_name && g->purpose) {
        int analysis = strcmp(g->purpose, "Analysis") == 0;
        int tab = strcmp(g->purpose, "Tabulation") == 0;
        if (analysis && !dsj_dr_in(g->class_name, analysis_classes))
            dsj_dr_emit(r, "DEF-IG-CLASS", v21 ? DSJ_SEV_ERROR : DSJ_SEV_WARNING, g->line, ptr,
                        "ItemGroupDef '%s': def:Class '%s' is not an analysis dataset class", id, g->class_name);
        else if (tab && !dsj_dr_in(g->class_name, tabulation_classes))
            dsj_dr_emit(r, "DEF-IG-CLASS", v21 ? DSJ_SEV_ERROR : DSJ_SEV_WARNING, g->line, ptr,
                        "ItemGroupDef '%s': def:Class '%s' is not a tabulation dataset class", id, g->class_name);
    }
    if (g->subclass_name) {
        /* Each SubClass belongs to one Class (Define-XML 2.1 section 5.3.5.1 / Schematron ItemGroupDef-Class-SubClass). */
        static const char *const parent_of[][2] = {{"ADVERSE EVENT", "OCCURRENCE DATA STRUCTURE"},
                                                   {"MEDICAL DEVICE TIME-TO-EVENT", "MEDICAL DEVICE BASIC DATA STRUCTURE"},
                                                   {"NON-COMPARTMENTAL ANALYSIS", "BASIC DATA STRUCTURE"},
                                                   {"POPULATION PHARMACOKINETIC ANALYSIS", "BASIC DATA STRUCTURE"},
                                                   {"TIME-TO-EVENT", "BASIC DATA STRUCTURE"}};
        const char *want = NULL;
        for (i = 0; i < sizeof parent_of / sizeof parent_of[0]; i++)
            if (strcmp(parent_of[i][0], g->subclass_name) == 0) want = parent_of[i][1];
        if (!dsj_dr_in(g->subclass_name, subclasses))
            dsj_dr_emit(r, "DEF-IG-SUBCLASS", DSJ_SEV_ERROR, g->line, ptr, "ItemGroupDef '%s': def:SubClass '%s' is not a known subclass",
                        id, g->subclass_name);
        if (!g->purpose || strcmp(g->purpose, "Analysis") != 0)
            dsj_dr_emit(r, "DEF-IG-SUBCLASS", DSJ_SEV_ERROR, g->line, ptr,
                        "ItemGroupDef '%s': def:SubClass is only allowed in Analysis datasets", id);
        if (want && g->class_name && strcmp(want, g->class_name) != 0)
            dsj_dr_emit(r, "DEF-IG-SUBCLASS", DSJ_SEV_ERROR, g->line, ptr,
                        "ItemGroupDef '%s': def:SubClass '%s' can only occur within def:Class '%s', not '%s'", id,
                        g->subclass_name, want, g->class_name);
        if (g->subclass_parent && g->class_name && strcmp(g->subclass_parent, g->class_name) != 0 &&
            !dsj_dr_in(g->subclass_parent, subclasses))
            dsj_dr_emit(r, "DEF-IG-SUBCLASS", DSJ_SEV_ERROR, g->line, ptr,
                        "ItemGroupDef '%s': def:SubClass '%s' has ParentClass '%s', which is neither the def:Class '%s' nor a subclass",
                        id, g->subclass_name, g->subclass_parent, g->class_name);
    }
    if (g->class_name && strcmp(g->class_name, "TRIAL DESIGN") == 0 && g->is_reference_data_text && !g->is_reference_data)
        dsj_dr_emit(r, "DEF-IG-REFDATA", DSJ_SEV_WARNING, g->line, ptr,
                    "ItemGroupDef '%s': a TRIAL DESIGN dataset is expected to have IsReferenceData=\"Yes\"", id);
    if (g->class_name && strcmp(g->class_name, "SUBJECT LEVEL ANALYSIS DATASET") == 0 && g->repeating)
        dsj_dr_emit(r, "DEF-IG-REFDATA", DSJ_SEV_WARNING, g->line, ptr,
                    "ItemGroupDef '%s': a subject-level analysis dataset is expected to have Repeating=\"No\"", id);
    /* Standard reference (2.1): exactly one of def:StandardOID and def:IsNonStandard. */
    if (v21) {
        if (g->standard_oid && g->is_non_standard)
            dsj_dr_emit(r, "DEF-IG-STANDARD", DSJ_SEV_ERROR, g->line, ptr,
                        "ItemGroupDef '%s': def:StandardOID and def:IsNonStandard=\"Yes\" exclude each other", id);
        else if (!g->standard_oid && !g->is_non_standard)
            dsj_dr_emit(r, "DEF-IG-STANDARD", DSJ_SEV_ERROR, g->line, ptr,
                        "ItemGroupDef '%s': either def:StandardOID or def:IsNonStandard=\"Yes\" is required", id);
        dsj_dr_ref(r, "DEF-REF-STANDARD", &d->map_standard, r->used_standard, d->standards, sizeof *d->standards, g->standard_oid,
                   "def:Standard", g->line, ptr, owner);
    }
    dsj_dr_ref(r, "DEF-REF-COMMENT", &d->map_comment, r->used_comment, d->comments, sizeof *d->comments, g->comment_oid,
               "def:CommentDef", g->line, ptr, owner);
    /* Archive location and its leaf. */
    has_data = !(g->has_no_data && strcmp(g->has_no_data, "Yes") == 0);
    if (!has_data && g->archive_location_id)
        dsj_dr_emit(r, "DEF-IG-ARCHIVE", DSJ_SEV_ERROR, g->line, ptr,
                    "ItemGroupDef '%s': def:ArchiveLocationID is not allowed when def:HasNoData=\"Yes\"", id);
    if (has_data && !g->archive_location_id)
        dsj_dr_emit(r, "DEF-IG-ARCHIVE", v21 ? DSJ_SEV_ERROR : DSJ_SEV_WARNING, g->line, ptr,
                    "ItemGroupDef '%s' (%s): def:ArchiveLocationID (the dataset file) is missing", id, dsj_dr_show(g->name));
    if (g->archive_location_id) {
        if (!g->leaf || !g->leaf->id || strcmp(g->leaf->id, g->archive_location_id) != 0)
            dsj_dr_emit(r, "DEF-REF-ARCHIVE", DSJ_SEV_ERROR, g->line, ptr,
                        "ItemGroupDef '%s': def:ArchiveLocationID '%s' does not match the ID of its child def:leaf (%s)", id,
                        g->archive_location_id, g->leaf ? dsj_dr_show(g->leaf->id) : "no def:leaf");
        if (g->leaf) r->used_leaf[g->leaf - d->leaves] = 1;
    } else if (g->leaf) {
        r->used_leaf[g->leaf - d->leaves] = 1;
    }
    if (d->ig_n_leaf[gi].count > 1)
        dsj_dr_emit(r, "DEF-IG-ARCHIVE", DSJ_SEV_ERROR, d->ig_n_leaf[gi].line, ptr,
                    "ItemGroupDef '%s': %zu def:leaf children; at most 1 is allowed", id, d->ig_n_leaf[gi].count);
    /* SAS names. */
    if (g->sas_dataset_name && dsj_dr_utf8_len(g->sas_dataset_name) > 8)
        dsj_dr_emit(r, "DEF-IG-SASNAME", DSJ_SEV_ERROR, g->line, ptr, "ItemGroupDef '%s': SASDatasetName '%s' is longer than 8 characters",
                    id, g->sas_dataset_name);
    if (g->name && dsj_dr_utf8_len(g->name) > 8)
        dsj_dr_emit(r, "DEF-IG-SASNAME", DSJ_SEV_WARNING, g->line, ptr,
                    "ItemGroupDef '%s': Name '%s' is longer than 8 characters (not usable as a SAS V5 transport name)", id, g->name);
    /* SUPP-- datasets need an Alias with Context DomainDescription. */
    if (v21 && g->name && strncmp(g->name, "SUPP", 4) == 0 && strlen(g->name) > 4) {
        int ok = 0;
        for (i = 0; i < g->n_aliases; i++)
            if (g->aliases[i].context && strcmp(g->aliases[i].context, "DomainDescription") == 0) ok = 1;
        if (!ok)
            dsj_dr_emit(r, "DEF-IG-SUPP-ALIAS", DSJ_SEV_ERROR, g->line, ptr,
                        "ItemGroupDef '%s' (%s): a SUPP-- dataset needs an Alias with Context=\"DomainDescription\"", id, g->name);
    }
    if (g->n_itemrefs == 0) {
        dsj_dr_emit(r, "DEF-IG-ITEMREFS", DSJ_SEV_ERROR, g->line, ptr, "ItemGroupDef '%s' (%s) has no ItemRef", id, dsj_dr_show(g->name));
        return;
    }
    dsj_dr_itemrefs(r, g->itemrefs, g->n_itemrefs, owner, ptr);
    for (i = 0; i < g->n_itemrefs; i++)
        if (g->itemrefs[i].itemdef) r->in_itemgroup[g->itemrefs[i].itemdef - d->itemdefs] = 1;
    /* Duplicate ItemOIDs and duplicate variable names within the dataset. */
    for (i = 0; i < g->n_itemrefs && !r->stop; i++) {
        const dsj_define_itemref_t *a = &g->itemrefs[i];
        char ip[640];
        for (j = 0; j < i; j++) {
            const dsj_define_itemref_t *b = &g->itemrefs[j];
            if (a->item_oid && b->item_oid && strcmp(a->item_oid, b->item_oid) == 0) {
                dsj_dr_emit(r, "DEF-IG-ITEM-DUP", DSJ_SEV_ERROR, a->line, dsj_dr_ptr(ip, sizeof ip, ptr, "ItemRef", "ItemOID", a->item_oid, i),
                            "ItemGroupDef '%s': ItemDef '%s' is referenced twice", id, a->item_oid);
                break;
            }
            if (a->itemdef && b->itemdef && a->itemdef != b->itemdef && a->itemdef->name && b->itemdef->name &&
                strcasecmp(a->itemdef->name, b->itemdef->name) == 0) {
                dsj_dr_emit(r, "DEF-IG-VARNAME-DUP", DSJ_SEV_ERROR, a->line,
                            dsj_dr_ptr(ip, sizeof ip, ptr, "ItemRef", "ItemOID", a->item_oid, i),
                            "ItemGroupDef '%s': variable name '%s' is used by ItemDefs '%s' and '%s'", id, a->itemdef->name,
                            dsj_dr_show(b->item_oid), dsj_dr_show(a->item_oid));
                break;
            }
        }
        if (a->key_sequence > 0) {
            nkeys++;
            if (a->key_sequence > maxkey) maxkey = a->key_sequence;
            for (j = 0; j < i; j++)
                if (g->itemrefs[j].key_sequence == a->key_sequence) {
                    dsj_dr_emit(r, "DEF-IG-KEYSEQ", DSJ_SEV_ERROR, a->line,
                                dsj_dr_ptr(ip, sizeof ip, ptr, "ItemRef", "ItemOID", a->item_oid, i),
                                "ItemGroupDef '%s': KeySequence %lld is used by ItemRefs '%s' and '%s'", id,
                                (long long)a->key_sequence, dsj_dr_show(g->itemrefs[j].item_oid), dsj_dr_show(a->item_oid));
                    break;
                }
        }
    }
    /* Schematron: required for submissions (2.1 def:Context="Submission"; 2.0 has no context, so always). */
    if (nkeys == 0 && has_data && (!v21 || (d->odm_context && strcmp(d->odm_context, "Submission") == 0)))
        dsj_dr_emit(r, "DEF-IG-KEYS", DSJ_SEV_ERROR, g->line, ptr,
                    "ItemGroupDef '%s' (%s): no ItemRef has a KeySequence; the dataset keys must be given", id, dsj_dr_show(g->name));
    if (nkeys && (uint64_t)maxkey != nkeys) {
        /* Report the first missing number. */
        int64_t k;
        for (k = 1; k <= maxkey; k++) {
            int found = 0;
            for (i = 0; i < g->n_itemrefs; i++)
                if (g->itemrefs[i].key_sequence == k) found = 1;
            if (!found) {
                dsj_dr_emit(r, "DEF-IG-KEYSEQ", DSJ_SEV_ERROR, g->line, ptr,
                            "ItemGroupDef '%s': KeySequence values are not contiguous from 1 (%lld is missing, highest is %lld)",
                            id, (long long)k, (long long)maxkey);
                break;
            }
        }
    }
}

static void check_itemgroups(dsj_dr_t *r)
{
    const dsj_define_t *d = r->def;
    size_t i, j;
    char p[512];
    for (i = 0; i < d->n_itemgroups && !r->stop; i++) check_itemgroup(r, i);
    for (i = 0; i < d->n_itemgroups && !r->stop; i++) {
        const dsj_define_itemgroup_t *g = &d->itemgroups[i];
        if (!g->name) continue;
        for (j = 0; j < i; j++)
            if (d->itemgroups[j].name && strcasecmp(d->itemgroups[j].name, g->name) == 0) {
                dsj_dr_emit(r, "DEF-IG-NAME-DUP", DSJ_SEV_ERROR, g->line, dsj_dr_ptr(p, sizeof p, NULL, "ItemGroupDef", "OID", g->oid, i),
                            "ItemGroupDef '%s': dataset name '%s' is also used by ItemGroupDef '%s'", dsj_dr_show(g->oid),
                            g->name, dsj_dr_show(d->itemgroups[j].oid));
                break;
            }
    }
}

/* ------------------------------------------------------------------ driver */

dsj_status_t dsj_define_validate(const dsj_define_t *def, const char *xsd_dir, dsj_finding_cb cb, void *ctx, dsj_error_t *err)
{
    dsj_dr_t r;
    dsj_status_t st = DSJ_OK;
    int aborted = 0;
    if (!def) return dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "dsj_define_validate: NULL define");
    memset(&r, 0, sizeof r);
    r.def = def;
    r.cb = cb;
    r.ctx = ctx;
    r.used_itemdef = dsj_calloc(def->n_itemdefs + 1, 1);
    r.used_codelist = dsj_calloc(def->n_codelists + 1, 1);
    r.used_method = dsj_calloc(def->n_methods + 1, 1);
    r.used_comment = dsj_calloc(def->n_comments + 1, 1);
    r.used_leaf = dsj_calloc(def->n_leaves + 1, 1);
    r.used_standard = dsj_calloc(def->n_standards + 1, 1);
    r.used_valuelist = dsj_calloc(def->n_valuelists + 1, 1);
    r.used_whereclause = dsj_calloc(def->n_whereclauses + 1, 1);
    r.in_itemgroup = dsj_calloc(def->n_itemdefs + 1, 1);
    if (!r.used_itemdef || !r.used_codelist || !r.used_method || !r.used_comment || !r.used_leaf || !r.used_standard ||
        !r.used_valuelist || !r.used_whereclause || !r.in_itemgroup) {
        st = dsj_error_set(err, DSJ_E_NOMEM, def->file, 0, 0, 0, "out of memory validating the define");
        goto done;
    }
    check_odm(&r);
    check_mdv(&r);
    check_standards(&r);
    check_documents(&r);
    check_cardinality(&r);
    check_itemgroups(&r);
    dsj_dr_check_items(&r);
    dsj_dr_check_uniqueness(&r);
    dsj_dr_check_orphans(&r);
    if (!r.stop && xsd_dir) {
        st = dsj_define_validate_xsd(def, xsd_dir, cb, ctx, &aborted, err);
        if (aborted) r.stop = 1;
    }
    if (st == DSJ_OK && r.stop) st = dsj_error_set(err, DSJ_E_ABORTED, def->file, 0, 0, 0, "stopped by the finding callback");
done:
    dsj_free(r.used_itemdef);
    dsj_free(r.used_codelist);
    dsj_free(r.used_method);
    dsj_free(r.used_comment);
    dsj_free(r.used_leaf);
    dsj_free(r.used_standard);
    dsj_free(r.used_valuelist);
    dsj_free(r.used_whereclause);
    dsj_free(r.in_itemgroup);
    return st;
}
