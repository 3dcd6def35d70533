/* SPDX-License-Identifier: MIT */
/*
 * compress.h: record-payload compression at the levels tinc defines
 * (spec/UDP.md §6): 0 none, 1–9 zlib compress2, 10 LZO1X-1, 11 LZO1X-999,
 * 12 LZ4 block. Decompression output is bounded by the caller's buffer
 * (FL_MAXSIZE for records). Pure apart from the LZO work memory, which
 * lives in a context (one per thread).
 */
#ifndef FL_WIRE_COMPRESS_H
#define FL_WIRE_COMPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire_err.h"

#define FL_COMPRESS_MAX_LEVEL 12

struct fl_compress_ctx;

/* NULL on allocation failure. */
struct fl_compress_ctx *fl_compress_ctx_new(void);
void fl_compress_ctx_free(struct fl_compress_ctx *ctx);

/* True for 0..12 (every level is built in). */
bool fl_compress_level_ok(int level);

/* Compress in[0..inlen) (inlen <= FL_MAXSIZE) at `level` into out. Succeeds
 * only if the result is strictly shorter than inlen (UDP.md §6: otherwise
 * the record goes uncompressed); then *outlen is set. out needs inlen bytes. */
enum fl_wire_err fl_compress(struct fl_compress_ctx *ctx, int level, const uint8_t *in,
			     size_t inlen, uint8_t *out, size_t cap, size_t *outlen);

/* Decompress at `level` (1..12) into at most cap bytes. Failure, output
 * that does not fit, or an empty result → FL_WIRE_DECOMPRESS. */
enum fl_wire_err fl_decompress(int level, const uint8_t *in, size_t inlen, uint8_t *out,
			       size_t cap, size_t *outlen);

#endif
