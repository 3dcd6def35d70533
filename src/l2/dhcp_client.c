/* SPDX-License-Identifier: MIT */
/*
 * dhcp_client.c: the DHCP client state machine (RFC 2131 4.4). See
 * dhcp_client.h for the states and what the caller does with events. Pure.
 */
#include <string.h>

#include "l2/dhcp_client.h"
#include "wire/csum.h"

#define BCAST 0xffffffffu

static const char *const state_names[FL_DHCP_STATE_MAX] = {
	[FL_DHCP_STOPPED] = "stopped", [FL_DHCP_INIT] = "init",
	[FL_DHCP_SELECTING] = "selecting", [FL_DHCP_REQUESTING] = "requesting",
	[FL_DHCP_BOUND] = "bound", [FL_DHCP_RENEWING] = "renewing",
	[FL_DHCP_REBINDING] = "rebinding", [FL_DHCP_REBOOTING] = "rebooting",
};

static const char *const drop_names[FL_DHCP_DROP_MAX] = {
	[FL_DHCP_DROP_PARSE] = "malformed", [FL_DHCP_DROP_NOT_REPLY] = "not a DHCP reply",
	[FL_DHCP_DROP_XID] = "other xid", [FL_DHCP_DROP_CHADDR] = "other chaddr",
	[FL_DHCP_DROP_STATE] = "unexpected in state",
	[FL_DHCP_DROP_SERVER] = "other server", [FL_DHCP_DROP_INCOMPLETE] = "incomplete",
};

const char *fl_dhcp_state_name(enum fl_dhcp_state s)
{
	return (unsigned)s < FL_DHCP_STATE_MAX ? state_names[s] : "?";
}

const char *fl_dhcp_drop_name(enum fl_dhcp_drop d)
{
	return (unsigned)d < FL_DHCP_DROP_MAX ? drop_names[d] : "?";
}

/* splitmix64: a generator keyed by the caller's random bytes. xids need
 * only be hard to guess for someone who cannot see our traffic, and the
 * jitter only has to differ between clients. */
static uint64_t rng_next(struct fl_dhcp_client *c)
{
	uint64_t z = (c->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void fl_dhcp_init(struct fl_dhcp_client *c, const uint8_t mac[static 6],
		  const uint8_t random[static 16])
{
	memset(c, 0, sizeof(*c));
	memcpy(c->mac, mac, 6);
	for (int i = 0; i < 8; i++)
		c->rng = (c->rng << 8) | (random[i] ^ random[i + 8]);
	c->state = FL_DHCP_STOPPED;
	c->next = FL_DHCP_NEVER;
}

static fl_time_t at(fl_time_t start, uint32_t s)
{
	/* A restored lease's start is not trusted not to overflow. */
	if (s == FL_DHCP_INFINITE || start > FL_DHCP_NEVER - FL_TIME_S(s) - 1)
		return FL_DHCP_NEVER;
	return start + FL_TIME_S(s);
}

fl_time_t fl_dhcp_lease_t1(const struct fl_dhcp_lease *l)
{
	return at(l->start, l->t1_s);
}

fl_time_t fl_dhcp_lease_t2(const struct fl_dhcp_lease *l)
{
	return at(l->start, l->t2_s);
}

fl_time_t fl_dhcp_lease_end(const struct fl_dhcp_lease *l)
{
	return at(l->start, l->lease_s);
}

int fl_dhcp_lease_prefix(const struct fl_dhcp_lease *l)
{
	int n = l->mask ? fl_dhcp_mask_len(l->mask) : -1;

	if (n >= 0)
		return n;
	if (!(l->addr & 0x80000000u))
		return 8;
	return (l->addr & 0x40000000u) ? 24 : 16;
}

const struct fl_dhcp_lease *fl_dhcp_lease(const struct fl_dhcp_client *c)
{
	if (c->state == FL_DHCP_BOUND || c->state == FL_DHCP_RENEWING ||
	    c->state == FL_DHCP_REBINDING)
		return &c->lease;
	return NULL;
}

/* Delay before retransmission number `tries` (1 after the first send):
 * 4, 8, 16, 32, 64, 64 ... s, each moved by uniform -1..+1 s. */
static fl_time_t backoff(struct fl_dhcp_client *c)
{
	unsigned shift = c->tries > 5 ? 5 : (c->tries ? c->tries - 1 : 0);
	fl_time_t base = FL_TIME_S(FL_DHCP_BACKOFF_FIRST_S) << shift;

	if (base > FL_TIME_S(FL_DHCP_BACKOFF_MAX_S))
		base = FL_TIME_S(FL_DHCP_BACKOFF_MAX_S);
	return base - FL_TIME_S(1) + rng_next(c) % (2 * FL_TIME_S(1) + 1);
}

/* Build a message of this exchange into out, wrapped for src -> dst. */
static void emit(struct fl_dhcp_client *c, struct fl_dhcp_req *r, uint32_t src, uint32_t dst,
		 fl_time_t now, struct fl_dhcp_out *out)
{
	fl_time_t secs = now > c->began ? (now - c->began) / FL_TIME_US_PER_S : 0;
	size_t n;

	r->xid = c->xid;
	r->secs = secs > 0xffff ? 0xffff : (uint16_t)secs;
	r->broadcast = c->broadcast;
	memcpy(r->mac, c->mac, 6);
	if (fl_dhcp_build(r, out->pkt + FL_DHCP_IPUDP_LEN, sizeof(out->pkt) - FL_DHCP_IPUDP_LEN,
			  &n) != FL_DHCP_OK ||
	    fl_dhcp_ip_wrap(src, dst, out->pkt, sizeof(out->pkt), n, &out->len) != FL_DHCP_OK)
		out->len = 0;	/* cannot happen: the buffer is sized for it */
	out->src = src;
	out->dst = dst;
}

static void new_exchange(struct fl_dhcp_client *c, enum fl_dhcp_state s, fl_time_t now)
{
	c->state = s;
	c->xid = (uint32_t)rng_next(c);
	c->began = now;
	c->sent = now;
	c->tries = 0;
}

static void send_discover(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out)
{
	struct fl_dhcp_req r = {.type = FL_DHCP_DISCOVER};

	c->tries++;
	emit(c, &r, 0, BCAST, now, out);
	c->next = now + backoff(c);
}

static void begin_init(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out)
{
	memset(&c->lease, 0, sizeof(c->lease));
	c->offer_addr = c->offer_server = 0;
	new_exchange(c, FL_DHCP_SELECTING, now);
	send_discover(c, now, out);
}

/* The REQUEST of each state (RFC 2131 4.3.2's table): SELECTING names the
 * server and the offered address; INIT-REBOOT the saved address only;
 * RENEWING (unicast) and REBINDING (broadcast) put our address in ciaddr
 * and name neither. */
static void send_request(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out)
{
	struct fl_dhcp_req r = {.type = FL_DHCP_REQUEST};
	uint32_t src = 0, dst = BCAST;

	switch (c->state) {
	case FL_DHCP_REQUESTING:
		r.requested_ip = c->offer_addr;
		r.server_id = c->offer_server;
		break;
	case FL_DHCP_REBOOTING:
		r.requested_ip = c->lease.addr;
		break;
	case FL_DHCP_RENEWING:
		/* A lease whose ACK named no server can only be broadcast. */
		dst = c->lease.server_id ? c->lease.server_id : BCAST;
		/* fall through */
	case FL_DHCP_REBINDING:
		r.ciaddr = src = c->lease.addr;
		break;
	default:
		return;
	}
	c->tries++;
	emit(c, &r, src, dst, now, out);
	if (c->state == FL_DHCP_REQUESTING || c->state == FL_DHCP_REBOOTING) {
		c->next = now + backoff(c);
		return;
	}
	/* RFC 2131 4.4.5: half the time to T2 (renewing) or to the lease's
	 * end (rebinding), at least 60 s, never past that deadline. */
	fl_time_t until = c->state == FL_DHCP_RENEWING ? fl_dhcp_lease_t2(&c->lease)
						       : fl_dhcp_lease_end(&c->lease);
	fl_time_t wait = until == FL_DHCP_NEVER ? FL_TIME_S(FL_DHCP_RENEW_MIN_S) : (until - now) / 2;
	if (wait < FL_TIME_S(FL_DHCP_RENEW_MIN_S))
		wait = FL_TIME_S(FL_DHCP_RENEW_MIN_S);
	c->next = until != FL_DHCP_NEVER && now + wait > until ? until : now + wait;
}

static void out_clear(struct fl_dhcp_out *out)
{
	out->ev = FL_DHCP_EV_NONE;
	out->len = 0;
	out->src = out->dst = 0;
}

static void out_done(const struct fl_dhcp_client *c, struct fl_dhcp_out *out)
{
	out->next = c->next;
}

void fl_dhcp_start(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out)
{
	out_clear(out);
	begin_init(c, now, out);
	out_done(c, out);
}

void fl_dhcp_restore(struct fl_dhcp_client *c, const struct fl_dhcp_lease *l, fl_time_t now,
		     struct fl_dhcp_out *out)
{
	fl_time_t end = fl_dhcp_lease_end(l);

	out_clear(out);
	/* A start in the future is a lease from another boot (the clock
	 * counts from boot): its age is unknown, so let the server judge. */
	if (!l->addr || (l->start <= now && end != FL_DHCP_NEVER && now >= end)) {
		begin_init(c, now, out);
	} else {
		c->lease = *l;
		new_exchange(c, FL_DHCP_REBOOTING, now);
		send_request(c, now, out);
	}
	out_done(c, out);
}

/* The lease an ACK gives. T1/T2 the server sent are kept only if they
 * are ordered (T1 <= T2 <= lease); otherwise RFC 2131 4.4.5's defaults,
 * 0.5 and 0.875 of the lease, apply. */
static void lease_from_ack(struct fl_dhcp_client *c, const struct fl_dhcp_msg *m)
{
	struct fl_dhcp_lease *l = &c->lease;
	uint32_t t1, t2;

	memset(l, 0, sizeof(*l));
	l->addr = m->yiaddr;
	l->mask = m->has_mask ? m->mask : 0;
	l->server_id = m->has_server_id ? m->server_id : c->offer_server;
	memcpy(l->router, m->router, sizeof(l->router));
	memcpy(l->dns, m->dns, sizeof(l->dns));
	l->n_router = m->n_router;
	l->n_dns = m->n_dns;
	l->mtu = m->has_mtu ? m->mtu : 0;
	l->lease_s = m->lease_s;
	if (m->lease_s == FL_DHCP_INFINITE) {
		t1 = t2 = FL_DHCP_INFINITE;
	} else {
		t2 = (uint32_t)((uint64_t)m->lease_s * 7 / 8);
		t1 = m->lease_s / 2;
		if (m->has_t2 && m->t2_s <= m->lease_s)
			t2 = m->t2_s;
		if (m->has_t1 && m->t1_s <= t2)
			t1 = m->t1_s;
		if (t1 > t2)
			t1 = t2;
	}
	l->t1_s = t1;
	l->t2_s = t2;
	l->start = c->sent;
}

static void take_ack(struct fl_dhcp_client *c, const struct fl_dhcp_msg *m,
		     struct fl_dhcp_out *out)
{
	bool same = c->lease.addr == m->yiaddr;
	bool was_bound = c->state == FL_DHCP_RENEWING || c->state == FL_DHCP_REBINDING;

	lease_from_ack(c, m);
	c->state = FL_DHCP_BOUND;
	c->tries = 0;
	c->next = fl_dhcp_lease_t1(&c->lease);
	out->ev = was_bound && same ? FL_DHCP_EV_RENEWED : FL_DHCP_EV_BOUND;
}

/* A NAK: whatever we held or asked for is gone; start over at once. */
static void nak(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out)
{
	bool held = c->state != FL_DHCP_REQUESTING;

	c->naks++;
	begin_init(c, now, out);
	out->ev = held ? FL_DHCP_EV_LOST : FL_DHCP_EV_NONE;
}

static bool drop(struct fl_dhcp_client *c, enum fl_dhcp_drop why)
{
	c->drops[why]++;
	return false;
}

/* Is m a reply to the exchange we have open, from a server we may take? */
static bool acceptable(struct fl_dhcp_client *c, const struct fl_dhcp_msg *m)
{
	if (m->op != 2 || m->type == FL_DHCP_NONE)
		return drop(c, FL_DHCP_DROP_NOT_REPLY);
	if (m->xid != c->xid)
		return drop(c, FL_DHCP_DROP_XID);
	if (m->htype != 1 || m->hlen != 6 || memcmp(m->chaddr, c->mac, 6) != 0)
		return drop(c, FL_DHCP_DROP_CHADDR);
	switch (c->state) {
	case FL_DHCP_SELECTING:
		if (m->type != FL_DHCP_OFFER)
			return drop(c, FL_DHCP_DROP_STATE);
		if (!m->yiaddr || m->yiaddr == BCAST || !m->has_server_id)
			return drop(c, FL_DHCP_DROP_INCOMPLETE);
		return true;
	case FL_DHCP_REQUESTING:
	case FL_DHCP_RENEWING: {
		/* We asked one server; only it may answer. */
		uint32_t asked = c->state == FL_DHCP_REQUESTING ? c->offer_server
								: c->lease.server_id;
		if (m->type != FL_DHCP_ACK && m->type != FL_DHCP_NAK)
			return drop(c, FL_DHCP_DROP_STATE);
		if (m->has_server_id && asked && m->server_id != asked)
			return drop(c, FL_DHCP_DROP_SERVER);
		break;
	}
	case FL_DHCP_REBOOTING:
	case FL_DHCP_REBINDING:
		if (m->type != FL_DHCP_ACK && m->type != FL_DHCP_NAK)
			return drop(c, FL_DHCP_DROP_STATE);
		break;
	default:
		return drop(c, FL_DHCP_DROP_STATE);
	}
	/* An ACK must give an address and a lease time (RFC 2131 table 3);
	 * a zero lease would have us renew in a loop. */
	if (m->type == FL_DHCP_ACK &&
	    (!m->yiaddr || m->yiaddr == BCAST || !m->has_lease || m->lease_s == 0))
		return drop(c, FL_DHCP_DROP_INCOMPLETE);
	return true;
}

void fl_dhcp_input(struct fl_dhcp_client *c, const uint8_t *buf, size_t len, fl_time_t now,
		   struct fl_dhcp_out *out)
{
	struct fl_dhcp_msg m;

	out_clear(out);
	if (fl_dhcp_parse(buf, len, &m) != FL_DHCP_OK)
		drop(c, FL_DHCP_DROP_PARSE);
	else if (!acceptable(c, &m))
		;
	else if (m.type == FL_DHCP_NAK)
		nak(c, now, out);
	else if (m.type == FL_DHCP_ACK)
		take_ack(c, &m, out);
	else {	/* an OFFER in SELECTING: take the first (RFC 2131 4.4.1) */
		c->offer_addr = m.yiaddr;
		c->offer_server = m.server_id;
		c->state = FL_DHCP_REQUESTING;
		c->tries = 0;
		c->sent = now;
		send_request(c, now, out);
	}
	out_done(c, out);
}

static void lost(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out)
{
	begin_init(c, now, out);
	out->ev = FL_DHCP_EV_LOST;
}

/* Move from BOUND to RENEWING or from RENEWING to REBINDING: a new
 * exchange whose first REQUEST is the lease's new start. */
static void renew(struct fl_dhcp_client *c, enum fl_dhcp_state s, fl_time_t now,
		  struct fl_dhcp_out *out)
{
	new_exchange(c, s, now);
	send_request(c, now, out);
}

static void tick_bound(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out)
{
	fl_time_t end = fl_dhcp_lease_end(&c->lease);

	if (end != FL_DHCP_NEVER && now >= end)
		lost(c, now, out);
	else if (c->state != FL_DHCP_REBINDING && fl_dhcp_lease_t2(&c->lease) != FL_DHCP_NEVER &&
		 now >= fl_dhcp_lease_t2(&c->lease))
		renew(c, FL_DHCP_REBINDING, now, out);
	else if (c->state == FL_DHCP_BOUND && now >= c->next)
		renew(c, FL_DHCP_RENEWING, now, out);
	else if (c->state != FL_DHCP_BOUND && now >= c->next)
		send_request(c, now, out);
}

/* INIT-REBOOT got no answer. RFC 2131 3.2 lets the client keep a saved
 * lease that has not ended, so a reload while the server is away does not
 * cost the address: BOUND again, renewing at T1 as usual. A lease of
 * unknown age (from another boot) or one that has ended is given up. */
static void reboot_unanswered(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out)
{
	fl_time_t end = fl_dhcp_lease_end(&c->lease);

	if (c->lease.start <= now && (end == FL_DHCP_NEVER || now < end)) {
		c->state = FL_DHCP_BOUND;
		c->tries = 0;
		c->next = fl_dhcp_lease_t1(&c->lease);
		out->ev = FL_DHCP_EV_BOUND;
		return;
	}
	begin_init(c, now, out);
	out->ev = FL_DHCP_EV_LOST;
}

void fl_dhcp_tick(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out)
{
	out_clear(out);
	switch (c->state) {
	case FL_DHCP_INIT:
		if (now >= c->next)
			begin_init(c, now, out);
		break;
	case FL_DHCP_SELECTING:
		if (now >= c->next)
			send_discover(c, now, out);
		break;
	case FL_DHCP_REQUESTING:
	case FL_DHCP_REBOOTING:
		if (now < c->next)
			break;
		if (c->tries < FL_DHCP_REQUEST_TRIES) {
			send_request(c, now, out);
			break;
		}
		if (c->state == FL_DHCP_REBOOTING)
			reboot_unanswered(c, now, out);
		else
			begin_init(c, now, out);
		break;
	case FL_DHCP_BOUND:
	case FL_DHCP_RENEWING:
	case FL_DHCP_REBINDING:
		tick_bound(c, now, out);
		break;
	default:
		break;
	}
	out_done(c, out);
}

void fl_dhcp_decline(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out)
{
	struct fl_dhcp_req r = {.type = FL_DHCP_DECLINE};

	out_clear(out);
	if (fl_dhcp_lease(c)) {
		/* RFC 2131 4.4.1: address in option 50, ciaddr zero, broadcast. */
		r.requested_ip = c->lease.addr;
		r.server_id = c->lease.server_id;
		emit(c, &r, 0, BCAST, now, out);
		c->declines++;
		memset(&c->lease, 0, sizeof(c->lease));
		c->state = FL_DHCP_INIT;
		c->tries = 0;
		c->next = now + FL_TIME_S(FL_DHCP_DECLINE_WAIT_S);
	}
	out_done(c, out);
}

void fl_dhcp_release(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out)
{
	struct fl_dhcp_req r = {.type = FL_DHCP_RELEASE};

	out_clear(out);
	if (fl_dhcp_lease(c)) {
		/* RFC 2131 4.4.6: a new xid, our address in ciaddr, unicast. */
		c->xid = (uint32_t)rng_next(c);
		r.ciaddr = c->lease.addr;
		r.server_id = c->lease.server_id;
		emit(c, &r, c->lease.addr, c->lease.server_id, now, out);
	}
	memset(&c->lease, 0, sizeof(c->lease));
	c->state = FL_DHCP_STOPPED;
	c->next = FL_DHCP_NEVER;
	out_done(c, out);
}

/* Blob layout: 'D', version 1, addr, mask, server, n_router, n_dns,
 * 4 routers, 4 DNS servers, mtu, lease, t1, t2, start (64 bits). */
_Static_assert(FL_DHCP_LEASE_BLOB == 2 + 12 + 2 + 16 + 16 + 2 + 12 + 8, "lease blob");

void fl_dhcp_lease_save(const struct fl_dhcp_lease *l, uint8_t out[static FL_DHCP_LEASE_BLOB])
{
	uint8_t *p = out;

	*p++ = 'D';
	*p++ = 1;
	fl_put32(p, l->addr), p += 4;
	fl_put32(p, l->mask), p += 4;
	fl_put32(p, l->server_id), p += 4;
	*p++ = l->n_router;
	*p++ = l->n_dns;
	for (unsigned i = 0; i < FL_DHCP_MAX_ADDRS; i++, p += 4)
		fl_put32(p, i < l->n_router ? l->router[i] : 0);
	for (unsigned i = 0; i < FL_DHCP_MAX_ADDRS; i++, p += 4)
		fl_put32(p, i < l->n_dns ? l->dns[i] : 0);
	fl_put16(p, l->mtu), p += 2;
	fl_put32(p, l->lease_s), p += 4;
	fl_put32(p, l->t1_s), p += 4;
	fl_put32(p, l->t2_s), p += 4;
	fl_put32(p, (uint32_t)(l->start >> 32));
	fl_put32(p + 4, (uint32_t)l->start);
}

enum fl_dhcp_err fl_dhcp_lease_load(const uint8_t *buf, size_t len, struct fl_dhcp_lease *l)
{
	const uint8_t *p = buf + 2;
	struct fl_dhcp_lease t = {0};

	memset(l, 0, sizeof(*l));
	if (len < FL_DHCP_LEASE_BLOB)
		return FL_DHCP_SHORT;
	if (len > FL_DHCP_LEASE_BLOB)
		return FL_DHCP_TOO_LONG;
	if (buf[0] != 'D' || buf[1] != 1)
		return FL_DHCP_BAD_COOKIE;
	t.addr = fl_get32(p), p += 4;
	t.mask = fl_get32(p), p += 4;
	t.server_id = fl_get32(p), p += 4;
	t.n_router = *p++;
	t.n_dns = *p++;
	for (unsigned i = 0; i < FL_DHCP_MAX_ADDRS; i++, p += 4)
		t.router[i] = fl_get32(p);
	for (unsigned i = 0; i < FL_DHCP_MAX_ADDRS; i++, p += 4)
		t.dns[i] = fl_get32(p);
	t.mtu = fl_get16(p), p += 2;
	t.lease_s = fl_get32(p), p += 4;
	t.t1_s = fl_get32(p), p += 4;
	t.t2_s = fl_get32(p), p += 4;
	t.start = ((uint64_t)fl_get32(p) << 32) | fl_get32(p + 4);
	if (!t.addr || t.addr == BCAST || t.n_router > FL_DHCP_MAX_ADDRS ||
	    t.n_dns > FL_DHCP_MAX_ADDRS || (t.mask && fl_dhcp_mask_len(t.mask) < 0) ||
	    (t.mtu && t.mtu < 68) || t.lease_s == 0 || t.t1_s > t.t2_s || t.t2_s > t.lease_s)
		return FL_DHCP_OPT_BAD;
	*l = t;
	return FL_DHCP_OK;
}
