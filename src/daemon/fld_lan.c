/* SPDX-License-Identifier: MIT */
/*
 * fld_lan.c: the TAP router's `lan` interfaces (fld_lan.h): finds
 * interfaces/NAME files, opens each TAP (IFF_TAP | IFF_NO_PI, named
 * NAME), runs NAME-up / NAME-down like tinc-up, reads frames on the
 * control thread's loop (as the offload device), runs the ARP/NDP timers
 * every 100 ms, applies address changes on reload and lists neighbours
 * and counters for the control socket.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_lan.h"
#include "daemon/fld_vpnnat.h"
#include "daemon/fld_lan_lease.h"
#include "io/tun.h"

#define LAN_FILE_MAX 65536	/* an interfaces/ file larger than this is refused */
#define LAN_TICK FL_TIME_MS(100)

static void lan_report(void *ctx, const char *msg)
{
	(void)ctx;
	fl_dlog(FL_DLOG_ERR, "%s", msg);
}

static const struct fl_conf_reporter lan_reporter = {lan_report, lan_report, NULL};

/* Reads and parses interfaces/NAME. 0, or -1 (logged). */
static int lan_read(struct fld *d, const char *name, struct fld_iface_conf *out)
{
	char path[4096], file[64];
	static char buf[LAN_FILE_MAX + 1];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/interfaces/%s", d->confbase, name);
	snprintf(file, sizeof(file), "interfaces/%s", name);
	if (!(f = fopen(path, "re"))) {
		fl_dlog(FL_DLOG_ERR, "%s: cannot open: %s", file, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n > LAN_FILE_MAX) {
		fl_dlog(FL_DLOG_ERR, "%s: larger than %d bytes", file, LAN_FILE_MAX);
		return -1;
	}
	return fld_iface_conf_parse(file, name, buf, n, &lan_reporter, out);
}

/* Script files and editor leftovers are not interfaces. */
static bool lan_is_script(const char *name)
{
	size_t n = strlen(name);
	return (n > 3 && !strcmp(name + n - 3, "-up")) || (n > 5 && !strcmp(name + n - 5, "-down"));
}

void fld_lan_run_script(struct fld_lan *l, const char *what, const char *const *vars)
{
	struct fld *d = l->d;
	char script[64];
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
	snprintf(script, sizeof(script), "interfaces/%s-%s", l->conf.name, what);
	fl_script_set_env(d->scripts, &env);
	fl_script_run_sync(d->scripts, script, vars);
	env.interface = d->ifname[0] ? d->ifname : NULL; /* back to the VPN device's */
	env.device = d->device[0] ? d->device : NULL;
	fl_script_set_env(d->scripts, &env);
}

/* NAME-up / NAME-down with ROLE and ADDRESS/PREFIXLEN of the first static
 * address, for scripts that want it; DHCP's lease sets them itself
 * (fld_lan_lease.c). */
static void lan_script(struct fld_lan *l, const char *what)
{
	char addr[2][80];
	const char *vars[4] = {l->conf.role == FLD_IFACE_LAN ? "ROLE=lan" : "ROLE=offload"};
	size_t nv = 1;

	if (l->conf.n_addr) {
		char ip[INET6_ADDRSTRLEN];
		const struct fld_iface_addr *a = &l->conf.addr[0];
		inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->ip, ip, sizeof(ip));
		snprintf(addr[0], sizeof(addr[0]), "ADDRESS=%s", ip);
		snprintf(addr[1], sizeof(addr[1]), "PREFIXLEN=%u", a->plen);
		vars[nv++] = addr[0];
		vars[nv++] = addr[1];
	}
	vars[nv] = NULL;
	fld_lan_run_script(l, what, vars);
}

void fld_lan_gro_flush(struct fld_lan *l)
{
	size_t n = l->gro.buf ? fl_tun_gro_finish(&l->gro) : 0;

	if (n && write(l->fd, l->gro.buf, n) < 0)
		l->st.write_errors++;
}

void fld_lan_xmit(struct fld_lan *l, const uint8_t *frame, size_t len)
{
	static const uint8_t vnet[FL_TUN_VNET_HLEN]; /* zeros: no offload asked for */
	struct iovec iov[2] = {{(void *)vnet, sizeof(vnet)}, {(void *)frame, len}};
	ssize_t r;

	if (l->gso_buf) {
		fld_lan_gro_flush(l);
		r = writev(l->fd, iov, 2);
	} else {
		r = write(l->fd, frame, len);
	}
	if (r < 0)
		l->st.write_errors++;
	else
		l->st.tx_frames++;
}

void fld_lan_xmit_data(struct fld_lan *l, const uint8_t *frame, size_t len)
{
	if (l->gso_buf && (fl_tap_gro_add(&l->gro, frame, len) ||
			   (fld_lan_gro_flush(l), fl_tap_gro_add(&l->gro, frame, len)))) {
		l->st.tx_frames++;
		return;
	}
	fld_lan_xmit(l, frame, len);
}

/* Frames or, with TCP offload, bursts cut into frames: the dataplane's
 * sends leave together at the end (fld_dp_flush). */
static void lan_readable(void *ctx, int fd, unsigned events)
{
	struct fld_lan *l = ctx;
	/* A 64 KiB burst at TCP's smallest MSS (88) is 745 segments. */
	static struct fl_pkt *pkts[768];

	(void)events;
	for (int round = 0; round < (l->gso_buf ? (int)FL_UDP_BATCH : 4); round++) {
		int n = l->gso_buf ? fl_tap_read_gso(fd, l->gso_buf, l->d->pool, pkts, 768)
				   : fl_tap_read_batch(fd, l->d->pool, pkts, FL_UDP_BATCH);
		if (n < 0 || (n == 0 && !l->gso_buf))
			break;
		if (n == 0) /* a burst the parser could not cut */
			l->st.ignored++;
		fld_lan_input(l, pkts, n);
		if (!l->gso_buf && n < (int)FL_UDP_BATCH)
			break;
	}
	fld_dp_flush(l->d);
}

static void lan_tick(struct fl_loop *loop, struct fl_timer *t, void *arg)
{
	struct fld_lan *l = arg;

	fl_timer_arm(loop, t, LAN_TICK);
	fld_lan_l2_tick(l);
	fld_lan_gro_flush(l); /* packets released by a late answer */
}

/* The link up, as `ip link set NAME up` would: the scripts usually do
 * it, but a LAN interface without NAME-up must work too. */
static void lan_link_up(const char *ifname)
{
	int r = fl_tun_link_up(ifname);

	if (r < 0)
		fl_dlog(FL_DLOG_WARN, "lan %s: cannot set the link up: %s", ifname, strerror(-r));
}

static void lan_free(struct fld_lan *l)
{
	fld_vpnnat_free(l->d, l->vpnnat);
	for (unsigned i = 0; i < l->n_defer; i++)
		fl_pkt_free(l->defer[i]);
	fld_lan_l2_free(l);
	free(l->gso_buf);
	free(l->gro.buf);
	free(l);
}

/* The TAP with TCP offload when the kernel allows it (one read per TCP
 * burst, coalesced writes: what the TUN gets in fenliud.c), else plain. */
static int lan_open_dev(struct fld_lan *l, const struct fld_iface_conf *c)
{
	const char *path = c->device[0] ? c->device : NULL;
	int fd = -ENOMEM;

	l->gso_buf = malloc(FL_TAP_GSO_MAX);
	l->gro.buf = malloc(FL_TAP_GSO_MAX);
	l->gro.l2 = 14;
	if (l->gso_buf && l->gro.buf)
		fd = fl_tun_open_tap_offload(path, c->name, l->ifname);
	if (fd < 0) {
		free(l->gso_buf);
		free(l->gro.buf);
		l->gso_buf = l->gro.buf = NULL;
		fd = fl_tun_open_tap(path, c->name, l->ifname);
	}
	return fd;
}

/* One Role = lan interface (or an offload TAP, for fld_offload.c):
 * device, link, NAME-up, then its addresses (gratuitous ARP and DAD need
 * the link up). */
int fld_lan_open(struct fld *d, const struct fld_iface_conf *c)
{
	struct fld_lan *l = calloc(1, sizeof(*l));
	int fd;

	if (!l)
		return -1;
	l->d = d;
	l->conf = *c;
	l->fd = -1;
	if (c->has_mac)
		memcpy(l->mac, c->mac, 6);
	else
		fld_iface_default_mac(d->name, c->name, l->mac);
	if (fld_lan_l2_init(l) < 0) {
		free(l);
		return -1;
	}
	if (fld_vpnnat_open(d, c, &l->vpnnat) < 0) {
		lan_free(l);
		return -1;
	}
	fd = lan_open_dev(l, c);
	if (fd < 0) {
		fl_dlog(FL_DLOG_ERR, "lan %s: cannot create the TAP device: %s", c->name, strerror(-fd));
		lan_free(l);
		return -1;
	}
	l->fd = fd;
	if (fld_watch(d, fd, FL_LOOP_READ, lan_readable, l) < 0) {
		close(fd);
		lan_free(l);
		return -1;
	}
	l->next = d->lan;
	d->lan = l;
	fl_timer_init(&l->timer, lan_tick, l);
	fl_timer_arm(d->loop, &l->timer, LAN_TICK);
	lan_link_up(l->ifname);
	lan_script(l, "up");
	fl_loop_update_now(d->loop); /* the script may have taken a while */
	fld_lan_l2_addresses(l, &l->conf);
	if (fld_lan_lease_start(l) < 0)
		return -1;
	{
		char mac[FL_ETH_MAC_TEXT];
		fl_eth_format(l->mac, mac);
		fl_dlog(FL_DLOG_INFO, "lan %s: TAP router up, MAC %s, %zu addresses%s%s%s", l->ifname, mac,
			c->n_addr, c->dhcp ? " and dhcp" : "", c->slaac ? " and slaac" : "",
			l->gso_buf ? ", TCP offload" : "");
	}
	return 0;
}

/* Calls fn for each interfaces/NAME (names checked). -1 if the folder
 * exists but cannot be read; 0 otherwise (no folder: no interfaces). */
static int lan_each_file(struct fld *d, int (*fn)(struct fld *d, const char *name))
{
	char path[4096];
	struct dirent *e;
	DIR *dir;
	int r = 0;

	snprintf(path, sizeof(path), "%s/interfaces", d->confbase);
	if (!(dir = opendir(path)))
		return errno == ENOENT ? 0 : (fl_dlog(FL_DLOG_ERR, "%s: %s", path, strerror(errno)), -1);
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.' || lan_is_script(e->d_name))
			continue;
		if (!fld_iface_name_ok(e->d_name)) {
			fl_dlog(FL_DLOG_WARN, "interfaces/%s: not an interface name ([A-Za-z0-9_], at most 15): ignored",
				e->d_name);
			continue;
		}
		if (fn(d, e->d_name) < 0)
			r = -1;
	}
	closedir(dir);
	return r;
}

static int lan_start_one(struct fld *d, const char *name)
{
	struct fld_iface_conf *c = malloc(sizeof(*c));
	int r = -1;

	if (c && lan_read(d, name, c) == 0) /* offload blocks: fld_offload.c */
		r = c->role == FLD_IFACE_LAN ? fld_lan_open(d, c) : 0;
	free(c);
	return r;
}

int fld_lan_start(struct fld *d)
{
	if (fld_switch_tap(d)) { /* frames would bypass routing altogether */
		char path[4096];
		snprintf(path, sizeof(path), "%s/interfaces", d->confbase);
		if (access(path, F_OK) == 0) {
			fl_dlog(FL_DLOG_ERR, "interfaces/: lan interfaces need Mode = router");
			return -1;
		}
		return 0;
	}
	return lan_each_file(d, lan_start_one);
}

int fld_lan_find_role(struct fld *d, enum fld_iface_role role, struct fld_iface_conf *out)
{
	char path[4096];
	struct dirent *e;
	DIR *dir;
	int r = 0;

	snprintf(path, sizeof(path), "%s/interfaces", d->confbase);
	if (!(dir = opendir(path)))
		return errno == ENOENT ? 0 : (fl_dlog(FL_DLOG_ERR, "%s: %s", path, strerror(errno)), -1);
	while (r == 0 && (e = readdir(dir))) {
		if (e->d_name[0] == '.' || lan_is_script(e->d_name) || !fld_iface_name_ok(e->d_name))
			continue;
		if (lan_read(d, e->d_name, out) < 0)
			r = -1;
		else if (out->role == role)
			r = 1;
	}
	closedir(dir);
	return r;
}

struct fld_lan *fld_lan_find(struct fld *d, const char *name)
{
	for (struct fld_lan *l = d->lan; l; l = l->next)
		if (!strcmp(l->conf.name, name))
			return l;
	return NULL;
}

/* Addresses take effect now; the rest needs a restart (the device, its
 * MAC and what the NAT holds were made from the old values). */
static int lan_reload_one(struct fld *d, const char *name)
{
	struct fld_iface_conf *c = malloc(sizeof(*c));
	struct fld_lan *l = fld_lan_find(d, name);

	if (!c)
		return -1;
	if (lan_read(d, name, c) < 0) {
		fl_dlog(FL_DLOG_ERR, "interfaces/%s: keeping the running settings", name);
		free(c);
		return -1;
	}
	if (c->role != FLD_IFACE_LAN) {
		/* Offload and local blocks are read at start only (fld_offload.c,
		 * fld_local_iface.c): say so rather than take a change silently. */
		fl_dlog(FL_DLOG_INFO, "interfaces/%s: Role = %s is read at start only: changes to it wait for a restart",
			name, c->role == FLD_IFACE_OFFLOAD ? "offload" : "local");
		free(c);
		return 0;
	}
	if (!l) {
		fl_dlog(FL_DLOG_WARN, "interfaces/%s: a new interface needs a restart", name);
		free(c);
		return 0;
	}
	if (strcmp(c->device, l->conf.device) || c->has_mac != l->conf.has_mac ||
	    (c->has_mac && memcmp(c->mac, l->conf.mac, 6)) || c->role != l->conf.role)
		fl_dlog(FL_DLOG_WARN, "interfaces/%s: Device, MACAddress or Role changed: needs a restart", name);
	if (c->has_vpnnat != l->conf.has_vpnnat)
		fl_dlog(FL_DLOG_WARN, "interfaces/%s: VPNNat added or removed: needs a restart", name);
	else
		fld_vpnnat_reload_iface(d, l->vpnnat, c); /* address, forwards */
	memcpy(l->conf.addr, c->addr, sizeof(c->addr));
	l->conf.n_addr = c->n_addr;
	fld_lan_l2_addresses(l, &l->conf);
	if (c->dhcp != l->conf.dhcp)
		fl_dlog(FL_DLOG_WARN, "interfaces/%s: Address = dhcp added or removed: needs a restart", name);
	if (c->slaac != l->conf.slaac)
		fl_dlog(FL_DLOG_WARN, "interfaces/%s: Address = slaac added or removed: needs a restart", name);
	free(c);
	return 0;
}

int fld_lan_reload(struct fld *d)
{
	return lan_each_file(d, lan_reload_one);
}

void fld_lan_stop(struct fld *d)
{
	while (d->lan) {
		struct fld_lan *l = d->lan;
		fld_lan_gro_flush(l);
		fld_lan_lease_stop(l);
		lan_script(l, "down");
		d->lan = l->next;
		fl_timer_cancel(d->loop, &l->timer);
		fld_unwatch(d, l->fd);
		close(l->fd);
		lan_free(l);
	}
}

/* ---- dumps ---------------------------------------------------------------- */

static void neigh_lines(const struct fld_lan *l, const struct fl_neigh *t, int family,
			fl_ctl_line_fn *emit, void *sink)
{
	char ip[INET6_ADDRSTRLEN], mac[FL_ETH_MAC_TEXT], line[160];

	for (size_t i = 0; i < t->cap; i++) {
		const struct fl_neigh_entry *e = &t->slot[i];
		if (!e->state)
			continue;
		inet_ntop(family, e->addr, ip, sizeof(ip));
		if (e->state == FL_NEIGH_INCOMPLETE || e->state == FL_NEIGH_FAILED)
			snprintf(mac, sizeof(mac), "-");
		else
			fl_eth_format(e->mac, mac);
		snprintf(line, sizeof(line), "%s %s %s %s", l->ifname, ip, mac,
			 fl_neigh_state_name((enum fl_neigh_state)e->state));
		emit(sink, line);
	}
}

void fld_lan_dump_neighbours(struct fld *d, fl_ctl_line_fn *emit, void *sink)
{
	for (const struct fld_lan *l = d->lan; l; l = l->next) {
		neigh_lines(l, &l->arp.cache, AF_INET, emit, sink);
		neigh_lines(l, &l->ndp.cache, AF_INET6, emit, sink);
	}
}

void fld_lan_stats(struct fld *d, fl_ctl_stat_fn *emit, void *sink)
{
	for (const struct fld_lan *l = d->lan; l; l = l->next) {
		const struct fld_lan_stats *s = &l->st;
		char scope[32];
		const struct { const char *name; uint64_t v; } v[] = {
			{"rx_frames", s->rx_frames}, {"tx_frames", s->tx_frames},
			{"arp_in", s->arp_in}, {"arp_out", s->arp_out}, {"arp_drops", s->arp_drops},
			{"arp_answered", l->arp.st.requests_answered},
			{"ndp_in", s->ndp_in}, {"ndp_out", s->ndp_out}, {"ndp_drops", s->ndp_drops},
			{"ndp_answered", l->ndp.st.ns_answered},
			{"icmp_echo", s->icmp_echo}, {"icmp_sent", s->icmp_sent},
			{"icmp_ratelimited", s->icmp_ratelimited},
			{"to_mesh", s->to_mesh}, {"from_mesh", s->from_mesh},
			{"not_for_us", s->not_for_us}, {"ignored", s->ignored},
			{"local_drops", s->local_drops}, {"unresolved", s->unresolved},
			{"write_errors", s->write_errors},
			{"neigh4_entries", l->arp.cache.n}, {"neigh6_entries", l->ndp.cache.n},
			{"neigh_full_refused", l->arp.cache.st.full_refused + l->ndp.cache.st.full_refused},
			{"neigh_spoof_refused", l->arp.cache.st.spoof_refused + l->ndp.cache.st.spoof_refused},
			{"slaac_ras", l->slaac.st.ras}, {"slaac_rs_sent", l->slaac.st.rs_sent},
			{"slaac_addresses", l->slaac.n}, {"slaac_expired", l->slaac.st.expired},
		};
		snprintf(scope, sizeof(scope), "lan.%s", l->ifname);
		for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
			emit(sink, scope, v[i].name, (unsigned long long)v[i].v);
		fld_lan_lease_stats(l, emit, sink);
	}
}
