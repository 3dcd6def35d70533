/* SPDX-License-Identifier: MIT */
/*
 * fld_local_iface.h: `interfaces/NAME` with Role = local (issue 19): our
 * own TUN (tinc's Interface) named by a block, its Address lines put on
 * the kernel device by fenliud at start and taken off at stop, so no
 * tinc-up `ip addr` is needed. Control thread only.
 */
#ifndef FL_DAEMON_FLD_LOCAL_IFACE_H
#define FL_DAEMON_FLD_LOCAL_IFACE_H

#include <net/if.h>

struct fld;

/* Before the device opens: with a Role = local block, its NAME becomes
 * name (tinc.conf's Interface, if given, must be the same). 0 (also
 * without a block) or -1 (logged). */
int fld_local_iface_name(struct fld *d, char name[static IFNAMSIZ]);
/* After it opened: the block's addresses on d->ifname, link up. 0 or -1. */
int fld_local_iface_up(struct fld *d);
/* At stop: the addresses taken off again (errors ignored: the device may
 * be gone already). */
void fld_local_iface_down(struct fld *d);

#endif
