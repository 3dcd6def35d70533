/* SPDX-License-Identifier: MIT */
/*
 * test_csum.c: fl_csum_add() against a 16-bit-word-at-a-time sum written
 * here from RFC 1071, for every length 0-2100 at every alignment 0-15,
 * with random bytes, all-ones bytes (the most carries) and a non-zero
 * starting sum; chained sums over split buffers; fl_csum_update16()
 * against recomputing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire/csum.h"

static uint32_t ref_add(uint32_t sum, const uint8_t *p, size_t n)
{
	uint64_t s = sum;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/* 0 and 0xffff are the same one's-complement number. */
static uint16_t canon(uint32_t s)
{
	return s == 0xffff ? 0 : (uint16_t)s;
}

static uint8_t buf[2100 + 16];

static void check_all(uint32_t start)
{
	for (size_t align = 0; align < 16; align++)
		for (size_t n = 0; n + align <= sizeof(buf) && n <= 2100; n++)
			if (canon(fl_csum_add(start, buf + align, n)) != canon(ref_add(start, buf + align, n)))
				fail_msg("length %zu at offset %zu, start %#x", n, align, start);
}

static void test_lengths(void **state)
{
	uint32_t x = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	check_all(0);
	check_all(0xfffe);
	memset(buf, 0xff, sizeof(buf));
	check_all(0);
	check_all(0xffff);
}

static void test_chained(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 31 + 7);
	for (size_t cut = 0; cut <= 1500; cut += 2) /* an even split continues the sum */
		assert_int_equal(canon(fl_csum_add(fl_csum_add(0, buf, cut), buf + cut, 1500 - cut)),
				 canon(ref_add(0, buf, 1500)));
}

static void test_update16(void **state)
{
	uint8_t h[20] = {0x45, 0, 0, 40, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 192, 0, 2, 1, 198, 51, 100, 7};
	uint16_t c = fl_csum_fold(fl_csum_add(0, h, 20));

	(void)state;
	assert_int_equal(c, (uint16_t)~ref_add(0, h, 20));
	h[10] = (uint8_t)(c >> 8), h[11] = (uint8_t)c;
	c = fl_csum_update16(c, 0x4006, 0x3f06); /* TTL 64 -> 63 */
	h[8] = 63, h[10] = (uint8_t)(c >> 8), h[11] = (uint8_t)c;
	assert_int_equal(canon(ref_add(0, h, 20)), 0); /* right again: sums to 0xffff */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_chained),
		cmocka_unit_test(test_update16),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
