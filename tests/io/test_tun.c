/* SPDX-License-Identifier: MIT */
/*
 * test_tun.c: a real TUN device in a network namespace this test creates
 * (unshare(CLONE_NEWNET)); skipped without CAP_SYS_ADMIN/CAP_NET_ADMIN.
 * Packets go kernel → tun (read batch) and tun → kernel (write), and a DF
 * datagram larger than the namespace's loopback MTU comes back as EMSGSIZE
 * through the transmit queue's error callback.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/tun.h"
#include "io/udp.h"
#include "wire/csum.h"

static int run(const char *cmd)
{
	int r = system(cmd);
	return r == 0 ? 0 : -1;
}

static int setup(void **state)
{
	(void)state;
	if (unshare(CLONE_NEWNET) < 0) {
		print_message("skip: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static uint16_t ipsum(const uint8_t *p, size_t n)
{
	return fl_csum_fold(fl_csum_add(0, p, n));
}

static void test_tun_roundtrip(void **state)
{
	char ifname[IFNAMSIZ];
	struct fl_pkt_pool *pool = fl_pkt_pool_new(16);
	struct fl_pkt *pk[16];
	union fl_addr local, dst, from[4];
	struct fl_udp_opts o;
	int fd, s, warn, n = 0;

	(void)state;
	fd = fl_tun_open(NULL, "fltest%d", ifname);
	if (fd == -EPERM || fd == -ENOENT || fd == -EACCES)
		skip();
	assert_true(fd >= 0);
	assert_int_equal(strncmp(ifname, "fltest", 6), 0);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "ip link set lo up && ip link set %s up && "
		 "ip addr add 192.0.2.1/24 dev %s", ifname, ifname);
	assert_int_equal(run(cmd), 0);

	/* kernel → tun: a UDP datagram to 192.0.2.2 is routed into the device. */
	fl_udp_opts_default(&o);
	assert_true(fl_addr_parse(&local, "192.0.2.1", 5555));
	s = fl_udp_open(&local, &o, &warn);
	assert_true(s >= 0);
	assert_true(fl_addr_parse(&dst, "192.0.2.2", 7777));
	assert_int_equal(fl_udp_send(s, &dst, "ping!", 5), 0);
	for (int i = 0; i < 200 && n <= 0; i++) {
		n = fl_tun_read_batch(fd, pool, pk, 16);
		if (n <= 0)
			usleep(5000);
	}
	assert_true(n >= 1);
	int found = 0;
	for (int i = 0; i < n; i++) {
		const uint8_t *ip = pk[i]->data;
		if (pk[i]->len == 33 && ip[0] == 0x45 && ip[9] == 17 && !memcmp(ip + 28, "ping!", 5))
			found = 1;
		fl_pkt_free(pk[i]);
	}
	assert_true(found);

	/* tun → kernel: a UDP packet from 192.0.2.2 to our socket. */
	uint8_t pkt[33] = {0x45, 0, 0, 33, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 2, 192, 0, 2, 1,
			   0x1e, 0x61, 0x15, 0xb3, 0, 13, 0, 0, 'p', 'o', 'n', 'g', '!'};
	uint16_t c = ipsum(pkt, 20);
	pkt[10] = (uint8_t)(c >> 8);
	pkt[11] = (uint8_t)c;
	assert_int_equal(fl_tun_write(fd, pkt, sizeof(pkt)), 0);
	n = 0;
	for (int i = 0; i < 200 && n <= 0; i++) {
		n = fl_udp_recv_batch(s, pool, pk, from, 4);
		if (n <= 0)
			usleep(5000);
	}
	assert_int_equal(n, 1);
	assert_memory_equal(pk[0]->data, "pong!", 5);
	assert_true(fl_addr_parse(&dst, "192.0.2.2", 7777));
	assert_true(fl_addr_equal(&from[0], &dst));
	fl_pkt_free(pk[0]);
	close(s);
	close(fd);
	fl_pkt_pool_free(pool);
}

struct emsg {
	int err;
	size_t len;
	uintptr_t cookie;
};

static void on_err(void *ctx, uintptr_t cookie, int err, size_t len)
{
	struct emsg *e = ctx;
	e->err = err;
	e->len = len;
	e->cookie = cookie;
}

static void test_emsgsize(void **state)
{
	struct fl_pkt_pool *pool = fl_pkt_pool_new(4);
	union fl_addr a, b;
	struct fl_udp_opts o;
	struct fl_udp_txq q;
	struct emsg e = {0};
	int s, warn;

	(void)state;
	if (run("ip link set lo mtu 1280 && ip link set lo up") != 0)
		skip();
	fl_udp_opts_default(&o);
	assert_true(fl_addr_parse(&a, "127.0.0.1", 0));
	s = fl_udp_open(&a, &o, &warn);
	assert_true(s >= 0);
	assert_int_equal(warn, 0);
	assert_true(fl_addr_parse(&b, "127.0.0.1", 9));
	assert_int_equal(fl_udp_path_mtu(&b), 1280);
	fl_udp_txq_init(&q, s, on_err, &e);
	struct fl_pkt *small = fl_pkt_alloc(pool), *big = fl_pkt_alloc(pool);
	memset(fl_pkt_put(small, 100), 1, 100);
	memset(fl_pkt_put(big, 1300), 2, 1300);
	fl_udp_txq_push(&q, &b, big, 42);
	fl_udp_txq_push(&q, &b, small, 43);
	assert_int_equal(fl_udp_txq_flush(&q), 1);
	assert_int_equal(e.err, EMSGSIZE);
	assert_int_equal(e.len, 1300);
	assert_int_equal(e.cookie, 42);
	assert_int_equal(fl_pkt_pool_avail(pool), 4);
	close(s);
	fl_pkt_pool_free(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tun_roundtrip),
		cmocka_unit_test(test_emsgsize),
	};
	if (setup(NULL) < 0) {
		/* cmocka has no group-level skip: report 77 like the e2e scripts. */
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
