/* Shared scaffolding for the CUnit unit tests (one binary per module). */
#ifndef DSJ_TEST_UTIL_H
#define DSJ_TEST_UTIL_H

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dsjson.h"

typedef struct { const char *name; void (*fn)(void); } dsj_test_case_t;

/* Path of the shared corpus (env DSJ_CORPUS, default ../shared/corpus), or NULL when absent. */
static inline const char *dsj_test_corpus(void)
{
    static char path[1024];
    struct stat st;
    const char *env = getenv("DSJ_CORPUS");
    snprintf(path, sizeof path, "%s", env && *env ? env : "../shared/corpus");
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
    return path;
}

/* Build "<corpus>/<rel>" into buf; returns NULL (and prints a skip note) when the corpus is absent. */
static inline const char *dsj_test_corpus_file(char *buf, size_t size, const char *rel)
{
    const char *c = dsj_test_corpus();
    if (!c) {
        printf("\n  (skipped: corpus not found; set DSJ_CORPUS or place ../shared/corpus)\n");
        return NULL;
    }
    snprintf(buf, size, "%s/%s", c, rel);
    return buf;
}

/* Read a whole small file into a malloc'd NUL-terminated buffer. */
static inline char *dsj_test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    if (buf) { buf[n] = '\0'; if (len) *len = (size_t)n; }
    return buf;
}

/* Run one suite of cases; returns the process exit code (0 = all passed). */
static inline int dsj_test_run(const char *suite_name, const dsj_test_case_t *cases)
{
    CU_pSuite s;
    unsigned failed;
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    s = CU_add_suite(suite_name, NULL, NULL);
    if (!s) return 2;
    for (; cases->name; cases++)
        if (!CU_add_test(s, cases->name, cases->fn)) return 2;
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    if (CU_get_number_of_tests_run() == 0) failed = 1;
    CU_cleanup_registry();
    return failed ? 1 : 0;
}

#endif
