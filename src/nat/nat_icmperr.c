/* SPDX-License-Identifier: MIT */
/* nat_icmperr.c: ICMP error messages (destination unreachable, including
 * fragmentation needed; time exceeded; parameter problem) per RFC 5508
 * section 4. Called by nat_xlate.c.
 *
 * An error carries the start of the packet that caused it. Inbound, that is
 * a packet we sent out: its source is our external endpoint and becomes the
 * internal one again, and the outer destination becomes the internal host.
 * Outbound, an internal host reports a packet it received: the embedded
 * destination becomes our external endpoint and the outer source our
 * external address. The embedded IP checksum, the embedded transport
 * checksum when its bytes are present, and the outer ICMP checksum (which
 * covers all of those bytes) are patched incrementally. Errors never create
 * or refresh mappings, and are not filtered (any router on the path may
 * send one).
 */
#include <arpa/inet.h>

#include "nat/nat_csum.h"
#include "nat/nat_internal.h"

struct inner {
	uint8_t *ip;
	uint8_t *l4;
	size_t l4len; /* bytes of the embedded transport header present */
	uint8_t proto;
	uint8_t port_off; /* offset of the mapped field from l4 given the direction */
};

static bool icmp_query(uint8_t type)
{
	return type == 0 || type == 8 || type == 13 || type == 14;
}

/* Checks the embedded packet: IPv4, sane IHL, first fragment, a protocol we
 * map with at least 8 bytes of its header, and not itself an ICMP error. */
static bool inner_parse(uint8_t *icmp, size_t icmp_len, struct inner *in)
{
	if (icmp_len < 8 + 20 + 8)
		return false;
	uint8_t *ip = icmp + 8;
	size_t left = icmp_len - 8;
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	if (ip[0] >> 4 != 4 || ihl < 20 || ihl > left - 8)
		return false;
	if ((ntohs(nat_rd16(ip + 6)) & 0x1fff) != 0)
		return false;
	in->ip = ip;
	in->l4 = ip + ihl;
	in->l4len = left - ihl;
	in->proto = ip[9];
	switch (in->proto) {
	case NAT_PROTO_TCP:
	case NAT_PROTO_UDP:
	case NAT_PROTO_UDPLITE:
		return true;
	case NAT_PROTO_ICMP:
		return icmp_query(in->l4[0]);
	default:
		return false;
	}
}

/* Rewrites the embedded address at in->ip + addr_off and the port or id at
 * in->l4 + port_off, patches the embedded checksums, and returns the delta
 * of every changed word for the outer ICMP checksum. */
static uint32_t inner_rewrite(struct inner *in, size_t addr_off, size_t port_off,
                              uint32_t addr, uint16_t port)
{
	uint32_t d_addr = 0, d_port = 0, d_icmp;
	uint16_t old;

	nat_set32(in->ip + addr_off, addr, &d_addr);
	nat_set16(in->l4 + port_off, port, &d_port);
	old = nat_rd16(in->ip + 10);
	nat_csum_patch(in->ip + 10, d_addr);
	d_icmp = d_addr + d_port + nat_csum_delta16(old, nat_rd16(in->ip + 10));

	uint8_t *ck = NULL;
	uint32_t d_ck = d_addr + d_port;
	switch (in->proto) {
	case NAT_PROTO_TCP:
		if (in->l4len >= 18)
			ck = in->l4 + 16;
		break;
	case NAT_PROTO_UDP:
	case NAT_PROTO_UDPLITE:
		if (in->proto == NAT_PROTO_UDPLITE || nat_rd16(in->l4 + 6) != 0)
			ck = in->l4 + 6;
		break;
	case NAT_PROTO_ICMP:
		ck = in->l4 + 2; /* no pseudo-header: only the id counts */
		d_ck = d_port;
		break;
	}
	if (ck) {
		old = nat_rd16(ck);
		if (in->proto == NAT_PROTO_TCP || in->proto == NAT_PROTO_ICMP)
			nat_csum_patch(ck, d_ck);
		else
			nat_csum_patch_udp(ck, d_ck);
		d_icmp += nat_csum_delta16(old, nat_rd16(ck));
	}
	return d_icmp;
}

/* The embedded transport field that identifies the mapping: the source
 * port (or id) of a packet we sent, the destination port of one we got.
 * ICMP queries carry the id at offset 4 either way. */
static size_t port_offset(const struct inner *in, bool ours)
{
	if (in->proto == NAT_PROTO_ICMP)
		return 4;
	return ours ? 0 : 2;
}

enum nat_verdict nat_icmperr_out(struct nat *n, uint8_t *ip, uint8_t *icmp, size_t icmp_len, uint32_t now)
{
	struct inner in;
	(void)now;
	if (!inner_parse(icmp, icmp_len, &in))
		return NAT_DROP_ICMP_BAD;
	size_t po = port_offset(&in, false);
	uint32_t mi = nat_lookup_int(n, in.proto, nat_rd32(in.ip + 16), nat_rd16(in.l4 + po));
	if (mi == NAT_NIL)
		return NAT_NO_MAPPING;
	const struct nat_map *m = &n->map[mi];
	uint32_t ext = n->cfg.ext_addr[m->ext_idx];

	uint32_t d_icmp = inner_rewrite(&in, 16, po, ext, m->ext_port);
	uint32_t d_ip = 0;
	nat_set32(ip + 12, ext, &d_ip);
	nat_csum_patch(ip + 10, d_ip);
	nat_csum_patch(icmp + 2, d_icmp);
	return NAT_TRANSLATED;
}

enum nat_verdict nat_icmperr_in(struct nat *n, uint8_t *ip, uint8_t *icmp, size_t icmp_len, uint32_t now)
{
	struct inner in;
	(void)now;
	if (!inner_parse(icmp, icmp_len, &in))
		return NAT_DROP_ICMP_BAD;
	int idx = nat_ext_index(n, nat_rd32(in.ip + 12));
	if (idx < 0)
		return NAT_NO_MAPPING;
	size_t po = port_offset(&in, true);
	uint32_t mi = nat_lookup_ext(n, in.proto, (uint8_t)idx, nat_rd16(in.l4 + po));
	if (mi == NAT_NIL)
		return NAT_NO_MAPPING;
	const struct nat_map *m = &n->map[mi];

	uint32_t d_icmp = inner_rewrite(&in, 12, po, m->int_addr, m->int_port);
	uint32_t d_ip = 0;
	nat_set32(ip + 16, m->int_addr, &d_ip);
	nat_csum_patch(ip + 10, d_ip);
	nat_csum_patch(icmp + 2, d_icmp);
	return NAT_TRANSLATED;
}
