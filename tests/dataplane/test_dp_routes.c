/*
 * test_dp_routes.c: the dataplane's side of local routes (route/NODE,
 * doc/routes.md) in the in-memory network of tnet.c: a frame from the
 * device whose destination has a local route goes to the route's node over
 * SPTPS with that node's ID as DSTID (even to a neighbour, never as PACKET
 * 17), before the subnets; the node writes it to its device with no
 * second lookup, even for an address in another node's subnet; an
 * unreachable route node falls through to the subnets; a PACKET 17 frame
 * is still routed hop by hop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "tnet.h"
#include "wire/csum.h"
#include "wire/dgram.h"
#include "wire/icmp.h"

#define A 0
#define B 1
#define C 2

/* A frame from a's range to 198.51.100.7 (in no subnet of tnet.c). */
static struct fl_pkt *frame_out(struct tnet *net, int a, size_t len)
{
	struct fl_pkt *p = tnet_frame4(net, a, a, len, true);
	uint8_t *ip = p->data + 14;

	ip[16] = 198, ip[17] = 51, ip[18] = 100, ip[19] = 7;
	ip[10] = ip[11] = 0;
	fl_put16(ip + 10, fl_csum_fold(fl_csum_add(0, ip, 20)));
	return p;
}

static void send_out(struct tnet *net, int a, size_t len)
{
	struct fl_pkt *p = frame_out(net, a, len);

	fl_pkt_pull(p, 14);
	fl_dp_device_input(net->node[a].dp, net->now, p);
	tnet_pump(net);
}

static void id_of(const char *name, uint8_t id[6])
{
	uint8_t h[64];
	unsigned hl = 0;

	EVP_Digest(name, strlen(name), h, &hl, EVP_sha512(), NULL);
	memcpy(id, h, 6);
}

/* Frames both ways so that probes confirm UDP between a and b. */
static void warm_up(struct tnet *net, int a, int b)
{
	for (int i = 0; i < 40; i++) {
		tnet_send_ip(net, a, b, 200, true);
		tnet_send_ip(net, b, a, 200, true);
		tnet_advance(net, 100000);
	}
}

static void test_route_to_neighbour(void **state)
{
	struct tnet net;
	struct fl_dp_settings s;
	uint8_t idb[6];

	(void)state;
	fl_dp_settings_default(&s);
	tnet_init(&net, 2, &s);
	tnet_link(&net, A, B, true, B);
	tnet_link(&net, B, A, true, A);
	net.node[A].route_to = B + 1;
	tnet_publish(&net, A);
	/* No key yet: dropped (not PACKET 17), and the key exchange starts. */
	send_out(&net, A, 100);
	assert_int_equal(net.node[A].packet17_sent, 0);
	assert_int_equal(net.node[B].device_frames, 0);
	/* Keyed, UDP not yet confirmed: SPTPS_PACKET over TCP names B too. */
	unsigned tcp = net.node[A].tcp_sent;
	send_out(&net, A, 100);
	assert_int_equal(net.node[A].tcp_sent, tcp + 1);
	assert_int_equal(net.node[B].device_frames, 1);
	assert_int_equal(net.node[B].last_device[14 + 16], 198);
	assert_int_equal(net.node[A].packet17_sent, 0);
	/* Once UDP works: a UDP datagram with DSTID = B (not zero). */
	warm_up(&net, A, B);
	unsigned dev = net.node[B].device_frames, p17 = net.node[A].packet17_sent;
	net.capture_len = 300 + 19; /* 12 IDs + 4 seqno + 1 type + 286 + 16 tag */
	send_out(&net, A, 300);
	assert_int_equal(net.node[B].device_frames, dev + 1);
	assert_int_equal(net.node[B].last_device_len, 300);
	assert_int_equal(net.node[B].last_device[14 + 19], 7);
	assert_int_equal(net.node[A].packet17_sent, p17);
	assert_non_null(net.captured);
	id_of(net.node[B].name, idb);
	assert_memory_equal(net.captured->data, idb, 6);
	/* Ordinary traffic to B's subnet still uses the anonymous form. */
	fl_pkt_free(net.captured);
	net.captured = NULL;
	tnet_send_ip(&net, A, B, 300, true);
	assert_non_null(net.captured);
	assert_true(fl_node_id_is_zero(net.captured->data));
	tnet_free(&net);
}

static void test_route_unreachable_falls_through(void **state)
{
	struct tnet net;
	struct fl_dp_settings s;
	struct fl_dp_graph down = {0};

	(void)state;
	fl_dp_settings_default(&s);
	tnet_init(&net, 2, &s);
	tnet_link(&net, A, B, true, B);
	tnet_link(&net, B, A, true, A);
	net.node[A].route_to = B + 1;
	tnet_publish(&net, A);
	fl_dp_peer_set_graph(net.node[A].dp, net.node[A].peer[B], &down);
	/* The subnets decide: none → ICMP net unknown to our own device. */
	send_out(&net, A, 100);
	assert_int_equal(net.node[A].device_frames, 1);
	assert_int_equal(net.node[A].last_device[34], FL_ICMP_DEST_UNREACH);
	assert_int_equal(net.node[A].last_device[35], FL_ICMP_NET_UNKNOWN);
	/* A route to ourselves is ignored the same way (no device loop). */
	net.node[A].route_to = A + 1;
	tnet_publish(&net, A);
	send_out(&net, A, 100);
	assert_int_equal(net.node[A].device_frames, 2);
	assert_int_equal(net.node[A].last_device[35], FL_ICMP_NET_UNKNOWN);
	tnet_free(&net);
}

static void test_route_through_relay(void **state)
{
	struct tnet net;
	struct fl_dp_settings s;

	(void)state;
	fl_dp_settings_default(&s);
	tnet_init(&net, 3, &s);
	/* A—C—B; UDP between A and B blocked: C relays by DSTID. */
	tnet_link(&net, A, C, true, C);
	tnet_link(&net, C, A, true, A);
	tnet_link(&net, B, C, true, C);
	tnet_link(&net, C, B, true, B);
	tnet_link(&net, A, B, false, C);
	tnet_link(&net, B, A, false, C);
	net.blocked[A][B] = net.blocked[B][A] = true;
	net.node[A].route_to = B + 1;
	tnet_publish(&net, A);
	for (int k = 0; k < 60; k++) {
		send_out(&net, A, 300);
		tnet_advance(&net, 100000);
	}
	assert_true(net.node[B].device_frames >= 50);
	assert_int_equal(net.node[C].device_frames, 0);
	assert_true(fl_dp_stats(net.node[C].dp)->relayed > 0);
	assert_int_equal(net.node[B].last_device[14 + 16], 198);
	tnet_free(&net);
}

static void test_route_before_subnets(void **state)
{
	struct tnet net;
	struct fl_dp_settings s;

	(void)state;
	fl_dp_settings_default(&s);
	tnet_init(&net, 3, &s);
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++)
			if (a != b)
				tnet_link(&net, a, b, true, b);
	warm_up(&net, A, B);
	warm_up(&net, A, C);
	/* A routes everything to B, C's subnet included: the local route
	 * wins, and B writes the frame out instead of forwarding it to C. */
	net.node[A].route_to = B + 1;
	net.node[A].route_any = true;
	tnet_publish(&net, A);
	unsigned devb = net.node[B].device_frames, devc = net.node[C].device_frames;
	for (int k = 0; k < 5; k++)
		tnet_send_ip(&net, A, C, 200, true);
	assert_int_equal(net.node[B].device_frames, devb + 5);
	assert_int_equal(net.node[C].device_frames, devc);
	assert_int_equal(net.node[B].last_device[14 + 19], C * 64 + 1);
	/* Without the route, C's subnet decides again. */
	net.node[A].route_to = 0;
	tnet_publish(&net, A);
	tnet_send_ip(&net, A, C, 200, true);
	assert_int_equal(net.node[C].device_frames, devc + 1);
	tnet_free(&net);
}

static void test_packet17_still_routed(void **state)
{
	struct tnet net;
	struct fl_dp_settings s;

	(void)state;
	fl_dp_settings_default(&s);
	tnet_init(&net, 2, &s);
	tnet_link(&net, A, B, true, B);
	tnet_link(&net, B, A, true, A);
	/* PACKET 17 carries no DSTID: B routes it, finds no subnet and
	 * answers with ICMP net unknown instead of writing it out. */
	fl_dp_packet_input(net.node[B].dp, net.now, net.node[B].peer[A], frame_out(&net, A, 100));
	tnet_pump(&net);
	assert_int_equal(net.node[B].device_frames, 0);
	assert_int_equal(net.node[A].device_frames, 1);
	assert_int_equal(net.node[A].last_device[35], FL_ICMP_NET_UNKNOWN);
	tnet_free(&net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_to_neighbour),
		cmocka_unit_test(test_route_unreachable_falls_through),
		cmocka_unit_test(test_route_through_relay),
		cmocka_unit_test(test_route_before_subnets),
		cmocka_unit_test(test_packet17_still_routed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
