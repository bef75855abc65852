#ifndef WORKBENCH_CCOMPRESSION_SHIM_H
#define WORKBENCH_CCOMPRESSION_SHIM_H
#include <snappy-c.h>
#include <zstd.h>
#include <zlib.h>

/// inflateInit2 is a macro in zlib.h; expose it as a function.
static inline int wb_inflate_init2(z_stream *s, int window_bits) {
    return inflateInit2(s, window_bits);
}
#endif
