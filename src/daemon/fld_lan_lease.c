/* SPDX-License-Identifier: MIT */
/*
 * fld_lan_lease.c: the lan module's hooks for `Address = dhcp`
 * (fld_lan_lease.h): the DHCP driver's ops carried out on the interface
 * (frames to the TAP, the leased address up and down through lan's
 * run-time addresses, NAME-up/NAME-down, a loop timer), and the lease
 * file that carries the lease across a restart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_lan.h"
#include "daemon/fld_lan_dhcp.h"
#include "daemon/fld_lan_lease.h"
#include "wire/csum.h"

/* What hangs off l->dhcp: the driver and its timer. */
struct lan_lease {
	struct fld_lan *l;
	struct fld_lan_dhcp *dh;
	struct fl_timer timer;
};

static struct lan_lease *lease_of(const struct fld_lan *l)
{
	return l->dhcp;
}

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

/* The leased address is one of lan's run-time addresses: answered,
 * announced (gratuitous ARP), routed to, and kept across a reload. */
static void op_addr(void *ctx, uint32_t old_addr, uint32_t new_addr, unsigned plen)
{
	struct fld_lan *l = ctx;
	uint8_t ip[4];

	if (old_addr) {
		fl_put32(ip, old_addr);
		fld_lan_addr_del(l, 4, ip);
	}
	if (new_addr) {
		fl_put32(ip, new_addr);
		if (fld_lan_addr_add(l, 4, ip, plen) < 0)
			fl_dlog(FL_DLOG_ERR, "lan %s: the leased address cannot be added", l->ifname);
	}
}

/* interfaces/NAME-up or -down as the lan module runs them (tinc-up's
 * variables, INTERFACE=NAME, ROLE=lan), plus the lease's. */
static void op_script(void *ctx, const char *which, const char *const *extra)
{
	struct fld_lan *l = ctx;
	const char *vars[FL_SCRIPT_MAX_VARS + 1] = {"ROLE=lan"};
	size_t nv = 1;

	for (size_t i = 0; extra[i] && nv < FL_SCRIPT_MAX_VARS; i++)
		vars[nv++] = extra[i];
	vars[nv] = NULL;
	fld_lan_run_script(l, which, vars);
	fl_loop_update_now(l->d->loop); /* the script may have taken a while */
}

static void op_timer(void *ctx, fl_time_t at)
{
	struct fld_lan *l = ctx;
	struct lan_lease *ll = lease_of(l);
	fl_time_t now = fld_now(l->d);

	if (at == FL_DHCP_NEVER)
		fl_timer_cancel(l->d->loop, &ll->timer);
	else
		fl_timer_arm(l->d->loop, &ll->timer, at > now ? at - now : 0);
}

static void lease_timer(struct fl_loop *loop, struct fl_timer *t, void *arg)
{
	struct lan_lease *ll = arg;

	(void)loop;
	(void)t;
	fld_lan_dhcp_tick(ll->dh, fld_now(ll->l->d));
}

/* lan's l->dhcp_in: an IPv4 UDP frame to port 68. Taken (and freed) if
 * it came from port 67. */
static bool lease_in(struct fld_lan *l, struct fl_pkt *p)
{
	struct lan_lease *ll = lease_of(l);

	if (!ll || !fld_lan_dhcp_frame(ll->dh, p->data, p->len, fld_now(l->d)))
		return false;
	fl_pkt_free(p);
	return true;
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
	struct lan_lease *ll;
	size_t n;

	if (!l->conf.dhcp)
		return 0;
	randombytes_buf(rnd, sizeof(rnd));
	ll = calloc(1, sizeof(*ll));
	if (ll)
		ll->dh = fld_lan_dhcp_new(l->ifname, l->mac, rnd, &ops);
	if (!ll || !ll->dh) {
		free(ll);
		fl_dlog(FL_DLOG_ERR, "lan %s: cannot start DHCP: out of memory", l->ifname);
		return -1;
	}
	ll->l = l;
	fl_timer_init(&ll->timer, lease_timer, ll);
	l->dhcp = ll;
	l->dhcp_in = lease_in;
	n = lease_load(l, blob, sizeof(blob));
	fld_lan_dhcp_start(ll->dh, n ? blob : NULL, n, fld_now(l->d));
	return 0;
}

void fld_lan_lease_stop(struct fld_lan *l)
{
	struct lan_lease *ll = lease_of(l);
	uint8_t blob[FL_DHCP_LEASE_BLOB];
	char path[4096];
	FILE *f;

	if (!ll)
		return;
	fl_timer_cancel(l->d->loop, &ll->timer);
	if (fld_lan_dhcp_save(ll->dh, blob)) {
		lease_path(l, path, sizeof(path));
		f = fopen(path, "wbe");
		if (!f || fwrite(blob, 1, sizeof(blob), f) != sizeof(blob))
			fl_dlog(FL_DLOG_WARN, "lan %s: cannot save the DHCP lease to %s: %s",
				l->ifname, path, strerror(errno));
		if (f)
			fclose(f);
	}
	fld_lan_dhcp_free(ll->dh, fld_now(l->d), false);
	free(ll);
	l->dhcp = NULL;
	l->dhcp_in = NULL;
}

void fld_lan_lease_arp(struct fld_lan *l, const uint8_t *frame, size_t len)
{
	struct lan_lease *ll = lease_of(l);

	if (ll)
		fld_lan_dhcp_arp(ll->dh, frame, len, fld_now(l->d));
}

void fld_lan_lease_stats(const struct fld_lan *l, fl_ctl_stat_fn *emit, void *sink)
{
	const struct lan_lease *ll = lease_of(l);

	if (ll)
		fld_lan_dhcp_each_stat(ll->dh, emit, sink);
}
