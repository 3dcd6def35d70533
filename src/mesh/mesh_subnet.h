/* SPDX-License-Identifier: MIT */
/*
 * mesh_subnet.h: subnets as tinc knows them (GRAPH.md §5): text form,
 * ordering/identity, and the table that answers "which node owns this
 * address" by tinc's rules.
 *
 * Callers: mesh_request.c (ADD/DEL_SUBNET), mesh.c and mesh_flood.c (the
 * table), the daemon (own Subnet lines, dumps, scripts) and the dataplane
 * (lookup).
 *
 * The lookup goes through struct mesh_subnet_index: the ordered-list walk
 * (reference) or the src/lpm engine; mesh_subnet_table_lookup() answers
 * from the table itself while an LPM index is stale.
 */
#ifndef FL_MESH_SUBNET_H
#define FL_MESH_SUBNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mesh_node;

enum mesh_subnet_type {
	MESH_SUBNET_MAC = 0,	/* order matters: MAC < IPv4 < IPv6 */
	MESH_SUBNET_IPV4 = 1,
	MESH_SUBNET_IPV6 = 2,
};

#define MESH_SUBNET_DEFAULT_WEIGHT 10
/* Longest printed subnet: IPv6 (45) + "/128" + "#-2147483648" + NUL. */
#define MESH_SUBNET_TEXT_MAX 72

struct mesh_subnet {
	enum mesh_subnet_type type;
	int prefix;		/* 0..32 / 0..128; 48 for MAC (unused) */
	int32_t weight;
	uint8_t addr[16];	/* network order; MAC uses 6, IPv4 4 bytes */
	struct mesh_node *owner;	/* NULL = broadcast (owner-less) */
	int64_t expires;	/* learned MACs only; 0 = never */
};

enum mesh_subnet_err {
	MESH_SUBNET_OK = 0,
	MESH_SUBNET_E_SYNTAX,	/* not a MAC/IPv4/IPv6 address */
	MESH_SUBNET_E_WEIGHT,	/* text after '#' not a whole int */
	MESH_SUBNET_E_PREFIX,	/* text after '/' not a whole int, < 0 or too big */
	MESH_SUBNET_E_MAC_PREFIX,	/* MAC with a prefix length */
	MESH_SUBNET_E_TOO_LONG,	/* more than 63 characters */
	MESH_SUBNET_E_HOST_BITS,	/* config only: bits set beyond prefix */
};

const char *mesh_subnet_strerror(enum mesh_subnet_err e);

/* Parse text of len bytes (GRAPH.md §5.1). Owner is set to NULL. */
enum mesh_subnet_err mesh_subnet_parse(struct mesh_subnet *s, const char *text,
				       size_t len);
/* The extra check for subnets from configuration files (§5.1). */
enum mesh_subnet_err mesh_subnet_check_host_bits(const struct mesh_subnet *s);
/* Print as tinc does (META.md §5.10). cap >= MESH_SUBNET_TEXT_MAX always
 * fits. Returns the length or -1. with_weight = false drops "#W" (the
 * SUBNET variable of scripts). */
int mesh_subnet_format(const struct mesh_subnet *s, char *buf, size_t cap,
		       bool with_weight);

/* GRAPH.md §5.2 ordering; owners compared by name, NULL equal to any.
 * mesh_subnet_cmp_noowner stops before the owner step. */
int mesh_subnet_cmp(const struct mesh_subnet *a, const struct mesh_subnet *b);
int mesh_subnet_cmp_noowner(const struct mesh_subnet *a,
			    const struct mesh_subnet *b);
/* Do the first prefix bits of addr (or all 6 bytes for MAC) match s? */
bool mesh_subnet_matches(const struct mesh_subnet *s, const uint8_t *addr);

/*
 * The subnet table: every subnet, owned or broadcast, kept in §5.2 order in
 * a skip list, so insert, delete and find cost O(log n) however a peer
 * orders its announcements (a sorted array paid a memmove per insert).
 * Entries are heap nodes: a pointer to an entry stays valid until that
 * entry is deleted. Each owner also links its own entries (node->subnets),
 * so per-node work (reachability events, send-everything, purge) does not
 * walk the whole table. The owner pointer must outlive its entries.
 */
#define MESH_SUBNET_LEVELS 24	/* 4^24 entries before the list degrades */

struct mesh_subnet_entry {
	struct mesh_subnet s;	/* first: entry pointers cast to subnets */
	struct mesh_subnet_entry *oprev, *onext;	/* same owner */
	int level;
	struct mesh_subnet_entry *next[];
};

struct mesh_subnet_table {
	struct mesh_subnet_entry *head[MESH_SUBNET_LEVELS];
	int level;		/* levels in use */
	size_t n;
	uint32_t rng;		/* level coin; not seeded by peers' input */
	uint32_t len_used[3][129];	/* entries per (type, prefix) */
};

void mesh_subnet_table_init(struct mesh_subnet_table *t);
void mesh_subnet_table_free(struct mesh_subnet_table *t);
/* Insert (false on allocation failure or if an identical subnet with the
 * same owner exists). */
bool mesh_subnet_table_add(struct mesh_subnet_table *t,
			   const struct mesh_subnet *s);
/* Remove the entry equal to s including its owner; false if absent. */
bool mesh_subnet_table_del(struct mesh_subnet_table *t,
			   const struct mesh_subnet *s);
/* The entry equal to s (same owner), or NULL. */
struct mesh_subnet *mesh_subnet_table_find(const struct mesh_subnet_table *t,
					   const struct mesh_subnet *s);
/* In-order iteration: first entry / the one after s (NULL at the end). */
const struct mesh_subnet *
mesh_subnet_table_first(const struct mesh_subnet_table *t);
const struct mesh_subnet *mesh_subnet_next(const struct mesh_subnet *s);
/* The subnets owned by n in §5.2 order, as a malloc'd array of *count
 * pointers (free() it); NULL with *count = 0 if none or out of memory. */
const struct mesh_subnet **mesh_subnet_owned(const struct mesh_node *n,
					     size_t *count);
/* Tinc's answer (§5.3) straight from the table: for each prefix length in
 * use, longest first, a O(log n) search for the matching entries. Always
 * current, so routing stays right while the LPM index waits for a rebuild. */
const struct mesh_subnet *
mesh_subnet_table_lookup(const struct mesh_subnet_table *t,
			 enum mesh_subnet_type type, const uint8_t *addr);

/* Tinc's answer (§5.3) for every distinct IPv4/IPv6 prefix in t, resolved
 * with the owners' reachability as it is now: fn gets the masked prefix
 * (type, addr, prefix) and the subnet a lookup returns for any address whose
 * longest match is that prefix. The data plane builds its own published
 * table from these (src/daemon/fld_snap.c). false on allocation failure. */
typedef void mesh_subnet_resolved_fn(void *ctx, enum mesh_subnet_type type,
				     const uint8_t addr[16], int prefix,
				     const struct mesh_subnet *answer);
bool mesh_subnet_resolve_each(const struct mesh_subnet_table *t,
			      mesh_subnet_resolved_fn *fn, void *ctx);

/*
 * Lookup interface. lookup() answers which subnet owns addr by tinc's rules
 * (GRAPH.md §5.3): walk matching subnets in order; stop at the first with no
 * owner or a reachable owner; else return the last match. NULL = no subnet.
 * An index is built from a table and must be rebuilt (or refreshed) when the
 * table or reachability changes; the ordered-list index below reads the table
 * directly, so it needs no rebuild.
 */
struct mesh_subnet_index {
	const struct mesh_subnet *(*lookup)(const struct mesh_subnet_index *ix,
					    enum mesh_subnet_type type,
					    const uint8_t *addr);
	const struct mesh_subnet_table *table;
	void *impl;
};

/* The reference implementation: a walk over the ordered table (O(n); for
 * tests). */
void mesh_subnet_index_init_list(struct mesh_subnet_index *ix,
				 const struct mesh_subnet_table *t);
/* The fast one (src/lpm): answers are resolved at build time from the
 * table and the owners' reachability, so rebuild it after either changes
 * (the table must not change while it is in use: it keeps pointers to
 * entries). MAC lookups use mesh_subnet_table_lookup().
 * false on allocation failure (ix unchanged). */
bool mesh_subnet_index_build_lpm(struct mesh_subnet_index *ix,
				 const struct mesh_subnet_table *t);
/* Frees an LPM index and turns ix back into a list walk over its table. */
void mesh_subnet_index_free(struct mesh_subnet_index *ix);
static inline const struct mesh_subnet *
mesh_subnet_lookup(const struct mesh_subnet_index *ix,
		   enum mesh_subnet_type type, const uint8_t *addr)
{
	return ix->lookup(ix, type, addr);
}

#endif
