/* SPDX-License-Identifier: MIT */
/*
 * arp.c: ARP frames and the IPv4 side of the TAP router's neighbour
 * handling (see arp.h).
 */
#include "l2/arp.h"

#include <string.h>

#include "wire/csum.h"

static const uint8_t arp_bcast[FL_ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* Multicast, class E and the limited broadcast never send ARP; 0.0.0.0
 * does (RFC 5227 probes) and is handled by the caller. */
static bool arp_ip_is_host(const uint8_t ip[static 4])
{
	return ip[0] < 224 && ip[0] != 127;
}

enum fl_arp_err fl_arp_parse(const uint8_t *frame, size_t len, struct fl_arp_msg *out)
{
	const uint8_t *p = frame + FL_ETH_HDR;

	memset(out, 0, sizeof(*out));
	if (len < FL_ETH_HDR)
		return FL_ARP_SHORT;
	if (fl_get16(frame + 12) != 0x0806)
		return FL_ARP_NOT_ARP;
	if (len < FL_ARP_FRAME)
		return FL_ARP_SHORT;
	if (len > FL_ARP_FRAME_PAD)
		return FL_ARP_TRAILING;
	if (fl_get16(p) != 1 || fl_get16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4)
		return FL_ARP_BAD_FORMAT;
	memcpy(out->eth_dst, frame, FL_ETH_ALEN);
	memcpy(out->eth_src, frame + 6, FL_ETH_ALEN);
	out->op = fl_get16(p + 6);
	memcpy(out->sha, p + 8, 6);
	memcpy(out->spa, p + 14, 4);
	memcpy(out->tha, p + 18, 6);
	memcpy(out->tpa, p + 24, 4);
	if (out->op != FL_ARP_REQUEST && out->op != FL_ARP_REPLY)
		return FL_ARP_BAD_OP;
	if (memcmp(out->eth_src, out->sha, FL_ETH_ALEN))
		return FL_ARP_MAC_MISMATCH;
	if (fl_eth_is_group(out->sha) || fl_eth_is_zero(out->sha) ||
	    (fl_get32(out->spa) != 0 && !arp_ip_is_host(out->spa)))
		return FL_ARP_BAD_SENDER;
	return FL_ARP_OK;
}

const char *fl_arp_strerror(enum fl_arp_err e)
{
	static const char *const text[FL_ARP_ERR_MAX] = {
		[FL_ARP_OK] = "ok",
		[FL_ARP_SHORT] = "ARP frame too short",
		[FL_ARP_TRAILING] = "ARP frame longer than Ethernet padding allows",
		[FL_ARP_NOT_ARP] = "not an ARP frame",
		[FL_ARP_BAD_FORMAT] = "ARP not for Ethernet/IPv4",
		[FL_ARP_BAD_OP] = "ARP opcode neither request nor reply",
		[FL_ARP_MAC_MISMATCH] = "ARP sender differs from Ethernet source",
		[FL_ARP_BAD_SENDER] = "ARP sender not a unicast host",
	};
	return (unsigned)e < FL_ARP_ERR_MAX ? text[e] : "unknown ARP error";
}

void fl_arp_build(const struct fl_arp_msg *m, uint8_t out[static FL_ARP_FRAME])
{
	uint8_t *p = out + FL_ETH_HDR;

	memcpy(out, m->eth_dst, 6);
	memcpy(out + 6, m->eth_src, 6);
	fl_put16(out + 12, 0x0806);
	fl_put16(p, 1);
	fl_put16(p + 2, 0x0800);
	p[4] = 6;
	p[5] = 4;
	fl_put16(p + 6, m->op);
	memcpy(p + 8, m->sha, 6);
	memcpy(p + 14, m->spa, 4);
	memcpy(p + 18, m->tha, 6);
	memcpy(p + 24, m->tpa, 4);
}

void fl_arp_gratuitous(const uint8_t mac[static FL_ETH_ALEN], const uint8_t ip[static 4],
		       uint8_t out[static FL_ARP_FRAME])
{
	struct fl_arp_msg m = {.op = FL_ARP_REQUEST};

	memcpy(m.eth_dst, arp_bcast, 6);
	memcpy(m.eth_src, mac, 6);
	memcpy(m.sha, mac, 6);
	memcpy(m.spa, ip, 4);
	memcpy(m.tpa, ip, 4);
	fl_arp_build(&m, out);
}

static void arp_xmit(const struct fl_l2_sink *sink, const struct fl_arp_msg *m)
{
	uint8_t f[FL_ARP_FRAME];
	struct fl_l2_act act = {.kind = FL_L2_XMIT, .frame = f, .len = sizeof(f)};

	fl_arp_build(m, f);
	memcpy(act.addr, m->tpa, 4);
	memcpy(act.mac, m->eth_dst, 6);
	sink->act(sink->ctx, &act);
}

static bool arp_in_prefix(const struct fl_arp_own *o, const uint8_t ip[static 4])
{
	uint32_t mask = o->plen ? ~0u << (32 - o->plen) : 0;

	return ((fl_get32(o->ip) ^ fl_get32(ip)) & mask) == 0;
}

/* The address we speak from towards ip: one whose prefix holds it, else
 * the first. NULL if we have none. */
static const struct fl_arp_own *arp_source_for(const struct fl_arp *a, const uint8_t ip[static 4])
{
	for (size_t i = 0; i < a->nown; i++)
		if (arp_in_prefix(&a->own[i], ip))
			return &a->own[i];
	return a->nown ? &a->own[0] : NULL;
}

/* A host address in one of our on-link prefixes (not its network or
 * broadcast address, for prefixes that have those). */
static bool arp_on_link(const struct fl_arp *a, const uint8_t ip[static 4])
{
	for (size_t i = 0; i < a->nown; i++) {
		const struct fl_arp_own *o = &a->own[i];
		uint32_t host = o->plen < 31 ? fl_get32(ip) & ~(~0u << (32 - o->plen)) : 1;
		uint32_t all = o->plen < 31 ? ~(~0u << (32 - o->plen)) : 0;
		if (arp_in_prefix(o, ip) && host != 0 && host != all)
			return true;
	}
	return false;
}

static void arp_solicit(void *owner, const uint8_t addr[static FL_NEIGH_ALEN], const uint8_t *mac,
			const struct fl_l2_sink *sink)
{
	const struct fl_arp *a = owner;
	const struct fl_arp_own *o = arp_source_for(a, addr);
	struct fl_arp_msg m = {.op = FL_ARP_REQUEST};

	if (!o)
		return;
	/* A refresh goes to the known MAC only (RFC 1122 §2.3.2.1). */
	memcpy(m.eth_dst, mac ? mac : arp_bcast, 6);
	memcpy(m.eth_src, o->mac, 6);
	memcpy(m.sha, o->mac, 6);
	memcpy(m.spa, o->ip, 4);
	memcpy(m.tpa, addr, 4);
	arp_xmit(sink, &m);
}

bool fl_arp_init(struct fl_arp *a, const struct fl_neigh_cfg *cfg, uint64_t seed)
{
	memset(a, 0, sizeof(*a));
	return fl_neigh_init(&a->cache, cfg, seed, arp_solicit, a);
}

void fl_arp_free(struct fl_arp *a, const struct fl_l2_sink *sink)
{
	fl_neigh_free(&a->cache, sink);
	memset(a, 0, sizeof(*a));
}

const struct fl_arp_own *fl_arp_own_find(const struct fl_arp *a, const uint8_t ip[static 4])
{
	for (size_t i = 0; i < a->nown; i++)
		if (memcmp(a->own[i].ip, ip, 4) == 0)
			return &a->own[i];
	return NULL;
}

bool fl_arp_own_add(struct fl_arp *a, const uint8_t ip[static 4], unsigned plen,
		    const uint8_t mac[static FL_ETH_ALEN])
{
	struct fl_arp_own *o;

	if (a->nown >= FL_ARP_OWN_MAX || plen > 32 || fl_arp_own_find(a, ip) ||
	    !arp_ip_is_host(ip) || fl_get32(ip) == 0 || fl_eth_is_group(mac))
		return false;
	o = &a->own[a->nown++];
	memcpy(o->ip, ip, 4);
	o->plen = (uint8_t)plen;
	memcpy(o->mac, mac, 6);
	return true;
}

bool fl_arp_own_del(struct fl_arp *a, const uint8_t ip[static 4])
{
	const struct fl_arp_own *o = fl_arp_own_find(a, ip);
	size_t i;

	if (!o)
		return false;
	i = (size_t)(o - a->own);
	memmove(&a->own[i], &a->own[i + 1], (a->nown - i - 1) * sizeof(a->own[0]));
	a->nown--;
	return true;
}

static void arp_key(uint8_t key[static FL_NEIGH_ALEN], const uint8_t ip[static 4])
{
	memset(key, 0, FL_NEIGH_ALEN);
	memcpy(key, ip, 4);
}

/* Answer a request for our address o. */
static void arp_answer(struct fl_arp *a, const struct fl_arp_own *o, const struct fl_arp_msg *req,
		       const struct fl_l2_sink *sink)
{
	struct fl_arp_msg m = {.op = FL_ARP_REPLY};

	memcpy(m.eth_dst, req->sha, 6);
	memcpy(m.eth_src, o->mac, 6);
	memcpy(m.sha, o->mac, 6);
	memcpy(m.spa, o->ip, 4);
	memcpy(m.tha, req->sha, 6);
	memcpy(m.tpa, req->spa, 4);	/* 0.0.0.0 for a probe: RFC 5227 defends so */
	a->st.requests_answered++;
	arp_xmit(sink, &m);
}

static void arp_conflict(struct fl_arp *a, const struct fl_arp_msg *m, const struct fl_l2_sink *sink)
{
	struct fl_l2_act act = {.kind = FL_L2_EVENT, .reason = FL_L2_EV_CONFLICT};

	a->st.conflicts++;
	memcpy(act.addr, m->spa, 4);
	memcpy(act.mac, m->sha, 6);
	sink->act(sink->ctx, &act);
}

enum fl_arp_err fl_arp_input(struct fl_arp *a, const uint8_t *frame, size_t len, fl_time_t now,
			     const struct fl_l2_sink *sink)
{
	struct fl_arp_msg m;
	enum fl_arp_err err = fl_arp_parse(frame, len, &m);
	const struct fl_arp_own *mine;
	uint8_t key[FL_NEIGH_ALEN];
	enum fl_neigh_how how;

	if (err != FL_ARP_OK) {
		a->st.bad[err]++;
		return err;
	}
	mine = fl_arp_own_find(a, m.spa);
	if (mine) {
		/* Someone speaks as us: ours looped back, or a conflict. */
		if (memcmp(mine->mac, m.sha, 6) == 0)
			a->st.own_looped++;
		else
			arp_conflict(a, &m, sink);
		return FL_ARP_OK;
	}
	mine = fl_arp_own_find(a, m.tpa);
	if (m.op == FL_ARP_REQUEST && mine)
		arp_answer(a, mine, &m, sink);
	if (fl_get32(m.spa) == 0)
		return FL_ARP_OK;	/* a probe: its sender has no address yet */
	if (!arp_on_link(a, m.spa)) {
		a->st.off_subnet++;
		return FL_ARP_OK;
	}
	if (m.op == FL_ARP_REPLY)
		how = FL_NEIGH_ANSWER;
	else if (mine)
		how = FL_NEIGH_LEARN;
	else {
		a->st.not_for_us++;
		how = FL_NEIGH_HINT;
	}
	arp_key(key, m.spa);
	fl_neigh_update(&a->cache, key, m.sha, how, now, sink);
	return FL_ARP_OK;
}

enum fl_neigh_res fl_arp_resolve(struct fl_arp *a, const uint8_t ip[static 4], void *pkt,
				 fl_time_t now, const struct fl_l2_sink *sink,
				 uint8_t mac_out[static FL_ETH_ALEN])
{
	uint8_t key[FL_NEIGH_ALEN];

	if (fl_get32(ip) == 0xffffffffu) {
		memcpy(mac_out, arp_bcast, 6);
		return FL_NEIGH_HIT;
	}
	arp_key(key, ip);
	return fl_neigh_resolve(&a->cache, key, pkt, now, sink, mac_out);
}

void fl_arp_tick(struct fl_arp *a, fl_time_t now, const struct fl_l2_sink *sink)
{
	fl_neigh_tick(&a->cache, now, sink);
}
