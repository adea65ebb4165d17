/* Private helpers shared by checks.c (rule sets) and expr.c (conditions, value comparison, regexes). */
#ifndef DSJ_CHECKS_INTERNAL_H
#define DSJ_CHECKS_INTERNAL_H

#include "dsj_internal.h"

/* A PCRE2 pattern compiled once with PCRE2_UTF, anchored at both ends
 * (the whole value must match), JIT-compiled when the library has a JIT. */
typedef struct dsj_regex dsj_regex_t;
/* NULL on a bad pattern: msg gets the PCRE2 message, *erroffset the offset in the pattern. */
dsj_regex_t *dsj_regex_compile(const char *pattern, size_t len, char *msg, size_t msgsize, size_t *erroffset);
void dsj_regex_free(dsj_regex_t *re);
/* Match data for one thread of evaluation. [owned] dsj_regex_match_data_free */
void *dsj_regex_match_data_new(void);
void dsj_regex_match_data_free(void *md);
/* 1 when s[0..n) matches as a whole, 0 when not, -1 when the subject cannot be matched (invalid UTF-8). */
int dsj_regex_match(const dsj_regex_t *re, void *md, const char *s, size_t n);

/* 1 when the cell is a number-like value: a number cell, or a string holding a JSON number text. */
int dsj_cell_numeric(const dsj_cell_t *c);

#endif /* DSJ_CHECKS_INTERNAL_H */
