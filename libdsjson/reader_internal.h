/* Private state of the streaming reader (reader.c, reader_meta.c). */
#ifndef DSJ_READER_INTERNAL_H
#define DSJ_READER_INTERNAL_H

#include "backend_internal.h"
#include "lexer_internal.h"

#include <json-c/json.h>

enum {
    DSJ_RST_ROWS_START = 1, /* JSON: positioned at the rows member's value */
    DSJ_RST_ROWS,           /* JSON: inside the rows array */
    DSJ_RST_NDJSON,         /* NDJSON data lines */
    DSJ_RST_DONE,
    DSJ_RST_ERROR
};

typedef struct dsj_pos_entry {
    size_t key, keylen;     /* pointer text in poskeys */
    uint64_t line, column, offset;
} dsj_pos_entry_t;

typedef struct dsj_frame {
    struct json_object *obj; /* [borrowed from root] */
    size_t ptrlen;           /* length of this object's pointer */
} dsj_frame_t;

struct dsj_reader {
    dsj_reader_options_t opts;
    const dsj_reader_backend_t *backend; /* set for formats other than Dataset-JSON */
    void *bctx;                /* [owned] backend state */
    dsj_source_t *src;         /* [owned] input (possibly the inflate wrapper) */
    dsj_source_t *spool_src;   /* [owned] deferred rows read back from the spool */
    FILE *spool;               /* spool file until spool_src owns it */
    dsj_lexer_t lx;
    int lx_ready;
    dsj_format_t hint;
    dsj_format_t format;
    int compressed;
    int had_bom;
    uint64_t bom_len;
    int format_ndjson;

    dsj_meta_t *meta;
    struct json_object *root;
    dsj_frame_t frames[4];
    char *frame_key[4];        /* key of each path object ([1] data key, [3] itemGroupData OID) */
    char *rows_data_key;       /* 1.0: "clinicalData"/"referenceData" holding the rows [owned] */
    char *rows_ig_key;         /* 1.0: itemGroupData key holding the rows [owned] */
    int rows_seen;
    int rows_level;
    size_t row_depth;          /* nesting depth of a row array */

    int deferred;              /* rows before columns: read later */
    int def_spooled;
    uint64_t def_off, def_line, def_line_start;

    dsj_buf_t ptr;             /* current metadata pointer */
    dsj_buf_t rows_ptr;        /* pointer of the rows array */
    dsj_buf_t key;             /* scratch for keys and metadata scalars */

    int state;
    int in_rows;
    uint64_t nrows;
    size_t cur_cell;           /* (size_t)-1 = not inside a cell */
    dsj_row_t row;
    dsj_cell_t *cells;
    size_t *cell_text;         /* arena offset of each cell's text */
    size_t cellcap;
    dsj_buf_t arena;
    const unsigned char *str_stop; /* string byte classes for the flags */
    dsj_error_t final_err;

    dsj_pos_entry_t *pos;
    size_t npos, poscap;
    dsj_buf_t poskeys;
    size_t *hash;              /* slot -> entry index + 1 */
    size_t hashcap;
};

/* reader_meta.c: detect the version and build r->meta from r->root. */
dsj_status_t dsj_reader_meta_build(dsj_reader_t *r);
/* After members following the rows were read: merge what the model lacks. */
dsj_status_t dsj_reader_meta_update(dsj_reader_t *r);

#endif /* DSJ_READER_INTERNAL_H */
