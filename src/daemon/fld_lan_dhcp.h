/* SPDX-License-Identifier: MIT */
/*
 * fld_lan_dhcp.h: `Address = dhcp` on a lan interface (interfaces/NAME):
 * the daemon's driver of the pure DHCP client core (src/l2/dhcp_client)
 * for one TAP. It
 *   - takes the Ethernet frames the TAP reads that are UDP 67 -> 68
 *     (fld_lan_dhcp_frame) and every ARP frame (fld_lan_dhcp_arp: a reply
 *     for an address we probe is a conflict);
 *   - writes the core's packets as Ethernet frames (broadcast, or unicast
 *     to the server's MAC learned from its replies);
 *   - probes a newly bound address with ARP (RFC 2131 4.4.1, RFC 5227
 *     2.1.1's probe) for FLD_LAN_DHCP_PROBE_MS and DECLINEs it if anyone
 *     answers, else applies it: the interface's own address changes
 *     (ops->addr: ARP's own table, gratuitous ARP), interfaces/NAME-up runs
 *     with ADDRESS PREFIXLEN ROUTER DNS LEASE; a lost lease removes the
 *     address and runs NAME-down;
 *   - asks for fld_lan_dhcp_tick at the time it needs (ops->timer): T1, T2,
 *     retransmissions, the probe.
 *
 * No clock, no sockets, no loop of its own: time comes in with every
 * call, the lan module's glue does the I/O through ops. So one object
 * lives as long as the interface: a `fenliu reload` keeps it (and so the
 * lease); a restart may hand the saved blob (fld_lan_dhcp_save) back to
 * fld_lan_dhcp_start, which then asks for it by INIT-REBOOT.
 *
 * Control thread only. Callers: the lan module (fld_lan*.c),
 * tests/daemon/test_lan_dhcp.c.
 */
#ifndef FL_DAEMON_FLD_LAN_DHCP_H
#define FL_DAEMON_FLD_LAN_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/ctl_session.h"
#include "l2/dhcp_client.h"
#include "wire/fl_time.h"

/* RFC 5227 2.1.1 probes for 1-2 s; a DHCP client checks an address the
 * server already checked, so two probes and 1 s of silence do. */
#define FLD_LAN_DHCP_PROBES 2u
#define FLD_LAN_DHCP_PROBE_MS 1000u

struct fld_lan_dhcp_ops {
	/* Write one Ethernet frame to the TAP. */
	void (*xmit)(void *ctx, const uint8_t *frame, size_t len);
	/* Our address on the interface changes: old_addr (0: none) goes,
	 * new_addr/plen (0: none) comes and is announced (gratuitous ARP).
	 * Host-order addresses. */
	void (*addr)(void *ctx, uint32_t old_addr, uint32_t new_addr, unsigned plen);
	/* Run interfaces/NAME-<which> ("up" or "down") with these extra
	 * variables (NULL-terminated "KEY=VALUE", at most 5). */
	void (*script)(void *ctx, const char *which, const char *const *vars);
	/* Call fld_lan_dhcp_tick at `at` (FL_DHCP_NEVER: no timer needed). */
	void (*timer)(void *ctx, fl_time_t at);
	void *ctx;
};

struct fld_lan_dhcp_stats {
	uint64_t rx;		/* DHCP replies handed to the core */
	uint64_t rx_bad;	/* UDP to port 68 the IPv4/UDP check refused */
	uint64_t tx;		/* frames written (DHCP and ARP probes) */
	uint64_t bound, renewed, lost;	/* events applied */
	uint64_t conflicts;	/* probes answered: the address was declined */
	uint64_t restored;	/* start() given a usable saved lease */
};

struct fld_lan_dhcp;

/* ifname (copied) names the interface in log lines and stats. NULL on
 * allocation failure or a missing op. */
struct fld_lan_dhcp *fld_lan_dhcp_new(const char *ifname, const uint8_t mac[static 6],
				      const uint8_t random[static 16],
				      const struct fld_lan_dhcp_ops *ops);
/* Stop without telling the server (the lease stays valid for a restart);
 * with `release`, give it back (RELEASE), remove the address and run
 * NAME-down. NULL is fine. */
void fld_lan_dhcp_free(struct fld_lan_dhcp *dh, fl_time_t now, bool release);
/* Replace the ops (the lan module rebuilt its context). */
void fld_lan_dhcp_set_ops(struct fld_lan_dhcp *dh, const struct fld_lan_dhcp_ops *ops);

/* Begin: DISCOVER, or INIT-REBOOT when blob holds a saved lease (a
 * damaged one is logged and ignored). */
void fld_lan_dhcp_start(struct fld_lan_dhcp *dh, const uint8_t *blob, size_t blob_len,
			fl_time_t now);
/* An Ethernet frame read from the TAP. true: it was UDP from port 67 to
 * port 68 and is taken (good or not); false: not DHCP, the caller goes on. */
bool fld_lan_dhcp_frame(struct fld_lan_dhcp *dh, const uint8_t *frame, size_t len,
			fl_time_t now);
/* An ARP frame read from the TAP (the caller still handles it). */
void fld_lan_dhcp_arp(struct fld_lan_dhcp *dh, const uint8_t *frame, size_t len, fl_time_t now);
/* Timers: the core's and the probe's. Early calls are harmless. */
void fld_lan_dhcp_tick(struct fld_lan_dhcp *dh, fl_time_t now);

/* The address applied to the interface (host order), 0 if none. */
uint32_t fld_lan_dhcp_addr(const struct fld_lan_dhcp *dh);
const struct fld_lan_dhcp_stats *fld_lan_dhcp_stats(const struct fld_lan_dhcp *dh);
const struct fl_dhcp_client *fld_lan_dhcp_core(const struct fld_lan_dhcp *dh);
/* The lease as a blob for fld_lan_dhcp_start after a restart; false if
 * there is no lease. */
bool fld_lan_dhcp_save(const struct fld_lan_dhcp *dh, uint8_t out[static FL_DHCP_LEASE_BLOB]);
/* `fenliu dump stats` lines, scope "dhcp.NAME" (as lan.NAME). */
void fld_lan_dhcp_each_stat(const struct fld_lan_dhcp *dh, fl_ctl_stat_fn *emit, void *sink);

#endif
