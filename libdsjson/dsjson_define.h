/*
 * libdsjson: Define-XML 2.0/2.1 model, standalone validation and
 * dataset-to-define checks.  Included by dsjson.h; do not include directly.
 *
 * The define module owns the model part of this header (it may add model
 * accessors below).  The contract used by the validator and the CLI is the
 * load/free, validate and checker functions declared here.
 */
#ifndef DSJSON_DEFINE_H
#define DSJSON_DEFINE_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dsj_define dsj_define_t;

/**
 * Parse a Define-XML 2.0 or 2.1 file into a read-only model.  XML is read
 * with no network access, no external entities and no DTD loading.
 * Recoverable problems (a missing attribute, a dangling reference) do not stop
 * the parse; they are found by dsj_define_validate.  Returns NULL with err
 * filled when the file is not well-formed XML (DSJ_E_XML, with line), or is
 * not a Define-XML 2.x (DSJ_E_UNSUPPORTED: "unsupported: Define-XML 1.0" ...).
 * [owned] dsj_define_free
 */
DSJ_EXPORT dsj_define_t *dsj_define_load(const char *path, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Same from memory; buf is [borrowed] for the call only; name is used in messages. [owned] */
DSJ_EXPORT dsj_define_t *dsj_define_load_memory(const char *buf, size_t len, const char *name, dsj_error_t *err) DSJ_WARN_UNUSED;
DSJ_EXPORT void dsj_define_free(dsj_define_t *def);

/**
 * Standalone define validation: every structural, referential, uniqueness and
 * catalogue rule (docs/rules.md, DEF-*).  xsd_dir may be NULL; when given it
 * names a folder with the official CDISC schema set and libxml2 XML Schema
 * validation runs too.  Findings go to cb.  Returns DSJ_OK unless cb aborted
 * or the schema could not be loaded.
 */
DSJ_EXPORT dsj_status_t dsj_define_validate(const dsj_define_t *def, const char *xsd_dir,
                                            dsj_finding_cb cb, void *ctx, dsj_error_t *err);

/**
 * Dataset-against-define checks, streamed.  new() runs the metadata checks
 * (itemGroupOID, OIDs, names, labels, order, types...) against meta
 * [borrowed, must outlive the checker]; reader may be NULL, else it is used
 * for the positions of metadata findings.  row() runs the value checks for one
 * row; end() the whole-dataset checks (key uniqueness).  file names the
 * dataset in findings.  [owned] dsj_define_checker_free
 */
typedef struct dsj_define_checker dsj_define_checker_t;
DSJ_EXPORT dsj_define_checker_t *dsj_define_checker_new(const dsj_define_t *def, const dsj_meta_t *meta,
                                                        const struct dsj_reader *reader, const char *file,
                                                        dsj_finding_cb cb, void *ctx, dsj_error_t *err) DSJ_WARN_UNUSED;
DSJ_EXPORT dsj_status_t dsj_define_checker_row(dsj_define_checker_t *chk, const dsj_row_t *row);
DSJ_EXPORT dsj_status_t dsj_define_checker_end(dsj_define_checker_t *chk);
DSJ_EXPORT void dsj_define_checker_free(dsj_define_checker_t *chk);

/**
 * Dataset-JSON metadata for one dataset of the define (by ItemGroupDef OID or
 * Name): OIDs, name, label, columns in OrderNumber order with dataType via
 * the compatibility table, length, displayFormat, keySequence.  version
 * selects 1.0 (adds ITEMGROUPDATASEQ, sets referenceData from
 * IsReferenceData) or 1.1.  [owned] dsj_meta_free
 */
DSJ_EXPORT dsj_meta_t *dsj_define_dataset_meta(const dsj_define_t *def, const char *oid_or_name,
                                               dsj_version_t version, dsj_error_t *err) DSJ_WARN_UNUSED;

/* ======================================================================
 * Read-only model accessors
 *
 * Ownership: every pointer returned below (structs, strings, arrays) is
 * [borrowed] from the define and valid until dsj_define_free.  The structs
 * are plain read-only data; never modify or free them.  Absent attributes
 * are NULL strings and 0 numbers; the texts are exactly as found in the file
 * (so the validator can judge them).  Descriptions are the text of the first
 * TranslatedText with no xml:lang or xml:lang="en" (else the first one).
 * line is the 1-based line of the element's start tag (0 when unknown).
 * Resolved pointers (itemdef, codelist, ...) are NULL when the reference
 * dangles; dsj_define_validate reports those.
 * Look-ups by OID are hash look-ups (constant time); when an OID is defined
 * twice, find returns the first (dsj_define_validate reports DEF-OID-DUP).
 * A loaded define is never modified, so several threads may read one at once.
 * ==================================================================== */

typedef enum dsj_define_version {
    DSJ_DEFINE_V2_0 = 20,
    DSJ_DEFINE_V2_1 = 21
} dsj_define_version_t;

typedef enum dsj_define_comparator {
    DSJ_DEFINE_CMP_UNKNOWN = 0,  /* absent or not one of the ODM values (see comparator_text) */
    DSJ_DEFINE_CMP_EQ, DSJ_DEFINE_CMP_NE, DSJ_DEFINE_CMP_LT, DSJ_DEFINE_CMP_LE,
    DSJ_DEFINE_CMP_GT, DSJ_DEFINE_CMP_GE, DSJ_DEFINE_CMP_IN, DSJ_DEFINE_CMP_NOTIN
} dsj_define_comparator_t;

typedef struct dsj_define_itemdef dsj_define_itemdef_t;
typedef struct dsj_define_codelist dsj_define_codelist_t;
typedef struct dsj_define_valuelist dsj_define_valuelist_t;
typedef struct dsj_define_whereclause dsj_define_whereclause_t;

/** def:Standard (2.1; none in 2.0). */
typedef struct dsj_define_standard {
    const char *oid, *name, *type, *publishing_set, *version, *status, *comment_oid;
    uint64_t line;
} dsj_define_standard_t;

/** ItemRef of an ItemGroupDef or of a def:ValueListDef. */
typedef struct dsj_define_itemref {
    const char *item_oid;
    const char *order_number_text;    /* OrderNumber as found */
    int64_t order_number;             /* 0 when absent or not an integer */
    const char *mandatory_text;       /* "Yes" / "No" as found */
    int mandatory;                    /* 1 when Mandatory="Yes" */
    const char *key_sequence_text;
    int64_t key_sequence;             /* 0 when absent or not an integer */
    const char *method_oid, *role, *role_codelist_oid;
    const char *is_non_standard, *has_no_data; /* 2.1 def:IsNonStandard, def:HasNoData */
    const dsj_define_itemdef_t *itemdef;       /* resolved ItemOID or NULL */
    /* def:WhereClauseRef children (value-level ItemRefs): OIDs and resolved clauses (NULL when dangling). */
    const char *const *where_clause_oids;
    const dsj_define_whereclause_t *const *where_clauses;
    size_t n_where_clauses;
    uint64_t line;
} dsj_define_itemref_t;

/** Alias (Context, Name). */
typedef struct dsj_define_alias {
    const char *context, *name;
} dsj_define_alias_t;

/** def:DocumentRef (leafID) with its def:PDFPageRef attributes when present. */
typedef struct dsj_define_docref {
    const char *leaf_id;
    const char *page_type, *page_refs, *first_page, *last_page, *title;
    uint64_t line;
} dsj_define_docref_t;

/** def:leaf. */
typedef struct dsj_define_leaf {
    const char *id, *href, *title;
    uint64_t line;
} dsj_define_leaf_t;

/** ItemGroupDef (a dataset). */
typedef struct dsj_define_itemgroup {
    const char *oid, *name, *sas_dataset_name, *domain, *origin;
    const char *repeating_text, *is_reference_data_text, *purpose;
    int repeating, is_reference_data;  /* 1 when "Yes" */
    const char *structure;             /* def:Structure */
    const char *class_name;            /* 2.0 @def:Class, 2.1 def:Class/@Name */
    const char *subclass_name, *subclass_parent; /* 2.1 def:SubClass Name, ParentClass (first) */
    const char *archive_location_id, *comment_oid, *standard_oid;
    const char *is_non_standard, *has_no_data;
    const char *description;           /* dataset label */
    const dsj_define_itemref_t *itemrefs;   /* in document order */
    size_t n_itemrefs;
    const dsj_define_alias_t *aliases;
    size_t n_aliases;
    const dsj_define_leaf_t *leaf;      /* child def:leaf or NULL */
    uint64_t line;
} dsj_define_itemgroup_t;

/** def:Origin of an ItemDef. */
typedef struct dsj_define_origin {
    const char *type, *source, *description;
    const dsj_define_docref_t *docrefs;
    size_t n_docrefs;
    uint64_t line;
} dsj_define_origin_t;

/** ItemDef (a variable, or a value-level item). */
struct dsj_define_itemdef {
    const char *oid, *name, *data_type;
    const char *length_text;           /* Length as found */
    int64_t length;                    /* 0 when absent or not a positive integer */
    const char *significant_digits_text;
    int64_t significant_digits;        /* 0 when absent or invalid */
    const char *sas_field_name, *display_format, *comment_oid;
    const char *description;           /* variable label */
    const char *codelist_oid;          /* CodeListRef/@CodeListOID */
    const dsj_define_codelist_t *codelist;
    const char *valuelist_oid;         /* def:ValueListRef/@ValueListOID */
    const dsj_define_valuelist_t *valuelist;
    const dsj_define_origin_t *origins;
    size_t n_origins;
    const dsj_define_alias_t *aliases;
    size_t n_aliases;
    uint64_t line;
};

/** CodeListItem (decode set when it has Decode/TranslatedText) or EnumeratedItem (enumerated = 1, no decode). */
typedef struct dsj_define_codeitem {
    const char *coded_value;
    const char *decode;                /* Decode/TranslatedText or NULL */
    const char *rank_text, *order_number_text, *extended_value;
    const char *description;           /* 2.1 */
    const char *nci_code;              /* Alias Name with Context="nci:ExtCodeID" */
    int enumerated;                    /* 1 for EnumeratedItem */
    uint64_t line;
} dsj_define_codeitem_t;

/** CodeList. */
struct dsj_define_codelist {
    const char *oid, *name, *data_type, *sas_format_name;
    const char *standard_oid, *is_non_standard, *comment_oid, *description;
    const char *nci_code;              /* Alias Context="nci:ExtCodeID" on the list */
    const dsj_define_codeitem_t *items;  /* document order */
    size_t n_items;
    int is_external;                   /* 1 when it has an ExternalCodeList */
    const char *ext_dictionary, *ext_version, *ext_ref, *ext_href;
    size_t index;                      /* position in dsj_define_codelist_at order */
    uint64_t line;
};

/** def:ValueListDef. */
struct dsj_define_valuelist {
    const char *oid;
    const dsj_define_itemref_t *itemrefs;
    size_t n_itemrefs;
    uint64_t line;
};

/** RangeCheck of a def:WhereClauseDef. */
typedef struct dsj_define_rangecheck {
    dsj_define_comparator_t comparator;
    const char *comparator_text;
    const char *soft_hard;             /* "Soft" / "Hard" as found */
    const char *item_oid;              /* def:ItemOID */
    const dsj_define_itemdef_t *itemdef;
    const char *const *values;         /* CheckValue texts */
    size_t n_values;
    uint64_t line;
} dsj_define_rangecheck_t;

/** def:WhereClauseDef: all its RangeChecks must hold (AND). */
struct dsj_define_whereclause {
    const char *oid, *comment_oid;
    const dsj_define_rangecheck_t *checks;
    size_t n_checks;
    uint64_t line;
};

/** MethodDef. */
typedef struct dsj_define_method {
    const char *oid, *name, *type, *description;
    size_t n_formal_expressions;
    const dsj_define_docref_t *docrefs;
    size_t n_docrefs;
    uint64_t line;
} dsj_define_method_t;

/** def:CommentDef. */
typedef struct dsj_define_comment {
    const char *oid, *description;
    const dsj_define_docref_t *docrefs;
    size_t n_docrefs;
    uint64_t line;
} dsj_define_comment_t;

/** The name given at load (path or memory name). [borrowed] */
DSJ_EXPORT const char *dsj_define_file(const dsj_define_t *def);
/** 2.0 or 2.1, from the def namespace. */
DSJ_EXPORT dsj_define_version_t dsj_define_version_kind(const dsj_define_t *def);
/** MetaDataVersion/@def:DefineVersion as found ("2.0.0", "2.1.0"...), or NULL when absent. */
DSJ_EXPORT const char *dsj_define_version(const dsj_define_t *def);
DSJ_EXPORT const char *dsj_define_study_oid(const dsj_define_t *def);
DSJ_EXPORT const char *dsj_define_study_name(const dsj_define_t *def);       /* GlobalVariables/StudyName */
DSJ_EXPORT const char *dsj_define_mdv_oid(const dsj_define_t *def);
DSJ_EXPORT const char *dsj_define_mdv_name(const dsj_define_t *def);
/** 2.0 MetaDataVersion/@def:StandardName and @def:StandardVersion (NULL in 2.1). */
DSJ_EXPORT const char *dsj_define_standard_name(const dsj_define_t *def);
DSJ_EXPORT const char *dsj_define_standard_version(const dsj_define_t *def);

DSJ_EXPORT size_t dsj_define_standard_count(const dsj_define_t *def);
DSJ_EXPORT const dsj_define_standard_t *dsj_define_standard_at(const dsj_define_t *def, size_t i);
DSJ_EXPORT const dsj_define_standard_t *dsj_define_standard_find(const dsj_define_t *def, const char *oid);

/** ItemGroupDefs in document order; find by OID (exact) or by Name (exact, then case-insensitive; also SASDatasetName). */
DSJ_EXPORT size_t dsj_define_itemgroup_count(const dsj_define_t *def);
DSJ_EXPORT const dsj_define_itemgroup_t *dsj_define_itemgroup_at(const dsj_define_t *def, size_t i);
DSJ_EXPORT const dsj_define_itemgroup_t *dsj_define_itemgroup_find(const dsj_define_t *def, const char *oid);
DSJ_EXPORT const dsj_define_itemgroup_t *dsj_define_itemgroup_find_by_name(const dsj_define_t *def, const char *name);

DSJ_EXPORT size_t dsj_define_itemdef_count(const dsj_define_t *def);
DSJ_EXPORT const dsj_define_itemdef_t *dsj_define_itemdef_at(const dsj_define_t *def, size_t i);
DSJ_EXPORT const dsj_define_itemdef_t *dsj_define_itemdef_find(const dsj_define_t *def, const char *oid);

DSJ_EXPORT size_t dsj_define_codelist_count(const dsj_define_t *def);
DSJ_EXPORT const dsj_define_codelist_t *dsj_define_codelist_at(const dsj_define_t *def, size_t i);
DSJ_EXPORT const dsj_define_codelist_t *dsj_define_codelist_find(const dsj_define_t *def, const char *oid);
/** The item of cl whose CodedValue equals value[0..len) exactly, or NULL.  Constant time. */
DSJ_EXPORT const dsj_define_codeitem_t *dsj_define_codelist_item_find(const dsj_define_t *def, const dsj_define_codelist_t *cl,
                                                                      const char *value, size_t len);

DSJ_EXPORT size_t dsj_define_valuelist_count(const dsj_define_t *def);
DSJ_EXPORT const dsj_define_valuelist_t *dsj_define_valuelist_at(const dsj_define_t *def, size_t i);
DSJ_EXPORT const dsj_define_valuelist_t *dsj_define_valuelist_find(const dsj_define_t *def, const char *oid);

DSJ_EXPORT size_t dsj_define_whereclause_count(const dsj_define_t *def);
DSJ_EXPORT const dsj_define_whereclause_t *dsj_define_whereclause_at(const dsj_define_t *def, size_t i);
DSJ_EXPORT const dsj_define_whereclause_t *dsj_define_whereclause_find(const dsj_define_t *def, const char *oid);

DSJ_EXPORT size_t dsj_define_method_count(const dsj_define_t *def);
DSJ_EXPORT const dsj_define_method_t *dsj_define_method_at(const dsj_define_t *def, size_t i);
DSJ_EXPORT const dsj_define_method_t *dsj_define_method_find(const dsj_define_t *def, const char *oid);

DSJ_EXPORT size_t dsj_define_comment_count(const dsj_define_t *def);
DSJ_EXPORT const dsj_define_comment_t *dsj_define_comment_at(const dsj_define_t *def, size_t i);
DSJ_EXPORT const dsj_define_comment_t *dsj_define_comment_find(const dsj_define_t *def, const char *oid);

/** def:leaf elements of MetaDataVersion and of ItemGroupDefs; find by ID. */
DSJ_EXPORT size_t dsj_define_leaf_count(const dsj_define_t *def);
DSJ_EXPORT const dsj_define_leaf_t *dsj_define_leaf_at(const dsj_define_t *def, size_t i);
DSJ_EXPORT const dsj_define_leaf_t *dsj_define_leaf_find(const dsj_define_t *def, const char *id);

/* ======================================================================
 * metaDataRef resolution (owned by the define-check module)
 *
 * A dataset's metaDataRef names its define.xml.  The library never fetches
 * anything over the network: the default resolver accepts a plain path or a
 * file: URI (file:rel/define.xml, file:///abs/define.xml,
 * file://localhost/abs/...), percent-decodes it, and resolves a relative
 * path against the folder of the dataset file.  Any other scheme (http:,
 * https:, ftp: ...) is refused.  Callers can replace the resolver, in the
 * spirit of pydicom's bulk-data URI handler: the simple form receives the
 * URI and the dataset path, the extended form also what is being resolved.
 * ==================================================================== */

/**
 * Resolver callback: return a local path for uri [owned by the library
 * afterwards; allocate with malloc], or NULL when it cannot be resolved.
 * base_path is the dataset file's path (may be NULL for memory inputs).
 */
typedef char *(*dsj_uri_resolve_fn)(const char *uri, const char *base_path, void *ctx);

/** What is being resolved.  All strings [borrowed] for the call only; absent ones are NULL. */
typedef struct dsj_uri_request {
    const char *what;                 /* "define" for a metaDataRef */
    const char *uri;                  /* the metaDataRef text */
    const char *base_path;            /* the dataset file's path, or NULL */
    const char *itemgroup_oid;        /* the dataset's itemGroupOID */
    const char *study_oid;            /* the dataset's studyOID */
    const char *metadata_version_oid; /* the dataset's metaDataVersionOID */
} dsj_uri_request_t;

/** Extended resolver: same contract as dsj_uri_resolve_fn. */
typedef char *(*dsj_uri_resolve_ex_fn)(const dsj_uri_request_t *req, void *ctx);

/**
 * The default resolver (usable as a dsj_uri_resolve_fn, ctx unused): a path
 * or file: URI, relative to the folder of base_path; NULL for other schemes,
 * remote file://host/ URIs and empty text.  Does not check existence.
 * [owned] free()
 */
DSJ_EXPORT char *dsj_uri_resolve_default(const char *uri, const char *base_path, void *ctx);

/**
 * Resolve meta's metaDataRef [borrowed] to a local define path.  fn NULL
 * uses dsj_uri_resolve_default and then checks that the file exists.
 * Errors: DSJ_E_NOTFOUND (no metaDataRef, unresolvable, missing file),
 * DSJ_E_UNSUPPORTED (a non-file: scheme with the default resolver).
 * [owned] free()
 */
DSJ_EXPORT char *dsj_define_resolve_metadataref(const dsj_meta_t *meta, const char *dataset_path,
                                                dsj_uri_resolve_fn fn, void *ctx, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Same with an extended resolver (req.what = "define"). [owned] free() */
DSJ_EXPORT char *dsj_define_resolve_metadataref_ex(const dsj_meta_t *meta, const char *dataset_path,
                                                   dsj_uri_resolve_ex_fn fn, void *ctx, dsj_error_t *err) DSJ_WARN_UNUSED;

#ifdef __cplusplus
}
#endif

#endif /* DSJSON_DEFINE_H */
