/* SPDX-License-Identifier: MIT */
/*
 * frag.c: IPv4 fragmentation of too-big packets without DF
 * (spec/GRAPH.md §6.8). Called by the dataplane router; each fragment is
 * handed to a callback that sends it to the owner.
 */
#include "wire/ipmod.h"

#include <string.h>

#include "wire/csum.h"
#include "wire/dgram.h"
#include "wire/ip.h"

#define FRAG_HDR (FL_ETH_HLEN + 20u)

enum fl_wire_err fl_frag4(const uint8_t *frame, size_t len, uint16_t mtu,
			  fl_frag_emit_fn *emit, void *ctx)
{
	uint8_t frag[FL_MTU];
	const uint8_t *ip = frame + FL_ETH_HLEN, *payload;
	size_t todo, maxlen, limit = mtu < 590 ? 590 : mtu;
	uint16_t off, flags;

	if (len < FRAG_HDR || fl_get16(frame + 12) != FL_ETHERTYPE_IPV4)
		return FL_WIRE_CANNOT_FRAG;
	if (ip[0] != 0x45 || fl_get16(ip + 2) < 20 || FL_ETH_HLEN + fl_get16(ip + 2) != len)
		return FL_WIRE_CANNOT_FRAG;
	if (limit > sizeof(frag))
		limit = sizeof(frag);
	maxlen = (limit - FRAG_HDR) & ~(size_t)7;
	todo = len - FRAG_HDR;
	payload = frame + FRAG_HDR;
	off = fl_get16(ip + 6);
	flags = off & 0xe000;   /* keep the original DF/MF bits */
	off &= 0x1fff;
	memcpy(frag, frame, FRAG_HDR);
	while (todo) {
		size_t n = todo > maxlen ? maxlen : todo;
		uint8_t *fip = frag + FL_ETH_HLEN;

		memcpy(frag + FRAG_HDR, payload, n);
		todo -= n;
		payload += n;
		fl_put16(fip + 2, (uint16_t)(20 + n));
		fl_put16(fip + 6, (uint16_t)(off | flags | (todo ? 0x2000 : 0)));
		fl_put16(fip + 10, 0);
		fl_put16(fip + 10, fl_csum_fold(fl_csum_add(0, fip, 20)));
		emit(ctx, frag, FRAG_HDR + n);
		off = (uint16_t)(off + n / 8);
	}
	return FL_WIRE_OK;
}
