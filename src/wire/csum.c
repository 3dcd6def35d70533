/* SPDX-License-Identifier: MIT */
/*
 * csum.c: Internet checksum helpers for the packet builders in src/wire.
 */
#include "wire/csum.h"

#include <string.h>

uint32_t fl_csum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
	/* Sum 64-bit words in host order with their carries counted apart
	 * (2^64 is 1 modulo 0xffff, so each carry adds 1), fold, and swap to
	 * network order at the end: the one's-complement sum does not depend
	 * on byte order (RFC 1071 par. 2). Two independent accumulators
	 * keep the add-with-carry chains short: this runs over every byte of
	 * every TCP segment cut from an offload burst, the data path's
	 * largest cost in user space (bench/offload.sh under perf). */
	uint64_t a = 0, b = 0, c = 0, s = sum, w;
	size_t i = 0;

	for (; i + 16 <= len; i += 16) {
		uint64_t v[2];
		memcpy(v, buf + i, 16);
		c += __builtin_add_overflow(a, v[0], &a);
		c += __builtin_add_overflow(b, v[1], &b);
	}
	w = (a & 0xffffffffu) + (a >> 32) + (b & 0xffffffffu) + (b >> 32) + c;
	for (; i + 4 <= len; i += 4) {
		uint32_t v;
		memcpy(&v, buf + i, 4);
		w += v;
	}
	while (w >> 16)
		w = (w & 0xffff) + (w >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	w = (uint16_t)(w << 8 | w >> 8);
#endif
	s += w;
	for (; i + 1 < len; i += 2)
		s += fl_get16(buf + i);
	if (i < len)
		s += (uint32_t)buf[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t fl_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t fl_csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word)
{
	/* HC' = ~(~HC + ~m + m') */
	uint32_t sum = (uint16_t)~csum;

	sum += (uint16_t)~old_word;
	sum += new_word;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
