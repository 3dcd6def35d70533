/* SPDX-License-Identifier: MIT */
/*
 * ttl.c: TTL / hop-limit decrement for DecrementTTL = yes
 * (spec/GRAPH.md §6.7). Called by the dataplane router for transit packets.
 */
#include "wire/ipmod.h"

#include "wire/csum.h"
#include "wire/dgram.h"
#include "wire/ip.h"

static enum fl_ttl_result ttl_v4(uint8_t *frame, size_t len, size_t eth, bool vlan)
{
	uint8_t *ip = frame + eth;
	uint16_t old, new;
	uint32_t sum;

	if (len < eth + 20)
		return FL_TTL_SHORT;
	if (ip[8] <= 1) {
		/* tinc meant "is this itself an ICMP time exceeded?" but reads
		 * the checksum's low byte and IP offset 32; copy that. */
		bool quiet = ip[11] == FL_IPPROTO_ICMP && len > eth + 32 && ip[32] == 11;
		return quiet || vlan ? FL_TTL_EXPIRED_SILENT : FL_TTL_EXPIRED_ICMP;
	}
	old = fl_get16(ip + 8);
	ip[8]--;
	new = fl_get16(ip + 8);
	/* Same arithmetic as tinc so the checksum bytes match exactly. */
	sum = fl_get16(ip + 10);
	sum += old + (~new & 0xffffu);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	fl_put16(ip + 10, (uint16_t)sum);
	return FL_TTL_OK;
}

static enum fl_ttl_result ttl_v6(uint8_t *frame, size_t len, size_t eth, bool vlan)
{
	uint8_t *ip = frame + eth;

	if (len < eth + 40)
		return FL_TTL_SHORT;
	if (ip[7] <= 1) {
		bool quiet = ip[6] == FL_IPPROTO_ICMPV6 && len > eth + 40 && ip[40] == 3;
		return quiet || vlan ? FL_TTL_EXPIRED_SILENT : FL_TTL_EXPIRED_ICMP;
	}
	ip[7]--;
	return FL_TTL_OK;
}

enum fl_ttl_result fl_ttl_decrement(uint8_t *frame, size_t len)
{
	size_t eth = FL_ETH_HLEN;
	uint16_t type;
	bool vlan = false;

	if (len < FL_ETH_HLEN)
		return FL_TTL_SHORT;
	type = fl_get16(frame + 12);
	if (type == FL_ETHERTYPE_VLAN) {
		if (len < 18)
			return FL_TTL_SHORT;
		type = fl_get16(frame + 16);
		eth += 4;
		vlan = true;
	}
	switch (type) {
	case FL_ETHERTYPE_IPV4:
		return ttl_v4(frame, len, eth, vlan);
	case FL_ETHERTYPE_IPV6:
		return ttl_v6(frame, len, eth, vlan);
	default:
		return FL_TTL_OK;
	}
}
