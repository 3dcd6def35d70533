/* SPDX-License-Identifier: MIT */
/*
 * icmp_csum.c: ICMP and ICMPv6 checksums (see icmp_csum.h).
 */
#include "wire/icmp_csum.h"

#include "wire/csum.h"

uint16_t fl_icmp_csum4(const uint8_t *icmp, size_t len)
{
	return fl_csum_fold(fl_csum_add(0, icmp, len));
}

uint16_t fl_icmp_csum6(const uint8_t src[static 16], const uint8_t dst[static 16],
		       const uint8_t *icmp, size_t len)
{
	uint8_t pseudo[8];
	uint32_t sum;

	/* Upper-layer length (32 bits), three zero bytes, next header 58. */
	fl_put32(pseudo, (uint32_t)len);
	fl_put32(pseudo + 4, 58);
	sum = fl_csum_add(0, src, 16);
	sum = fl_csum_add(sum, dst, 16);
	sum = fl_csum_add(sum, pseudo, 8);
	return fl_csum_fold(fl_csum_add(sum, icmp, len));
}
