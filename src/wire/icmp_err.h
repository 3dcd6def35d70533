/* SPDX-License-Identifier: MIT */
/*
 * icmp_err.h: the ICMP and ICMPv6 errors a router owes a packet's source,
 * built as the RFCs ask (not as tinc does, which icmp.c copies for the
 * mesh's router mode): destination unreachable (net/host, fragmentation
 * needed with the next-hop MTU), time exceeded, and for IPv6 (RFC 4443)
 * destination unreachable, packet too big and time exceeded.
 *
 *  - quote as much of the offending packet as fits: the error stays
 *    within 576 bytes for IPv4 (RFC 1812 §4.3.2.3) and 1280 for IPv6
 *    (RFC 4443 §2.4(c));
 *  - never answer (RFC 1812 §4.3.2.7, RFC 1122 §3.2.2, RFC 4443 §2.4(e)):
 *    an ICMP error, a fragment other than the first, a packet sent to a
 *    link-layer or IP broadcast/multicast address (IPv6: except packet
 *    too big), a packet whose source is not one host;
 *  - rate-limit: the caller asks icmp_rate.h first.
 *
 * Frames are Ethernet-framed (the TAP router's, or router mode's 14-byte
 * header with zero MACs); the reply swaps the MACs. Pure. Callers: the
 * TAP router (next), tests/wire/test_icmp_gen.c, fuzz/wire/fuzz_icmp_gen.c.
 */
#ifndef FL_WIRE_ICMP_ERR_H
#define FL_WIRE_ICMP_ERR_H

#include <stddef.h>
#include <stdint.h>

#define FL_ICMP_ERR_QUOTE4 548u		/* 576 - 20 - 8 */
#define FL_ICMP_ERR_QUOTE6 1232u	/* 1280 - 40 - 8 */
#define FL_ICMP_ERR_FRAME4 590u		/* 14 + 576 */
#define FL_ICMP_ERR_FRAME6 1294u	/* 14 + 1280 */
#define FL_ICMP_ERR_TTL 64u		/* TTL / hop limit of what we originate */

/* Types and codes the TAP router sends (icmp.h names the rest). */
#define FL_ICMP_T_UNREACH 3u
#define FL_ICMP_C_NET 0u
#define FL_ICMP_C_HOST 1u
#define FL_ICMP_C_FRAG_NEEDED 4u
#define FL_ICMP_T_TIME_EXCEEDED 11u
#define FL_ICMP6_T_UNREACH 1u
#define FL_ICMP6_C_NOROUTE 0u
#define FL_ICMP6_C_ADDR 3u
#define FL_ICMP6_T_TOO_BIG 2u
#define FL_ICMP6_T_TIME_EXCEEDED 3u

/* Why a message was not built (and the echo builders' reasons too). */
enum fl_icmp_res {
	FL_ICMP_OK = 0,
	FL_ICMP_SHORT,		/* no whole IP header */
	FL_ICMP_BAD_HEADER,	/* ethertype, version, IHL or length fields */
	FL_ICMP_NO_ROOM,	/* output buffer too small */
	FL_ICMP_ABOUT_ERROR,	/* the packet is itself an ICMP error */
	FL_ICMP_FRAGMENT,	/* a fragment (errors: not the first) */
	FL_ICMP_GROUP_DST,	/* sent to broadcast or multicast */
	FL_ICMP_BAD_SOURCE,	/* its source names no single host */
	FL_ICMP_NOT_ECHO,	/* echo: not an echo request */
	FL_ICMP_BAD_CSUM,	/* echo: checksum mismatch */
	FL_ICMP_EXT_HEADERS,	/* echo: ICMPv6 behind extension headers */
	FL_ICMP_RES_MAX
};

const char *fl_icmp_strerror(enum fl_icmp_res r);

/* An IPv4 error of type/code about frame (len bytes), from our address
 * src (the interface the error leaves by, RFC 1812 §4.3.2.4). mtu is the
 * next-hop MTU for type 3 code 4, else ignored. out (cap bytes; at most
 * FL_ICMP_ERR_FRAME4 needed) may be frame itself; *outlen gets the length.
 * A directed broadcast of a subnet is the caller's to recognise. */
enum fl_icmp_res fl_icmp_err4(const uint8_t *frame, size_t len, uint8_t type, uint8_t code,
			      uint16_t mtu, const uint8_t src[static 4], uint8_t *out, size_t cap,
			      size_t *outlen);

/* The same for IPv6; mtu is packet too big's MTU (type 2), else ignored.
 * Needs at most FL_ICMP_ERR_FRAME6 bytes. */
enum fl_icmp_res fl_icmp_err6(const uint8_t *frame, size_t len, uint8_t type, uint8_t code,
			      uint32_t mtu, const uint8_t src[static 16], uint8_t *out, size_t cap,
			      size_t *outlen);

#endif
