/* SPDX-License-Identifier: MIT */
/*
 * test_mesh_strict.c: StrictSubnets and TunnelServer in one mesh instance
 * (alpha) with two active peers (beta on conn 1, gamma on conn 2), driven
 * line by line as tincd would see them (META.md §5.10-5.12): which
 * announcements are applied, forwarded or dropped, the rate-limited
 * warning, and reconciling with the hosts files on reload.
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

static fl_time_t now = FL_TIME_MS(1700000000000LL);
static uint32_t seed;
static struct mesh *m;
static struct mesh_out o;

static bool lookup(void *ctx, const char *name, struct mesh_host_info *h)
{
	(void)ctx;
	(void)name;
	h->exists = true;
	h->has_key = true;
	return true;
}

static uint32_t rnd(void *ctx)
{
	(void)ctx;
	seed = seed * 1103515245u + 12345u;
	return seed;
}

static enum mesh_err rx(int32_t conn, const char *line)
{
	return mesh_conn_recv(m, conn, line, strlen(line), now, &o);
}

static int count(enum mesh_out_kind k, int32_t conn)
{
	int n = 0;

	for (size_t i = 0; i < o.n; i++)
		n += o.v[i].kind == k && (conn < 0 || o.v[i].conn == conn);
	return n;
}

static const char *sent(int32_t conn, const char *prefix)
{
	for (size_t i = 0; i < o.n; i++)
		if (o.v[i].kind == MESH_OUT_SEND && o.v[i].conn == conn &&
		    !strncmp(o.v[i].text, prefix, strlen(prefix)))
			return o.v[i].text;
	return NULL;
}

static void activate(int32_t conn, const char *peer, const char *ip)
{
	char id[64];

	assert_true(mesh_conn_open(m, conn, NULL, ip, "40000", "192.0.2.1", now, &o));
	snprintf(id, sizeof(id), "0 %s 17.7", peer);
	assert_int_equal(rx(conn, id), MESH_OK);
	assert_int_equal(mesh_conn_sptps_ready(m, conn, now, &o), MESH_OK);
	assert_int_equal(rx(conn, "4 655 10 700000c"), MESH_OK);
}

/* alpha with the given modes, beta and gamma connected and reachable. */
static void start(bool strict, bool tunnelserver)
{
	struct mesh_config cfg = {0};

	seed = 1;
	cfg.myname = "alpha";
	cfg.my_udp_port = "655";
	cfg.my_pubkey_b64 = "ALPHAKEY";
	cfg.forwarding_internal = true;
	cfg.strictsubnets = strict || tunnelserver;
	cfg.tunnelserver = tunnelserver;
	cfg.host_lookup = lookup;
	cfg.random_u32 = rnd;
	m = mesh_new(&cfg, now);
	assert_non_null(m);
	mesh_out_init(&o);
	activate(1, "beta", "192.0.2.2");
	activate(2, "gamma", "192.0.2.3");
	assert_int_equal(rx(1, "12 a1 beta alpha 192.0.2.1 655 700000c 10"), MESH_OK);
	assert_int_equal(rx(2, "12 a2 gamma alpha 192.0.2.1 655 700000c 10"), MESH_OK);
	assert_true(mesh_node_find(m, "gamma")->status & MESH_NS_REACHABLE);
	mesh_out_clear(&o);
}

static int teardown(void **st)
{
	(void)st;
	mesh_out_clear(&o);
	mesh_free(m);
	m = NULL;
	return 0;
}

/* Does the table hold OWNER's subnet TEXT? */
static bool has(const char *owner, const char *text)
{
	struct mesh_subnet s;

	assert_int_equal(mesh_subnet_parse(&s, text, strlen(text)), MESH_SUBNET_OK);
	s.owner = mesh_node_find(m, owner);
	return s.owner && mesh_subnet_table_find(&m->subnets, &s);
}

/* What hosts/ says: "owner subnet" pairs. */
static void hosts(const char *const *pairs, size_t n)
{
	struct mesh_subnet want[8];
	char owner[32], text[64];

	assert_true(n <= 8);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sscanf(pairs[i], "%31s %63s", owner, text), 2);
		assert_int_equal(mesh_subnet_parse(&want[i], text, strlen(text)), MESH_SUBNET_OK);
		want[i].owner = mesh_node_get(m, owner);
	}
	assert_true(mesh_strict_reconcile(m, want, n, &o));
}

static void test_off_applies(void **st)
{
	(void)st;
	start(false, false);
	assert_int_equal(rx(1, "10 1 beta 0.0.0.0/0"), MESH_OK);
	assert_true(has("beta", "0.0.0.0/0"));
	assert_string_equal(sent(2, "10 "), "10 1 beta 0.0.0.0/0");
	assert_int_equal(count(MESH_EV_LOG, -1), 0);
	assert_int_equal(mesh_strict_stats(m)->subnets_ignored, 0);
}

static void test_strict_ignores_and_forwards(void **st)
{
	static const char *const file[] = {"beta 10.2.0.0/16", "gamma 10.3.0.0/16"};

	(void)st;
	start(true, false);
	hosts(file, 2);
	assert_true(has("beta", "10.2.0.0/16"));
	mesh_out_clear(&o);
	/* not in hosts/beta: not applied, but forwarded, and said */
	assert_int_equal(rx(1, "10 1 beta 0.0.0.0/0"), MESH_OK);
	assert_false(has("beta", "0.0.0.0/0"));
	assert_string_equal(sent(2, "10 "), "10 1 beta 0.0.0.0/0");
	assert_int_equal(count(MESH_EV_LOG, -1), 1);
	assert_non_null(strstr(o.v[0].text, "Ignoring unauthorized ADD_SUBNET from beta"));
	/* another node's subnet claimed by beta's side: same */
	mesh_out_clear(&o);
	assert_int_equal(rx(1, "10 2 delta 10.3.0.0/16"), MESH_OK);
	assert_false(has("delta", "10.3.0.0/16"));
	assert_true(has("gamma", "10.3.0.0/16"));
	assert_non_null(sent(2, "10 2 delta"));
	/* what hosts/ lists is known: not forwarded again */
	mesh_out_clear(&o);
	assert_int_equal(rx(1, "10 3 beta 10.2.0.0/16"), MESH_OK);
	assert_int_equal(count(MESH_OUT_SEND, -1), 0);
	/* DEL_SUBNET of a trusted subnet: forwarded, never applied */
	assert_int_equal(rx(2, "11 4 beta 10.2.0.0/16"), MESH_OK);
	assert_true(has("beta", "10.2.0.0/16"));
	assert_non_null(sent(1, "11 4 beta"));
	assert_int_equal(mesh_strict_stats(m)->subnets_ignored, 2);
	/* the route to 10.2.0.0/16 is still beta's */
	{
		const uint8_t a[4] = {10, 2, 3, 4};
		const struct mesh_subnet *r = mesh_subnet_route(m, MESH_SUBNET_IPV4, a);
		assert_non_null(r);
		assert_string_equal(r->owner->name, "beta");
	}
}

static void test_strict_log_is_rate_limited(void **st)
{
	char line[64];

	(void)st;
	start(true, false);
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "10 %x beta 10.%d.%d.0/24", i, i / 256, i % 256);
		assert_int_equal(rx(1, line), MESH_OK);
	}
	/* 1..10, then 16, 32, 64, 128, 256 and 512 */
	assert_int_equal(count(MESH_EV_LOG, -1), 16);
	assert_int_equal(mesh_strict_stats(m)->subnets_ignored, 1000);
	assert_int_equal(count(MESH_OUT_SEND, 2), 1000);
	assert_int_equal(m->subnets.n, 4); /* the default broadcast subnets */
}

static void test_tunnelserver(void **st)
{
	static const char *const file[] = {"beta 10.2.0.0/16"};

	(void)st;
	start(false, true);
	hosts(file, 1);
	mesh_out_clear(&o);
	/* the peer's own subnet not in its file: dropped, not forwarded */
	assert_int_equal(rx(1, "10 1 beta 0.0.0.0/0"), MESH_OK);
	assert_false(has("beta", "0.0.0.0/0"));
	assert_int_equal(count(MESH_OUT_SEND, -1), 0);
	assert_int_equal(count(MESH_EV_LOG, -1), 1);
	/* a third party's subnet or edge: not even looked at */
	assert_int_equal(rx(1, "10 2 delta 10.9.0.0/16"), MESH_OK);
	assert_int_equal(rx(1, "12 3 delta heavy 198.51.100.1 655 c 1"), MESH_OK);
	assert_null(mesh_node_find(m, "heavy"));
	assert_int_equal(mesh_strict_stats(m)->indirect_ignored, 2);
	/* an edge of the peer itself is taken, but not passed on */
	mesh_out_clear(&o);
	assert_int_equal(rx(1, "12 4 beta delta 198.51.100.1 655 c 1"), MESH_OK);
	assert_non_null(mesh_edge_find(mesh_node_find(m, "beta"), mesh_node_find(m, "delta")));
	assert_int_equal(count(MESH_OUT_SEND, -1), 0);
	/* DEL_EDGE for it from gamma (third party for gamma): ignored */
	assert_int_equal(rx(2, "13 5 beta delta"), MESH_OK);
	assert_non_null(mesh_edge_find(mesh_node_find(m, "beta"), mesh_node_find(m, "delta")));
}

static void test_reconcile_on_reload(void **st)
{
	static const char *const before[] = {"beta 10.2.0.0/16", "beta 10.4.0.0/16",
					     "alpha 10.1.0.0/16", "delta 10.5.0.0/16"};
	static const char *const after[] = {"beta 10.2.0.0/16", "gamma 10.3.0.0/16",
					    "delta 10.5.0.0/16"};

	(void)st;
	start(true, false);
	hosts(before, 4);
	assert_false(has("alpha", "10.1.0.0/16")); /* own subnets: not from here */
	assert_int_equal(count(MESH_EV_SUBNET_UP, -1), 2); /* beta's; delta is down */
	assert_non_null(sent(1, "10 "));
	mesh_out_clear(&o);
	hosts(after, 3);
	assert_true(has("beta", "10.2.0.0/16"));
	assert_false(has("beta", "10.4.0.0/16"));
	assert_true(has("gamma", "10.3.0.0/16"));
	assert_true(has("delta", "10.5.0.0/16"));
	assert_int_equal(count(MESH_EV_SUBNET_DOWN, -1), 1);
	assert_int_equal(count(MESH_EV_SUBNET_UP, -1), 1);
	assert_non_null(strstr(sent(1, "11 "), " beta 10.4.0.0/16"));
	assert_non_null(strstr(sent(2, "10 "), " gamma 10.3.0.0/16"));
	/* nothing changed: nothing said */
	mesh_out_clear(&o);
	hosts(after, 3);
	assert_int_equal(count(MESH_OUT_SEND, -1), 0);
	assert_int_equal(m->subnets.n, 4 + 3);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_off_applies), T(test_strict_ignores_and_forwards),
		T(test_strict_log_is_rate_limited), T(test_tunnelserver),
		T(test_reconcile_on_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
