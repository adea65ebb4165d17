/* Private parts of the dataset-against-define checks (define_check.c,
 * define_check_values.c, define_meta.c).  Never installed. */
#ifndef DSJ_DEFINE_CHECK_INTERNAL_H
#define DSJ_DEFINE_CHECK_INTERNAL_H

#include "dsj_internal.h"

/* ---- DataType compatibility table (docs/rules-define-check.md) ---- */

/* Kind of a SAS date/time display format ("DATE9.", "E8601DT19." ...):
   DSJ_TYPE_DATE, DSJ_TYPE_DATETIME, DSJ_TYPE_TIME, or DSJ_TYPE_NONE. */
dsj_datatype_t dsj_dc_sas_format_kind(const char *display_format);

typedef enum dsj_dc_compat {
    DSJ_DC_COMPATIBLE = 0,   /* the table allows it */
    DSJ_DC_LOOSE,            /* allowed but loses information (info finding) */
    DSJ_DC_INCOMPATIBLE,     /* error */
    DSJ_DC_UNKNOWN           /* define DataType absent or not a Define-XML type: not judged */
} dsj_dc_compat_t;

/* Is the Dataset-JSON column type (dataType/targetDataType, version v) a
   valid representation of an ItemDef with this DataType and display format? */
dsj_dc_compat_t dsj_dc_type_compat(const char *define_type, const char *display_format,
                                   dsj_datatype_t json_type, dsj_datatype_t target, dsj_version_t v);

/* The preferred Dataset-JSON type for an ItemDef (dsj_define_dataset_meta):
   sets *json_type and *target (DSJ_TYPE_NONE when none). */
void dsj_dc_preferred_type(const char *define_type, const char *display_format, dsj_version_t v,
                           dsj_datatype_t *json_type, dsj_datatype_t *target);

/* ---- value grammars (define_check_values.c) ---- */

/* What a value is checked against. */
typedef enum dsj_dc_vtype {
    DSJ_DC_V_NONE = 0,       /* no check (text, unknown) */
    DSJ_DC_V_INTEGER,
    DSJ_DC_V_FLOAT,
    DSJ_DC_V_DATE,
    DSJ_DC_V_DATETIME,
    DSJ_DC_V_TIME,
    DSJ_DC_V_PARTIAL_DATE,
    DSJ_DC_V_PARTIAL_TIME,
    DSJ_DC_V_PARTIAL_DATETIME,
    DSJ_DC_V_DURATION,
    DSJ_DC_V_INTERVAL,
    DSJ_DC_V_INCOMPLETE_DATETIME,
    DSJ_DC_V_URI,
    DSJ_DC_V_BOOLEAN,
    DSJ_DC_V__COUNT
} dsj_dc_vtype_t;

/* Value grammar for a define DataType text (NULL/unknown -> NONE). */
dsj_dc_vtype_t dsj_dc_vtype_from_define(const char *define_type);
/* The define DataType name a vtype checks ("partialDate"...). */
const char *dsj_dc_vtype_name(dsj_dc_vtype_t t);

/* Compiled PCRE2 patterns, one per vtype, plus shared match data. */
typedef struct dsj_dc_grammar dsj_dc_grammar_t;
dsj_dc_grammar_t *dsj_dc_grammar_new(dsj_error_t *err);
void dsj_dc_grammar_free(dsj_dc_grammar_t *g);

typedef enum dsj_dc_match {
    DSJ_DC_MATCH_OK = 0,
    DSJ_DC_MATCH_REDUCED,    /* a valid ISO 8601 value of lower precision (date/datetime/time types) */
    DSJ_DC_MATCH_BAD
} dsj_dc_match_t;

/* Check a string value against a vtype grammar (dates also against the calendar). */
dsj_dc_match_t dsj_dc_grammar_match(dsj_dc_grammar_t *g, dsj_dc_vtype_t t, const char *s, size_t n);
/* The same decision by the PCRE2 patterns alone (dsj_dc_grammar_match decides the common forms by
   hand first; the unit test checks that both agree). */
dsj_dc_match_t dsj_dc_grammar_match_regex(dsj_dc_grammar_t *g, dsj_dc_vtype_t t, const char *s, size_t n);

/* Digits after the decimal point of a number text (exponent applied, trailing zeros kept). -1 when not a number. */
int dsj_dc_fraction_digits(const char *s, size_t n);
/* Parse a whole text as a finite number. 1 ok. */
int dsj_dc_parse_number(const char *s, size_t n, double *out);
/* UTF-8 characters in s[0..n) ((size_t)-1 when invalid). */
size_t dsj_dc_utf8_chars(const char *s, size_t n);

#endif /* DSJ_DEFINE_CHECK_INTERNAL_H */
