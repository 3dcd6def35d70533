/* SPDX-License-Identifier: MIT */
/*
 * mesh_graph.c: one graph run (GRAPH.md §1.3): shortest paths by tinc's
 * breadth-first search (§2), reachability flips with their events (§3.1),
 * and the minimum spanning tree that marks our connections for broadcast
 * (§4). Called by mesh_conn.c and mesh_flood.c after an edge change.
 */
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh_internal.h"

/* Grow-only FIFO of nodes; a node may be queued more than once. */
struct queue {
	struct mesh_node **v;
	size_t head, n, cap;
};

static bool queue_push(struct queue *q, struct mesh_node *n)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct mesh_node **v = realloc(q->v, cap * sizeof(*v));
		if (!v)
			return false;
		q->v = v;
		q->cap = cap;
	}
	q->v[q->n++] = n;
	return true;
}

/* Apply an improvement of T through edge E from N (§2 step 3). */
static void improve(struct mesh *m, struct mesh_node *n, struct mesh_edge *e,
		    bool ind, int w, bool full)
{
	struct mesh_node *t = e->to;

	if (full) {
		t->nexthop = n->nexthop == m->myself ? t : n->nexthop;
		t->weighted_distance = w;
	}
	t->status |= MESH_NS_VISITED;
	if (ind)
		t->status |= MESH_NS_INDIRECT;
	else
		t->status &= ~(uint32_t)MESH_NS_INDIRECT;
	t->prevedge = e;
	t->via = ind ? n->via : t;
	t->options = e->options;
	t->distance = n->distance + 1;
	if (!(t->status & MESH_NS_REACHABLE) ||
	    (!t->addr[0] && mesh_addr_parsable(e->addr)))
		mesh_node_set_addr(t, e->addr, e->port);
}

static void sssp(struct mesh *m)
{
	struct queue q = {0};
	struct mesh_node *me = m->myself;

	for (size_t i = 0; i < m->n_nodes; i++) {
		m->nodes[i]->status &= ~(uint32_t)MESH_NS_VISITED;
		m->nodes[i]->status |= MESH_NS_INDIRECT;
		m->nodes[i]->distance = -1;
	}
	me->status |= MESH_NS_VISITED;
	me->status &= ~(uint32_t)MESH_NS_INDIRECT;
	me->nexthop = me->via = me;
	me->prevedge = NULL;
	me->distance = 0;
	me->weighted_distance = 0;
	if (!queue_push(&q, me))
		return;
	while (q.head < q.n) {
		struct mesh_node *n = q.v[q.head++];

		for (size_t i = 0; i < n->n_edges; i++) {
			struct mesh_edge *e = n->edges[i];
			struct mesh_node *t = e->to;
			bool ind, a, b, c;
			int d, w;

			if (!e->reverse || t == me)
				continue;
			ind = (n->status & MESH_NS_INDIRECT) ||
			      (e->options & MESH_OPT_INDIRECT);
			d = n->distance + 1;
			w = n->weighted_distance + e->weight;
			a = !(t->status & MESH_NS_VISITED);
			b = (t->status & MESH_NS_INDIRECT) && !ind;
			c = t->distance == d && t->weighted_distance > w;
			if (!a && !b && !c)
				continue;
			improve(m, n, e, ind, w, a || c);
			if (!queue_push(&q, t))
				goto out;
		}
	}
out:
	free(q.v);
}

/* Subnet events for every subnet n owns. */
static void subnet_events(struct mesh *m, struct mesh_node *n,
			  enum mesh_out_kind k, struct mesh_out *o)
{
	size_t count;
	const struct mesh_subnet **v;

	if (m->quiet_subnets)
		return;
	v = mesh_subnet_owned(n, &count);
	for (size_t i = 0; i < count; i++)
		mesh_out_subnet(o, k, v[i]);
	free(v);
}

static void flip(struct mesh *m, struct mesh_node *n, fl_time_t now,
		 struct mesh_out *o)
{
	bool up = n->status & MESH_NS_VISITED;
	struct mesh_outgoing *og;

	if (up)
		n->status |= MESH_NS_REACHABLE;
	else
		n->status &= ~(uint32_t)MESH_NS_REACHABLE;
	n->last_state_change = fl_time_to_s(now);
	og = mesh_outgoing_find(m, n);
	if (up && og && og->state == MESH_OG_CONNECTED)
		mesh_outgoing_good(og);
	if (MESH_OPT_VERSION(n->options) >= 2)
		n->status |= MESH_NS_SPTPS;
	n->status &= ~(uint32_t)(MESH_NS_VALIDKEY | MESH_NS_WAITINGFORKEY |
				 MESH_NS_UDP_CONFIRMED | MESH_NS_PING_SENT);
	n->last_req_key = 0;
	n->maxmtu = MESH_MTU_MAX;
	n->minmtu = 0;
	mesh_out_event(o, MESH_EV_UDP_RESET, n);
	mesh_out_event(o, up ? MESH_EV_HOST_UP : MESH_EV_HOST_DOWN, n);
	subnet_events(m, n, up ? MESH_EV_SUBNET_UP : MESH_EV_SUBNET_DOWN, o);
	if (!up) {
		n->status = 0;
		n->options = 0;
	}
	m->dirty = true;
}

static void check_reachability(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	for (size_t i = 0; i < m->n_nodes; i++) {
		struct mesh_node *n = m->nodes[i];
		bool visited = n->status & MESH_NS_VISITED;
		bool reachable = n->status & MESH_NS_REACHABLE;

		if (visited != reachable)
			flip(m, n, now, o);
	}
}

/* Weight order: weight (signed), then from name, then to name. */
static int weight_cmp(const void *pa, const void *pb)
{
	const struct mesh_edge *a = *(struct mesh_edge *const *)pa;
	const struct mesh_edge *b = *(struct mesh_edge *const *)pb;
	int r;

	if (a->weight != b->weight)
		return a->weight < b->weight ? -1 : 1;
	r = strcmp(a->from->name, b->from->name);
	if (r)
		return r;
	return strcmp(a->to->name, b->to->name);
}

static void set_mst(struct mesh *m, int32_t conn)
{
	struct mesh_conn *c = mesh_conn_find(m, conn);

	if (c)
		c->status |= MESH_CS_MST;
}

/*
 * tinc walks the edges in weight order, adds each edge with exactly one end
 * in the tree, and restarts from the first edge whenever it adds one after
 * having skipped another. The result is: repeatedly add the first edge (in
 * weight order) that crosses the tree's border. That is Prim's algorithm
 * with a heap keyed by weight-order rank, which gives the same tree in
 * O(E log E) instead of tinc's O(E * V).
 */
struct heap {
	size_t *v;
	size_t n;
};

static void heap_push(struct heap *h, size_t x)
{
	size_t i = h->n++;

	while (i && h->v[(i - 1) / 2] > x) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static size_t heap_pop(struct heap *h)
{
	size_t top = h->v[0], x = h->v[--h->n], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1] < h->v[c])
			c++;
		if (h->v[c] >= x)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = x;
	return top;
}

/* n joins the tree: its usable edges (both directions) become candidates. */
static void mst_join(struct mesh_node *n, struct heap *h)
{
	n->status |= MESH_NS_VISITED;
	for (size_t i = 0; i < n->n_edges; i++) {
		struct mesh_edge *e = n->edges[i];
		if (!e->reverse)
			continue;
		heap_push(h, e->order);
		heap_push(h, e->reverse->order);
	}
}

static void mst_walk(struct mesh *m, struct mesh_edge **v, size_t n)
{
	struct heap h = {malloc(2 * n * sizeof(size_t)), 0};

	if (!h.v)
		return;
	for (size_t i = 0; i < n; i++) {
		if (v[i]->from->status & MESH_NS_REACHABLE) {
			mst_join(v[i]->from, &h);
			break;
		}
	}
	while (h.n) {
		struct mesh_edge *e = v[heap_pop(&h)];
		bool fv = e->from->status & MESH_NS_VISITED;
		bool tv = e->to->status & MESH_NS_VISITED;

		if (fv == tv)
			continue;	/* both inside now: never crossing again */
		mst_join(fv ? e->to : e->from, &h);
		set_mst(m, e->conn);
		set_mst(m, e->reverse->conn);
	}
	free(h.v);
}

static void mst(struct mesh *m)
{
	struct mesh_edge **v = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < m->n_conns; i++)
		m->conns[i]->status &= ~(uint32_t)MESH_CS_MST;
	for (size_t i = 0; i < m->n_nodes; i++)
		m->nodes[i]->status &= ~(uint32_t)MESH_NS_VISITED;
	for (size_t i = 0; i < m->n_nodes; i++)
		cap += m->nodes[i]->n_edges;
	if (!cap)
		return;
	v = malloc(cap * sizeof(*v));
	if (!v)
		return;
	for (size_t i = 0; i < m->n_nodes; i++)
		for (size_t j = 0; j < m->nodes[i]->n_edges; j++)
			v[n++] = m->nodes[i]->edges[j];
	qsort(v, n, sizeof(*v), weight_cmp);
	for (size_t i = 0; i < n; i++)
		v[i]->order = i;
	mst_walk(m, v, n);
	free(v);
}

void mesh_graph(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	m->graph_runs++;
	sssp(m);
	check_reachability(m, now, o);
	mst(m);
	m->graph_ran = true;	/* nexthops/via may differ: GRAPH_CHANGED */
}
