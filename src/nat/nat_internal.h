/* SPDX-License-Identifier: MIT */
/* nat_internal.h: the NAT's private state, shared by the nat_*.c files and
 * by nobody else.
 *
 * Memory per mapping (max_mappings sizes everything, allocated once):
 *   struct nat_map            64 bytes (one cache line)
 *   internal index slots      2 x 8 bytes (load factor <= 1/2)
 *   external index slots      2 x 8 bytes
 *   host slots                2 x 8 bytes (worst case: one host per mapping)
 * plus a timing wheel and a fragment cache sized at 1/4 and 1/16 of the
 * mappings (capped), so the total stays under 128 bytes per mapping.
 */
#ifndef FL_NAT_INTERNAL_H
#define FL_NAT_INTERNAL_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>

#include "nat/nat.h"

/* The public calls take fl_time_t; the tables count in 32-bit seconds
 * (mapping timeouts are whole seconds, and 4 bytes a stamp keep entries
 * small). Wraps after 136 years of uptime. */
static inline uint32_t nat_sec(fl_time_t now)
{
	return (uint32_t)fl_time_to_s(now);
}

#define NAT_NIL UINT32_MAX
#define NAT_PEERS 6

#define NAT_PROTO_ICMP 1
#define NAT_PROTO_TCP 6
#define NAT_PROTO_UDP 17
#define NAT_PROTO_UDPLITE 136

/* TCP flags seen on a mapping (RFC 5382 state tracking). */
enum {
	NAT_TCP_SYN_OUT = 1,
	NAT_TCP_SYN_IN = 2,
	NAT_TCP_FIN_OUT = 4,
	NAT_TCP_FIN_IN = 8,
	NAT_TCP_RST = 16,
};

/* One endpoint-independent mapping: (proto, internal addr, internal port or
 * ICMP id) <-> (proto, external addr, external port or id). Addresses and
 * ports are raw network-order values as they sit in packets. */
struct nat_map {
	uint32_t int_addr;
	uint16_t int_port;
	uint16_t ext_port;
	uint8_t proto;
	uint8_t ext_idx;   /* index into cfg.ext_addr */
	uint8_t tcp;       /* NAT_TCP_* flags */
	uint8_t peer_next; /* ring position in peer_* */
	uint32_t expire;   /* alive while now < expire */
	uint32_t wheel_next; /* wheel slot list, or free list */
	uint32_t wheel_prev; /* NAT_NIL at the head of a list */
	uint32_t wheel_tick; /* the tick of the slot it is filed in */
	/* Remotes this mapping sent to, for address(-and-port) dependent
	 * filtering; the oldest is replaced when full. Unused slots are 0. */
	uint32_t peer_addr[NAT_PEERS];
	uint16_t peer_port[NAT_PEERS];
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct nat_map) == 64, "a mapping is one cache line");

/* Index slot of the open-addressed (linear probing) tables, 4 bytes so
 * 16 share a cache line and the tables stay small: the mapping index + 1 in
 * the low 26 bits (0 marks an empty slot) and 6 bits of the key's hash as a
 * tag, so a probe rarely touches a mapping that is not the one sought. */
typedef uint32_t nat_islot;
#define NAT_SLOT_IDX 0x03ffffffu

static inline uint32_t nat_slot_tag(uint32_t h)
{
	return (h & 63) << 26; /* low bits: the home position uses the high ones */
}

/* Per-internal-host mapping count; count 0 marks an empty slot. */
struct nat_hslot {
	uint32_t addr;
	uint32_t count;
};

/* A fragment train: the first fragment's original addresses and IP id, and
 * what later fragments' addresses become. */
struct nat_frag {
	uint32_t src, dst;
	uint16_t ipid;
	uint8_t proto;
	uint8_t dir; /* 0 empty, 1 outbound, 2 inbound */
	uint32_t new_src, new_dst;
	uint32_t expire;
};

#define NAT_FRAG_WAYS 4

/* A static port forward (nat_forward.c). Raw network-order values. */
struct nat_fwd {
	uint32_t int_addr;
	uint16_t ext_port, int_port;
	uint8_t proto;
};

struct nat {
	struct nat_config cfg;
	struct nat_map *map;
	uint32_t free_head;
	uint32_t n_active;

	nat_islot *int_idx, *ext_idx;
	uint32_t idx_cap;
	struct nat_hslot *host;
	uint32_t host_cap;
	uint32_t n_hosts;

	/* Timing wheel: slot = tick mod size, tick = ceil(expire / gran).
	 * Refreshing a mapping only moves its expire time; when its slot comes
	 * round it is re-filed if still alive (lazy refresh, no list work on
	 * the packet path). `pending` is the list of the slot being drained. */
	uint32_t *wheel;
	uint32_t wheel_mask;
	uint32_t gran;
	uint32_t tick;
	uint32_t due; /* the time the tick after `tick` begins */
	uint32_t pending;
	bool started;

	struct nat_frag *frag;
	uint32_t frag_mask; /* number of sets - 1 */

	bool prefetch; /* tables too big for the caches: batches prefetch */
	uint32_t ext_lo, ext_span; /* host-order span of the external addresses */
	uint64_t seed_int, seed_ext, seed_host, seed_port, seed_frag;
	size_t memory;
	struct nat_stats st;

	/* Port forwards: few, and looked at only when a mapping is created or
	 * an inbound packet found none, so a plain array. */
	uint32_t n_fwd;
	struct nat_fwd fwd[NAT_MAX_FORWARDS];
};

static inline uint32_t nat_hash64(uint64_t k, uint64_t seed)
{
	k ^= seed;
	k *= 0x9e3779b97f4a7c15ull;
	k ^= k >> 32;
	k *= 0xd6e8feb86659fd93ull;
	k ^= k >> 32;
	return (uint32_t)k;
}

/* Maps a 32-bit hash onto [0, n) without a division (multiply-shift). */
static inline uint32_t nat_range(uint32_t h, uint32_t n)
{
	return (uint32_t)(((uint64_t)h * n) >> 32);
}

static inline uint64_t nat_key_int(uint8_t proto, uint32_t addr, uint16_t port)
{
	return ((uint64_t)addr << 32) | ((uint64_t)port << 16) | proto;
}

static inline uint64_t nat_key_ext(uint8_t proto, uint8_t idx, uint16_t port)
{
	return ((uint64_t)idx << 32) | ((uint64_t)port << 16) | proto;
}

static inline uint32_t nat_find_int(const struct nat *n, uint8_t proto, uint32_t addr,
                                    uint16_t port, uint32_t h)
{
	uint32_t i = nat_range(h, n->idx_cap), tag = nat_slot_tag(h);
	for (;;) {
		nat_islot s = n->int_idx[i];
		if (s == 0)
			return NAT_NIL;
		if ((s & ~NAT_SLOT_IDX) == tag) {
			const struct nat_map *m = &n->map[(s & NAT_SLOT_IDX) - 1];
			if (m->int_addr == addr && m->int_port == port && m->proto == proto)
				return (s & NAT_SLOT_IDX) - 1;
		}
		if (++i == n->idx_cap)
			i = 0;
	}
}

static inline uint32_t nat_find_ext(const struct nat *n, uint8_t proto, uint8_t idx,
                                    uint16_t port, uint32_t h)
{
	uint32_t i = nat_range(h, n->idx_cap), tag = nat_slot_tag(h);
	for (;;) {
		nat_islot s = n->ext_idx[i];
		if (s == 0)
			return NAT_NIL;
		if ((s & ~NAT_SLOT_IDX) == tag) {
			const struct nat_map *m = &n->map[(s & NAT_SLOT_IDX) - 1];
			if (m->ext_port == port && m->ext_idx == idx && m->proto == proto)
				return (s & NAT_SLOT_IDX) - 1;
		}
		if (++i == n->idx_cap)
			i = 0;
	}
}

static inline uint32_t nat_lookup_int(const struct nat *n, uint8_t proto, uint32_t addr, uint16_t port)
{
	return nat_find_int(n, proto, addr, port, nat_hash64(nat_key_int(proto, addr, port), n->seed_int));
}

static inline uint32_t nat_lookup_ext(const struct nat *n, uint8_t proto, uint8_t idx, uint16_t port)
{
	return nat_find_ext(n, proto, idx, port, nat_hash64(nat_key_ext(proto, idx, port), n->seed_ext));
}

/* Index of an external address, or -1. Most addresses lie outside the
 * span of the external ones and are rejected by one comparison. */
static inline int nat_ext_index(const struct nat *n, uint32_t addr)
{
	if (ntohl(addr) - n->ext_lo > n->ext_span)
		return -1;
	for (unsigned i = 0; i < n->cfg.n_ext; i++)
		if (n->cfg.ext_addr[i] == addr)
			return (int)i;
	return -1;
}

/* Timeout for a mapping in its current state. */
static inline uint32_t nat_map_timeout(const struct nat *n, const struct nat_map *m)
{
	switch (m->proto) {
	case NAT_PROTO_TCP:
		if ((m->tcp & (NAT_TCP_SYN_OUT | NAT_TCP_SYN_IN)) == (NAT_TCP_SYN_OUT | NAT_TCP_SYN_IN) &&
		    !(m->tcp & NAT_TCP_RST) &&
		    (m->tcp & (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN)) != (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN))
			return n->cfg.tcp_est_timeout;
		return n->cfg.tcp_trans_timeout;
	case NAT_PROTO_ICMP:
		return n->cfg.icmp_timeout;
	default:
		return n->cfg.udp_timeout;
	}
}

/* nat.c: checks a config (nat_new's first step; nat6_new uses it too). */
enum nat_err nat_config_check(const struct nat_config *c);

/* nat_table.c */
uint32_t nat_table_create(struct nat *n, uint8_t proto, uint32_t addr, uint16_t port,
                          uint32_t now, enum nat_verdict *v);
/* The same on external address idx with external port ext_port (raw), for
 * a port forward's inbound connection. */
uint32_t nat_table_create_at(struct nat *n, uint8_t proto, uint32_t addr, uint16_t port,
                             uint8_t idx, uint16_t ext_port, uint32_t now, enum nat_verdict *v);
/* Drops a live mapping now (a forward added or removed). */
void nat_table_evict(struct nat *n, uint32_t i);
void nat_table_advance(struct nat *n, uint32_t now, uint32_t budget);
void nat_table_refile(struct nat *n, uint32_t i);

/* Packet-path expiry: a few mappings per call, and nothing at all (no
 * division) until the next wheel tick is due. */
#define NAT_PACKET_BUDGET 8
static inline void nat_table_poll(struct nat *n, uint32_t now)
{
	if (n->pending != NAT_NIL || (int32_t)(now - n->due) >= 0 || !n->started)
		nat_table_advance(n, now, NAT_PACKET_BUDGET);
}
size_t nat_table_alloc(struct nat *n);

/* nat_frag.c */
void nat_frag_note(struct nat *n, int dir, const uint8_t *orig_ip, const uint8_t *new_ip, uint32_t now);
enum nat_verdict nat_frag_follow(struct nat *n, int dir, uint8_t *ip, uint32_t now);

/* nat_icmperr.c */
enum nat_verdict nat_icmperr_out(struct nat *n, uint8_t *ip, uint8_t *icmp, size_t icmp_len, uint32_t now);
enum nat_verdict nat_icmperr_in(struct nat *n, uint8_t *ip, uint8_t *icmp, size_t icmp_len, uint32_t now);

/* nat_filter: does mapping m admit a packet from (addr, port)? */
static inline bool nat_filter_admits(const struct nat *n, const struct nat_map *m, uint32_t addr, uint16_t port)
{
	if (n->cfg.filter == NAT_FILTER_ENDPOINT)
		return true;
	for (unsigned i = 0; i < NAT_PEERS; i++)
		if (m->peer_addr[i] == addr &&
		    (n->cfg.filter == NAT_FILTER_ADDRESS || m->peer_port[i] == port))
			return true;
	return false;
}

/* The forward on external port `ext_port` (raw), or NULL. */
static inline const struct nat_fwd *nat_fwd_by_ext(const struct nat *n, uint8_t proto, uint16_t ext_port)
{
	for (uint32_t i = 0; i < n->n_fwd; i++)
		if (n->fwd[i].ext_port == ext_port && n->fwd[i].proto == proto)
			return &n->fwd[i];
	return NULL;
}

/* The forward whose internal endpoint is (addr, port), or NULL. */
static inline const struct nat_fwd *nat_fwd_by_int(const struct nat *n, uint8_t proto, uint32_t addr,
                                                   uint16_t port)
{
	for (uint32_t i = 0; i < n->n_fwd; i++)
		if (n->fwd[i].int_addr == addr && n->fwd[i].int_port == port && n->fwd[i].proto == proto)
			return &n->fwd[i];
	return NULL;
}

/* The filter, except that a forward's mapping admits any remote: that is
 * what a port forward is for. */
static inline bool nat_admits(const struct nat *n, const struct nat_map *m, uint32_t addr, uint16_t port)
{
	if (nat_filter_admits(n, m, addr, port))
		return true;
	const struct nat_fwd *f = n->n_fwd ? nat_fwd_by_ext(n, m->proto, m->ext_port) : NULL;
	return f && f->int_addr == m->int_addr && f->int_port == m->int_port;
}

/* Remembers a remote the mapping sent to (filtering state). */
static inline void nat_filter_note(const struct nat *n, struct nat_map *m, uint32_t addr, uint16_t port)
{
	if (n->cfg.filter == NAT_FILTER_ENDPOINT)
		return;
	for (unsigned i = 0; i < NAT_PEERS; i++)
		if (m->peer_addr[i] == addr && m->peer_port[i] == port)
			return;
	m->peer_addr[m->peer_next] = addr;
	m->peer_port[m->peer_next] = port;
	m->peer_next = (uint8_t)((m->peer_next + 1) % NAT_PEERS);
}

#endif
