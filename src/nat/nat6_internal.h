/* SPDX-License-Identifier: MIT */
/* nat6_internal.h: the IPv6 NAT's private state, shared by nat6.c (tables,
 * expiry, listing) and nat6_xlate.c (packets), and by nobody else.
 *
 * Mappings sit in a pool allocated once. Two chained hash tables index
 * them by (proto, internal address, port) and (proto, external port). Each
 * timeout class (UDP, TCP established, TCP transitory, ICMPv6) keeps its
 * mappings on a list in order of expiry: within a class every refresh adds
 * the same timeout, so moving a refreshed mapping to the tail keeps the
 * list sorted, and expiry only ever looks at list heads (O(1), no scans).
 * A third chained table counts the mappings of each internal address for
 * max_per_host; its slots come from a pool of max_mappings (worst case:
 * one host per mapping), so creating a mapping never fails for want of
 * one.
 */
#ifndef FL_NAT_NAT6_INTERNAL_H
#define FL_NAT_NAT6_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "nat/nat6.h"

#define NAT6_NIL UINT32_MAX
#define NAT6_PROTO_TCP 6
#define NAT6_PROTO_UDP 17
#define NAT6_PROTO_ICMP 58

enum { NAT6_CLS_UDP, NAT6_CLS_TCP_EST, NAT6_CLS_TCP_TRANS, NAT6_CLS_ICMP, NAT6_CLS_N };

struct nat6_map {
	uint8_t int_addr[16];
	uint16_t int_port, ext_port; /* raw network order */
	uint8_t proto, tcp, cls, live;
	uint32_t expire;             /* alive while now < expire */
	uint32_t lnext, lprev;       /* class list (or free list in lnext) */
	uint32_t inext, enext;       /* hash chains */
};

struct nat6_host {
	uint8_t addr[16];
	uint32_t count;              /* live mappings of addr */
	uint32_t next;               /* hash chain, or free list */
};

struct nat6 {
	struct nat_config cfg;
	uint8_t ext[16];
	struct nat6_map *map;
	uint32_t *int_head, *ext_head; /* hash chains' heads */
	struct nat6_host *host;        /* max_mappings slots */
	uint32_t *host_head, host_free, n_hosts;
	uint32_t hmask;
	uint32_t free_head, n_active;
	uint32_t head[NAT6_CLS_N], tail[NAT6_CLS_N];
	uint64_t seed;
	size_t memory;
	struct nat_stats st;
};

/* nat6.c */
uint32_t nat6_find_int(const struct nat6 *n, uint8_t proto, const uint8_t addr[16], uint16_t port);
uint32_t nat6_find_ext(const struct nat6 *n, uint8_t proto, uint16_t port);
/* Creates a mapping; NAT6_NIL and *v (table full, no port) on failure. */
uint32_t nat6_create(struct nat6 *n, uint8_t proto, const uint8_t addr[16], uint16_t port,
                     uint32_t now, enum nat_verdict *v);
/* Sets the timeout class from the TCP flags and refreshes the expiry. */
void nat6_refresh(struct nat6 *n, uint32_t i, uint32_t now);
/* Packet-path expiry: a few heads per call. */
void nat6_poll(struct nat6 *n, uint32_t now);

#endif
