/* SPDX-License-Identifier: MIT */
/*
 * test_mesh_graph.c: tinc's shortest-path search and its tie-breaking
 * (GRAPH.md §2), INDIRECT edges and via, reachability events (§3.1), and
 * the MST (§4), on hand-built graphs.
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

static struct mesh *m;
static struct mesh_out o;

static int setup(void **st)
{
	struct mesh_config cfg = {0};

	(void)st;
	cfg.myname = "me";
	m = mesh_new(&cfg, FL_TIME_MS(1000));
	mesh_out_init(&o);
	return m ? 0 : -1;
}

static int teardown(void **st)
{
	(void)st;
	mesh_out_clear(&o);
	mesh_free(m);
	return 0;
}

static struct mesh_node *N(const char *name)
{
	return mesh_node_get(m, name);
}

static struct mesh_edge *half(const char *a, const char *b, int w, uint32_t opt)
{
	struct mesh_edge *e = mesh_edge_add(m, N(a), N(b));
	char addr[32];

	assert_non_null(e);
	snprintf(addr, sizeof(addr), "192.0.2.%d", (int)strlen(b) + w % 100);
	assert_true(mesh_edge_set(e, addr, "655", NULL, NULL));
	e->weight = w;
	e->options = opt | 0x7000000;
	return e;
}

static void both(const char *a, const char *b, int w, uint32_t opt)
{
	half(a, b, w, opt);
	half(b, a, w, opt);
}

static void run(void)
{
	mesh_out_clear(&o);
	mesh_graph(m, FL_TIME_MS(5000), &o);
}

static int count(enum mesh_out_kind k)
{
	int n = 0;

	for (size_t i = 0; i < o.n; i++)
		n += o.v[i].kind == k;
	return n;
}

static void test_lighter_path_same_hops(void **st)
{
	(void)st;
	/* me-a-c weighs 20, me-b-c weighs 6: same hop count, lighter wins */
	both("me", "a", 10, 0);
	both("a", "c", 10, 0);
	both("me", "b", 5, 0);
	both("b", "c", 1, 0);
	run();
	assert_ptr_equal(N("c")->nexthop, N("b"));
	assert_int_equal(N("c")->distance, 2);
	assert_int_equal(N("c")->weighted_distance, 6);
	assert_ptr_equal(N("c")->prevedge, mesh_edge_find(N("b"), N("c")));
	assert_int_equal(count(MESH_EV_HOST_UP), 3);
}

static void test_fewer_hops_beat_weight(void **st)
{
	(void)st;
	/* one heavy hop beats two light ones: BFS order first */
	both("me", "c", 1000, 0);
	both("me", "a", 1, 0);
	both("a", "c", 1, 0);
	run();
	assert_ptr_equal(N("c")->nexthop, N("c"));
	assert_int_equal(N("c")->distance, 1);
	assert_int_equal(N("c")->weighted_distance, 1000);
}

static void test_equal_weight_first_name(void **st)
{
	(void)st;
	/* equal in hops and weight: the path found first (edge order by name) */
	both("me", "b", 5, 0);
	both("me", "a", 5, 0);
	both("a", "x", 5, 0);
	both("b", "x", 5, 0);
	run();
	assert_ptr_equal(N("x")->nexthop, N("a"));
}

static void test_half_edges_ignored(void **st)
{
	(void)st;
	both("me", "a", 1, 0);
	half("a", "b", 1, 0);	/* no reverse */
	run();
	assert_true(N("a")->status & MESH_NS_REACHABLE);
	assert_false(N("b")->status & MESH_NS_REACHABLE);
	assert_int_equal(N("b")->distance, -1);
	assert_null(N("b")->nexthop);
}

static void test_indirect(void **st)
{
	(void)st;
	/* me -(INDIRECT)- r - t: r and t are reached only through r's relay */
	both("me", "r", 1, MESH_OPT_INDIRECT);
	both("r", "t", 1, 0);
	run();
	assert_ptr_equal(N("r")->via, mesh_myself(m));
	assert_ptr_equal(N("t")->via, mesh_myself(m));
	assert_true(N("t")->status & MESH_NS_INDIRECT);
	mesh_edge_del(m, mesh_edge_find(N("me"), N("r")));
	mesh_edge_del(m, mesh_edge_find(N("r"), N("me")));
	/* me - d (direct) - t(INDIRECT from d): via(t) = d */
	both("me", "d", 1, 0);
	both("d", "t", 1, MESH_OPT_INDIRECT);
	run();
	assert_ptr_equal(N("t")->via, N("d"));
	assert_ptr_equal(N("t")->nexthop, N("d"));
}

static void test_direct_beats_indirect(void **st)
{
	(void)st;
	/* me-x is one INDIRECT hop; me-y-x is direct: (b) wins, nexthop kept */
	both("me", "x", 1, MESH_OPT_INDIRECT);
	both("me", "y", 1, 0);
	both("y", "x", 1, 0);
	run();
	assert_ptr_equal(N("x")->via, N("x"));
	assert_ptr_equal(N("x")->nexthop, N("x"));	/* case (b) keeps it */
	assert_int_equal(N("x")->distance, 2);
	assert_false(N("x")->status & MESH_NS_INDIRECT);
	assert_ptr_equal(N("x")->prevedge, mesh_edge_find(N("y"), N("x")));
}

static void test_flips_and_events(void **st)
{
	struct mesh_subnet s;

	(void)st;
	both("me", "a", 1, 0);
	mesh_subnet_parse(&s, "10.1.0.0/16", 11);
	s.owner = N("a");
	assert_true(mesh_subnet_table_add((struct mesh_subnet_table *)mesh_subnets(m), &s));
	run();
	assert_int_equal(count(MESH_EV_HOST_UP), 1);
	assert_int_equal(count(MESH_EV_SUBNET_UP), 1);
	assert_int_equal(count(MESH_EV_UDP_RESET), 1);
	assert_int_equal(N("a")->last_state_change, 5);
	assert_true(N("a")->status & MESH_NS_SPTPS);	/* minor 7 in options */
	assert_string_equal(N("a")->addr, "192.0.2.2");
	run();
	assert_int_equal(count(MESH_EV_HOST_UP), 0);	/* no flip, no event */
	N("a")->status |= MESH_NS_VALIDKEY;
	mesh_edge_del(m, mesh_edge_find(N("a"), N("me")));
	run();
	assert_int_equal(count(MESH_EV_HOST_DOWN), 1);
	assert_int_equal(count(MESH_EV_SUBNET_DOWN), 1);
	assert_int_equal(N("a")->status, 0);
	assert_int_equal(N("a")->options, 0);
	assert_string_equal(N("a")->addr, "192.0.2.2");	/* kept for scripts */
}

static void test_mst(void **st)
{
	int marked = 0;

	(void)st;
	/* triangle me-a-b plus b-c; heaviest triangle edge is left out */
	both("me", "a", 1, 0);
	both("a", "b", 2, 0);
	both("me", "b", 3, 0);
	both("b", "c", 1, 0);
	/* our edges need connections for the MST flag */
	assert_true(mesh_conn_open(m, 1, NULL, "x", "1", "y", 0, &o));
	assert_true(mesh_conn_open(m, 2, NULL, "x", "1", "y", 0, &o));
	mesh_edge_find(N("me"), N("a"))->conn = 1;
	mesh_edge_find(N("me"), N("b"))->conn = 2;
	run();
	assert_true(mesh_conn_find(m, 1)->status & MESH_CS_MST);
	assert_false(mesh_conn_find(m, 2)->status & MESH_CS_MST);
	/* every reachable node is in the tree (visited after the MST run) */
	for (size_t i = 0; i < mesh_node_count(m); i++)
		marked += !!(mesh_node_at(m, i)->status & MESH_NS_VISITED);
	assert_int_equal(marked, 4);
	/* make me-b the lightest: it joins, a-b leaves */
	mesh_edge_find(N("me"), N("b"))->weight = 0;
	mesh_edge_find(N("b"), N("me"))->weight = 0;
	run();
	assert_true(mesh_conn_find(m, 2)->status & MESH_CS_MST);
	assert_true(mesh_conn_find(m, 1)->status & MESH_CS_MST);
}

/* ---- MST against tinc's literal walk (GRAPH.md §4) ---------------------- */

static int ref_cmp(const void *pa, const void *pb)
{
	const struct mesh_edge *a = *(struct mesh_edge *const *)pa;
	const struct mesh_edge *b = *(struct mesh_edge *const *)pb;
	int r;

	if (a->weight != b->weight)
		return a->weight < b->weight ? -1 : 1;
	r = strcmp(a->from->name, b->from->name);
	return r ? r : strcmp(a->to->name, b->to->name);
}

/* The walk as the spec words it, restarting after a skip; marks in_tree. */
static void ref_mst(struct mesh_edge **v, size_t n, bool *in_tree,
		    bool *visited, struct mesh_node **nodes, size_t nn)
{
	bool skipped = false;

#define IDX(x) ((size_t)(strtol((x)->name + 1, NULL, 10)))
	(void)nodes;
	memset(visited, 0, nn * sizeof(bool));
	for (size_t i = 0; i < n; i++)
		if (v[i]->from->status & MESH_NS_REACHABLE) {
			visited[IDX(v[i]->from)] = true;
			break;
		}
	for (size_t i = 0; i < n; i++) {
		struct mesh_edge *e = v[i];
		if (!e->reverse || visited[IDX(e->from)] == visited[IDX(e->to)]) {
			skipped = true;
			continue;
		}
		visited[IDX(e->from)] = visited[IDX(e->to)] = true;
		in_tree[i] = true;
		if (skipped) {
			skipped = false;
			i = (size_t)-1;
		}
	}
#undef IDX
}

static void test_mst_differential(void **st)
{
	unsigned seed = 99;

	(void)st;
	for (int round = 0; round < 400; round++) {
		struct mesh_config cfg = {0};
		struct mesh_node *nodes[24];
		struct mesh_edge *v[24 * 24];
		bool in_tree[24 * 24] = {0}, want[24 * 24] = {0}, visited[24];
		size_t nn = 8 + (size_t)round % 16, n = 0;
		char name[24];

		mesh_out_clear(&o);
		mesh_free(m);
		cfg.myname = "x0";
		m = mesh_new(&cfg, 0);
		for (size_t i = 0; i < nn; i++) {
			snprintf(name, sizeof(name), "x%zu", i);
			nodes[i] = N(name);
		}
		for (size_t a = 0; a < nn; a++)
			for (size_t b = 0; b < nn; b++) {
				char na[24], nb[24];
				seed = seed * 1103515245 + 12345;
				if (a == b || (seed >> 16) % 100 >= 25)
					continue;
				snprintf(na, sizeof(na), "x%zu", a);
				snprintf(nb, sizeof(nb), "x%zu", b);
				half(na, nb, (int)((seed >> 8) % 2), 0);
			}
		for (size_t i = 0; i < nn; i++)
			for (size_t j = 0; j < nodes[i]->n_edges; j++)
				v[n++] = nodes[i]->edges[j];
		/* one fake connection per edge exposes the whole tree */
		for (size_t i = 0; i < n; i++) {
			assert_true(mesh_conn_open(m, (int32_t)i, NULL, "a", "b", "c", 0, &o));
			v[i]->conn = (int32_t)i;
		}
		run();
		qsort(v, n, sizeof(*v), ref_cmp);
		ref_mst(v, n, in_tree, visited, nodes, nn);
		for (size_t i = 0; i < n; i++)
			if (in_tree[i])	/* both ends' connections get the flag */
				want[v[i]->conn] = want[v[i]->reverse->conn] = true;
		for (size_t i = 0; i < n; i++)
			assert_int_equal(!!(mesh_conn_find(m, v[i]->conn)->status & MESH_CS_MST),
					 want[v[i]->conn]);
		for (size_t i = 0; i < nn; i++)
			assert_int_equal(!!(nodes[i]->status & MESH_NS_VISITED),
					 visited[i]);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_lighter_path_same_hops), T(test_fewer_hops_beat_weight),
		T(test_equal_weight_first_name), T(test_half_edges_ignored),
		T(test_indirect), T(test_direct_beats_indirect),
		T(test_flips_and_events), T(test_mst), T(test_mst_differential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
