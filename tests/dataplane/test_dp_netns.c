/*
 * test_dp_netns.c: two dataplanes with real TUN devices and real UDP
 * sockets in two network namespaces this test creates, joined by a veth
 * pair; the meta connection and the key exchange are in-process (tnet).
 * ping from one namespace to the other goes kernel → tun → dataplane →
 * UDP (after PACKET while UDP is unconfirmed) → dataplane → tun → kernel.
 * Exit 77 (skip) without the privileges to create namespaces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/loop.h"
#include "io/tun.h"
#include "io/udp.h"
#include "tnet.h"

static char nsname[2][32];

__attribute__((format(printf, 1, 2))) static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd) == 0 ? 0 : -1;
}

static void cleanup(void)
{
	for (int i = 0; i < 2; i++)
		if (nsname[i][0])
			sh("ip netns del %s 2>/dev/null", nsname[i]);
}

/* Open the node's tun and UDP socket inside its namespace. */
static int open_in_ns(struct tnet *net, int i, const char *underlay)
{
	char path[64], ifname[IFNAMSIZ];
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC), ns, warn;
	struct fl_udp_opts o;
	union fl_addr a;

	snprintf(path, sizeof(path), "/var/run/netns/%s", nsname[i]);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (self < 0 || ns < 0 || setns(ns, CLONE_NEWNET) < 0)
		return -1;
	net->node[i].tun_fd = fl_tun_open(NULL, i ? "fltunb" : "fltuna", ifname);
	fl_udp_opts_default(&o);
	fl_addr_parse(&a, underlay, 655);
	net->node[i].udp_fd = fl_udp_open(&a, &o, &warn);
	setns(self, CLONE_NEWNET);
	close(self);
	close(ns);
	tnet_set_addr(net, i, &a);
	return net->node[i].tun_fd > 0 && net->node[i].udp_fd > 0 ? 0 : -1;
}

static void run_io(struct tnet *net, uint64_t ms)
{
	struct fl_pkt *pk[64];
	union fl_addr from[64];
	uint64_t end = fl_now_us() + ms * 1000, last_tick = 0;

	while (fl_now_us() < end) {
		struct pollfd pfd[4] = {
			{net->node[0].tun_fd, POLLIN, 0}, {net->node[0].udp_fd, POLLIN, 0},
			{net->node[1].tun_fd, POLLIN, 0}, {net->node[1].udp_fd, POLLIN, 0},
		};
		poll(pfd, 4, 20);
		net->now = fl_now_us();
		for (int i = 0; i < 2; i++) {
			struct tnode *n = &net->node[i];
			int k = fl_tun_read_batch(n->tun_fd, net->pool, pk, 64);
			for (int j = 0; j < k; j++)
				fl_dp_device_input(n->dp, net->now, pk[j]);
			k = fl_udp_recv_batch(n->udp_fd, net->pool, pk, from, 64);
			for (int j = 0; j < k; j++)
				fl_dp_udp_input(n->dp, net->now, 0, &from[j], pk[j]);
		}
		if (net->now - last_tick >= 1000000) {
			last_tick = net->now;
			for (int i = 0; i < 2; i++)
				fl_dp_tick(net->node[i].dp, net->now, true);
		}
		tnet_pump(net);
	}
}

static void test_ping_across(void **state)
{
	struct tnet net;
	struct fl_dp_settings s;
	char out[64];

	(void)state;
	fl_dp_settings_default(&s);
	tnet_init(&net, 2, &s);
	assert_int_equal(open_in_ns(&net, 0, "203.0.113.1"), 0);
	assert_int_equal(open_in_ns(&net, 1, "203.0.113.2"), 0);
	tnet_link(&net, 0, 1, true, 1);
	tnet_link(&net, 1, 0, true, 0);
	assert_int_equal(sh("ip -n %s link set fltuna up && ip -n %s addr add 192.0.2.1/26 dev fltuna &&"
			    " ip -n %s route add 192.0.2.64/26 dev fltuna", nsname[0], nsname[0], nsname[0]), 0);
	assert_int_equal(sh("ip -n %s link set fltunb up && ip -n %s addr add 192.0.2.65/26 dev fltunb &&"
			    " ip -n %s route add 192.0.2.0/26 dev fltunb", nsname[1], nsname[1], nsname[1]), 0);
	snprintf(out, sizeof(out), "/tmp/fl_ping_%d.txt", (int)getpid());
	/* 20 pings over 4 s; the first go by PACKET, then UDP takes over. */
	assert_int_equal(sh("ip netns exec %s ping -n -c 20 -i 0.2 -W 2 192.0.2.65 >%s 2>&1 &",
			    nsname[0], out), 0);
	run_io(&net, 6000);
	assert_int_equal(sh("grep -q ' 0%% packet loss' %s", out), 0);
	const struct fl_dp_stats *st = fl_dp_stats(net.node[0].dp);
	struct fl_dp_peer_info i;
	fl_dp_peer_info(net.node[0].peer[1], &i);
	print_message("udp_out %llu packet17 %u confirmed %d\n", (unsigned long long)st->udp_out,
		      net.node[0].packet17_sent, i.udp_confirmed);
	assert_true(st->udp_out > 10);
	assert_true(i.udp_confirmed);
	/* Large DF pings go through, and PMTU discovery found the veth's 1500. */
	assert_int_equal(sh("ip netns exec %s ping -n -c 5 -i 0.2 -W 2 -M do -s 1300 192.0.2.65 >%s 2>&1 &",
			    nsname[0], out), 0);
	run_io(&net, 2500);
	assert_int_equal(sh("grep -q ' 0%% packet loss' %s", out), 0);
	fl_dp_peer_info(net.node[0].peer[1], &i);
	print_message("pmtu %d (min %d max %d)\n", i.mtu, i.minmtu, i.maxmtu);
	/* 1500 - 20 IPv4 - 8 UDP - 12 node IDs - 4 seqno - 1 type - 16 tag,
	 * and discovery has settled on it (min = max). */
	assert_int_equal(i.minmtu, i.maxmtu);
	assert_int_equal(i.mtu, 1439);
	/* IPv6 through the same tunnel: 2001:db8:0:0::/64 is A's, :1:: is B's. */
	assert_int_equal(sh("ip -n %s addr add 2001:db8::1/64 dev fltuna nodad &&"
			    " ip -n %s route add 2001:db8:0:1::/64 dev fltuna &&"
			    " ip -n %s addr add 2001:db8:0:1::1/64 dev fltunb nodad &&"
			    " ip -n %s route add 2001:db8::/64 dev fltunb",
			    nsname[0], nsname[0], nsname[1], nsname[1]), 0);
	assert_int_equal(sh("ip netns exec %s ping -6 -n -c 5 -i 0.2 -W 2 2001:db8:0:1::1 >%s 2>&1 &",
			    nsname[0], out), 0);
	run_io(&net, 2500);
	assert_int_equal(sh("grep -q ' 0%% packet loss' %s", out), 0);
	unlink(out);
	for (int k = 0; k < 2; k++) {
		close(net.node[k].tun_fd);
		close(net.node[k].udp_fd);
	}
	tnet_free(&net);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping_across),
	};
	int r;

	snprintf(nsname[0], sizeof(nsname[0]), "fldpa%d", (int)getpid());
	snprintf(nsname[1], sizeof(nsname[1]), "fldpb%d", (int)getpid());
	if (sh("ip netns add %s 2>/dev/null && ip netns add %s", nsname[0], nsname[1]) != 0) {
		cleanup();
		printf("skip: cannot create network namespaces\n");
		return 77;
	}
	atexit(cleanup);
	if (sh("ip link add flva%d netns %s type veth peer name flvb%d netns %s",
	       (int)getpid(), nsname[0], (int)getpid(), nsname[1]) != 0 ||
	    sh("ip -n %s addr add 203.0.113.1/24 dev flva%d && ip -n %s link set flva%d up &&"
	       " ip -n %s link set lo up", nsname[0], (int)getpid(), nsname[0], (int)getpid(), nsname[0]) != 0 ||
	    sh("ip -n %s addr add 203.0.113.2/24 dev flvb%d && ip -n %s link set flvb%d up &&"
	       " ip -n %s link set lo up", nsname[1], (int)getpid(), nsname[1], (int)getpid(), nsname[1]) != 0) {
		printf("skip: cannot set up the veth pair\n");
		return 77;
	}
	r = cmocka_run_group_tests(tests, NULL, NULL);
	return r;
}
