/* SPDX-License-Identifier: MIT */
/*
 * test_udp_offload.c: UDP_SEGMENT sends and UDP_GRO receives on real
 * loopback sockets (src/io/udp.c, udp_rxq.c). Every combination of
 * offload on/off at either end must deliver the same datagrams, in order,
 * with the sizes queued: runs split on a size or destination change, the
 * last of a run may be shorter, and the fallback (offloads forced off)
 * does the same with sendmmsg/recvmmsg.
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
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/udp.h"
#include "wire/dgram.h"

#define POOL 512

/* What one case queues, in order: (destination 0 or 1, size). */
struct item {
	int dst;
	size_t len;
};

static const struct item plan[] = {
	/* one run of 10 + a shorter last one */
	{0, 1000}, {0, 1000}, {0, 1000}, {0, 1000}, {0, 1000},
	{0, 1000}, {0, 1000}, {0, 1000}, {0, 1000}, {0, 1000}, {0, 500},
	/* destination change: a new run */
	{1, 1000}, {1, 1000}, {1, 1000},
	/* a lone datagram, then a run that grows: split where it grows */
	{0, 64},
	{0, 800}, {0, 800}, {0, 1200}, {0, 1200},
	/* back to the other socket, each shorter than the one before */
	{1, 300}, {1, 200}, {1, 100},
};
#define NPLAN (sizeof(plan) / sizeof(plan[0]))

struct fix {
	struct fl_pkt_pool *pool;
	int s, r[2];
	union fl_addr sa, ra[2];
};

static void fix_open(struct fix *f)
{
	struct fl_udp_opts o;
	union fl_addr lo;
	int warn;

	fl_udp_opts_default(&o);
	assert_true(fl_addr_parse(&lo, "127.0.0.1", 0));
	f->pool = fl_pkt_pool_new(POOL);
	assert_non_null(f->pool);
	f->s = fl_udp_open(&lo, &o, &warn);
	assert_true(f->s >= 0);
	assert_int_equal(fl_udp_local_addr(f->s, &f->sa), 0);
	for (int i = 0; i < 2; i++) {
		f->r[i] = fl_udp_open(&lo, &o, &warn);
		assert_true(f->r[i] >= 0);
		assert_int_equal(fl_udp_local_addr(f->r[i], &f->ra[i]), 0);
	}
}

static void fix_close(struct fix *f)
{
	close(f->s);
	close(f->r[0]);
	close(f->r[1]);
	assert_int_equal(fl_pkt_pool_avail(f->pool), POOL);
	fl_pkt_pool_free(f->pool);
}

/* Byte j of datagram k: tells both the datagram and the position apart. */
static uint8_t fill_byte(size_t k, size_t j)
{
	return (uint8_t)(k * 7 + j);
}

static void queue_plan(struct fix *f, struct fl_udp_txq *q)
{
	for (size_t k = 0; k < NPLAN; k++) {
		struct fl_pkt *p = fl_pkt_alloc(f->pool);
		uint8_t *d = fl_pkt_put(p, plan[k].len);
		for (size_t j = 0; j < plan[k].len; j++)
			d[j] = fill_byte(k, j);
		fl_udp_txq_push(q, &f->ra[plan[k].dst], p, (uintptr_t)k);
	}
}

/* Read socket `dst` until it has given the plan's datagrams for it. */
static void expect_plan(struct fix *f, struct fl_udp_rxq *rq, int dst)
{
	struct fl_pkt *pk[FL_UDP_BATCH];
	union fl_addr from[FL_UDP_BATCH];
	size_t k = 0;
	int n, idle = 0;

	for (;;) {
		while (k < NPLAN && plan[k].dst != dst)
			k++;
		if (k == NPLAN)
			break;
		n = fl_udp_rxq_recv(rq, f->pool, pk, from, 5); /* small: forces holding */
		assert_true(n >= 0);
		if (n == 0) {
			assert_true(++idle < 1000); /* loopback delivers at once */
			continue;
		}
		for (int i = 0; i < n; i++) {
			while (plan[k].dst != dst)
				k++;
			assert_int_equal(pk[i]->len, plan[k].len);
			assert_int_equal(pk[i]->meta, 0);
			assert_true(fl_addr_equal(&from[i], &f->sa));
			for (size_t j = 0; j < plan[k].len; j++)
				if (pk[i]->data[j] != fill_byte(k, j))
					fail_msg("datagram %zu byte %zu differs", k, j);
			fl_pkt_free(pk[i]);
			k++;
		}
	}
	assert_false(fl_udp_rxq_pending(rq));
	assert_int_equal(fl_udp_rxq_recv(rq, f->pool, pk, from, FL_UDP_BATCH), 0);
}

/* Whether UDP_SEGMENT and UDP_GRO are there to test. A Linux this code
 * supports has them; qemu-user (scripts/test-arm64.sh, meson's exe
 * wrapper) may not pass the options through, and then the offload cases
 * are skipped (the fallback cases still run). */
static bool offloads_or_skip(void)
{
	union fl_addr lo;
	struct fl_udp_opts o;
	struct fl_udp_txq q;
	struct fl_udp_rxq rq = {0};
	int warn, fd;
	bool ok;

	fl_udp_opts_default(&o);
	assert_true(fl_addr_parse(&lo, "127.0.0.1", 0));
	fd = fl_udp_open(&lo, &o, &warn);
	assert_true(fd >= 0);
	fl_udp_txq_init(&q, fd, NULL, NULL);
	ok = fl_udp_txq_gso(&q, true) && fl_udp_rxq_init(&rq, fd, true) == 0 && rq.gro;
	fl_udp_rxq_free(&rq);
	close(fd);
	if (!ok && !getenv("MESON_EXE_WRAPPER"))
		fail_msg("UDP_SEGMENT or UDP_GRO missing");
	if (!ok)
		print_message("skip: UDP_SEGMENT/UDP_GRO not available here\n");
	return ok;
}

static void run_case(bool gso, bool gro)
{
	struct fix f;
	struct fl_udp_txq q;
	struct fl_udp_rxq rq[2];

	if ((gso || gro) && !offloads_or_skip())
		return;
	fix_open(&f);
	fl_udp_txq_init(&q, f.s, NULL, NULL);
	assert_int_equal(fl_udp_txq_gso(&q, gso), gso);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(fl_udp_rxq_init(&rq[i], f.r[i], gro), 0);
		assert_int_equal(rq[i].gro, gro);
	}
	queue_plan(&f, &q);
	assert_int_equal(fl_udp_txq_flush(&q), NPLAN);
	assert_int_equal(q.sent, NPLAN);
	assert_int_equal(q.dropped, 0);
	assert_int_equal(q.gso_off_err, 0);
	if (gso) {
		/* runs: 11 (10 x 1000 + 500), 3, 2 x 800, 2 x 1200 and
		 * 300 + 200 (shorter ends it); 64 and 100 go alone */
		assert_int_equal(q.gso_sends, 5);
		assert_int_equal(q.gso_segs, 20);
	} else {
		assert_int_equal(q.gso_sends, 0);
	}
	expect_plan(&f, &rq[0], 0);
	expect_plan(&f, &rq[1], 1);
	/* Loopback hands a UDP_SEGMENT send to a GRO socket whole: the
	 * split above is what made the datagrams. */
	if (gso && gro)
		assert_int_equal(rq[0].coalesced + rq[1].coalesced, 20);
	else
		assert_int_equal(rq[0].coalesced + rq[1].coalesced, 0);
	fl_udp_rxq_free(&rq[0]);
	fl_udp_rxq_free(&rq[1]);
	fix_close(&f);
}

static void test_gso_gro(void **state)
{
	(void)state;
	run_case(true, true);
}

static void test_gso_plain_receiver(void **state)
{
	(void)state;
	run_case(true, false);
}

static void test_plain_sender_gro(void **state)
{
	(void)state;
	run_case(false, true);
}

static void test_fallback(void **state)
{
	(void)state;
	run_case(false, false);
}

/* A full queue of same-size datagrams: one send, FL_UDP_BATCH segments
 * (within FL_UDP_GSO_MAX_SEGS and FL_UDP_GSO_MAX_BYTES). */
static void test_full_batch(void **state)
{
	struct fix f;
	struct fl_udp_txq q;
	struct fl_udp_rxq rq;
	struct fl_pkt *pk[FL_UDP_BATCH];
	union fl_addr from[FL_UDP_BATCH];
	unsigned got = 0;

	(void)state;
	if (!offloads_or_skip())
		return;
	fix_open(&f);
	fl_udp_txq_init(&q, f.s, NULL, NULL);
	assert_true(fl_udp_txq_gso(&q, true));
	assert_int_equal(fl_udp_rxq_init(&rq, f.r[0], true), 0);
	for (unsigned k = 0; k < FL_UDP_BATCH; k++) {
		struct fl_pkt *p = fl_pkt_alloc(f.pool);
		memset(fl_pkt_put(p, 1000), (int)k, 1000);
		fl_udp_txq_push(&q, &f.ra[0], p, k);
	}
	assert_int_equal(fl_udp_txq_flush(&q), FL_UDP_BATCH);
	assert_int_equal(q.gso_sends, 1);
	while (got < FL_UDP_BATCH) {
		int n = fl_udp_rxq_recv(&rq, f.pool, pk, from, FL_UDP_BATCH);
		assert_true(n > 0);
		for (int i = 0; i < n; i++, got++) {
			assert_int_equal(pk[i]->len, 1000);
			assert_int_equal(pk[i]->data[999], (uint8_t)got);
			fl_pkt_free(pk[i]);
		}
	}
	assert_int_equal(rq.coalesced, FL_UDP_BATCH);
	fl_udp_rxq_free(&rq);
	fix_close(&f);
}

/* Queue datagram k: 200 bytes of (uint8_t)k, cookie k. */
static void push_marked(struct fix *f, struct fl_udp_txq *q, unsigned k)
{
	struct fl_pkt *p = fl_pkt_alloc(f->pool);

	memset(fl_pkt_put(p, 200), (int)k, 200);
	fl_udp_txq_push(q, &f->ra[0], p, k);
}

/* The pipeline's queue (fld_dp.c): two batches queued, the first sent
 * with fl_udp_txq_flush_head() while the second stays queued, then more
 * pushed behind it up to FL_UDP_TXQ_CAP, then the rest: every datagram
 * arrives once, in the order queued, and a push into a full queue sends
 * it first. Plain sends, so the receiver sees one datagram per read. */
static void test_flush_head(void **state)
{
	struct fix f;
	struct fl_udp_txq q;
	struct fl_pkt *pk[FL_UDP_BATCH];
	union fl_addr from[FL_UDP_BATCH];
	unsigned got = 0, k = 0;

	(void)state;
	fix_open(&f);
	fl_udp_txq_init(&q, f.s, NULL, NULL);
	for (; k < 2 * FL_UDP_BATCH; k++)
		push_marked(&f, &q, k);
	assert_int_equal(q.n, FL_UDP_TXQ_CAP);
	assert_int_equal(fl_udp_txq_flush_head(&q, 0), 0);
	assert_int_equal(fl_udp_txq_flush_head(&q, FL_UDP_BATCH), FL_UDP_BATCH);
	assert_int_equal(q.n, FL_UDP_BATCH);
	assert_int_equal(q.cookie[0], FL_UDP_BATCH); /* the rest moved up */
	for (; k < 3 * FL_UDP_BATCH + 1; k++) /* the last push finds it full */
		push_marked(&f, &q, k);
	assert_int_equal(q.n, 1);
	assert_int_equal(fl_udp_txq_flush_head(&q, 5), 1); /* more than it holds */
	assert_int_equal(q.n, 0);
	assert_int_equal(q.sent, k);
	while (got < k) {
		int n = fl_udp_recv_batch(f.r[0], f.pool, pk, from, FL_UDP_BATCH);
		assert_true(n > 0);
		for (int i = 0; i < n; i++, got++) {
			assert_int_equal(pk[i]->len, 200);
			assert_int_equal(pk[i]->data[199], (uint8_t)got);
			fl_pkt_free(pk[i]);
		}
	}
	fix_close(&f);
}

/* Through the GRO queue, a datagram longer than FL_MAXSIZE keeps its
 * front and is marked, as fl_udp_recv_batch marks MSG_TRUNC; one of
 * exactly FL_MAXSIZE is not. */
static void test_gro_oversize(void **state)
{
	static uint8_t big[FL_MAXSIZE + 100];
	struct fix f;
	struct fl_udp_rxq rq;
	struct fl_pkt *pk[FL_UDP_BATCH];
	union fl_addr from[FL_UDP_BATCH];
	int got = 0, idle = 0;

	(void)state;
	if (!offloads_or_skip())
		return;
	fix_open(&f);
	assert_int_equal(fl_udp_rxq_init(&rq, f.r[0], true), 0);
	memset(big, 0x5a, sizeof(big));
	assert_int_equal(fl_udp_send(f.s, &f.ra[0], big, sizeof(big)), 0);
	assert_int_equal(fl_udp_send(f.s, &f.ra[0], big, FL_MAXSIZE), 0);
	while (got < 2) {
		int n = fl_udp_rxq_recv(&rq, f.pool, pk, from, FL_UDP_BATCH);
		assert_true(n >= 0 && ++idle < 1000);
		for (int i = 0; i < n; i++, got++) {
			assert_int_equal(pk[i]->len, FL_MAXSIZE);
			assert_int_equal(pk[i]->meta, got == 0 ? FL_UDP_META_TRUNC : 0);
			fl_pkt_free(pk[i]);
		}
	}
	fl_udp_rxq_free(&rq);
	fix_close(&f);
}

/* The pool runs dry while a coalesced buffer is cut: the rest of that
 * buffer is dropped and counted, nothing is held forever. */
static void test_gro_pool_empty(void **state)
{
	struct fix f;
	struct fl_udp_txq q;
	struct fl_udp_rxq rq;
	struct fl_pkt *held[POOL];
	struct fl_pkt *pk[FL_UDP_BATCH];
	union fl_addr from[FL_UDP_BATCH];
	size_t nheld = 0;
	int n;

	(void)state;
	if (!offloads_or_skip())
		return;
	fix_open(&f);
	fl_udp_txq_init(&q, f.s, NULL, NULL);
	assert_true(fl_udp_txq_gso(&q, true));
	assert_int_equal(fl_udp_rxq_init(&rq, f.r[0], true), 0);
	for (unsigned k = 0; k < 20; k++) {
		struct fl_pkt *p = fl_pkt_alloc(f.pool);
		memset(fl_pkt_put(p, 1000), (int)k, 1000);
		fl_udp_txq_push(&q, &f.ra[0], p, k);
	}
	assert_int_equal(fl_udp_txq_flush(&q), 20);
	/* leave 5 packets in the pool */
	while (fl_pkt_pool_avail(f.pool) > 5)
		held[nheld++] = fl_pkt_alloc(f.pool);
	n = fl_udp_rxq_recv(&rq, f.pool, pk, from, FL_UDP_BATCH);
	assert_int_equal(n, 5);
	assert_int_equal(rq.nopool, 15);
	assert_false(fl_udp_rxq_pending(&rq));
	for (int i = 0; i < n; i++) {
		assert_int_equal(pk[i]->data[0], i);
		fl_pkt_free(pk[i]);
	}
	while (nheld)
		fl_pkt_free(held[--nheld]);
	fl_udp_rxq_free(&rq);
	fix_close(&f);
}

/* Handing out exactly the last datagram held leaves nothing pending (found
 * by fuzz_udp_offload: the finished buffer used to stay "held" until the
 * next call). */
static void test_gro_pending_exact(void **state)
{
	struct fix f;
	struct fl_udp_txq q;
	struct fl_udp_rxq rq;
	struct fl_pkt *pk[FL_UDP_BATCH];
	union fl_addr from[FL_UDP_BATCH];
	int n;

	(void)state;
	if (!offloads_or_skip())
		return;
	fix_open(&f);
	fl_udp_txq_init(&q, f.s, NULL, NULL);
	assert_true(fl_udp_txq_gso(&q, true));
	assert_int_equal(fl_udp_rxq_init(&rq, f.r[0], true), 0);
	for (unsigned k = 0; k < 5; k++) {
		struct fl_pkt *p = fl_pkt_alloc(f.pool);
		memset(fl_pkt_put(p, 500), (int)k, 500);
		fl_udp_txq_push(&q, &f.ra[0], p, k);
	}
	assert_int_equal(fl_udp_txq_flush(&q), 5);
	n = fl_udp_rxq_recv(&rq, f.pool, pk, from, 5);
	assert_int_equal(n, 5);
	assert_false(fl_udp_rxq_pending(&rq));
	for (int i = 0; i < n; i++)
		fl_pkt_free(pk[i]);
	fl_udp_rxq_free(&rq);
	fix_close(&f);
}

static int gso_off_calls, gso_off_errno;

static void on_gso_off(void *ctx, int err)
{
	(void)ctx;
	gso_off_calls++;
	gso_off_errno = err;
}

/* A UDP-Lite socket: the kernel refuses segmented sends on it with EIO,
 * as it does for a route whose device cannot checksum them (before Linux
 * 6.11). The queue must turn UDP_SEGMENT off once, say so, and resend the
 * run one by one so that nothing is lost. */
static void test_gso_eio_fallback(void **state)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	struct fl_pkt_pool *pool = fl_pkt_pool_new(64);
	union fl_addr to;
	struct fl_udp_txq q;
	uint8_t buf[2048];
	int s, r, got = 0;

	(void)state;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_UDPLITE);
	r = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_UDPLITE);
	if (s < 0 || r < 0) {
		print_message("skip: no UDP-Lite here\n");
		fl_pkt_pool_free(pool);
		return;
	}
	assert_int_equal(bind(r, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(r, (struct sockaddr *)&a, &alen), 0);
	memset(&to, 0, sizeof(to));
	memcpy(&to, &a, sizeof(a));
	fl_udp_txq_init(&q, s, NULL, NULL);
	q.on_gso_off = on_gso_off;
	if (!fl_udp_txq_gso(&q, true)) {
		print_message("skip: no UDP_SEGMENT on UDP-Lite\n");
		goto out;
	}
	for (int k = 0; k < 6; k++) {
		struct fl_pkt *p = fl_pkt_alloc(pool);
		memset(fl_pkt_put(p, 700), k, 700);
		fl_udp_txq_push(&q, &to, p, (uintptr_t)k);
	}
	gso_off_calls = 0;
	assert_int_equal(fl_udp_txq_flush(&q), 6);
	assert_int_equal(gso_off_calls, 1);
	assert_int_equal(gso_off_errno, EIO);
	assert_false(q.gso);
	assert_int_equal(q.gso_off_err, EIO);
	assert_int_equal(q.gso_sends, 0);
	assert_int_equal(q.dropped, 0);
	while (got < 6) {
		ssize_t n = recv(r, buf, sizeof(buf), 0);
		assert_int_equal(n, 700);
		assert_int_equal(buf[0], got);
		got++;
	}
out:
	close(s);
	close(r);
	fl_pkt_pool_free(pool);
}

struct errlog {
	unsigned n, emsgsize;
	size_t len;
};

static void on_err(void *ctx, uintptr_t cookie, int err, size_t len)
{
	struct errlog *l = ctx;
	(void)cookie;
	l->n++;
	l->emsgsize += err == EMSGSIZE;
	l->len = len;
}

/* In a child in its own network namespace: a run of 1400-byte datagrams
 * toward a route locked at MTU 1200, DF set. The segmented send fails as
 * a whole; the queue resends one by one, so each datagram is reported
 * with EMSGSIZE (what PMTU discovery needs, UDP.md §4.6) and UDP_SEGMENT
 * stays on. Exit status: 0 pass, 77 skip, else the failed step. */
static int pmtu_child(void)
{
	struct fl_udp_opts o;
	union fl_addr any, dst;
	struct fl_pkt_pool *pool = fl_pkt_pool_new(16);
	struct fl_udp_txq q;
	struct errlog l = {0};
	int warn, fd;

	if (unshare(CLONE_NEWNET) < 0)
		return 77;
	if (system("ip link set lo up && ip addr add 192.0.2.1/32 dev lo && "
		   "ip route add 198.51.100.0/24 dev lo mtu lock 1200") != 0)
		return 77;
	fl_udp_opts_default(&o); /* DF on */
	if (!pool || !fl_addr_parse(&any, "192.0.2.1", 0) || !fl_addr_parse(&dst, "198.51.100.1", 9))
		return 2;
	if ((fd = fl_udp_open(&any, &o, &warn)) < 0)
		return 3;
	fl_udp_txq_init(&q, fd, on_err, &l);
	if (!fl_udp_txq_gso(&q, true))
		return 77;
	for (int k = 0; k < 8; k++) {
		struct fl_pkt *p = fl_pkt_alloc(pool);
		memset(fl_pkt_put(p, 1400), k, 1400);
		fl_udp_txq_push(&q, &dst, p, (uintptr_t)k);
	}
	fl_udp_txq_flush(&q);
	if (l.n != 8 || l.emsgsize != 8 || l.len != 1400)
		return 4;
	if (q.sent != 0 || q.dropped != 8 || q.full != 0)
		return 5;
	if (!q.gso || q.gso_off_err || q.gso_sends)
		return 6;
	close(fd);
	fl_pkt_pool_free(pool);
	return 0;
}

static void test_gso_pmtu(void **state)
{
	pid_t pid;
	int st;

	(void)state;
	/* Under qemu-user a fork()ed child hangs (scripts/test-arm64.sh). */
	if (getenv("MESON_EXE_WRAPPER")) {
		print_message("skip: fork() under qemu-user\n");
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(pmtu_child());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77) {
		print_message("skip: needs CAP_SYS_ADMIN/CAP_NET_ADMIN and UDP_SEGMENT\n");
		return;
	}
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_seg_len(void **state)
{
	(void)state;
	assert_int_equal(fl_udp_gro_seg_len(2500, 0, 1000), 1000);
	assert_int_equal(fl_udp_gro_seg_len(2500, 2000, 1000), 500);
	assert_int_equal(fl_udp_gro_seg_len(2500, 2500, 1000), 0);
	assert_int_equal(fl_udp_gro_seg_len(2500, 3000, 1000), 0);
	assert_int_equal(fl_udp_gro_seg_len(700, 0, 0), 700);
	assert_int_equal(fl_udp_gro_seg_len(0, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seg_len),
		cmocka_unit_test(test_gso_gro),
		cmocka_unit_test(test_gso_plain_receiver),
		cmocka_unit_test(test_plain_sender_gro),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_full_batch),
		cmocka_unit_test(test_flush_head),
		cmocka_unit_test(test_gro_oversize),
		cmocka_unit_test(test_gro_pool_empty),
		cmocka_unit_test(test_gso_pmtu),
		cmocka_unit_test(test_gro_pending_exact),
		cmocka_unit_test(test_gso_eio_fallback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
