/* SPDX-License-Identifier: MIT */
/*
 * fld_lan_dhcp.c: drives the DHCP client core for one lan TAP (see
 * fld_lan_dhcp.h): frames in and out, the ARP probe of a new address,
 * applying and removing the lease, the interface scripts, the timer.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/dlog.h"
#include "daemon/fld_lan_dhcp.h"
#include "l2/arp.h"
#include "l2/l2_eth.h"
#include "wire/csum.h"

#define ETH_P_IPV4 0x0800u
#define BCAST 0xffffffffu
/* Retransmissions are silent; after this many unanswered DISCOVERs (some
 * 12 s) one warning says the LAN seems to have no server. */
#define WARN_DISCOVERS 3u

struct fld_lan_dhcp {
	char ifname[32];
	uint8_t mac[6];
	struct fld_lan_dhcp_ops ops;
	struct fl_dhcp_client c;
	/* What the interface has: the address, and the lease its script saw
	 * (to tell a renewal that changed the router or DNS). */
	uint32_t applied;
	struct fl_dhcp_lease shown;
	/* The ARP probe of a just-bound address (0: none running). */
	uint32_t probe_addr;
	unsigned probes_sent;
	fl_time_t probe_start;
	/* The server's MAC, from its last reply, for unicast REQUESTs. */
	uint32_t server_ip;
	uint8_t server_mac[6];
	fl_time_t timer;	/* last time handed to ops.timer */
	bool warned;		/* the no-server warning of this search is out */
	struct fld_lan_dhcp_stats st;
};

static const char *ip_text(uint32_t a, char buf[static INET_ADDRSTRLEN])
{
	struct in_addr in = {.s_addr = htonl(a)};

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* "A B C" from a list of addresses. */
static void list_text(const uint32_t *a, unsigned n, char *out, size_t cap)
{
	char ip[INET_ADDRSTRLEN];
	size_t used = 0;

	out[0] = 0;
	for (unsigned i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? " " : "",
					 ip_text(a[i], ip));
}

static bool ops_ok(const struct fld_lan_dhcp_ops *ops)
{
	return ops && ops->xmit && ops->addr && ops->script && ops->timer;
}

struct fld_lan_dhcp *fld_lan_dhcp_new(const char *ifname, const uint8_t mac[static 6],
				      const uint8_t random[static 16],
				      const struct fld_lan_dhcp_ops *ops)
{
	struct fld_lan_dhcp *dh;

	if (!ops_ok(ops) || strlen(ifname) >= sizeof(dh->ifname))
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (!dh)
		return NULL;
	snprintf(dh->ifname, sizeof(dh->ifname), "%s", ifname);
	memcpy(dh->mac, mac, 6);
	dh->ops = *ops;
	dh->timer = FL_DHCP_NEVER;
	fl_dhcp_init(&dh->c, mac, random);
	return dh;
}

void fld_lan_dhcp_set_ops(struct fld_lan_dhcp *dh, const struct fld_lan_dhcp_ops *ops)
{
	if (dh && ops_ok(ops))
		dh->ops = *ops;
}

/* Write an IPv4 packet of the core's as an Ethernet frame. */
static void send_ip(struct fld_lan_dhcp *dh, const struct fl_dhcp_out *o)
{
	uint8_t frame[FL_ETH_HDR + sizeof(o->pkt)];
	bool to_server = o->dst != BCAST && o->dst == dh->server_ip;

	if (!o->len)
		return;
	/* Unicast goes to the MAC the server's replies came from; one we
	 * have not heard from yet gets a broadcast frame, which its IP layer
	 * takes all the same. */
	memset(frame, 0xff, 6);
	if (to_server)
		memcpy(frame, dh->server_mac, 6);
	memcpy(frame + 6, dh->mac, 6);
	fl_put16(frame + 12, ETH_P_IPV4);
	memcpy(frame + FL_ETH_HDR, o->pkt, o->len);
	dh->st.tx++;
	dh->ops.xmit(dh->ops.ctx, frame, FL_ETH_HDR + o->len);
}

/* RFC 5227 2.1.1: a broadcast request with sender IP 0, target the address. */
static void send_probe(struct fld_lan_dhcp *dh)
{
	struct fl_arp_msg m = {.op = FL_ARP_REQUEST};
	uint8_t frame[FL_ARP_FRAME];

	memset(m.eth_dst, 0xff, 6);
	memcpy(m.eth_src, dh->mac, 6);
	memcpy(m.sha, dh->mac, 6);
	fl_put32(m.tpa, dh->probe_addr);
	fl_arp_build(&m, frame);
	dh->probes_sent++;
	dh->st.tx++;
	dh->ops.xmit(dh->ops.ctx, frame, sizeof(frame));
}

static fl_time_t probe_next(const struct fld_lan_dhcp *dh)
{
	fl_time_t step = FL_TIME_MS(FLD_LAN_DHCP_PROBE_MS) / FLD_LAN_DHCP_PROBES;

	return dh->probe_start + step * dh->probes_sent;
}

/* Tell the glue when to call next, if that changed. */
static void rearm(struct fld_lan_dhcp *dh)
{
	fl_time_t at = dh->c.next;

	if (dh->probe_addr && probe_next(dh) < at)
		at = probe_next(dh);
	if (at != dh->timer) {
		dh->timer = at;
		dh->ops.timer(dh->ops.ctx, at);
	}
}

static void run_script(struct fld_lan_dhcp *dh, const char *which, const struct fl_dhcp_lease *l)
{
	char addr[16 + INET_ADDRSTRLEN], plen[32], router[8 + 4 * 16], dns[8 + 4 * 16], lease[32];
	char ip[INET_ADDRSTRLEN];
	const char *vars[] = {addr, plen, router, dns, lease, NULL};
	size_t n;

	snprintf(addr, sizeof(addr), "ADDRESS=%s", ip_text(l->addr, ip));
	snprintf(plen, sizeof(plen), "PREFIXLEN=%d", fl_dhcp_lease_prefix(l));
	n = (size_t)snprintf(router, sizeof(router), "ROUTER=");
	list_text(l->router, l->n_router, router + n, sizeof(router) - n);
	n = (size_t)snprintf(dns, sizeof(dns), "DNS=");
	list_text(l->dns, l->n_dns, dns + n, sizeof(dns) - n);
	snprintf(lease, sizeof(lease), "LEASE=%u", l->lease_s);
	dh->ops.script(dh->ops.ctx, which, vars);
}

/* The address goes: off the interface, then NAME-down with what it had. */
static void unapply(struct fld_lan_dhcp *dh, const char *why)
{
	char ip[INET_ADDRSTRLEN];

	if (!dh->applied)
		return;
	fl_dlog(FL_DLOG_INFO, "%s: DHCP address %s/%d removed: %s", dh->ifname,
		ip_text(dh->applied, ip), fl_dhcp_lease_prefix(&dh->shown), why);
	dh->ops.addr(dh->ops.ctx, dh->applied, 0, 0);
	dh->applied = 0;
	run_script(dh, "down", &dh->shown);
}

static bool lease_differs(const struct fl_dhcp_lease *a, const struct fl_dhcp_lease *b)
{
	return a->addr != b->addr || a->mask != b->mask || a->n_router != b->n_router ||
	       a->n_dns != b->n_dns || memcmp(a->router, b->router, sizeof(a->router)) != 0 ||
	       memcmp(a->dns, b->dns, sizeof(a->dns)) != 0;
}

/* The lease the core holds goes on the interface (the probe is over or
 * not needed). A changed address is a new one: old down, new up. */
static void apply(struct fld_lan_dhcp *dh)
{
	const struct fl_dhcp_lease *l = fl_dhcp_lease(&dh->c);
	char ip[INET_ADDRSTRLEN], srv[INET_ADDRSTRLEN];
	bool changed;

	if (!l)
		return;
	if (dh->applied && dh->applied != l->addr)
		unapply(dh, "the server gave another");
	changed = !dh->applied || lease_differs(l, &dh->shown);
	fl_dlog(FL_DLOG_INFO, "%s: DHCP lease %s/%d %sfrom %s for %u s", dh->ifname,
		ip_text(l->addr, ip), fl_dhcp_lease_prefix(l), dh->applied ? "renewed " : "",
		ip_text(l->server_id, srv), l->lease_s);
	if (!dh->applied)
		dh->ops.addr(dh->ops.ctx, 0, l->addr, (unsigned)fl_dhcp_lease_prefix(l));
	dh->applied = l->addr;
	dh->shown = *l;
	if (changed)
		run_script(dh, "up", l);
}

static void probe_begin(struct fld_lan_dhcp *dh, uint32_t addr, fl_time_t now)
{
	dh->probe_addr = addr;
	dh->probes_sent = 0;
	dh->probe_start = now;
	send_probe(dh);
}

/* Act on one call's output: send its packet, then its event. */
static void handle(struct fld_lan_dhcp *dh, const struct fl_dhcp_out *o, fl_time_t now)
{
	const struct fl_dhcp_lease *l = fl_dhcp_lease(&dh->c);

	send_ip(dh, o);
	if (dh->c.state == FL_DHCP_SELECTING && dh->c.tries == WARN_DISCOVERS && !dh->warned) {
		dh->warned = true;
		fl_dlog(FL_DLOG_WARN, "%s: DHCP: no server answered %u DISCOVERs, still asking",
			dh->ifname, WARN_DISCOVERS);
	}
	switch (o->ev) {
	case FL_DHCP_EV_BOUND:
		dh->st.bound++;
		dh->warned = false;
		dh->probe_addr = 0;
		/* The address we already have (INIT-REBOOT after a restart
		 * or reload, or the same one again) needs no probe. Another
		 * one replaces the old lease in the core at once, so the old
		 * address goes now, whatever the probe of the new one finds. */
		if (l && l->addr == dh->applied) {
			apply(dh);
		} else if (l) {
			unapply(dh, "the server gave another");
			probe_begin(dh, l->addr, now);
		}
		break;
	case FL_DHCP_EV_RENEWED:
		dh->st.renewed++;
		if (dh->probe_addr)
			break;	/* the probe's end applies it */
		apply(dh);
		break;
	case FL_DHCP_EV_LOST:
		dh->st.lost++;
		dh->probe_addr = 0;
		unapply(dh, "lease lost");
		break;
	default:
		break;
	}
	rearm(dh);
}

void fld_lan_dhcp_start(struct fld_lan_dhcp *dh, const uint8_t *blob, size_t blob_len,
			fl_time_t now)
{
	struct fl_dhcp_lease l;
	struct fl_dhcp_out o;
	enum fl_dhcp_err e;
	char ip[INET_ADDRSTRLEN];

	if (blob) {
		e = fl_dhcp_lease_load(blob, blob_len, &l);
		if (e == FL_DHCP_OK) {
			dh->st.restored++;
			fl_dlog(FL_DLOG_INFO, "%s: DHCP asking again for saved lease %s",
				dh->ifname, ip_text(l.addr, ip));
			fl_dhcp_restore(&dh->c, &l, now, &o);
			handle(dh, &o, now);
			return;
		}
		fl_dlog(FL_DLOG_WARN, "%s: DHCP saved lease ignored: %s", dh->ifname,
			fl_dhcp_strerror(e));
	}
	fl_dlog(FL_DLOG_INFO, "%s: DHCP: asking for an address", dh->ifname);
	fl_dhcp_start(&dh->c, now, &o);
	handle(dh, &o, now);
}

/* Is frame IPv4 UDP from port 67 to port 68? The ports are read only if
 * the header says UDP and holds them; fl_dhcp_ip_unwrap checks the rest. */
static bool is_dhcp_reply(const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + FL_ETH_HDR;
	size_t ihl;

	if (len < FL_ETH_HDR + 20 || fl_get16(frame + 12) != ETH_P_IPV4)
		return false;
	ihl = (size_t)(ip[0] & 15) * 4;
	if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 17 || len < FL_ETH_HDR + ihl + 8)
		return false;
	return fl_get16(ip + ihl) == FL_DHCP_SERVER_PORT &&
	       fl_get16(ip + ihl + 2) == FL_DHCP_CLIENT_PORT;
}

bool fld_lan_dhcp_frame(struct fld_lan_dhcp *dh, const uint8_t *frame, size_t len,
			fl_time_t now)
{
	const uint8_t *payload;
	struct fl_dhcp_out o;
	uint32_t src;
	size_t plen;

	if (!is_dhcp_reply(frame, len))
		return false;
	if (fl_dhcp_ip_unwrap(frame + FL_ETH_HDR, len - FL_ETH_HDR, &payload, &plen, &src) !=
	    FL_DHCP_OK) {
		dh->st.rx_bad++;
		return true;
	}
	dh->st.rx++;
	fl_dhcp_input(&dh->c, payload, plen, now, &o);
	/* A reply the core took names the server whose MAC unicast uses. */
	if (o.ev != FL_DHCP_EV_NONE || o.len) {
		dh->server_ip = src;
		memcpy(dh->server_mac, frame + 6, 6);
	}
	handle(dh, &o, now);
	return true;
}

void fld_lan_dhcp_arp(struct fld_lan_dhcp *dh, const uint8_t *frame, size_t len, fl_time_t now)
{
	struct fl_arp_msg m;
	struct fl_dhcp_out o;
	char ip[INET_ADDRSTRLEN], mac[FL_ETH_MAC_TEXT];
	uint32_t spa, tpa;

	if (!dh->probe_addr || fl_arp_parse(frame, len, &m) != FL_ARP_OK ||
	    memcmp(m.sha, dh->mac, 6) == 0)
		return;
	spa = fl_get32(m.spa);
	tpa = fl_get32(m.tpa);
	/* Someone has the address (it speaks from it), or probes for it too
	 * (RFC 5227 2.1.1: sender 0, the same target). */
	if (spa != dh->probe_addr && !(spa == 0 && tpa == dh->probe_addr &&
				       m.op == FL_ARP_REQUEST))
		return;
	fl_eth_format(m.sha, mac);
	fl_dlog(FL_DLOG_WARN, "%s: DHCP address %s is in use by %s: declined", dh->ifname,
		ip_text(dh->probe_addr, ip), mac);
	dh->st.conflicts++;
	dh->probe_addr = 0;
	fl_dhcp_decline(&dh->c, now, &o);
	handle(dh, &o, now);
}

void fld_lan_dhcp_tick(struct fld_lan_dhcp *dh, fl_time_t now)
{
	struct fl_dhcp_out o;

	if (dh->probe_addr && now >= probe_next(dh)) {
		if (dh->probes_sent < FLD_LAN_DHCP_PROBES) {
			send_probe(dh);
		} else {
			dh->probe_addr = 0;
			apply(dh);
		}
	}
	fl_dhcp_tick(&dh->c, now, &o);
	handle(dh, &o, now);
}

uint32_t fld_lan_dhcp_addr(const struct fld_lan_dhcp *dh)
{
	return dh->applied;
}

const struct fld_lan_dhcp_stats *fld_lan_dhcp_stats(const struct fld_lan_dhcp *dh)
{
	return &dh->st;
}

const struct fl_dhcp_client *fld_lan_dhcp_core(const struct fld_lan_dhcp *dh)
{
	return &dh->c;
}

bool fld_lan_dhcp_save(const struct fld_lan_dhcp *dh, uint8_t out[static FL_DHCP_LEASE_BLOB])
{
	const struct fl_dhcp_lease *l = fl_dhcp_lease(&dh->c);

	if (!l)
		return false;
	fl_dhcp_lease_save(l, out);
	return true;
}

void fld_lan_dhcp_each_stat(const struct fld_lan_dhcp *dh, fl_ctl_stat_fn *emit, void *sink)
{
	const struct fl_dhcp_lease *l = fl_dhcp_lease(&dh->c);
	char scope[48];
	uint64_t dropped = 0;

	snprintf(scope, sizeof(scope), "dhcp.%s", dh->ifname);
	emit(sink, scope, "state", (unsigned long long)dh->c.state);
	emit(sink, scope, "lease_s", l ? l->lease_s : 0);
	emit(sink, scope, "rx", dh->st.rx);
	emit(sink, scope, "rx_bad", dh->st.rx_bad);
	emit(sink, scope, "tx", dh->st.tx);
	emit(sink, scope, "bound", dh->st.bound);
	emit(sink, scope, "renewed", dh->st.renewed);
	emit(sink, scope, "lost", dh->st.lost);
	emit(sink, scope, "naks", dh->c.naks);
	emit(sink, scope, "declines", dh->c.declines);
	emit(sink, scope, "conflicts", dh->st.conflicts);
	emit(sink, scope, "restored", dh->st.restored);
	for (unsigned i = 0; i < FL_DHCP_DROP_MAX; i++)
		dropped += dh->c.drops[i];
	emit(sink, scope, "dropped", dropped);
}

void fld_lan_dhcp_free(struct fld_lan_dhcp *dh, fl_time_t now, bool release)
{
	struct fl_dhcp_out o;

	if (!dh)
		return;
	if (release) {
		fl_dhcp_release(&dh->c, now, &o);
		send_ip(dh, &o);
		unapply(dh, "released");
	}
	free(dh);
}
