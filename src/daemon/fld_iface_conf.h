/* SPDX-License-Identifier: MIT */
/*
 * fld_iface_conf.h: the TAP router's `interfaces/NAME` files (issue 19,
 * fenliu.conf(5)): one file per extra interface, tinc syntax, beside
 * hosts/ (a stock tinc ignores the folder). Variables:
 *
 *   Role        = lan | offload | local    (required)
 *   DeviceType  = tun | tap                (offload only; default tun)
 *   Gateway     = ADDR                     (offload TAP: required, one per family)
 *   Device      = /dev/net/tun             (optional)
 *   MACAddress  = 02:..                    (optional; default derived)
 *   Address     = ADDR/LEN | dhcp | slaac  (repeatable; dhcp, slaac at most once)
 *   VPNNat      = ADDR                     (optional)
 *   PortForward = tcp|udp PORT LANHOST:PORT (repeatable; needs VPNNat)
 *
 * Pure: text in (ptr, len), struct out, errors "FILE:LINE: ..." to the
 * reporter. Callers: fld_lan.c (start, reload), tests/daemon/test_iface_conf.c.
 */
#ifndef FL_DAEMON_FLD_IFACE_CONF_H
#define FL_DAEMON_FLD_IFACE_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

#define FLD_IFACE_NAME_MAX 15u	/* IFNAMSIZ - 1 */
#define FLD_IFACE_ADDR_MAX 8u	/* static addresses per interface (the ARP/NDP cores' limit) */
#define FLD_IFACE_FWD_MAX 64u

enum fld_iface_role {
	FLD_IFACE_LAN = 1,
	FLD_IFACE_OFFLOAD = 2,	/* the split tunnel's device (fld_offload.c) */
	FLD_IFACE_LOCAL = 3,	/* our TUN, tinc's Interface (fld_local_iface.c) */
};

struct fld_iface_addr {
	uint8_t family;		/* 4 or 6 */
	uint8_t plen;
	uint8_t ip[16];		/* IPv4 in the first 4 bytes */
	int line;		/* where it was written, for messages */
};

struct fld_iface_fwd {
	uint8_t proto;		/* 6 tcp, 17 udp */
	uint8_t family;		/* of host: 4 or 6 */
	uint16_t port;		/* on the VPNNat address */
	uint16_t host_port;
	uint8_t host[16];	/* the LAN host */
};

struct fld_iface_conf {
	char name[FLD_IFACE_NAME_MAX + 1];
	enum fld_iface_role role;
	char device[256];	/* "" : the default (/dev/net/tun) */
	bool has_mac;
	uint8_t mac[6];
	struct fld_iface_addr addr[FLD_IFACE_ADDR_MAX];
	size_t n_addr;
	bool dhcp;		/* Address = dhcp (fld_lan_dhcp.c) */
	bool slaac;		/* Address = slaac: IPv6 from the LAN's RAs (fld_lan_l2.c) */
	bool has_vpnnat;
	uint8_t vpnnat_family;
	uint8_t vpnnat[16];
	struct fld_iface_fwd fwd[FLD_IFACE_FWD_MAX];
	size_t n_fwd;
	/* Role = offload only. */
	bool tap;		/* DeviceType = tap */
	bool has_gw4, has_gw6;	/* Gateway, per family: the next hop on a TAP */
	uint8_t gw4[4], gw6[16];
};

/* NAME as a file and device name: [A-Za-z0-9_], 1..15 characters. */
bool fld_iface_name_ok(const char *name);

/* Parses the text (buf, len) of interfaces/NAME, named `file` in
 * messages, into *out (cleared first; out->name = name). Every error
 * names FILE:LINE, the variable and the value and goes to r; unknown
 * variables are errors too (a typo must not silently turn a feature
 * off). 0, or -1 after at least one error. */
int fld_iface_conf_parse(const char *file, const char *name, const char *buf, size_t len,
			 const struct fl_conf_reporter *r, struct fld_iface_conf *out);

/* The default MAC of interface ifname on node `node`: locally
 * administered, unicast, stable across restarts (a hash of both names),
 * so LAN hosts' ARP caches stay right when the daemon restarts. */
void fld_iface_default_mac(const char *node, const char *ifname, uint8_t mac[static 6]);

#endif
