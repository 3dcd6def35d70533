/* SPDX-License-Identifier: MIT */
/*
 * test_dhcp: the DHCP message parser/builder (src/wire/dhcp_msg.c) and the
 * client state machine (src/l2/dhcp_client.c), one case per RFC 2131/2132/
 * 3396 requirement, driven with made-up times and a scripted server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "l2/dhcp_client.h"
#include "wire/csum.h"
#include "wire/dhcp_msg.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))
#define SERVER IP(192, 0, 2, 1)
#define OTHER_SERVER IP(192, 0, 2, 254)
#define ADDR IP(192, 0, 2, 50)
#define BCAST 0xffffffffu
#define T0 FL_TIME_S(1000)

static const uint8_t mac[6] = {0x02, 0, 0x5e, 0, 0x53, 0x01};
static const uint8_t rnd[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* A scripted server reply: the fixed header, then options appended. */
struct reply {
	uint8_t b[FL_DHCP_MAX_LEN];
	size_t n;
};

static void reply_init(struct reply *r, uint8_t type, uint32_t xid, uint32_t yiaddr)
{
	memset(r, 0, sizeof(*r));
	r->b[0] = 2;
	r->b[1] = 1;
	r->b[2] = 6;
	fl_put32(r->b + 4, xid);
	fl_put32(r->b + 16, yiaddr);
	memcpy(r->b + 28, mac, 6);
	fl_put32(r->b + 236, FL_DHCP_MAGIC);
	r->n = 240;
	if (type) {
		r->b[r->n++] = 53;
		r->b[r->n++] = 1;
		r->b[r->n++] = type;
	}
}

static void opt(struct reply *r, uint8_t code, const void *data, uint8_t len)
{
	r->b[r->n++] = code;
	r->b[r->n++] = len;
	memcpy(r->b + r->n, data, len);
	r->n += len;
}

static void opt32(struct reply *r, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	fl_put32(b, v);
	opt(r, code, b, 4);
}

static void end(struct reply *r)
{
	r->b[r->n++] = 255;
}

/* An OFFER or ACK as dnsmasq sends one. */
static void server_msg(struct reply *r, uint8_t type, uint32_t xid, uint32_t yiaddr,
		       uint32_t server, uint32_t lease)
{
	reply_init(r, type, xid, yiaddr);
	opt32(r, 54, server);
	opt32(r, 51, lease);
	opt32(r, 1, 0xffffff00u);
	opt32(r, 3, SERVER);
	opt32(r, 6, SERVER);
	end(r);
}

/* The DHCP message inside a packet the client sent, parsed. */
static void sent_msg(const struct fl_dhcp_out *o, struct fl_dhcp_msg *m)
{
	const uint8_t *p;
	size_t n;
	uint32_t src;
	uint8_t copy[sizeof(o->pkt)];

	assert_true(o->len > 0);
	/* unwrap wants a datagram to port 68; swap the ports of our copy. */
	memcpy(copy, o->pkt, o->len);
	fl_put16(copy + 20, 67);
	fl_put16(copy + 22, 68);
	assert_int_equal(fl_dhcp_ip_unwrap(copy, o->len, &p, &n, &src), FL_DHCP_OK);
	assert_int_equal(src, o->src);
	assert_int_equal(fl_get32(copy + 16), o->dst);
	assert_int_equal(fl_dhcp_parse(p, n, m), FL_DHCP_OK);
	assert_int_equal(m->op, 1);
	assert_memory_equal(m->chaddr, mac, 6);
}

/* Start a client and take it to BOUND with a lease of lease_s seconds. */
static void bind_client(struct fl_dhcp_client *c, uint32_t lease_s, struct fl_dhcp_out *o)
{
	struct reply r;

	fl_dhcp_init(c, mac, rnd);
	fl_dhcp_start(c, T0, o);
	server_msg(&r, FL_DHCP_OFFER, c->xid, ADDR, SERVER, lease_s);
	fl_dhcp_input(c, r.b, r.n, T0 + FL_TIME_MS(10), o);
	assert_int_equal(c->state, FL_DHCP_REQUESTING);
	server_msg(&r, FL_DHCP_ACK, c->xid, ADDR, SERVER, lease_s);
	fl_dhcp_input(c, r.b, r.n, T0 + FL_TIME_MS(20), o);
	assert_int_equal(o->ev, FL_DHCP_EV_BOUND);
	assert_int_equal(c->state, FL_DHCP_BOUND);
}

static void test_parse_header_errors(void **state)
{
	struct reply r;
	struct fl_dhcp_msg m;

	(void)state;
	server_msg(&r, FL_DHCP_ACK, 7, ADDR, SERVER, 100);
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OK);
	assert_int_equal(fl_dhcp_parse(r.b, 239, &m), FL_DHCP_SHORT);
	assert_int_equal(m.xid, 0);	/* cleared on failure */
	assert_int_equal(fl_dhcp_parse(r.b, FL_DHCP_MAX_LEN + 1, &m), FL_DHCP_TOO_LONG);
	r.b[0] = 3;
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_BAD_OP);
	r.b[0] = 2;
	r.b[2] = 17;
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_BAD_HLEN);
	r.b[2] = 6;
	r.b[239] ^= 1;
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_BAD_COOKIE);
	for (int e = 0; e <= FL_DHCP_ERR_MAX; e++)
		assert_non_null(fl_dhcp_strerror((enum fl_dhcp_err)e));
}

static void test_parse_fields(void **state)
{
	struct reply r;
	struct fl_dhcp_msg m;
	uint8_t mtu[2] = {0x05, 0xdc};

	(void)state;
	reply_init(&r, FL_DHCP_ACK, 0x11223344, ADDR);
	r.b[r.n++] = 0;		/* Pad */
	opt32(&r, 54, SERVER);
	opt32(&r, 51, 3600);
	opt32(&r, 58, 1000);
	opt32(&r, 59, 2000);
	opt32(&r, 1, 0xfffffc00u);
	opt(&r, 26, mtu, 2);
	opt(&r, 56, "no\x01", 3);
	uint8_t six[24];
	for (int i = 0; i < 6; i++)
		fl_put32(six + 4 * i, IP(198, 51, 100, i + 1));
	opt(&r, 6, six, sizeof(six));
	end(&r);
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OK);
	assert_int_equal(m.type, FL_DHCP_ACK);
	assert_int_equal(m.xid, 0x11223344);
	assert_int_equal(m.yiaddr, ADDR);
	assert_int_equal(m.server_id, SERVER);
	assert_int_equal(m.lease_s, 3600);
	assert_true(m.has_t1 && m.has_t2);
	assert_int_equal(m.t1_s, 1000);
	assert_int_equal(m.t2_s, 2000);
	assert_int_equal(fl_dhcp_mask_len(m.mask), 22);
	assert_int_equal(m.mtu, 1500);
	assert_string_equal(m.text, "no?");
	/* A list longer than we keep: the first FL_DHCP_MAX_ADDRS. */
	assert_int_equal(m.n_dns, FL_DHCP_MAX_ADDRS);
	assert_int_equal(m.dns[3], IP(198, 51, 100, 4));
	assert_int_equal(m.n_router, 0);
}

/* RFC 2132 2: every option's length is checked against its area; an area
 * must end with End; known options have fixed lengths. */
static void test_parse_malformed_options(void **state)
{
	struct reply r;
	struct fl_dhcp_msg m;
	uint8_t three[3] = {255, 255, 255};

	(void)state;
	server_msg(&r, FL_DHCP_ACK, 7, ADDR, SERVER, 100);
	/* Truncated: cut inside the last option, and inside a length byte. */
	assert_int_equal(fl_dhcp_parse(r.b, r.n - 3, &m), FL_DHCP_OPT_TRUNC);
	assert_int_equal(fl_dhcp_parse(r.b, 244, &m), FL_DHCP_OPT_TRUNC);
	/* No End: the last byte removed leaves a whole option, then nothing. */
	assert_int_equal(fl_dhcp_parse(r.b, r.n - 1, &m), FL_DHCP_OPT_NO_END);
	/* Bytes after End are padding. */
	r.b[r.n] = 0x42;
	assert_int_equal(fl_dhcp_parse(r.b, r.n + 1, &m), FL_DHCP_OK);

	reply_init(&r, FL_DHCP_ACK, 7, ADDR);
	opt(&r, 1, three, 3);
	end(&r);
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OPT_BAD);
	reply_init(&r, FL_DHCP_ACK, 7, ADDR);
	opt32(&r, 1, 0xff00ff00u);	/* not contiguous */
	end(&r);
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OPT_BAD);
	reply_init(&r, FL_DHCP_ACK, 7, ADDR);
	opt(&r, 3, three, 3);		/* not a whole address */
	end(&r);
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OPT_BAD);
	reply_init(&r, 9, 7, ADDR);	/* message type 9 */
	end(&r);
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_BAD_TYPE);
	reply_init(&r, 0, 7, ADDR);	/* BOOTP: no type, fine to parse */
	end(&r);
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OK);
	assert_int_equal(m.type, FL_DHCP_NONE);
	/* Unknown options are skipped by their length. */
	reply_init(&r, FL_DHCP_OFFER, 7, ADDR);
	opt(&r, 200, three, 3);
	opt32(&r, 54, SERVER);
	end(&r);
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OK);
	assert_int_equal(m.server_id, SERVER);
}

/* RFC 2131 4.1 / RFC 2132 9.3: option 52 moves options into the file and
 * sname fields (read in the order options, file, sname), and RFC 3396
 * joins an option split across them. */
static void test_parse_overload(void **state)
{
	struct reply r;
	struct fl_dhcp_msg m;
	uint8_t ov = 3, a[4], b[4];

	(void)state;
	fl_put32(a, IP(198, 51, 100, 1));
	fl_put32(b, IP(198, 51, 100, 2));
	reply_init(&r, FL_DHCP_ACK, 7, ADDR);
	uint8_t *ovp = r.b + r.n + 2;	/* option 52's value */
	opt(&r, 52, &ov, 1);
	opt(&r, 6, a, 2);		/* first half of the first address */
	end(&r);
	/* file (offset 108): the rest of it, then the second address. */
	uint8_t *f = r.b + 108;
	f[0] = 6, f[1] = 2, f[2] = a[2], f[3] = a[3];
	f[4] = 6, f[5] = 4, memcpy(f + 6, b, 4);
	f[10] = 255;
	/* sname (offset 44): the server id. */
	uint8_t *s = r.b + 44;
	s[0] = 54, s[1] = 4, fl_put32(s + 2, SERVER), s[6] = 255;
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OK);
	assert_int_equal(m.overload, 3);
	assert_int_equal(m.n_dns, 2);
	assert_int_equal(m.dns[0], IP(198, 51, 100, 1));
	assert_int_equal(m.dns[1], IP(198, 51, 100, 2));
	assert_int_equal(m.server_id, SERVER);
	/* Only file overloaded: sname is a name, not options. */
	*ovp = 1;
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OK);
	assert_false(m.has_server_id);
	assert_int_equal(m.n_dns, 2);
	/* Only sname: the first address stays half an address. */
	*ovp = 2;
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OPT_BAD);
	/* An overloaded area needs its own End, and lengths inside it. */
	*ovp = 3;
	memset(s + 6, 0, 58);
	s[62] = 1;	/* a mask whose 4 bytes would run past sname */
	s[63] = 4;
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OPT_TRUNC);
	s[62] = s[63] = 0;
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OPT_NO_END);
	*ovp = 4;
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_BAD_OVERLOAD);
	*ovp = 0;
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_BAD_OVERLOAD);
	/* Not overloaded: whatever sname and file hold is ignored. */
	server_msg(&r, FL_DHCP_ACK, 7, ADDR, SERVER, 100);
	memset(r.b + 44, 0xee, 64 + 128);
	assert_int_equal(fl_dhcp_parse(r.b, r.n, &m), FL_DHCP_OK);
	assert_int_equal(m.overload, 0);
}

static void test_ip_wrap_unwrap(void **state)
{
	uint8_t pkt[FL_DHCP_IPUDP_LEN + 300 + 4] = {0};
	const uint8_t *p;
	size_t total, n;
	uint32_t src;

	(void)state;
	memset(pkt + FL_DHCP_IPUDP_LEN, 0xab, 300);
	assert_int_equal(fl_dhcp_ip_wrap(SERVER, BCAST, pkt, sizeof(pkt), 300, &total), FL_DHCP_OK);
	assert_int_equal(total, FL_DHCP_IPUDP_LEN + 300);
	assert_int_equal(fl_dhcp_ip_wrap(SERVER, BCAST, pkt, sizeof(pkt), 305, &total),
			 FL_DHCP_NO_ROOM);
	/* As a server would send it: ports 67 -> 68. */
	assert_int_equal(fl_dhcp_ip_wrap(SERVER, BCAST, pkt, sizeof(pkt), 300, &total), FL_DHCP_OK);
	fl_put16(pkt + 20, 67);
	fl_put16(pkt + 22, 68);
	fl_put16(pkt + 26, 0);	/* no UDP checksum: allowed */
	assert_int_equal(fl_dhcp_ip_unwrap(pkt, total, &p, &n, &src), FL_DHCP_OK);
	assert_ptr_equal(p, pkt + 28);
	assert_int_equal(n, 300);
	assert_int_equal(src, SERVER);
	/* Ethernet padding after the datagram is fine. */
	assert_int_equal(fl_dhcp_ip_unwrap(pkt, total + 4, &p, &n, &src), FL_DHCP_OK);
	assert_int_equal(n, 300);
	assert_int_equal(fl_dhcp_ip_unwrap(pkt, total - 1, &p, &n, &src), FL_DHCP_BAD_IP);
	assert_null(p);
	fl_put16(pkt + 26, 1);	/* a wrong UDP checksum */
	assert_int_equal(fl_dhcp_ip_unwrap(pkt, total, &p, &n, &src), FL_DHCP_BAD_CSUM);
	fl_put16(pkt + 26, 0);
	fl_put16(pkt + 22, 53);
	assert_int_equal(fl_dhcp_ip_unwrap(pkt, total, &p, &n, &src), FL_DHCP_NOT_DHCP);
	fl_put16(pkt + 22, 68);
	pkt[8]--;		/* TTL changed: the IP header checksum fails */
	assert_int_equal(fl_dhcp_ip_unwrap(pkt, total, &p, &n, &src), FL_DHCP_BAD_CSUM);
	pkt[8]++;
	pkt[6] = 0x20;		/* More Fragments */
	assert_int_equal(fl_dhcp_ip_unwrap(pkt, total, &p, &n, &src), FL_DHCP_BAD_IP);
}

/* RFC 2131 3.1: DISCOVER, OFFER, REQUEST (SELECTING: options 50 and 54,
 * ciaddr 0, broadcast), ACK; the lease's fields come from the ACK. */
static void test_exchange(void **state)
{
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	struct fl_dhcp_msg m;
	struct reply r;

	(void)state;
	fl_dhcp_init(&c, mac, rnd);
	fl_dhcp_start(&c, T0, &o);
	assert_int_equal(c.state, FL_DHCP_SELECTING);
	sent_msg(&o, &m);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);
	assert_int_equal(o.dst, BCAST);
	assert_int_equal(o.src, 0);
	assert_int_equal(m.ciaddr, 0);
	assert_int_equal(m.xid, c.xid);
	server_msg(&r, FL_DHCP_OFFER, c.xid, ADDR, SERVER, 600);
	fl_dhcp_input(&c, r.b, r.n, T0 + FL_TIME_S(2), &o);
	assert_int_equal(c.state, FL_DHCP_REQUESTING);
	sent_msg(&o, &m);
	assert_int_equal(m.type, FL_DHCP_REQUEST);
	assert_int_equal(m.requested_ip, ADDR);
	assert_int_equal(m.server_id, SERVER);
	assert_int_equal(m.ciaddr, 0);
	assert_int_equal(m.secs, 2);
	assert_int_equal(o.dst, BCAST);
	/* A second OFFER is not wanted any more. */
	fl_dhcp_input(&c, r.b, r.n, T0 + FL_TIME_S(2), &o);
	assert_int_equal(o.len, 0);
	assert_int_equal(c.drops[FL_DHCP_DROP_STATE], 1);
	server_msg(&r, FL_DHCP_ACK, c.xid, ADDR, SERVER, 600);
	fl_dhcp_input(&c, r.b, r.n, T0 + FL_TIME_S(3), &o);
	assert_int_equal(o.ev, FL_DHCP_EV_BOUND);
	assert_int_equal(o.len, 0);
	const struct fl_dhcp_lease *l = fl_dhcp_lease(&c);
	assert_non_null(l);
	assert_int_equal(l->addr, ADDR);
	assert_int_equal(fl_dhcp_lease_prefix(l), 24);
	assert_int_equal(l->n_router, 1);
	assert_int_equal(l->router[0], SERVER);
	assert_int_equal(l->dns[0], SERVER);
	assert_int_equal(l->server_id, SERVER);
	/* RFC 2131 4.4.1: the lease runs from when the REQUEST was sent. */
	assert_int_equal(l->start, T0 + FL_TIME_S(2));
	assert_int_equal(fl_dhcp_lease_end(l), T0 + FL_TIME_S(602));
	assert_int_equal(o.next, fl_dhcp_lease_t1(l));
	/* Without a mask: the class default (RFC 1122 3.3.1.1). */
	struct fl_dhcp_lease nm = {.addr = IP(10, 1, 2, 3)};
	assert_int_equal(fl_dhcp_lease_prefix(&nm), 8);
	nm.addr = IP(172, 16, 0, 1);
	assert_int_equal(fl_dhcp_lease_prefix(&nm), 16);
	nm.addr = ADDR;
	assert_int_equal(fl_dhcp_lease_prefix(&nm), 24);
}

/* RFC 2131 4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease; the
 * server's values are kept when ordered. */
static void test_t1_t2(void **state)
{
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	struct reply r;
	static const struct {
		uint32_t t1, t2;	/* 0: not sent */
		uint32_t want1, want2;
	} cases[] = {
		{0, 0, 500, 875},
		{100, 200, 100, 200},
		{0, 300, 300, 300},	/* default T1 past T2: T1 = T2 */
		{900, 0, 500, 875},	/* T1 past T2: default */
		{100, 2000, 100, 875},	/* T2 past the lease: default */
		{1000, 1000, 1000, 1000},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fl_dhcp_init(&c, mac, rnd);
		fl_dhcp_start(&c, T0, &o);
		server_msg(&r, FL_DHCP_OFFER, c.xid, ADDR, SERVER, 1000);
		fl_dhcp_input(&c, r.b, r.n, T0, &o);
		server_msg(&r, FL_DHCP_ACK, c.xid, ADDR, SERVER, 1000);
		r.n--;	/* before End */
		if (cases[i].t1)
			opt32(&r, 58, cases[i].t1);
		if (cases[i].t2)
			opt32(&r, 59, cases[i].t2);
		end(&r);
		fl_dhcp_input(&c, r.b, r.n, T0, &o);
		assert_int_equal(o.ev, FL_DHCP_EV_BOUND);
		assert_int_equal(c.lease.t1_s, cases[i].want1);
		assert_int_equal(c.lease.t2_s, cases[i].want2);
	}
}

/* RFC 2131 4.1: retransmissions after 4, 8, 16, 32, 64, 64 s, each moved
 * by a uniform -1..+1 s; the same xid throughout one exchange. */
static void test_backoff_bounds(void **state)
{
	static const unsigned want[] = {4, 8, 16, 32, 64, 64, 64};
	uint8_t seed[16] = {0};
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	fl_time_t lo_seen = FL_DHCP_NEVER, hi_seen = 0;

	(void)state;
	for (int s = 0; s < 200; s++) {
		seed[0] = (uint8_t)s;
		seed[9] = (uint8_t)(s * 7);
		fl_dhcp_init(&c, mac, seed);
		fl_time_t now = T0;
		fl_dhcp_start(&c, now, &o);
		uint32_t xid = c.xid;
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			fl_time_t d = o.next - now;
			assert_true(d >= FL_TIME_S(want[i] - 1));
			assert_true(d <= FL_TIME_S(want[i] + 1));
			if (i == 0) {
				lo_seen = d < lo_seen ? d : lo_seen;
				hi_seen = d > hi_seen ? d : hi_seen;
			}
			/* Nothing before the deadline. */
			fl_dhcp_tick(&c, o.next - 1, &o);
			assert_int_equal(o.len, 0);
			now = c.next;
			fl_dhcp_tick(&c, now, &o);
			assert_true(o.len > 0);
			assert_int_equal(c.xid, xid);
			assert_int_equal(c.state, FL_DHCP_SELECTING);
		}
	}
	/* The jitter is used: both halves of the -1..+1 s range are seen. */
	assert_true(lo_seen < FL_TIME_S(3) + FL_TIME_MS(200));
	assert_true(hi_seen > FL_TIME_S(5) - FL_TIME_MS(200));
}

/* RFC 2131 4.4.1: replies are matched on xid and chaddr; a BOOTREQUEST,
 * a BOOTP reply, an OFFER without a server id and malformed messages are
 * dropped and counted. */
static void test_ignore_foreign(void **state)
{
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	struct reply r;

	(void)state;
	fl_dhcp_init(&c, mac, rnd);
	fl_dhcp_start(&c, T0, &o);
	server_msg(&r, FL_DHCP_OFFER, c.xid + 1, ADDR, SERVER, 600);
	fl_dhcp_input(&c, r.b, r.n, T0, &o);
	assert_int_equal(c.drops[FL_DHCP_DROP_XID], 1);
	server_msg(&r, FL_DHCP_OFFER, c.xid, ADDR, SERVER, 600);
	r.b[28 + 5] ^= 1;
	fl_dhcp_input(&c, r.b, r.n, T0, &o);
	assert_int_equal(c.drops[FL_DHCP_DROP_CHADDR], 1);
	server_msg(&r, FL_DHCP_OFFER, c.xid, ADDR, SERVER, 600);
	r.b[2] = 8;	/* chaddr matches in its first 6 bytes, but hlen 8 */
	fl_dhcp_input(&c, r.b, r.n, T0, &o);
	assert_int_equal(c.drops[FL_DHCP_DROP_CHADDR], 2);
	server_msg(&r, FL_DHCP_OFFER, c.xid, ADDR, SERVER, 600);
	r.b[0] = 1;
	fl_dhcp_input(&c, r.b, r.n, T0, &o);
	reply_init(&r, 0, c.xid, ADDR);
	end(&r);
	fl_dhcp_input(&c, r.b, r.n, T0, &o);
	assert_int_equal(c.drops[FL_DHCP_DROP_NOT_REPLY], 2);
	reply_init(&r, FL_DHCP_OFFER, c.xid, ADDR);
	end(&r);
	fl_dhcp_input(&c, r.b, r.n, T0, &o);
	assert_int_equal(c.drops[FL_DHCP_DROP_INCOMPLETE], 1);
	fl_dhcp_input(&c, r.b, 100, T0, &o);
	assert_int_equal(c.drops[FL_DHCP_DROP_PARSE], 1);
	server_msg(&r, FL_DHCP_ACK, c.xid, ADDR, SERVER, 600);
	fl_dhcp_input(&c, r.b, r.n, T0, &o);	/* an ACK while selecting */
	assert_int_equal(c.drops[FL_DHCP_DROP_STATE], 1);
	assert_int_equal(c.state, FL_DHCP_SELECTING);
	assert_int_equal(o.len, 0);
	assert_int_equal(o.ev, FL_DHCP_EV_NONE);
	for (int d = 0; d <= FL_DHCP_DROP_MAX; d++)
		assert_non_null(fl_dhcp_drop_name((enum fl_dhcp_drop)d));
	for (int s = 0; s <= FL_DHCP_STATE_MAX; s++)
		assert_non_null(fl_dhcp_state_name((enum fl_dhcp_state)s));
}

/* RFC 2131 3.1.5 / 4.4.1: a NAK to our REQUEST sends us back to INIT; only
 * the server we asked may NAK; an ACK without a lease time is no ACK. */
static void test_nak_requesting(void **state)
{
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	struct fl_dhcp_msg m;
	struct reply r;

	(void)state;
	fl_dhcp_init(&c, mac, rnd);
	fl_dhcp_start(&c, T0, &o);
	server_msg(&r, FL_DHCP_OFFER, c.xid, ADDR, SERVER, 600);
	fl_dhcp_input(&c, r.b, r.n, T0, &o);
	uint32_t xid = c.xid;
	reply_init(&r, FL_DHCP_NAK, xid, 0);
	opt32(&r, 54, OTHER_SERVER);
	end(&r);
	fl_dhcp_input(&c, r.b, r.n, T0, &o);
	assert_int_equal(c.drops[FL_DHCP_DROP_SERVER], 1);
	assert_int_equal(c.state, FL_DHCP_REQUESTING);
	reply_init(&r, FL_DHCP_ACK, xid, ADDR);
	opt32(&r, 54, SERVER);
	end(&r);
	fl_dhcp_input(&c, r.b, r.n, T0, &o);
	assert_int_equal(c.drops[FL_DHCP_DROP_INCOMPLETE], 1);
	reply_init(&r, FL_DHCP_NAK, xid, 0);
	opt32(&r, 54, SERVER);
	end(&r);
	fl_dhcp_input(&c, r.b, r.n, T0 + FL_TIME_S(1), &o);
	assert_int_equal(o.ev, FL_DHCP_EV_NONE);	/* nothing was held */
	assert_int_equal(c.state, FL_DHCP_SELECTING);
	assert_int_equal(c.naks, 1);
	assert_int_not_equal(c.xid, xid);
	sent_msg(&o, &m);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);
	assert_null(fl_dhcp_lease(&c));
}

/* Four REQUESTs without an answer: back to INIT (RFC 2131 3.1.5 leaves
 * the count to the client). */
static void test_requesting_gives_up(void **state)
{
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	struct fl_dhcp_msg m;
	struct reply r;
	int requests = 1;

	(void)state;
	fl_dhcp_init(&c, mac, rnd);
	fl_dhcp_start(&c, T0, &o);
	server_msg(&r, FL_DHCP_OFFER, c.xid, ADDR, SERVER, 600);
	fl_dhcp_input(&c, r.b, r.n, T0, &o);
	while (c.state == FL_DHCP_REQUESTING) {
		fl_dhcp_tick(&c, o.next, &o);
		sent_msg(&o, &m);
		if (m.type == FL_DHCP_REQUEST)
			requests++;
	}
	assert_int_equal(requests, FL_DHCP_REQUEST_TRIES);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);
	assert_int_equal(c.state, FL_DHCP_SELECTING);
}

/* RFC 2131 4.4.5: at T1 RENEWING, a REQUEST unicast to the server with
 * ciaddr set and no options 50/54, retransmitted after half the time to
 * T2 (at least 60 s); at T2 REBINDING, broadcast; at the lease's end the
 * address is lost and we start over. */
static void test_renew_rebind_expire(void **state)
{
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	struct fl_dhcp_msg m;

	(void)state;
	bind_client(&c, 1000, &o);
	fl_time_t start = c.lease.start, t1 = start + FL_TIME_S(500);
	assert_int_equal(o.next, t1);
	fl_dhcp_tick(&c, t1 - 1, &o);
	assert_int_equal(o.len, 0);
	fl_dhcp_tick(&c, t1, &o);
	assert_int_equal(c.state, FL_DHCP_RENEWING);
	sent_msg(&o, &m);
	assert_int_equal(m.type, FL_DHCP_REQUEST);
	assert_int_equal(m.ciaddr, ADDR);
	assert_int_equal(m.requested_ip, 0);
	assert_false(m.has_server_id);
	assert_int_equal(m.secs, 0);
	assert_int_equal(o.src, ADDR);
	assert_int_equal(o.dst, SERVER);
	/* T2 at 875 s: half of 375 s left. */
	assert_int_equal(o.next, t1 + FL_TIME_MS(187500));
	fl_dhcp_tick(&c, o.next, &o);
	sent_msg(&o, &m);
	assert_int_equal(o.dst, SERVER);
	assert_int_equal(o.next - (t1 + FL_TIME_MS(187500)), FL_TIME_MS(93750));
	/* Later the 60 s floor applies, cut at T2. */
	fl_dhcp_tick(&c, start + FL_TIME_S(850), &o);
	assert_int_equal(o.next, start + FL_TIME_S(875));
	fl_dhcp_tick(&c, o.next, &o);
	assert_int_equal(c.state, FL_DHCP_REBINDING);
	sent_msg(&o, &m);
	assert_int_equal(o.dst, BCAST);
	assert_int_equal(o.src, ADDR);
	assert_int_equal(m.ciaddr, ADDR);
	assert_false(m.has_server_id);
	assert_int_equal(o.next, start + FL_TIME_MS(937500));
	assert_non_null(fl_dhcp_lease(&c));
	fl_dhcp_tick(&c, start + FL_TIME_S(1000), &o);
	assert_int_equal(o.ev, FL_DHCP_EV_LOST);
	assert_int_equal(c.state, FL_DHCP_SELECTING);
	sent_msg(&o, &m);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);
	assert_null(fl_dhcp_lease(&c));
}

/* An ACK while renewing extends the lease from the renewal's REQUEST; a
 * NAK while renewing or rebinding loses the address. */
static void test_renew_ack_nak(void **state)
{
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	struct reply r;

	(void)state;
	bind_client(&c, 1000, &o);
	fl_time_t t1 = fl_dhcp_lease_t1(&c.lease);
	fl_dhcp_tick(&c, t1, &o);
	server_msg(&r, FL_DHCP_ACK, c.xid, ADDR, OTHER_SERVER, 1000);
	fl_dhcp_input(&c, r.b, r.n, t1 + 5, &o);	/* not the server asked */
	assert_int_equal(c.drops[FL_DHCP_DROP_SERVER], 1);
	server_msg(&r, FL_DHCP_ACK, c.xid, ADDR, SERVER, 1000);
	fl_dhcp_input(&c, r.b, r.n, t1 + 5, &o);
	assert_int_equal(o.ev, FL_DHCP_EV_RENEWED);
	assert_int_equal(c.state, FL_DHCP_BOUND);
	assert_int_equal(c.lease.start, t1);
	assert_int_equal(o.next, t1 + FL_TIME_S(500));
	/* Rebinding: any server may answer; a NAK loses the address. */
	fl_dhcp_tick(&c, t1 + FL_TIME_S(875), &o);
	assert_int_equal(c.state, FL_DHCP_REBINDING);
	reply_init(&r, FL_DHCP_NAK, c.xid, 0);
	opt32(&r, 54, OTHER_SERVER);
	end(&r);
	fl_dhcp_input(&c, r.b, r.n, t1 + FL_TIME_S(876), &o);
	assert_int_equal(o.ev, FL_DHCP_EV_LOST);
	assert_int_equal(c.state, FL_DHCP_SELECTING);
	assert_null(fl_dhcp_lease(&c));
}

/* RFC 2131 3.1.5 / 4.4.1: an address found in use is DECLINEd (options
 * 50 and 54, ciaddr 0, broadcast) and we wait 10 s before a DISCOVER. */
static void test_decline(void **state)
{
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	struct fl_dhcp_msg m;
	fl_time_t now = T0 + FL_TIME_S(1);

	(void)state;
	bind_client(&c, 600, &o);
	fl_dhcp_decline(&c, now, &o);
	sent_msg(&o, &m);
	assert_int_equal(m.type, FL_DHCP_DECLINE);
	assert_int_equal(m.requested_ip, ADDR);
	assert_int_equal(m.server_id, SERVER);
	assert_int_equal(m.ciaddr, 0);
	assert_int_equal(o.dst, BCAST);
	assert_int_equal(o.src, 0);
	assert_int_equal(c.state, FL_DHCP_INIT);
	assert_null(fl_dhcp_lease(&c));
	assert_int_equal(o.next, now + FL_TIME_S(10));
	fl_dhcp_tick(&c, now + FL_TIME_S(10) - 1, &o);
	assert_int_equal(o.len, 0);
	fl_dhcp_tick(&c, now + FL_TIME_S(10), &o);
	sent_msg(&o, &m);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);
	/* Not bound: nothing to decline. */
	fl_dhcp_decline(&c, now, &o);
	assert_int_equal(o.len, 0);
	assert_int_equal(c.declines, 1);
}

/* RFC 2131 4.4.6: RELEASE is unicast to the server with ciaddr set. */
static void test_release(void **state)
{
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	struct fl_dhcp_msg m;

	(void)state;
	bind_client(&c, 600, &o);
	fl_dhcp_release(&c, T0 + FL_TIME_S(5), &o);
	sent_msg(&o, &m);
	assert_int_equal(m.type, FL_DHCP_RELEASE);
	assert_int_equal(m.ciaddr, ADDR);
	assert_int_equal(m.server_id, SERVER);
	assert_int_equal(o.dst, SERVER);
	assert_int_equal(c.state, FL_DHCP_STOPPED);
	assert_int_equal(o.next, FL_DHCP_NEVER);
	fl_dhcp_tick(&c, T0 + FL_TIME_S(5000), &o);
	assert_int_equal(o.len, 0);
}

/* A lease of 0xffffffff s never ends and is never renewed. */
static void test_infinite_lease(void **state)
{
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;

	(void)state;
	bind_client(&c, FL_DHCP_INFINITE, &o);
	assert_int_equal(o.next, FL_DHCP_NEVER);
	fl_dhcp_tick(&c, FL_DHCP_NEVER - 1, &o);
	assert_int_equal(o.len, 0);
	assert_int_equal(c.state, FL_DHCP_BOUND);
}

/* RFC 2131 3.2 / 4.3.2: INIT-REBOOT from a saved lease: REQUEST with
 * option 50, no server id, ciaddr 0, broadcast. ACK: bound again; NAK: the
 * address is lost and we start over; no answer: the lease is kept while it
 * lasts. */
static void test_init_reboot(void **state)
{
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	struct fl_dhcp_msg m;
	struct fl_dhcp_lease saved;
	struct reply r;
	uint8_t blob[FL_DHCP_LEASE_BLOB];

	(void)state;
	bind_client(&c, 600, &o);
	fl_dhcp_lease_save(&c.lease, blob);
	assert_int_equal(fl_dhcp_lease_load(blob, sizeof(blob), &saved), FL_DHCP_OK);
	assert_int_equal(saved.addr, ADDR);
	assert_int_equal(saved.start, c.lease.start);

	fl_time_t now = T0 + FL_TIME_S(100);
	fl_dhcp_init(&c, mac, rnd);
	fl_dhcp_restore(&c, &saved, now, &o);
	assert_int_equal(c.state, FL_DHCP_REBOOTING);
	sent_msg(&o, &m);
	assert_int_equal(m.type, FL_DHCP_REQUEST);
	assert_int_equal(m.requested_ip, ADDR);
	assert_false(m.has_server_id);
	assert_int_equal(m.ciaddr, 0);
	assert_int_equal(o.dst, BCAST);
	assert_null(fl_dhcp_lease(&c));
	server_msg(&r, FL_DHCP_ACK, c.xid, ADDR, SERVER, 600);
	fl_dhcp_input(&c, r.b, r.n, now + 1, &o);
	assert_int_equal(o.ev, FL_DHCP_EV_BOUND);
	assert_int_equal(c.lease.start, now);

	fl_dhcp_init(&c, mac, rnd);
	fl_dhcp_restore(&c, &saved, now, &o);
	reply_init(&r, FL_DHCP_NAK, c.xid, 0);
	opt32(&r, 54, SERVER);
	opt(&r, 56, "wrong network", 13);
	end(&r);
	fl_dhcp_input(&c, r.b, r.n, now + 1, &o);
	assert_int_equal(o.ev, FL_DHCP_EV_LOST);
	assert_int_equal(c.state, FL_DHCP_SELECTING);
	sent_msg(&o, &m);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);

	fl_dhcp_init(&c, mac, rnd);
	fl_dhcp_restore(&c, &saved, now, &o);
	for (unsigned i = 1; i < FL_DHCP_REQUEST_TRIES; i++) {
		fl_dhcp_tick(&c, o.next, &o);
		assert_int_equal(c.state, FL_DHCP_REBOOTING);
	}
	/* No answer (RFC 2131 3.2): the saved lease has 600 s, about 60 s
	 * of them spent asking; it is kept, renewed at its own T1. */
	fl_dhcp_tick(&c, o.next, &o);
	assert_int_equal(o.ev, FL_DHCP_EV_BOUND);
	assert_int_equal(c.state, FL_DHCP_BOUND);
	assert_int_equal(o.len, 0);
	assert_int_equal(c.lease.start, saved.start);
	assert_int_equal(o.next, fl_dhcp_lease_t1(&saved));
	/* The same with the lease ending while we asked: lost. */
	fl_dhcp_init(&c, mac, rnd);
	fl_dhcp_restore(&c, &saved, fl_dhcp_lease_end(&saved) - FL_TIME_S(30), &o);
	while (c.state == FL_DHCP_REBOOTING)
		fl_dhcp_tick(&c, o.next, &o);
	assert_int_equal(o.ev, FL_DHCP_EV_LOST);
	assert_int_equal(c.state, FL_DHCP_SELECTING);

	/* A lease that has ended: straight to DISCOVER. */
	fl_dhcp_init(&c, mac, rnd);
	fl_dhcp_restore(&c, &saved, fl_dhcp_lease_end(&saved), &o);
	assert_int_equal(c.state, FL_DHCP_SELECTING);
}

/* A lease whose ACK named no server (allowed after INIT-REBOOT): the
 * renewal cannot be unicast, so it is broadcast, and any server's ACK is
 * taken. */
static void test_renew_without_server_id(void **state)
{
	struct fl_dhcp_lease saved = {.addr = ADDR, .lease_s = 100, .t1_s = 50, .t2_s = 87,
				      .start = T0};
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	struct reply r;

	(void)state;
	fl_dhcp_init(&c, mac, rnd);
	fl_dhcp_restore(&c, &saved, T0, &o);
	reply_init(&r, FL_DHCP_ACK, c.xid, ADDR);
	opt32(&r, 51, 100);
	end(&r);
	fl_dhcp_input(&c, r.b, r.n, T0, &o);
	assert_int_equal(o.ev, FL_DHCP_EV_BOUND);
	assert_int_equal(c.lease.server_id, 0);
	fl_dhcp_tick(&c, T0 + FL_TIME_S(50), &o);
	assert_int_equal(c.state, FL_DHCP_RENEWING);
	assert_int_equal(o.dst, BCAST);
	assert_int_equal(o.src, ADDR);
	server_msg(&r, FL_DHCP_ACK, c.xid, ADDR, SERVER, 100);
	fl_dhcp_input(&c, r.b, r.n, T0 + FL_TIME_S(51), &o);
	assert_int_equal(o.ev, FL_DHCP_EV_RENEWED);
	assert_int_equal(c.lease.server_id, SERVER);
}

/* A saved lease is checked field by field when loaded. */
static void test_lease_blob(void **state)
{
	struct fl_dhcp_lease l = {.addr = ADDR, .mask = 0xffffff00u, .server_id = SERVER,
				  .n_router = 1, .router = {SERVER}, .n_dns = 2,
				  .dns = {SERVER, OTHER_SERVER}, .mtu = 1400, .lease_s = 600,
				  .t1_s = 300, .t2_s = 525, .start = 0x123456789abcull}, got;
	uint8_t b[FL_DHCP_LEASE_BLOB], bad[FL_DHCP_LEASE_BLOB];

	(void)state;
	fl_dhcp_lease_save(&l, b);
	assert_int_equal(fl_dhcp_lease_load(b, sizeof(b), &got), FL_DHCP_OK);
	fl_dhcp_lease_save(&got, bad);
	assert_memory_equal(bad, b, sizeof(b));
	assert_int_equal(got.dns[1], OTHER_SERVER);
	assert_int_equal(got.start, l.start);
	assert_int_equal(got.mtu, 1400);
	assert_int_equal(fl_dhcp_lease_load(b, sizeof(b) - 1, &got), FL_DHCP_SHORT);
	assert_int_equal(got.addr, 0);
	memcpy(bad, b, sizeof(b));
	bad[1] = 2;
	assert_int_equal(fl_dhcp_lease_load(bad, sizeof(bad), &got), FL_DHCP_BAD_COOKIE);
	memcpy(bad, b, sizeof(b));
	bad[14] = 5;	/* n_router */
	assert_int_equal(fl_dhcp_lease_load(bad, sizeof(bad), &got), FL_DHCP_OPT_BAD);
	l.t1_s = 600;
	l.t2_s = 500;
	fl_dhcp_lease_save(&l, bad);
	assert_int_equal(fl_dhcp_lease_load(bad, sizeof(bad), &got), FL_DHCP_OPT_BAD);
}

/* Built messages: BOOTP's 300-byte minimum, at most 548 bytes, End last. */
static void test_build(void **state)
{
	struct fl_dhcp_req rq = {.type = FL_DHCP_DISCOVER, .xid = 9, .broadcast = true};
	uint8_t b[FL_DHCP_BUILD_MAX];
	struct fl_dhcp_msg m;
	size_t n;

	(void)state;
	memcpy(rq.mac, mac, 6);
	assert_int_equal(fl_dhcp_build(&rq, b, sizeof(b) - 1, &n), FL_DHCP_NO_ROOM);
	assert_int_equal(fl_dhcp_build(&rq, b, sizeof(b), &n), FL_DHCP_OK);
	assert_int_equal(n, FL_DHCP_BUILD_MIN);
	assert_int_equal(fl_dhcp_parse(b, n, &m), FL_DHCP_OK);
	assert_int_equal(m.flags, 0x8000);
	assert_int_equal(m.xid, 9);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_header_errors),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_malformed_options),
		cmocka_unit_test(test_parse_overload),
		cmocka_unit_test(test_ip_wrap_unwrap),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_exchange),
		cmocka_unit_test(test_t1_t2),
		cmocka_unit_test(test_backoff_bounds),
		cmocka_unit_test(test_ignore_foreign),
		cmocka_unit_test(test_nak_requesting),
		cmocka_unit_test(test_requesting_gives_up),
		cmocka_unit_test(test_renew_rebind_expire),
		cmocka_unit_test(test_renew_ack_nak),
		cmocka_unit_test(test_decline),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_infinite_lease),
		cmocka_unit_test(test_init_reboot),
		cmocka_unit_test(test_renew_without_server_id),
		cmocka_unit_test(test_lease_blob),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
