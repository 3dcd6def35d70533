/* SPDX-License-Identifier: MIT */
/*
 * icmp.c: build ICMP/ICMPv6 error frames (spec/GRAPH.md §6.4). Called by
 * the dataplane router for unknown/unreachable destinations, frag-needed,
 * packet-too-big and TTL expiry.
 */
#include "wire/icmp.h"

#include <string.h>

#include "wire/csum.h"
#include "wire/dgram.h"
#include "wire/ip.h"

/* Frame header with the two MAC addresses swapped. */
static void icmp_swap_macs(uint8_t *out, const uint8_t *frame)
{
	memcpy(out, frame + 6, 6);
	memcpy(out + 6, frame, 6);
	memcpy(out + 12, frame + 12, 2);
}

enum fl_wire_err fl_icmp4_error(const uint8_t *frame, size_t len, uint8_t type, uint8_t code,
				const uint8_t *src4, uint8_t *out, size_t cap, size_t *outlen)
{
	const uint8_t *oip = frame + FL_ETH_HLEN;
	size_t quote, total;
	uint8_t *ip = out + FL_ETH_HLEN, *icmp = ip + 20;
	uint8_t osrc[4], odst[4], hdr[FL_ETH_HLEN];
	uint32_t sum;

	*outlen = 0;
	if (len < FL_IPV4_MIN_FRAME)
		return FL_WIRE_SHORT;
	quote = len - FL_ETH_HLEN;
	if (quote > FL_ICMP_QUOTE4)
		quote = FL_ICMP_QUOTE4;
	total = FL_ETH_HLEN + 20 + 8 + quote;
	if (cap < total)
		return FL_WIRE_NO_ROOM;
	/* Save what the header needs first: out may be the frame itself. */
	memcpy(osrc, oip + 12, 4);
	memcpy(odst, oip + 16, 4);
	memcpy(hdr, frame, FL_ETH_HLEN);
	memmove(icmp + 8, oip, quote);
	icmp_swap_macs(out, hdr);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	fl_put16(ip + 2, (uint16_t)(20 + 8 + quote));
	ip[8] = 255;
	ip[9] = FL_IPPROTO_ICMP;
	memcpy(ip + 12, src4 ? src4 : odst, 4);
	memcpy(ip + 16, osrc, 4);
	fl_put16(ip + 10, fl_csum_fold(fl_csum_add(0, ip, 20)));
	memset(icmp, 0, 8);
	icmp[0] = type;
	icmp[1] = code;
	if (type == FL_ICMP_DEST_UNREACH && code == FL_ICMP_FRAG_NEEDED)
		fl_put16(icmp + 6, (uint16_t)(len - FL_ETH_HLEN));
	sum = fl_csum_add(0, icmp, 8 + quote);
	fl_put16(icmp + 2, fl_csum_fold(sum));
	*outlen = total;
	return FL_WIRE_OK;
}

enum fl_wire_err fl_icmp6_error(const uint8_t *frame, size_t len, uint8_t type, uint8_t code,
				const uint8_t *src6, uint8_t *out, size_t cap, size_t *outlen)
{
	const uint8_t *oip = frame + FL_ETH_HLEN;
	size_t quote, total;
	uint8_t *ip = out + FL_ETH_HLEN, *icmp = ip + 40;
	uint8_t osrc[16], odst[16], hdr[FL_ETH_HLEN], pseudo[8];
	uint32_t sum;

	*outlen = 0;
	if (len < FL_IPV6_MIN_FRAME)
		return FL_WIRE_SHORT;
	quote = len - FL_ETH_HLEN;
	if (quote > FL_ICMP_QUOTE6)
		quote = FL_ICMP_QUOTE6;
	total = FL_ETH_HLEN + 40 + 8 + quote;
	if (cap < total)
		return FL_WIRE_NO_ROOM;
	memcpy(osrc, oip + 8, 16);
	memcpy(odst, oip + 24, 16);
	memcpy(hdr, frame, FL_ETH_HLEN);
	memmove(icmp + 8, oip, quote);
	icmp_swap_macs(out, hdr);
	memset(ip, 0, 40);
	ip[0] = 0x60;
	fl_put16(ip + 4, (uint16_t)(8 + quote));
	ip[6] = FL_IPPROTO_ICMPV6;
	ip[7] = 255;
	memcpy(ip + 8, src6 ? src6 : odst, 16);
	memcpy(ip + 24, osrc, 16);
	memset(icmp, 0, 8);
	icmp[0] = type;
	icmp[1] = code;
	if (type == FL_ICMP6_PACKET_TOO_BIG)
		fl_put32(icmp + 4, (uint32_t)(len - FL_ETH_HLEN));
	/* Pseudo-header: addresses, upper-layer length (32 bit), next header. */
	fl_put32(pseudo, (uint32_t)(8 + quote));
	fl_put32(pseudo + 4, FL_IPPROTO_ICMPV6);
	sum = fl_csum_add(0, ip + 8, 32);
	sum = fl_csum_add(sum, pseudo, 8);
	sum = fl_csum_add(sum, icmp, 8 + quote);
	fl_put16(icmp + 2, fl_csum_fold(sum));
	*outlen = total;
	return FL_WIRE_OK;
}
