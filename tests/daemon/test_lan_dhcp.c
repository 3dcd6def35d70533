/* SPDX-License-Identifier: MIT */
/*
 * test_lan_dhcp: the daemon's DHCP driver for a lan TAP
 * (src/daemon/fld_lan_dhcp.c) on top of the real client core, with a fake
 * clock and a scripted server speaking Ethernet frames: the exchange and
 * the ARP probe, applying the lease and the scripts' variables, renewal,
 * a conflict's DECLINE, NAK, the saved lease's INIT-REBOOT, bad frames.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon/dlog.h"
#include "daemon/fld_lan_dhcp.h"
#include "l2/arp.h"
#include "wire/csum.h"
#include "wire/dhcp_msg.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))
#define SERVER IP(192, 168, 200, 1)
#define ADDR IP(192, 168, 200, 57)
#define ADDR2 IP(192, 168, 200, 58)
#define DNS2 IP(192, 0, 2, 53)
#define T0 FL_TIME_S(1000)
#define MS(x) FL_TIME_MS(x)

static const uint8_t our_mac[6] = {0x02, 0, 0x5e, 0, 0x53, 0x01};
static const uint8_t srv_mac[6] = {0x02, 0, 0x5e, 0, 0x53, 0xfe};
static const uint8_t rnd[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* Everything the driver did through its ops. */
struct rec {
	uint8_t frame[16][700];
	size_t flen[16], nframes;
	uint32_t add, del;
	unsigned plen, naddr;
	char script[8][8];
	char vars[8][5][64];
	size_t nscripts;
	fl_time_t timer;
};

static struct rec R;

static void op_xmit(void *ctx, const uint8_t *f, size_t len)
{
	(void)ctx;
	assert_true(R.nframes < 16 && len <= sizeof(R.frame[0]));
	memcpy(R.frame[R.nframes], f, len);
	R.flen[R.nframes++] = len;
}

static void op_addr(void *ctx, uint32_t old_addr, uint32_t new_addr, unsigned plen)
{
	(void)ctx;
	R.naddr++;
	R.del = old_addr;
	R.add = new_addr;
	R.plen = plen;
}

static void op_script(void *ctx, const char *which, const char *const *vars)
{
	(void)ctx;
	assert_true(R.nscripts < 8);
	snprintf(R.script[R.nscripts], 8, "%s", which);
	for (size_t i = 0; vars[i]; i++) {
		assert_true(i < 5);
		snprintf(R.vars[R.nscripts][i], 64, "%s", vars[i]);
	}
	R.nscripts++;
}

static void op_timer(void *ctx, fl_time_t at)
{
	(void)ctx;
	R.timer = at;
}

static const struct fld_lan_dhcp_ops ops = {op_xmit, op_addr, op_script, op_timer, NULL};

static void rec_clear(void)
{
	memset(&R, 0, sizeof(R));
}

/* The DHCP message in frame i the driver wrote; dst_mac/dst_ip checked if set. */
static void sent(size_t i, struct fl_dhcp_msg *m, uint32_t *dst_ip, uint8_t *dst_mac)
{
	uint8_t copy[700];
	const uint8_t *p;
	size_t n, len = R.flen[i] - 14;
	uint32_t src;

	assert_true(i < R.nframes);
	assert_int_equal(fl_get16(R.frame[i] + 12), 0x0800);
	assert_memory_equal(R.frame[i] + 6, our_mac, 6);
	memcpy(copy, R.frame[i] + 14, len);
	/* Swapping the ports keeps the UDP checksum: unwrap wants port 68. */
	fl_put16(copy + 20, 67);
	fl_put16(copy + 22, 68);
	assert_int_equal(fl_dhcp_ip_unwrap(copy, len, &p, &n, &src), FL_DHCP_OK);
	assert_int_equal(fl_dhcp_parse(p, n, m), FL_DHCP_OK);
	if (dst_ip)
		*dst_ip = fl_get32(copy + 16);
	if (dst_mac)
		memcpy(dst_mac, R.frame[i], 6);
}

/* A server reply as the Ethernet frame the TAP would read. */
struct reply {
	uint8_t b[14 + 28 + 600];
	size_t n;		/* DHCP payload length */
	uint8_t *opt;
};

static void reply_opt(struct reply *r, uint8_t code, uint32_t v)
{
	uint8_t *o = r->b + 42 + r->n;

	o[0] = code;
	o[1] = 4;
	fl_put32(o + 2, v);
	r->n += 6;
}

static size_t reply_frame(struct reply *r, uint8_t type, uint32_t xid, uint32_t yiaddr,
			  uint32_t lease, uint32_t dns2)
{
	uint8_t *d = r->b + 42;
	size_t total;

	memset(r, 0, sizeof(*r));
	d[0] = 2, d[1] = 1, d[2] = 6;
	fl_put32(d + 4, xid);
	fl_put32(d + 16, yiaddr);
	memcpy(d + 28, our_mac, 6);
	fl_put32(d + 236, FL_DHCP_MAGIC);
	d[240] = 53, d[241] = 1, d[242] = type;
	r->n = 243;
	reply_opt(r, 54, SERVER);
	if (lease)
		reply_opt(r, 51, lease);
	reply_opt(r, 1, 0xffffff00u);
	reply_opt(r, 3, SERVER);
	d[r->n] = 6, d[r->n + 1] = dns2 ? 8 : 4;
	fl_put32(d + r->n + 2, SERVER);
	if (dns2)
		fl_put32(d + r->n + 6, dns2);
	r->n += dns2 ? 10 : 6;
	d[r->n++] = 255;
	assert_int_equal(fl_dhcp_ip_wrap(SERVER, 0xffffffffu, r->b + 14, sizeof(r->b) - 14, r->n,
					 &total), FL_DHCP_OK);
	fl_put16(r->b + 14 + 20, 67);
	fl_put16(r->b + 14 + 22, 68);
	memcpy(r->b, our_mac, 6);
	memcpy(r->b + 6, srv_mac, 6);
	fl_put16(r->b + 12, 0x0800);
	return 14 + total;
}

static void server_says(struct fld_lan_dhcp *dh, uint8_t type, uint32_t yiaddr, uint32_t lease,
			uint32_t dns2, fl_time_t now)
{
	struct reply r;
	size_t n = reply_frame(&r, type, fld_lan_dhcp_core(dh)->xid, yiaddr, lease, dns2);

	assert_true(fld_lan_dhcp_frame(dh, r.b, n, now));
}

/* A new driver taken through DISCOVER/OFFER/REQUEST/ACK to the probe. */
static struct fld_lan_dhcp *to_probe(uint32_t lease)
{
	struct fld_lan_dhcp *dh = fld_lan_dhcp_new("lan0", our_mac, rnd, &ops);
	struct fl_dhcp_msg m;
	uint8_t dmac[6];
	uint32_t dst;

	rec_clear();
	assert_non_null(dh);
	fld_lan_dhcp_start(dh, NULL, 0, T0);
	assert_int_equal(R.nframes, 1);
	sent(0, &m, &dst, dmac);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);
	assert_int_equal(dst, 0xffffffffu);
	assert_memory_equal(dmac, "\xff\xff\xff\xff\xff\xff", 6);
	assert_true(R.timer > T0 && R.timer <= T0 + FL_TIME_S(5));
	server_says(dh, FL_DHCP_OFFER, ADDR, lease, 0, T0 + MS(5));
	assert_int_equal(R.nframes, 2);
	sent(1, &m, NULL, NULL);
	assert_int_equal(m.type, FL_DHCP_REQUEST);
	assert_int_equal(m.requested_ip, ADDR);
	server_says(dh, FL_DHCP_ACK, ADDR, lease, DNS2, T0 + MS(10));
	/* Bound, but not applied: an ARP probe went out first. */
	assert_int_equal(R.nframes, 3);
	assert_int_equal(fl_get16(R.frame[2] + 12), 0x0806);
	assert_int_equal(R.naddr, 0);
	assert_int_equal(fld_lan_dhcp_addr(dh), 0);
	return dh;
}

static void probe_ends(struct fld_lan_dhcp *dh)
{
	struct fl_arp_msg a;

	assert_int_equal(fl_arp_parse(R.frame[2], R.flen[2], &a), FL_ARP_OK);
	assert_int_equal(fl_get32(a.spa), 0);
	assert_int_equal(fl_get32(a.tpa), ADDR);
	assert_int_equal(R.timer, T0 + MS(10) + MS(FLD_LAN_DHCP_PROBE_MS / 2));
	fld_lan_dhcp_tick(dh, R.timer);
	assert_int_equal(R.nframes, 4);	/* the second probe */
	assert_int_equal(R.naddr, 0);
	fld_lan_dhcp_tick(dh, R.timer);
	assert_int_equal(R.naddr, 1);
	assert_int_equal(R.add, ADDR);
	assert_int_equal(R.plen, 24);
	assert_int_equal(fld_lan_dhcp_addr(dh), ADDR);
}

static void test_bind_probe_apply(void **state)
{
	struct fld_lan_dhcp *dh = to_probe(120);

	(void)state;
	probe_ends(dh);
	assert_int_equal(R.nscripts, 1);
	assert_string_equal(R.script[0], "up");
	assert_string_equal(R.vars[0][0], "ADDRESS=192.168.200.57");
	assert_string_equal(R.vars[0][1], "PREFIXLEN=24");
	assert_string_equal(R.vars[0][2], "ROUTER=192.168.200.1");
	assert_string_equal(R.vars[0][3], "DNS=192.168.200.1 192.0.2.53");
	assert_string_equal(R.vars[0][4], "LEASE=120");
	/* Next: T1, half the lease from the REQUEST. */
	assert_int_equal(R.timer, T0 + MS(5) + FL_TIME_S(60));
	assert_int_equal(fld_lan_dhcp_stats(dh)->bound, 1);
	fld_lan_dhcp_free(dh, T0, false);
}

static void test_renew(void **state)
{
	struct fld_lan_dhcp *dh = to_probe(120);
	struct fl_dhcp_msg m;
	uint8_t dmac[6];
	uint32_t dst;
	fl_time_t t1;

	(void)state;
	probe_ends(dh);
	t1 = R.timer;
	fld_lan_dhcp_tick(dh, t1 - 1);
	assert_int_equal(R.nframes, 4);	/* early: nothing */
	fld_lan_dhcp_tick(dh, t1);
	assert_int_equal(R.nframes, 5);
	sent(4, &m, &dst, dmac);
	/* RENEWING: unicast to the server, at the MAC its replies came from. */
	assert_int_equal(m.type, FL_DHCP_REQUEST);
	assert_int_equal(m.ciaddr, ADDR);
	assert_int_equal(dst, SERVER);
	assert_memory_equal(dmac, srv_mac, 6);
	server_says(dh, FL_DHCP_ACK, ADDR, 120, DNS2, t1 + MS(3));
	/* Same lease: no address change, no script. */
	assert_int_equal(R.naddr, 1);
	assert_int_equal(R.nscripts, 1);
	assert_int_equal(fld_lan_dhcp_stats(dh)->renewed, 1);
	assert_int_equal(R.timer, t1 + FL_TIME_S(60));
	/* A renewal that changes the DNS servers runs NAME-up again. */
	fld_lan_dhcp_tick(dh, R.timer);
	server_says(dh, FL_DHCP_ACK, ADDR, 120, 0, R.timer + MS(3));
	assert_int_equal(R.naddr, 1);
	assert_int_equal(R.nscripts, 2);
	assert_string_equal(R.script[1], "up");
	assert_string_equal(R.vars[1][3], "DNS=192.168.200.1");
	fld_lan_dhcp_free(dh, T0, false);
}

static void arp_from(struct fld_lan_dhcp *dh, uint16_t op, uint32_t spa, uint32_t tpa,
		     fl_time_t now)
{
	static const uint8_t other[6] = {0x02, 0, 0x5e, 0, 0x53, 0x77};
	struct fl_arp_msg a = {.op = op};
	uint8_t f[FL_ARP_FRAME];

	memset(a.eth_dst, 0xff, 6);
	memcpy(a.eth_src, other, 6);
	memcpy(a.sha, other, 6);
	fl_put32(a.spa, spa);
	fl_put32(a.tpa, tpa);
	fl_arp_build(&a, f);
	fld_lan_dhcp_arp(dh, f, sizeof(f), now);
}

static void test_conflict_declines(void **state)
{
	struct fld_lan_dhcp *dh = to_probe(120);
	struct fl_dhcp_msg m;
	uint32_t dst;

	(void)state;
	/* ARP about other addresses is no conflict. */
	arp_from(dh, FL_ARP_REPLY, ADDR2, SERVER, T0 + MS(20));
	assert_int_equal(R.nframes, 3);
	arp_from(dh, FL_ARP_REPLY, ADDR, 0, T0 + MS(30));
	assert_int_equal(R.nframes, 4);
	sent(3, &m, &dst, NULL);
	assert_int_equal(m.type, FL_DHCP_DECLINE);
	assert_int_equal(m.requested_ip, ADDR);
	assert_int_equal(dst, 0xffffffffu);
	assert_int_equal(R.naddr, 0);
	assert_int_equal(R.nscripts, 0);
	assert_int_equal(fld_lan_dhcp_stats(dh)->conflicts, 1);
	/* RFC 2131 3.1.5: a new DISCOVER only after 10 s. */
	assert_int_equal(R.timer, T0 + MS(30) + FL_TIME_S(10));
	fld_lan_dhcp_tick(dh, T0 + MS(1030));
	assert_int_equal(R.nframes, 4);
	fld_lan_dhcp_tick(dh, R.timer);
	sent(4, &m, NULL, NULL);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);
	fld_lan_dhcp_free(dh, T0, false);
}

static void test_other_prober_declines(void **state)
{
	struct fld_lan_dhcp *dh = to_probe(120);

	(void)state;
	arp_from(dh, FL_ARP_REQUEST, 0, ADDR, T0 + MS(20));
	assert_int_equal(fld_lan_dhcp_stats(dh)->conflicts, 1);
	assert_int_equal(fld_lan_dhcp_core(dh)->declines, 1);
	fld_lan_dhcp_free(dh, T0, false);
}

static void test_nak_loses(void **state)
{
	struct fld_lan_dhcp *dh = to_probe(120);
	struct fl_dhcp_msg m;

	(void)state;
	probe_ends(dh);
	fld_lan_dhcp_tick(dh, R.timer);	/* T1: RENEWING */
	server_says(dh, FL_DHCP_NAK, 0, 0, 0, R.timer + MS(1));
	assert_int_equal(R.naddr, 2);
	assert_int_equal(R.del, ADDR);
	assert_int_equal(R.add, 0);
	assert_int_equal(fld_lan_dhcp_addr(dh), 0);
	assert_int_equal(R.nscripts, 2);
	assert_string_equal(R.script[1], "down");
	assert_string_equal(R.vars[1][0], "ADDRESS=192.168.200.57");
	/* ... and starts over at once. */
	sent(R.nframes - 1, &m, NULL, NULL);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);
	fld_lan_dhcp_free(dh, T0, false);
}

/* Rebinding, another server gives another address: the old one goes at
 * once (down), the new one is probed; taken, it is declined and nothing
 * is left on the interface. */
static void test_rebind_other_address(void **state)
{
	struct fld_lan_dhcp *dh = to_probe(120);
	struct fl_dhcp_msg m;

	(void)state;
	probe_ends(dh);
	fld_lan_dhcp_tick(dh, R.timer);	/* T1: RENEWING */
	fld_lan_dhcp_tick(dh, T0 + MS(5) + FL_TIME_S(105));	/* T2 (7/8): REBINDING */
	assert_int_equal(fld_lan_dhcp_core(dh)->state, FL_DHCP_REBINDING);
	server_says(dh, FL_DHCP_ACK, ADDR2, 120, 0, T0 + FL_TIME_S(106));
	assert_int_equal(R.naddr, 2);
	assert_int_equal(R.del, ADDR);
	assert_int_equal(fld_lan_dhcp_addr(dh), 0);
	assert_string_equal(R.script[R.nscripts - 1], "down");
	arp_from(dh, FL_ARP_REPLY, ADDR2, 0, T0 + FL_TIME_S(106) + MS(100));
	sent(R.nframes - 1, &m, NULL, NULL);
	assert_int_equal(m.type, FL_DHCP_DECLINE);
	assert_int_equal(m.requested_ip, ADDR2);
	assert_int_equal(R.naddr, 2);
	assert_int_equal(fld_lan_dhcp_addr(dh), 0);
	fld_lan_dhcp_free(dh, T0, false);
}

static void test_restore(void **state)
{
	struct fld_lan_dhcp *dh = to_probe(120), *dh2;
	uint8_t blob[FL_DHCP_LEASE_BLOB];
	struct fl_dhcp_msg m;
	uint32_t dst;

	(void)state;
	probe_ends(dh);
	assert_true(fld_lan_dhcp_save(dh, blob));
	fld_lan_dhcp_free(dh, T0, false);
	/* A restart 20 s later asks for the same address (INIT-REBOOT). */
	rec_clear();
	dh2 = fld_lan_dhcp_new("lan0", our_mac, rnd, &ops);
	fld_lan_dhcp_start(dh2, blob, sizeof(blob), T0 + FL_TIME_S(20));
	assert_int_equal(R.nframes, 1);
	sent(0, &m, &dst, NULL);
	assert_int_equal(m.type, FL_DHCP_REQUEST);
	assert_int_equal(m.requested_ip, ADDR);
	assert_int_equal(m.ciaddr, 0);
	assert_int_equal(dst, 0xffffffffu);
	assert_int_equal(fld_lan_dhcp_stats(dh2)->restored, 1);
	fld_lan_dhcp_free(dh2, T0, false);
	/* A damaged blob: logged, ignored, a DISCOVER. */
	rec_clear();
	blob[1] = 9;
	dh2 = fld_lan_dhcp_new("lan0", our_mac, rnd, &ops);
	fld_lan_dhcp_start(dh2, blob, sizeof(blob), T0);
	sent(0, &m, NULL, NULL);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);
	assert_int_equal(fld_lan_dhcp_stats(dh2)->restored, 0);
	fld_lan_dhcp_free(dh2, T0, false);
}

static void test_frames_not_ours(void **state)
{
	struct fld_lan_dhcp *dh = to_probe(120);
	struct reply r;
	size_t n = reply_frame(&r, FL_DHCP_ACK, 1, ADDR, 120, 0);
	uint8_t f[64] = {0};

	(void)state;
	/* Not IPv4, not UDP, another port, too short: the caller's. */
	assert_false(fld_lan_dhcp_frame(dh, f, sizeof(f), T0));
	memcpy(f, r.b, sizeof(f));
	f[14 + 9] = 6;
	assert_false(fld_lan_dhcp_frame(dh, f, sizeof(f), T0));
	f[14 + 9] = 17;
	fl_put16(f + 14 + 22, 69);
	assert_false(fld_lan_dhcp_frame(dh, f, sizeof(f), T0));
	assert_false(fld_lan_dhcp_frame(dh, r.b, 14 + 20 + 7, T0));
	/* Port 68 with a broken checksum: taken, counted, ignored. */
	r.b[14 + 28 + 100] ^= 1;
	assert_true(fld_lan_dhcp_frame(dh, r.b, n, T0));
	assert_int_equal(fld_lan_dhcp_stats(dh)->rx_bad, 1);
	/* A good one for another transaction: dropped by the core. */
	r.b[14 + 28 + 100] ^= 1;
	assert_true(fld_lan_dhcp_frame(dh, r.b, n, T0));
	assert_int_equal(R.nframes, 3);
	fld_lan_dhcp_free(dh, T0, false);
}

static char last_warning[256];

static void log_sink(void *ctx, enum fl_dlog_level level, const char *msg)
{
	(void)ctx;
	if (level == FL_DLOG_WARN)
		snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

/* No server: DISCOVERs at 4, 8, 16 s (+-1 s) backoff, one warning after
 * the third, none before. */
static void test_no_server_warns(void **state)
{
	struct fld_lan_dhcp *dh = fld_lan_dhcp_new("lan0", our_mac, rnd, &ops);
	struct fl_dhcp_msg m;

	(void)state;
	rec_clear();
	last_warning[0] = 0;
	fl_dlog_set_sink(log_sink, NULL);
	fld_lan_dhcp_start(dh, NULL, 0, T0);
	fld_lan_dhcp_tick(dh, R.timer);
	assert_int_equal(R.nframes, 2);
	assert_true(R.timer - T0 >= FL_TIME_S(3 + 7) && R.timer - T0 <= FL_TIME_S(5 + 9));
	assert_string_equal(last_warning, "");
	fld_lan_dhcp_tick(dh, R.timer);
	assert_int_equal(R.nframes, 3);
	sent(2, &m, NULL, NULL);
	assert_int_equal(m.type, FL_DHCP_DISCOVER);
	assert_string_equal(last_warning, "lan0: DHCP: no server answered 3 DISCOVERs, still asking");
	last_warning[0] = 0;
	fld_lan_dhcp_tick(dh, R.timer);
	assert_int_equal(R.nframes, 4);
	assert_string_equal(last_warning, "");
	fl_dlog_set_sink(NULL, NULL);
	fld_lan_dhcp_free(dh, T0, false);
}

struct statsink {
	unsigned n;
	unsigned long long bound, conflicts;
};

static void stat_emit(void *sink, const char *scope, const char *name, unsigned long long v)
{
	struct statsink *s = sink;

	assert_string_equal(scope, "dhcp.lan0");
	s->n++;
	if (!strcmp(name, "bound"))
		s->bound = v;
}

static void test_stats_release(void **state)
{
	struct fld_lan_dhcp *dh = to_probe(120);
	struct statsink s = {0};
	struct fl_dhcp_msg m;
	uint32_t dst;

	(void)state;
	probe_ends(dh);
	fld_lan_dhcp_each_stat(dh, stat_emit, &s);
	assert_true(s.n >= 10);
	assert_int_equal(s.bound, 1);
	fld_lan_dhcp_free(dh, T0 + FL_TIME_S(2), true);
	sent(R.nframes - 1, &m, &dst, NULL);
	assert_int_equal(m.type, FL_DHCP_RELEASE);
	assert_int_equal(dst, SERVER);
	assert_string_equal(R.script[R.nscripts - 1], "down");
	assert_int_equal(R.del, ADDR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_probe_apply),
		cmocka_unit_test(test_renew),
		cmocka_unit_test(test_conflict_declines),
		cmocka_unit_test(test_other_prober_declines),
		cmocka_unit_test(test_nak_loses),
		cmocka_unit_test(test_rebind_other_address),
		cmocka_unit_test(test_restore),
		cmocka_unit_test(test_frames_not_ours),
		cmocka_unit_test(test_stats_release),
		cmocka_unit_test(test_no_server_warns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
