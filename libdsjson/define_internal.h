/* Private parts of the Define-XML module (define.c, define_parse.c, define_rules.c). */
#ifndef DSJ_DEFINE_INTERNAL_H
#define DSJ_DEFINE_INTERNAL_H

#include "dsj_internal.h"

#define DSJ_NS_ODM "http://www.cdisc.org/ns/odm/v1.3"
#define DSJ_NS_DEF20 "http://www.cdisc.org/ns/def/v2.0"
#define DSJ_NS_DEF21 "http://www.cdisc.org/ns/def/v2.1"
#define DSJ_NS_DEF10 "http://www.cdisc.org/ns/def/v1.0"
#define DSJ_NS_XLINK "http://www.w3.org/1999/xlink"

/* ---- arena: every model string and array lives here, freed at once ---- */
typedef struct dsj_arena_block {
    struct dsj_arena_block *next;
    size_t used, cap;
    /* data follows (max-aligned) */
} dsj_arena_block_t;

typedef struct dsj_arena {
    dsj_arena_block_t *head;
    size_t total;
} dsj_arena_t;

void *dsj_arena_alloc(dsj_arena_t *a, size_t n);          /* zeroed; NULL on nomem */
char *dsj_arena_strdup(dsj_arena_t *a, const char *s);     /* NULL -> NULL */
void dsj_arena_free(dsj_arena_t *a);

/* ---- OID hash: key -> pointer, open addressing, first insert wins ---- */
typedef struct dsj_oidmap {
    const char **keys;
    const void **vals;
    size_t cap;   /* power of two, or 0 */
    size_t n;
} dsj_oidmap_t;

int dsj_oidmap_init(dsj_oidmap_t *m, size_t expected);    /* 0 ok, -1 nomem */
/* Returns 1 inserted, 0 key already present (not replaced), -1 nomem. */
int dsj_oidmap_put(dsj_oidmap_t *m, const char *key, const void *val);
const void *dsj_oidmap_get(const dsj_oidmap_t *m, const char *key);
void dsj_oidmap_free(dsj_oidmap_t *m);

/* ---- code list item index: (codelist index, coded value) -> item ---- */
typedef struct dsj_codeidx_ent {
    const dsj_define_codeitem_t *item;
    size_t cl;
    uint64_t hash;
} dsj_codeidx_ent_t;

/* A counted element occurrence (for cardinality rules). */
typedef struct dsj_define_occ {
    size_t count;
    uint64_t line;  /* first occurrence */
} dsj_define_occ_t;

struct dsj_define {
    char *file;
    dsj_arena_t arena;
    char *xml;               /* copy of the raw bytes (for XML Schema validation) */
    size_t xml_len;
    dsj_define_version_t kind;
    const char *def_ns;      /* namespace URI of the def: prefix */

    /* ODM root */
    const char *odm_file_oid, *odm_file_type, *odm_version, *odm_creation, *odm_context;
    const char *odm_originator, *odm_source_system, *odm_source_system_version, *odm_as_of;
    uint64_t odm_line;
    dsj_define_occ_t n_study, n_mdv;
    const char *study_oid, *study_name, *study_description, *protocol_name;
    uint64_t study_line, mdv_line;
    dsj_define_occ_t n_global_variables;
    const char *mdv_oid, *mdv_name, *mdv_description, *define_version;
    const char *standard_name, *standard_version, *mdv_comment_oid;
    const char *define_version_ns;   /* namespace of the def:DefineVersion attribute found */
    dsj_define_occ_t n_standards_el;
    dsj_define_occ_t n_acrf, n_suppdoc;
    dsj_define_docref_t *acrf_docrefs;
    size_t n_acrf_docrefs;
    dsj_define_docref_t *supp_docrefs;
    size_t n_supp_docrefs;

    dsj_define_standard_t *standards; size_t n_standards;
    dsj_define_itemgroup_t *itemgroups; size_t n_itemgroups;
    dsj_define_itemdef_t *itemdefs; size_t n_itemdefs;
    dsj_define_codelist_t *codelists; size_t n_codelists;
    dsj_define_valuelist_t *valuelists; size_t n_valuelists;
    dsj_define_whereclause_t *whereclauses; size_t n_whereclauses;
    dsj_define_method_t *methods; size_t n_methods;
    dsj_define_comment_t *comments; size_t n_comments;
    dsj_define_leaf_t *leaves; size_t n_leaves;       /* MDV leaves, then ItemGroupDef leaves */
    size_t n_mdv_leaves;

    /* Per ItemGroupDef extras (same index as itemgroups). */
    dsj_define_occ_t *ig_n_leaf;          /* def:leaf children */
    dsj_define_occ_t *ig_n_class;         /* def:Class elements (2.1) */
    uint64_t *ig_description_line;        /* 0 when no Description */
    /* Per ItemDef / CodeList / Method / Comment: 1 when a Description element exists. */
    unsigned char *itemdef_has_description;
    unsigned char *codelist_has_codelistitem, *codelist_has_enumerated;
    size_t *codelist_n_external;

    dsj_oidmap_t map_standard, map_itemgroup, map_itemdef, map_codelist, map_valuelist,
        map_whereclause, map_method, map_comment, map_leaf;

    /* References found inside elements the model does not cover (ARM metadata...):
       attribute local name and value, so that orphan checks count them. */
    struct dsj_define_extref { const char *attr, *value; uint64_t line; } *extrefs;
    size_t n_extrefs, cap_extrefs;

    /* Children that occur more often than allowed (seen while parsing; reported as DEF-CARDINALITY). */
    struct dsj_define_extra_child {
        const char *parent, *key, *child; /* element name, its OID (or coded value), the repeated child */
        size_t count, max;
        uint64_t line;
    } *extra_children;
    size_t n_extra_children, cap_extra_children;

    dsj_codeidx_ent_t *codeidx;
    size_t codeidx_cap;
};

/* define_parse.c: fill def from the bytes (def->xml); returns DSJ_OK or an error. */
dsj_status_t dsj_define_parse(dsj_define_t *def, dsj_error_t *err);
/* define.c: build the hash maps and resolve references (after parse). */
dsj_status_t dsj_define_index(dsj_define_t *def, dsj_error_t *err);

/* define_xsd.c: XML Schema validation against the CDISC schema set in xsd_dir. */
dsj_status_t dsj_define_validate_xsd(const dsj_define_t *def, const char *xsd_dir,
                                     dsj_finding_cb cb, void *ctx, int *aborted, dsj_error_t *err);

/* Strict integer text (optional sign, digits, surrounding blanks not allowed). 1 ok, 0 not. */
int dsj_define_parse_int(const char *s, int64_t *out);

/* ---- rule helpers shared by define_rules*.c ---- */
#define DSJ_DR_MDV "/ODM/Study/MetaDataVersion"

typedef struct dsj_dr {
    const dsj_define_t *def;
    dsj_finding_cb cb;
    void *ctx;
    int stop;
    /* 1 when referenced (orphan checks), indexed like the model arrays */
    unsigned char *used_itemdef, *used_codelist, *used_method, *used_comment, *used_leaf, *used_standard,
        *used_valuelist, *used_whereclause;
    unsigned char *in_itemgroup;   /* ItemDef used by an ItemGroupDef ItemRef (a variable, not only value level) */
} dsj_dr_t;

int dsj_dr_emit(dsj_dr_t *r, const char *rule, dsj_severity_t sev, uint64_t line, const char *pointer,
                const char *fmt, ...) DSJ_PRINTF(6, 7);
const char *dsj_dr_ptr(char *buf, size_t n, const char *parent, const char *el, const char *key_attr,
                       const char *key, size_t index);
int dsj_dr_in(const char *v, const char *const *list);
int dsj_dr_blank(const char *s);
size_t dsj_dr_utf8_len(const char *s);
const char *dsj_dr_show(const char *s);
void dsj_dr_ref(dsj_dr_t *r, const char *rule, const dsj_oidmap_t *map, unsigned char *used, const void *base,
                size_t size, const char *oid, const char *what, uint64_t line, const char *ptr, const char *owner);
void dsj_dr_docrefs(dsj_dr_t *r, const dsj_define_docref_t *refs, size_t n, const char *owner, const char *ptr);
void dsj_dr_itemrefs(dsj_dr_t *r, const dsj_define_itemref_t *refs, size_t n, const char *owner, const char *owner_ptr);
/* define_rules_items.c */
void dsj_dr_check_items(dsj_dr_t *r);
void dsj_dr_check_uniqueness(dsj_dr_t *r);
void dsj_dr_check_orphans(dsj_dr_t *r);

#endif /* DSJ_DEFINE_INTERNAL_H */
