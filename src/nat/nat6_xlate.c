/* SPDX-License-Identifier: MIT */
/* nat6_xlate.c: nat6_out() and nat6_in(), the IPv6 NAT's per-packet entry
 * points called by the offload data path. Parses the IPv6 header and the
 * TCP/UDP ports or ICMPv6 echo id, finds or creates the mapping, tracks
 * TCP state, rewrites the packet and patches the one checksum that covers
 * the changes (transport or ICMPv6, through the pseudo-header). Inbound
 * ICMPv6 errors are translated with their embedded packet.
 */
#include <arpa/inet.h>
#include <string.h>

#include "nat/nat6_internal.h"
#include "nat/nat_csum.h"
#include "nat/nat_internal.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define ICMP6_ECHO_REQ 128
#define ICMP6_ECHO_REP 129

struct pkt6 {
	uint8_t *ip, *l4;
	size_t l4len;
	uint8_t proto;
};

static enum nat_verdict parse(uint8_t *b, size_t len, struct pkt6 *p)
{
	if (len < 40)
		return NAT_DROP_TRUNCATED;
	if (b[0] >> 4 != 6)
		return NAT_DROP_BAD_IP;
	size_t plen = ntohs(nat_rd16(b + 4));
	if (plen > len - 40)
		return NAT_DROP_TRUNCATED;
	p->ip = b;
	p->l4 = b + 40;
	p->l4len = plen;
	p->proto = b[6];
	switch (p->proto) {
	case NAT6_PROTO_TCP:
		if (plen < 20)
			return NAT_DROP_TRUNCATED;
		if (b[40 + 12] >> 4 < 5 || (size_t)(b[40 + 12] >> 4) * 4 > plen)
			return NAT_DROP_BAD_L4;
		return NAT_TRANSLATED;
	case NAT6_PROTO_UDP:
		if (plen < 8)
			return NAT_DROP_TRUNCATED;
		return ntohs(nat_rd16(b + 44)) != plen ? NAT_DROP_BAD_L4 : NAT_TRANSLATED;
	case NAT6_PROTO_ICMP:
		return plen < 8 ? NAT_DROP_TRUNCATED : NAT_TRANSLATED;
	default:
		return NAT_DROP_PROTO; /* extension headers included */
	}
}

/* Writes a 16-byte address, adding its change to *delta. */
static void set_addr(uint8_t *p, const uint8_t a[16], uint32_t *delta)
{
	for (int i = 0; i < 16; i += 2)
		nat_set16(p + i, nat_rd16(a + i), delta);
}

/* Offset of the port or id that identifies the internal endpoint, in a
 * transport header sent from inside (source port, echo id). */
static size_t id_off(uint8_t proto)
{
	return proto == NAT6_PROTO_ICMP ? 4 : 0;
}

static size_t csum_off(uint8_t proto)
{
	return proto == NAT6_PROTO_TCP ? 16 : proto == NAT6_PROTO_UDP ? 6 : 2;
}

static void l4_patch(uint8_t proto, uint8_t *l4, uint32_t delta)
{
	if (proto == NAT6_PROTO_UDP) {
		if (nat_rd16(l4 + 6) != 0)
			nat_csum_patch_udp(l4 + 6, delta);
	} else {
		nat_csum_patch(l4 + csum_off(proto), delta);
	}
}

static void tcp_track(struct nat6 *n, uint32_t i, uint8_t flags, bool out, uint32_t now)
{
	struct nat6_map *m = &n->map[i];
	bool closed = (m->tcp & NAT_TCP_RST) ||
		      (m->tcp & (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN)) == (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN);
	if (closed && (flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN)
		m->tcp = 0;
	if (flags & TCP_SYN)
		m->tcp |= out ? NAT_TCP_SYN_OUT : NAT_TCP_SYN_IN;
	if (flags & TCP_FIN)
		m->tcp |= out ? NAT_TCP_FIN_OUT : NAT_TCP_FIN_IN;
	if (flags & TCP_RST)
		m->tcp |= NAT_TCP_RST;
	nat6_refresh(n, i, now);
}

static enum nat_verdict out6(struct nat6 *n, const struct pkt6 *p, uint32_t now)
{
	uint8_t *l4 = p->l4;
	uint8_t flags = p->proto == NAT6_PROTO_TCP ? l4[13] : 0;
	enum nat_verdict v = NAT_TRANSLATED;

	if (p->proto == NAT6_PROTO_ICMP && l4[0] != ICMP6_ECHO_REQ)
		return NAT_DROP_ICMP_TYPE;
	if (!memcmp(p->ip + 24, n->ext, 16))
		return NAT_NO_MAPPING; /* no hairpinning */
	uint16_t port = nat_rd16(l4 + id_off(p->proto));
	uint32_t i = nat6_find_int(n, p->proto, p->ip + 8, port);
	if (i == NAT6_NIL) {
		if (p->proto == NAT6_PROTO_TCP && (flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
			return NAT_DROP_TCP_NO_SYN;
		i = nat6_create(n, p->proto, p->ip + 8, port, now, &v);
		if (i == NAT6_NIL)
			return v;
	}
	if (p->proto == NAT6_PROTO_TCP)
		tcp_track(n, i, flags, true, now);
	else
		nat6_refresh(n, i, now);
	uint32_t d = 0;
	set_addr(p->ip + 8, n->ext, &d);
	nat_set16(l4 + id_off(p->proto), n->map[i].ext_port, &d);
	l4_patch(p->proto, l4, d);
	return NAT_TRANSLATED;
}

/* An inbound ICMPv6 error: the embedded packet is one we sent out (source
 * = our external address and port or echo id). Its source, the embedded
 * transport checksum and the outer destination go back to the internal
 * endpoint; the outer ICMPv6 checksum takes every change. Errors neither
 * create nor refresh mappings. */
static enum nat_verdict in6_error(struct nat6 *n, const struct pkt6 *p)
{
	uint8_t *e = p->l4 + 8;
	size_t elen = p->l4len - 8;

	if (elen < 48 || e[0] >> 4 != 6 || memcmp(e + 8, n->ext, 16))
		return NAT_DROP_ICMP_BAD;
	uint8_t proto = e[6], *el4 = e + 40;
	size_t el4len = elen - 40;
	if (proto != NAT6_PROTO_TCP && proto != NAT6_PROTO_UDP &&
	    !(proto == NAT6_PROTO_ICMP && el4[0] == ICMP6_ECHO_REQ))
		return NAT_DROP_ICMP_BAD;
	uint32_t i = nat6_find_ext(n, proto, nat_rd16(el4 + id_off(proto)));
	if (i == NAT6_NIL)
		return NAT_NO_MAPPING;
	const struct nat6_map *m = &n->map[i];
	uint32_t dout = 0, demb = 0;
	set_addr(p->ip + 24, m->int_addr, &dout);
	set_addr(e + 8, m->int_addr, &demb);
	nat_set16(el4 + id_off(proto), m->int_port, &demb);
	dout += demb; /* the embedded bytes are part of the ICMPv6 body */
	size_t co = csum_off(proto);
	if (el4len >= co + 2 && !(proto == NAT6_PROTO_UDP && nat_rd16(el4 + co) == 0)) {
		uint16_t ck = nat_csum_apply(nat_rd16(el4 + co), demb);
		if (proto == NAT6_PROTO_UDP && ck == 0)
			ck = 0xffff;
		nat_set16(el4 + co, ck, &dout);
	}
	nat_csum_patch(p->l4 + 2, dout);
	return NAT_TRANSLATED;
}

static enum nat_verdict in6(struct nat6 *n, const struct pkt6 *p, uint32_t now)
{
	uint8_t *l4 = p->l4;
	uint16_t port;

	if (p->proto == NAT6_PROTO_ICMP) {
		if (l4[0] >= 1 && l4[0] <= 4)
			return in6_error(n, p);
		if (l4[0] == ICMP6_ECHO_REQ)
			return NAT_NO_MAPPING;
		if (l4[0] != ICMP6_ECHO_REP)
			return NAT_DROP_ICMP_TYPE;
		port = nat_rd16(l4 + 4);
	} else {
		port = nat_rd16(l4 + 2);
	}
	uint32_t i = nat6_find_ext(n, p->proto, port);
	if (i == NAT6_NIL)
		return NAT_NO_MAPPING;
	if (p->proto == NAT6_PROTO_TCP)
		tcp_track(n, i, l4[13], false, now);
	else if (n->cfg.inbound_refresh)
		nat6_refresh(n, i, now);
	const struct nat6_map *m = &n->map[i];
	uint32_t d = 0;
	set_addr(p->ip + 24, m->int_addr, &d);
	nat_set16(p->proto == NAT6_PROTO_ICMP ? l4 + 4 : l4 + 2, m->int_port, &d);
	l4_patch(p->proto, l4, d);
	return NAT_TRANSLATED;
}

static enum nat_verdict count(struct nat6 *n, enum nat_verdict v)
{
	n->st.verdict[v]++;
	return v;
}

enum nat_verdict nat6_out(struct nat6 *n, uint8_t *pkt, size_t len, fl_time_t now_us)
{
	uint32_t now = nat_sec(now_us);
	struct pkt6 p;
	enum nat_verdict v = parse(pkt, len, &p);

	nat6_poll(n, now);
	return count(n, v != NAT_TRANSLATED ? v : out6(n, &p, now));
}

enum nat_verdict nat6_in(struct nat6 *n, uint8_t *pkt, size_t len, fl_time_t now_us)
{
	uint32_t now = nat_sec(now_us);
	struct pkt6 p;
	enum nat_verdict v = parse(pkt, len, &p);

	nat6_poll(n, now);
	if (v != NAT_TRANSLATED)
		return count(n, v);
	if (memcmp(pkt + 24, n->ext, 16))
		return count(n, NAT_NOT_OURS);
	return count(n, in6(n, &p, now));
}
