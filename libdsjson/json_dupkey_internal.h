/*
 * Duplicate object keys in a JSON text that json-c has accepted.  json-c keeps
 * the last value of a repeated key without a word; the ODM JSON and rule-file
 * loaders call dsj_json_find_dupkey after parsing so that a repeated key is an
 * error, never silently resolved.
 */
#ifndef DSJ_JSON_DUPKEY_INTERNAL_H
#define DSJ_JSON_DUPKEY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

typedef struct dsj_dupkey {
    uint64_t line, column, offset; /* of the second occurrence (1-based line/column, 0-based byte offset) */
    char key[128];                 /* the key, decoded, cut to fit */
} dsj_dupkey_t;

/* text [borrowed] must be well-formed JSON.  Returns 1 and fills *out when an object
   repeats a key (keys compare after decoding escapes), 0 when none does, -1 when out of memory. */
int dsj_json_find_dupkey(const char *text, size_t len, dsj_dupkey_t *out);

#endif
