/* SPDX-License-Identifier: MIT */
/*
 * mss.c: ClampMSS (spec/GRAPH.md §6.9). Called by the dataplane router on
 * every routed frame when the relay's options carry CLAMP_MSS.
 */
#include "wire/ipmod.h"

#include "wire/csum.h"
#include "wire/dgram.h"
#include "wire/ip.h"

/* Offset of the TCP header in the frame, or 0 if this is not TCP we clamp. */
static size_t mss_tcp_start(const uint8_t *f, size_t len)
{
	size_t start = FL_ETH_HLEN;
	uint16_t type = fl_get16(f + 12);

	if (type == FL_ETHERTYPE_VLAN) {
		if (len < 18)
			return 0;
		start += 4;
		type = fl_get16(f + 16);
	}
	if (type == FL_ETHERTYPE_IPV4 && len > start + 9 && f[start + 9] == 4)
		start += 20; /* IP in IP (RFC 2003) */
	if (len <= start + 20)
		return 0;
	if (type == FL_ETHERTYPE_IPV4 && f[start + 9] == FL_IPPROTO_TCP)
		start += (size_t)(f[start] & 0xf) * 4;
	else if (type == FL_ETHERTYPE_IPV6 && f[start + 6] == FL_IPPROTO_TCP)
		start += 40;
	else
		return 0;
	if (len <= start + 20)
		return 0;
	return start;
}

bool fl_mss_clamp(uint8_t *f, size_t len, uint16_t mtu)
{
	size_t start = mss_tcp_start(f, len);
	int optlen, i = 0;

	if (!start)
		return false;
	optlen = ((f[start + 12] >> 4) - 5) * 4;
	if (optlen <= 0 || len < start + 20 + (size_t)optlen)
		return false;
	while (i < optlen) {
		const uint8_t *o = f + start + 20 + i;

		if (o[0] == 0)
			break;
		if (o[0] == 1) {
			i++;
			continue;
		}
		if (i > optlen - 2 || i > optlen - o[1])
			break;
		if (o[0] != 2) {
			if (o[1] < 2)
				break;
			i += o[1];
			continue;
		}
		/* tinc checks the length byte at the first option position. */
		if (f[start + 21] != 4 || len < start + 24 + (size_t)i)
			break;
		uint16_t oldmss = fl_get16(o + 2);
		uint16_t newmss = (uint16_t)(mtu - start - 20);
		if (oldmss <= newmss)
			break;
		fl_put16(f + start + 22 + i, newmss);
		fl_put16(f + start + 16,
			 fl_csum_update16(fl_get16(f + start + 16), oldmss, newmss));
		return true;
	}
	return false;
}
