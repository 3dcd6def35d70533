/* SPDX-License-Identifier: MIT */
/*
 * test_ndp: src/l2/ndp.c, one case per RFC 4861 / RFC 4862 requirement it
 * implements. Checksums are checked by a byte-at-a-time RFC 1071 sum
 * written here, not by src/wire's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "l2/ndp.h"
#include "l2_collect.h"

static const uint8_t our_ip[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t our_ll[16] = {0xfe, 0x80, [15] = 1};
static const uint8_t our_mac[6] = {2, 0, 0, 0, 0, 1};
static const uint8_t host_ip[16] = {0x20, 0x01, 0x0d, 0xb8, [13] = 0x45, 0x67, 0x89};
static const uint8_t host_mac[6] = {2, 0, 0, 0, 0, 0x0a};
static const uint8_t evil_mac[6] = {2, 0, 0, 0, 0, 0xee};
static const uint8_t unspec[16];
static const uint8_t all_nodes[16] = {0xff, 2, [15] = 1};

/* RFC 1071, one byte at a time, over the IPv6 pseudo-header and message. */
static uint16_t naive_csum6(const uint8_t *frame, size_t ilen)
{
	uint32_t sum = 0;
	const uint8_t *ip = frame + 14;

	for (size_t i = 0; i < 32; i++)
		sum += (i & 1) ? ip[8 + i] : (uint32_t)ip[8 + i] << 8;
	sum += (uint32_t)(ilen >> 16) + (uint32_t)(ilen & 0xffff) + 58;
	for (size_t i = 0; i < ilen; i++)
		sum += (i & 1) ? ip[40 + i] : (uint32_t)ip[40 + i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Re-seal a hand-edited frame with the independent checksum. */
static void reseal(uint8_t *f, size_t len)
{
	f[54 + 2] = f[54 + 3] = 0;
	uint16_t c = naive_csum6(f, len - 54);
	f[54 + 2] = (uint8_t)(c >> 8);
	f[54 + 3] = (uint8_t)c;
}

static uint16_t stored_csum(const uint8_t *f)
{
	return (uint16_t)(f[56] << 8 | f[57]);
}

/* The stored checksum is the one the independent sum computes. */
static void check_csum(const uint8_t *fr, size_t len)
{
	uint8_t g[256];

	assert_true(len <= sizeof(g));
	memcpy(g, fr, len);
	reseal(g, len);
	assert_int_equal(stored_csum(fr), stored_csum(g));
}

struct fx {
	struct fl_ndp n;
	struct collect c;
	struct fl_l2_sink sink;
};

static struct fx *fx_new(bool dad)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct fl_neigh_cfg cfg;

	assert_non_null(f);
	fl_neigh_cfg_default(&cfg, 16);
	assert_true(fl_ndp_init(&f->n, &cfg, 99));
	assert_true(fl_ndp_own_add(&f->n, our_ip, 64, our_mac, dad, 0));
	f->sink.act = collect_act;
	f->sink.ctx = &f->c;
	return f;
}

static void fx_free(struct fx *f)
{
	fl_ndp_free(&f->n, &f->sink);
	free(f);
}

static void test_ndp_solicited_node_group_and_mac(void **state)
{
	static const uint8_t want[16] = {0xff, 2, [11] = 1, 0xff, 0x45, 0x67, 0x89};
	uint8_t g[16], mac[6];

	(void)state;
	fl_ndp_solicited_node(host_ip, g);
	assert_memory_equal(g, want, 16);	/* RFC 4291 §2.7.1 */
	fl_ndp_mcast_mac(g, mac);
	assert_memory_equal(mac, ((const uint8_t[6]){0x33, 0x33, 0xff, 0x45, 0x67, 0x89}), 6);
}

/* RFC 4861 §4.3/§7.2.2: NS to the solicited-node group, hop limit 255,
 * our address as source with a source link-layer option; checksum right. */
static void test_ndp_ns_layout_and_checksum(void **state)
{
	uint8_t f[FL_NDP_FRAME], g[16];
	size_t len = fl_ndp_build_ns(our_mac, our_ip, host_ip, NULL, f);
	struct fl_ndp_msg m;

	(void)state;
	assert_int_equal(len, 86);
	fl_ndp_solicited_node(host_ip, g);
	assert_memory_equal(f, ((const uint8_t[6]){0x33, 0x33, 0xff, 0x45, 0x67, 0x89}), 6);
	assert_int_equal(f[14 + 7], 255);
	assert_memory_equal(f + 14 + 24, g, 16);
	assert_int_equal(f[54], 135);
	assert_int_equal(f[54 + 24], 1);	/* SLLA */
	assert_int_equal(f[54 + 25], 1);
	assert_memory_equal(f + 54 + 26, our_mac, 6);
	check_csum(f, len);
	assert_int_equal(fl_ndp_parse(f, len, &m), FL_NDP_OK);
	assert_int_equal(m.type, FL_NDP_NS);
	assert_memory_equal(m.target, host_ip, 16);
	assert_true(m.has_lla);
}

/* RFC 4862 §5.4.2: a DAD probe comes from :: and carries no option. */
static void test_ndp_dad_probe_from_unspecified_without_option(void **state)
{
	uint8_t f[FL_NDP_FRAME];
	size_t len = fl_ndp_build_ns(our_mac, unspec, our_ip, NULL, f);
	struct fl_ndp_msg m;

	(void)state;
	assert_int_equal(len, 78);
	assert_memory_equal(f + 14 + 8, unspec, 16);
	assert_int_equal(fl_ndp_parse(f, len, &m), FL_NDP_OK);
	assert_false(m.has_lla);
	check_csum(f, len);
}

/* RFC 4861 §7.1.1/§7.1.2: every validity rule drops the message. */
static void test_ndp_validation_each_rule(void **state)
{
	uint8_t f[128], g[128];
	size_t len = fl_ndp_build_ns(host_mac, host_ip, our_ip, NULL, f);
	struct fl_ndp_msg m;

	(void)state;
#define TRY(edit, want)                                                                            \
	do {                                                                                       \
		memcpy(g, f, sizeof(g));                                                           \
		edit;                                                                              \
		reseal(g, len);                                                                    \
		assert_int_equal(fl_ndp_parse(g, len, &m), want);                                  \
	} while (0)
	TRY((void)0, FL_NDP_OK);
	TRY(g[14 + 7] = 64, FL_NDP_HOP_LIMIT);
	TRY(g[55] = 1, FL_NDP_BAD_CODE);
	TRY(g[54 + 25] = 0, FL_NDP_BAD_OPTION);
	TRY(g[54 + 25] = 2, FL_NDP_BAD_OPTION);
	TRY(g[54 + 8] = 0xff, FL_NDP_BAD_TARGET);
	TRY(g[54] = 128, FL_NDP_NOT_NDP);
	TRY(g[14 + 6] = 0, FL_NDP_NOT_NDP);
	TRY(g[12] = 0x08, FL_NDP_NOT_IPV6);
	/* From :: : must go to a solicited-node group, with no option. */
	TRY(memset(g + 14 + 8, 0, 16), FL_NDP_BAD_SOURCE);
	/* From a multicast group: no IPv6 packet is (RFC 4291 §2.7). */
	TRY(g[14 + 8] = 0xff, FL_NDP_BAD_SOURCE);
	memcpy(g, f, sizeof(g));
	g[57] ^= 1;
	assert_int_equal(fl_ndp_parse(g, len, &m), FL_NDP_BAD_CSUM);
	assert_int_equal(fl_ndp_parse(f, len - 1, &m), FL_NDP_SHORT);
	memcpy(g, f, sizeof(g));
	assert_int_equal(fl_ndp_parse(g, len + 1, &m), FL_NDP_TRAILING);
	/* An ICMPv6 length under 24 for an NS. */
	memcpy(g, f, sizeof(g));
	g[14 + 5] = 20;
	reseal(g, 54 + 20);
	assert_int_equal(fl_ndp_parse(g, 54 + 20, &m), FL_NDP_BAD_LENGTH);
	/* A solicited NA to a multicast group. */
	len = fl_ndp_build_na(our_mac, our_ip, all_nodes, host_mac, true, true, f);
	assert_int_equal(fl_ndp_parse(f, len, &m), FL_NDP_BAD_FLAGS);
	assert_string_equal(fl_ndp_strerror(FL_NDP_HOP_LIMIT), "NDP hop limit not 255");
#undef TRY
}

static void send_frame(struct fx *f, const uint8_t *fr, size_t len, fl_time_t now)
{
	assert_int_equal(fl_ndp_input(&f->n, fr, len, now, &f->sink, NULL), FL_NDP_OK);
}

/* RFC 4861 §7.2.4: an NS for our address gets a unicast NA with R, S, O
 * and our link-layer address; the solicitor is cached STALE (§7.2.3). */
static void test_ndp_ns_for_us_answered_and_learned(void **state)
{
	struct fx *f = fx_new(false);
	uint8_t fr[FL_NDP_FRAME];
	size_t len = fl_ndp_build_ns(host_mac, host_ip, our_ip, NULL, fr);
	const struct fl_l2_act *x;
	struct fl_ndp_msg m;

	(void)state;
	send_frame(f, fr, len, 0);
	x = collect_nth(&f->c, FL_L2_XMIT, 0);
	assert_non_null(x);
	assert_int_equal(fl_ndp_parse(x->frame, x->len, &m), FL_NDP_OK);
	assert_int_equal(m.type, FL_NDP_NA);
	assert_true(m.router && m.solicited && m.override);
	assert_memory_equal(m.target, our_ip, 16);
	assert_memory_equal(m.src, our_ip, 16);
	assert_memory_equal(m.dst, host_ip, 16);
	assert_memory_equal(m.eth_dst, host_mac, 6);
	assert_true(m.has_lla);
	assert_memory_equal(m.lla, our_mac, 6);
	check_csum(x->frame, x->len);
	assert_int_equal(fl_neigh_lookup(&f->n.cache, host_ip)->state, FL_NEIGH_STALE);
	/* An NS for another target is not answered. */
	collect_reset(&f->c);
	len = fl_ndp_build_ns(host_mac, host_ip, our_ll, NULL, fr);
	send_frame(f, fr, len, 0);
	assert_int_equal(f->c.nxmit, 0);
	assert_int_equal(f->n.st.not_for_us, 1);
	fx_free(f);
}

/* RFC 4861 §7.2.4: a DAD probe for our address is answered to all-nodes
 * without the solicited flag. */
static void test_ndp_dad_probe_for_us_answered_to_all_nodes(void **state)
{
	struct fx *f = fx_new(false);
	uint8_t fr[FL_NDP_FRAME];
	size_t len = fl_ndp_build_ns(host_mac, unspec, our_ip, NULL, fr);
	struct fl_ndp_msg m;

	(void)state;
	send_frame(f, fr, len, 0);
	assert_int_equal(f->c.nxmit, 1);
	assert_int_equal(fl_ndp_parse(f->c.act[0].frame, f->c.act[0].len, &m), FL_NDP_OK);
	assert_memory_equal(m.dst, all_nodes, 16);
	assert_memory_equal(m.eth_dst, ((const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}), 6);
	assert_false(m.solicited);
	assert_true(m.override);
	assert_int_equal(f->n.cache.n, 0);
	fx_free(f);
}

static int pk[4];

static void send_na(struct fx *f, const uint8_t mac[6], const uint8_t target[16], bool solicited,
		    fl_time_t now)
{
	uint8_t fr[FL_NDP_FRAME];
	size_t len = fl_ndp_build_na(mac, target, our_ip, our_mac, solicited, true, fr);

	send_frame(f, fr, len, now);
}

/* RFC 4861 §7.2.2: resolution multicasts an NS (our address as source);
 * the solicited NA releases the held packets (§7.2.5: REACHABLE). */
static void test_ndp_resolve_then_na_releases(void **state)
{
	struct fx *f = fx_new(false);
	uint8_t mac[6];
	struct fl_ndp_msg m;

	(void)state;
	assert_int_equal(fl_ndp_resolve(&f->n, host_ip, &pk[0], 0, &f->sink, mac), FL_NEIGH_QUEUED);
	assert_int_equal(f->c.nxmit, 1);
	assert_int_equal(fl_ndp_parse(f->c.act[0].frame, f->c.act[0].len, &m), FL_NDP_OK);
	assert_int_equal(m.type, FL_NDP_NS);
	assert_memory_equal(m.src, our_ip, 16);
	assert_memory_equal(m.target, host_ip, 16);
	assert_int_equal(m.dst[0], 0xff);
	check_csum(f->c.act[0].frame, f->c.act[0].len);
	send_na(f, host_mac, host_ip, true, 5);
	assert_int_equal(f->c.nrel, 1);
	assert_ptr_equal(collect_nth(&f->c, FL_L2_RELEASE, 0)->pkt, &pk[0]);
	assert_memory_equal(collect_nth(&f->c, FL_L2_RELEASE, 0)->mac, host_mac, 6);
	assert_int_equal(fl_neigh_lookup(&f->n.cache, host_ip)->state, FL_NEIGH_REACHABLE);
	/* Multicast destinations need no resolution (RFC 2464 §7). */
	assert_int_equal(fl_ndp_resolve(&f->n, all_nodes, &pk[1], 5, &f->sink, mac), FL_NEIGH_HIT);
	assert_memory_equal(mac, ((const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}), 6);
	fx_free(f);
}

/* RFC 4861 §7.2.2: MAX_MULTICAST_SOLICIT (3) solicitations RetransTimer
 * (1 s) apart, then the held packets are dropped and the failure reported
 * (the caller's cue for ICMPv6 address unreachable); the address is
 * refused meanwhile (negative caching), then asked again. */
static void test_ndp_retries_then_failure(void **state)
{
	struct fx *f = fx_new(false);
	uint8_t mac[6];
	fl_time_t t;

	(void)state;
	assert_int_equal(fl_ndp_resolve(&f->n, host_ip, &pk[0], 0, &f->sink, mac), FL_NEIGH_QUEUED);
	fl_ndp_tick(&f->n, FL_TIME_MS(999), &f->sink);
	assert_int_equal(f->c.nxmit, 1);
	fl_ndp_tick(&f->n, FL_TIME_S(1), &f->sink);
	fl_ndp_tick(&f->n, FL_TIME_S(2), &f->sink);
	assert_int_equal(f->c.nxmit, 3);
	for (size_t i = 0; i < 3; i++) {
		struct fl_ndp_msg m;
		const struct fl_l2_act *a = collect_nth(&f->c, FL_L2_XMIT, i);

		assert_int_equal(fl_ndp_parse(a->frame, a->len, &m), FL_NDP_OK);
		assert_int_equal(m.type, FL_NDP_NS);
		assert_int_equal(m.dst[0], 0xff);	/* multicast while INCOMPLETE */
	}
	assert_int_equal(f->c.ndrop, 0);
	fl_ndp_tick(&f->n, FL_TIME_S(3), &f->sink);
	assert_int_equal(f->c.nxmit, 3);
	assert_int_equal(f->c.ndrop, 1);
	assert_ptr_equal(collect_nth(&f->c, FL_L2_DROP, 0)->pkt, &pk[0]);
	assert_int_equal(collect_nth(&f->c, FL_L2_DROP, 0)->reason, FL_L2_DROP_UNRESOLVED);
	assert_non_null(collect_event(&f->c, FL_L2_EV_FAILED));
	t = FL_TIME_S(3) + FL_TIME_S(20) - 1;
	assert_int_equal(fl_ndp_resolve(&f->n, host_ip, &pk[1], t, &f->sink, mac), FL_NEIGH_NEGATIVE);
	assert_int_equal(fl_ndp_resolve(&f->n, host_ip, &pk[1], t + 1, &f->sink, mac), FL_NEIGH_QUEUED);
	assert_int_equal(f->c.nxmit, 4);
	fx_free(f);
}

/* RFC 4861 §7.3.3: a REACHABLE entry goes STALE after ReachableTime (30 s
 * here); using it probes the known address by unicast NS (§7.2.2's
 * unicast form), and the solicited NA makes it REACHABLE again. */
static void test_ndp_stale_then_unicast_probe(void **state)
{
	struct fx *f = fx_new(false);
	uint8_t mac[6];
	struct fl_ndp_msg m;
	const struct fl_l2_act *a;

	(void)state;
	fl_ndp_resolve(&f->n, host_ip, &pk[0], 0, &f->sink, mac);
	send_na(f, host_mac, host_ip, true, 0);
	fl_ndp_tick(&f->n, FL_TIME_S(30) - 1, &f->sink);
	assert_int_equal(fl_neigh_lookup(&f->n.cache, host_ip)->state, FL_NEIGH_REACHABLE);
	fl_ndp_tick(&f->n, FL_TIME_S(30), &f->sink);
	fl_ndp_tick(&f->n, FL_TIME_S(30) + FL_TIME_MS(100), &f->sink);
	assert_int_equal(fl_neigh_lookup(&f->n.cache, host_ip)->state, FL_NEIGH_STALE);
	collect_reset(&f->c);
	assert_int_equal(fl_ndp_resolve(&f->n, host_ip, &pk[1], FL_TIME_S(31), &f->sink, mac),
			 FL_NEIGH_HIT);
	assert_memory_equal(mac, host_mac, 6);
	assert_int_equal(f->c.nxmit, 1);
	a = collect_nth(&f->c, FL_L2_XMIT, 0);
	assert_int_equal(fl_ndp_parse(a->frame, a->len, &m), FL_NDP_OK);
	assert_int_equal(m.type, FL_NDP_NS);
	assert_memory_equal(a->frame, host_mac, 6);	/* unicast to the known MAC */
	assert_memory_equal(m.dst, host_ip, 16);
	check_csum(a->frame, a->len);
	assert_int_equal(fl_neigh_lookup(&f->n.cache, host_ip)->state, FL_NEIGH_PROBE);
	send_na(f, host_mac, host_ip, true, FL_TIME_S(31));
	assert_int_equal(fl_neigh_lookup(&f->n.cache, host_ip)->state, FL_NEIGH_REACHABLE);
	fx_free(f);
}

/* Spoofing limit (RFC 4861 §7.2.5 keeps a REACHABLE entry's address
 * unless the override flag says otherwise; we refuse unasked overrides
 * of fresh entries): an unsolicited NA does not move a fresh entry, and
 * one for an unknown address creates nothing. */
static void test_ndp_unsolicited_na_does_not_overwrite_fresh(void **state)
{
	struct fx *f = fx_new(false);
	uint8_t mac[6];

	(void)state;
	send_na(f, evil_mac, host_ip, false, 0);
	assert_null(fl_neigh_lookup(&f->n.cache, host_ip));
	fl_ndp_resolve(&f->n, host_ip, &pk[0], 0, &f->sink, mac);
	send_na(f, host_mac, host_ip, true, 1);
	send_na(f, evil_mac, host_ip, false, 2);
	assert_memory_equal(fl_neigh_lookup(&f->n.cache, host_ip)->mac, host_mac, 6);
	assert_int_equal(f->n.cache.st.spoof_refused, 1);
	assert_non_null(collect_event(&f->c, FL_L2_EV_SPOOF_REFUSED));
	fx_free(f);
}

/* An NA claiming our own (preferred) address from another MAC is a
 * conflict, reported, never cached. */
static void test_ndp_na_for_our_address_is_conflict(void **state)
{
	struct fx *f = fx_new(false);

	(void)state;
	send_na(f, evil_mac, our_ip, false, 0);
	assert_non_null(collect_event(&f->c, FL_L2_EV_CONFLICT));
	assert_int_equal(f->n.st.conflicts, 1);
	assert_int_equal(f->n.cache.n, 0);
	fx_free(f);
}

/* RFC 4862 §5.4: a tentative address sends one DAD probe, is not
 * answered for meanwhile, and becomes preferred RetransTimer later. */
static void test_ndp_dad_tentative_then_preferred(void **state)
{
	struct fx *f = fx_new(true);
	uint8_t fr[FL_NDP_FRAME];
	size_t len;
	struct fl_ndp_msg m;

	(void)state;
	assert_int_equal(fl_ndp_own_find(&f->n, our_ip)->state, FL_NDP_TENTATIVE);
	fl_ndp_tick(&f->n, 0, &f->sink);
	assert_int_equal(f->c.nxmit, 1);
	assert_int_equal(fl_ndp_parse(f->c.act[0].frame, f->c.act[0].len, &m), FL_NDP_OK);
	assert_memory_equal(m.src, unspec, 16);
	assert_memory_equal(m.target, our_ip, 16);
	/* A unicast NS for a tentative address is silently ignored (§5.4.3). */
	len = fl_ndp_build_ns(host_mac, host_ip, our_ip, NULL, fr);
	send_frame(f, fr, len, 1);
	assert_int_equal(f->c.nxmit, 1);
	fl_ndp_tick(&f->n, FL_TIME_S(1) - 1, &f->sink);
	assert_int_equal(fl_ndp_own_find(&f->n, our_ip)->state, FL_NDP_TENTATIVE);
	fl_ndp_tick(&f->n, FL_TIME_S(1), &f->sink);
	assert_int_equal(fl_ndp_own_find(&f->n, our_ip)->state, FL_NDP_PREFERRED);
	assert_non_null(collect_event(&f->c, FL_L2_EV_DAD_OK));
	/* Then an unsolicited NA to all nodes, override set (§7.2.6). */
	assert_int_equal(f->c.nxmit, 2);
	assert_int_equal(fl_ndp_parse(f->c.act[f->c.n - 1].frame, f->c.act[f->c.n - 1].len, &m), FL_NDP_OK);
	assert_int_equal(m.type, FL_NDP_NA);
	assert_memory_equal(m.dst, all_nodes, 16);
	assert_memory_equal(m.target, our_ip, 16);
	assert_true(m.override && !m.solicited && m.router && m.has_lla);
	assert_memory_equal(m.lla, our_mac, 6);
	send_frame(f, fr, len, FL_TIME_S(2));
	assert_int_equal(f->c.nxmit, 3);
	fx_free(f);
}

/* RFC 4862 §5.4.4 and §5.4.3: an NA for the tentative address, or
 * another node's DAD probe for it, makes it a duplicate. */
static void test_ndp_dad_conflict_makes_duplicate(void **state)
{
	struct fx *f = fx_new(true);
	uint8_t fr[FL_NDP_FRAME];
	size_t len;
	const struct fl_l2_act *ev;

	(void)state;
	fl_ndp_tick(&f->n, 0, &f->sink);
	send_na(f, evil_mac, our_ip, false, 10);
	assert_int_equal(fl_ndp_own_find(&f->n, our_ip)->state, FL_NDP_DUPLICATE);
	ev = collect_event(&f->c, FL_L2_EV_DAD_DUPLICATE);
	assert_non_null(ev);
	assert_memory_equal(ev->mac, evil_mac, 6);
	fl_ndp_tick(&f->n, FL_TIME_S(5), &f->sink);
	assert_null(collect_event(&f->c, FL_L2_EV_DAD_OK));
	fx_free(f);

	f = fx_new(true);
	fl_ndp_tick(&f->n, 0, &f->sink);
	len = fl_ndp_build_ns(evil_mac, unspec, our_ip, NULL, fr);
	send_frame(f, fr, len, 10);
	assert_int_equal(fl_ndp_own_find(&f->n, our_ip)->state, FL_NDP_DUPLICATE);
	assert_int_equal(f->n.st.dad_duplicates, 1);
	/* A duplicate is never answered for. */
	collect_reset(&f->c);
	len = fl_ndp_build_ns(host_mac, host_ip, our_ip, NULL, fr);
	send_frame(f, fr, len, 20);
	assert_int_equal(f->c.nxmit, 0);
	fx_free(f);
}

/* RFC 4862 §5.4.5: an address DAD found taken is not ours: the host that
 * holds it is resolved like any neighbour (its NA is no conflict), so the
 * mesh still reaches it through us. */
static void test_ndp_duplicate_resolved_as_neighbour(void **state)
{
	struct fx *f = fx_new(false);
	uint8_t dup[16], mac[6];

	(void)state;
	memcpy(dup, our_ip, 16);
	dup[15] ^= 0x40;
	assert_true(fl_ndp_own_add(&f->n, dup, 64, our_mac, true, 0));
	fl_ndp_tick(&f->n, 0, &f->sink);
	send_na(f, host_mac, dup, false, 10);
	assert_int_equal(fl_ndp_own_find(&f->n, dup)->state, FL_NDP_DUPLICATE);
	collect_reset(&f->c);
	assert_int_equal(fl_ndp_resolve(&f->n, dup, &pk[0], 20, &f->sink, mac), FL_NEIGH_QUEUED);
	assert_int_equal(f->c.nxmit, 1);
	send_na(f, host_mac, dup, true, 21);
	assert_null(collect_event(&f->c, FL_L2_EV_CONFLICT));
	assert_int_equal(f->c.nrel, 1);
	assert_memory_equal(collect_nth(&f->c, FL_L2_RELEASE, 0)->mac, host_mac, 6);
	assert_int_equal(fl_neigh_lookup(&f->n.cache, dup)->state, FL_NEIGH_REACHABLE);
	fx_free(f);
}

/* A hand-built RA: flags, lifetimes, MTU, SLLA and two prefixes (RFC 4861
 * §4.2, §4.6.2, §4.6.4); the router is cached. */
static void test_ndp_ra_prefix_information(void **state)
{
	struct fx *f = fx_new(false);
	uint8_t fr[14 + 40 + 16 + 8 + 8 + 64] = {0};
	uint8_t *ip = fr + 14, *icmp = fr + 54, *o = icmp + 16;
	size_t ilen = 16 + 8 + 8 + 64, len = 54 + ilen;
	struct fl_ndp_msg m;

	(void)state;
	fr[0] = 0x33, fr[1] = 0x33, fr[5] = 1;
	memcpy(fr + 6, host_mac, 6);
	fr[12] = 0x86, fr[13] = 0xdd;
	ip[0] = 0x60, ip[5] = (uint8_t)ilen, ip[6] = 58, ip[7] = 255;
	ip[8] = 0xfe, ip[9] = 0x80, ip[23] = 0x0a;
	memcpy(ip + 24, all_nodes, 16);
	icmp[0] = 134, icmp[4] = 64, icmp[5] = 0x40, icmp[6] = 0x07, icmp[7] = 0x08;
	o[0] = 1, o[1] = 1, memcpy(o + 2, host_mac, 6);
	o += 8;
	o[0] = 5, o[1] = 1, o[6] = 0x05, o[7] = 0xdc;
	o += 8;
	for (int k = 0; k < 2; k++, o += 32) {
		o[0] = 3, o[1] = 4, o[2] = 64, o[3] = 0xc0;
		o[7] = 100, o[11] = 50;
		o[16] = 0x20, o[17] = 0x01, o[18] = 0x0d, o[19] = 0xb8, o[21] = (uint8_t)k;
	}
	reseal(fr, len);
	assert_int_equal(fl_ndp_input(&f->n, fr, len, 0, &f->sink, &m), FL_NDP_OK);
	assert_int_equal(m.type, FL_NDP_RA);
	assert_int_equal(m.cur_hop_limit, 64);
	assert_false(m.managed);
	assert_true(m.other);
	assert_int_equal(m.router_lifetime, 0x0708);
	assert_int_equal(m.mtu, 1500);
	assert_int_equal(m.nprefix, 2);
	assert_int_equal(m.prefix[1].plen, 64);
	assert_true(m.prefix[1].onlink && m.prefix[1].autonomous);
	assert_int_equal(m.prefix[1].valid, 100);
	assert_int_equal(m.prefix[1].preferred, 50);
	assert_int_equal(m.prefix[1].prefix[5], 1);
	assert_int_equal(f->n.st.ra_seen, 1);
	assert_non_null(fl_neigh_lookup(&f->n.cache, ip + 8));
	/* From a global address it is not an RA we accept (§6.1.2). */
	ip[8] = 0x20;
	reseal(fr, len);
	assert_int_equal(fl_ndp_parse(fr, len, &m), FL_NDP_BAD_SOURCE);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ndp_solicited_node_group_and_mac),
		cmocka_unit_test(test_ndp_ns_layout_and_checksum),
		cmocka_unit_test(test_ndp_dad_probe_from_unspecified_without_option),
		cmocka_unit_test(test_ndp_validation_each_rule),
		cmocka_unit_test(test_ndp_ns_for_us_answered_and_learned),
		cmocka_unit_test(test_ndp_dad_probe_for_us_answered_to_all_nodes),
		cmocka_unit_test(test_ndp_resolve_then_na_releases),
		cmocka_unit_test(test_ndp_unsolicited_na_does_not_overwrite_fresh),
		cmocka_unit_test(test_ndp_na_for_our_address_is_conflict),
		cmocka_unit_test(test_ndp_dad_tentative_then_preferred),
		cmocka_unit_test(test_ndp_dad_conflict_makes_duplicate),
		cmocka_unit_test(test_ndp_ra_prefix_information),
		cmocka_unit_test(test_ndp_retries_then_failure),
		cmocka_unit_test(test_ndp_stale_then_unicast_probe),
		cmocka_unit_test(test_ndp_duplicate_resolved_as_neighbour),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
