/* SPDX-License-Identifier: MIT */
/*
 * fuzz_decompress: a compressed record payload at every level; output is
 * bounded by FL_MAXSIZE and must never overflow. Byte 0 picks the level.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire/compress.h"
#include "wire/dgram.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fl_compress_ctx *ctx;
	uint8_t out[FL_MAXSIZE], again[FL_MAXSIZE];
	size_t n, m;
	int level;

	if (size < 1)
		return 0;
	if (!ctx)
		ctx = fl_compress_ctx_new();
	level = 1 + data[0] % 12;
	if (fl_decompress(level, data + 1, size - 1, out, sizeof(out), &n) != FL_WIRE_OK)
		return 0;
	/* Whatever decoded must survive our own round trip. */
	if (fl_compress(ctx, level, out, n, again, sizeof(again), &m) == FL_WIRE_OK) {
		uint8_t back[FL_MAXSIZE];
		size_t k;
		if (fl_decompress(level, again, m, back, sizeof(back), &k) != FL_WIRE_OK ||
		    k != n || memcmp(back, out, n) != 0)
			__builtin_trap();
	}
	return 0;
}
