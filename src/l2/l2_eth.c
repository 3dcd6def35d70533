/* SPDX-License-Identifier: MIT */
/*
 * l2_eth.c: Ethernet header parsing and MAC helpers (see l2_eth.h).
 */
#include "l2/l2_eth.h"

#include <stdio.h>
#include <string.h>

enum fl_eth_err fl_eth_parse(const uint8_t *frame, size_t len, struct fl_eth *out)
{
	memset(out, 0, sizeof(*out));
	if (len < FL_ETH_HDR)
		return FL_ETH_SHORT;
	memcpy(out->dst, frame, FL_ETH_ALEN);
	memcpy(out->src, frame + FL_ETH_ALEN, FL_ETH_ALEN);
	out->type = (uint16_t)(frame[12] << 8 | frame[13]);
	out->hlen = FL_ETH_HDR;
	if (out->type != FL_ETH_P_8021Q)
		return FL_ETH_OK;
	/* A tag needs its 4 bytes: control word, then the inner type. */
	if (len - FL_ETH_HDR < FL_ETH_VLAN_HDR - FL_ETH_HDR) {
		memset(out, 0, sizeof(*out));
		return FL_ETH_SHORT;
	}
	out->vlan = (uint16_t)(frame[14] << 8 | frame[15]);
	out->type = (uint16_t)(frame[16] << 8 | frame[17]);
	out->hlen = FL_ETH_VLAN_HDR;
	return FL_ETH_OK;
}

const char *fl_eth_strerror(enum fl_eth_err e)
{
	switch (e) {
	case FL_ETH_OK:
		return "ok";
	case FL_ETH_SHORT:
		return "frame shorter than its Ethernet header";
	}
	return "unknown error";
}

bool fl_eth_is_zero(const uint8_t mac[static FL_ETH_ALEN])
{
	static const uint8_t zero[FL_ETH_ALEN];
	return memcmp(mac, zero, FL_ETH_ALEN) == 0;
}

void fl_eth_format(const uint8_t mac[static FL_ETH_ALEN], char buf[static FL_ETH_MAC_TEXT])
{
	snprintf(buf, FL_ETH_MAC_TEXT, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
}
