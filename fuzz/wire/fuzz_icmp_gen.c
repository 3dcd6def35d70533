/* SPDX-License-Identifier: MIT */
/*
 * fuzz_icmp_gen: any frame through the echo-reply and error builders of
 * icmp_echo.c and icmp_err.c, out of place and in place. What they build
 * must fit the RFC sizes and carry correct checksums.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/icmp_csum.h"
#include "wire/icmp_echo.h"
#include "wire/icmp_err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check4(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14;

	if (len < 14 + 28 || len > 14 + 65535 || fl_icmp_csum4(ip, 20) != 0 ||
	    fl_icmp_csum4(ip + 20, len - 34) != 0)
		abort();
}

static void check6(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + 14;

	if (len < 14 + 48 || fl_icmp_csum6(ip + 8, ip + 24, ip + 40, len - 54) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t src4[4] = {192, 0, 2, 1}, src6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static uint8_t out[70000], in[70000];
	size_t olen;
	uint8_t type, code;

	if (size < 2 || size > sizeof(in) - 2)
		return 0;
	type = data[0];
	code = data[1];
	data += 2;
	size -= 2;
	if (fl_icmp_echo4(data, size, out, sizeof(out), &olen) == FL_ICMP_OK)
		check4(out, olen);
	if (fl_icmp_echo6(data, size, out, sizeof(out), &olen) == FL_ICMP_OK)
		check6(out, olen);
	if (fl_icmp_err4(data, size, type, code, 1400, src4, out, sizeof(out), &olen) == FL_ICMP_OK) {
		check4(out, olen);
		if (olen > FL_ICMP_ERR_FRAME4)
			abort();
	}
	if (fl_icmp_err6(data, size, type, code, 1280, src6, out, sizeof(out), &olen) == FL_ICMP_OK) {
		check6(out, olen);
		if (olen > FL_ICMP_ERR_FRAME6)
			abort();
	}
	/* In place: the same bytes as out of place. */
	memcpy(in, data, size);
	if (fl_icmp_err4(in, size, type, code, 1400, src4, in, sizeof(in), &olen) == FL_ICMP_OK) {
		size_t o2;
		fl_icmp_err4(data, size, type, code, 1400, src4, out, sizeof(out), &o2);
		if (o2 != olen || memcmp(in, out, olen))
			abort();
	}
	return 0;
}
