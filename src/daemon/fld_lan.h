/* SPDX-License-Identifier: MIT */
/*
 * fld_lan.h: the TAP router's `lan` interfaces (issue 19): fenliud as a
 * LAN's gateway on a TAP device, speaking ARP, NDP and ICMP itself and
 * routing IP between the LAN and the mesh. Three files, control thread
 * only:
 *   fld_lan.c        interfaces/ files, device, scripts, read loop,
 *                    start/reload/stop, tick, dumps and counters
 *   fld_lan_l2.c     ARP/NDP glue (src/l2), our addresses, ICMP echo and
 *                    the ICMP errors we originate (src/wire/icmp_*)
 *   fld_lan_route.c  LAN frames into the dataplane as if from the TUN,
 *                    and the device_write split (mesh -> LAN prefixes)
 * The configuration parser is fld_iface_conf.c.
 */
#ifndef FL_DAEMON_FLD_LAN_H
#define FL_DAEMON_FLD_LAN_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "control/ctl_server.h"
#include "daemon/fld_iface_conf.h"
#include "io/loop.h"
#include "io/tun.h"
#include "l2/arp.h"
#include "l2/ndp.h"
#include "l2/slaac.h"
#include "wire/icmp_rate.h"
#include "wire/pkt.h"

struct fld;

#define FLD_LAN_DEFER_MAX 32u
#define FLD_LAN_DYN_MAX 4u	/* addresses set at run time (a DHCP lease) */

/* Counters of one interface (`fenliu dump stats`, scope lan.NAME). */
struct fld_lan_stats {
	uint64_t rx_frames, tx_frames;
	uint64_t arp_in, arp_out, arp_drops;
	uint64_t ndp_in, ndp_out, ndp_drops;
	uint64_t icmp_echo, icmp_sent, icmp_ratelimited;
	uint64_t to_mesh, from_mesh;	/* IP routed LAN -> dataplane / dataplane -> LAN */
	uint64_t not_for_us;		/* unicast frames to another MAC (bridge flooding) */
	uint64_t ignored;		/* multicast IP, other ethertypes, VLAN tags */
	uint64_t local_drops;		/* to our address but not echo, or a bad echo */
	uint64_t unresolved;		/* next hop negative or table full */
	uint64_t write_errors;
};

struct fld_lan {
	struct fld_lan *next;
	struct fld *d;
	struct fld_iface_conf conf;
	int fd;
	uint8_t *gso_buf;	/* set: the TAP has TCP offload (io/tun.h), reads are bursts */
	struct fl_tun_gro gro;	/* then its write-side coalescing, flushed per batch */
	char ifname[IFNAMSIZ];
	uint8_t mac[6];
	struct fl_arp arp;
	struct fl_ndp ndp;
	bool has4, has6;	/* an address of that family (ARP / NDP running) */
	struct fl_icmp_rate echo_rate, err_rate;
	struct fl_timer timer;	/* ARP/NDP timers, every 100 ms */
	struct fl_l2_sink sink;	/* what the cores act through: fld_lan_l2.c */
	unsigned held;		/* packets the caches hold for resolution, all entries */
	/* Answers bound for the mesh (pings to our LAN address from there,
	 * ICMP errors about mesh packets), made inside device_write and fed
	 * to the dataplane at the end of the batch (fld_lan_flush), never
	 * from inside its own write. */
	struct fl_pkt *defer[FLD_LAN_DEFER_MAX];
	unsigned n_defer;
	/* Addresses from fld_lan_addr_add (DHCP): kept across reloads. */
	struct fld_iface_addr dyn[FLD_LAN_DYN_MAX];
	size_t n_dyn;
	/* Address = dhcp (fld_lan_dhcp.c): offered every IPv4 UDP frame to
	 * port 68 before routing; true = taken. NULL: none. */
	bool (*dhcp_in)(struct fld_lan *l, struct fl_pkt *p);
	void *dhcp;
	/* Address = slaac: addresses from the LAN's RAs (fld_lan_l2.c), held
	 * as run-time addresses (dyn). */
	struct fl_slaac slaac;
	struct fld_lan_stats st;
	struct fld_vpnnat *vpnnat;	/* fld_vpnnat.c; NULL: no VPNNat */
};

/* fld_lan.c */
/* Start-up, after the VPN device and the dataplane: every interfaces/NAME
 * with Role = lan gets its TAP, addresses, NAME-up. 0 (also with none),
 * -1 on a fatal error (logged). */
int fld_lan_start(struct fld *d);
/* Reload: re-reads the files; address changes are applied, a changed
 * Device, MACAddress or Role and new or removed files are logged as
 * needing a restart. */
int fld_lan_reload(struct fld *d);
void fld_lan_stop(struct fld *d);
/* The first interfaces/NAME of that role into *out: 1, 0 (none), or -1
 * (a file did not parse: logged). */
int fld_lan_find_role(struct fld *d, enum fld_iface_role role, struct fld_iface_conf *out);
/* Opens the interface of c (Role = lan, or an offload TAP for
 * fld_offload.c) and puts it first on d->lan. 0 or -1 (logged). */
int fld_lan_open(struct fld *d, const struct fld_iface_conf *c);
/* An offload TAP's frames to a gateway: resolves gw (family version) and
 * sends p (Ethernet header in front of the IP packet), or queues it while
 * the gateway is pending; dropped and counted if it does not answer. */
void fld_lan_gateway_out(struct fld_lan *l, struct fl_pkt *p, int version, const uint8_t *gw);
/* Run interfaces/NAME-WHAT (WHAT = up or down) as tinc-up runs, with
 * INTERFACE=NAME and DEVICE for this interface and the extra NULL-ended
 * vars (ROLE=..., ADDRESS=...); the VPN device's environment afterwards. */
void fld_lan_run_script(struct fld_lan *l, const char *what, const char *const *vars);
/* The running lan interface of that name (interfaces/NAME), or NULL. */
struct fld_lan *fld_lan_find(struct fld *d, const char *name);
/* `fenliu dump neighbours` and the counters of `fenliu dump stats`. */
void fld_lan_dump_neighbours(struct fld *d, fl_ctl_line_fn *emit, void *sink);
void fld_lan_stats(struct fld *d, fl_ctl_stat_fn *emit, void *sink);
/* Write one whole frame to the TAP (after what the coalescing buffer
 * holds, so nothing is reordered); counted. */
void fld_lan_xmit(struct fld_lan *l, const uint8_t *frame, size_t len);
/* A frame for the TAP that TCP coalescing may merge with its neighbours
 * until the batch ends (fld_lan_gro_flush). Borrowed. */
void fld_lan_xmit_data(struct fld_lan *l, const uint8_t *frame, size_t len);
void fld_lan_gro_flush(struct fld_lan *l);

/* fld_lan_l2.c */
int fld_lan_l2_init(struct fld_lan *l);
void fld_lan_l2_free(struct fld_lan *l);
/* Take the addresses of conf (gratuitous ARP, DAD), dropping others
 * except those added with fld_lan_addr_add. */
void fld_lan_l2_addresses(struct fld_lan *l, const struct fld_iface_conf *conf);
/* An address learned at run time (a DHCP lease): answered for at once
 * (IPv4: gratuitous ARP; IPv6: after DAD), kept across reloads until
 * fld_lan_addr_del. 0, or -1 (full, or not a unicast address). */
int fld_lan_addr_add(struct fld_lan *l, int family, const uint8_t *ip, unsigned plen);
void fld_lan_addr_del(struct fld_lan *l, int family, const uint8_t *ip);
void fld_lan_l2_tick(struct fld_lan *l);
/* The sink the cores act through (XMIT, RELEASE, DROP, EVENT). */
const struct fl_l2_sink *fld_lan_l2_sink(struct fld_lan *l);
/* ARP frame / ICMPv6 ND frame from the LAN. */
void fld_lan_arp_in(struct fld_lan *l, const uint8_t *frame, size_t len);
bool fld_lan_ndp_in(struct fld_lan *l, const uint8_t *frame, size_t len);
/* An IP frame for one of our addresses: echo answered (rate-limited),
 * the rest dropped and counted. Takes p. */
void fld_lan_local(struct fld_lan *l, struct fl_pkt *p, int version);
/* ICMP error of type/code about frame p, from our address of its family,
 * back to its source: on the LAN, or (to_mesh) through the dataplane
 * after the batch; rate-limited. Takes p. */
void fld_lan_icmp_err(struct fld_lan *l, struct fl_pkt *p, int version, uint8_t type,
		      uint8_t code, uint32_t mtu, bool to_mesh);
/* The same for a ping to our address from the mesh: the reply waits for
 * the end of the batch. Takes p. */
void fld_lan_mesh_local(struct fld_lan *l, struct fl_pkt *p, int version);
/* Is ip (family 4/6) ours / inside one of our on-link prefixes? */
bool fld_lan_is_ours(const struct fld_lan *l, int version, const uint8_t *ip);
bool fld_lan_on_link(const struct fld_lan *l, int version, const uint8_t *ip);

/* fld_lan_route.c */
/* Frames read from the TAP (whole Ethernet frames). Takes them. */
void fld_lan_input(struct fld_lan *l, struct fl_pkt **pkts, int n);
/* device_write's split: a frame (14-byte header + IP) whose destination
 * is on one of our LANs goes there (true: taken); false: not ours. */
bool fld_lan_device_write(struct fld *d, struct fl_pkt *p);
/* End of a batch (fld_dp_flush): the deferred answers into the dataplane. */
void fld_lan_flush(struct fld *d);
/* A queued packet's next hop resolved to mac: header written, sent. */
void fld_lan_send_to(struct fld_lan *l, struct fl_pkt *p, const uint8_t mac[static 6]);

#endif
