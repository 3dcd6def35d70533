/* SPDX-License-Identifier: MIT */
/* nat_table.c: the mapping pool, its two indexes, the per-host counts, the
 * external port allocator and the expiry wheel. Called by nat_xlate.c and
 * nat_icmperr.c on the packet path and by nat.c at creation.
 *
 * Everything is preallocated from max_mappings. The indexes are linear
 * probing tables at load <= 1/2 with backward-shift deletion (no
 * tombstones, so probe lengths never degrade). Expiry is amortised O(1):
 * each mapping is visited once per timeout period by the wheel.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "nat/nat_internal.h"

#define NAT_PORT_TRIES 128 /* bounded search for a free external port */

static uint32_t next_pow2(uint32_t v)
{
	uint32_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

static uint32_t max_timeout(const struct nat_config *c)
{
	uint32_t t = c->udp_timeout;
	if (c->tcp_est_timeout > t)
		t = c->tcp_est_timeout;
	if (c->tcp_trans_timeout > t)
		t = c->tcp_trans_timeout;
	if (c->icmp_timeout > t)
		t = c->icmp_timeout;
	return t;
}

/* Allocates a zeroed table of exactly `size` bytes. Large ones start on a
 * 2 MB boundary and are marked for transparent huge pages (whole 2 MB
 * pieces of them get one): random lookups over many megabytes otherwise
 * spend much of their time on TLB misses. */
static void *table_alloc(size_t size)
{
	const size_t huge = 2u << 20;
	void *p;
	if (posix_memalign(&p, size >= huge ? huge : 64, size) != 0)
		return NULL;
	if (size >= huge)
		(void)madvise(p, size & ~(huge - 1), MADV_HUGEPAGE); /* a hint */
	memset(p, 0, size);
	return p;
}

/* Allocates the tables; returns the bytes allocated, 0 on failure. */
size_t nat_table_alloc(struct nat *n)
{
	uint32_t max = n->cfg.max_mappings;
	uint32_t wheel = next_pow2(max / 4);
	/* Fragment trains are few next to flows: at most one per 8 mappings. */
	uint32_t frags = n->cfg.max_frags < max / 8 ? n->cfg.max_frags : max / 8;
	uint32_t sets = next_pow2(frags / NAT_FRAG_WAYS);

	if (wheel < 64)
		wheel = 64;
	if (wheel > 8192)
		wheel = 8192;
	if (sets < 4)
		sets = 4;
	/* Index load <= 1/4: measured with bench/nat_speed at 100 k mappings,
	 * 1/4 beat 1/2 by a fifth and 3/4 by more (nearly every lookup ends in
	 * its home slot, the line the batch stage fetched). The host counts are
	 * off the lookup path: load <= 3/4. */
	n->idx_cap = max * 4 + 16;
	n->host_cap = max + max / 3 + 16;
	n->wheel_mask = wheel - 1;
	/* The wheel spans the longest timeout plus two ticks of slack. */
	n->gran = (max_timeout(&n->cfg) + wheel - 3) / (wheel - 2);
	if (n->gran == 0)
		n->gran = 1;
	n->frag_mask = sets - 1;

	n->map = table_alloc((size_t)max * sizeof(*n->map));
	n->int_idx = table_alloc((size_t)n->idx_cap * sizeof(*n->int_idx));
	n->ext_idx = table_alloc((size_t)n->idx_cap * sizeof(*n->ext_idx));
	n->host = table_alloc((size_t)n->host_cap * sizeof(*n->host));
	n->wheel = table_alloc(wheel * sizeof(*n->wheel));
	n->frag = table_alloc((size_t)sets * NAT_FRAG_WAYS * sizeof(*n->frag));
	if (!n->map || !n->int_idx || !n->ext_idx || !n->host || !n->wheel || !n->frag)
		return 0;
	for (uint32_t i = 0; i < max; i++)
		n->map[i].wheel_next = i + 1 < max ? i + 1 : NAT_NIL;
	n->free_head = 0;
	for (uint32_t i = 0; i < wheel; i++)
		n->wheel[i] = NAT_NIL;
	n->pending = NAT_NIL;
	n->prefetch = (size_t)max * sizeof(*n->map) + 2 * (size_t)n->idx_cap * sizeof(*n->int_idx) > (512u << 10);
	return (size_t)max * sizeof(*n->map) + 2 * (size_t)n->idx_cap * sizeof(*n->int_idx) +
	       (size_t)n->host_cap * sizeof(*n->host) + wheel * sizeof(*n->wheel) +
	       (size_t)sets * NAT_FRAG_WAYS * sizeof(*n->frag) + sizeof(*n);
}

static void islot_insert(nat_islot *t, uint32_t cap, uint32_t h, uint32_t idx)
{
	uint32_t i = nat_range(h, cap);
	while (t[i] != 0)
		if (++i == cap)
			i = 0;
	t[i] = nat_slot_tag(h) | (idx + 1);
}

static uint32_t hash_int(const struct nat *n, const struct nat_map *m)
{
	return nat_hash64(nat_key_int(m->proto, m->int_addr, m->int_port), n->seed_int);
}

static uint32_t hash_ext(const struct nat *n, const struct nat_map *m)
{
	return nat_hash64(nat_key_ext(m->proto, m->ext_idx, m->ext_port), n->seed_ext);
}

/* Removes mapping idx from an index, shifting later probes back. The home
 * of a slot's key is recomputed from its mapping (off the lookup path). */
static void islot_delete(struct nat *n, nat_islot *t, uint32_t h, uint32_t idx,
                         uint32_t (*hash)(const struct nat *, const struct nat_map *))
{
	uint32_t cap = n->idx_cap;
	uint32_t i = nat_range(h, cap);
	while ((t[i] & NAT_SLOT_IDX) != idx + 1)
		if (++i == cap)
			i = 0;
	for (uint32_t k = i;;) {
		if (++k == cap)
			k = 0;
		if (t[k] == 0)
			break;
		uint32_t home = nat_range(hash(n, &n->map[(t[k] & NAT_SLOT_IDX) - 1]), cap);
		/* t[k] may move to the hole at i unless its home lies in (i, k]. */
		uint32_t dk = (k + cap - home) % cap, di = (k + cap - i) % cap;
		if (dk >= di) {
			t[i] = t[k];
			i = k;
		}
	}
	t[i] = 0;
}

static struct nat_hslot *host_find(struct nat *n, uint32_t addr, bool add)
{
	uint32_t i = nat_range(nat_hash64(addr, n->seed_host), n->host_cap);
	for (;;) {
		struct nat_hslot *s = &n->host[i];
		if (s->count == 0) {
			if (!add)
				return NULL;
			s->addr = addr;
			n->n_hosts++;
			return s;
		}
		if (s->addr == addr)
			return s;
		if (++i == n->host_cap)
			i = 0;
	}
}

static void host_release(struct nat *n, uint32_t addr)
{
	struct nat_hslot *t = n->host;
	uint32_t cap = n->host_cap;
	uint32_t i = nat_range(nat_hash64(addr, n->seed_host), cap);
	while (t[i].addr != addr || t[i].count == 0)
		if (++i == cap)
			i = 0;
	if (--t[i].count != 0)
		return;
	n->n_hosts--;
	for (uint32_t k = i;;) {
		if (++k == cap)
			k = 0;
		if (t[k].count == 0)
			break;
		uint32_t home = nat_range(nat_hash64(t[k].addr, n->seed_host), cap);
		uint32_t dk = (k + cap - home) % cap, di = (k + cap - i) % cap;
		if (dk >= di) {
			t[i] = t[k];
			i = k;
		}
	}
	t[i].count = 0;
	t[i].addr = 0;
}

/* Finds a free external port (or ICMP id) on external address idx:
 * the internal one if it is in range and free (port preservation), else a
 * bounded linear search from a hashed start. Returns 0 if none was found. */
static bool port_alloc(const struct nat *n, uint8_t proto, uint8_t idx, uint16_t int_port,
                       uint64_t int_key, uint16_t *ext_port, uint32_t *ext_hash)
{
	uint32_t lo = proto == NAT_PROTO_ICMP ? n->cfg.id_min : n->cfg.port_min;
	uint32_t hi = proto == NAT_PROTO_ICMP ? n->cfg.id_max : n->cfg.port_max;
	uint32_t range = hi - lo + 1;
	uint32_t want = ntohs(int_port);
	uint32_t p = want >= lo && want <= hi ? want : lo + nat_range(nat_hash64(int_key, n->seed_port), range);
	uint32_t tries = range < NAT_PORT_TRIES ? range : NAT_PORT_TRIES;

	for (uint32_t t = 0; t < tries; t++) {
		uint16_t raw = htons((uint16_t)p);
		uint32_t h = nat_hash64(nat_key_ext(proto, idx, raw), n->seed_ext);
		/* Forwarded ports belong to their forward alone. */
		bool fwd = n->n_fwd && proto != NAT_PROTO_ICMP && nat_fwd_by_ext(n, proto, raw);
		if (!fwd && nat_find_ext(n, proto, idx, raw, h) == NAT_NIL) {
			*ext_port = raw;
			*ext_hash = h;
			return true;
		}
		p = p == hi ? lo : p + 1;
	}
	return false;
}

static uint32_t expire_tick(const struct nat *n, uint32_t expire)
{
	uint32_t tick = expire / n->gran + (expire % n->gran != 0);
	return (int32_t)(tick - n->tick) <= 0 ? n->tick + 1 : tick;
}

static void wheel_add(struct nat *n, uint32_t i)
{
	struct nat_map *m = &n->map[i];
	m->wheel_tick = expire_tick(n, m->expire);
	uint32_t *slot = &n->wheel[m->wheel_tick & n->wheel_mask];
	m->wheel_prev = NAT_NIL;
	m->wheel_next = *slot;
	if (*slot != NAT_NIL)
		n->map[*slot].wheel_prev = i;
	*slot = i;
}

static void wheel_unlink(struct nat *n, uint32_t i)
{
	struct nat_map *m = &n->map[i];
	if (m->wheel_prev != NAT_NIL)
		n->map[m->wheel_prev].wheel_next = m->wheel_next;
	else if (n->pending == i)
		n->pending = m->wheel_next;
	else
		n->wheel[m->wheel_tick & n->wheel_mask] = m->wheel_next;
	if (m->wheel_next != NAT_NIL)
		n->map[m->wheel_next].wheel_prev = m->wheel_prev;
}

/* Called when a mapping's timeout got shorter (TCP closing): lazy refresh
 * only handles later expiry, so file it earlier now. */
void nat_table_refile(struct nat *n, uint32_t i)
{
	struct nat_map *m = &n->map[i];
	if ((int32_t)(expire_tick(n, m->expire) - m->wheel_tick) < 0) {
		wheel_unlink(n, i);
		wheel_add(n, i);
	}
}

/* The external port of a forward's internal endpoint: its forward's, if
 * that is free on idx. */
static bool port_forwarded(const struct nat *n, uint8_t proto, uint8_t idx, uint16_t ext_port,
                           uint16_t *out, uint32_t *ext_hash)
{
	uint32_t h = nat_hash64(nat_key_ext(proto, idx, ext_port), n->seed_ext);
	if (nat_find_ext(n, proto, idx, ext_port, h) != NAT_NIL)
		return false;
	*out = ext_port;
	*ext_hash = h;
	return true;
}

static uint32_t table_create(struct nat *n, uint8_t proto, uint32_t addr, uint16_t port,
                             int at_idx, uint16_t at_port, uint32_t now, enum nat_verdict *v);

/* Creates a mapping for (proto, addr, port); returns its index, or NAT_NIL
 * with the drop reason in *v. */
uint32_t nat_table_create(struct nat *n, uint8_t proto, uint32_t addr, uint16_t port,
                          uint32_t now, enum nat_verdict *v)
{
	const struct nat_fwd *f = n->n_fwd && proto != NAT_PROTO_ICMP ? nat_fwd_by_int(n, proto, addr, port) : NULL;
	return table_create(n, proto, addr, port, -1, f ? f->ext_port : 0, now, v);
}

uint32_t nat_table_create_at(struct nat *n, uint8_t proto, uint32_t addr, uint16_t port,
                             uint8_t idx, uint16_t ext_port, uint32_t now, enum nat_verdict *v)
{
	return table_create(n, proto, addr, port, idx, ext_port, now, v);
}

/* at_idx < 0: the host's paired address; at_port 0: any free port. */
static uint32_t table_create(struct nat *n, uint8_t proto, uint32_t addr, uint16_t port,
                             int at_idx, uint16_t at_port, uint32_t now, enum nat_verdict *v)
{
	if (n->n_active == n->cfg.max_mappings)
		nat_table_advance(n, now, 256); /* reclaim what is due first */
	if (n->n_active == n->cfg.max_mappings) {
		*v = NAT_DROP_TABLE_FULL;
		return NAT_NIL;
	}
	struct nat_hslot *hs = host_find(n, addr, false);
	if (hs && hs->count >= n->cfg.max_per_host) {
		*v = NAT_DROP_HOST_LIMIT;
		return NAT_NIL;
	}
	/* Paired pooling (RFC 4787 REQ-2): a host always gets the same address. */
	uint8_t idx = (uint8_t)(n->cfg.n_ext == 1 ? 0 : nat_range(nat_hash64(addr, n->seed_host ^ 1), n->cfg.n_ext));
	if (at_idx >= 0)
		idx = (uint8_t)at_idx;
	uint64_t key = nat_key_int(proto, addr, port);
	uint16_t ext_port;
	uint32_t ext_hash;
	if (at_port ? !port_forwarded(n, proto, idx, at_port, &ext_port, &ext_hash)
	            : !port_alloc(n, proto, idx, port, key, &ext_port, &ext_hash)) {
		*v = NAT_DROP_NO_PORT;
		return NAT_NIL;
	}
	if (!hs)
		hs = host_find(n, addr, true);
	hs->count++;

	uint32_t i = n->free_head;
	struct nat_map *m = &n->map[i];
	n->free_head = m->wheel_next;
	memset(m, 0, sizeof(*m));
	m->int_addr = addr;
	m->int_port = port;
	m->ext_port = ext_port;
	m->proto = proto;
	m->ext_idx = idx;
	m->expire = now + nat_map_timeout(n, m);
	islot_insert(n->int_idx, n->idx_cap, nat_hash64(key, n->seed_int), i);
	islot_insert(n->ext_idx, n->idx_cap, ext_hash, i);
	wheel_add(n, i);
	n->n_active++;
	n->st.created++;
	return i;
}

static void map_remove(struct nat *n, uint32_t i)
{
	struct nat_map *m = &n->map[i];
	islot_delete(n, n->int_idx, hash_int(n, m), i, hash_int);
	islot_delete(n, n->ext_idx, hash_ext(n, m), i, hash_ext);
	host_release(n, m->int_addr);
	m->wheel_next = n->free_head;
	n->free_head = i;
	n->n_active--;
	n->st.expired++;
}

void nat_table_evict(struct nat *n, uint32_t i)
{
	wheel_unlink(n, i);
	map_remove(n, i);
}

/* Drains wheel slots up to `now`, handling at most `budget` mappings. */
void nat_table_advance(struct nat *n, uint32_t now, uint32_t budget)
{
	uint32_t target = now / n->gran;
	uint32_t span = n->wheel_mask + 1;

	if (!n->started) {
		n->tick = target;
		n->started = true;
	}
	for (;;) {
		while (n->pending != NAT_NIL) {
			if (budget == 0)
				goto out;
			budget--;
			uint32_t i = n->pending;
			struct nat_map *m = &n->map[i];
			n->pending = m->wheel_next;
			if (n->pending != NAT_NIL)
				n->map[n->pending].wheel_prev = NAT_NIL;
			if ((int32_t)(m->expire - now) <= 0)
				map_remove(n, i);
			else
				wheel_add(n, i);
		}
		if ((int32_t)(target - n->tick) <= 0)
			break;
		if (target - n->tick > span)
			n->tick = target - span; /* a long gap: each slot once is enough */
		n->tick++;
		uint32_t *slot = &n->wheel[n->tick & n->wheel_mask];
		n->pending = *slot;
		*slot = NAT_NIL;
	}
out:
	n->due = (n->tick + 1) * n->gran;
}
