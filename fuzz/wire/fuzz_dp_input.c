/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dp_input: untrusted bytes into every entry point of the dataplane
 * (UDP datagram, PACKET 17 frame, SPTPS_PACKET over TCP, device packet).
 * Records are "sealed" with a null cipher (zero tag) so the fuzzer reaches
 * the record rules, decompression, probe handling, relaying and routing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dataplane/dataplane.h"
#include "lpm/lpm.h"
#include "wire/csum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fl_pkt_pool *pool;
static struct fl_dp *dp;
static struct fl_dp_peer *peer[3];
static union fl_addr addr[3];
static int sess = 1;
static uint64_t now = 5000000;

static int z_seal(void *ctx, void *s, uint8_t type, struct fl_pkt *p)
{
	uint8_t *h = fl_pkt_push(p, 5), *t;
	(void)ctx;
	(void)s;
	if (!h || !(t = fl_pkt_put(p, 16)))
		return -1;
	memset(h, 0, 4);
	h[4] = type;
	memset(t, 0, 16);
	return 0;
}

static enum fl_dp_open_err z_open(void *ctx, void *s, struct fl_pkt *p, uint8_t *type, bool v)
{
	static const uint8_t zero[16];
	(void)ctx;
	(void)s;
	if (p->len < 21)
		return FL_DP_OPEN_SHORT;
	if (memcmp(p->data + p->len - 16, zero, 16))
		return FL_DP_OPEN_AUTH;
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
	(void)c, (void)r, (void)s, (void)a, (void)probe;
	fl_pkt_free(p);
	return 0;
}
static void o_dev(void *c, struct fl_pkt *p) { (void)c; fl_pkt_free(p); }
static void o_pkt(void *c, struct fl_dp_peer *t, const uint8_t *f, size_t l) { (void)c, (void)t, (void)f, (void)l; }
static void o_tcp(void *c, struct fl_dp_peer *f, struct fl_dp_peer *t, const uint8_t *d, size_t l) { (void)c, (void)f, (void)t, (void)d, (void)l; }
static void o_key(void *c, struct fl_dp_peer *t)
{
	(void)c;
	fl_dp_peer_set_session(dp, t, &sess, true);
}
static void o_info(void *c, struct fl_dp_peer *t) { (void)c, (void)t; }
static void o_mtu(void *c, struct fl_dp_peer *t, int m) { (void)c, (void)t, (void)m; }
static void o_rand(void *c, uint8_t *b, size_t l) { (void)c; memset(b, 0x5a, l); }
/* Every drop reason a remote can cause must have a name and a sane peer. */
static void o_drop(void *c, enum fl_dp_drop why, struct fl_dp_peer *p, const union fl_addr *a)
{
	(void)c, (void)a;
	if ((unsigned)why >= FL_DP_DROP_MAX || !strcmp(fl_dp_drop_name(why), "unknown") ||
	    (p && !fl_dp_peer_name(p)))
		__builtin_trap();
}

static void pfx(struct fl_dp_prefix *p, int family, uint8_t first, int len,
		struct fl_dp_peer *to)
{
	memset(p, 0, sizeof(*p));
	p->addr[0] = first;
	p->family = (uint8_t)family;
	p->len = (uint8_t)len;
	p->peer = to;
}

/* The published tables: by the top bits of the destination, subnets of
 * myself, b and c, an owner-less (broadcast) range and no subnet at all;
 * local routes to b, to myself (must be ignored) and to c (no direct
 * connection). */
static void publish(void)
{
	struct fl_dp_prefix v[8];
	struct fl_lpm_prefix r[4];
	struct fl_lpm *t = NULL;
	size_t n = 0;

	for (int f = 4; f <= 6; f += 2) {
		pfx(&v[n++], f, 0x00, 2, peer[0]);
		pfx(&v[n++], f, 0x40, 2, peer[1]);
		pfx(&v[n++], f, 0x80, 2, peer[2]);
		pfx(&v[n++], f, 0xe0, 4, NULL);
	}
	memset(r, 0, sizeof(r));
	r[0].family = 4, r[0].len = 8, r[0].addr[0] = 10, r[0].value = 0;
	r[1].family = 4, r[1].len = 12, r[1].addr[0] = 172, r[1].addr[1] = 16, r[1].value = 1;
	r[2].family = 4, r[2].len = 10, r[2].addr[0] = 100, r[2].addr[1] = 64, r[2].value = 2;
	r[3].family = 6, r[3].len = 8, r[3].addr[0] = 0xfd, r[3].value = 0;
	if (fl_dp_stage_subnets(dp, v, n) < 0 || fl_lpm_build(r, 4, NULL, &t) != FL_LPM_OK ||
	    fl_dp_stage_routes(dp, t, 3) < 0)
		__builtin_trap();
	fl_dp_stage_route_target(dp, 0, peer[1]);
	fl_dp_stage_route_target(dp, 1, peer[0]);
	fl_dp_stage_route_target(dp, 2, peer[2]);
	if (fl_dp_publish(dp) < 0)
		__builtin_trap();
}

#ifdef FUZZ_DP_SWITCH
/* Switch mode (fuzz_dp_switch): MACs owned by a peer picked by the last
 * byte, group addresses flooded; learning must not touch the frame. */
static void o_learn(void *c, const uint8_t mac[static 6], uint64_t t) { (void)c, (void)mac, (void)t; }
static struct fl_dp_route_result o_mac(void *c, const uint8_t mac[static 6])
{
	struct fl_dp_route_result r = {0};
	(void)c;
	if (mac[0] & 1)
		r.broadcast = true;
	else if (mac[5] % 4 < 3)
		r.owner = peer[mac[5] % 4];
	return r;
}
static void o_bcast(void *c, struct fl_dp_peer *src, const uint8_t *f, size_t l)
{
	struct fl_pkt *p = fl_pkt_alloc(pool);
	(void)c;
	if (p && fl_pkt_set(p, f, l) == 0)
		fl_dp_send_frame(dp, now, src == peer[1] ? peer[2] : peer[1], p);
	else if (p)
		fl_pkt_free(p);
}
#endif

static void setup(void)
{
	struct fl_dp_settings s;
	struct fl_dp_ops ops = {NULL, o_udp, o_dev, o_pkt, o_tcp, o_key, o_info, o_mtu,
				NULL, o_rand, NULL, NULL, o_drop, NULL, NULL, NULL, NULL};
	struct fl_dp_crypto cr = {NULL, z_seal, z_open, NULL, NULL};
	static const char *names[3] = {"a", "b", "c"};

	fl_dp_settings_default(&s);
#ifdef FUZZ_DP_SWITCH
	s.mode = FL_DP_MODE_SWITCH;
	ops.mac_learn = o_learn;
	ops.mac_lookup = o_mac;
	ops.broadcast = o_bcast;
#endif
	s.compression = 12;
	s.decrement_ttl = true;
	pool = fl_pkt_pool_new(256);
	dp = fl_dp_new(&s, &ops, &cr, pool);
	for (int i = 0; i < 3; i++) {
		uint8_t id[6] = {(uint8_t)(i + 1), 2, 3, 4, 5, 6};
		char host[32];
		peer[i] = fl_dp_peer_add(dp, names[i], id, i == 0, NULL);
		snprintf(host, sizeof(host), "192.0.2.%d", i + 1);
		fl_addr_parse(&addr[i], host, 655);
	}
	struct fl_dp_graph gb = {true, peer[1], peer[1], FL_DP_OPT_PMTU_DISCOVERY | FL_DP_OPT_CLAMP_MSS | (7u << 24), true, true};
	struct fl_dp_graph gc = {true, peer[2], peer[1], FL_DP_OPT_PMTU_DISCOVERY | (7u << 24), false, true};
	fl_dp_peer_set_graph(dp, peer[1], &gb);
	fl_dp_peer_set_graph(dp, peer[2], &gc);
	fl_dp_peer_set_addr(dp, peer[1], &addr[1]);
	fl_dp_peer_set_addr(dp, peer[2], &addr[2]);
	fl_dp_peer_set_session(dp, peer[1], &sess, true);
	fl_dp_peer_set_session(dp, peer[2], &sess, true);
	fl_dp_peer_set_compression(peer[1], 10);
	publish();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_pkt *p;

	if (!dp)
		setup();
	if (size < 2 || size - 2 > FL_MAXSIZE)
		return 0;
	now += (uint64_t)data[1] * 50000;
	p = fl_pkt_alloc(pool);
	if (!p)
		__builtin_trap(); /* a leak in the dataplane */
	if (fl_pkt_set(p, data + 2, size - 2) < 0)
		__builtin_trap(); /* size - 2 <= FL_MAXSIZE always fits */
	switch (data[0] % 5) {
	case 0:
		fl_dp_udp_input(dp, now, 0, &addr[1 + data[0] / 5 % 2], p);
		break;
	case 1:
		fl_dp_packet_input(dp, now, peer[1], p);
		break;
	case 2:
		fl_dp_sptps_tcp_input(dp, now, peer[1 + data[0] / 5 % 2], peer[data[0] / 10 % 3], p,
				      data[0] & 0x80);
		break;
	case 3:
		fl_dp_device_input(dp, now, p);
		break;
	default:
		if (data[0] & 0x80) { /* a truncated (oversize) datagram */
			fl_dp_udp_oversize(dp, &addr[1 + data[0] / 5 % 2], p);
			break;
		}
		fl_pkt_free(p);
		fl_dp_tick(dp, now, true);
		break;
	}
	if (fl_pkt_pool_avail(pool) != 256)
		__builtin_trap(); /* every path must free what it takes */
	return 0;
}
