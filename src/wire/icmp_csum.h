/* SPDX-License-Identifier: MIT */
/*
 * icmp_csum.h: the ICMP (RFC 792) and ICMPv6 (RFC 4443 §2.3, with the
 * RFC 8200 §8.1 pseudo-header) checksums. Computed over a message whose
 * checksum field holds zero, the result is the value to store; computed
 * over a received message as it is, the result is 0 if it is intact.
 * Pure. Callers: icmp_echo.c, icmp_err.c, src/l2/ndp.c.
 */
#ifndef FL_WIRE_ICMP_CSUM_H
#define FL_WIRE_ICMP_CSUM_H

#include <stddef.h>
#include <stdint.h>

uint16_t fl_icmp_csum4(const uint8_t *icmp, size_t len);
uint16_t fl_icmp_csum6(const uint8_t src[static 16], const uint8_t dst[static 16],
		       const uint8_t *icmp, size_t len);

#endif
