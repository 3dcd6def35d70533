/* SPDX-License-Identifier: MIT */
/*
 * l2_eth.h: Ethernet frame headers as switch mode sees them (a TAP device
 * or a peer's PKT_MAC record): destination, source, ethertype, an optional
 * 802.1Q tag. Pure: no I/O. Callers: src/dataplane/dp_switch.c, the tests
 * and fuzz/l2.
 */
#ifndef FL_L2_ETH_H
#define FL_L2_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_ETH_ALEN 6u
#define FL_ETH_HDR 14u
#define FL_ETH_VLAN_HDR 18u
#define FL_ETH_P_8021Q 0x8100u
/* "xx:xx:xx:xx:xx:xx" and a NUL. */
#define FL_ETH_MAC_TEXT 18u

enum fl_eth_err {
	FL_ETH_OK = 0,
	FL_ETH_SHORT,		/* under 14 bytes, or a tag cut short */
};

struct fl_eth {
	uint8_t dst[FL_ETH_ALEN], src[FL_ETH_ALEN];
	uint16_t type;		/* ethertype after any 802.1Q tag */
	uint16_t vlan;		/* 802.1Q tag control (0: untagged) */
	size_t hlen;		/* 14, or 18 with a tag */
};

/* Parse the header of frame (len bytes). out is cleared first. */
enum fl_eth_err fl_eth_parse(const uint8_t *frame, size_t len, struct fl_eth *out);
const char *fl_eth_strerror(enum fl_eth_err e);

/* Group bit (broadcast and multicast alike). */
static inline bool fl_eth_is_group(const uint8_t mac[static FL_ETH_ALEN])
{
	return (mac[0] & 1u) != 0;
}

/* All-zero address: never a real station. */
bool fl_eth_is_zero(const uint8_t mac[static FL_ETH_ALEN]);

/* Print mac as tinc prints a MAC subnet: lower-case, colon-separated,
 * two digits each. buf holds FL_ETH_MAC_TEXT bytes. */
void fl_eth_format(const uint8_t mac[static FL_ETH_ALEN], char buf[static FL_ETH_MAC_TEXT]);

#endif
