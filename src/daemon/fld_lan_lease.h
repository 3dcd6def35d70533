/* SPDX-License-Identifier: MIT */
/*
 * fld_lan_lease.h: `Address = dhcp` on a lan interface, the daemon side:
 * the glue between the lan module (struct fld_lan: its TAP, ARP table,
 * scripts, loop) and the DHCP driver (fld_lan_dhcp.h). The lan module
 * calls these hooks; each does nothing for an interface without dhcp.
 * Frames to UDP port 68 come through lan's l->dhcp_in, the leased address
 * goes up and down with fld_lan_addr_add/del (kept across a reload).
 *
 * The lease outlives `fenliu reload` (the driver stays with the
 * interface) and, within one boot, a restart: at stop it is saved beside
 * the pid file (PIDFILE minus ".pid", then ".NAME.lease"; the run-state
 * directory is emptied at boot, as the lease's boot-relative times want)
 * and asked for again by INIT-REBOOT at start.
 *
 * Control thread only.
 */
#ifndef FL_DAEMON_FLD_LAN_LEASE_H
#define FL_DAEMON_FLD_LAN_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/ctl_session.h"

struct fld_lan;

/* After the TAP is up (NAME-up has run): start DHCP (sets l->dhcp and
 * l->dhcp_in). 0, or -1 (logged). */
int fld_lan_lease_start(struct fld_lan *l);
/* Before the TAP closes: save the lease (no RELEASE), free the driver. */
void fld_lan_lease_stop(struct fld_lan *l);
/* An ARP frame from the TAP, before the ARP core sees it (the probe of
 * a new lease listens for its address). */
void fld_lan_lease_arp(struct fld_lan *l, const uint8_t *frame, size_t len);
/* `fenliu dump stats` lines, scope dhcp.NAME. */
void fld_lan_lease_stats(const struct fld_lan *l, fl_ctl_stat_fn *emit, void *sink);

#endif
