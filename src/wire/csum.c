/*
 * csum.c: Internet checksum helpers for the packet builders in src/wire.
 */
#include "wire/csum.h"

uint32_t fl_csum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		sum += fl_get16(buf + i);
		/* Fold early so a long buffer cannot overflow 32 bits. */
		if (sum & 0x80000000u)
			sum = (sum & 0xffff) + (sum >> 16);
	}
	if (i < len)
		sum += (uint32_t)buf[i] << 8;
	return sum;
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
