/* SPDX-License-Identifier: MIT */
/* fld_offload.h: fenliud's split tunnelling (doc/offload.md): the offload
 * device, its scripts, the lists and their reload, the hook the dataplane
 * asks first for packets of our VPN device, and the two dumps. Control
 * thread only. The per-packet logic is dataplane/dp_offload.c; the
 * configuration parser is fld_offload_conf.c.
 */
#ifndef FL_DAEMON_FLD_OFFLOAD_H
#define FL_DAEMON_FLD_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "nat/nat.h"
#include "wire/pkt.h"

struct fld;

/* The Offload* variables of tinc.conf (fenliu.conf(5)). */
struct fld_offload_conf {
	char *interface;          /* NULL: split tunnelling off */
	bool has4, has6;
	uint8_t addr4[4], addr6[16]; /* OffloadAddress, network order */
	char **lists, **excludes; /* OffloadList / OffloadExclude, as written */
	size_t n_lists, n_excludes;
	struct nat_config nat;    /* limits, timeouts, filter (ext_addr unset) */
};

/* Reads the Offload* variables of the server tree c into *out (cleared
 * first). Errors name FILE:LINE, the value and what was expected, and go
 * to r. 0, or -1 after at least one error (out is then freed). */
int fld_offload_conf_parse(struct fl_conf *c, const struct fl_conf_reporter *r,
			   struct fld_offload_conf *out);
void fld_offload_conf_free(struct fld_offload_conf *c);

/* Start-up, after the VPN device and the dataplane: with OffloadInterface,
 * creates the NAT, the device, loads the lists and runs offload-up.
 * 0 (also when off), -1 on a fatal error (logged). */
int fld_offload_start(struct fld *d);
/* Reload: re-reads the lists (OffloadList/OffloadExclude may change) and
 * publishes them in one swap; NAT mappings survive. On error the old lists
 * stay. 0 or -1 (logged). */
int fld_offload_reload(struct fld *d);
/* Shut-down: offload-down, close the device, free everything. */
void fld_offload_stop(struct fld *d);
/* End of a batch: write the TCP data merged for the offload device. */
void fld_offload_flush(struct fld *d);
/* Once a second: reclaim expired NAT mappings while traffic is idle. */
void fld_offload_tick(struct fld *d);

/* For the VPN device's reads (fl_tun_read_gso_if; ctx = struct fld): true
 * if every segment of this TCP burst goes to the offload device, whose
 * writer computes their checksums again, so cutting it need not. */
bool fld_offload_burst_no_csum(void *ctx, const uint8_t *ip, size_t len);

/* An IP packet read from an offload TAP (Role = offload, DeviceType =
 * tap; Ethernet already stripped), to our offload address: through the
 * NAT back into the mesh, as the TUN's reads go. Takes p. */
void fld_offload_tap_in(struct fld *d, struct fl_pkt *p);

/* The dataplane's offload op (fl_dp_ops.offload; ctx = struct fld). */
bool fld_offload_hook(void *ctx, uint64_t now_us, struct fl_pkt *p);

/* `fenliu dump offload` / `dump nat`: one text line per emit call. */
typedef void fld_offload_line_fn(void *sink, const char *line);
void fld_offload_dump(struct fld *d, fld_offload_line_fn *emit, void *sink);
void fld_offload_dump_nat(struct fld *d, fld_offload_line_fn *emit, void *sink);

#endif
