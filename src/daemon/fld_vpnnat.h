/* SPDX-License-Identifier: MIT */
/* fld_vpnnat.h: the LAN->VPN NAT of a `lan` interface (VPNNat and
 * PortForward in interfaces/NAME, doc/nat.md "VPNNat"): LAN sources going
 * into the mesh leave under one VPN address, replies are de-aliased back to
 * the LAN host, and port forwards let the mesh reach LAN hosts. One
 * instance per lan interface, a second user of src/nat beside the offload
 * NAT (DESIGN.md "Tables"). Control thread only (the data path runs
 * there). The variables are parsed by fld_vpnnat_conf.c.
 */
#ifndef FL_DAEMON_FLD_VPNNAT_H
#define FL_DAEMON_FLD_VPNNAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "conf/conf_settings.h"
#include "nat/nat.h"

struct fld;
struct fld_iface_conf;

/* One PortForward line; addresses and ports in network order. */
struct fld_vpnnat_fwd {
	uint8_t proto; /* 6 or 17 */
	uint16_t ext_port, int_port;
	uint32_t int_addr;
};

/* An IPv4 prefix of the interface (its static Address lines). */
struct fld_vpnnat_prefix {
	uint32_t addr; /* network order */
	uint8_t len;   /* 0..32 */
};

struct fld_vpnnat_conf {
	bool on;        /* VPNNat present */
	uint32_t addr;  /* VPNNat, network order */
	struct fld_vpnnat_fwd *fwd;
	size_t n_fwd;
};

/* Reads VPNNat and PortForward from the tree c of one interfaces/NAME file
 * into *out (cleared first). VPNNat must be a unicast IPv4 address inside
 * one of `subnets` (our hosts/ Subnet lines, as written); PortForward
 * needs VPNNat, and its LANHOST must lie inside one of the interface's
 * prefixes pfx (unchecked when n_pfx is 0: Address = dhcp) and not be the
 * interface's own address. Errors name FILE:LINE, the value and what was
 * expected, and go to r. 0, or -1 after at least one error (out freed). */
int fld_vpnnat_conf_parse(struct fl_conf *c, const struct fl_strv *subnets,
			  const struct fld_vpnnat_prefix *pfx, size_t n_pfx,
			  const struct fl_conf_reporter *r, struct fld_vpnnat_conf *out);
/* The same from the text (buf, len) of the file named `file`, for callers
 * that hold the file rather than a tree (fld_iface_conf.c's). */
int fld_vpnnat_conf_parse_text(const char *file, const char *buf, size_t len,
			       const struct fl_strv *subnets, const struct fld_vpnnat_prefix *pfx,
			       size_t n_pfx, const struct fl_conf_reporter *r,
			       struct fld_vpnnat_conf *out);
void fld_vpnnat_conf_free(struct fld_vpnnat_conf *c);

struct fld_vpnnat;

/* Creates the NAT of interface `ifname` with c's address and forwards and
 * lists it in d (for the tick, the dumps and the counters). NULL (logged)
 * if c is off or on failure. */
struct fld_vpnnat *fld_vpnnat_new(struct fld *d, const char *ifname, const struct fld_vpnnat_conf *c);
/* Reload: the forwards become c's (removed or changed ones close at once,
 * their mappings dropped); other mappings survive. A changed VPNNat
 * address starts a fresh NAT. 0, or -1 (logged): c is off (the caller
 * frees v), the new NAT could not be made (the old one stays), or a
 * forward could not be added (the others apply). */
int fld_vpnnat_reload(struct fld *d, struct fld_vpnnat *v, const struct fld_vpnnat_conf *c);
/* Unlists and frees v (NULL is fine). */
void fld_vpnnat_free(struct fld *d, struct fld_vpnnat *v);

/* For fld_lan.c: with VPNNat in ic, reads interfaces/NAME's VPNNat and
 * PortForward lines (checked against our Subnets and ic's prefixes, errors
 * FILE:LINE) and makes *out; without, *out = NULL. 0, or -1 (logged). */
int fld_vpnnat_open(struct fld *d, const struct fld_iface_conf *ic, struct fld_vpnnat **out);
/* Reload of interfaces/NAME (ic the new settings, VPNNat still present):
 * the forwards become the file's. 0, or -1 (logged; old forwards kept if
 * the file is wrong). */
int fld_vpnnat_reload_iface(struct fld *d, struct fld_vpnnat *v, const struct fld_iface_conf *ic);

/* LAN -> mesh, before the dataplane sees the packet: an IPv4 source
 * becomes the VPNNat address, in place. false: drop it (counted). IPv6
 * passes unchanged. A packet to the VPNNat address itself that matches a
 * mapping or a forward comes back true with its destination rewritten to
 * that LAN host (hairpin): the caller sends it back onto the LAN. */
bool fld_vpnnat_out(struct fld_vpnnat *v, uint8_t *ip, size_t len, uint64_t now_us);
/* Mesh -> us (device_write), before the LAN-prefix check: a packet to the
 * VPNNat address is de-aliased to the LAN host, in place. true: deliver
 * it as usual (translated, not for the VPNNat address, or an echo request
 * to it, which is ours to answer); false: drop it (counted). */
bool fld_vpnnat_in(struct fld_vpnnat *v, uint8_t *ip, size_t len, uint64_t now_us);

/* Once a second (fld_loop.c): reclaim expired mappings of every VPNNat. */
void fld_vpnnat_tick(struct fld *d);

/* `fenliu dump nat`: one line per mapping, "lan IFNAME PROTO INT EXT idle
 * N expires N STATE", then the counters as "lan IFNAME ...". */
typedef void fld_vpnnat_line_fn(void *sink, const char *line);
void fld_vpnnat_dump_nat(struct fld *d, fld_vpnnat_line_fn *emit, void *sink);
/* `fenliu dump stats`: scope "vpnnat", summed over the interfaces. */
typedef void fld_vpnnat_stat_fn(void *sink, const char *scope, const char *name,
				unsigned long long value);
void fld_vpnnat_stats(struct fld *d, fld_vpnnat_stat_fn *emit, void *sink);

#endif
