/* SPDX-License-Identifier: MIT */
/*
 * compress.c: zlib / LZO / LZ4 compression of SPTPS record payloads
 * (spec/UDP.md §6). Called by the dataplane when sealing a data record for
 * a peer that asked for compression, and when opening a record whose type
 * has PKT_COMPRESSED.
 */
#include "wire/compress.h"

#include <limits.h>
#include <lz4.h>
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "wire/dgram.h"

/* LZO writes without an output bound: worst case in + in/16 + 64 + 3. */
#define LZO_SCRATCH (FL_MAXSIZE + FL_MAXSIZE / 16 + 64 + 3)

struct fl_compress_ctx {
	uint8_t *wrkmem;        /* big enough for LZO1X-999 (and -1) */
	uint8_t scratch[LZO_SCRATCH];
};

struct fl_compress_ctx *fl_compress_ctx_new(void)
{
	struct fl_compress_ctx *ctx;
	size_t wrk = LZO1X_999_MEM_COMPRESS > LZO1X_1_MEM_COMPRESS ? LZO1X_999_MEM_COMPRESS
								     : LZO1X_1_MEM_COMPRESS;

	if (lzo_init() != LZO_E_OK)
		return NULL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->wrkmem = malloc(wrk);
	if (!ctx->wrkmem) {
		free(ctx);
		return NULL;
	}
	return ctx;
}

void fl_compress_ctx_free(struct fl_compress_ctx *ctx)
{
	if (!ctx)
		return;
	free(ctx->wrkmem);
	free(ctx);
}

bool fl_compress_level_ok(int level)
{
	return level >= 0 && level <= FL_COMPRESS_MAX_LEVEL;
}

static enum fl_wire_err compress_lzo(struct fl_compress_ctx *ctx, int level, const uint8_t *in,
				     size_t inlen, uint8_t *out, size_t cap, size_t *outlen)
{
	lzo_uint n = 0;
	int r;

	if (level == 10)
		r = lzo1x_1_compress(in, inlen, ctx->scratch, &n, ctx->wrkmem);
	else
		r = lzo1x_999_compress(in, inlen, ctx->scratch, &n, ctx->wrkmem);
	if (r != LZO_E_OK || n >= inlen || n > cap)
		return FL_WIRE_COMPRESS;
	memcpy(out, ctx->scratch, n);
	*outlen = n;
	return FL_WIRE_OK;
}

enum fl_wire_err fl_compress(struct fl_compress_ctx *ctx, int level, const uint8_t *in,
			     size_t inlen, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t limit = inlen - 1; /* the result must be strictly shorter */

	*outlen = 0;
	if (!fl_compress_level_ok(level))
		return FL_WIRE_BAD_LEVEL;
	if (level == 0 || inlen < 2 || inlen > FL_MAXSIZE)
		return FL_WIRE_COMPRESS;
	if (limit > cap)
		limit = cap;
	if (level <= 9) {
		uLongf n = limit;
		if (compress2(out, &n, in, inlen, level) != Z_OK)
			return FL_WIRE_COMPRESS;
		*outlen = n;
		return FL_WIRE_OK;
	}
	if (level <= 11)
		return compress_lzo(ctx, level, in, inlen, out, limit, outlen);
	int n = LZ4_compress_fast((const char *)in, (char *)out, (int)inlen, (int)limit, 1);
	if (n <= 0)
		return FL_WIRE_COMPRESS;
	*outlen = (size_t)n;
	return FL_WIRE_OK;
}

enum fl_wire_err fl_decompress(int level, const uint8_t *in, size_t inlen, uint8_t *out,
			       size_t cap, size_t *outlen)
{
	*outlen = 0;
	if (level < 1 || level > FL_COMPRESS_MAX_LEVEL)
		return FL_WIRE_BAD_LEVEL;
	if (inlen == 0 || inlen > INT_MAX || cap > INT_MAX)
		return FL_WIRE_DECOMPRESS;
	if (level <= 9) {
		uLongf n = cap;
		if (uncompress(out, &n, in, inlen) != Z_OK || n == 0)
			return FL_WIRE_DECOMPRESS;
		*outlen = n;
	} else if (level <= 11) {
		lzo_uint n = cap;
		if (lzo1x_decompress_safe(in, inlen, out, &n, NULL) != LZO_E_OK || n == 0)
			return FL_WIRE_DECOMPRESS;
		*outlen = n;
	} else {
		int n = LZ4_decompress_safe((const char *)in, (char *)out, (int)inlen, (int)cap);
		if (n <= 0)
			return FL_WIRE_DECOMPRESS;
		*outlen = (size_t)n;
	}
	return FL_WIRE_OK;
}
