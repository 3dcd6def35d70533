/* SPDX-License-Identifier: MIT */
/*
 * ip.c: parse router-mode frames and add the internal frame header.
 * Called by the dataplane's router on every packet from the tun device,
 * from a peer's UDP record or from a PACKET request.
 */
#include "wire/ip.h"

#include <string.h>

#include "wire/csum.h"
#include "wire/dgram.h"

static enum fl_wire_err ip_parse_v4(const uint8_t *ip, size_t len, struct fl_ip_info *out)
{
	size_t ihl;

	if (len < 20)
		return FL_WIRE_SHORT;
	if ((ip[0] >> 4) != 4)
		return FL_WIRE_BAD_VERSION;
	out->version = 4;
	out->ttl = ip[8];
	out->proto = ip[9];
	out->df = (ip[6] & 0x40) != 0;
	memcpy(out->src, ip + 12, 4);
	memcpy(out->dst, ip + 16, 4);
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl >= 20 && len > ihl)
		out->icmp_type = ip[ihl];
	return FL_WIRE_OK;
}

static enum fl_wire_err ip_parse_v6(const uint8_t *ip, size_t len, struct fl_ip_info *out)
{
	if (len < 40)
		return FL_WIRE_SHORT;
	if ((ip[0] >> 4) != 6)
		return FL_WIRE_BAD_VERSION;
	out->version = 6;
	out->proto = ip[6];
	out->ttl = ip[7];
	memcpy(out->src, ip + 8, 16);
	memcpy(out->dst, ip + 24, 16);
	if (len > 40)
		out->icmp_type = ip[40];
	return FL_WIRE_OK;
}

enum fl_wire_err fl_ip_parse_frame(const uint8_t *frame, size_t len, struct fl_ip_info *out)
{
	memset(out, 0, sizeof(*out));
	if (len < FL_ETH_HLEN)
		return FL_WIRE_SHORT;
	out->ethertype = fl_get16(frame + 12);
	switch (out->ethertype) {
	case FL_ETHERTYPE_IPV4:
		return ip_parse_v4(frame + FL_ETH_HLEN, len - FL_ETH_HLEN, out);
	case FL_ETHERTYPE_IPV6:
		return ip_parse_v6(frame + FL_ETH_HLEN, len - FL_ETH_HLEN, out);
	default:
		return FL_WIRE_BAD_ETHERTYPE;
	}
}

enum fl_wire_err fl_ip_push_frame_header(struct fl_pkt *p)
{
	uint16_t type;
	uint8_t *h;

	if (p->len == 0)
		return FL_WIRE_SHORT;
	switch (p->data[0] >> 4) {
	case 4:
		type = FL_ETHERTYPE_IPV4;
		break;
	case 6:
		type = FL_ETHERTYPE_IPV6;
		break;
	default:
		return FL_WIRE_BAD_VERSION;
	}
	h = fl_pkt_push(p, FL_ETH_HLEN);
	if (!h)
		return FL_WIRE_NO_ROOM;
	memset(h, 0, 12);
	fl_put16(h + 12, type);
	return FL_WIRE_OK;
}
