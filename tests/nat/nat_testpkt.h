/* SPDX-License-Identifier: MIT */
/* nat_testpkt.h: packet builder and an independent checksum for the NAT
 * tests and the fuzzer. Everything here computes checksums from scratch
 * (RFC 1071 byte-pair sums), never incrementally, so it checks the NAT's
 * incremental updates rather than sharing their code.
 */
#ifndef FL_TESTS_NAT_TESTPKT_H
#define FL_TESTS_NAT_TESTPKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define TP_TCP 6
#define TP_UDP 17
#define TP_UDPLITE 136
#define TP_ICMP 1

static inline uint32_t tp_ip(unsigned a, unsigned b, unsigned c, unsigned d)
{
	/* network byte order, as the NAT API wants */
	uint8_t x[4] = {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d};
	uint32_t v;
	memcpy(&v, x, 4);
	return v;
}

static inline uint32_t tp_sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static inline uint16_t tp_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline uint16_t tp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void tp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint32_t tp_pseudo(const uint8_t *ip, uint8_t proto, size_t l4len)
{
	uint32_t s = tp_sum(ip + 12, 8, 0);
	return s + proto + (uint32_t)l4len;
}

/* A packet description; ports, ids and lengths in host order. */
struct tp_spec {
	uint8_t proto;
	uint32_t src, dst; /* network order */
	uint16_t sport, dport; /* ICMP: id in sport */
	uint8_t tcp_flags;
	uint8_t icmp_type;
	uint16_t ipid;
	uint16_t frag; /* flags + offset field, host order */
	size_t payload;
	uint8_t payload_seed;
	unsigned opt_words; /* IP options, 4 bytes each (NOPs + end) */
	bool udp_no_csum;
};

/* Fills the IP header checksum and the transport checksum of a packet whose
 * transport header and payload are complete (not a fragment). */
static inline void tp_fix_csums(uint8_t *ip, bool udp_no_csum)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4, tot = tp_get16(ip + 2);
	uint8_t *l4 = ip + ihl;
	size_t l4len = tot - ihl;
	ip[10] = ip[11] = 0;
	tp_put16(ip + 10, (uint16_t)~tp_fold(tp_sum(ip, ihl, 0)));
	switch (ip[9]) {
	case TP_TCP:
		tp_put16(l4 + 16, 0);
		tp_put16(l4 + 16, (uint16_t)~tp_fold(tp_sum(l4, l4len, tp_pseudo(ip, TP_TCP, l4len))));
		break;
	case TP_UDP:
	case TP_UDPLITE: {
		tp_put16(l4 + 6, 0);
		if (udp_no_csum && ip[9] == TP_UDP)
			break;
		uint16_t c = (uint16_t)~tp_fold(tp_sum(l4, l4len, tp_pseudo(ip, ip[9], l4len)));
		tp_put16(l4 + 6, c ? c : 0xffff);
		break;
	}
	case TP_ICMP:
		tp_put16(l4 + 2, 0);
		tp_put16(l4 + 2, (uint16_t)~tp_fold(tp_sum(l4, l4len, 0)));
		break;
	}
}

/* Builds the packet into buf (room for 20+40+20+payload); returns its length. */
static inline size_t tp_build(uint8_t *buf, const struct tp_spec *s)
{
	size_t ihl = 20 + 4 * (size_t)s->opt_words;
	size_t hl = s->proto == TP_TCP ? 20 : 8;
	size_t tot = ihl + hl + s->payload;
	memset(buf, 0, tot);
	buf[0] = (uint8_t)(0x40 | ihl / 4);
	tp_put16(buf + 2, (uint16_t)tot);
	tp_put16(buf + 4, s->ipid);
	tp_put16(buf + 6, s->frag);
	buf[8] = 64;
	buf[9] = s->proto;
	memcpy(buf + 12, &s->src, 4);
	memcpy(buf + 16, &s->dst, 4);
	for (size_t i = 20; i < ihl; i++)
		buf[i] = i + 1 == ihl ? 0 : 1; /* NOPs then end of options */
	uint8_t *l4 = buf + ihl;
	if (s->proto == TP_ICMP) {
		l4[0] = s->icmp_type;
		tp_put16(l4 + 4, s->sport);
		tp_put16(l4 + 6, s->dport); /* sequence */
	} else {
		tp_put16(l4, s->sport);
		tp_put16(l4 + 2, s->dport);
	}
	if (s->proto == TP_TCP) {
		tp_put16(l4 + 4, 0x1234);
		l4[12] = 5 << 4;
		l4[13] = s->tcp_flags;
		tp_put16(l4 + 14, 65535);
	} else if (s->proto == TP_UDP) {
		tp_put16(l4 + 4, (uint16_t)(hl + s->payload));
	}
	for (size_t i = 0; i < s->payload; i++)
		l4[hl + i] = (uint8_t)(s->payload_seed * 31 + i * 7);
	tp_fix_csums(buf, s->udp_no_csum);
	return tot;
}

/* Verifies the IP header checksum and the transport checksum (full sums). */
static inline bool tp_csums_ok(const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4, tot = tp_get16(ip + 2);
	const uint8_t *l4 = ip + ihl;
	size_t l4len = tot - ihl;
	if (tp_fold(tp_sum(ip, ihl, 0)) != 0xffff)
		return false;
	switch (ip[9]) {
	case TP_TCP:
		return tp_fold(tp_sum(l4, l4len, tp_pseudo(ip, TP_TCP, l4len))) == 0xffff;
	case TP_UDP:
		if (tp_get16(l4 + 6) == 0)
			return true;
		/* fall through */
	case TP_UDPLITE:
		return tp_fold(tp_sum(l4, l4len, tp_pseudo(ip, ip[9], l4len))) == 0xffff;
	case TP_ICMP:
		return tp_fold(tp_sum(l4, l4len, 0)) == 0xffff;
	}
	return true;
}

/* Wraps `inner` (its first inner_keep bytes) in an ICMP error from
 * `src` to `dst`. Returns the length. */
static inline size_t tp_icmp_error(uint8_t *buf, uint32_t src, uint32_t dst, uint8_t type,
                                   uint8_t code, uint16_t mtu, const uint8_t *inner, size_t inner_keep)
{
	size_t tot = 20 + 8 + inner_keep;
	memset(buf, 0, 28);
	buf[0] = 0x45;
	tp_put16(buf + 2, (uint16_t)tot);
	buf[8] = 64;
	buf[9] = TP_ICMP;
	memcpy(buf + 12, &src, 4);
	memcpy(buf + 16, &dst, 4);
	buf[20] = type;
	buf[21] = code;
	tp_put16(buf + 26, mtu);
	memcpy(buf + 28, inner, inner_keep);
	tp_fix_csums(buf, false);
	return tot;
}

#endif
