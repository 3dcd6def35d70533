/* SPDX-License-Identifier: MIT */
/*
 * mesh_internal.h: the mesh state and the functions the mesh_*.c files share.
 * Not for use outside src/mesh (tests may include it).
 */
#ifndef FL_MESH_INTERNAL_H
#define FL_MESH_INTERNAL_H

#include "mesh/mesh.h"

#define MESH_SUBNETS_MAX 1000000	/* default cfg.max_subnets */

/* Recently seen flooded lines (META.md §6). Chained hash set. */
struct mesh_past_entry {
	struct mesh_past_entry *next;
	fl_time_t seen;
	size_t len;
	char line[];
};

struct mesh_past {
	struct mesh_past_entry **bucket;
	size_t nbuckets, count;
};

enum mesh_outgoing_state {
	MESH_OG_IDLE,		/* nothing pending (new record) */
	MESH_OG_CONNECTING,	/* a CONNECT is out */
	MESH_OG_CONNECTED,	/* a connection exists */
	MESH_OG_WAITING,	/* back-off until retry_at */
};

struct mesh_addr {
	char *host, *port;
};

#define MESH_CACHE_MAX 8

struct mesh_outgoing {
	struct mesh_node *node;
	enum mesh_outgoing_state state;
	int timeout;		/* back-off seconds */
	fl_time_t retry_at;	/* in MESH_OG_WAITING */
	int32_t conn;
	struct mesh_addr *cand;	/* this cycle's candidates */
	size_t ncand, next;	/* next = index of the next to try */
	struct mesh_addr cache[MESH_CACHE_MAX];	/* most recent first */
	size_t ncache;
	bool cycle;		/* a candidate cycle is in progress */
};

struct mesh {
	struct mesh_config cfg;	/* strings below are our copies */
	char *myname, *my_udp_port, *my_pubkey_b64;
	struct mesh_node *myself;
	struct mesh_node **nodes;	/* sorted by name */
	size_t n_nodes, cap_nodes;
	struct mesh_node **by_id;	/* same nodes sorted by ID, cap_nodes */
	struct mesh_subnet_table subnets;
	struct mesh_subnet_index index;
	struct mesh_conn **conns;	/* creation order */
	size_t n_conns, cap_conns;
	struct mesh_outgoing **outgoings;
	size_t n_outgoings, cap_outgoings;
	struct mesh_past past;
	fl_time_t last_tick, last_periodic, last_age;
	int contradicting_add_edge, contradicting_del_edge;
	int sleeptime;
	bool dirty;		/* subnets or reachability changed since the index
				   was built: lookups search the table until
				   mesh_changed()/mesh_settle() rebuilds it */
	bool graph_ran;		/* a graph run since the last GRAPH_CHANGED */
	struct mesh_strict_stats strict;
	bool quiet_subnets;	/* mesh_set_subnet_events(false) */
	unsigned long subnets_refused;	/* ADD_SUBNET beyond cfg.max_subnets */
	/* batching (mesh_settle.c), cfg.settle_ms > 0 only */
	bool graph_pending;	/* edges changed, graph not run yet */
	fl_time_t last_graph, last_build;
	size_t n_edges;		/* all edges, for the batching intervals */
	struct mesh_node **rev_check;	/* deferred DEL_EDGE targets */
	size_t n_rev_check, cap_rev_check;
	unsigned long graph_runs, index_builds;	/* for tests: work done */
};

/* mesh_out.c */
struct mesh_out_item *mesh_out_push(struct mesh_out *o, enum mesh_out_kind k);
void mesh_out_send(struct mesh_out *o, enum mesh_out_kind k, int32_t conn,
		   const char *text);
void mesh_out_event(struct mesh_out *o, enum mesh_out_kind k,
		    struct mesh_node *n);
void mesh_out_subnet(struct mesh_out *o, enum mesh_out_kind k,
		     const struct mesh_subnet *s);
void mesh_out_log(struct mesh_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mesh_out_close(struct mesh_out *o, int32_t conn, const char *reason);
char *mesh_strdup(const char *s);

/* mesh_node.c */
/* Binary search in an array sorted by name (nodes; a node's edges by
 * their `to`): the index of name, or where it would be inserted. */
size_t mesh_name_pos(const void *v, size_t n, const char *name,
		     const char *(*name_at)(const void *v, size_t i), bool *found);
struct mesh_node *mesh_node_new(const char *name);
void mesh_node_free(struct mesh_node *n);
bool mesh_node_set_addr(struct mesh_node *n, const char *addr,
			const char *port);
void mesh_node_refresh_host(struct mesh *m, struct mesh_node *n);
void mesh_node_unindex(struct mesh *m, struct mesh_node *n);

/* mesh_edge.c */
struct mesh_edge *mesh_edge_add(struct mesh *m, struct mesh_node *from,
				struct mesh_node *to);
void mesh_edge_del(struct mesh *m, struct mesh_edge *e);
bool mesh_edge_set(struct mesh_edge *e, const char *addr, const char *port,
		   const char *laddr, const char *lport);
bool mesh_addr_parsable(const char *addr);

/* mesh_strict.c: StrictSubnets/TunnelServer decisions for mesh_flood.c */
enum mesh_strict_verdict {
	MESH_STRICT_ADD,	/* neither set: apply and forward */
	MESH_STRICT_FORWARD,	/* StrictSubnets: forward only */
	MESH_STRICT_DROP,	/* TunnelServer: neither */
};
/* TunnelServer: is a request about a and b (b may be NULL) from c's peer
 * about third parties only, so to be ignored? */
bool mesh_strict_indirect(struct mesh *m, const struct mesh_conn *c,
			  const char *req, const char *a, const char *b,
			  struct mesh_out *o);
/* Another node's subnet s we do not have, announced by c's peer. */
enum mesh_strict_verdict mesh_strict_add_subnet(struct mesh *m,
						const struct mesh_conn *c,
						const struct mesh_subnet *s,
						struct mesh_out *o);

/* mesh_graph.c */
void mesh_graph(struct mesh *m, fl_time_t now, struct mesh_out *out);

/* mesh_settle.c */
/* After an edge change: run the graph now, or mark it for mesh_settle(). */
void mesh_graph_soon(struct mesh *m, fl_time_t now, struct mesh_out *o);
/* After DEL_EDGE from->to: once the graph ran, if `to` is unreachable its
 * edge to us goes too (GRAPH.md §3.4). */
void mesh_check_rev_soon(struct mesh *m, struct mesh_node *to, fl_time_t now,
			 struct mesh_out *o);

/* Run a pending graph run and the queued checks now (before purging). */
void mesh_graph_flush(struct mesh *m, fl_time_t now, struct mesh_out *o);

/* mesh_past.c */
bool mesh_past_seen(struct mesh_past *p, const char *line, size_t len,
		    fl_time_t now);
void mesh_past_age(struct mesh_past *p, fl_time_t older_than);
void mesh_past_free(struct mesh_past *p);

/* mesh_send.c: originate requests */
uint32_t mesh_nonce(struct mesh *m);
bool mesh_send_req(struct mesh *m, struct mesh_out *o, int32_t conn,
		   const struct mesh_req *r);
/* To every active connection except `except` (MESH_CONN_NONE = all). */
void mesh_broadcast_req(struct mesh *m, struct mesh_out *o, int32_t except,
			const struct mesh_req *r);
void mesh_forward_line(struct mesh *m, struct mesh_out *o, int32_t except,
		       const char *line);
void mesh_fill_add_edge(struct mesh *m, struct mesh_req *r,
			const struct mesh_edge *e);
void mesh_fill_subnet(struct mesh *m, struct mesh_req *r, int type,
		      const struct mesh_subnet *s);
void mesh_fill_del_edge(struct mesh *m, struct mesh_req *r,
			const struct mesh_edge *e);
struct mesh_conn *mesh_conn_to(const struct mesh *m, const struct mesh_node *n);
/* Connection toward n's nexthop, or NULL. */
struct mesh_conn *mesh_conn_nexthop(const struct mesh *m,
				    const struct mesh_node *n);
int mesh_conn_minor(const struct mesh_conn *c);

/* mesh_flood.c */
enum mesh_err mesh_flood_recv(struct mesh *m, struct mesh_conn *c,
			      const struct mesh_req *r, const char *line,
			      size_t len, fl_time_t now, struct mesh_out *o);

/* mesh_key.c */
enum mesh_err mesh_key_recv(struct mesh *m, struct mesh_conn *c,
			    const struct mesh_req *r, const char *line,
			    size_t len, fl_time_t now, struct mesh_out *o);

/* mesh.c */
void mesh_conn_forget(struct mesh *m, struct mesh_conn *c);
/* If routing state changed: rebuild the lookup index, emit GRAPH_CHANGED. */
void mesh_changed(struct mesh *m, struct mesh_out *o);

/* mesh_conn.c */
void mesh_conn_teardown(struct mesh *m, struct mesh_conn *c, fl_time_t now,
			struct mesh_out *o);

/* mesh_outgoing.c */
struct mesh_outgoing *mesh_outgoing_find(const struct mesh *m,
					 const struct mesh_node *n);
void mesh_outgoing_next(struct mesh *m, struct mesh_outgoing *og, fl_time_t now,
			struct mesh_out *o);
void mesh_outgoing_closed(struct mesh *m, struct mesh_outgoing *og,
			  fl_time_t now, struct mesh_out *o);
void mesh_outgoing_good(struct mesh_outgoing *og);
void mesh_outgoing_tick(struct mesh *m, fl_time_t now, struct mesh_out *o);
void mesh_outgoing_start(struct mesh *m, struct mesh_node *n, fl_time_t now,
			 struct mesh_out *o);
void mesh_outgoing_forget(struct mesh *m, struct mesh_outgoing *og,
			  fl_time_t now, struct mesh_out *o);
void mesh_outgoing_free(struct mesh_outgoing *og);
void mesh_autoconnect(struct mesh *m, fl_time_t now, struct mesh_out *o);

#endif
