/* SPDX-License-Identifier: MIT */
/*
 * test_arp: src/l2/arp.c and the neighbour cache under it, one case per
 * requirement of RFC 826 / RFC 5227 and of issue 19's limits (queue,
 * retries, negative caching, ageing, spoofing and flood limits).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "l2/arp.h"
#include "l2_collect.h"

static const uint8_t our_ip[4] = {192, 0, 2, 2};
static const uint8_t our_mac[6] = {2, 0, 0, 0, 0, 2};
static const uint8_t host_ip[4] = {192, 0, 2, 10};
static const uint8_t host_mac[6] = {2, 0, 0, 0, 0, 0x0a};
static const uint8_t evil_mac[6] = {2, 0, 0, 0, 0, 0xee};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

struct fx {
	struct fl_arp a;
	struct collect c;
	struct fl_l2_sink sink;
};

static struct fx *fx_new(size_t max)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct fl_neigh_cfg cfg;

	assert_non_null(f);
	fl_neigh_cfg_default(&cfg, max);
	assert_true(fl_arp_init(&f->a, &cfg, 0x1234));
	assert_true(fl_arp_own_add(&f->a, our_ip, 24, our_mac));
	f->sink.act = collect_act;
	f->sink.ctx = &f->c;
	return f;
}

static void fx_free(struct fx *f)
{
	fl_arp_free(&f->a, &f->sink);
	free(f);
}

/* An ARP frame written out by hand, not by fl_arp_build. */
static void frame_by_hand(uint8_t f[42], const uint8_t dst[6], uint16_t op, const uint8_t sha[6],
			  const uint8_t spa[4], const uint8_t tha[6], const uint8_t tpa[4])
{
	memcpy(f, dst, 6);
	memcpy(f + 6, sha, 6);
	f[12] = 0x08, f[13] = 0x06;
	f[14] = 0, f[15] = 1, f[16] = 8, f[17] = 0, f[18] = 6, f[19] = 4;
	f[20] = (uint8_t)(op >> 8), f[21] = (uint8_t)op;
	memcpy(f + 22, sha, 6);
	memcpy(f + 28, spa, 4);
	memcpy(f + 32, tha, 6);
	memcpy(f + 38, tpa, 4);
}

static void send_arp(struct fx *f, fl_time_t now, uint16_t op, const uint8_t sha[6],
		     const uint8_t spa[4], const uint8_t tpa[4])
{
	static const uint8_t zero[6];
	uint8_t fr[42];

	frame_by_hand(fr, op == FL_ARP_REQUEST ? bcast : our_mac, op, sha, spa,
		      op == FL_ARP_REQUEST ? zero : our_mac, tpa);
	assert_int_equal(fl_arp_input(&f->a, fr, sizeof(fr), now, &f->sink), FL_ARP_OK);
}

static void test_arp_parse_each_error(void **state)
{
	uint8_t fr[64] = {0};
	struct fl_arp_msg m;

	(void)state;
	frame_by_hand(fr, bcast, 1, host_mac, host_ip, (const uint8_t[6]){0}, our_ip);
	assert_int_equal(fl_arp_parse(fr, 42, &m), FL_ARP_OK);
	assert_int_equal(m.op, 1);
	assert_memory_equal(m.spa, host_ip, 4);
	assert_int_equal(fl_arp_parse(fr, 41, &m), FL_ARP_SHORT);
	assert_int_equal(fl_arp_parse(fr, 13, &m), FL_ARP_SHORT);
	assert_int_equal(fl_arp_parse(fr, 60, &m), FL_ARP_OK);	/* Ethernet padding */
	assert_int_equal(fl_arp_parse(fr, 61, &m), FL_ARP_TRAILING);
	fr[13] = 0x00;
	assert_int_equal(fl_arp_parse(fr, 42, &m), FL_ARP_NOT_ARP);
	assert_int_equal(fl_arp_parse(fr, 64, &m), FL_ARP_NOT_ARP);	/* an IPv4 frame */
	fr[13] = 0x06;
	fr[18] = 8;
	assert_int_equal(fl_arp_parse(fr, 42, &m), FL_ARP_BAD_FORMAT);
	fr[18] = 6;
	fr[21] = 3;
	assert_int_equal(fl_arp_parse(fr, 42, &m), FL_ARP_BAD_OP);
	fr[21] = 1;
	fr[11] ^= 1;
	assert_int_equal(fl_arp_parse(fr, 42, &m), FL_ARP_MAC_MISMATCH);
	fr[11] ^= 1;
	fr[6] |= 1, fr[22] |= 1;	/* group sender */
	assert_int_equal(fl_arp_parse(fr, 42, &m), FL_ARP_BAD_SENDER);
	fr[6] &= 0xfe, fr[22] &= 0xfe;
	fr[28] = 224;			/* multicast sender IP */
	assert_int_equal(fl_arp_parse(fr, 42, &m), FL_ARP_BAD_SENDER);
	assert_string_equal(fl_arp_strerror(FL_ARP_SHORT), "ARP frame too short");
}

static void test_arp_build_matches_hand_layout(void **state)
{
	uint8_t hand[42], built[42];
	struct fl_arp_msg m = {.op = 2};

	(void)state;
	frame_by_hand(hand, host_mac, 2, our_mac, our_ip, host_mac, host_ip);
	memcpy(m.eth_dst, host_mac, 6);
	memcpy(m.eth_src, our_mac, 6);
	memcpy(m.sha, our_mac, 6);
	memcpy(m.spa, our_ip, 4);
	memcpy(m.tha, host_mac, 6);
	memcpy(m.tpa, host_ip, 4);
	fl_arp_build(&m, built);
	assert_memory_equal(hand, built, 42);
}

/* RFC 5227 §2.3: an announcement is a broadcast request with sender and
 * target IP both ours and a zero target MAC. */
static void test_arp_gratuitous_is_rfc5227_announcement(void **state)
{
	uint8_t g[42];
	struct fl_arp_msg m;

	(void)state;
	fl_arp_gratuitous(our_mac, our_ip, g);
	assert_int_equal(fl_arp_parse(g, 42, &m), FL_ARP_OK);
	assert_memory_equal(m.eth_dst, bcast, 6);
	assert_int_equal(m.op, FL_ARP_REQUEST);
	assert_memory_equal(m.spa, our_ip, 4);
	assert_memory_equal(m.tpa, our_ip, 4);
	assert_memory_equal(m.sha, our_mac, 6);
	assert_memory_equal(m.tha, (const uint8_t[6]){0}, 6);
}

/* RFC 826: a request for our address gets a unicast reply with the
 * fields swapped, and the requester is merged into the table. */
static void test_arp_request_for_us_answered_and_learned(void **state)
{
	struct fx *f = fx_new(16);
	const struct fl_l2_act *x;
	const struct fl_neigh_entry *e;
	struct fl_arp_msg m;

	(void)state;
	send_arp(f, 0, FL_ARP_REQUEST, host_mac, host_ip, our_ip);
	x = collect_nth(&f->c, FL_L2_XMIT, 0);
	assert_non_null(x);
	assert_int_equal(fl_arp_parse(x->frame, x->len, &m), FL_ARP_OK);
	assert_int_equal(m.op, FL_ARP_REPLY);
	assert_memory_equal(m.eth_dst, host_mac, 6);
	assert_memory_equal(m.sha, our_mac, 6);
	assert_memory_equal(m.spa, our_ip, 4);
	assert_memory_equal(m.tha, host_mac, 6);
	assert_memory_equal(m.tpa, host_ip, 4);
	assert_int_equal(f->a.st.requests_answered, 1);
	assert_null(collect_event(&f->c, FL_L2_EV_MAC_CHANGED));	/* learned, not moved */
	e = fl_neigh_lookup(&f->a.cache, (const uint8_t[16]){192, 0, 2, 10});
	assert_non_null(e);
	assert_int_equal(e->state, FL_NEIGH_STALE);
	assert_memory_equal(e->mac, host_mac, 6);
	fx_free(f);
}

/* A request for someone else is not answered and creates no entry. */
static void test_arp_request_for_other_not_answered(void **state)
{
	struct fx *f = fx_new(16);

	(void)state;
	send_arp(f, 0, FL_ARP_REQUEST, host_mac, host_ip, (const uint8_t[4]){192, 0, 2, 99});
	assert_int_equal(f->c.nxmit, 0);
	assert_int_equal(f->a.cache.n, 0);
	assert_int_equal(f->a.st.not_for_us, 1);
	fx_free(f);
}

/* RFC 5227 §2.4: a probe (sender 0.0.0.0) for our address is defended,
 * and its sender (no address yet) is not learned. */
static void test_arp_probe_defended_not_learned(void **state)
{
	struct fx *f = fx_new(16);
	struct fl_arp_msg m;

	(void)state;
	send_arp(f, 0, FL_ARP_REQUEST, host_mac, (const uint8_t[4]){0}, our_ip);
	assert_int_equal(f->c.nxmit, 1);
	assert_int_equal(fl_arp_parse(f->c.act[0].frame, 42, &m), FL_ARP_OK);
	assert_memory_equal(m.tpa, (const uint8_t[4]){0}, 4);
	assert_int_equal(f->a.cache.n, 0);
	fx_free(f);
}

/* Someone else claiming our address is reported, never learned. */
static void test_arp_conflict_reported(void **state)
{
	struct fx *f = fx_new(16);
	const struct fl_l2_act *ev;

	(void)state;
	send_arp(f, 0, FL_ARP_REPLY, evil_mac, our_ip, our_ip);
	ev = collect_event(&f->c, FL_L2_EV_CONFLICT);
	assert_non_null(ev);
	assert_memory_equal(ev->mac, evil_mac, 6);
	assert_int_equal(f->a.st.conflicts, 1);
	assert_int_equal(f->a.cache.n, 0);
	fx_free(f);
}

/* Senders outside our prefixes are not learned. */
static void test_arp_off_subnet_sender_not_learned(void **state)
{
	struct fx *f = fx_new(16);

	(void)state;
	send_arp(f, 0, FL_ARP_REQUEST, host_mac, (const uint8_t[4]){198, 51, 100, 1}, our_ip);
	assert_int_equal(f->c.nxmit, 1);	/* still answered */
	assert_int_equal(f->a.cache.n, 0);
	assert_int_equal(f->a.st.off_subnet, 1);
	fx_free(f);
}

static int pk[8];	/* packet handles: their addresses are what matters */

/* Resolution: broadcast request, 3 packets held, the 4th pushes out the
 * oldest (counted), the reply releases the rest in order. */
static void test_arp_resolve_queues_and_releases(void **state)
{
	struct fx *f = fx_new(16);
	uint8_t mac[6];
	struct fl_arp_msg m;

	(void)state;
	assert_int_equal(fl_arp_resolve(&f->a, host_ip, &pk[0], 0, &f->sink, mac), FL_NEIGH_QUEUED);
	assert_int_equal(f->c.nxmit, 1);
	assert_int_equal(fl_arp_parse(f->c.act[0].frame, 42, &m), FL_ARP_OK);
	assert_memory_equal(m.eth_dst, bcast, 6);
	assert_int_equal(m.op, FL_ARP_REQUEST);
	assert_memory_equal(m.spa, our_ip, 4);
	assert_memory_equal(m.tpa, host_ip, 4);
	for (int i = 1; i < 4; i++)
		assert_int_equal(fl_arp_resolve(&f->a, host_ip, &pk[i], 10, &f->sink, mac),
				 FL_NEIGH_QUEUED);
	assert_int_equal(f->c.nxmit, 1);	/* no second request before retrans */
	assert_int_equal(f->c.ndrop, 1);
	assert_ptr_equal(collect_nth(&f->c, FL_L2_DROP, 0)->pkt, &pk[0]);
	assert_int_equal(collect_nth(&f->c, FL_L2_DROP, 0)->reason, FL_L2_DROP_QUEUE_FULL);
	assert_int_equal(f->a.cache.st.queue_dropped, 1);
	collect_reset(&f->c);
	send_arp(f, 20, FL_ARP_REPLY, host_mac, host_ip, our_ip);
	assert_int_equal(f->c.nrel, 3);
	for (int i = 0; i < 3; i++) {
		const struct fl_l2_act *r = collect_nth(&f->c, FL_L2_RELEASE, (size_t)i);
		assert_ptr_equal(r->pkt, &pk[i + 1]);
		assert_memory_equal(r->mac, host_mac, 6);
	}
	assert_non_null(collect_event(&f->c, FL_L2_EV_RESOLVED));
	assert_int_equal(fl_arp_resolve(&f->a, host_ip, &pk[5], 30, &f->sink, mac), FL_NEIGH_HIT);
	assert_memory_equal(mac, host_mac, 6);
	fx_free(f);
}

/* Retries: 3 requests 1 s apart, then failure drops the held packets and
 * the address is refused for 20 s (negative caching), then asked again. */
static void test_arp_retries_then_negative_cache(void **state)
{
	struct fx *f = fx_new(16);
	uint8_t mac[6];
	fl_time_t t;

	(void)state;
	assert_int_equal(fl_arp_resolve(&f->a, host_ip, &pk[0], 0, &f->sink, mac), FL_NEIGH_QUEUED);
	fl_arp_tick(&f->a, FL_TIME_MS(999), &f->sink);
	assert_int_equal(f->c.nxmit, 1);
	fl_arp_tick(&f->a, FL_TIME_S(1), &f->sink);
	fl_arp_tick(&f->a, FL_TIME_S(2), &f->sink);
	assert_int_equal(f->c.nxmit, 3);
	assert_int_equal(f->c.ndrop, 0);
	fl_arp_tick(&f->a, FL_TIME_S(3), &f->sink);
	assert_int_equal(f->c.nxmit, 3);
	assert_int_equal(f->c.ndrop, 1);
	assert_int_equal(collect_nth(&f->c, FL_L2_DROP, 0)->reason, FL_L2_DROP_UNRESOLVED);
	assert_non_null(collect_event(&f->c, FL_L2_EV_FAILED));
	assert_int_equal(f->a.cache.st.unresolved_dropped, 1);
	t = FL_TIME_S(3) + FL_TIME_S(20) - 1;
	assert_int_equal(fl_arp_resolve(&f->a, host_ip, &pk[1], t, &f->sink, mac), FL_NEIGH_NEGATIVE);
	assert_int_equal(f->a.cache.st.negative_hits, 1);
	assert_int_equal(f->c.nxmit, 3);
	assert_int_equal(fl_arp_resolve(&f->a, host_ip, &pk[1], t + 1, &f->sink, mac),
			 FL_NEIGH_QUEUED);
	assert_int_equal(f->c.nxmit, 4);
	fx_free(f);
}

/* Ageing: fresh for 30 s, then stale; using a stale entry re-asks by
 * unicast; an answer makes it fresh again. */
static void test_arp_stale_entry_refreshed_by_unicast(void **state)
{
	struct fx *f = fx_new(16);
	const struct fl_neigh_entry *e;
	uint8_t mac[6], key[16] = {192, 0, 2, 10};
	struct fl_arp_msg m;

	(void)state;
	fl_arp_resolve(&f->a, host_ip, &pk[0], 0, &f->sink, mac);
	send_arp(f, 0, FL_ARP_REPLY, host_mac, host_ip, our_ip);
	fl_arp_tick(&f->a, FL_TIME_S(30) - 1, &f->sink);
	assert_int_equal(fl_neigh_lookup(&f->a.cache, key)->state, FL_NEIGH_REACHABLE);
	/* That tick walked the table; the next walk may come 100 ms later. */
	fl_arp_tick(&f->a, FL_TIME_S(30), &f->sink);
	fl_arp_tick(&f->a, FL_TIME_S(30) + FL_TIME_MS(100), &f->sink);
	assert_int_equal(fl_neigh_lookup(&f->a.cache, key)->state, FL_NEIGH_STALE);
	collect_reset(&f->c);
	assert_int_equal(fl_arp_resolve(&f->a, host_ip, &pk[1], FL_TIME_S(31), &f->sink, mac),
			 FL_NEIGH_HIT);
	assert_int_equal(f->c.nxmit, 1);
	assert_int_equal(fl_arp_parse(f->c.act[0].frame, 42, &m), FL_ARP_OK);
	assert_memory_equal(m.eth_dst, host_mac, 6);	/* unicast refresh */
	e = fl_neigh_lookup(&f->a.cache, key);
	assert_int_equal(e->state, FL_NEIGH_PROBE);
	send_arp(f, FL_TIME_S(31), FL_ARP_REPLY, host_mac, host_ip, our_ip);
	assert_int_equal(fl_neigh_lookup(&f->a.cache, key)->state, FL_NEIGH_REACHABLE);
	fx_free(f);
}

/* A probed entry that never answers is removed; an unused stale entry
 * expires after 60 s. */
static void test_arp_unanswered_probe_and_idle_stale_removed(void **state)
{
	struct fx *f = fx_new(16);
	uint8_t mac[6], key[16] = {192, 0, 2, 10}, key2[16] = {192, 0, 2, 11};
	fl_time_t t = FL_TIME_S(30);

	(void)state;
	fl_arp_resolve(&f->a, host_ip, &pk[0], 0, &f->sink, mac);
	send_arp(f, 0, FL_ARP_REPLY, host_mac, host_ip, our_ip);
	send_arp(f, 0, FL_ARP_REQUEST, evil_mac, (const uint8_t[4]){192, 0, 2, 11}, our_ip);
	fl_arp_tick(&f->a, t, &f->sink);
	fl_arp_resolve(&f->a, host_ip, &pk[1], t, &f->sink, mac);
	for (int i = 1; i <= 3; i++)
		fl_arp_tick(&f->a, t + FL_TIME_S(i), &f->sink);
	assert_null(fl_neigh_lookup(&f->a.cache, key));
	assert_non_null(fl_neigh_lookup(&f->a.cache, key2));
	fl_arp_tick(&f->a, FL_TIME_S(60) - 1, &f->sink);
	assert_non_null(fl_neigh_lookup(&f->a.cache, key2));
	fl_arp_tick(&f->a, FL_TIME_S(60), &f->sink);
	assert_null(fl_neigh_lookup(&f->a.cache, key2));
	assert_int_equal(f->a.cache.n, 0);
	fx_free(f);
}

/* Spoofing limit: a reply nobody asked for does not move a fresh entry;
 * with no entry it is ignored; a stale entry does not move either (a
 * flood would take it the moment it went stale): its next use probes the
 * known MAC, and only that MAC's answer counts. */
static void test_arp_unsolicited_reply_does_not_overwrite_fresh(void **state)
{
	struct fx *f = fx_new(16);
	uint8_t mac[6], key[16] = {192, 0, 2, 10};
	const struct fl_l2_act *ev;

	(void)state;
	send_arp(f, 0, FL_ARP_REPLY, evil_mac, host_ip, our_ip);
	assert_null(fl_neigh_lookup(&f->a.cache, key));
	assert_int_equal(f->a.cache.st.unsolicited, 1);
	fl_arp_resolve(&f->a, host_ip, &pk[0], 0, &f->sink, mac);
	send_arp(f, 1, FL_ARP_REPLY, host_mac, host_ip, our_ip);
	send_arp(f, 2, FL_ARP_REPLY, evil_mac, host_ip, our_ip);
	assert_memory_equal(fl_neigh_lookup(&f->a.cache, key)->mac, host_mac, 6);
	assert_int_equal(f->a.cache.st.spoof_refused, 1);
	ev = collect_event(&f->c, FL_L2_EV_SPOOF_REFUSED);
	assert_non_null(ev);
	assert_memory_equal(ev->mac, evil_mac, 6);
	assert_memory_equal(ev->addr, host_ip, 4);
	/* A gratuitous request (sender = target) is no better. */
	send_arp(f, 3, FL_ARP_REQUEST, evil_mac, host_ip, host_ip);
	assert_memory_equal(fl_neigh_lookup(&f->a.cache, key)->mac, host_mac, 6);
	fl_arp_tick(&f->a, FL_TIME_S(31), &f->sink);
	collect_reset(&f->c);
	send_arp(f, FL_TIME_S(32), FL_ARP_REPLY, evil_mac, host_ip, our_ip);
	assert_memory_equal(fl_neigh_lookup(&f->a.cache, key)->mac, host_mac, 6);
	assert_null(collect_event(&f->c, FL_L2_EV_MAC_CHANGED));
	assert_int_equal(f->a.cache.st.spoof_refused, 3);
	fl_arp_resolve(&f->a, host_ip, &pk[0], FL_TIME_S(33), &f->sink, mac);
	assert_memory_equal(mac, host_mac, 6);
	send_arp(f, FL_TIME_S(33) + 1, FL_ARP_REPLY, evil_mac, host_ip, our_ip);
	assert_memory_equal(fl_neigh_lookup(&f->a.cache, key)->mac, host_mac, 6);
	send_arp(f, FL_TIME_S(33) + 2, FL_ARP_REPLY, host_mac, host_ip, our_ip);
	assert_int_equal(fl_neigh_lookup(&f->a.cache, key)->state, FL_NEIGH_REACHABLE);
	fx_free(f);
}

/* Flood limit: 100,000 requests from bogus senders in our subnet (sized
 * /16 here, table bounded at 64) leave resolved next hops in place and
 * the table within its bound. */
static void test_arp_flood_keeps_live_entries_and_bound(void **state)
{
	struct fx *f = fx_new(64);
	uint8_t mac[6], ip[4] = {192, 0, 2, 0}, hmac[6] = {2, 0, 0, 0, 1, 0};
	fl_time_t t = 0;

	(void)state;
	f->a.own[0].plen = 16;
	for (int i = 0; i < 8; i++) {
		ip[3] = (uint8_t)(20 + i);
		hmac[5] = (uint8_t)i;
		fl_arp_resolve(&f->a, ip, &pk[0], 0, &f->sink, mac);
		send_arp(f, 0, FL_ARP_REPLY, hmac, ip, our_ip);
	}
	srand(7);
	for (int i = 0; i < 100000; i++) {
		uint8_t sip[4] = {192, 0, (uint8_t)(rand() % 256), (uint8_t)(1 + rand() % 250)};
		uint8_t smac[6] = {2, 1, (uint8_t)rand(), (uint8_t)rand(), (uint8_t)rand(), 1};
		t += 100;	/* 10,000 a second */
		collect_reset(&f->c);
		send_arp(f, t, FL_ARP_REQUEST, smac, sip, our_ip);
		assert_true(f->a.cache.n <= 64);
		if (i % 1000 == 0)
			fl_arp_tick(&f->a, t, &f->sink);
	}
	assert_true(f->a.cache.st.full_refused > 0);
	/* Each resolved next hop still has its own MAC. */
	for (int i = 0; i < 8; i++) {
		ip[3] = (uint8_t)(20 + i);
		hmac[5] = (uint8_t)i;
		assert_int_equal(fl_arp_resolve(&f->a, ip, &pk[1], t, &f->sink, mac), FL_NEIGH_HIT);
		assert_memory_equal(mac, hmac, 6);
	}
	fx_free(f);
}

/* A full table reuses only STALE or FAILED entries for a new resolution;
 * when all are live the packet is refused (counted), not queued. */
static void test_arp_full_table_reuses_only_stale(void **state)
{
	struct fx *f = fx_new(2);
	uint8_t mac[6], a[4] = {192, 0, 2, 20}, b[4] = {192, 0, 2, 21}, c[4] = {192, 0, 2, 22};

	(void)state;
	assert_int_equal(fl_arp_resolve(&f->a, a, &pk[0], 0, &f->sink, mac), FL_NEIGH_QUEUED);
	assert_int_equal(fl_arp_resolve(&f->a, b, &pk[1], 0, &f->sink, mac), FL_NEIGH_QUEUED);
	assert_int_equal(fl_arp_resolve(&f->a, c, &pk[2], 0, &f->sink, mac), FL_NEIGH_FULL);
	assert_int_equal(f->a.cache.st.full_refused, 1);
	send_arp(f, 0, FL_ARP_REPLY, host_mac, a, our_ip);
	send_arp(f, 0, FL_ARP_REPLY, evil_mac, b, our_ip);
	fl_arp_tick(&f->a, FL_TIME_S(30), &f->sink);	/* both stale now */
	assert_int_equal(fl_arp_resolve(&f->a, a, &pk[3], FL_TIME_S(30), &f->sink, mac),
			 FL_NEIGH_HIT);	/* a: probing, live again */
	assert_int_equal(fl_arp_resolve(&f->a, c, &pk[2], FL_TIME_S(30), &f->sink, mac),
			 FL_NEIGH_QUEUED);
	assert_int_equal(f->a.cache.st.evicted, 1);
	assert_null(fl_neigh_lookup(&f->a.cache, (const uint8_t[16]){192, 0, 2, 21}));
	assert_non_null(fl_neigh_lookup(&f->a.cache, (const uint8_t[16]){192, 0, 2, 20}));
	assert_int_equal(f->a.cache.n, 2);
	fx_free(f);
}

/* Held packets go back to the caller when the table is freed. */
static void test_arp_free_returns_held_packets(void **state)
{
	struct fx *f = fx_new(4);
	uint8_t mac[6];

	(void)state;
	fl_arp_resolve(&f->a, host_ip, &pk[0], 0, &f->sink, mac);
	fl_arp_resolve(&f->a, host_ip, &pk[1], 0, &f->sink, mac);
	fl_arp_free(&f->a, &f->sink);
	assert_int_equal(f->c.ndrop, 2);
	assert_int_equal(collect_nth(&f->c, FL_L2_DROP, 1)->reason, FL_L2_DROP_FLUSHED);
	assert_true(fl_arp_init(&f->a, &(struct fl_neigh_cfg){.max = 1, .queue_len = 1,
					.retries = 1}, 1));
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_parse_each_error),
		cmocka_unit_test(test_arp_build_matches_hand_layout),
		cmocka_unit_test(test_arp_gratuitous_is_rfc5227_announcement),
		cmocka_unit_test(test_arp_request_for_us_answered_and_learned),
		cmocka_unit_test(test_arp_request_for_other_not_answered),
		cmocka_unit_test(test_arp_probe_defended_not_learned),
		cmocka_unit_test(test_arp_conflict_reported),
		cmocka_unit_test(test_arp_off_subnet_sender_not_learned),
		cmocka_unit_test(test_arp_resolve_queues_and_releases),
		cmocka_unit_test(test_arp_retries_then_negative_cache),
		cmocka_unit_test(test_arp_stale_entry_refreshed_by_unicast),
		cmocka_unit_test(test_arp_unanswered_probe_and_idle_stale_removed),
		cmocka_unit_test(test_arp_unsolicited_reply_does_not_overwrite_fresh),
		cmocka_unit_test(test_arp_flood_keeps_live_entries_and_bound),
		cmocka_unit_test(test_arp_full_table_reuses_only_stale),
		cmocka_unit_test(test_arp_free_returns_held_packets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
