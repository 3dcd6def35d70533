/* SPDX-License-Identifier: MIT */
/*
 * PURGE control request (tinc's `purge`, GRAPH.md §9): the mesh forgets
 * unreachable nodes with their subnets and edges (telling everyone); the
 * daemon then drops its own state of each node the mesh deleted (UDP
 * session, dataplane peer). Called by fld_ctl.c; control thread only.
 */
#include <stdlib.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"

/* Our state for a node the mesh no longer has. Its mesh_node is freed:
 * only the dataplane peer's own copy of the name is read. */
static void purge_forget(struct fld *d, struct fld_node *fn)
{
	fl_dlog(FL_DLOG_DEBUG, "Purged node %s", fl_dp_peer_name(fn->peer));
	if (d->dp) {
		fl_dp_peer_set_session(d->dp, fn->peer, NULL, false);
		fl_dp_peer_del(d->dp, fn->peer);
	}
	fl_sptps_free(fn->udp);
	free(fn->addr_text);
	free(fn->port_text);
	free(fn);
}

void fld_purge(struct fld *d)
{
	struct mesh_out out;
	size_t k = 0;

	fl_dlog(FL_DLOG_INFO, "Purging unreachable nodes");
	if (d->dp)
		fld_dp_flush(d); /* queued sends may name a peer (relay) */
	mesh_out_init(&out);
	mesh_purge(d->mesh, &out);
	/* Before anything else looks at d->nodes (fld_node matches by pointer,
	 * and a new mesh node may reuse a freed one's address). */
	for (size_t i = 0; i < d->n_nodes; i++) {
		struct fld_node *fn = d->nodes[i];
		if (fn->peer && !mesh_node_find(d->mesh, fl_dp_peer_name(fn->peer)))
			purge_forget(d, fn);
		else
			d->nodes[k++] = fn;
	}
	d->n_nodes = k;
	d->graph_dirty = true; /* no peer's via/nexthop may keep a purged one */
	fld_out_run(d, &out);
	mesh_out_clear(&out);
}
