/* SPDX-License-Identifier: MIT */
/*
 * test_mesh_sim.c: several mesh instances wired in memory (mesh_sim.c)
 * converge: reachability, hop counts and next hops against a plain BFS of
 * the link graph, subnets, DEL_EDGE on link loss, a node leaving, the MST
 * being one consistent spanning tree, and flooding terminating in rings.
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
#include "mesh_sim.h"

static bool link_[SIM_MAX_NODES][SIM_MAX_NODES];

static void connect_(struct sim *s, int a, int b)
{
	sim_connect(s, a, b);
	link_[a][b] = link_[b][a] = true;
}

static void disconnect_(struct sim *s, int a, int b)
{
	sim_disconnect(s, a, b);
	link_[a][b] = link_[b][a] = false;
}

/* Reference hop distances from src over the current links. */
static void ref_bfs(int nn, int src, int dist[])
{
	int q[SIM_MAX_NODES], h = 0, t = 0;

	for (int i = 0; i < nn; i++)
		dist[i] = -1;
	dist[src] = 0;
	q[t++] = src;
	while (h < t) {
		int u = q[h++];
		for (int v = 0; v < nn; v++)
			if (link_[u][v] && dist[v] < 0) {
				dist[v] = dist[u] + 1;
				q[t++] = v;
			}
	}
}

static void check_against_reference(struct sim *s)
{
	int dist[SIM_MAX_NODES][SIM_MAX_NODES];

	for (int i = 0; i < s->nn; i++)
		ref_bfs(s->nn, i, dist[i]);
	for (int i = 0; i < s->nn; i++) {
		for (int j = 0; j < s->nn; j++) {
			struct mesh_node *n = sim_node(s, i, j);
			bool up = dist[i][j] >= 0;

			if (!n) {
				assert_false(up && i != j);
				continue;
			}
			assert_int_equal(!!(n->status & MESH_NS_REACHABLE), up);
			if (!up)
				continue;
			assert_int_equal(n->distance, dist[i][j]);
			if (i == j)
				continue;
			/* nexthop: a neighbour of i one hop closer to j */
			int nh = atoi(n->nexthop->name + 4);
			assert_true(link_[i][nh]);
			assert_int_equal(dist[nh][j], dist[i][j] - 1);
			assert_ptr_equal(n->via, n);	/* no INDIRECT edges */
		}
	}
}

/* Every node marks the same undirected spanning tree (per component). */
static void check_mst(struct sim *s)
{
	int marked = 0, comps = 0, seen[SIM_MAX_NODES] = {0};

	for (int a = 0; a < s->nn; a++) {
		for (int b = 0; b < s->nn; b++) {
			int ca = sim_conn_of(s, a, b), cb = sim_conn_of(s, b, a);
			struct mesh_conn *x, *y;

			if (ca < 0 || a > b)
				continue;
			x = mesh_conn_find(s->n[a].m, ca);
			y = mesh_conn_find(s->n[b].m, cb);
			assert_non_null(x);
			assert_non_null(y);
			assert_int_equal(x->status & MESH_CS_MST, y->status & MESH_CS_MST);
			marked += !!(x->status & MESH_CS_MST);
		}
	}
	for (int i = 0; i < s->nn; i++) {
		int dist[SIM_MAX_NODES];
		if (seen[i])
			continue;
		comps++;
		ref_bfs(s->nn, i, dist);
		for (int j = 0; j < s->nn; j++)
			if (dist[j] >= 0)
				seen[j] = 1;
	}
	assert_int_equal(marked, s->nn - comps);
}

static void add_subnet(struct sim *s, int i, const char *text)
{
	struct mesh_subnet sn;
	struct mesh_out o;

	assert_int_equal(mesh_subnet_parse(&sn, text, strlen(text)), MESH_SUBNET_OK);
	mesh_out_init(&o);
	assert_true(mesh_add_own_subnet(s->n[i].m, &sn, &o));
	sim_process(s, i, &o);
}

static const char *owner_of(struct sim *s, int at, const char *ip)
{
	struct mesh_subnet a;
	const struct mesh_subnet *r;

	assert_int_equal(mesh_subnet_parse(&a, ip, strlen(ip)), MESH_SUBNET_OK);
	r = mesh_subnet_route(s->n[at].m, a.type, a.addr);
	if (!r)
		return "none";
	if (!r->owner)
		return "broadcast";
	return (r->owner->status & MESH_NS_REACHABLE) ? r->owner->name : "unreachable";
}

static void test_line(void **st)
{
	struct sim *s = calloc(1, sizeof(*s));
	char ip[32];

	(void)st;
	memset(link_, 0, sizeof(link_));
	sim_init(s, 4);
	for (int i = 0; i < 4; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%d/32", 10 + i);
		add_subnet(s, i, ip);
	}
	connect_(s, 0, 1);
	connect_(s, 1, 2);
	connect_(s, 2, 3);
	assert_true(sim_run(s, 100000));
	check_against_reference(s);
	check_mst(s);
	assert_string_equal(sim_node(s, 0, 3)->nexthop->name, "node01");
	assert_string_equal(owner_of(s, 0, "192.0.2.13"), "node03");
	assert_string_equal(owner_of(s, 3, "192.0.2.10"), "node00");
	assert_string_equal(owner_of(s, 3, "203.0.113.1"), "none");
	assert_string_equal(owner_of(s, 3, "224.0.0.1"), "broadcast");
	assert_int_equal(s->n[0].up_events, 3);
	assert_int_equal(s->n[0].subnet_up, 4);	/* own + 3 peers */

	/* cut the middle link: each half loses the other */
	disconnect_(s, 1, 2);
	assert_true(sim_run(s, 100000));
	check_against_reference(s);
	check_mst(s);
	assert_int_equal(s->n[0].down_events, 2);
	assert_string_equal(owner_of(s, 0, "192.0.2.13"), "unreachable");
	for (int i = 0; i < 4; i++) {
		struct mesh_node *a = sim_node(s, i, 1), *b = sim_node(s, i, 2);
		assert_null(mesh_edge_find(a, b));
		assert_null(mesh_edge_find(b, a));
	}
	/* and heal */
	connect_(s, 2, 1);
	assert_true(sim_run(s, 100000));
	check_against_reference(s);
	assert_string_equal(owner_of(s, 0, "192.0.2.13"), "node03");
	sim_free(s);
	free(s);
}

static void test_random_topologies(void **st)
{
	unsigned seed = 4242;

	(void)st;
	for (int round = 0; round < 12; round++) {
		struct sim *s = calloc(1, sizeof(*s));
		int nn = 5 + round % 6;

		memset(link_, 0, sizeof(link_));
		sim_init(s, nn);
		for (int a = 0; a < nn; a++)
			for (int b = a + 1; b < nn; b++) {
				seed = seed * 1103515245 + 12345;
				if ((seed >> 16) % 100 < 35)
					connect_(s, a, b);
			}
		assert_true(sim_run(s, 1000000));
		check_against_reference(s);
		check_mst(s);
		/* drop a few links, check again */
		for (int k = 0; k < 3; k++) {
			seed = seed * 1103515245 + 12345;
			int a = (int)((seed >> 16) % (unsigned)nn);
			for (int b = 0; b < nn; b++)
				if (link_[a][b]) {
					disconnect_(s, a, b);
					break;
				}
			assert_true(sim_run(s, 1000000));
			check_against_reference(s);
			check_mst(s);
		}
		sim_free(s);
		free(s);
	}
}

static void test_node_leaves(void **st)
{
	struct sim *s = calloc(1, sizeof(*s));

	(void)st;
	memset(link_, 0, sizeof(link_));
	sim_init(s, 5);
	/* a ring 0-1-2-3-4-0 plus a chord: floods must terminate */
	for (int i = 0; i < 5; i++)
		connect_(s, i, (i + 1) % 5);
	connect_(s, 0, 2);
	add_subnet(s, 3, "198.51.100.0/24");
	assert_true(sim_run(s, 100000));
	check_against_reference(s);
	assert_string_equal(owner_of(s, 1, "198.51.100.7"), "node03");
	/* node 3 leaves: all its links go */
	disconnect_(s, 3, 2);
	disconnect_(s, 3, 4);
	assert_true(sim_run(s, 100000));
	check_against_reference(s);
	check_mst(s);
	for (int i = 0; i < 5; i++) {
		struct mesh_node *gone = sim_node(s, i, 3);
		if (i == 3)
			continue;
		assert_false(gone->status & MESH_NS_REACHABLE);
		assert_int_equal(gone->n_edges, 0);
		for (int j = 0; j < 5; j++)
			assert_null(mesh_edge_find(sim_node(s, i, j), gone));
		assert_string_equal(owner_of(s, i, "198.51.100.7"), "unreachable");
	}
	/* node 3 comes back through another link */
	connect_(s, 1, 3);
	assert_true(sim_run(s, 100000));
	check_against_reference(s);
	assert_string_equal(owner_of(s, 4, "198.51.100.7"), "node03");
	sim_free(s);
	free(s);
}

static void test_subnet_changes(void **st)
{
	struct sim *s = calloc(1, sizeof(*s));
	struct mesh_subnet sn;
	struct mesh_out o;

	(void)st;
	memset(link_, 0, sizeof(link_));
	sim_init(s, 3);
	connect_(s, 0, 1);
	connect_(s, 1, 2);
	assert_true(sim_run(s, 100000));
	add_subnet(s, 2, "2001:db8:2::/48");
	add_subnet(s, 1, "2001:db8::/32");
	assert_true(sim_run(s, 100000));
	assert_string_equal(owner_of(s, 0, "2001:db8:2::1"), "node02");
	assert_string_equal(owner_of(s, 0, "2001:db8:3::1"), "node01");
	mesh_subnet_parse(&sn, "2001:db8:2::/48", 15);
	mesh_out_init(&o);
	assert_true(mesh_del_own_subnet(s->n[2].m, &sn, &o));
	sim_process(s, 2, &o);
	assert_true(sim_run(s, 100000));
	assert_string_equal(owner_of(s, 0, "2001:db8:2::1"), "node01");
	sim_free(s);
	free(s);
}

/* Timers in a converged mesh: PINGs are answered, nobody is dropped. */
static void test_ping_keeps_alive(void **st)
{
	struct sim *s = calloc(1, sizeof(*s));

	(void)st;
	memset(link_, 0, sizeof(link_));
	sim_init(s, 3);
	connect_(s, 0, 1);
	connect_(s, 1, 2);
	assert_true(sim_run(s, 100000));
	for (int t = 0; t < 200; t++) {
		sim_tick(s, 1000);
		assert_true(sim_run(s, 100000));
	}
	check_against_reference(s);
	assert_int_equal(s->n[0].down_events, 0);
	sim_free(s);
	free(s);
}


/* A host's two clocks: the wall clock jumps (a small router's first NTP
 * sync sets it years forward; an admin sets it back), the monotonic one
 * does not. What the daemon passes to the mesh is the latter
 * (fld_now(d): CLOCK_BOOTTIME, io/clock.h); the wall clock used to be passed,
 * and then one jump of more than 2 x UDPDiscoveryTimeout closed every
 * connection ("awaking from dead") and a backward jump stopped PINGs, so
 * a dead peer was never noticed. MESH_TEST_FEED_WALL=1 feeds the wall
 * clock to show that failure. */
struct fake_clock {
	int64_t mono, wall;
};

static int64_t mesh_clock(const struct fake_clock *c)
{
	static int feed_wall = -1;

	if (feed_wall < 0)
		feed_wall = getenv("MESH_TEST_FEED_WALL") != NULL;
	return feed_wall ? c->wall : c->mono;
}

static void clock_ticks(struct sim *s, struct fake_clock *c, int n)
{
	for (int t = 0; t < n; t++) {
		c->mono += 1000;
		c->wall += 1000;
		sim_tick(s, mesh_clock(c) - fl_time_to_ms(s->now));
		assert_true(sim_run(s, 100000));
	}
}

/* b stops answering a: what b sends on their connection is lost. */
static void sim_disconnect_quietly(struct sim *s, int a, int b)
{
	int c = sim_conn_of(s, b, a);

	assert_true(c >= 0);
	s->c[c].peer_conn = -1;
}

static void test_wall_clock_jumps(void **st)
{
	struct sim *s = calloc(1, sizeof(*s));
	struct fake_clock c = {.mono = 5000, .wall = 1700000000000LL};

	(void)st;
	memset(link_, 0, sizeof(link_));
	sim_init(s, 2);
	s->now = FL_TIME_MS(mesh_clock(&c));
	connect_(s, 0, 1);
	assert_true(sim_run(s, 100000));
	clock_ticks(s, &c, 10);
	c.wall += 3LL * 365 * 86400 * 1000; /* first NTP sync */
	clock_ticks(s, &c, 10);
	assert_int_equal(s->n[0].down_events, 0);
	assert_int_equal(s->n[1].down_events, 0);
	c.wall -= 86400LL * 1000; /* set back a day */
	clock_ticks(s, &c, 10);
	assert_int_equal(s->n[0].down_events, 0);
	/* PINGs still run after the backward jump: a peer that stops
	 * answering is dropped within PingInterval + PingTimeout. */
	sim_disconnect_quietly(s, 0, 1);
	clock_ticks(s, &c, 80);
	assert_int_equal(s->n[0].down_events, 1);
	sim_free(s);
	free(s);
}


/* UDP key exchange records and TCP-carried datagrams cross two relays. */
static void test_key_exchange_over_relays(void **st)
{
	struct sim *s = calloc(1, sizeof(*s));
	uint8_t rec[70] = {0}, dgram[30] = {0};
	struct mesh_out o;
	struct mesh_node *n3, *n0;

	(void)st;
	memset(link_, 0, sizeof(link_));
	sim_init(s, 4);
	connect_(s, 0, 1);
	connect_(s, 1, 2);
	connect_(s, 2, 3);
	assert_true(sim_run(s, 100000));
	n3 = sim_node(s, 0, 3);
	n0 = sim_node(s, 3, 0);
	mesh_out_init(&o);
	assert_true(mesh_want_key(s->n[0].m, n3, s->now, &o));
	assert_true(mesh_send_sptps_start(s->n[0].m, n3, rec, sizeof(rec), s->now, &o));
	sim_process(s, 0, &o);
	assert_true(sim_run(s, 100000));
	assert_int_equal(s->n[3].reqstart, 1);
	assert_int_equal(s->n[1].reqstart + s->n[2].reqstart, 0);
	mesh_out_init(&o);
	assert_true(mesh_send_ans_key(s->n[3].m, n0, rec, 69, 0, &o));
	sim_process(s, 3, &o);
	assert_true(sim_run(s, 100000));
	assert_int_equal(s->n[0].anskey, 1);
	/* data over TCP: relays pass it on only with a valid key for TO */
	for (int i = 0; i < 3; i++)
		mesh_key_valid(s->n[i].m, sim_node(s, i, 3));
	mesh_out_init(&o);
	assert_true(mesh_send_sptps_data(s->n[0].m, mesh_myself(s->n[0].m), n3,
					 dgram, sizeof(dgram), &o));
	sim_process(s, 0, &o);
	assert_true(sim_run(s, 100000));
	assert_int_equal(s->n[3].data_for_me, 1);
	assert_int_equal(s->n[1].data_relayed, 1);
	assert_int_equal(s->n[2].data_relayed, 1);
	check_against_reference(s);
	sim_free(s);
	free(s);
}

/* A node with IndirectData: others reach it through the last direct hop. */
static void test_indirect_node(void **st)
{
	struct sim *s = calloc(1, sizeof(*s));
	uint32_t opts[3] = {0, 0, MESH_OPT_INDIRECT};

	(void)st;
	memset(link_, 0, sizeof(link_));
	sim_init_opts(s, 3, opts);
	connect_(s, 0, 1);
	connect_(s, 1, 2);
	assert_true(sim_run(s, 100000));
	assert_ptr_equal(sim_node(s, 0, 2)->via, sim_node(s, 0, 1));
	assert_ptr_equal(sim_node(s, 0, 2)->nexthop, sim_node(s, 0, 1));
	assert_ptr_equal(sim_node(s, 0, 1)->via, sim_node(s, 0, 1));
	assert_ptr_equal(sim_node(s, 1, 2)->via, mesh_myself(s->n[1].m));
	assert_true(sim_node(s, 0, 2)->options & MESH_OPT_INDIRECT);
	sim_free(s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_random_topologies),
		cmocka_unit_test(test_node_leaves),
		cmocka_unit_test(test_subnet_changes),
		cmocka_unit_test(test_ping_keeps_alive),
		cmocka_unit_test(test_wall_clock_jumps),
		cmocka_unit_test(test_key_exchange_over_relays),
		cmocka_unit_test(test_indirect_node),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
