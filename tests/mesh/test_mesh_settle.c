/* SPDX-License-Identifier: MIT */
/*
 * test_mesh_settle.c: batching (issue 22). With settle_ms > 0 a flood of
 * ADD_EDGE / ADD_SUBNET costs a bounded number of graph runs and index
 * rebuilds (counted, not timed), routing stays right while the index is
 * stale, a deferred DEL_EDGE still removes the edge back to us, and the
 * subnet cap holds. settle_ms = 0 keeps the per-request work (compared).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mesh/mesh_internal.h"

static fl_time_t now;
static struct mesh *m;
static struct mesh_out o;

static bool lookup(void *ctx, const char *name, struct mesh_host_info *h)
{
	(void)ctx;
	if (strcmp(name, "beta") && strcmp(name, "gamma"))
		return false;
	h->exists = h->has_key = true;
	return true;
}

static uint32_t rnd(void *ctx)
{
	static uint32_t seed = 1;

	(void)ctx;
	return seed = seed * 1103515245u + 12345u;
}

static void rx(int32_t conn, const char *line)
{
	assert_int_equal(mesh_conn_recv(m, conn, line, strlen(line), now, &o), MESH_OK);
}

static void activate(int32_t conn, const char *peer)
{
	char id[64];

	snprintf(id, sizeof(id), "0 %s 17.7", peer);
	assert_true(mesh_conn_open(m, conn, NULL, "192.0.2.2", "40000", "192.0.2.1", now, &o));
	rx(conn, id);
	assert_int_equal(mesh_conn_sptps_ready(m, conn, now, &o), MESH_OK);
	rx(conn, "4 655 10 700000c");
}

/* alpha with active peers beta (1) and gamma (2). */
static void start(int settle_ms, size_t max_subnets)
{
	struct mesh_config cfg = {0};

	now = FL_TIME_MS(1700000000000LL);
	cfg.myname = "alpha";
	cfg.my_udp_port = "655";
	cfg.my_pubkey_b64 = "ALPHAKEY";
	cfg.forwarding_internal = true;
	cfg.host_lookup = lookup;
	cfg.random_u32 = rnd;
	cfg.settle_ms = settle_ms;
	cfg.max_subnets = max_subnets;
	m = mesh_new(&cfg, now);
	assert_non_null(m);
	mesh_out_init(&o);
	activate(1, "beta");
	activate(2, "gamma");
	rx(1, "12 1 beta alpha 192.0.2.1 655 700000c 10");
	rx(2, "12 2 gamma alpha 192.0.2.1 655 700000c 10");
	now += FL_TIME_MS(1000);
	mesh_settle(m, now, &o);
	mesh_out_clear(&o);
}

static void stop(void)
{
	mesh_out_clear(&o);
	mesh_free(m);
}

static int count_sent(const char *prefix)
{
	int n = 0;

	for (size_t i = 0; i < o.n; i++)
		n += (o.v[i].kind == MESH_OUT_SEND) && o.v[i].text &&
		     !strncmp(o.v[i].text, prefix, strlen(prefix));
	return n;
}

/* 1000 fake nodes (2000 ADD_EDGE), settle after every 64 lines, 1 ms each. */
static unsigned long flood_edges(void)
{
	unsigned long before = m->graph_runs;
	char line[128];

	for (int i = 0; i < 2000; i++) {
		snprintf(line, sizeof(line), i % 2 ? "12 %x f%d beta 192.0.2.9 655 700000c 10" :
			 "12 %x beta f%d 192.0.2.9 655 700000c 10", 0x100 + i, i / 2);
		rx(1, line);
		if (i % 64 == 63) {
			now += FL_TIME_MS(1);
			mesh_settle(m, now, &o);
			mesh_out_clear(&o);
		}
	}
	now += FL_TIME_MS(1000);
	mesh_settle(m, now, &o);
	return m->graph_runs - before;
}

static void test_edge_flood_batched(void **st)
{
	unsigned long runs;

	(void)st;
	start(100, 0);
	runs = flood_edges();
	/* at most one run per 10 ms of the 32 ms the flood took, plus the last */
	assert_true(runs <= 5);
	assert_true(mesh_node_find(m, "f999")->status & MESH_NS_REACHABLE);
	/* forwarded all the same (tinc's semantics), to gamma */
	stop();
	start(0, 0);
	runs = flood_edges();
	assert_int_equal(runs, 2000);	/* one per request, as tinc */
	assert_true(mesh_node_find(m, "f999")->status & MESH_NS_REACHABLE);
	stop();
}

static void test_subnet_flood_batched(void **st)
{
	char line[128];
	unsigned long builds;
	const uint8_t a[4] = {198, 18, 3, 7}, gone[4] = {198, 18, 0, 5};

	(void)st;
	start(100, 0);
	builds = m->index_builds;
	mesh_out_clear(&o);
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "10 %x beta 198.18.%d.%d", 0x100 + i, i / 256, i % 256);
		rx(1, line);
		if (i % 64 == 63)
			now += FL_TIME_MS(1);
		mesh_settle(m, now, &o);
	}
	assert_true(m->index_builds - builds <= 2);
	assert_int_equal(count_sent("10 "), 1000);	/* all forwarded to gamma */
	/* the index is stale: the table search answers, deletions included */
	assert_true(m->dirty);
	assert_string_equal(mesh_subnet_route(m, MESH_SUBNET_IPV4, a)->owner->name, "beta");
	rx(1, "11 9999 beta 198.18.0.5");
	assert_null(mesh_subnet_route(m, MESH_SUBNET_IPV4, gone));
	now += FL_TIME_MS(1000);
	mesh_settle(m, now, &o);
	assert_false(m->dirty);
	assert_null(mesh_subnet_route(m, MESH_SUBNET_IPV4, gone));
	assert_string_equal(mesh_subnet_route(m, MESH_SUBNET_IPV4, a)->owner->name, "beta");
	stop();
}

/* DEL_EDGE beta->delta leaves delta unreachable: its edge to us goes and
 * everyone hears of it, after the batched graph run. */
static void test_deferred_del_edge(void **st)
{
	(void)st;
	start(100, 0);
	rx(1, "12 10 beta delta 192.0.2.9 655 700000c 10");
	rx(1, "12 11 delta beta 192.0.2.9 655 700000c 10");
	rx(1, "12 12 delta alpha 192.0.2.9 655 700000c 10");
	now += FL_TIME_MS(1000);
	mesh_settle(m, now, &o);
	assert_true(mesh_node_find(m, "delta")->status & MESH_NS_REACHABLE);
	mesh_out_clear(&o);
	rx(1, "13 13 beta delta");
	now += FL_TIME_MS(1000);
	assert_int_equal(count_sent("13 "), 1);	/* forwarded to gamma only */
	mesh_settle(m, now, &o);
	assert_false(mesh_node_find(m, "delta")->status & MESH_NS_REACHABLE);
	assert_null(mesh_edge_find(mesh_node_find(m, "delta"), m->myself));
	assert_int_equal(count_sent("13 "), 3);	/* + delta alpha to beta, gamma */
	stop();
}

static void test_subnet_cap(void **st)
{
	char line[128];
	size_t base;

	(void)st;
	start(100, 0);
	base = mesh_subnets(m)->n;
	stop();
	start(100, base + 10);
	for (int i = 0; i < 50; i++) {
		snprintf(line, sizeof(line), "10 %x beta 198.18.0.%d", 0x100 + i, i);
		rx(1, line);
	}
	assert_int_equal(mesh_subnets(m)->n, base + 10);
	assert_int_equal(m->subnets_refused, 40);
	assert_int_equal(count_sent("10 "), 10);	/* the refused are not forwarded */
	stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edge_flood_batched),
		cmocka_unit_test(test_subnet_flood_batched),
		cmocka_unit_test(test_deferred_del_edge),
		cmocka_unit_test(test_subnet_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
