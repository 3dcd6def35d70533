/* SPDX-License-Identifier: MIT */
/*
 * fld_offload.c: fenliud's split tunnelling (doc/offload.md). Creates the
 * offload device and the NAT at start, runs offload-up/offload-down, loads
 * OffloadList/OffloadExclude into one immutable set published with one
 * pointer swap (start and every reload), reads the offload device, answers
 * the dataplane's offload op and lists counters and mappings for the
 * control socket. Control thread only; the per-packet decisions are
 * dataplane/dp_offload.c, the variables fld_offload_conf.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf/conf_read.h"
#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_lan.h"
#include "daemon/fld_offload.h"
#include "daemon/fld_vpnnat.h"
#include "daemon/routes/route_files.h"
#include "dataplane/dp_offload.h"
#include "io/tun.h"
#include "wire/icmp.h"
#include "wire/ip.h"

#define OFFLOAD_ICMP_PER_SEC 10
#define OFFLOAD_EXPIRE_BUDGET 65536 /* mappings reclaimed per tick at most */

struct fld_offload {
	struct fl_offload o;
	struct fld_offload_conf conf;
	int fd;
	uint8_t *gso_buf;       /* set: fd has TCP offload (io/tun.h), reads are bursts */
	struct fl_tun_gro gro;  /* its write-side coalescing, flushed per batch */
	char ifname[IFNAMSIZ];
	uint64_t icmp_second;
	unsigned icmp_count;
	/* Role = offload with DeviceType = tap (interfaces/NAME): the device
	 * is that lan-style TAP (on d->lan, fld_lan.c owns it); packets leave
	 * to the block's Gateway. NULL: a TUN (fd above). */
	struct fld_lan *lan;
	struct fld_iface_conf *blk;	/* the block, when there is one */
};

static void off_report(void *ctx, const char *msg)
{
	(void)ctx;
	fl_dlog(FL_DLOG_ERR, "%s", msg);
}

static void off_warn(void *ctx, const char *msg)
{
	(void)ctx;
	fl_dlog(FL_DLOG_WARN, "%s", msg);
}

static const struct fl_conf_reporter off_reporter = {off_report, off_warn, NULL};

/* The interfaces/NAME block with Role = offload, into *blk: 1, 0 (none;
 * *blk cleared) or -1. It is the same as OffloadInterface = NAME with
 * OffloadAddress from its Address lines; both ways at once are refused,
 * before anything else is said about OffloadInterface: which one wins
 * would not be obvious to whoever reads the configuration. */
static int off_find_block(struct fld *d, struct fl_conf *conf, struct fld_iface_conf *blk)
{
	const struct fl_conf_entry *e = fl_conf_first(conf, "OffloadInterface");
	int r = fld_lan_find_role(d, FLD_IFACE_OFFLOAD, blk);

	if (r <= 0) {
		memset(blk, 0, sizeof(*blk)); /* the last file read was another role's */
		return r;
	}
	if (e) {
		char where[512];
		fl_conf_where(e, where, sizeof(where));
		fl_dlog(FL_DLOG_ERR, "%s: OffloadInterface: interfaces/%s has Role = offload already: use one of them",
			where, blk->name);
		return -1;
	}
	return 1;
}

/* What the block says, into the parsed variables. */
static int off_take_block(struct fld_offload_conf *out, const struct fld_iface_conf *blk)
{
	if (!(out->interface = strdup(blk->name))) {
		fld_offload_conf_free(out);
		return -1;
	}
	out->has4 = out->has6 = false; /* OffloadAddress is for OffloadInterface */
	for (size_t i = 0; i < blk->n_addr; i++) {
		if (blk->addr[i].family == 4)
			memcpy(out->addr4, blk->addr[i].ip, 4), out->has4 = true;
		else
			memcpy(out->addr6, blk->addr[i].ip, 16), out->has6 = true;
	}
	return 0;
}

/* Reads tinc.conf (+ conf.d, -o) for the Offload* variables, and the
 * interfaces/ block with Role = offload when blk is given (start). */
static int off_read_conf(struct fld *d, struct fld_offload_conf *out, struct fld_iface_conf *blk)
{
	struct fl_conf conf;
	char name[256];
	int r = -1, found = 0;

	fl_conf_init(&conf);
	if (fl_conf_read_server(&conf, d->confbase, &d->cmdline, name, sizeof(name), &d->warned,
				&off_reporter) == FL_CONF_OK &&
	    (!blk || (found = off_find_block(d, &conf, blk)) >= 0))
		r = fld_offload_conf_parse(&conf, &off_reporter, out);
	if (r == 0 && found == 1)
		r = off_take_block(out, blk);
	fl_conf_free(&conf);
	return r;
}

static void route_msg(void *ctx, enum fl_route_sev sev, const char *msg)
{
	(void)ctx;
	fl_dlog(sev == FL_ROUTE_ERROR ? FL_DLOG_ERR : FL_DLOG_WARN, "%s", msg);
}

/* Loads prefix files (relative to the config directory) into one table;
 * counts the prefixes per family. *out NULL when there are none. */
static int off_load_lists(struct fld *d, char **files, size_t n, struct fl_lpm **out, size_t *n4,
			  size_t *n6)
{
	struct fl_route_opts o = {.msg = route_msg};
	struct fl_lpm_prefix *all = NULL;
	size_t total = 0;
	int r = 0;

	*out = NULL;
	*n4 = *n6 = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		struct fl_prefix_list l;
		char path[4096];
		if (files[i][0] == '/')
			snprintf(path, sizeof(path), "%s", files[i]);
		else
			snprintf(path, sizeof(path), "%s/%s", d->confbase, files[i]);
		if (fl_prefix_list_load(path, files[i], &o, &l) < 0) {
			r = -1;
			break;
		}
		struct fl_lpm_prefix *na = realloc(all, (total + l.n + 1) * sizeof(*all));
		if (!na) {
			fl_prefix_list_free(&l);
			r = -1;
			break;
		}
		all = na;
		for (size_t j = 0; j < l.n; j++) {
			all[total] = l.p[j];
			all[total++].value = 0;
			*(l.p[j].family == 4 ? n4 : n6) += 1;
		}
		fl_prefix_list_free(&l);
	}
	if (r == 0 && total) {
		enum fl_lpm_err e = fl_lpm_build(all, total, NULL, out);
		if (e != FL_LPM_OK) {
			fl_dlog(FL_DLOG_ERR, "offload: cannot build the prefix table: %s", fl_lpm_strerror(e));
			r = -1;
		}
	}
	free(all);
	return r;
}

/* Builds the set from the lists named in c; NULL (logged) on failure. */
static struct fl_offload_set *off_build(struct fld *d, const struct fld_offload_conf *c)
{
	struct fl_offload_set *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (off_load_lists(d, c->lists, c->n_lists, &s->list, &s->n_list4, &s->n_list6) < 0 ||
	    off_load_lists(d, c->excludes, c->n_excludes, &s->exclude, &s->n_exclude4,
			   &s->n_exclude6) < 0) {
		fl_offload_set_free(s);
		return NULL;
	}
	return s;
}

/* Publishes s. The data path runs on this thread today, so nobody holds
 * the old set now and it is freed at once; with worker threads it must
 * wait for their quiescent point (as fld_routes.c says). */
static void off_publish(struct fld_offload *f, struct fl_offload_set *s)
{
	fl_offload_set_free(fl_offload_publish(&f->o, s));
	if (s)
		fl_dlog(FL_DLOG_INFO,
			"offload: %zu IPv4 and %zu IPv6 prefixes, %zu and %zu excluded",
			s->n_list4, s->n_list6, s->n_exclude4, s->n_exclude6);
}

static int off_nat_new(struct fld_offload *f)
{
	struct nat_config c = f->conf.nat;
	enum nat_err e = NAT_OK;

	randombytes_buf(&c.seed, sizeof(c.seed));
	if (f->conf.has4) {
		memcpy(&c.ext_addr[0], f->conf.addr4, 4);
		c.n_ext = 1;
		f->o.nat4 = nat_new(&c, &e);
	}
	if (e == NAT_OK && f->conf.has6)
		f->o.nat6 = nat6_new(&c, f->conf.addr6, &e);
	if (e != NAT_OK)
		fl_dlog(FL_DLOG_ERR, "offload: cannot set up the NAT: %s", nat_strerror(e));
	return e == NAT_OK ? 0 : -1;
}

/* offload-up / offload-down: run like tinc-up, with INTERFACE set to the
 * offload device and OFFLOAD_ADDRESS (the IPv4 address, else the IPv6
 * one) and OFFLOAD_ADDRESS6 in the environment. */
static void off_script(struct fld *d, struct fld_offload *f, const char *script)
{
	char a4[INET_ADDRSTRLEN] = "", a6[INET6_ADDRSTRLEN] = "";
	char v1[96], v2[96];
	const char *vars[3] = {v1, NULL, NULL};
	struct fl_script_env env = {
		.confbase = d->confbase,
		.netname = d->netname && *d->netname ? d->netname : NULL,
		.name = d->name,
		.device = d->device,
		.interface = f->ifname,
		.extension = *d->cfg->s.scripts_extension ? d->cfg->s.scripts_extension : NULL,
		.interpreter = d->cfg->s.scripts_interpreter,
		.debug = d->debug,
	};

	if (!d->scripts)
		return;
	if (f->conf.has4)
		inet_ntop(AF_INET, f->conf.addr4, a4, sizeof(a4));
	if (f->conf.has6)
		inet_ntop(AF_INET6, f->conf.addr6, a6, sizeof(a6));
	snprintf(v1, sizeof(v1), "OFFLOAD_ADDRESS=%s", a4[0] ? a4 : a6);
	if (a6[0]) {
		snprintf(v2, sizeof(v2), "OFFLOAD_ADDRESS6=%s", a6);
		vars[1] = v2;
	}
	fl_script_set_env(d->scripts, &env);
	fl_script_run_sync(d->scripts, script, vars);
	env.interface = d->ifname[0] ? d->ifname : NULL; /* back to the VPN device's */
	fl_script_set_env(d->scripts, &env);
}

/* Writes what the coalescing buffer holds (one packet or one TCP burst). */
static void off_gro_flush(struct fld_offload *f)
{
	size_t n = f->gro.buf ? fl_tun_gro_finish(&f->gro) : 0;

	if (n && fl_tun_write(f->fd, f->gro.buf, n) < 0)
		f->o.st.drop[FL_OFFLOAD_DROP_WRITE]++;
}

void fld_offload_flush(struct fld *d)
{
	if (d->offload)
		off_gro_flush(d->offload);
}

/* One translated packet to the offload device. ip has at least
 * FL_TUN_VNET_HLEN bytes of the frame header in front of it. With TCP
 * offload, segments of one flow are merged into one write until the batch
 * ends (fld_offload_flush); anything else is written alone after the
 * buffer, so nothing is reordered. Every TCP write leaves its checksum to
 * the kernel (fl_tun_vnet_csum, gro.fix_single): a segment may come from
 * a burst cut without checksums (fld_offload_burst_no_csum). */
static void off_write(struct fld_offload *f, uint8_t *ip, size_t len)
{
	if (f->gso_buf) {
		if (fl_tun_gro_add(&f->gro, ip, len))
			return;
		off_gro_flush(f);
		if (fl_tun_gro_add(&f->gro, ip, len))
			return;
		ip -= FL_TUN_VNET_HLEN;
		fl_tun_vnet_csum(ip, ip + FL_TUN_VNET_HLEN, len);
		len += FL_TUN_VNET_HLEN;
	}
	if (fl_tun_write(f->fd, ip, len) < 0)
		f->o.st.drop[FL_OFFLOAD_DROP_WRITE]++;
}

static struct fl_dp_peer *off_myself(struct fld *d)
{
	return fld_peer(d, mesh_myself(d->mesh));
}

/* Packets read from the offload device: through the NAT back to the VPN
 * device, or dropped and counted (nothing reaches the LAN without a
 * mapping). Takes the packets. */
static void off_input(struct fld *d, struct fl_pkt **pkts, int n, uint64_t now)
{
	struct fld_offload *f = d->offload;

	for (int i = 0; i < n; i++) {
		struct fl_pkt *p = pkts[i];
		if (fl_offload_in(&f->o, p->data, p->len, now) != FL_OFFLOAD_SEND ||
		    fl_ip_push_frame_header(p) != FL_WIRE_OK) {
			fl_pkt_free(p);
			continue;
		}
		fl_dp_send_frame(d->dp, now, off_myself(d), p);
	}
}

void fld_offload_tap_in(struct fld *d, struct fl_pkt *p)
{
	if (!d->offload) {
		fl_pkt_free(p);
		return;
	}
	off_input(d, &p, 1, fld_now(d));
}

static void off_readable(void *ctx, int fd, unsigned events)
{
	struct fld *d = ctx;
	struct fld_offload *f = d->offload;
	/* A 64 KiB burst at TCP's smallest MSS (88) is 745 segments. */
	static struct fl_pkt *pkts[768];

	(void)events;
	for (int round = 0; round < (f->gso_buf ? (int)FL_UDP_BATCH : 4); round++) {
		int n = f->gso_buf ? fl_tun_read_gso(fd, f->gso_buf, d->pool, pkts, 768)
				   : fl_tun_read_batch(fd, d->pool, pkts, FL_UDP_BATCH);
		fl_time_t now = fld_now(d);
		if (n < 0 || (n == 0 && !f->gso_buf))
			break;
		if (n == 0) /* a burst the offload parser could not cut */
			f->o.st.drop[FL_OFFLOAD_DROP_BAD]++;
		off_input(d, pkts, n, now);
		if (!f->gso_buf) {
			fld_dp_flush(d);
			if (n < (int)FL_UDP_BATCH)
				break;
		}
	}
	fld_dp_flush(d);
}

/* "Time exceeded" from us (source: our offload address of that family),
 * back to the VPN device; at most OFFLOAD_ICMP_PER_SEC a second. Takes p. */
static void off_time_exceeded(struct fld *d, struct fld_offload *f, uint64_t now, struct fl_pkt *p)
{
	bool v4 = p->data[14] >> 4 == 4;
	enum fl_wire_err e;
	size_t n = 0;

	if ((uint64_t)fl_time_to_s(now) != f->icmp_second) {
		f->icmp_second = (uint64_t)fl_time_to_s(now);
		f->icmp_count = 0;
	}
	if (++f->icmp_count > OFFLOAD_ICMP_PER_SEC) {
		f->o.st.drop[FL_OFFLOAD_DROP_TTL]++;
		fl_pkt_free(p);
		return;
	}
	if (v4)
		e = fl_icmp4_error(p->data, p->len, FL_ICMP_TIME_EXCEEDED, FL_ICMP_EXC_TTL,
				   f->conf.addr4, p->data, fl_pkt_tailroom(p) + p->len, &n);
	else
		e = fl_icmp6_error(p->data, p->len, FL_ICMP6_TIME_EXCEEDED, FL_ICMP6_TIME_EXCEED_TRANSIT,
				   f->conf.addr6, p->data, fl_pkt_tailroom(p) + p->len, &n);
	if (e != FL_WIRE_OK) {
		f->o.st.drop[FL_OFFLOAD_DROP_TTL]++;
		fl_pkt_free(p);
		return;
	}
	p->len = (uint32_t)n;
	fl_dp_send_frame(d->dp, now, off_myself(d), p);
}

bool fld_offload_burst_no_csum(void *ctx, const uint8_t *ip, size_t len)
{
	struct fld *d = ctx;
	struct fld_offload *f = d->offload;

	if (!f || !f->gso_buf || len < 40)
		return false;
	/* To our own offload address: hairpinned back to the LAN (IPv4),
	 * not through the offload writer. */
	if (ip[0] >> 4 == 4 ? f->conf.has4 && !memcmp(ip + 16, f->conf.addr4, 4)
			    : f->conf.has6 && !memcmp(ip + 24, f->conf.addr6, 16))
		return false;
	return fl_offload_would_send(&f->o, ip, len);
}

bool fld_offload_hook(void *ctx, uint64_t now_us, struct fl_pkt *p)
{
	struct fld *d = ctx;
	struct fld_offload *f = d->offload;

	if (!f || p->len <= 14)
		return false;
	uint8_t *ip = p->data + 14;
	size_t len = p->len - 14;
	switch (fl_offload_out(&f->o, ip, len, now_us)) {
	case FL_OFFLOAD_PASS:
		return false;
	case FL_OFFLOAD_SEND:
		if (f->lan) { /* a TAP: to the gateway's MAC, once resolved */
			bool v4 = ip[0] >> 4 == 4;
			fld_lan_gateway_out(f->lan, p, v4 ? 4 : 6, v4 ? f->blk->gw4 : f->blk->gw6);
			return true;
		}
		off_write(f, ip, len);
		fl_pkt_free(p);
		return true;
	case FL_OFFLOAD_BACK:
		fl_dp_send_frame(d->dp, now_us, off_myself(d), p);
		return true;
	case FL_OFFLOAD_TTL:
		off_time_exceeded(d, f, now_us, p);
		return true;
	case FL_OFFLOAD_DROP:
		break;
	}
	fl_pkt_free(p);
	return true;
}

/* The offload device, with TCP offload when the kernel allows it (one
 * write per TCP burst, as the VPN device in fenliud.c), else plain. */
static int off_open(struct fld *d, struct fld_offload *f)
{
	const char *path = d->device[0] ? d->device : NULL;
	int fd = -ENOMEM;

	f->gso_buf = malloc(FL_TUN_GSO_MAX);
	f->gro.buf = malloc(FL_TUN_GSO_MAX);
	f->gro.fix_single = true; /* lone TCP segments: checksum by the kernel */
	if (f->gso_buf && f->gro.buf)
		fd = fl_tun_open_offload(path, f->conf.interface, f->ifname);
	if (fd < 0) {
		free(f->gso_buf);
		free(f->gro.buf);
		f->gso_buf = f->gro.buf = NULL;
		fd = fl_tun_open(path, f->conf.interface, f->ifname);
	}
	return fd;
}

static void off_free(struct fld_offload *f)
{
	free(f->gso_buf);
	free(f->gro.buf);
	fl_offload_set_free(fl_offload_publish(&f->o, NULL));
	nat_free(f->o.nat4);
	nat6_free(f->o.nat6);
	fld_offload_conf_free(&f->conf);
	free(f->blk);
	free(f);
}

/* Role = offload, DeviceType = tap: the TAP is a lan-style interface
 * (ARP/NDP, our address answered, fld_lan.c owns and closes it) whose IP
 * to us comes back through fld_offload_tap_in. */
static int off_start_tap(struct fld *d, struct fld_offload *f)
{
	d->offload = f;
	if (fld_lan_open(d, f->blk) < 0) {
		d->offload = NULL;
		off_free(f);
		return -1;
	}
	f->lan = d->lan;
	snprintf(f->ifname, sizeof(f->ifname), "%s", f->lan->ifname);
	fl_dlog(FL_DLOG_INFO, "offload: TAP interface %s", f->ifname);
	off_script(d, f, "offload-up");
	return 0;
}

int fld_offload_start(struct fld *d)
{
	struct fld_offload *f = calloc(1, sizeof(*f));
	struct fl_offload_set *s;
	int fd;

	if (!f)
		return -1;
	f->fd = -1;
	if (!(f->blk = calloc(1, sizeof(*f->blk))) || off_read_conf(d, &f->conf, f->blk) < 0)
		goto fail;
	if (!f->conf.interface) { /* split tunnelling off */
		if (f->conf.n_lists || f->conf.has4 || f->conf.has6)
			fl_dlog(FL_DLOG_WARN, "offload: Offload* variables without OffloadInterface are ignored");
		off_free(f);
		return 0;
	}
	if (off_nat_new(f) < 0 || !(s = off_build(d, &f->conf)))
		goto fail;
	off_publish(f, s);
	if (f->blk->role && f->blk->tap)
		return off_start_tap(d, f);
	fd = off_open(d, f);
	if (fd < 0) {
		fl_dlog(FL_DLOG_ERR, "offload: cannot create interface %s: %s", f->conf.interface,
			strerror(-fd));
		goto fail;
	}
	f->fd = fd;
	d->offload = f;
	if (fld_watch(d, fd, FL_LOOP_READ, off_readable, d) < 0)
		goto fail_watch;
	fl_dlog(FL_DLOG_INFO, "offload: interface %s", f->ifname);
	off_script(d, f, "offload-up");
	return 0;
fail_watch:
	d->offload = NULL;
	close(fd);
fail:
	off_free(f);
	return -1;
}

int fld_offload_reload(struct fld *d)
{
	struct fld_offload *f = d->offload;
	struct fld_offload_conf c;
	struct fl_offload_set *s;

	if (!f)
		return 0; /* OffloadInterface is read at start only */
	if (off_read_conf(d, &c, NULL) < 0) {
		fl_dlog(FL_DLOG_ERR, "offload: keeping the previous lists");
		return -1;
	}
	if (f->blk->role) /* the block is read at start only */
		;
	else if (!c.interface || strcmp(c.interface, f->conf.interface) || c.has4 != f->conf.has4 ||
	    c.has6 != f->conf.has6 || memcmp(c.addr4, f->conf.addr4, 4) || memcmp(c.addr6, f->conf.addr6, 16))
		fl_dlog(FL_DLOG_WARN, "offload: OffloadInterface and OffloadAddress change on restart only");
	if (!(s = off_build(d, &c))) {
		fl_dlog(FL_DLOG_ERR, "offload: keeping the previous lists");
		fld_offload_conf_free(&c);
		return -1;
	}
	off_publish(f, s); /* one swap: the NAT and its mappings stay */
	/* Keep what the running NAT and device were made from; take the lists. */
	char **l = f->conf.lists, **x = f->conf.excludes;
	size_t nl = f->conf.n_lists, nx = f->conf.n_excludes;
	f->conf.lists = c.lists, f->conf.n_lists = c.n_lists;
	f->conf.excludes = c.excludes, f->conf.n_excludes = c.n_excludes;
	c.lists = l, c.n_lists = nl, c.excludes = x, c.n_excludes = nx;
	fld_offload_conf_free(&c);
	return 0;
}

void fld_offload_stop(struct fld *d)
{
	struct fld_offload *f = d->offload;

	if (!f)
		return;
	off_script(d, f, "offload-down");
	off_gro_flush(f);
	d->offload = NULL;
	if (f->fd >= 0) { /* a TAP (f->lan) is closed by fld_lan_stop */
		fld_unwatch(d, f->fd);
		close(f->fd);
	}
	off_free(f);
}

void fld_offload_tick(struct fld *d)
{
	struct fld_offload *f = d->offload;
	fl_time_t now = fld_now(d);

	if (!f)
		return;
	if (f->o.nat4)
		nat_expire(f->o.nat4, now, OFFLOAD_EXPIRE_BUDGET);
	if (f->o.nat6)
		nat6_expire(f->o.nat6, now, OFFLOAD_EXPIRE_BUDGET);
}

/* ---- `fenliu dump offload` and `fenliu dump nat` ----------------------- */

static void linef(fld_offload_line_fn *emit, void *sink, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void linef(fld_offload_line_fn *emit, void *sink, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(sink, line);
}

void fld_offload_dump(struct fld *d, fld_offload_line_fn *emit, void *sink)
{
	struct fld_offload *f = d->offload;
	char a4[INET_ADDRSTRLEN] = "-", a6[INET6_ADDRSTRLEN] = "-";

	if (!f) {
		emit(sink, "offload off");
		return;
	}
	const struct fl_offload_set *s = atomic_load(&f->o.set);
	const struct fl_offload_stats *st = &f->o.st;
	if (f->conf.has4)
		inet_ntop(AF_INET, f->conf.addr4, a4, sizeof(a4));
	if (f->conf.has6)
		inet_ntop(AF_INET6, f->conf.addr6, a6, sizeof(a6));
	linef(emit, sink, "interface %s address %s address6 %s", f->ifname, a4, a6);
	linef(emit, sink, "list files %zu ipv4 %zu ipv6 %zu", f->conf.n_lists, s ? s->n_list4 : 0,
	      s ? s->n_list6 : 0);
	linef(emit, sink, "exclude files %zu ipv4 %zu ipv6 %zu", f->conf.n_excludes,
	      s ? s->n_exclude4 : 0, s ? s->n_exclude6 : 0);
	linef(emit, sink, "lookups %llu hits %llu excluded %llu no_address %llu sticky %llu",
	      (unsigned long long)st->lookups, (unsigned long long)st->hits,
	      (unsigned long long)st->excluded, (unsigned long long)st->no_addr,
	      (unsigned long long)st->sticky);
	linef(emit, sink, "out packets %llu bytes %llu", (unsigned long long)st->out_packets,
	      (unsigned long long)st->out_bytes);
	linef(emit, sink, "in packets %llu bytes %llu", (unsigned long long)st->in_packets,
	      (unsigned long long)st->in_bytes);
	for (int i = 0; i < FL_OFFLOAD_DROP_MAX; i++)
		linef(emit, sink, "drop %s %llu", fl_offload_drop_name((enum fl_offload_drop)i),
		      (unsigned long long)st->drop[i]);
}

struct nat_sink {
	fld_offload_line_fn *emit;
	void *sink;
};

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 58: return "icmp6";
	case 136: return "udplite";
	}
	return "?";
}

static void nat_line(void *ctx, const struct nat_entry *e)
{
	struct nat_sink *ns = ctx;
	int af = e->family == 4 ? AF_INET : AF_INET6;
	char in[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN];

	inet_ntop(af, e->int_addr, in, sizeof(in));
	inet_ntop(af, e->ext_addr, out, sizeof(out));
	linef(ns->emit, ns->sink, e->family == 4 ? "%s %s:%u %s:%u idle %u expires %u %s"
						 : "%s [%s]:%u [%s]:%u idle %u expires %u %s",
	      proto_name(e->proto), in, e->int_port, out, e->ext_port, e->idle, e->expires, e->state);
}

static void nat_counters(fld_offload_line_fn *emit, void *sink, const char *fam,
			 const struct nat_stats *st)
{
	linef(emit, sink, "%s active %u created %llu expired %llu memory %zu", fam, st->active,
	      (unsigned long long)st->created, (unsigned long long)st->expired, st->memory);
	for (int i = 0; i < NAT_VERDICT_COUNT; i++)
		linef(emit, sink, "%s %s %llu", fam, nat_verdict_str((enum nat_verdict)i),
		      (unsigned long long)st->verdict[i]);
}

void fld_offload_dump_nat(struct fld *d, fld_offload_line_fn *emit, void *sink)
{
	struct fld_offload *f = d->offload;
	struct nat_sink ns = {emit, sink};
	fl_time_t now = fld_now(d);
	struct nat_stats st;

	if (!f) {
		emit(sink, "offload off");
		return;
	}
	if (f->o.nat4)
		nat_each(f->o.nat4, now, nat_line, &ns);
	if (f->o.nat6)
		nat6_each(f->o.nat6, now, nat_line, &ns);
	if (f->o.nat4) {
		nat_stats_get(f->o.nat4, &st);
		nat_counters(emit, sink, "ipv4", &st);
	}
	if (f->o.nat6) {
		nat6_stats_get(f->o.nat6, &st);
		nat_counters(emit, sink, "ipv6", &st);
	}
}

void fld_offload_each_line(void *ctx, int req, fl_ctl_line_fn *emit, void *sink)
{
	if (req == FL_REQ_DUMP_OFFLOAD)
		fld_offload_dump(ctx, emit, sink);
	else if (req == FL_REQ_DUMP_NAT) {
		fld_offload_dump_nat(ctx, emit, sink);
		fld_vpnnat_dump_nat(ctx, emit, sink); /* the lan interfaces' */
	}
}
