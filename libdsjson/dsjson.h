/*
 * libdsjson: CDISC Dataset-JSON 1.0/1.1 (JSON, NDJSON, DSJC), Define-XML and
 * friends, in streaming C.
 *
 * This is the one public header.  Everything the library exports is declared
 * here or in the area headers it includes at the bottom.
 *
 * Conventions
 *  - Prefix dsj_ for functions, DSJ_ for constants, dsj_<noun>_t for types.
 *  - Handles are opaque, made by dsj_<noun>_new (or a named constructor) and
 *    released with dsj_<noun>_free; every _free accepts NULL and does nothing.
 *  - Functions that can fail return dsj_status_t (DSJ_OK == 0) and, when the
 *    caller passes a non-NULL dsj_error_t *, fill it with the code, a message
 *    and the position.  dsj_strerror(code) gives a static text.
 *  - Ownership is stated on every declaration:
 *      [owned]    the caller must release the result (with the named function)
 *      [borrowed] the pointer belongs to the library; the validity is stated
 *      [copied]   the library copies the argument; the caller keeps its own
 *      [takes]    the library takes ownership of the argument, even on failure
 *  - Validation findings (problems in the data) are not errors: they go to a
 *    dsj_finding_cb or a dsj_findings_t list.  Errors (dsj_status_t) are for
 *    input that cannot be read at all, misuse and resource failures.
 */
#ifndef DSJSON_H
#define DSJSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct json_object; /* json-c; include <json-c/json.h> to use these values */
struct dsj_define;  /* see dsjson_define.h */
struct dsj_reader;

#if defined(__GNUC__) && !defined(DSJ_NO_VISIBILITY)
#define DSJ_EXPORT __attribute__((visibility("default")))
#define DSJ_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define DSJ_EXPORT
#define DSJ_WARN_UNUSED
#endif

#define DSJ_VERSION_MAJOR 0
#define DSJ_VERSION_MINOR 1
#define DSJ_VERSION_PATCH 0
#define DSJ_VERSION_STRING "0.1.0"

/** Library version text, e.g. "0.1.0". [borrowed, static] */
DSJ_EXPORT const char *dsj_version(void);

/* ======================================================================
 * Status codes and errors
 * ==================================================================== */

typedef enum dsj_status {
    DSJ_OK = 0,
    DSJ_E_NOMEM,          /* out of memory */
    DSJ_E_ARG,            /* invalid argument or misuse of the API */
    DSJ_E_STATE,          /* call out of order (writer, reader) */
    DSJ_E_IO,             /* open, read, write, rename failed (errno in text) */
    DSJ_E_SYNTAX,         /* input is not well-formed JSON / XML */
    DSJ_E_FORMAT,         /* well-formed but not a Dataset-JSON (or expected) document */
    DSJ_E_UNSUPPORTED,    /* a version or feature this library does not handle */
    DSJ_E_COMPRESSION,    /* corrupt or truncated zlib/gzip stream */
    DSJ_E_ENCODING,       /* bad UTF-8 where it cannot be reported as a finding */
    DSJ_E_LIMIT,          /* a hard limit was hit (depth, string length, columns...) */
    DSJ_E_RANGE,          /* a value does not fit (integer overflow...) */
    DSJ_E_TYPE,           /* a value has the wrong type for the request */
    DSJ_E_MISMATCH,       /* records count or row width disagrees with the metadata */
    DSJ_E_NOTFOUND,       /* a looked-up item does not exist */
    DSJ_E_XML,            /* XML parser error */
    DSJ_E_DEFINE,         /* define.xml cannot be used */
    DSJ_E_ABORTED,        /* a callback asked to stop */
    DSJ_E__COUNT,
    /* Non-error results of dsj_reader_next (sqlite style). */
    DSJ_ROW = 100,        /* a row is available */
    DSJ_DONE = 101        /* no more rows */
} dsj_status_t;

/** Static English text for a status code. [borrowed, static] */
DSJ_EXPORT const char *dsj_strerror(dsj_status_t code);

/** Caller-owned error detail.  All fields are plain data; zero means unknown. */
typedef struct dsj_error {
    dsj_status_t code;
    char file[512];      /* file name as given by the caller, or "" */
    uint64_t line;       /* 1-based; 0 = unknown */
    uint64_t column;     /* 1-based, in bytes; 0 = unknown */
    uint64_t offset;     /* 0-based byte offset in the (decompressed) input */
    char pointer[256];   /* JSON pointer or XPath-like location, or "" */
    char text[512];      /* human-readable message */
} dsj_error_t;

/** Reset an error struct to DSJ_OK with empty fields. */
DSJ_EXPORT void dsj_error_clear(dsj_error_t *err);

/** Format "file:line:column: text" into buf (always NUL-terminated). Returns buf [borrowed: the caller's own buffer]. */
DSJ_EXPORT char *dsj_error_format(const dsj_error_t *err, char *buf, size_t size);

/* ======================================================================
 * Findings (validation results)
 * ==================================================================== */

typedef enum dsj_severity {
    DSJ_SEV_INFO = 0,
    DSJ_SEV_WARNING = 1,
    DSJ_SEV_ERROR = 2
} dsj_severity_t;

/** "info", "warning", "error". [borrowed, static] */
DSJ_EXPORT const char *dsj_severity_name(dsj_severity_t sev);

/**
 * One finding.  All strings are [borrowed]: valid only during the callback
 * that receives the finding (copy what you keep; dsj_findings_t does that).
 * Absent fields are NULL (strings) or 0 (numbers).
 */
typedef struct dsj_finding {
    const char *rule;          /* stable rule ID, e.g. "DSJ-ROW-WIDTH" (docs/rules.md) */
    dsj_severity_t severity;
    const char *message;
    const char *file;
    uint64_t line;             /* 1-based line in the (decompressed) input */
    uint64_t column;           /* 1-based byte column */
    uint64_t offset;           /* byte offset; meaningful when line is 0 too */
    const char *pointer;       /* JSON pointer, e.g. "/columns/3/dataType" or "/rows/17/4" */
    uint64_t row;              /* 1-based data row number; 0 = not about a row */
    const char *column_name;   /* dataset column (variable) name */
} dsj_finding_t;

/**
 * Receives findings.  Return 0 to continue, non-zero to ask the producer to
 * stop (it then returns DSJ_E_ABORTED).
 */
typedef int (*dsj_finding_cb)(const dsj_finding_t *finding, void *ctx);

/**
 * An accumulating, capped list of findings.  Keeps at most max_kept findings
 * (0 = unlimited) and counts every finding per severity, kept or not.
 */
typedef struct dsj_findings dsj_findings_t;

DSJ_EXPORT dsj_findings_t *dsj_findings_new(size_t max_kept) DSJ_WARN_UNUSED; /* [owned] dsj_findings_free */
DSJ_EXPORT void dsj_findings_free(dsj_findings_t *list);
/** Append a copy of f. Usable directly as a dsj_finding_cb with ctx = the list. Returns 0. */
DSJ_EXPORT int dsj_findings_add(const dsj_finding_t *f, void *list);
DSJ_EXPORT size_t dsj_findings_count(const dsj_findings_t *list);          /* kept */
DSJ_EXPORT uint64_t dsj_findings_total(const dsj_findings_t *list);        /* seen */
DSJ_EXPORT uint64_t dsj_findings_total_severity(const dsj_findings_t *list, dsj_severity_t sev);
/** i-th kept finding. [borrowed] valid until the list is freed or cleared. */
DSJ_EXPORT const dsj_finding_t *dsj_findings_get(const dsj_findings_t *list, size_t i);
DSJ_EXPORT void dsj_findings_clear(dsj_findings_t *list);
/** Sort kept findings by (row, line, offset), stable. */
DSJ_EXPORT void dsj_findings_sort(dsj_findings_t *list);

/** Write one finding as a text line: "file:line:col: severity RULE [row N, COL] message (at pointer)". */
DSJ_EXPORT void dsj_finding_print(FILE *out, const dsj_finding_t *f);

/* ======================================================================
 * Data types and formats
 * ==================================================================== */

typedef enum dsj_version {
    DSJ_VERSION_UNKNOWN = 0,
    DSJ_V1_0 = 10,
    DSJ_V1_1 = 11
} dsj_version_t;

typedef enum dsj_format {
    DSJ_FORMAT_AUTO = 0,  /* reader: sniff; writer: from the file name extension */
    DSJ_FORMAT_JSON,
    DSJ_FORMAT_NDJSON,
    DSJ_FORMAT_DSJC,      /* compressed NDJSON (gzip or zlib on read; see writer options) */
    DSJ_FORMAT_DATASETXML,/* CDISC Dataset-XML 1.0 (ODM 1.3.2); reading needs a define (docs/datasetxml.md) */
    DSJ_FORMAT_XPT,       /* SAS XPORT v5/v8, through ReadStat (docs/xpt.md) */
    DSJ_FORMAT_SAS7BDAT   /* SAS dataset, read only, through ReadStat */
} dsj_format_t;

/** Column data types (v1.1 dataType enum; v1.0 "type" uses the first six). */
typedef enum dsj_datatype {
    DSJ_TYPE_NONE = 0,    /* absent (e.g. no targetDataType) */
    DSJ_TYPE_STRING,
    DSJ_TYPE_INTEGER,
    DSJ_TYPE_DECIMAL,
    DSJ_TYPE_FLOAT,
    DSJ_TYPE_DOUBLE,
    DSJ_TYPE_BOOLEAN,
    DSJ_TYPE_DATETIME,
    DSJ_TYPE_DATE,
    DSJ_TYPE_TIME,
    DSJ_TYPE_URI,
    DSJ_TYPE_UNKNOWN      /* present but not a known value; see dsj_column_t.data_type_text */
} dsj_datatype_t;

/** "string", "integer", ... ; "" for NONE, "unknown" for UNKNOWN. [borrowed, static] */
DSJ_EXPORT const char *dsj_datatype_name(dsj_datatype_t t);
/** Parse a dataType name (exact, case-sensitive). Unknown text gives DSJ_TYPE_UNKNOWN, NULL gives NONE. */
DSJ_EXPORT dsj_datatype_t dsj_datatype_from_name(const char *name);

/**
 * Format from a file name's extension (case-insensitive): .json, .ndjson,
 * .dsjc, .xml (Dataset-XML), .xpt, .sas7bdat; DSJ_FORMAT_AUTO if none matches.
 */
DSJ_EXPORT dsj_format_t dsj_format_from_path(const char *path);
/** "json", "ndjson", "dsjc", "dataset-xml", "xpt", "sas7bdat", "auto" [borrowed, static] */
DSJ_EXPORT const char *dsj_format_name(dsj_format_t f);
/** 1 for the Dataset-JSON container formats (JSON, NDJSON, DSJC), 0 otherwise. */
DSJ_EXPORT int dsj_format_is_dataset_json(dsj_format_t f);

/* ======================================================================
 * Dataset metadata
 * ==================================================================== */

/**
 * Column (v1.1) / item (v1.0) metadata.  Plain data.  When obtained from a
 * dsj_meta_t the strings are [borrowed] from it (valid until the meta is
 * modified or freed).  When passed to dsj_meta_add_column it is [copied].
 * Absent strings are NULL; absent numbers are 0.
 */
typedef struct dsj_column {
    const char *item_oid;          /* itemOID (1.1) / OID (1.0) */
    const char *name;
    const char *label;
    dsj_datatype_t data_type;      /* dataType (1.1) / type (1.0) */
    const char *data_type_text;    /* the text as found (for UNKNOWN); may be NULL when built by code */
    dsj_datatype_t target_data_type; /* DSJ_TYPE_NONE when absent */
    int64_t length;                /* 0 = absent */
    const char *display_format;
    int64_t key_sequence;          /* 0 = absent */
} dsj_column_t;

/** String-valued dataset attributes, named version-neutrally. */
typedef enum dsj_meta_attr {
    DSJ_META_DATASET_JSON_VERSION = 0, /* datasetJSONVersion */
    DSJ_META_CREATION_DATETIME,        /* 1.1 datasetJSONCreationDateTime / 1.0 creationDateTime */
    DSJ_META_FILE_OID,                 /* fileOID */
    DSJ_META_DB_LAST_MODIFIED_DATETIME,/* 1.1 dbLastModifiedDateTime */
    DSJ_META_AS_OF_DATETIME,           /* 1.0 asOfDateTime */
    DSJ_META_ORIGINATOR,               /* originator */
    DSJ_META_SOURCE_SYSTEM_NAME,       /* 1.1 sourceSystem.name / 1.0 sourceSystem */
    DSJ_META_SOURCE_SYSTEM_VERSION,    /* 1.1 sourceSystem.version / 1.0 sourceSystemVersion */
    DSJ_META_STUDY_OID,                /* studyOID */
    DSJ_META_METADATA_VERSION_OID,     /* metaDataVersionOID */
    DSJ_META_METADATA_REF,             /* metaDataRef */
    DSJ_META_ITEMGROUP_OID,            /* 1.1 itemGroupOID / 1.0 the itemGroupData key */
    DSJ_META_NAME,                     /* dataset name */
    DSJ_META_LABEL,                    /* dataset label */
    DSJ_META__COUNT
} dsj_meta_attr_t;

/** The JSON attribute name for a version ("datasetJSONCreationDateTime"...). [borrowed, static] */
DSJ_EXPORT const char *dsj_meta_attr_name(dsj_meta_attr_t a, dsj_version_t v);

typedef struct dsj_meta dsj_meta_t;

DSJ_EXPORT dsj_meta_t *dsj_meta_new(dsj_version_t v) DSJ_WARN_UNUSED; /* [owned] dsj_meta_free */
DSJ_EXPORT void dsj_meta_free(dsj_meta_t *m);
DSJ_EXPORT dsj_meta_t *dsj_meta_clone(const dsj_meta_t *m) DSJ_WARN_UNUSED; /* [owned] deep copy */

DSJ_EXPORT dsj_version_t dsj_meta_version(const dsj_meta_t *m);
DSJ_EXPORT void dsj_meta_set_version(dsj_meta_t *m, dsj_version_t v);

/** [borrowed] value or NULL when absent; valid until set again or freed. */
DSJ_EXPORT const char *dsj_meta_get(const dsj_meta_t *m, dsj_meta_attr_t a);
/** [copied] value; NULL removes the attribute. */
DSJ_EXPORT dsj_status_t dsj_meta_set(dsj_meta_t *m, dsj_meta_attr_t a, const char *value);

/** 1.0: 1 when the dataset sits under referenceData, 0 under clinicalData. */
DSJ_EXPORT int dsj_meta_is_reference_data(const dsj_meta_t *m);
DSJ_EXPORT void dsj_meta_set_reference_data(dsj_meta_t *m, int yes);

/** records: returns 1 and sets *n when present, 0 when absent. */
DSJ_EXPORT int dsj_meta_records(const dsj_meta_t *m, int64_t *n);
DSJ_EXPORT void dsj_meta_set_records(dsj_meta_t *m, int64_t n);
DSJ_EXPORT void dsj_meta_unset_records(dsj_meta_t *m);

/** 1 when the source had a rows/itemData member (or any data lines), 0 for metadata-only. */
DSJ_EXPORT int dsj_meta_has_rows(const dsj_meta_t *m);
DSJ_EXPORT void dsj_meta_set_has_rows(dsj_meta_t *m, int yes);

DSJ_EXPORT size_t dsj_meta_ncolumns(const dsj_meta_t *m);
/** [borrowed] i-th column, NULL if out of range; valid until the meta is modified or freed. */
DSJ_EXPORT const dsj_column_t *dsj_meta_column(const dsj_meta_t *m, size_t i);
/** Append a column. [copied] */
DSJ_EXPORT dsj_status_t dsj_meta_add_column(dsj_meta_t *m, const dsj_column_t *c);
/** Remove column i (shifting later ones). */
DSJ_EXPORT dsj_status_t dsj_meta_remove_column(dsj_meta_t *m, size_t i);
/** Replace column i. [copied] */
DSJ_EXPORT dsj_status_t dsj_meta_set_column(dsj_meta_t *m, size_t i, const dsj_column_t *c);
/** Index of the first column with this name, or -1. */
DSJ_EXPORT long dsj_meta_find_column(const dsj_meta_t *m, const char *name);

/**
 * Attributes the library does not model (vendor extensions, unknown keys),
 * kept so that a round trip loses nothing: a json-c object whose keys are the
 * unknown root attributes (1.1) or root/data-level attributes (1.0, keys of
 * the clinicalData/referenceData object prefixed with "data:"), or NULL when
 * there are none.  [borrowed] valid until the meta is freed.
 */
DSJ_EXPORT struct json_object *dsj_meta_extra(const dsj_meta_t *m);
/** Replace the extras with a json-c object (NULL clears). [takes] one reference */
DSJ_EXPORT void dsj_meta_set_extra(dsj_meta_t *m, struct json_object *extra);

/** 1 when equal in every modelled attribute, column and extra; 0 otherwise. */
DSJ_EXPORT int dsj_meta_equal(const dsj_meta_t *a, const dsj_meta_t *b);

/* ======================================================================
 * Cells and rows
 * ==================================================================== */

/** JSON-level kind of a cell, as found in the file. */
typedef enum dsj_cell_kind {
    DSJ_CELL_NULL = 0,
    DSJ_CELL_STRING,      /* text: unescaped UTF-8 */
    DSJ_CELL_INTEGER,     /* JSON number without fraction or exponent; text: the token */
    DSJ_CELL_NUMBER,      /* JSON number with fraction or exponent; text: the token */
    DSJ_CELL_BOOLEAN,     /* text: "true" or "false" */
    DSJ_CELL_INVALID      /* object or array: never valid in a row; text: the raw JSON */
} dsj_cell_kind_t;

/**
 * One cell.  text is NUL-terminated and len excludes the NUL (strings may
 * contain \u0000, so use len).  Numbers keep their exact lexical text: no
 * value ever goes through a double unless the caller asks.
 * line/column/offset give the position of the value's first byte.
 */
typedef struct dsj_cell {
    dsj_cell_kind_t kind;
    const char *text;     /* NULL for DSJ_CELL_NULL */
    size_t len;
    uint64_t line;
    uint64_t column;
    uint64_t offset;
} dsj_cell_t;

/**
 * A row view.  From a reader it is [borrowed] and valid until the next call
 * on that reader; the cells array and every text pointer belong to the reader.
 */
typedef struct dsj_row {
    uint64_t index;           /* 1-based row number */
    size_t ncells;
    const dsj_cell_t *cells;
    uint64_t line;            /* position of the row's '[' */
    uint64_t column;
    uint64_t offset;
} dsj_row_t;

/** 1 when the cell is null or the empty string. */
DSJ_EXPORT int dsj_cell_is_missing(const dsj_cell_t *c);
/** Exact int64 of an INTEGER cell (or a NUMBER cell like 3.0/3e2 that is integral). DSJ_E_TYPE / DSJ_E_RANGE otherwise. */
DSJ_EXPORT dsj_status_t dsj_cell_to_int64(const dsj_cell_t *c, int64_t *out);
/** strtod of a number cell or a decimal string; for callers who accept binary rounding. */
DSJ_EXPORT dsj_status_t dsj_cell_to_double(const dsj_cell_t *c, double *out);

/* ======================================================================
 * Value grammars (strict, exact; no allocation)
 * ==================================================================== */

/**
 * ISO 8601 checks.  Return 1 when s[0..n) is a valid value of the type,
 * 0 otherwise.  Partial (reduced precision) values are accepted when
 * allow_partial is non-zero: "2014", "2014-01", "2014-01-02T10",
 * "2014-01-02T10:30"; dates are checked against the calendar (leap years).
 */
DSJ_EXPORT int dsj_iso8601_date(const char *s, size_t n, int allow_partial);
DSJ_EXPORT int dsj_iso8601_datetime(const char *s, size_t n, int allow_partial);
DSJ_EXPORT int dsj_iso8601_time(const char *s, size_t n, int allow_partial);
/** The strict metadata form: YYYY-MM-DDThh:mm:ss(.n+)?(Z|(+|-)hh:mm)? */
DSJ_EXPORT int dsj_iso8601_metadata_datetime(const char *s, size_t n);
/** Decimal string: -?digits(.digits)? with optional leading '+'? no; no exponent, '.' separator. 1 = valid. */
DSJ_EXPORT int dsj_decimal_valid(const char *s, size_t n);
/** JSON integer token that fits int64. 1 = valid and fits. */
DSJ_EXPORT int dsj_int64_parse(const char *s, size_t n, int64_t *out);
/** Count UTF-8 characters (code points); returns (size_t)-1 on invalid UTF-8. */
DSJ_EXPORT size_t dsj_utf8_length(const char *s, size_t n);
/** Offset of the first invalid UTF-8 byte, or n when all valid. */
DSJ_EXPORT size_t dsj_utf8_check(const char *s, size_t n);

/* ======================================================================
 * Input sources and output sinks
 * ==================================================================== */

/** Read callback: fill up to n bytes into buf; return bytes read, 0 at end, -1 on error. */
typedef long (*dsj_read_fn)(void *ctx, void *buf, size_t n);
/** Write callback: write all n bytes; return 0 on success, -1 on error. */
typedef int (*dsj_write_fn)(void *ctx, const void *buf, size_t n);

typedef struct dsj_source dsj_source_t;

/** Open a file for reading ("-" = stdin). [owned] dsj_source_free (or pass to a reader, which takes it). */
DSJ_EXPORT dsj_source_t *dsj_source_new_path(const char *path, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Read from fp; the source closes fp on free only when close_on_free is non-zero. [owned] */
DSJ_EXPORT dsj_source_t *dsj_source_new_file(FILE *fp, int close_on_free, const char *name, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Read from memory.  The buffer is [borrowed]: it must outlive the source. [owned] */
DSJ_EXPORT dsj_source_t *dsj_source_new_memory(const void *data, size_t len, const char *name, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Read through a callback; ctx is [borrowed]. [owned] */
DSJ_EXPORT dsj_source_t *dsj_source_new_callback(dsj_read_fn fn, void *ctx, const char *name, dsj_error_t *err) DSJ_WARN_UNUSED;
DSJ_EXPORT void dsj_source_free(dsj_source_t *src);
/** The name given at creation (path, or "<memory>"...). [borrowed] valid until free. */
DSJ_EXPORT const char *dsj_source_name(const dsj_source_t *src);

typedef struct dsj_sink dsj_sink_t;

/**
 * Write to a path atomically: bytes go to a temporary file in the same
 * folder, which replaces path only in dsj_sink_commit (after fsync).  If the
 * sink is freed without a successful commit the temporary file is removed and
 * any existing file at path is untouched.  "-" writes to stdout (not atomic).
 * [owned] dsj_sink_free
 */
DSJ_EXPORT dsj_sink_t *dsj_sink_new_path(const char *path, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Write to fp (never closed by the sink). [owned] */
DSJ_EXPORT dsj_sink_t *dsj_sink_new_file(FILE *fp, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Write to a growing memory buffer; see dsj_sink_memory_data. [owned] */
DSJ_EXPORT dsj_sink_t *dsj_sink_new_memory(dsj_error_t *err) DSJ_WARN_UNUSED;
/** Write through a callback; ctx is [borrowed]. [owned] */
DSJ_EXPORT dsj_sink_t *dsj_sink_new_callback(dsj_write_fn fn, void *ctx, dsj_error_t *err) DSJ_WARN_UNUSED;
DSJ_EXPORT dsj_status_t dsj_sink_write(dsj_sink_t *s, const void *buf, size_t n, dsj_error_t *err);
/** Flush and, for a path sink, fsync and rename into place. */
DSJ_EXPORT dsj_status_t dsj_sink_commit(dsj_sink_t *s, dsj_error_t *err);
/** Memory sink contents. [borrowed] valid until the sink is freed; NUL-terminated. */
DSJ_EXPORT const char *dsj_sink_memory_data(const dsj_sink_t *s, size_t *len);
/** Take the memory buffer out of the sink. [owned] free() */
DSJ_EXPORT char *dsj_sink_memory_steal(dsj_sink_t *s, size_t *len);
DSJ_EXPORT void dsj_sink_free(dsj_sink_t *s);

/* ======================================================================
 * Streaming reader (pull)
 * ==================================================================== */

enum {
    DSJ_READ_LENIENT = 1u << 0,   /* accept elided array elements ([1,,2]) as null, with a warning */
    DSJ_READ_NO_UTF8_CHECK = 1u << 1, /* skip UTF-8 validation of strings (faster; trusted input) */
    DSJ_READ_EXACT_NUMBERS = 1u << 2, /* XPT/SAS: always the shortest round-trip text of each double
                                         (default: the 15-significant-digit form when it reads back
                                         within one unit in the last place; docs/xpt.md) */
    DSJ_READ_SAS_DATES_AS_NUMBERS = 1u << 3 /* XPT/SAS: keep date/time/datetime-formatted numerics as
                                         plain numbers instead of ISO 8601 strings */
};

typedef struct dsj_reader_options {
    unsigned flags;               /* DSJ_READ_* */
    dsj_format_t format;          /* DSJ_FORMAT_AUTO: sniff gzip/zlib magic, then JSON vs NDJSON */
    dsj_finding_cb on_finding;    /* receives reader-level findings (BOM, bad UTF-8, duplicate keys, elisions) */
    void *finding_ctx;
    size_t max_depth;             /* JSON nesting limit (0 = default 64) */
    size_t max_string;            /* longest string/number token in bytes (0 = default 64 MiB) */
    size_t max_columns;           /* (0 = default 100000) */
    size_t max_line;              /* NDJSON line length in bytes, and any run of white space, in
                                     every format (0 = default 256 MiB) */
    /* Formats other than Dataset-JSON (DSJ_FORMAT_DATASETXML, _XPT, _SAS7BDAT): */
    const struct dsj_define *define; /* Define-XML giving column metadata and types [borrowed]:
                                        required for Dataset-XML, optional for XPT/SAS (variables
                                        are matched to it by name, mismatches reported) */
    const char *encoding;         /* XPT/SAS text encoding (iconv name); NULL = from the file, else
                                     WINDOWS-1252 [borrowed for the call to dsj_reader_new] */
    /* More hard limits of the Dataset-JSON reader (docs/reliability.md): */
    size_t max_number;            /* longest number token in bytes (0 = default 4096) */
    size_t max_row_bytes;         /* JSON/NDJSON: text of one row's cells in bytes (0 = default 256 MiB) */
    unsigned sas_ulps;            /* XPT/SAS numbers: the 15-significant-digit form is written when it reads
                                     back within this many units in the last place (0 = default 1, at most
                                     16); ignored with DSJ_READ_EXACT_NUMBERS (docs/xpt.md) */
} dsj_reader_options_t;

/** Fill with defaults (all zero = defaults). */
DSJ_EXPORT void dsj_reader_options_init(dsj_reader_options_t *o);
/*
 * Readers of other formats.  dsj_reader_new with opts->format set to
 * DSJ_FORMAT_DATASETXML, DSJ_FORMAT_XPT or DSJ_FORMAT_SAS7BDAT (or AUTO, when
 * the content is sniffed as one of them: '<' after an optional BOM and white
 * space, the XPORT "HEADER RECORD" banner, the SAS7BDAT magic) returns a
 * reader with the same contract: metadata at open (always as Dataset-JSON 1.1,
 * records filled in), rows by dsj_reader_next, bounded memory.  Cells carry
 * the position in the input (XML line/column; for XPT the row, line 0).
 * Problems in the data (a value that does not fit its define DataType, an
 * unknown ItemOID...) go to on_finding as error findings with positions, and
 * the row is still returned with the value as found: the caller decides
 * whether to refuse (dsjson convert without --keep-going does).
 * dsj_reader_meta_json returns NULL for these readers.
 */

typedef struct dsj_reader dsj_reader_t;

/**
 * Open a reader on src [takes] and read the metadata.  On return the
 * metadata is available with dsj_reader_meta; rows are read by
 * dsj_reader_next.  Returns NULL and fills err when the input cannot be read
 * as Dataset-JSON.  opts may be NULL (defaults); it is [copied].
 *
 * Attribute order: when a plain JSON file has "rows" (or "itemData") before
 * "columns" ("items"), the reader skips over the rows without keeping them,
 * reads the rest of the metadata, then reads the rows: by seeking back for
 * path and memory sources, and by spooling the raw rows text to an anonymous
 * temporary file for FILE*, callback and compressed sources.  Memory stays
 * bounded either way.
 */
DSJ_EXPORT dsj_reader_t *dsj_reader_new(dsj_source_t *src, const dsj_reader_options_t *opts, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Convenience: dsj_source_new_path + dsj_reader_new. [owned] */
DSJ_EXPORT dsj_reader_t *dsj_reader_open(const char *path, const dsj_reader_options_t *opts, dsj_error_t *err) DSJ_WARN_UNUSED;
DSJ_EXPORT void dsj_reader_free(dsj_reader_t *r);

/**
 * [borrowed] metadata, valid until the reader is freed.  Complete when
 * dsj_reader_new returns, except for optional attributes that the file puts
 * after the rows: those are added (never replaced) when dsj_reader_next
 * reaches DSJ_DONE.  (Rows placed before columns or any other required
 * attribute are read after the metadata; see dsj_reader_new.)
 */
DSJ_EXPORT const dsj_meta_t *dsj_reader_meta(const dsj_reader_t *r);
/** Detected container format (JSON, NDJSON or DSJC). */
DSJ_EXPORT dsj_format_t dsj_reader_format(const dsj_reader_t *r);
/** 1 when the input started with a UTF-8 BOM. */
DSJ_EXPORT int dsj_reader_had_bom(const dsj_reader_t *r);

/**
 * Next row.  Returns DSJ_ROW and sets *row to a [borrowed] view valid until
 * the next call on r; DSJ_DONE at the end; an error code (and err) when the
 * input breaks.  After an error or DSJ_DONE further calls return the same.
 * Rows of any width are returned (width checks are the validator's job).
 */
DSJ_EXPORT dsj_status_t dsj_reader_next(dsj_reader_t *r, const dsj_row_t **row, dsj_error_t *err);

/**
 * Position of a metadata JSON pointer ("/columns/2/dataType", "/records") in
 * the input, when known. Returns 1 and fills line/column/offset, else 0.
 */
DSJ_EXPORT int dsj_reader_meta_position(const dsj_reader_t *r, const char *pointer,
                                        uint64_t *line, uint64_t *column, uint64_t *offset);

/**
 * The metadata as found in the file, as a json-c object:
 * for 1.1 the root object without "rows"; for 1.0 the root with the
 * itemGroupData entry's "itemData" removed.  Used by the validator to check
 * JSON types the model cannot carry.  [borrowed] valid until the reader is freed.
 */
DSJ_EXPORT struct json_object *dsj_reader_meta_json(const dsj_reader_t *r);

/** Bytes of (decompressed) input consumed so far, for progress. */
DSJ_EXPORT uint64_t dsj_reader_bytes_read(const dsj_reader_t *r);

/* ======================================================================
 * Streaming writer (ordered calls)
 * ==================================================================== */

typedef struct dsj_writer_options {
    dsj_format_t format;          /* JSON, NDJSON or DSJC (AUTO = JSON) */
    dsj_version_t version;        /* output version; UNKNOWN = same as the metadata given to begin */
    int pretty;                   /* JSON only: indent metadata, one row per line */
    int compression_level;        /* DSJC: zlib level 0-9 (0 = default 6... see docs) */
    int dsjc_zlib;                /* DSJC: 1 = raw zlib stream as the spec says; 0 = gzip like the official examples (default) */
    dsj_finding_cb on_finding;    /* conversion warnings (1.0<->1.1 losses) */
    void *finding_ctx;
    /* Formats other than Dataset-JSON (DSJ_FORMAT_DATASETXML, DSJ_FORMAT_XPT): the writer is given
       the metadata as usual (any version; it is converted to 1.1 first) and rows as usual. */
    const struct dsj_define *define; /* optional Define-XML to check OIDs against [borrowed] */
    int xpt_version;              /* XPT: 5 (default) or 8 */
    int truncate;                 /* XPT: truncate over-long names/labels/values with a warning each
                                     instead of failing */
} dsj_writer_options_t;

DSJ_EXPORT void dsj_writer_options_init(dsj_writer_options_t *o);

typedef struct dsj_writer dsj_writer_t;

/** New writer on sink [takes]. opts [copied], may be NULL. [owned] dsj_writer_free */
DSJ_EXPORT dsj_writer_t *dsj_writer_new(dsj_sink_t *sink, const dsj_writer_options_t *opts, dsj_error_t *err) DSJ_WARN_UNUSED;
/**
 * Begin with metadata [copied].  When the output version differs from the
 * metadata's, the writer converts (docs/conversion.md): 1.0 -> 1.1 drops the
 * ITEMGROUPDATASEQ column, turns decimal numbers into decimal strings and
 * SAS-date integers with a date displayFormat into ISO 8601 strings with
 * targetDataType integer; 1.1 -> 1.0 does the reverse.  Fields with no
 * counterpart are reported through on_finding as warnings.
 * If the metadata has records, the writer checks at dsj_writer_end that the
 * number of rows written matches; if not, end fails with DSJ_E_MISMATCH.
 * If it has no records, JSON output spools rows to a temporary file and
 * writes the true count.
 */
DSJ_EXPORT dsj_status_t dsj_writer_begin(dsj_writer_t *w, const dsj_meta_t *meta, dsj_error_t *err);
/** Write a whole row; cells [copied]. Width must equal the input metadata's column count. */
DSJ_EXPORT dsj_status_t dsj_writer_write_row(dsj_writer_t *w, const dsj_row_t *row, dsj_error_t *err);
/* Cell-by-cell form of the same. */
DSJ_EXPORT dsj_status_t dsj_writer_row_begin(dsj_writer_t *w, dsj_error_t *err);
DSJ_EXPORT dsj_status_t dsj_writer_put_null(dsj_writer_t *w, dsj_error_t *err);
DSJ_EXPORT dsj_status_t dsj_writer_put_string(dsj_writer_t *w, const char *s, size_t len, dsj_error_t *err);
DSJ_EXPORT dsj_status_t dsj_writer_put_int64(dsj_writer_t *w, int64_t v, dsj_error_t *err);
/** A number given by its exact JSON text (checked to be a valid JSON number). */
DSJ_EXPORT dsj_status_t dsj_writer_put_number_text(dsj_writer_t *w, const char *text, size_t len, dsj_error_t *err);
/** A double, written as the shortest text that reads back to the same double. */
DSJ_EXPORT dsj_status_t dsj_writer_put_double(dsj_writer_t *w, double v, dsj_error_t *err);
DSJ_EXPORT dsj_status_t dsj_writer_put_bool(dsj_writer_t *w, int v, dsj_error_t *err);
DSJ_EXPORT dsj_status_t dsj_writer_put_cell(dsj_writer_t *w, const dsj_cell_t *c, dsj_error_t *err);
DSJ_EXPORT dsj_status_t dsj_writer_row_end(dsj_writer_t *w, dsj_error_t *err);
/** Finish the document and commit the sink (atomic rename for path sinks). */
DSJ_EXPORT dsj_status_t dsj_writer_end(dsj_writer_t *w, dsj_error_t *err);
/** Free; if dsj_writer_end did not succeed the output is abandoned (temp file removed). */
DSJ_EXPORT void dsj_writer_free(dsj_writer_t *w);
/** The sink, e.g. to read a memory sink after end. [borrowed] valid until the writer is freed. */
DSJ_EXPORT dsj_sink_t *dsj_writer_sink(dsj_writer_t *w);

/* ======================================================================
 * In-memory datasets (small data; whole dataset in memory)
 * ==================================================================== */

typedef struct dsj_dataset dsj_dataset_t;

/** Empty dataset with a copy of meta [copied]. [owned] dsj_dataset_free */
DSJ_EXPORT dsj_dataset_t *dsj_dataset_new(const dsj_meta_t *meta) DSJ_WARN_UNUSED;
DSJ_EXPORT void dsj_dataset_free(dsj_dataset_t *ds);
/** Read all remaining rows of r into a new dataset. [owned] */
DSJ_EXPORT dsj_dataset_t *dsj_dataset_read(dsj_reader_t *r, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Parse a Dataset-JSON text (JSON or NDJSON, 1.0 or 1.1). opts may be NULL. [owned] */
DSJ_EXPORT dsj_dataset_t *dsj_dataset_from_string(const char *text, size_t len, const dsj_reader_options_t *opts, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Build from a json-c tree (struct json_object *) [borrowed, not modified]. [owned] */
DSJ_EXPORT dsj_dataset_t *dsj_dataset_from_json(struct json_object *root, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Serialize. opts may be NULL (compact JSON in the dataset's version). [owned] free(); *len may be NULL. */
DSJ_EXPORT char *dsj_dataset_to_string(const dsj_dataset_t *ds, const dsj_writer_options_t *opts, size_t *len, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Serialize to a json-c tree (version UNKNOWN = the dataset's own). [owned] json_object_put(). */
DSJ_EXPORT struct json_object *dsj_dataset_to_json(const dsj_dataset_t *ds, dsj_version_t version, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Write through a writer (begin, rows, end). */
DSJ_EXPORT dsj_status_t dsj_dataset_write(const dsj_dataset_t *ds, dsj_writer_t *w, dsj_error_t *err);

/** [borrowed] valid until the dataset is freed. */
DSJ_EXPORT const dsj_meta_t *dsj_dataset_meta(const dsj_dataset_t *ds);
/** Mutable metadata. [borrowed] */
DSJ_EXPORT dsj_meta_t *dsj_dataset_meta_mut(dsj_dataset_t *ds);
DSJ_EXPORT size_t dsj_dataset_nrows(const dsj_dataset_t *ds);
/** [borrowed] i-th row (0-based), valid until the dataset is modified or freed. */
DSJ_EXPORT const dsj_row_t *dsj_dataset_row(const dsj_dataset_t *ds, size_t i);
/** Append a copy of row [copied]; its index is set to nrows. */
DSJ_EXPORT dsj_status_t dsj_dataset_add_row(dsj_dataset_t *ds, const dsj_row_t *row);
/**
 * 1 when a and b hold the same metadata (dsj_meta_equal) and the same rows:
 * same kinds and the same texts, except that numbers compare by exact
 * numeric value (1.50 == 1.5, 1e2 == 100) without going through doubles.
 */
DSJ_EXPORT int dsj_dataset_equal(const dsj_dataset_t *a, const dsj_dataset_t *b);
/** Exact numeric comparison of two JSON number texts: <0, 0, >0. */
DSJ_EXPORT int dsj_number_text_compare(const char *a, size_t alen, const char *b, size_t blen);

/* ======================================================================
 * Validation (Dataset-JSON rules without define; define checks in dsjson_define.h)
 * ==================================================================== */

typedef struct dsj_validator dsj_validator_t;

typedef struct dsj_validate_options {
    const char *file;             /* name used in findings [borrowed for the validator's life] */
    int missing_empty_info;       /* 1 (default): "" in date/decimal columns gives an info finding; 0: nothing */
    const struct dsj_define *define; /* optional; [borrowed] must outlive the validator */
} dsj_validate_options_t;

DSJ_EXPORT void dsj_validate_options_init(dsj_validate_options_t *o);

/** New validator sending findings to cb. opts [copied]. [owned] dsj_validator_free */
DSJ_EXPORT dsj_validator_t *dsj_validator_new(const dsj_validate_options_t *opts, dsj_finding_cb cb, void *ctx) DSJ_WARN_UNUSED;
DSJ_EXPORT void dsj_validator_free(dsj_validator_t *v);
/** Check the metadata (reader gives JSON types and positions). Call once, before rows. */
DSJ_EXPORT dsj_status_t dsj_validator_meta(dsj_validator_t *v, const dsj_reader_t *r);
/** Check one row. */
DSJ_EXPORT dsj_status_t dsj_validator_row(dsj_validator_t *v, const dsj_row_t *row);
/** End-of-data checks (records count, key uniqueness...). */
DSJ_EXPORT dsj_status_t dsj_validator_end(dsj_validator_t *v);

/**
 * Validate a whole source: open a reader [takes src], run every check, send
 * findings to cb.  Returns DSJ_OK when the file could be read to the end
 * (findings or not), or the fatal error (syntax, I/O...) in err.
 */
DSJ_EXPORT dsj_status_t dsj_validate_source(dsj_source_t *src, const dsj_reader_options_t *ropts,
                                            const dsj_validate_options_t *vopts,
                                            dsj_finding_cb cb, void *ctx, dsj_error_t *err);

#ifdef __cplusplus
}
#endif

#include "dsjson_define.h"
#include "dsjson_checks.h"
#include "dsjson_odm.h"

#endif /* DSJSON_H */
