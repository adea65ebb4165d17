/* Private to the io modules (io.c, inflate.c, sink.c).  Never installed. */
#ifndef DSJ_IO_INTERNAL_H
#define DSJ_IO_INTERNAL_H

#include "dsj_internal.h"

/*
 * A source implemented elsewhere (inflate.c): read fills err on -1; close
 * releases impl (and whatever it owns).  Such sources are never seekable.
 */
typedef struct dsj_source_ops {
    long (*read)(void *impl, void *buf, size_t n, dsj_error_t *err);
    void (*close)(void *impl);
} dsj_source_ops_t;

/* Make a source over impl [takes: ops->close(impl) is called on failure too]. */
dsj_source_t *dsj_source_new_ops(const dsj_source_ops_t *ops, void *impl, const char *name,
                                 dsj_error_t *err);

/* The impl of a source made with these ops, or NULL when s is another kind. */
void *dsj_source_ops_impl(dsj_source_t *s, const dsj_source_ops_t *ops);

/* Decompression-bomb guard for an inflate source: fail with DSJ_E_LIMIT once
   more than max_bytes come out (0 = no limit, the default).  DSJ_E_ARG when
   s is not an inflate source. */
dsj_status_t dsj_source_inflate_set_limit(dsj_source_t *s, uint64_t max_bytes, dsj_error_t *err);

/* Default size of source read chunks used by wrappers (inflate input). */
#define DSJ_IO_CHUNK (256u * 1024u)

#endif /* DSJ_IO_INTERNAL_H */
