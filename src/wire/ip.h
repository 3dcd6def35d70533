/* SPDX-License-Identifier: MIT */
/*
 * ip.h: what routing needs from an internal frame (spec/GRAPH.md §6):
 * the 14-byte Ethernet-style header (zero MACs on a tun device, then the
 * ethertype) followed by an IPv4 or IPv6 packet. Also builds that header
 * in front of a bare IP packet read from the tun device or decrypted from
 * a type-0 record (spec/UDP.md §1.3 rule 6). Pure.
 */
#ifndef FL_WIRE_IP_H
#define FL_WIRE_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/pkt.h"
#include "wire/wire_err.h"

#define FL_ETHERTYPE_IPV4 0x0800u
#define FL_ETHERTYPE_IPV6 0x86DDu
#define FL_ETHERTYPE_ARP 0x0806u
#define FL_ETHERTYPE_VLAN 0x8100u

#define FL_IPV4_MIN_FRAME 34u   /* 14 + 20 */
#define FL_IPV6_MIN_FRAME 54u   /* 14 + 40 */

#define FL_IPPROTO_ICMP 1u
#define FL_IPPROTO_TCP 6u
#define FL_IPPROTO_ICMPV6 58u

struct fl_ip_info {
	uint16_t ethertype;
	uint8_t version;        /* 4 or 6 */
	uint8_t proto;          /* IPv4 protocol or IPv6 next header */
	uint8_t ttl;            /* TTL or hop limit */
	bool df;                /* IPv4 don't-fragment bit */
	uint8_t src[16];        /* IPv4 uses the first 4 bytes */
	uint8_t dst[16];
	uint8_t icmp_type;      /* first byte after a 40-byte IPv6 header or
				 * IHL-sized IPv4 header, if present (else 0) */
};

/* Parse a router-mode frame. ARP frames and other ethertypes give
 * FL_WIRE_BAD_ETHERTYPE with out->ethertype set; IPv4 needs >= 34 bytes,
 * IPv6 >= 54. Length fields inside the IP header are not required to match
 * the frame (routing, like tinc, forwards such packets unchanged). */
enum fl_wire_err fl_ip_parse_frame(const uint8_t *frame, size_t len, struct fl_ip_info *out);

/* Prepend the 14-byte header to a packet that holds a bare IP packet:
 * zero MACs, ethertype from the version nibble (4 → 0800, 6 → 86DD).
 * FL_WIRE_SHORT if empty, FL_WIRE_BAD_VERSION otherwise unknown. */
enum fl_wire_err fl_ip_push_frame_header(struct fl_pkt *p);

#endif
