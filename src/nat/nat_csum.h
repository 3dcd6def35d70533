/* SPDX-License-Identifier: MIT */
/* nat_csum.h: Internet checksum helpers for the NAT, and unaligned loads
 * and stores of raw (network order) header fields.
 *
 * Incremental update per RFC 1624 equation 3: HC' = ~(~HC + ~m + m'). The
 * one's complement sum does not depend on byte order, so every value here
 * is the raw 16-bit word as it sits in the packet; nothing is byte swapped.
 * A delta is accumulated as a 32-bit sum of (~old + new) words and applied
 * to each checksum that covers those words.
 */
#ifndef FL_NAT_CSUM_H
#define FL_NAT_CSUM_H

#include <stdint.h>
#include <string.h>

static inline uint16_t nat_rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static inline uint32_t nat_rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static inline void nat_wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static inline void nat_wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static inline uint16_t nat_csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline uint32_t nat_csum_delta16(uint16_t old, uint16_t new)
{
	return (uint32_t)(uint16_t)~old + new;
}

static inline uint32_t nat_csum_delta32(uint32_t old, uint32_t new)
{
	return (uint32_t)(uint16_t)~old + (uint16_t)~(old >> 16) + (new & 0xffff) + (new >> 16);
}

/* Applies a delta to a checksum value. The result is never 0xffff unless
 * all summed words were zero, so a valid checksum stays valid and a round
 * trip (delta, then the opposite delta) restores the original bits. */
static inline uint16_t nat_csum_apply(uint16_t ck, uint32_t delta)
{
	return (uint16_t)~nat_csum_fold((uint32_t)(uint16_t)~ck + nat_csum_fold(delta));
}

/* Applies a delta to the checksum field at p. */
static inline void nat_csum_patch(uint8_t *p, uint32_t delta)
{
	nat_wr16(p, nat_csum_apply(nat_rd16(p), delta));
}

/* UDP and UDP-Lite send a computed zero as 0xffff (0 means "none" in UDP). */
static inline void nat_csum_patch_udp(uint8_t *p, uint32_t delta)
{
	uint16_t ck = nat_csum_apply(nat_rd16(p), delta);
	nat_wr16(p, ck ? ck : 0xffff);
}

/* Writes a 16-bit field and adds its change to *delta. */
static inline void nat_set16(uint8_t *p, uint16_t v, uint32_t *delta)
{
	*delta += nat_csum_delta16(nat_rd16(p), v);
	nat_wr16(p, v);
}

static inline void nat_set32(uint8_t *p, uint32_t v, uint32_t *delta)
{
	*delta += nat_csum_delta32(nat_rd32(p), v);
	nat_wr32(p, v);
}

#endif
