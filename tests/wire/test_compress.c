/* SPDX-License-Identifier: MIT */
/*
 * test_compress.c: every compression level round-trips, incompressible data
 * is refused, decompression is bounded and rejects garbage (spec/UDP.md §6).
 * Inputs compressed by the libraries directly are decoded too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <lz4.h>
#include <zlib.h>

#include "wire/compress.h"
#include "wire/dgram.h"

static void fill_text(uint8_t *b, size_t n)
{
	static const char s[] = "GET /index.html HTTP/1.1\r\nHost: example\r\n";
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)s[i % (sizeof(s) - 1)];
}

static void test_roundtrip(void **state)
{
	struct fl_compress_ctx *ctx = fl_compress_ctx_new();
	uint8_t in[1500], c[1500], d[FL_MAXSIZE];
	size_t cl, dl;

	(void)state;
	assert_non_null(ctx);
	fill_text(in, sizeof(in));
	for (int level = 1; level <= 12; level++) {
		assert_int_equal(fl_compress(ctx, level, in, sizeof(in), c, sizeof(c), &cl), FL_WIRE_OK);
		assert_true(cl < sizeof(in));
		assert_int_equal(fl_decompress(level, c, cl, d, sizeof(d), &dl), FL_WIRE_OK);
		assert_int_equal(dl, sizeof(in));
		assert_memory_equal(d, in, dl);
		/* Output bound: a buffer one byte short fails cleanly. */
		assert_int_equal(fl_decompress(level, c, cl, d, sizeof(in) - 1, &dl), FL_WIRE_DECOMPRESS);
		/* Garbage is rejected (or at least never overflows). */
		memset(c, 0xff, 64);
		(void)fl_decompress(level, c, 64, d, sizeof(d), &dl);
		assert_true(dl <= sizeof(d));
	}
	assert_int_equal(fl_compress(ctx, 0, in, 100, c, sizeof(c), &cl), FL_WIRE_COMPRESS);
	assert_int_equal(fl_compress(ctx, 13, in, 100, c, sizeof(c), &cl), FL_WIRE_BAD_LEVEL);
	assert_int_equal(fl_decompress(0, in, 100, d, sizeof(d), &dl), FL_WIRE_BAD_LEVEL);
	fl_compress_ctx_free(ctx);
}

static void test_incompressible(void **state)
{
	struct fl_compress_ctx *ctx = fl_compress_ctx_new();
	uint8_t in[300], c[300];
	size_t cl;
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++) {
		x = x * 1103515245u + 12345u;
		in[i] = (uint8_t)(x >> 16);
	}
	for (int level = 1; level <= 12; level++)
		assert_int_equal(fl_compress(ctx, level, in, sizeof(in), c, sizeof(c), &cl),
				 FL_WIRE_COMPRESS);
	fl_compress_ctx_free(ctx);
}

/* Data produced by the libraries themselves decodes (independent encoder). */
static void test_foreign(void **state)
{
	uint8_t in[1000], c[1100], d[FL_MAXSIZE];
	uLongf zl = sizeof(c);
	size_t dl;

	(void)state;
	fill_text(in, sizeof(in));
	assert_int_equal(compress2(c, &zl, in, sizeof(in), 9), Z_OK);
	assert_int_equal(fl_decompress(5, c, zl, d, sizeof(d), &dl), FL_WIRE_OK);
	assert_int_equal(dl, sizeof(in));
	int n = LZ4_compress_default((const char *)in, (char *)c, sizeof(in), sizeof(c));
	assert_true(n > 0);
	assert_int_equal(fl_decompress(12, c, (size_t)n, d, sizeof(d), &dl), FL_WIRE_OK);
	assert_memory_equal(d, in, sizeof(in));
	/* A zlib bomb larger than MAXSIZE is refused. */
	uint8_t zeros[4000] = {0};
	zl = sizeof(c);
	assert_int_equal(compress2(c, &zl, zeros, sizeof(zeros), 9), Z_OK);
	assert_int_equal(fl_decompress(1, c, zl, d, sizeof(d), &dl), FL_WIRE_DECOMPRESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_incompressible),
		cmocka_unit_test(test_foreign),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
