/* SPDX-License-Identifier: MIT */
/*
 * test_dp_switch: switch/hub mode's pure decision (dp_switch_decide) on
 * hand-built peers, and the frame path through a real dataplane: PKT_MAC
 * records out, learning of our own frames only, flooding of unknown and
 * group destinations, records without PKT_MAC refused. Also the pcap
 * copies (taken before the mode matters, so tested on this path): every
 * frame routed while on, none while off, off once the daemon says so.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dataplane/dp_switch.h"

static void test_decide(void **state)
{
	struct fl_dp_settings set;
	struct fl_dp_peer me = {.myself = true}, b = {0}, c = {0};
	struct fl_dp_route_result none = {0}, to_b = {.owner = &b}, to_c = {.owner = &c},
				  to_me = {.owner = &me};

	(void)state;
	fl_dp_settings_default(&set);
	set.mode = FL_DP_MODE_SWITCH;
	me.via = me.nexthop = &me;
	b.via = b.nexthop = &b;		/* neighbour */
	c.via = &c;			/* reached through b */
	c.nexthop = &b;
	c.via = &b;
	assert_int_equal(dp_switch_decide(&set, &me, none), DP_SW_BROADCAST);
	assert_int_equal(dp_switch_decide(&set, &me, to_b), DP_SW_UNICAST);
	assert_int_equal(dp_switch_decide(&set, &b, to_b), DP_SW_DROP_LOOP);
	assert_int_equal(dp_switch_decide(&set, &me, to_me), DP_SW_DROP_LOOP);
	assert_int_equal(dp_switch_decide(&set, &b, to_me), DP_SW_UNICAST);
	assert_int_equal(dp_switch_decide(&set, &b, to_c), DP_SW_UNICAST);
	set.forwarding = FL_DP_FORWARD_OFF;	/* no transit, own traffic still */
	assert_int_equal(dp_switch_decide(&set, &b, to_c), DP_SW_DROP_POLICY);
	assert_int_equal(dp_switch_decide(&set, &me, to_c), DP_SW_UNICAST);
	assert_int_equal(dp_switch_decide(&set, &b, to_me), DP_SW_UNICAST);
	set.forwarding = FL_DP_FORWARD_INTERNAL;
	set.direct_only = true;			/* c only through a relay */
	assert_int_equal(dp_switch_decide(&set, &me, to_c), DP_SW_DROP_POLICY);
	assert_int_equal(dp_switch_decide(&set, &me, to_b), DP_SW_UNICAST);
	set.direct_only = false;
	set.mode = FL_DP_MODE_HUB;		/* everything floods */
	assert_int_equal(dp_switch_decide(&set, &me, to_b), DP_SW_BROADCAST);
	assert_int_equal(dp_switch_decide(&set, &b, to_me), DP_SW_BROADCAST);
}

/* ---- a dataplane in switch mode: myself + neighbour b ---- */

static struct fl_dp *g_dp;
static struct fl_dp_peer *g_b;
static int g_sess = 1;
static unsigned g_learned, g_flooded, g_device, g_udp; /* g_udp: records sent */
static uint8_t g_last_type, g_learned_mac[6];
static size_t g_last_len;

static int z_seal(void *ctx, void *s, uint8_t type, struct fl_pkt *p)
{
	uint8_t *h = fl_pkt_push(p, 5), *t;
	(void)ctx, (void)s;
	if (!h || !(t = fl_pkt_put(p, 16)))
		return -1;
	memset(h, 0, 4);
	h[4] = type;
	memset(t, 0, 16);
	return 0;
}

static enum fl_dp_open_err z_open(void *ctx, void *s, struct fl_pkt *p, uint8_t *type, bool v)
{
	(void)ctx, (void)s;
	if (p->len < 21)
		return FL_DP_OPEN_SHORT;
	if (v)
		return FL_DP_OPEN_OK;
	*type = p->data[4];
	fl_pkt_pull(p, 5);
	p->len -= 16;
	return FL_DP_OPEN_OK;
}

static int o_udp(void *c, struct fl_dp_peer *r, unsigned s, const union fl_addr *a,
		 struct fl_pkt *p, bool probe)
{
	(void)c, (void)r, (void)s, (void)a;
	if (!probe) {
		g_udp++;
		g_last_type = p->data[FL_DGRAM_PREFIX_LEN + 4];
		g_last_len = p->len - FL_DGRAM_PREFIX_LEN - 21;
	}
	fl_pkt_free(p);
	return 0;
}
static void o_dev(void *c, struct fl_pkt *p) { (void)c; g_device++; fl_pkt_free(p); }
static void o_pkt(void *c, struct fl_dp_peer *t, const uint8_t *f, size_t l) { (void)c, (void)t, (void)f, (void)l; }
/* No PMTU yet: data records go over TCP (SPTPS_PACKET). */
static void o_tcp(void *c, struct fl_dp_peer *f, struct fl_dp_peer *t, const uint8_t *d, size_t l)
{
	(void)c, (void)f, (void)t;
	g_udp++;
	g_last_type = d[4];
	g_last_len = l - 21;
}
static void o_key(void *c, struct fl_dp_peer *t) { (void)c; fl_dp_peer_set_session(g_dp, t, &g_sess, true); }
static void o_info(void *c, struct fl_dp_peer *t) { (void)c, (void)t; }
static void o_mtu(void *c, struct fl_dp_peer *t, int m) { (void)c, (void)t, (void)m; }
static void o_rand(void *c, uint8_t *b, size_t l) { (void)c; memset(b, 0x5a, l); }
static void o_learn(void *c, const uint8_t mac[static 6], uint64_t t)
{
	(void)c, (void)t;
	g_learned++;
	memcpy(g_learned_mac, mac, 6);
}
/* 02:..:0b is b's; everything else unknown. */
static struct fl_dp_route_result o_mac(void *c, const uint8_t mac[static 6])
{
	struct fl_dp_route_result r = {0};
	(void)c;
	if (mac[0] == 2 && mac[5] == 0x0b)
		r.owner = g_b;
	return r;
}
static void o_bcast(void *c, struct fl_dp_peer *src, const uint8_t *f, size_t l) { (void)c, (void)src, (void)f, (void)l; g_flooded++; }

static struct fl_pkt *frame(struct fl_pkt_pool *pool, uint8_t dst_last, size_t len)
{
	struct fl_pkt *p = fl_pkt_alloc(pool);
	uint8_t *d = fl_pkt_put(p, len);

	memset(d, 0x11, len);
	memcpy(d, (uint8_t[]){2, 0, 0, 0, 0, dst_last, 2, 0, 0, 0, 0, 0x0a, 0x88, 0xb5}, 14);
	if (dst_last == 0xff)
		memset(d, 0xff, 6);
	return p;
}

static void test_path(void **state)
{
	struct fl_pkt_pool *pool = fl_pkt_pool_new(32);
	struct fl_dp_settings s;
	struct fl_dp_ops ops = {
		.udp_send = o_udp, .device_write = o_dev, .send_packet = o_pkt,
		.send_sptps_tcp = o_tcp, .request_key = o_key, .udp_info = o_info,
		.mtu_info = o_mtu, .broadcast = o_bcast,
		.random = o_rand, .mac_learn = o_learn, .mac_lookup = o_mac,
	};
	struct fl_dp_crypto cr = {NULL, z_seal, z_open, NULL, NULL};
	union fl_addr ab;
	struct fl_pkt *p;

	(void)state;
	fl_dp_settings_default(&s);
	s.mode = FL_DP_MODE_SWITCH;
	g_dp = fl_dp_new(&s, &ops, &cr, pool);
	struct fl_dp_peer *me = fl_dp_peer_add(g_dp, "a", (uint8_t[6]){1, 2, 3, 4, 5, 6}, true, NULL);
	g_b = fl_dp_peer_add(g_dp, "b", (uint8_t[6]){2, 2, 3, 4, 5, 6}, false, NULL);
	struct fl_dp_graph gb = {true, g_b, g_b, 7u << 24, false, true};
	fl_dp_peer_set_graph(g_dp, g_b, &gb);
	fl_addr_parse(&ab, "192.0.2.2", 655);
	fl_dp_peer_set_addr(g_dp, g_b, &ab);
	fl_dp_peer_set_session(g_dp, g_b, &g_sess, true);
	/* Our frame to b's MAC: learned, sent whole as PKT_MAC. */
	fl_dp_device_input(g_dp, 1000, frame(pool, 0x0b, 100));
	assert_int_equal(g_learned, 1);
	assert_int_equal(g_learned_mac[5], 0x0a);
	assert_int_equal(g_udp, 1);
	assert_int_equal(g_last_type, FL_DP_PKT_MAC);
	assert_int_equal(g_last_len, 100);
	/* Broadcast from us: flooded, not to our own device. */
	fl_dp_device_input(g_dp, 1000, frame(pool, 0xff, 60));
	assert_int_equal(g_flooded, 1);
	assert_int_equal(g_device, 0);
	/* A PACKET from b to an unknown MAC: flooded on and to our device,
	 * not learned (only our own device teaches us). */
	fl_dp_packet_input(g_dp, 1000, g_b, frame(pool, 0x33, 60));
	assert_int_equal(g_flooded, 2);
	assert_int_equal(g_device, 1);
	assert_int_equal(g_learned, 2); /* the broadcast above was ours */
	/* A frame from b to b's own MAC loops: dropped. All-zero destination
	 * (tinc's early probes): dropped. */
	fl_dp_packet_input(g_dp, 1000, g_b, frame(pool, 0x0b, 60));
	p = frame(pool, 0, 60);
	memset(p->data, 0, 6);
	fl_dp_packet_input(g_dp, 1000, g_b, p);
	assert_int_equal(g_device, 1);
	assert_int_equal(fl_dp_stats(g_dp)->drop[FL_DP_DROP_ROUTING], 2);
	/* A record without PKT_MAC (by SPTPS_PACKET) is refused in switch mode. */
	p = fl_pkt_alloc(pool);
	memset(fl_pkt_put(p, 60), 0x45, 60);
	z_seal(NULL, NULL, 0, p);
	fl_dp_sptps_tcp_input(g_dp, 1000, g_b, me, p, true);
	assert_int_equal(fl_dp_stats(g_dp)->drop[FL_DP_DROP_BAD_RECORD], 1);
	assert_int_equal(fl_pkt_pool_avail(pool), 32);
	fl_dp_free(g_dp);
	fl_pkt_pool_free(pool);
}

static unsigned g_copies;
static bool g_more = true;
static uint8_t g_copy_last;

static bool o_pcap(void *c, const uint8_t *f, size_t l)
{
	(void)c;
	assert_true(l >= 14);
	g_copies++;
	g_copy_last = f[5];
	return g_more;
}

static void test_pcap(void **state)
{
	struct fl_pkt_pool *pool = fl_pkt_pool_new(32);
	struct fl_dp_settings s;
	struct fl_dp_ops ops = {
		.udp_send = o_udp, .device_write = o_dev, .send_packet = o_pkt,
		.send_sptps_tcp = o_tcp, .request_key = o_key, .udp_info = o_info,
		.mtu_info = o_mtu, .broadcast = o_bcast,
		.random = o_rand, .mac_learn = o_learn, .mac_lookup = o_mac,
		.pcap = o_pcap,
	};
	struct fl_dp_crypto cr = {NULL, z_seal, z_open, NULL, NULL};

	(void)state;
	fl_dp_settings_default(&s);
	s.mode = FL_DP_MODE_SWITCH;
	g_dp = fl_dp_new(&s, &ops, &cr, pool);
	fl_dp_peer_add(g_dp, "a", (uint8_t[6]){1, 2, 3, 4, 5, 6}, true, NULL);
	g_b = fl_dp_peer_add(g_dp, "b", (uint8_t[6]){2, 2, 3, 4, 5, 6}, false, NULL);
	/* Off by default: no copies. */
	fl_dp_device_input(g_dp, 1000, frame(pool, 0x0b, 100));
	assert_int_equal(g_copies, 0);
	/* On: ours and b's frames, dropped ones too (as tinc: before routing). */
	fl_dp_set_pcap(g_dp, true);
	fl_dp_device_input(g_dp, 1000, frame(pool, 0x0b, 100));
	assert_int_equal(g_copies, 1);
	assert_int_equal(g_copy_last, 0x0b);
	fl_dp_packet_input(g_dp, 1000, g_b, frame(pool, 0x0b, 60)); /* loop: dropped */
	assert_int_equal(g_copies, 2);
	/* The daemon's last listener left: this copy is the last one. */
	g_more = false;
	fl_dp_packet_input(g_dp, 1000, g_b, frame(pool, 0x33, 60));
	fl_dp_packet_input(g_dp, 1000, g_b, frame(pool, 0x34, 60));
	assert_int_equal(g_copies, 3);
	assert_int_equal(g_copy_last, 0x33);
	assert_int_equal(fl_pkt_pool_avail(pool), 32);
	fl_dp_free(g_dp);
	fl_pkt_pool_free(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_pcap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
