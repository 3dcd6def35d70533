/* SPDX-License-Identifier: MIT */
/*
 * csum.h: Internet checksum (RFC 1071) and incremental update (RFC 1624).
 * Used by icmp.c, ttl.c, frag.c and mss.c; pure.
 */
#ifndef FL_WIRE_CSUM_H
#define FL_WIRE_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Unfolded one's-complement sum of len bytes (big-endian 16-bit words,
 * odd trailing byte padded with zero), added to `sum`. */
uint32_t fl_csum_add(uint32_t sum, const uint8_t *buf, size_t len);
/* Fold and complement: the value to store in a checksum field (host order). */
uint16_t fl_csum_fold(uint32_t sum);
/* New checksum after a 16-bit word changed from old_word to new_word
 * (all host order), RFC 1624 eqn. 3. */
uint16_t fl_csum_update16(uint16_t csum, uint16_t old_word, uint16_t new_word);

static inline uint16_t fl_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void fl_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t fl_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void fl_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
