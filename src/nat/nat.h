/* SPDX-License-Identifier: MIT */
/* nat.h: the userspace IPv4 NAT (network address and port translation) core.
 *
 * One struct nat per translating egress: the offload NAT (split tunnelling,
 * LAN traffic leaves under the offload interface's address) and the LAN->VPN
 * NAT of the TAP set-up. The dataplane calls nat_out() on packets leaving
 * through the egress and nat_in() on packets arriving from it; both rewrite
 * the packet in place. Behaviour follows RFC 4787 (UDP), RFC 5382 (TCP) and
 * RFC 5508 (ICMP); checksums are updated incrementally (RFC 1624).
 *
 * Pure core: no I/O, no clock (callers pass `now`, an fl_time_t: µs on the
 * daemon's clock, wire/fl_time.h; mappings keep it as 32-bit seconds, which
 * is all the RFC timeouts need and keeps them small), no randomness (the hash seed is in the config), no
 * globals. All memory is allocated by nat_new(); the packet path never
 * allocates. A struct nat is not thread safe: one thread owns it.
 * doc/nat.md describes the design and the RFC requirement -> test table.
 */
#ifndef FL_NAT_NAT_H
#define FL_NAT_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/fl_time.h"

#define NAT_MAX_EXT 16 /* external addresses per instance */

/* Inbound filtering (RFC 4787 section 5). A mapping admits inbound packets
 * from any remote (endpoint independent), from remote addresses the internal
 * endpoint has sent to (address dependent), or from those exact remote
 * address:port pairs (address and port dependent). Each mapping remembers
 * the NAT_PEERS most recent remotes it sent to. */
enum nat_filter {
	NAT_FILTER_ENDPOINT = 0,
	NAT_FILTER_ADDRESS,
	NAT_FILTER_ADDRESS_PORT,
};

struct nat_config {
	uint32_t ext_addr[NAT_MAX_EXT]; /* network byte order */
	unsigned n_ext;                 /* 1..NAT_MAX_EXT */
	uint16_t port_min, port_max;    /* TCP/UDP external ports, host order */
	uint16_t id_min, id_max;        /* ICMP query identifiers */
	uint32_t max_mappings;          /* pool size, 1..NAT_MAX_MAPPINGS */
	uint32_t max_per_host;          /* mappings per internal address */
	uint32_t max_frags;             /* fragment trains remembered */
	uint32_t udp_timeout;           /* seconds; also UDP-Lite */
	uint32_t tcp_est_timeout;       /* established TCP */
	uint32_t tcp_trans_timeout;     /* TCP opening, closing or reset */
	uint32_t icmp_timeout;          /* ICMP query mappings */
	uint32_t frag_timeout;          /* later fragments follow the first this long */
	enum nat_filter filter;
	bool inbound_refresh;           /* inbound UDP/ICMP packets refresh the timer */
	uint64_t seed;                  /* hash seed, from the caller's RNG */
};

#define NAT_MAX_MAPPINGS ((1u << 26) - 2)
#define NAT_MAX_TIMEOUT (7u * 24 * 3600)

/* What happened to a packet. Anything from NAT_DROP_TRUNCATED on is a drop
 * reason; every verdict is counted in struct nat_stats. On any verdict but
 * NAT_TRANSLATED and NAT_HAIRPIN the packet bytes are unchanged. */
enum nat_verdict {
	NAT_TRANSLATED = 0, /* rewritten; send it on */
	NAT_HAIRPIN,        /* outbound packet to one of our external mappings:
	                       rewritten both ways, send it back inside */
	NAT_NOT_OURS,       /* inbound: destination is not an external address */
	NAT_NO_MAPPING,     /* no mapping matches (the caller may handle it as
	                       its own, e.g. answer an echo request or a SYN) */
	NAT_DROP_TRUNCATED, /* fewer bytes than the headers need */
	NAT_DROP_BAD_IP,    /* version, IHL or total length wrong */
	NAT_DROP_BAD_L4,    /* TCP data offset, UDP length, tiny first fragment */
	NAT_DROP_PROTO,     /* IP protocol not translated */
	NAT_DROP_ICMP_TYPE, /* ICMP type not translated */
	NAT_DROP_ICMP_BAD,  /* ICMP error whose embedded packet is bogus */
	NAT_DROP_TCP_NO_SYN,/* outbound TCP without mapping and not a SYN */
	NAT_DROP_FILTERED,  /* inbound from a remote the filter does not admit */
	NAT_DROP_TABLE_FULL,/* max_mappings reached */
	NAT_DROP_HOST_LIMIT,/* max_per_host reached */
	NAT_DROP_NO_PORT,   /* no free external port/id found */
	NAT_DROP_FRAG_UNKNOWN, /* later fragment whose first was not seen */
	NAT_VERDICT_COUNT
};

struct nat_stats {
	uint64_t verdict[NAT_VERDICT_COUNT];
	uint64_t created;      /* mappings created */
	uint64_t expired;      /* mappings reclaimed */
	uint64_t frag_evicted; /* fragment trains forgotten early (cache full) */
	uint32_t active;       /* mappings now */
	uint32_t hosts;        /* internal addresses with mappings now */
	size_t memory;         /* bytes allocated by nat_new */
};

enum nat_err {
	NAT_OK = 0,
	NAT_ERR_N_EXT,
	NAT_ERR_EXT_ADDR,
	NAT_ERR_PORT_RANGE,
	NAT_ERR_ID_RANGE,
	NAT_ERR_MAX_MAPPINGS,
	NAT_ERR_MAX_PER_HOST,
	NAT_ERR_TIMEOUT,
	NAT_ERR_FILTER,
	NAT_ERR_NOMEM,
};

struct nat;

/* Fills *c with the defaults: one external address 0 (must be set), ports
 * 1024-65535, ids 0-65535, 65536 mappings, 4096 per host, UDP 120 s, TCP
 * established 7440 s, transitory 240 s, ICMP 60 s, fragments 30 s,
 * address-dependent filtering, inbound refresh on. */
void nat_config_defaults(struct nat_config *c);

/* Checks the config and allocates every table. Returns NULL and sets *err. */
struct nat *nat_new(const struct nat_config *c, enum nat_err *err);
void nat_free(struct nat *n);
const char *nat_strerror(enum nat_err e);
const char *nat_verdict_str(enum nat_verdict v);

/* Translate one IPv4 packet in place. `pkt` holds `len` bytes starting at
 * the IP header; bytes past the IP total length (link padding) are left
 * alone. `now` must not go backwards by much. */
enum nat_verdict nat_out(struct nat *n, uint8_t *pkt, size_t len, fl_time_t now);
enum nat_verdict nat_in(struct nat *n, uint8_t *pkt, size_t len, fl_time_t now);

/* The same for `count` packets, verdicts in v[]: lookups for later packets
 * are prefetched while earlier ones are translated, which is much faster
 * once the tables outgrow the caches. Use these on the packet path. The
 * packets must be distinct buffers (keys are hashed before any is
 * rewritten). */
void nat_out_batch(struct nat *n, uint8_t *const pkt[], const size_t len[], size_t count,
                   fl_time_t now, enum nat_verdict v[]);
void nat_in_batch(struct nat *n, uint8_t *const pkt[], const size_t len[], size_t count,
                  fl_time_t now, enum nat_verdict v[]);

/* Reclaims mappings expired at `now`, at most `budget` of them (the packet
 * calls reclaim a few each; a timer may call this with a large budget). */
void nat_expire(struct nat *n, fl_time_t now, uint32_t budget);

void nat_stats_get(const struct nat *n, struct nat_stats *out);

/* Whether the internal endpoint (proto, addr, port; raw network order) has
 * a mapping: lets a caller keep an established flow on the NAT's path after
 * its routing decision changed. No side effects. */
bool nat_has_int(const struct nat *n, uint8_t proto, uint32_t addr, uint16_t port);

/* Static port forwards (VPNNat's PortForward; nat_forward.c). An inbound
 * TCP SYN or UDP/UDP-Lite packet to any external address at ext_port that
 * matches no mapping is translated to int_addr:int_port and creates an
 * ordinary mapping for that internal endpoint, so replies translate back.
 * The internal endpoint of a forward always maps to the forward's port
 * (also when it speaks first), forwarded ports are never handed out to
 * other flows, any remote may use a forward (no filtering), and the
 * mapping limits still apply. IPv4 only. Control thread (the owner of n). */
#define NAT_MAX_FORWARDS 256

enum nat_fwd_err {
	NAT_FWD_OK = 0,
	NAT_FWD_PROTO,    /* not TCP, UDP or UDP-Lite */
	NAT_FWD_PORT,     /* a port is 0 */
	NAT_FWD_ADDR,     /* internal address 0, broadcast or one of ours */
	NAT_FWD_DUP,      /* the external port is forwarded already */
	NAT_FWD_TARGET,   /* the internal endpoint is forwarded already */
	NAT_FWD_FULL,     /* NAT_MAX_FORWARDS reached */
	NAT_FWD_NOT_FOUND,
};

/* Adds a forward (addresses and ports in network order, as in packets).
 * Live mappings that would contradict it (another flow on ext_port, or
 * the internal endpoint mapped to another port) are dropped. */
enum nat_fwd_err nat_forward_add(struct nat *n, uint8_t proto, uint16_t ext_port,
                                 uint32_t int_addr, uint16_t int_port);
/* Removes a forward and the mappings made through it, so a reload that
 * drops a PortForward closes it at once. */
enum nat_fwd_err nat_forward_remove(struct nat *n, uint8_t proto, uint16_t ext_port);
/* Removes every forward (and their mappings). */
void nat_forward_clear(struct nat *n);
size_t nat_forward_count(const struct nat *n);
const char *nat_fwd_strerror(enum nat_fwd_err e);

/* One live mapping as `fenliu dump nat` shows it. Addresses in network
 * order (IPv4: the first 4 bytes), ports and ids in host order. */
struct nat_entry {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;  /* 6 TCP, 17 UDP, 136 UDP-Lite, 1 ICMP, 58 ICMPv6 */
	uint8_t int_addr[16], ext_addr[16];
	uint16_t int_port, ext_port;
	uint32_t idle;    /* seconds since the last packet that refreshed it */
	uint32_t expires; /* seconds until it may be reclaimed */
	const char *state; /* "active"; TCP: "opening", "established", "closing" */
};
typedef void nat_entry_fn(void *ctx, const struct nat_entry *e);

/* Calls fn for every live mapping (pool order). Control thread: the owner
 * of n; O(max_mappings), for the control socket only. */
void nat_each(const struct nat *n, fl_time_t now, nat_entry_fn *fn, void *ctx);

#endif
