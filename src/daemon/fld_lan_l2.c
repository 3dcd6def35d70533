/* SPDX-License-Identifier: MIT */
/*
 * fld_lan_l2.c: the layer-2 side of a `lan` interface (fld_lan.h): the
 * ARP and NDP cores (src/l2) fed with the LAN's frames and our addresses,
 * their actions carried out (frames to the TAP, held packets released or
 * dropped, events logged), ping answers for our addresses and the ICMP
 * errors we owe LAN hosts (src/wire/icmp_echo.h, icmp_err.h), each kind
 * behind its own token bucket (RFC 1812 §4.3.2.8, RFC 4443 §2.4(f)).
 */
#include <arpa/inet.h>
#include <string.h>

#include <sodium.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_lan.h"
#include "wire/icmp_echo.h"
#include "wire/icmp_err.h"

#define LAN_ECHO_PER_S 1000	/* pings answered a second, on average */
#define LAN_ECHO_BURST 100
#define LAN_ERR_PER_S 20	/* ICMP errors a second (Linux: 1000/s per host; we are one router) */
#define LAN_ERR_BURST 10
#define LAN_NEIGH_DEFAULT 1024	/* cache size with no static prefix of the family */
#define LAN_NEIGH_MAX 65536

static void l2_event(struct fld_lan *l, const struct fl_l2_act *a)
{
	char ip[INET6_ADDRSTRLEN], mac[FL_ETH_MAC_TEXT];
	static const char *const what[] = {
		[FL_L2_EV_RESOLVED] = "resolved", [FL_L2_EV_FAILED] = "did not answer",
		[FL_L2_EV_MAC_CHANGED] = "moved", [FL_L2_EV_SPOOF_REFUSED] = "spoofed answer refused",
		[FL_L2_EV_CONFLICT] = "claims our address", [FL_L2_EV_DAD_OK] = "ready (DAD done)",
		[FL_L2_EV_DAD_DUPLICATE] = "DUPLICATE: in use on the LAN",
	};
	bool v4 = !memcmp(a->addr + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);
	int lvl = a->reason == FL_L2_EV_CONFLICT || a->reason == FL_L2_EV_DAD_DUPLICATE ||
			  a->reason == FL_L2_EV_SPOOF_REFUSED ? FL_DLOG_WARN : FL_DLOG_DEBUG;

	if (a->reason < 0 || a->reason > FL_L2_EV_DAD_DUPLICATE)
		return;
	inet_ntop(v4 ? AF_INET : AF_INET6, a->addr, ip, sizeof(ip));
	fl_eth_format(a->mac, mac);
	fl_dlog(lvl, "lan %s: %s at %s: %s", l->ifname, ip, mac, what[a->reason]);
}

static void l2_act(void *ctx, const struct fl_l2_act *a)
{
	struct fld_lan *l = ctx;

	switch (a->kind) {
	case FL_L2_XMIT:
		if (a->len >= 14 && a->frame[12] == 0x08 && a->frame[13] == 0x06)
			l->st.arp_out++;
		else
			l->st.ndp_out++;
		fld_lan_xmit(l, a->frame, a->len);
		break;
	case FL_L2_RELEASE:
		l->held--;
		fld_lan_send_to(l, a->pkt, a->mac);
		break;
	case FL_L2_DROP:
		l->held--;
		l->st.unresolved++;
		fl_pkt_free(a->pkt);
		break;
	case FL_L2_EVENT:
		l2_event(l, a);
		break;
	}
}

const struct fl_l2_sink *fld_lan_l2_sink(struct fld_lan *l)
{
	l->sink.act = l2_act;
	l->sink.ctx = l;
	return &l->sink;
}

/* The neighbour table's bound: the hosts our static prefixes of the
 * family hold, as issue 19 asks, within [16, LAN_NEIGH_MAX]. */
static size_t neigh_max(const struct fld_iface_conf *c, int family)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_addr; i++) {
		unsigned host_bits = (family == 4 ? 32u : 128u) - c->addr[i].plen;
		if (c->addr[i].family != family)
			continue;
		n += host_bits >= 16 ? LAN_NEIGH_MAX : ((size_t)1 << host_bits);
	}
	if (n == 0)
		return LAN_NEIGH_DEFAULT;
	return n < 16 ? 16 : n > LAN_NEIGH_MAX ? LAN_NEIGH_MAX : n;
}

int fld_lan_l2_init(struct fld_lan *l)
{
	struct fl_neigh_cfg c4, c6;
	fl_time_t now = fld_now(l->d);

	fl_neigh_cfg_default(&c4, neigh_max(&l->conf, 4));
	fl_neigh_cfg_default(&c6, neigh_max(&l->conf, 6));
	if (!fl_arp_init(&l->arp, &c4, randombytes_random() | (uint64_t)randombytes_random() << 32))
		return -1;
	if (!fl_ndp_init(&l->ndp, &c6, randombytes_random() | (uint64_t)randombytes_random() << 32)) {
		fl_arp_free(&l->arp, fld_lan_l2_sink(l));
		return -1;
	}
	if (l->conf.slaac)
		fl_slaac_init(&l->slaac, l->mac, now);
	fl_icmp_rate_init(&l->echo_rate, LAN_ECHO_PER_S, LAN_ECHO_BURST, now);
	fl_icmp_rate_init(&l->err_rate, LAN_ERR_PER_S, LAN_ERR_BURST, now);
	return 0;
}

void fld_lan_l2_free(struct fld_lan *l)
{
	fl_arp_free(&l->arp, fld_lan_l2_sink(l));
	fl_ndp_free(&l->ndp, fld_lan_l2_sink(l));
}

static bool conf_has(const struct fld_iface_conf *c, int family, const uint8_t *ip)
{
	for (size_t i = 0; i < c->n_addr; i++)
		if (c->addr[i].family == family && !memcmp(c->addr[i].ip, ip, family == 4 ? 4 : 16))
			return true;
	return false;
}

static bool dyn_has(const struct fld_lan *l, int family, const uint8_t *ip)
{
	for (size_t i = 0; i < l->n_dyn; i++)
		if (l->dyn[i].family == family && !memcmp(l->dyn[i].ip, ip, family == 4 ? 4 : 16))
			return true;
	return false;
}

/* One address up: IPv4 with a gratuitous ARP (RFC 5227 §2.3), IPv6
 * tentative until DAD is done. false if the core refused it. */
static bool addr_up(struct fld_lan *l, const struct fld_iface_addr *a)
{
	uint8_t frame[FL_ARP_FRAME];

	if (a->family == 4) {
		if (fl_arp_own_find(&l->arp, a->ip))
			return true;
		if (!fl_arp_own_add(&l->arp, a->ip, a->plen, l->mac))
			return false;
		fl_arp_gratuitous(l->mac, a->ip, frame);
		l->st.arp_out++;
		fld_lan_xmit(l, frame, sizeof(frame));
		return true;
	}
	return fl_ndp_own_find(&l->ndp, a->ip) ||
	       fl_ndp_own_add(&l->ndp, a->ip, a->plen, l->mac, true, fld_now(l->d));
}

/* Drops our addresses conf no longer has (run-time ones stay), adds the
 * new ones. */
void fld_lan_l2_addresses(struct fld_lan *l, const struct fld_iface_conf *conf)
{
	for (size_t i = l->arp.nown; i-- > 0;)
		if (!conf_has(conf, 4, l->arp.own[i].ip) && !dyn_has(l, 4, l->arp.own[i].ip))
			fl_arp_own_del(&l->arp, l->arp.own[i].ip);
	for (size_t i = l->ndp.nown; i-- > 0;)
		if (!conf_has(conf, 6, l->ndp.own[i].ip) && !dyn_has(l, 6, l->ndp.own[i].ip))
			fl_ndp_own_del(&l->ndp, l->ndp.own[i].ip);
	for (size_t i = 0; i < conf->n_addr; i++)
		addr_up(l, &conf->addr[i]);
	l->has4 = l->arp.nown > 0;
	l->has6 = l->ndp.nown > 0;
	fld_lan_l2_tick(l); /* DAD's first solicitation now */
}

int fld_lan_addr_add(struct fld_lan *l, int family, const uint8_t *ip, unsigned plen)
{
	struct fld_iface_addr a = {.family = (uint8_t)family, .plen = (uint8_t)plen};

	if ((family != 4 && family != 6) || plen > (family == 4 ? 32u : 128u))
		return -1;
	memcpy(a.ip, ip, family == 4 ? 4 : 16);
	if (!dyn_has(l, family, ip)) {
		if (l->n_dyn == FLD_LAN_DYN_MAX)
			return -1;
		l->dyn[l->n_dyn++] = a;
	}
	if (!addr_up(l, &a)) {
		fld_lan_addr_del(l, family, ip);
		return -1;
	}
	l->has4 = l->arp.nown > 0;
	l->has6 = l->ndp.nown > 0;
	fld_lan_l2_tick(l);
	return 0;
}

void fld_lan_addr_del(struct fld_lan *l, int family, const uint8_t *ip)
{
	for (size_t i = 0; i < l->n_dyn; i++) {
		if (l->dyn[i].family != family || memcmp(l->dyn[i].ip, ip, family == 4 ? 4 : 16))
			continue;
		l->dyn[i] = l->dyn[--l->n_dyn];
		break;
	}
	if (conf_has(&l->conf, family, ip))
		return; /* also a static address: stays */
	if (family == 4)
		fl_arp_own_del(&l->arp, ip);
	else
		fl_ndp_own_del(&l->ndp, ip);
	l->has4 = l->arp.nown > 0;
	l->has6 = l->ndp.nown > 0;
}

/* SLAAC's changes (slaac.h) applied: a new address goes through DAD
 * like any run-time address; an expired one is removed. */
static void slaac_apply(struct fld_lan *l, const struct fl_slaac_change *ch, size_t n)
{
	char ip[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < n; i++) {
		inet_ntop(AF_INET6, ch[i].ip, ip, sizeof(ip));
		if (ch[i].op == FL_SLAAC_DEL) {
			fl_dlog(FL_DLOG_INFO, "lan %s: SLAAC address %s/%u expired", l->ifname, ip, ch[i].plen);
			fld_lan_addr_del(l, 6, ch[i].ip);
		} else if (fld_lan_addr_add(l, 6, ch[i].ip, ch[i].plen) == 0) {
			fl_dlog(FL_DLOG_INFO, "lan %s: SLAAC address %s/%u (DAD first)", l->ifname, ip, ch[i].plen);
		} else {
			fl_dlog(FL_DLOG_WARN, "lan %s: SLAAC address %s/%u: no room for it", l->ifname, ip, ch[i].plen);
			fl_slaac_forget(&l->slaac, ch[i].ip);
		}
	}
}

/* Router Solicitations while none answered, and expiry. */
static void slaac_tick(struct fld_lan *l, fl_time_t now)
{
	struct fl_slaac_change ch[FL_SLAAC_MAX];
	uint8_t rs[FL_NDP_RS_FRAME];

	if (fl_slaac_rs_due(&l->slaac, now)) {
		l->st.ndp_out++;
		fld_lan_xmit(l, rs, fl_ndp_build_rs(l->mac, rs));
	}
	slaac_apply(l, ch, fl_slaac_tick(&l->slaac, now, ch, FL_SLAAC_MAX));
}

void fld_lan_l2_tick(struct fld_lan *l)
{
	fl_time_t now = fld_now(l->d);

	if (l->conf.slaac)
		slaac_tick(l, now);
	fl_arp_tick(&l->arp, now, fld_lan_l2_sink(l));
	fl_ndp_tick(&l->ndp, now, fld_lan_l2_sink(l));
}

void fld_lan_arp_in(struct fld_lan *l, const uint8_t *frame, size_t len)
{
	l->st.arp_in++;
	if (fl_arp_input(&l->arp, frame, len, fld_now(l->d), fld_lan_l2_sink(l)) != FL_ARP_OK)
		l->st.arp_drops++;
}

/* true if it was an ND message (handled or dropped), false for any other
 * ICMPv6 (echo, errors) for the caller to route or answer. */
bool fld_lan_ndp_in(struct fld_lan *l, const uint8_t *frame, size_t len)
{
	struct fl_ndp_msg m;
	struct fl_slaac_change ch[FL_NDP_PREFIX_MAX];
	enum fl_ndp_err e = fl_ndp_input(&l->ndp, frame, len, fld_now(l->d), fld_lan_l2_sink(l), &m);

	if (e == FL_NDP_NOT_NDP)
		return false;
	l->st.ndp_in++;
	if (e != FL_NDP_OK)
		l->st.ndp_drops++;
	else if (m.type == FL_NDP_RA && l->conf.slaac)
		slaac_apply(l, ch, fl_slaac_ra(&l->slaac, &m, fld_now(l->d), ch, FL_NDP_PREFIX_MAX));
	return true;
}

bool fld_lan_is_ours(const struct fld_lan *l, int version, const uint8_t *ip)
{
	if (version == 4)
		return fl_arp_own_find(&l->arp, ip) != NULL;
	const struct fl_ndp_own *o = fl_ndp_own_find(&l->ndp, ip);
	return o && o->state == FL_NDP_PREFERRED;
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned plen)
{
	unsigned whole = plen / 8, rest = plen % 8;

	if (memcmp(a, b, whole))
		return false;
	return !rest || ((a[whole] ^ b[whole]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool fld_lan_on_link(const struct fld_lan *l, int version, const uint8_t *ip)
{
	if (version == 4) {
		for (size_t i = 0; i < l->arp.nown; i++)
			if (prefix_match(ip, l->arp.own[i].ip, l->arp.own[i].plen))
				return true;
		return false;
	}
	for (size_t i = 0; i < l->ndp.nown; i++)
		if (prefix_match(ip, l->ndp.own[i].ip, l->ndp.own[i].plen))
			return true;
	return false;
}

/* Turns the echo request p into its reply in place (*n its length), under
 * the echo rate limit. false: p was limited or malformed, counted and freed. */
static bool lan_echo_reply(struct fld_lan *l, struct fl_pkt *p, int version, size_t *n)
{
	enum fl_icmp_res r;

	*n = 0;
	if (!fl_icmp_rate_allow(&l->echo_rate, fld_now(l->d))) {
		l->st.icmp_ratelimited++;
		fl_pkt_free(p);
		return false;
	}
	if (version == 4)
		r = fl_icmp_echo4(p->data, p->len, p->data, p->len + fl_pkt_tailroom(p), n);
	else
		r = fl_icmp_echo6(p->data, p->len, p->data, p->len + fl_pkt_tailroom(p), n);
	if (r != FL_ICMP_OK) {
		l->st.local_drops++;
		fl_pkt_free(p);
		return false;
	}
	l->st.icmp_echo++;
	return true;
}

void fld_lan_local(struct fld_lan *l, struct fl_pkt *p, int version)
{
	size_t n;

	if (!lan_echo_reply(l, p, version, &n))
		return;
	fld_lan_xmit(l, p->data, n);
	fl_pkt_free(p);
}

/* Our address of the family to send errors from: the first usable. */
static const uint8_t *lan_source(const struct fld_lan *l, int version)
{
	if (version == 4)
		return l->arp.nown ? l->arp.own[0].ip : NULL;
	for (size_t i = 0; i < l->ndp.nown; i++)
		if (l->ndp.own[i].state == FL_NDP_PREFERRED)
			return l->ndp.own[i].ip;
	return NULL;
}

static void lan_defer(struct fld_lan *l, struct fl_pkt *p, size_t len)
{
	if (l->n_defer == FLD_LAN_DEFER_MAX) {
		l->st.icmp_ratelimited++;
		fl_pkt_free(p);
		return;
	}
	p->len = (uint32_t)len;
	l->defer[l->n_defer++] = p;
}

void fld_lan_mesh_local(struct fld_lan *l, struct fl_pkt *p, int version)
{
	size_t n;

	if (lan_echo_reply(l, p, version, &n))
		lan_defer(l, p, n);
}

void fld_lan_icmp_err(struct fld_lan *l, struct fl_pkt *p, int version, uint8_t type,
		      uint8_t code, uint32_t mtu, bool to_mesh)
{
	const uint8_t *src = lan_source(l, version);
	size_t n = 0, cap = p->len + fl_pkt_tailroom(p);
	enum fl_icmp_res r = FL_ICMP_BAD_SOURCE;

	if (!src || !fl_icmp_rate_allow(&l->err_rate, fld_now(l->d))) {
		l->st.icmp_ratelimited += src != NULL;
		fl_pkt_free(p);
		return;
	}
	if (version == 4)
		r = fl_icmp_err4(p->data, p->len, type, code, (uint16_t)mtu, src, p->data, cap, &n);
	else
		r = fl_icmp_err6(p->data, p->len, type, code, mtu, src, p->data, cap, &n);
	if (r != FL_ICMP_OK) {
		fl_pkt_free(p);
		return;
	}
	l->st.icmp_sent++;
	if (to_mesh) {
		lan_defer(l, p, n);
		return;
	}
	fld_lan_xmit(l, p->data, n);
	fl_pkt_free(p);
}
