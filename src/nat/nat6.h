/* SPDX-License-Identifier: MIT */
/* nat6.h: the userspace IPv6 NAT core (one external IPv6 address).
 *
 * The offload path translates IPv6 too: LAN hosts' IPv6 packets to
 * destinations of the offload list leave under the offload interface's one
 * IPv6 address. The rules are the IPv4 core's where they apply:
 * endpoint-independent mapping (RFC 4787 REQ-1, RFC 5382 REQ-1, RFC 5508
 * REQ-1 for ICMPv6 echo ids), port preservation when free, the same
 * timeouts and TCP state tracking, and endpoint-independent filtering.
 * Inbound ICMPv6 errors (destination unreachable, packet too big, time
 * exceeded, parameter problem) are translated with their embedded packet,
 * so path-MTU discovery and traceroute work. IPv6 has no header checksum:
 * every address change goes into the transport (or ICMPv6) checksum
 * through the pseudo-header (RFC 1624 incremental updates).
 *
 * Not translated (dropped and counted): extension headers (fragments
 * included: NAT_DROP_PROTO), outbound ICMPv6 errors and other ICMPv6
 * types (NAT_DROP_ICMP_TYPE). No hairpinning. max_per_host limits the
 * mappings of each internal IPv6 address, as the IPv4 core does
 * (NAT_DROP_HOST_LIMIT).
 *
 * Pure core like nat.h: no I/O, clock, randomness or globals; the limits
 * and timeouts come from a struct nat_config (its ext_addr, filter and
 * fragment fields are not used). One thread owns a struct nat6.
 */
#ifndef FL_NAT_NAT6_H
#define FL_NAT_NAT6_H

#include "nat/nat.h"

struct nat6;

/* Checks c's limits and timeouts (as nat_new does) and ext (not :: and not
 * multicast), allocates every table. NULL and *err on failure. */
struct nat6 *nat6_new(const struct nat_config *c, const uint8_t ext[static 16], enum nat_err *err);
void nat6_free(struct nat6 *n);

/* Translate one IPv6 packet in place; pkt holds len bytes from the IPv6
 * header (bytes past the payload length are left alone). On any verdict
 * but NAT_TRANSLATED the packet is unchanged. now: fl_time_t (µs, the daemon's clock). */
enum nat_verdict nat6_out(struct nat6 *n, uint8_t *pkt, size_t len, fl_time_t now);
enum nat_verdict nat6_in(struct nat6 *n, uint8_t *pkt, size_t len, fl_time_t now);

/* Reclaims at most budget mappings expired at now. */
void nat6_expire(struct nat6 *n, fl_time_t now, uint32_t budget);
void nat6_stats_get(const struct nat6 *n, struct nat_stats *out);
/* As nat_has_int(): does (proto, addr, port) have a mapping? */
bool nat6_has_int(const struct nat6 *n, uint8_t proto, const uint8_t addr[static 16], uint16_t port);
/* Every live mapping, for `fenliu dump nat` (nat.h, nat_each). */
void nat6_each(const struct nat6 *n, fl_time_t now, nat_entry_fn *fn, void *ctx);

#endif
