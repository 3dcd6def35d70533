/* SPDX-License-Identifier: MIT */
/*
 * icmp.h: ICMP and ICMPv6 error messages the router sends back to a
 * packet's source (spec/GRAPH.md §6.4), built exactly as tinc builds them:
 * MACs swapped, fresh IP header (TTL/hop limit 255), the original IP
 * packet quoted up to 548 (IPv4) / 528 (IPv6) bytes. Pure: the caller
 * applies the 3-per-second rate limit and finds the local source address
 * for "time exceeded".
 */
#ifndef FL_WIRE_ICMP_H
#define FL_WIRE_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "wire/wire_err.h"

#define FL_ICMP_QUOTE4 548u     /* 576 - 20 - 8 */
#define FL_ICMP_QUOTE6 528u     /* 576 - 40 - 8 */
#define FL_ICMP_ERROR_MAX 590u  /* 14 + 20 + 8 + 548 = 14 + 40 + 8 + 528 */

/* ICMPv4 types and codes used by the router. */
#define FL_ICMP_DEST_UNREACH 3u
#define FL_ICMP_NET_UNREACH 0u
#define FL_ICMP_FRAG_NEEDED 4u
#define FL_ICMP_NET_UNKNOWN 6u
#define FL_ICMP_NET_ANO 9u
#define FL_ICMP_TIME_EXCEEDED 11u
#define FL_ICMP_EXC_TTL 0u

/* ICMPv6 types and codes. */
#define FL_ICMP6_DST_UNREACH 1u
#define FL_ICMP6_DST_UNREACH_NOROUTE 0u
#define FL_ICMP6_DST_UNREACH_ADMIN 1u
#define FL_ICMP6_DST_UNREACH_ADDR 3u
#define FL_ICMP6_PACKET_TOO_BIG 2u
#define FL_ICMP6_TIME_EXCEEDED 3u
#define FL_ICMP6_TIME_EXCEED_TRANSIT 0u

/* Build the error for an IPv4 frame of len >= 34 bytes. For type 3 code 4
 * the next-hop MTU is len - 14: the caller has already truncated the frame
 * to the allowed size (GRAPH.md §6.1 step 11). src4 (4 bytes) replaces the
 * reply's source address (default: the original destination). out needs
 * FL_ICMP_ERROR_MAX bytes at most and may be the frame itself (in place);
 * *outlen gets the frame length. */
enum fl_wire_err fl_icmp4_error(const uint8_t *frame, size_t len, uint8_t type, uint8_t code,
				const uint8_t *src4, uint8_t *out, size_t cap, size_t *outlen);

/* Same for an IPv6 frame of len >= 54; for type 2 the MTU is len - 14. */
enum fl_wire_err fl_icmp6_error(const uint8_t *frame, size_t len, uint8_t type, uint8_t code,
				const uint8_t *src6, uint8_t *out, size_t cap, size_t *outlen);

#endif
