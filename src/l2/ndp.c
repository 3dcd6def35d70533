/* SPDX-License-Identifier: MIT */
/*
 * ndp.c: Neighbor Discovery messages and the IPv6 side of the TAP
 * router's neighbour handling (see ndp.h).
 */
#include "l2/ndp.h"

#include <string.h>

#include "wire/csum.h"
#include "wire/icmp_csum.h"

#define NDP_IP 14u		/* IPv6 header offset in a frame */
#define NDP_ICMP 54u		/* ICMPv6 offset */
#define NDP_OPT_SLLA 1u
#define NDP_OPT_TLLA 2u
#define NDP_OPT_PREFIX 3u
#define NDP_OPT_MTU 5u

static const uint8_t ndp_all_nodes[16] = {0xff, 2, [15] = 1};

static bool ndp_is_unspec(const uint8_t a[static 16])
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

static bool ndp_is_mcast(const uint8_t a[static 16])
{
	return a[0] == 0xff;
}

void fl_ndp_solicited_node(const uint8_t addr[static 16], uint8_t out[static 16])
{
	static const uint8_t pfx[13] = {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};

	memcpy(out, pfx, 13);
	memcpy(out + 13, addr + 13, 3);
}

void fl_ndp_mcast_mac(const uint8_t group[static 16], uint8_t mac[static FL_ETH_ALEN])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

static bool ndp_is_solicited_node(const uint8_t a[static 16])
{
	uint8_t g[16];

	fl_ndp_solicited_node(a, g);
	return memcmp(a, g, 16) == 0;
}

/* One option at p (len bytes left, already checked to hold it). */
static void ndp_option(const uint8_t *p, size_t olen, struct fl_ndp_msg *m)
{
	uint8_t want = m->type == FL_NDP_NA ? NDP_OPT_TLLA : NDP_OPT_SLLA;

	if (p[0] == want && olen == 8) {
		m->has_lla = true;
		memcpy(m->lla, p + 2, 6);
	} else if (p[0] == NDP_OPT_MTU && olen == 8 && m->type == FL_NDP_RA) {
		m->mtu = fl_get32(p + 4);
	} else if (p[0] == NDP_OPT_PREFIX && olen == 32 && m->type == FL_NDP_RA) {
		struct fl_ndp_prefix *x;
		if (p[2] > 128 || m->nprefix >= FL_NDP_PREFIX_MAX) {
			m->prefixes_skipped++;
			return;
		}
		x = &m->prefix[m->nprefix++];
		x->plen = p[2];
		x->onlink = (p[3] & 0x80) != 0;
		x->autonomous = (p[3] & 0x40) != 0;
		x->valid = fl_get32(p + 4);
		x->preferred = fl_get32(p + 8);
		memcpy(x->prefix, p + 16, 16);
	}
	/* Unknown options are skipped (RFC 4861 §4.6). */
}

static enum fl_ndp_err ndp_options(const uint8_t *p, size_t len, struct fl_ndp_msg *m)
{
	while (len > 0) {
		size_t olen;
		if (len < 2)
			return FL_NDP_BAD_OPTION;
		olen = (size_t)p[1] * 8;
		if (olen == 0 || olen > len)
			return FL_NDP_BAD_OPTION;
		ndp_option(p, olen, m);
		p += olen;
		len -= olen;
	}
	return FL_NDP_OK;
}

/* The IPv6 and ICMPv6 framing every NDP message shares (RFC 4861 §7.1.1,
 * §7.1.2, §6.1.2). On success *icmp_len is the ICMPv6 length. */
static enum fl_ndp_err ndp_check_ip(const uint8_t *frame, size_t len, size_t *icmp_len)
{
	const uint8_t *ip = frame + NDP_IP, *icmp = frame + NDP_ICMP;
	size_t plen;
	uint8_t type;

	if (len < NDP_ICMP)
		return FL_NDP_SHORT;
	if (fl_get16(frame + 12) != 0x86dd || (ip[0] >> 4) != 6)
		return FL_NDP_NOT_IPV6;
	plen = fl_get16(ip + 4);
	if (plen > len - NDP_ICMP)
		return FL_NDP_SHORT;
	if (plen < len - NDP_ICMP)
		return FL_NDP_TRAILING;
	if (ip[6] != 58 || plen < 4)
		return FL_NDP_NOT_NDP;
	type = icmp[0];
	if (type != FL_NDP_RA && type != FL_NDP_NS && type != FL_NDP_NA)
		return FL_NDP_NOT_NDP;
	if (ip[7] != 255)
		return FL_NDP_HOP_LIMIT;
	if (fl_icmp_csum6(ip + 8, ip + 24, icmp, plen) != 0)
		return FL_NDP_BAD_CSUM;
	if (icmp[1] != 0)
		return FL_NDP_BAD_CODE;
	if (plen < (type == FL_NDP_RA ? 16u : 24u))
		return FL_NDP_BAD_LENGTH;
	*icmp_len = plen;
	return FL_NDP_OK;
}

/* Rules on addresses and flags once the message is read. */
static enum fl_ndp_err ndp_check_msg(const struct fl_ndp_msg *m)
{
	/* No IPv6 packet comes from a group (RFC 4291 §2.7). An NS from one
	 * would get a solicited NA sent to that group, which RFC 4861 §7.2.4
	 * forbids (fuzz_ndp found it: the NA we built failed our own
	 * parser). */
	if (ndp_is_mcast(m->src))
		return FL_NDP_BAD_SOURCE;
	switch (m->type) {
	case FL_NDP_NS:
		if (ndp_is_mcast(m->target))
			return FL_NDP_BAD_TARGET;
		if (ndp_is_unspec(m->src) && (!ndp_is_solicited_node(m->dst) || m->has_lla))
			return FL_NDP_BAD_SOURCE;
		return FL_NDP_OK;
	case FL_NDP_NA:
		if (ndp_is_mcast(m->target))
			return FL_NDP_BAD_TARGET;
		if (ndp_is_mcast(m->dst) && m->solicited)
			return FL_NDP_BAD_FLAGS;
		return FL_NDP_OK;
	default: /* RA: from a link-local address (RFC 4861 §6.1.2) */
		if (m->src[0] != 0xfe || (m->src[1] & 0xc0) != 0x80)
			return FL_NDP_BAD_SOURCE;
		return FL_NDP_OK;
	}
}

enum fl_ndp_err fl_ndp_parse(const uint8_t *frame, size_t len, struct fl_ndp_msg *out)
{
	const uint8_t *icmp = frame + NDP_ICMP;
	size_t ilen = 0, fixed = 24;
	enum fl_ndp_err err;

	memset(out, 0, sizeof(*out));
	err = ndp_check_ip(frame, len, &ilen);
	if (err != FL_NDP_OK)
		return err;
	memcpy(out->eth_dst, frame, 6);
	memcpy(out->eth_src, frame + 6, 6);
	memcpy(out->src, frame + NDP_IP + 8, 16);
	memcpy(out->dst, frame + NDP_IP + 24, 16);
	out->type = icmp[0];
	if (out->type == FL_NDP_RA) {
		fixed = 16;
		out->cur_hop_limit = icmp[4];
		out->managed = (icmp[5] & 0x80) != 0;
		out->other = (icmp[5] & 0x40) != 0;
		out->router_lifetime = fl_get16(icmp + 6);
		out->reachable_ms = fl_get32(icmp + 8);
		out->retrans_ms = fl_get32(icmp + 12);
	} else {
		out->router = (icmp[4] & 0x80) != 0;
		out->solicited = (icmp[4] & 0x40) != 0;
		out->override = (icmp[4] & 0x20) != 0;
		memcpy(out->target, icmp + 8, 16);
	}
	err = ndp_options(icmp + fixed, ilen - fixed, out);
	if (err == FL_NDP_OK)
		err = ndp_check_msg(out);
	if (err != FL_NDP_OK)
		memset(out, 0, sizeof(*out));
	return err;
}

const char *fl_ndp_strerror(enum fl_ndp_err e)
{
	static const char *const text[FL_NDP_ERR_MAX] = {
		[FL_NDP_OK] = "ok",
		[FL_NDP_SHORT] = "NDP frame too short",
		[FL_NDP_TRAILING] = "bytes after the IPv6 payload",
		[FL_NDP_NOT_IPV6] = "not an IPv6 frame",
		[FL_NDP_NOT_NDP] = "not a neighbour discovery message",
		[FL_NDP_HOP_LIMIT] = "NDP hop limit not 255",
		[FL_NDP_BAD_CSUM] = "ICMPv6 checksum mismatch",
		[FL_NDP_BAD_CODE] = "NDP code not 0",
		[FL_NDP_BAD_LENGTH] = "NDP message too short for its type",
		[FL_NDP_BAD_OPTION] = "NDP option of length 0 or past the end",
		[FL_NDP_BAD_TARGET] = "NDP target is multicast",
		[FL_NDP_BAD_SOURCE] = "NDP source address not allowed",
		[FL_NDP_BAD_FLAGS] = "solicited NA to a multicast group",
	};
	return (unsigned)e < FL_NDP_ERR_MAX ? text[e] : "unknown NDP error";
}

/* Ethernet and IPv6 headers of an NDP frame; the ICMPv6 part (ilen bytes
 * at out + 54) is zeroed for the caller to fill. */
static void ndp_headers(uint8_t *out, const uint8_t eth_dst[static 6], const uint8_t eth_src[static 6],
			const uint8_t src[static 16], const uint8_t dst[static 16], size_t ilen)
{
	uint8_t *ip = out + NDP_IP;

	memcpy(out, eth_dst, 6);
	memcpy(out + 6, eth_src, 6);
	fl_put16(out + 12, 0x86dd);
	memset(ip, 0, 40 + ilen);
	ip[0] = 0x60;
	fl_put16(ip + 4, (uint16_t)ilen);
	ip[6] = 58;
	ip[7] = 255;	/* RFC 4861 §7.1: receivers check it to see the link is ours */
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
}

static void ndp_seal(uint8_t *out, size_t ilen)
{
	uint8_t *icmp = out + NDP_ICMP;

	fl_put16(icmp + 2, fl_icmp_csum6(out + NDP_IP + 8, out + NDP_IP + 24, icmp, ilen));
}

size_t fl_ndp_build_ns(const uint8_t mac[static FL_ETH_ALEN], const uint8_t src[static 16],
		       const uint8_t target[static 16], const uint8_t *dst_mac,
		       uint8_t out[static FL_NDP_FRAME])
{
	bool dad = ndp_is_unspec(src);
	size_t ilen = dad ? 24 : 32;
	uint8_t dst[16], emac[6];
	uint8_t *icmp = out + NDP_ICMP;

	if (dst_mac) {
		memcpy(dst, target, 16);
		memcpy(emac, dst_mac, 6);
	} else {
		fl_ndp_solicited_node(target, dst);
		fl_ndp_mcast_mac(dst, emac);
	}
	ndp_headers(out, emac, mac, src, dst, ilen);
	icmp[0] = FL_NDP_NS;
	memcpy(icmp + 8, target, 16);
	if (!dad) {
		icmp[24] = NDP_OPT_SLLA;
		icmp[25] = 1;
		memcpy(icmp + 26, mac, 6);
	}
	ndp_seal(out, ilen);
	return NDP_ICMP + ilen;
}

size_t fl_ndp_build_na(const uint8_t mac[static FL_ETH_ALEN], const uint8_t target[static 16],
		       const uint8_t dst[static 16], const uint8_t dst_mac[static FL_ETH_ALEN],
		       bool solicited, bool override, uint8_t out[static FL_NDP_FRAME])
{
	uint8_t *icmp = out + NDP_ICMP;

	ndp_headers(out, dst_mac, mac, target, dst, 32);
	icmp[0] = FL_NDP_NA;
	/* R: we are a router (RFC 4861 §7.2.4). */
	icmp[4] = (uint8_t)(0x80 | (solicited ? 0x40 : 0) | (override ? 0x20 : 0));
	memcpy(icmp + 8, target, 16);
	icmp[24] = NDP_OPT_TLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, mac, 6);
	ndp_seal(out, 32);
	return FL_NDP_FRAME;
}

size_t fl_ndp_build_rs(const uint8_t mac[static FL_ETH_ALEN], uint8_t out[static FL_NDP_RS_FRAME])
{
	static const uint8_t unspec[16];
	static const uint8_t all_routers[16] = {0xff, 2, [15] = 2};
	uint8_t emac[6];

	/* From :: (we hold no link-local address), so no source link-layer
	 * option (RFC 4861 §4.1): the router answers to all-nodes. */
	fl_ndp_mcast_mac(all_routers, emac);
	ndp_headers(out, emac, mac, unspec, all_routers, 8);
	out[NDP_ICMP] = FL_NDP_RS;
	ndp_seal(out, 8);
	return FL_NDP_RS_FRAME;
}

static void ndp_xmit(const struct fl_l2_sink *sink, const uint8_t *f, size_t len,
		     const uint8_t addr[static 16])
{
	struct fl_l2_act act = {.kind = FL_L2_XMIT, .frame = f, .len = len};

	memcpy(act.addr, addr, 16);
	memcpy(act.mac, f, 6);
	sink->act(sink->ctx, &act);
}

static void ndp_event(const struct fl_l2_sink *sink, enum fl_l2_event ev,
		      const uint8_t addr[static 16], const uint8_t mac[static 6])
{
	struct fl_l2_act act = {.kind = FL_L2_EVENT, .reason = ev};

	memcpy(act.addr, addr, 16);
	memcpy(act.mac, mac, 6);
	sink->act(sink->ctx, &act);
}

static bool ndp_in_prefix(const struct fl_ndp_own *o, const uint8_t ip[static 16])
{
	unsigned full = o->plen / 8, rest = o->plen % 8;

	if (memcmp(o->ip, ip, full))
		return false;
	return rest == 0 || ((o->ip[full] ^ ip[full]) & (0xff00u >> rest)) == 0;
}

/* Our preferred address to speak from towards ip: one whose prefix holds
 * it, else a preferred one. NULL if none is usable yet. */
static const struct fl_ndp_own *ndp_source_for(const struct fl_ndp *n, const uint8_t ip[static 16])
{
	const struct fl_ndp_own *any = NULL;

	for (size_t i = 0; i < n->nown; i++) {
		const struct fl_ndp_own *o = &n->own[i];
		if (o->state != FL_NDP_PREFERRED)
			continue;
		if (ndp_in_prefix(o, ip))
			return o;
		if (!any)
			any = o;
	}
	return any;
}

static void ndp_solicit(void *owner, const uint8_t addr[static FL_NEIGH_ALEN], const uint8_t *mac,
			const struct fl_l2_sink *sink)
{
	struct fl_ndp *n = owner;
	const struct fl_ndp_own *o = ndp_source_for(n, addr);
	uint8_t f[FL_NDP_FRAME];
	size_t len;

	if (!o) {
		n->st.no_source++;
		return;
	}
	len = fl_ndp_build_ns(o->mac, o->ip, addr, mac, f);
	ndp_xmit(sink, f, len, addr);
}

bool fl_ndp_init(struct fl_ndp *n, const struct fl_neigh_cfg *cfg, uint64_t seed)
{
	memset(n, 0, sizeof(*n));
	n->dad_transmits = 1;
	n->dad_retrans = FL_TIME_S(1);
	return fl_neigh_init(&n->cache, cfg, seed, ndp_solicit, n);
}

void fl_ndp_free(struct fl_ndp *n, const struct fl_l2_sink *sink)
{
	fl_neigh_free(&n->cache, sink);
	memset(n, 0, sizeof(*n));
}

const struct fl_ndp_own *fl_ndp_own_find(const struct fl_ndp *n, const uint8_t ip[static 16])
{
	for (size_t i = 0; i < n->nown; i++)
		if (memcmp(n->own[i].ip, ip, 16) == 0)
			return &n->own[i];
	return NULL;
}

bool fl_ndp_own_add(struct fl_ndp *n, const uint8_t ip[static 16], unsigned plen,
		    const uint8_t mac[static FL_ETH_ALEN], bool dad, fl_time_t now)
{
	struct fl_ndp_own *o;

	if (n->nown >= FL_NDP_OWN_MAX || plen > 128 || fl_ndp_own_find(n, ip) ||
	    ndp_is_unspec(ip) || ndp_is_mcast(ip) || fl_eth_is_group(mac))
		return false;
	o = &n->own[n->nown++];
	memset(o, 0, sizeof(*o));
	memcpy(o->ip, ip, 16);
	o->plen = (uint8_t)plen;
	memcpy(o->mac, mac, 6);
	o->state = dad && n->dad_transmits ? FL_NDP_TENTATIVE : FL_NDP_PREFERRED;
	o->dad_left = (uint8_t)(n->dad_transmits > 255 ? 255 : n->dad_transmits);
	o->due = now;	/* the first DAD solicitation goes at the next tick */
	return true;
}

bool fl_ndp_own_del(struct fl_ndp *n, const uint8_t ip[static 16])
{
	const struct fl_ndp_own *o = fl_ndp_own_find(n, ip);
	size_t i;

	if (!o)
		return false;
	i = (size_t)(o - n->own);
	memmove(&n->own[i], &n->own[i + 1], (n->nown - i - 1) * sizeof(n->own[0]));
	n->nown--;
	return true;
}

static struct fl_ndp_own *ndp_own_mut(struct fl_ndp *n, const uint8_t ip[static 16])
{
	return (struct fl_ndp_own *)fl_ndp_own_find(n, ip);
}

static void ndp_dad_failed(struct fl_ndp *n, struct fl_ndp_own *o, const uint8_t mac[static 6],
			   const struct fl_l2_sink *sink)
{
	o->state = FL_NDP_DUPLICATE;
	n->st.dad_duplicates++;
	ndp_event(sink, FL_L2_EV_DAD_DUPLICATE, o->ip, mac);
}

/* A validated NS (RFC 4861 §7.2.3, RFC 4862 §5.4.3). */
static void ndp_on_ns(struct fl_ndp *n, const struct fl_ndp_msg *m, fl_time_t now,
		      const struct fl_l2_sink *sink)
{
	struct fl_ndp_own *o = ndp_own_mut(n, m->target);
	bool dad = ndp_is_unspec(m->src);
	uint8_t f[FL_NDP_FRAME], mac[6];
	size_t len;

	if (!o) {
		n->st.not_for_us++;
		return;
	}
	if (o->state == FL_NDP_TENTATIVE) {
		/* Another host's DAD for the same address: ours is the
		 * duplicate too. A unicast NS for it is ignored. */
		if (dad)
			ndp_dad_failed(n, o, m->eth_src, sink);
		return;
	}
	if (o->state != FL_NDP_PREFERRED)
		return;
	if (dad) {
		/* Answer a DAD probe to all nodes, unsolicited (§7.2.4). */
		fl_ndp_mcast_mac(ndp_all_nodes, mac);
		len = fl_ndp_build_na(o->mac, o->ip, ndp_all_nodes, mac, false, true, f);
	} else {
		memcpy(mac, m->has_lla ? m->lla : m->eth_src, 6);
		len = fl_ndp_build_na(o->mac, o->ip, m->src, mac, true, true, f);
		if (m->has_lla)
			fl_neigh_update(&n->cache, m->src, m->lla, FL_NEIGH_LEARN, now, sink);
	}
	n->st.ns_answered++;
	ndp_xmit(sink, f, len, m->src);
}

/* A validated NA (RFC 4861 §7.2.5, RFC 4862 §5.4.4). */
static void ndp_on_na(struct fl_ndp *n, const struct fl_ndp_msg *m, fl_time_t now,
		      const struct fl_l2_sink *sink)
{
	struct fl_ndp_own *o = ndp_own_mut(n, m->target);
	const uint8_t *mac = m->has_lla ? m->lla : m->eth_src;

	/* An address DAD found taken is the other host's (RFC 4862
	 * §5.4.5): its NAs resolve it like any neighbour's. */
	if (o && o->state != FL_NDP_DUPLICATE) {
		if (o->state == FL_NDP_TENTATIVE) {
			ndp_dad_failed(n, o, mac, sink);
		} else if (memcmp(mac, o->mac, 6)) {
			n->st.conflicts++;
			ndp_event(sink, FL_L2_EV_CONFLICT, o->ip, mac);
		}
		return;
	}
	/* Without the target's link-layer option an NA moves nothing. */
	if (!m->has_lla)
		return;
	fl_neigh_update(&n->cache, m->target, m->lla,
			m->solicited ? FL_NEIGH_ANSWER : FL_NEIGH_UNSOLICITED, now, sink);
}

enum fl_ndp_err fl_ndp_input(struct fl_ndp *n, const uint8_t *frame, size_t len, fl_time_t now,
			     const struct fl_l2_sink *sink, struct fl_ndp_msg *msg)
{
	struct fl_ndp_msg local, *m = msg ? msg : &local;
	enum fl_ndp_err err = fl_ndp_parse(frame, len, m);

	if (err != FL_NDP_OK) {
		n->st.bad[err]++;
		return err;
	}
	switch (m->type) {
	case FL_NDP_NS:
		ndp_on_ns(n, m, now, sink);
		break;
	case FL_NDP_NA:
		ndp_on_na(n, m, now, sink);
		break;
	default: /* RA: its source link-layer option is a neighbour (§6.3.4) */
		n->st.ra_seen++;
		if (m->has_lla)
			fl_neigh_update(&n->cache, m->src, m->lla, FL_NEIGH_LEARN, now, sink);
		break;
	}
	return FL_NDP_OK;
}

enum fl_neigh_res fl_ndp_resolve(struct fl_ndp *n, const uint8_t ip[static 16], void *pkt,
				 fl_time_t now, const struct fl_l2_sink *sink,
				 uint8_t mac_out[static FL_ETH_ALEN])
{
	if (ndp_is_mcast(ip)) {
		fl_ndp_mcast_mac(ip, mac_out);
		return FL_NEIGH_HIT;
	}
	return fl_neigh_resolve(&n->cache, ip, pkt, now, sink, mac_out);
}

static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};

/* DAD for one tentative address whose step is due. */
static void ndp_dad_step(struct fl_ndp *n, struct fl_ndp_own *o, fl_time_t now,
			 const struct fl_l2_sink *sink)
{
	static const uint8_t unspec[16];
	uint8_t f[FL_NDP_FRAME];
	size_t len;

	if (o->dad_left == 0) {
		/* RetransTimer after the last probe and nobody objected. */
		o->state = FL_NDP_PREFERRED;
		ndp_event(sink, FL_L2_EV_DAD_OK, o->ip, o->mac);
		/* Tell the link at once (RFC 4861 §7.2.6): hosts that cached
		 * another MAC for it, or none, need not wait for their NS. */
		len = fl_ndp_build_na(o->mac, o->ip, ndp_all_nodes, all_nodes_mac, false, true, f);
		ndp_xmit(sink, f, len, o->ip);
		return;
	}
	o->dad_left--;
	o->due = now + n->dad_retrans;
	len = fl_ndp_build_ns(o->mac, unspec, o->ip, NULL, f);
	ndp_xmit(sink, f, len, o->ip);
}

void fl_ndp_tick(struct fl_ndp *n, fl_time_t now, const struct fl_l2_sink *sink)
{
	for (size_t i = 0; i < n->nown; i++)
		if (n->own[i].state == FL_NDP_TENTATIVE && n->own[i].due <= now)
			ndp_dad_step(n, &n->own[i], now, sink);
	fl_neigh_tick(&n->cache, now, sink);
}
