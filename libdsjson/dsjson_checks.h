/*
 * libdsjson area header: scripted data checks (rule files) and row
 * conditions.  Included by dsjson.h; do not include on its own.
 *
 * A rule file is JSON, {"rules": [RULE, ...]} (docs/checks.md,
 * schemas/rules.schema.json).  A rule set is loaded and checked once, then
 * run over any number of datasets; it is immutable after loading, so one set
 * may be run from several threads at once.
 *
 * Conditions ("when" in a rule, `dsjson select --where`) are a small
 * expression language: comparisons, in (...), matches "REGEX", is [not]
 * missing, and/or/not, parentheses (docs/checks.md has the grammar).
 */
#ifndef DSJSON_CHECKS_H
#define DSJSON_CHECKS_H

#include "dsjson.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Conditions
 * ==================================================================== */

typedef struct dsj_condition dsj_condition_t;
typedef struct dsj_condition_eval dsj_condition_eval_t;

/**
 * Parse a condition.  On a syntax error returns NULL and fills err with
 * DSJ_E_SYNTAX, err->column = the 1-based character position and a message
 * naming what was expected.  A bad regular expression in `matches` is
 * DSJ_E_SYNTAX too, with the PCRE2 message and offset. [owned] dsj_condition_free
 */
DSJ_EXPORT dsj_condition_t *dsj_condition_parse(const char *text, dsj_error_t *err) DSJ_WARN_UNUSED;
DSJ_EXPORT void dsj_condition_free(dsj_condition_t *c);
/** The text given to dsj_condition_parse. [borrowed] valid until freed. */
DSJ_EXPORT const char *dsj_condition_text(const dsj_condition_t *c);

/**
 * Bind a condition to a dataset's columns (names resolved once).  Returns
 * NULL with DSJ_E_NOTFOUND naming the column when a referenced column is not
 * in meta.  c [borrowed] must outlive the result; meta is only read here.
 * [owned] dsj_condition_eval_free
 */
DSJ_EXPORT dsj_condition_eval_t *dsj_condition_bind(const dsj_condition_t *c, const dsj_meta_t *meta,
                                                    dsj_error_t *err) DSJ_WARN_UNUSED;
DSJ_EXPORT void dsj_condition_eval_free(dsj_condition_eval_t *e);
/** 1 when the condition holds for row, else 0 (a comparison with a missing value is false). */
DSJ_EXPORT int dsj_condition_eval(dsj_condition_eval_t *e, const dsj_row_t *row);

/**
 * Compare two cells the way conditions and the `compare` check do: numbers
 * (number cells, or number literals against number-like strings) exactly by
 * value; two ISO 8601 dates/datetimes chronologically at the precision both
 * have; other strings by bytes (code point order).  Returns -1, 0 or 1, or
 * DSJ_COMPARE_UNDECIDED when a value is missing, the kinds do not compare,
 * or partial dates are equal as far as both go.
 */
#define DSJ_COMPARE_UNDECIDED 2
DSJ_EXPORT int dsj_value_compare(const dsj_cell_t *a, const dsj_cell_t *b);

/* ======================================================================
 * Rule sets
 * ==================================================================== */

typedef struct dsj_ruleset dsj_ruleset_t;

/**
 * Load a rule file.  Every rule is checked (types, exactly one check, regex
 * compiles, conditions parse, ids unique); the first problem makes the load
 * fail with err->text naming the rule ("rule 'AE-01' (index 3): ...") and,
 * for a regex, the PCRE2 message and offset.  [owned] dsj_ruleset_free
 */
DSJ_EXPORT dsj_ruleset_t *dsj_ruleset_load(const char *path, dsj_error_t *err) DSJ_WARN_UNUSED;
/** Same from a text [copied]; name is used in messages (may be NULL). [owned] */
DSJ_EXPORT dsj_ruleset_t *dsj_ruleset_load_string(const char *text, size_t len, const char *name,
                                                  dsj_error_t *err) DSJ_WARN_UNUSED;
DSJ_EXPORT void dsj_ruleset_free(dsj_ruleset_t *rs);
DSJ_EXPORT size_t dsj_ruleset_count(const dsj_ruleset_t *rs);
/** Id of rule i. [borrowed] valid until the set is freed; NULL out of range. */
DSJ_EXPORT const char *dsj_ruleset_rule_id(const dsj_ruleset_t *rs, size_t i);

typedef struct dsj_check_options {
    const char *file;                 /* name used in findings, and the folder searched by exists_in
                                         (the other dataset is looked up next to this file) [borrowed] */
    const struct dsj_define *define;  /* for in_codelist; [borrowed] must outlive the call */
    const char *dataset_name;         /* overrides the metadata name for dataset matching (NULL = meta
                                         name, else the file name without extension) [borrowed] */
    dsj_reader_options_t *reader_options; /* used to open exists_in datasets (NULL = defaults) [borrowed] */
} dsj_check_options_t;

DSJ_EXPORT void dsj_check_options_init(dsj_check_options_t *o);

/**
 * Run every rule that applies to the dataset of r over its remaining rows (one
 * pass), sending findings to cb (finding.rule = the rule id).  Rules naming a
 * column or dataset that is not there give one finding each (warning) and are
 * skipped; an exists_in dataset that cannot be found or read gives one error
 * finding.  Returns DSJ_OK when the rows were read to the end; a read error of
 * r (err filled); DSJ_E_DEFINE when an in_codelist rule applies and the define
 * lacks the code list (err names the rule; without a define such a rule gives
 * one warning finding and is skipped);
 * DSJ_E_ABORTED when cb asked to stop.
 */
DSJ_EXPORT dsj_status_t dsj_check_reader(const dsj_ruleset_t *rs, dsj_reader_t *r, const dsj_check_options_t *opts,
                                         dsj_finding_cb cb, void *ctx, dsj_error_t *err);
/** Open path, run dsj_check_reader (opts->file defaults to path). */
DSJ_EXPORT dsj_status_t dsj_check_file(const dsj_ruleset_t *rs, const char *path, const dsj_check_options_t *opts,
                                       dsj_finding_cb cb, void *ctx, dsj_error_t *err);

/**
 * dsj_check_file over each of paths[0..n) (opts->file is ignored: each path names its findings).
 * Every file is checked even when an earlier one cannot be read; the result is DSJ_OK when all
 * were read to the end, else the status of the first failure (err describes it, naming the file).
 * DSJ_E_ABORTED (the callback asked to stop) stops at once.
 */
DSJ_EXPORT dsj_status_t dsj_check_files(const dsj_ruleset_t *rs, const char *const *paths, size_t n,
                                        const dsj_check_options_t *opts, dsj_finding_cb cb, void *ctx,
                                        dsj_error_t *err);

#ifdef __cplusplus
}
#endif

#endif /* DSJSON_CHECKS_H */
