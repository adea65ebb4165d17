/*
 * libdsjson: ODM XML <-> ODM JSON (ODM 1.3.2, Define-XML 2.0/2.1,
 * Dataset-XML 1.0, ODM 2.0).  Included by dsjson.h; do not include directly.
 *
 * The JSON form follows the "Flickr" / odmlib convention, made lossless;
 * every rule is in docs/odm-json.md.  In short: the root object is the ODM
 * element; attributes are "LocalName": value; a child that the schema lets
 * repeat is always an array, a single child an object; text is "_content";
 * integer-typed attributes are JSON numbers.  Root "_schema" names the schema
 * table used, "_ns" maps the prefixes of namespaces that are not CDISC ones.
 *
 * Large values of binary data types can go to a bulk-data handler: the JSON
 * then carries {"BulkDataURI": "..."} in place of the value.
 */
#ifndef DSJSON_ODM_H
#define DSJSON_ODM_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Bulk write handler: store value[0..len) (the lexical XML value, e.g. the
 * base64 text) of item item_oid (may be "" when unknown) whose data type is
 * data_type ("base64Binary", "hexBinary"...).  Return the URI to put in the
 * JSON [owned: the library free()s it], or NULL to fail the conversion (set
 * err for a message).
 */
typedef char *(*dsj_odm_bulk_write_fn)(void *ctx, const char *item_oid, const char *data_type,
                                       const char *value, size_t len, dsj_error_t *err);
/**
 * Bulk read handlers: return the value for uri [owned: malloc'd, the library
 * free()s it] with its length in *len, or NULL with err set.  The first form
 * gets only the URI; the second also the ItemOID and the data type (either
 * may be "" when unknown).  When both are set the second is used.
 */
typedef char *(*dsj_odm_bulk_read_fn)(void *ctx, const char *uri, size_t *len, dsj_error_t *err);
typedef char *(*dsj_odm_bulk_read_item_fn)(void *ctx, const char *uri, const char *item_oid,
                                           const char *data_type, size_t *len, dsj_error_t *err);

/** Options; zero-initialise (or call dsj_odm_options_init) and set what you need. */
typedef struct dsj_odm_options {
    int pretty;                 /* XML->JSON: indent with 2 spaces; JSON->XML: indent the XML */
    int wrap_root;              /* XML->JSON: write {"ODM": {...}} instead of the bare root object */
    size_t bulk_threshold;      /* bytes; values longer than this go to bulk_write (0 = default 1024) */
    dsj_odm_bulk_write_fn bulk_write;           /* NULL: values stay inline */
    dsj_odm_bulk_read_fn bulk_read;             /* JSON->XML: resolves {"BulkDataURI"} */
    dsj_odm_bulk_read_item_fn bulk_read_item;   /* preferred over bulk_read when set */
    void *bulk_ctx;                             /* [borrowed] passed to the handlers */
    const char *schema;         /* force a schema table by name ("define-2.1"...); NULL = detect */
    const char *schema_json;    /* [borrowed] an extra table (the schemas/odm/NAME.json format),
                                   used instead of the built-in one of the same name; NULL = none */
    dsj_finding_cb warn;        /* warnings (ODM-JSON-* rules), may be NULL */
    void *warn_ctx;
} dsj_odm_options_t;

/** Defaults: everything 0/NULL, bulk_threshold 1024. */
DSJ_EXPORT void dsj_odm_options_init(dsj_odm_options_t *opts);

/* ---------------------------------------------------------------- XML -> JSON */

/**
 * Convert ODM XML (xml[0..len)) to a JSON text.  name is used in messages
 * (may be NULL).  opts may be NULL.  Returns the JSON [owned: free()] with its
 * length in *out_len (may be NULL), or NULL with err set (DSJ_E_XML with the
 * line for malformed XML, DSJ_E_FORMAT for a non-ODM root...).
 */
DSJ_EXPORT char *dsj_odm_xml_to_json(const char *xml, size_t len, const char *name,
                                     const dsj_odm_options_t *opts, size_t *out_len,
                                     dsj_error_t *err) DSJ_WARN_UNUSED;
/** Same, as a json-c tree [owned: json_object_put]. */
DSJ_EXPORT struct json_object *dsj_odm_xml_to_tree(const char *xml, size_t len, const char *name,
                                                   const dsj_odm_options_t *opts,
                                                   dsj_error_t *err) DSJ_WARN_UNUSED;
/**
 * Stream the XML file in_path to JSON in sink [borrowed; committed by the
 * caller].  Memory stays bounded for ClinicalData/ReferenceData: one child
 * (ItemGroupData, SubjectData) is held at a time.
 */
DSJ_EXPORT dsj_status_t dsj_odm_xml_file_to_sink(const char *in_path, dsj_sink_t *sink,
                                                 const dsj_odm_options_t *opts, dsj_error_t *err);
/** File to file; the output is written atomically (dsj_sink_new_path). */
DSJ_EXPORT dsj_status_t dsj_odm_xml_file_to_json_file(const char *in_path, const char *out_path,
                                                      const dsj_odm_options_t *opts, dsj_error_t *err);

/* ---------------------------------------------------------------- JSON -> XML */

/** Largest JSON text json2odm loads (the whole document is held in memory). */
#define DSJ_ODM_JSON_MAX_BYTES ((size_t)1 << 30)

/**
 * Convert an ODM JSON text to XML.  Returns the XML [owned: free()] with its
 * length in *out_len, or NULL with err set (unknown key, wrong value type,
 * with the JSON pointer in err->pointer).
 */
DSJ_EXPORT char *dsj_odm_json_to_xml(const char *json, size_t len, const char *name,
                                     const dsj_odm_options_t *opts, size_t *out_len,
                                     dsj_error_t *err) DSJ_WARN_UNUSED;
/** Same from a json-c tree [borrowed]. */
DSJ_EXPORT char *dsj_odm_tree_to_xml(struct json_object *root, const char *name,
                                     const dsj_odm_options_t *opts, size_t *out_len,
                                     dsj_error_t *err) DSJ_WARN_UNUSED;
/** File to file (atomic output); the input may be at most DSJ_ODM_JSON_MAX_BYTES. */
DSJ_EXPORT dsj_status_t dsj_odm_json_file_to_xml_file(const char *in_path, const char *out_path,
                                                      const dsj_odm_options_t *opts, dsj_error_t *err);

/** Names of the built-in schema tables, NULL-terminated. [borrowed, static] */
DSJ_EXPORT const char *const *dsj_odm_schema_names(void);

#ifdef __cplusplus
}
#endif

#endif /* DSJSON_ODM_H */
