/*
 * libFuzzer harness: Define-XML.
 * dsj_define_load_memory, then every DEF-* rule (dsj_define_validate without
 * XSD), then for each ItemGroupDef the Dataset-JSON metadata built from the
 * define (1.0 and 1.1) and a dataset-against-define checker run on it with
 * one row of nulls and one row of short strings.
 */
#include "fuzz_common.h"

static void check_group(const dsj_define_t *def, const char *oid, dsj_version_t v, size_t *nfind)
{
    dsj_error_t err;
    dsj_meta_t *meta = dsj_define_dataset_meta(def, oid, v, &err);
    dsj_define_checker_t *chk;
    if (!meta) return;
    chk = dsj_define_checker_new(def, meta, NULL, "fuzz.json", fuzz_on_finding, nfind, &err);
    if (chk) {
        size_t n = dsj_meta_ncolumns(meta), i;
        dsj_cell_t *cells = calloc(n ? n : 1, sizeof *cells);
        if (cells) {
            dsj_row_t row;
            memset(&row, 0, sizeof row);
            row.index = 1;
            row.ncells = n;
            row.cells = cells;
            (void)dsj_define_checker_row(chk, &row);
            for (i = 0; i < n; i++) {
                cells[i].kind = DSJ_CELL_STRING;
                cells[i].text = (i & 1) ? "Y" : "2014-01-02";
                cells[i].len = strlen(cells[i].text);
            }
            row.index = 2;
            (void)dsj_define_checker_row(chk, &row);
            free(cells);
        }
        (void)dsj_define_checker_end(chk);
        dsj_define_checker_free(chk);
    }
    dsj_meta_free(meta);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dsj_error_t err;
    size_t nfind = 0, i, n;
    dsj_define_t *def = dsj_define_load_memory((const char *)data, size, "fuzz-define.xml", &err);
    if (!def) return 0;
    (void)dsj_define_validate(def, NULL, fuzz_on_finding, &nfind, &err);
    n = dsj_define_itemgroup_count(def);
    for (i = 0; i < n && i < 8; i++) {
        const dsj_define_itemgroup_t *ig = dsj_define_itemgroup_at(def, i);
        if (!ig || !ig->oid) continue;
        check_group(def, ig->oid, DSJ_V1_1, &nfind);
        check_group(def, ig->oid, DSJ_V1_0, &nfind);
    }
    dsj_define_free(def);
    return 0;
}
