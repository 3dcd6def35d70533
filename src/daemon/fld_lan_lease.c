/* SPDX-License-Identifier: MIT */
/*
 * fld_lan_lease.c: the lan module's hooks for `Address = dhcp`
 * (fld_lan_lease.h): the DHCP driver's ops carried out on the interface
 * (frames to the TAP, the leased address in the ARP core's own table with
 * a gratuitous ARP, NAME-up/NAME-down, the loop timer), and the lease
 * file that carries the lease across a restart.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_lan.h"
#include "daemon/fld_lan_dhcp.h"
#include "daemon/fld_lan_lease.h"
#include "wire/csum.h"

/* PIDFILE minus a ".pid" ending, then ".NAME.lease". */
static void lease_path(const struct fld_lan *l, char *out, size_t cap)
{
	const char *pid = l->d->pidfile ? l->d->pidfile : "fenliud.pid";
	size_t n = strlen(pid);

	if (n > 4 && !strcmp(pid + n - 4, ".pid"))
		n -= 4;
	snprintf(out, cap, "%.*s.%s.lease", (int)n, pid, l->conf.name);
}

static void op_xmit(void *ctx, const uint8_t *frame, size_t len)
{
	fld_lan_xmit(ctx, frame, len);
}

/* The leased address joins (or leaves) the ARP core's own addresses,
 * as a static one would: answered, announced, routed to. */
static void own_add(struct fld_lan *l, uint32_t addr, unsigned plen)
{
	uint8_t ip[4], frame[FL_ARP_FRAME];

	fl_put32(ip, addr);
	if (!fl_arp_own_find(&l->arp, ip) && fl_arp_own_add(&l->arp, ip, plen, l->mac)) {
		fl_arp_gratuitous(l->mac, ip, frame);
		l->st.arp_out++;
		fld_lan_xmit(l, frame, sizeof(frame));
	}
	l->has4 = l->arp.nown > 0;
}

static void op_addr(void *ctx, uint32_t old_addr, uint32_t new_addr, unsigned plen)
{
	struct fld_lan *l = ctx;
	uint8_t ip[4];

	if (old_addr) {
		fl_put32(ip, old_addr);
		fl_arp_own_del(&l->arp, ip);
	}
	if (new_addr)
		own_add(l, new_addr, plen);
	l->has4 = l->arp.nown > 0;
}

/* interfaces/NAME-up or -down as the lan module runs them (tinc-up's
 * variables, INTERFACE=NAME, ROLE=lan), plus the lease's. */
static void op_script(void *ctx, const char *which, const char *const *extra)
{
	struct fld_lan *l = ctx;
	struct fld *d = l->d;
	char script[64];
	const char *vars[FL_SCRIPT_MAX_VARS + 1] = {"ROLE=lan"};
	size_t nv = 1;
	struct fl_script_env env = {
		.confbase = d->confbase,
		.netname = d->netname && *d->netname ? d->netname : NULL,
		.name = d->name,
		.device = l->conf.device[0] ? l->conf.device : NULL,
		.interface = l->ifname,
		.extension = *d->cfg->s.scripts_extension ? d->cfg->s.scripts_extension : NULL,
		.interpreter = d->cfg->s.scripts_interpreter,
		.debug = d->debug,
	};

	if (!d->scripts)
		return;
	for (size_t i = 0; extra[i] && nv < FL_SCRIPT_MAX_VARS; i++)
		vars[nv++] = extra[i];
	vars[nv] = NULL;
	snprintf(script, sizeof(script), "interfaces/%s-%s", l->conf.name, which);
	fl_script_set_env(d->scripts, &env);
	fl_script_run_sync(d->scripts, script, vars);
	env.interface = d->ifname[0] ? d->ifname : NULL; /* back to the VPN device's */
	env.device = d->device[0] ? d->device : NULL;
	fl_script_set_env(d->scripts, &env);
	fl_loop_update_now(d->loop); /* the script may have taken a while */
}

static void op_timer(void *ctx, fl_time_t at)
{
	struct fld_lan *l = ctx;
	fl_time_t now = fld_now(l->d);

	if (at == FL_DHCP_NEVER)
		fl_timer_cancel(l->d->loop, &l->dhcp_timer);
	else
		fl_timer_arm(l->d->loop, &l->dhcp_timer, at > now ? at - now : 0);
}

static void lease_timer(struct fl_loop *loop, struct fl_timer *t, void *arg)
{
	struct fld_lan *l = arg;

	(void)loop;
	(void)t;
	fld_lan_dhcp_tick(l->dhcp, fld_now(l->d));
}

/* The saved lease, if the file holds one; removed once read, so a lease
 * given up since is never asked for twice. */
static size_t lease_load(const struct fld_lan *l, uint8_t *blob, size_t cap)
{
	char path[4096];
	size_t n = 0;
	FILE *f;

	lease_path(l, path, sizeof(path));
	f = fopen(path, "rbe");
	if (!f)
		return 0;
	n = fread(blob, 1, cap, f);
	fclose(f);
	unlink(path);
	return n;
}

int fld_lan_lease_start(struct fld_lan *l)
{
	struct fld_lan_dhcp_ops ops = {op_xmit, op_addr, op_script, op_timer, l};
	uint8_t rnd[16], blob[FL_DHCP_LEASE_BLOB + 1];
	size_t n;

	if (!l->conf.dhcp)
		return 0;
	randombytes_buf(rnd, sizeof(rnd));
	fl_timer_init(&l->dhcp_timer, lease_timer, l);
	l->dhcp = fld_lan_dhcp_new(l->ifname, l->mac, rnd, &ops);
	if (!l->dhcp) {
		fl_dlog(FL_DLOG_ERR, "lan %s: cannot start DHCP: out of memory", l->ifname);
		return -1;
	}
	n = lease_load(l, blob, sizeof(blob));
	fld_lan_dhcp_start(l->dhcp, n ? blob : NULL, n, fld_now(l->d));
	return 0;
}

void fld_lan_lease_stop(struct fld_lan *l)
{
	uint8_t blob[FL_DHCP_LEASE_BLOB];
	char path[4096];
	FILE *f;

	if (!l->dhcp)
		return;
	fl_timer_cancel(l->d->loop, &l->dhcp_timer);
	if (fld_lan_dhcp_save(l->dhcp, blob)) {
		lease_path(l, path, sizeof(path));
		f = fopen(path, "wbe");
		if (!f || fwrite(blob, 1, sizeof(blob), f) != sizeof(blob))
			fl_dlog(FL_DLOG_WARN, "lan %s: cannot save the DHCP lease to %s: %s",
				l->ifname, path, strerror(errno));
		if (f)
			fclose(f);
	}
	fld_lan_dhcp_free(l->dhcp, fld_now(l->d), false);
	l->dhcp = NULL;
}

bool fld_lan_lease_frame(struct fld_lan *l, const uint8_t *frame, size_t len)
{
	return l->dhcp && fld_lan_dhcp_frame(l->dhcp, frame, len, fld_now(l->d));
}

void fld_lan_lease_arp(struct fld_lan *l, const uint8_t *frame, size_t len)
{
	if (l->dhcp)
		fld_lan_dhcp_arp(l->dhcp, frame, len, fld_now(l->d));
}

void fld_lan_lease_readdress(struct fld_lan *l)
{
	const struct fl_dhcp_lease *lease;

	if (!l->dhcp || !fld_lan_dhcp_addr(l->dhcp))
		return;
	lease = fl_dhcp_lease(fld_lan_dhcp_core(l->dhcp));
	if (lease && lease->addr == fld_lan_dhcp_addr(l->dhcp))
		own_add(l, lease->addr, (unsigned)fl_dhcp_lease_prefix(lease));
}

void fld_lan_lease_stats(const struct fld_lan *l, fl_ctl_stat_fn *emit, void *sink)
{
	if (l->dhcp)
		fld_lan_dhcp_each_stat(l->dhcp, emit, sink);
}
