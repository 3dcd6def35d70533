/* SPDX-License-Identifier: MIT */
/*
 * dp_snap.c: building, publishing and reclaiming the dataplane's snapshots
 * (dp_snap.h), and the lookups the per-packet path makes in them. The
 * control thread stages parts (subnets and local routes as LPM tables, route
 * targets, edge addresses) and calls fl_dp_publish(); a snapshot is never
 * changed after its pointer is stored. Old snapshots and deleted peers wait
 * on the retired list until every registered reader has reported a
 * quiescent point at or after their retirement (fl_dp_reclaim).
 */
#include "dataplane/dp_internal.h"

#include <stdlib.h>
#include <string.h>

static struct dp_table *table_new(const struct fl_lpm *lpm)
{
	struct dp_table *t = malloc(sizeof(*t));

	if (!t)
		return NULL;
	t->lpm = lpm;
	t->refs = 1;
	return t;
}

static void table_put(struct dp_table *t)
{
	if (t && --t->refs == 0) {
		fl_lpm_free(t->lpm);
		free(t);
	}
}

static void addrs_put(struct dp_addrs *a)
{
	if (a && --a->refs == 0)
		free(a);
}

static void snap_free(void *obj)
{
	struct dp_snap *s = obj;

	if (!s)
		return;
	for (uint32_t i = 0; i < s->n_peers; i++)
		addrs_put(s->addrs[i]);
	table_put(s->subnets);
	table_put(s->routes);
	free(s->peer);
	free(s->addrs);
	free(s->target);
	free(s);
}

void dp_pub_init(struct dp_pub *pub)
{
	memset(pub, 0, sizeof(*pub));
	atomic_init(&pub->cur, NULL);
	atomic_init(&pub->gen, 0);
	for (unsigned i = 0; i < DP_SNAP_READERS; i++)
		atomic_init(&pub->seen[i], UINT64_MAX);
}

void dp_pub_free(struct dp_pub *pub)
{
	snap_free(atomic_exchange(&pub->cur, NULL));
	while (pub->retired) {
		struct dp_retired *r = pub->retired;
		pub->retired = r->next;
		r->free(r->obj);
		free(r);
	}
	table_put(pub->subnets);
	table_put(pub->routes);
	free(pub->targets);
	free(pub->by_idx);
	pub->subnets = pub->routes = NULL;
}

/* Indexes are never reused: a table built before a peer was deleted may
 * still name its index, and must not reach a newer peer through it. */
int dp_pub_peer_add(struct dp_pub *pub, struct fl_dp_peer *p)
{
	if (pub->n_idx == pub->cap_idx) {
		uint32_t cap = pub->cap_idx ? pub->cap_idx * 2 : 16;
		struct fl_dp_peer **v = realloc(pub->by_idx, cap * sizeof(*v));
		if (!v)
			return -1;
		pub->by_idx = v;
		pub->cap_idx = cap;
	}
	p->idx = pub->n_idx;
	pub->by_idx[pub->n_idx++] = p;
	return 0;
}

static void retire(struct dp_pub *pub, void (*fn)(void *), void *obj)
{
	struct dp_retired *r = malloc(sizeof(*r));

	if (!r) {
		/* Cannot wait: only safe because today's readers are between
		 * batches whenever the control thread runs this. */
		fn(obj);
		return;
	}
	r->gen = atomic_load(&pub->gen);
	r->free = fn;
	r->obj = obj;
	r->next = pub->retired;
	pub->retired = r;
}

void dp_pub_peer_del(struct fl_dp *dp, struct fl_dp_peer *p, void (*free_peer)(void *))
{
	struct dp_pub *pub = &dp->pub;

	if (p->idx < pub->n_idx)
		pub->by_idx[p->idx] = NULL;
	for (uint32_t i = 0; i < pub->n_targets; i++)
		if (pub->targets[i] == p)
			pub->targets[i] = NULL;
	addrs_put(p->st_addrs);
	p->st_addrs = NULL;
	if (fl_dp_publish(dp) < 0)
		dp->stats.publish_failed++;
	retire(pub, free_peer, p);
}

int fl_dp_stage_subnets(struct fl_dp *dp, const struct fl_dp_prefix *v, size_t n)
{
	struct fl_lpm_prefix *p = malloc((n ? n : 1) * sizeof(*p));
	struct fl_lpm_build_opts opts = {.direct_bits4 = 8, .direct_bits6 = 8};
	struct fl_lpm *lpm = NULL;
	struct dp_table *t;

	if (!p)
		return -1;
	for (size_t i = 0; i < n; i++) {
		memcpy(p[i].addr, v[i].addr, 16);
		p[i].family = v[i].family;
		p[i].len = v[i].len;
		p[i].value = v[i].peer ? v[i].peer->idx : DP_SNAP_BCAST;
	}
	/* Rebuilt on every graph change: a small direct array builds fast. */
	if (fl_lpm_build(p, n, &opts, &lpm) != FL_LPM_OK)
		lpm = NULL;
	free(p);
	if (!lpm || !(t = table_new(lpm))) {
		fl_lpm_free(lpm);
		return -1;
	}
	table_put(dp->pub.subnets);
	dp->pub.subnets = t;
	return 0;
}

int fl_dp_stage_routes(struct fl_dp *dp, struct fl_lpm *t, size_t n_targets)
{
	struct dp_table *tab = NULL;
	struct fl_dp_peer **v = calloc(n_targets ? n_targets : 1, sizeof(*v));

	if (!v || (t && !(tab = table_new(t)))) {
		free(v);
		fl_lpm_free(t);
		return -1;
	}
	table_put(dp->pub.routes);
	free(dp->pub.targets);
	dp->pub.routes = tab;
	dp->pub.targets = v;
	dp->pub.n_targets = (uint32_t)n_targets;
	return 0;
}

void fl_dp_stage_route_target(struct fl_dp *dp, size_t i, struct fl_dp_peer *p)
{
	if (i < dp->pub.n_targets)
		dp->pub.targets[i] = p;
}

int fl_dp_stage_addrs(struct fl_dp *dp, struct fl_dp_peer *p, const union fl_addr *remote,
		      size_t nr, const union fl_addr *local, size_t nl)
{
	struct dp_addrs *a = NULL;

	(void)dp;
	if (nr + nl) {
		a = malloc(sizeof(*a) + (nr + nl) * sizeof(a->a[0]));
		if (!a)
			return -1;
		a->refs = 1;
		a->n_remote = (unsigned)nr;
		a->n_local = (unsigned)nl;
		if (nr)
			memcpy(a->a, remote, nr * sizeof(a->a[0]));
		if (nl)
			memcpy(a->a + nr, local, nl * sizeof(a->a[0]));
	}
	addrs_put(p->st_addrs);
	p->st_addrs = a;
	return 0;
}

static struct dp_snap *snap_build(struct dp_pub *pub)
{
	struct dp_snap *s = calloc(1, sizeof(*s));
	uint32_t n = pub->n_idx;

	if (!s)
		return NULL;
	s->peer = malloc((n ? n : 1) * sizeof(*s->peer));
	s->addrs = calloc(n ? n : 1, sizeof(*s->addrs));
	s->target = malloc((pub->n_targets ? pub->n_targets : 1) * sizeof(*s->target));
	if (!s->peer || !s->addrs || !s->target) {
		snap_free(s);
		return NULL;
	}
	s->n_peers = n;
	for (uint32_t i = 0; i < n; i++) {
		struct fl_dp_peer *p = pub->by_idx[i];
		s->peer[i] = p;
		if (p && p->st_addrs) {
			s->addrs[i] = p->st_addrs;
			p->st_addrs->refs++;
		}
	}
	s->n_targets = pub->n_targets;
	for (uint32_t i = 0; i < pub->n_targets; i++)
		s->target[i] = pub->targets[i] ? pub->targets[i]->idx : DP_SNAP_NONE;
	if ((s->subnets = pub->subnets))
		s->subnets->refs++;
	if ((s->routes = pub->routes))
		s->routes->refs++;
	return s;
}

int fl_dp_publish(struct fl_dp *dp)
{
	struct dp_pub *pub = &dp->pub;
	struct dp_snap *s = snap_build(pub), *old;

	if (!s)
		return -1;
	s->gen = atomic_load(&pub->gen) + 1;
	/* The swap before the new generation: a reader that reports the new
	 * generation at a quiescent point can only load the new snapshot
	 * after it, so the old one may go once every reader has reported it. */
	old = atomic_exchange(&pub->cur, s);
	atomic_store(&pub->gen, s->gen);
	if (old)
		retire(pub, snap_free, old);
	fl_dp_reclaim(dp);
	return 0;
}

int fl_dp_reader_add(struct fl_dp *dp)
{
	for (unsigned i = 0; i < DP_SNAP_READERS; i++) {
		if (atomic_load(&dp->pub.seen[i]) == UINT64_MAX) {
			atomic_store(&dp->pub.seen[i], atomic_load(&dp->pub.gen));
			if (i >= dp->pub.n_readers)
				dp->pub.n_readers = i + 1;
			return (int)i;
		}
	}
	return -1;
}

void fl_dp_reader_del(struct fl_dp *dp, int slot)
{
	if (slot >= 0 && slot < DP_SNAP_READERS)
		atomic_store(&dp->pub.seen[slot], UINT64_MAX);
}

void fl_dp_reader_quiescent(struct fl_dp *dp, int slot)
{
	atomic_store(&dp->pub.seen[slot], atomic_load(&dp->pub.gen));
}

/* The control thread itself holds no snapshot between its calls into the
 * dataplane, so only registered readers can delay a free. */
void fl_dp_reclaim(struct fl_dp *dp)
{
	struct dp_pub *pub = &dp->pub;
	uint64_t min = UINT64_MAX;

	for (unsigned i = 0; i < pub->n_readers; i++) {
		uint64_t g = atomic_load(&pub->seen[i]);
		if (g < min)
			min = g;
	}
	for (struct dp_retired **rp = &pub->retired; *rp;) {
		struct dp_retired *r = *rp;
		if (r->gen <= min) {
			*rp = r->next;
			r->free(r->obj);
			free(r);
		} else {
			rp = &r->next;
		}
	}
}

struct fl_dp_peer *dp_snap_peer(const struct dp_snap *s, uint32_t idx)
{
	return s && idx < s->n_peers ? s->peer[idx] : NULL;
}

static fl_lpm_value snap_lookup(const struct fl_lpm *t, int version, const uint8_t *dst)
{
	if (version == 4)
		return fl_lpm_lookup4(t, (uint32_t)dst[0] << 24 | (uint32_t)dst[1] << 16 |
					      (uint32_t)dst[2] << 8 | dst[3]);
	return fl_lpm_lookup6(t, dst);
}

struct fl_dp_peer *dp_snap_route(const struct dp_snap *s, int version, const uint8_t *dst)
{
	fl_lpm_value v;

	if (!s || !s->routes)
		return NULL;
	v = snap_lookup(s->routes->lpm, version, dst);
	if (v == FL_LPM_NONE || v >= s->n_targets)
		return NULL;
	return dp_snap_peer(s, s->target[v]);
}

struct fl_dp_route_result dp_snap_subnet(const struct dp_snap *s, int version, const uint8_t *dst)
{
	struct fl_dp_route_result r = {0};
	fl_lpm_value v;

	if (!s || !s->subnets)
		return r;
	v = snap_lookup(s->subnets->lpm, version, dst);
	if (v == DP_SNAP_BCAST)
		r.broadcast = true;
	else if (v != FL_LPM_NONE)
		r.owner = dp_snap_peer(s, v);
	return r;
}

bool dp_snap_edge_addr(const struct dp_snap *s, const struct fl_dp_peer *p, bool local,
		       uint32_t rnd, union fl_addr *out)
{
	const struct dp_addrs *a = s && p->idx < s->n_peers ? s->addrs[p->idx] : NULL;
	unsigned n;

	if (!a)
		return false;
	n = local ? a->n_local : a->n_remote;
	if (!n)
		return false;
	*out = a->a[(local ? a->n_remote : 0) + rnd % n];
	return true;
}
