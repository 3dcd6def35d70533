/* SPDX-License-Identifier: MIT */
/*
 * icmp_echo.h: echo replies (RFC 792, RFC 1122 §3.2.2.6; RFC 4443 §4.2)
 * for pings to the router's own addresses. The caller has checked that
 * the destination is one of ours; these check the rest (an intact echo
 * request from a single host, not a fragment) and build the reply with
 * the MACs and addresses swapped and the data returned unmodified. IPv4
 * options are not reflected (RFC 1122 only says SHOULD). Pure. Callers:
 * the TAP router (next), tests/wire/test_icmp_gen.c, fuzz/wire.
 */
#ifndef FL_WIRE_ICMP_ECHO_H
#define FL_WIRE_ICMP_ECHO_H

#include <stddef.h>
#include <stdint.h>

#include "wire/icmp_err.h"

/* Reply to the IPv4 echo request in frame (len bytes, Ethernet padding
 * allowed). out (cap bytes; never more than len needed) may be frame
 * itself; *outlen gets the reply's length. */
enum fl_icmp_res fl_icmp_echo4(const uint8_t *frame, size_t len, uint8_t *out, size_t cap,
			       size_t *outlen);

/* The same for an IPv6 echo request (ICMPv6 right after the IPv6 header). */
enum fl_icmp_res fl_icmp_echo6(const uint8_t *frame, size_t len, uint8_t *out, size_t cap,
			       size_t *outlen);

#endif
