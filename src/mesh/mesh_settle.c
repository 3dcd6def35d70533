/* SPDX-License-Identifier: MIT */
/*
 * mesh_settle.c: batching of the work that follows an edge or subnet
 * change (issue 22): the graph run (SSSP + MST, O(E log E)) and the LPM
 * index rebuild (O(n log n)). tinc runs the graph per request, which a
 * peer flooding ADD_EDGE turns into quadratic work; rebuilding the index
 * per ADD_SUBNET did the same for subnets. With cfg.settle_ms > 0 both
 * wait for mesh_settle(), which the daemon calls once per loop iteration,
 * and each runs at most once per interval that grows with the graph, so a
 * flood costs a bounded share of the CPU. Routing stays right meanwhile:
 * mesh_subnet_route() searches the table while the index is stale.
 */
#include <stdlib.h>

#include "mesh/mesh_internal.h"

static fl_time_t graph_interval(const struct mesh *m)
{
	/* a run costs ~1 ms per 1000 edges (more under sanitizers): at most
	 * a few percent of the CPU however long the flood lasts */
	return FL_TIME_MS(m->cfg.settle_ms / 10 + (int64_t)(m->n_edges / 200));
}

static fl_time_t build_interval(const struct mesh *m)
{
	return FL_TIME_MS(m->cfg.settle_ms + (int64_t)(m->subnets.n / 200));
}

void mesh_graph_soon(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	if (m->cfg.settle_ms <= 0)
		mesh_graph(m, now, o);
	else
		m->graph_pending = true;
}

static void check_rev(struct mesh *m, struct mesh_node *to, struct mesh_out *o)
{
	struct mesh_edge *rev = mesh_edge_find(to, m->myself);
	struct mesh_req r;

	if ((to->status & MESH_NS_REACHABLE) || !rev)
		return;
	if (!m->cfg.tunnelserver) {
		mesh_fill_del_edge(m, &r, rev);
		mesh_broadcast_req(m, o, MESH_CONN_NONE, &r);
	}
	mesh_edge_del(m, rev);
}

void mesh_check_rev_soon(struct mesh *m, struct mesh_node *to, fl_time_t now,
			 struct mesh_out *o)
{
	if (m->cfg.settle_ms > 0 && !to->check_rev) {
		if (m->n_rev_check == m->cap_rev_check) {
			size_t cap = m->cap_rev_check ? m->cap_rev_check * 2 : 16;
			struct mesh_node **v = realloc(m->rev_check, cap * sizeof(*v));
			if (v) {
				m->rev_check = v;
				m->cap_rev_check = cap;
			}
		}
		if (m->n_rev_check < m->cap_rev_check) {
			to->check_rev = true;
			m->rev_check[m->n_rev_check++] = to;
			return;
		}
	}
	if (to->check_rev)
		return;		/* already queued */
	/* unbatched (the graph just ran, as tinc) or out of memory */
	if (m->graph_pending) {
		mesh_graph(m, now, o);
		m->graph_pending = false;
	}
	check_rev(m, to, o);
}

/* Queued reverse-edge checks, once the graph is current. */
static void run_rev_checks(struct mesh *m, struct mesh_out *o)
{
	for (size_t i = 0; i < m->n_rev_check; i++) {
		m->rev_check[i]->check_rev = false;
		check_rev(m, m->rev_check[i], o);
	}
	m->n_rev_check = 0;
}

void mesh_graph_flush(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	if (m->graph_pending) {
		mesh_graph(m, now, o);
		m->graph_pending = false;
		m->last_graph = now;
	}
	run_rev_checks(m, o);
}

/* Runs what is due; returns the time until the next thing is due, or -1. */
static int64_t settle_due(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	int64_t wait = -1;

	if (m->graph_pending) {
		fl_time_t at = m->last_graph + graph_interval(m);
		if (now >= at) {
			mesh_graph(m, now, o);
			m->graph_pending = false;
			m->last_graph = now;
		} else {
			wait = (int64_t)(at - now);
		}
	}
	if (!m->graph_pending && m->n_rev_check)
		run_rev_checks(m, o);
	if (m->dirty) {
		fl_time_t at = m->last_build + build_interval(m);
		if (now >= at) {
			m->index_builds++;
			mesh_subnet_index_free(&m->index);
			/* on allocation failure lookups keep searching the table */
			if (mesh_subnet_index_build_lpm(&m->index, &m->subnets))
				m->dirty = false;
			m->last_build = now;
		} else if (wait < 0 || (int64_t)(at - now) < wait) {
			wait = (int64_t)(at - now);
		}
	}
	return wait;
}

void mesh_set_subnet_events(struct mesh *m, bool on)
{
	m->quiet_subnets = !on;
}

int mesh_settle(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	int64_t wait;

	if (m->cfg.settle_ms <= 0)
		return -1;
	wait = settle_due(m, now, o);
	if (m->graph_ran)
		mesh_out_event(o, MESH_EV_GRAPH_CHANGED, NULL);
	m->graph_ran = false;
	if (m->dirty && wait < 0)
		wait = (int64_t)build_interval(m);	/* allocation failed: retry */
	if (wait < 0)
		return -1;
	wait = (wait + FL_TIME_US_PER_MS - 1) / FL_TIME_US_PER_MS; /* ms, rounded up */
	return wait > 1000 ? 1000 : (int)wait;
}
