/* SPDX-License-Identifier: MIT */
/*
 * csum.c: Internet checksum helpers for the packet builders in src/wire.
 */
#include "wire/csum.h"

#include <string.h>

uint32_t fl_csum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
	/* Sum 32-bit words in host order into 64 bits (no carry handling in
	 * the loop), fold, and swap to network order at the end: the
	 * one's-complement sum does not depend on byte order (RFC 1071 §2). */
	uint64_t s = sum, w = 0;
	size_t i = 0;

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
