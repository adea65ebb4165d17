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

#ifdef __cplusplus
}
#endif

#endif /* DSJSON_DEFINE_H */
