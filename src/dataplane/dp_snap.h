/* SPDX-License-Identifier: MIT */
/*
 * dp_snap.h: the immutable tables the per-packet path reads (DESIGN.md,
 * "Publishing"): the peer table by small index, the mesh subnets and the
 * local routes as LPM tables resolving straight to peer indexes, and each
 * peer's pre-parsed edge addresses. The control thread stages parts
 * (fl_dp_stage_*), publishes a new snapshot with one atomic pointer swap
 * (fl_dp_publish) and frees the old one once every registered reader has
 * passed a quiescent point (fl_dp_reclaim). Internal to src/dataplane.
 */
#ifndef FL_DP_SNAP_H
#define FL_DP_SNAP_H

#include <stdatomic.h>
#include <stdint.h>

#include "dataplane/dataplane.h"
#include "lpm/lpm.h"

#define DP_SNAP_NONE UINT32_MAX
/* Subnet value of an owner-less (broadcast) subnet. */
#define DP_SNAP_BCAST ((fl_lpm_value)FL_LPM_VALUE_MAX)
#define DP_SNAP_READERS 64

/* An LPM table shared by successive snapshots; refs are counted by the
 * control thread only (snapshots are created and freed there). */
struct dp_table {
	const struct fl_lpm *lpm;
	unsigned refs;
};

/* A peer's edge addresses (UDP.md §2.5): where other nodes see it
 * (remote) and its own ends of its edges (local). Shared like dp_table. */
struct dp_addrs {
	unsigned refs;
	unsigned n_remote, n_local;
	union fl_addr a[]; /* remote first, then local */
};

struct dp_snap {
	uint64_t gen;
	uint32_t n_peers;
	struct fl_dp_peer **peer;  /* by index; NULL: deleted */
	struct dp_addrs **addrs;   /* by index; NULL: none */
	struct dp_table *subnets;  /* values: peer index or DP_SNAP_BCAST */
	struct dp_table *routes;   /* values: route target */
	uint32_t n_targets;
	uint32_t *target;          /* route target -> peer index, DP_SNAP_NONE */
};

/* Something freed after a grace period (a snapshot or a deleted peer). */
struct dp_retired {
	struct dp_retired *next;
	uint64_t gen; /* free once every reader has seen this generation */
	void (*free)(void *);
	void *obj;
};

/* Control-thread state of the publisher, inside struct fl_dp. */
struct dp_pub {
	_Atomic(struct dp_snap *) cur;
	_Atomic uint64_t gen;
	struct dp_table *subnets, *routes;
	struct fl_dp_peer **targets;  /* staged route targets */
	uint32_t n_targets;
	struct fl_dp_peer **by_idx;   /* every live peer by index */
	uint32_t n_idx, cap_idx;
	struct dp_retired *retired;
	/* Registered readers (worker threads): the generation each last saw
	 * at its quiescent point; UINT64_MAX = slot unused. */
	_Atomic uint64_t seen[DP_SNAP_READERS];
	unsigned n_readers;
};

/* dp_snap.c */
void dp_pub_init(struct dp_pub *pub);
void dp_pub_free(struct dp_pub *pub);
int dp_pub_peer_add(struct dp_pub *pub, struct fl_dp_peer *p);
/* Remove p from every staged part and publish; p is freed after the grace
 * period (with free_peer). */
void dp_pub_peer_del(struct fl_dp *dp, struct fl_dp_peer *p, void (*free_peer)(void *));

/* Lookups on a snapshot (any thread). */
struct fl_dp_peer *dp_snap_peer(const struct dp_snap *s, uint32_t idx);
/* Local route for dst, or NULL. */
struct fl_dp_peer *dp_snap_route(const struct dp_snap *s, int version, const uint8_t *dst);
/* Subnet owner for dst (GRAPH.md §5.3, resolved at publish time). */
struct fl_dp_route_result dp_snap_subnet(const struct dp_snap *s, int version, const uint8_t *dst);
/* One of p's edge addresses chosen with rnd; false if none. */
bool dp_snap_edge_addr(const struct dp_snap *s, const struct fl_dp_peer *p, bool local,
		       uint32_t rnd, union fl_addr *out);

#endif
