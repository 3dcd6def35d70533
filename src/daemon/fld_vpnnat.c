/* SPDX-License-Identifier: MIT */
/*
 * fld_vpnnat.c: the LAN->VPN NAT of `lan` interfaces at run time (VPNNat,
 * PortForward): one src/nat instance per interface with the VPNNat
 * address as its external address and the PortForward lines as static
 * forwards; the two calls the lan frame path makes (out: LAN -> mesh, in:
 * mesh -> LAN), the once-a-second expiry, and the lines of `fenliu dump
 * nat` and `dump stats`. Control thread only, like the whole data path.
 * The instances are listed in struct fld so the tick and the dumps need
 * not know the interface code.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "conf/conf_load.h"
#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_iface_conf.h"
#include "daemon/fld_vpnnat.h"

/* Mappings per LAN: a LAN's worth of hosts and flows, 2 MB of tables. */
#define VPNNAT_MAX_MAPPINGS 16384
#define VPNNAT_EXPIRE_BUDGET 4096 /* mappings reclaimed per tick */
#define VPNNAT_FILE_MAX 65536     /* as fld_lan.c reads interfaces/ files */

struct fld_vpnnat {
	struct fld_vpnnat *next; /* d->vpnnat list */
	char ifname[32];
	uint32_t addr;           /* VPNNat, network order */
	struct nat *nat;
	struct fld_vpnnat_fwd *fwd; /* the forwards set in nat */
	size_t n_fwd;
	/* what the calls did, beyond the NAT's own verdict counts */
	uint64_t out_ok, out_drop, out_hairpin, in_ok, in_pass, in_drop;
};

static void vn_log_fwd(const struct fld_vpnnat *v, const struct fld_vpnnat_fwd *f, const char *what)
{
	char a[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &f->int_addr, a, sizeof(a));
	fl_dlog(FL_DLOG_ERR, "%s: PortForward %s %u %s:%u: %s", v->ifname, f->proto == 6 ? "tcp" : "udp",
		ntohs(f->ext_port), a, ntohs(f->int_port), what);
}

static bool fwd_in(const struct fld_vpnnat_fwd *f, const struct fld_vpnnat_fwd *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i].proto == f->proto && set[i].ext_port == f->ext_port &&
		    set[i].int_addr == f->int_addr && set[i].int_port == f->int_port)
			return true;
	return false;
}

/* Makes v's forwards exactly c's: removes the ones c lacks (closing their
 * connections), adds the new ones; unchanged ones keep their mappings. */
static int vn_set_forwards(struct fld_vpnnat *v, const struct fld_vpnnat_conf *c)
{
	struct fld_vpnnat_fwd *keep = calloc(c->n_fwd + 1, sizeof(*keep));
	size_t n_keep = 0;
	int ret = 0;

	if (!keep)
		return -1;
	for (size_t i = 0; i < v->n_fwd; i++)
		if (!fwd_in(&v->fwd[i], c->fwd, c->n_fwd))
			(void)nat_forward_remove(v->nat, v->fwd[i].proto, v->fwd[i].ext_port);
	for (size_t i = 0; i < c->n_fwd; i++) {
		const struct fld_vpnnat_fwd *f = &c->fwd[i];
		enum nat_fwd_err e = NAT_FWD_OK;
		if (!fwd_in(f, v->fwd, v->n_fwd))
			e = nat_forward_add(v->nat, f->proto, f->ext_port, f->int_addr, f->int_port);
		if (e == NAT_FWD_OK)
			keep[n_keep++] = *f;
		else {
			vn_log_fwd(v, f, nat_fwd_strerror(e));
			ret = -1;
		}
	}
	free(v->fwd);
	v->fwd = keep;
	v->n_fwd = n_keep;
	return ret;
}

static struct nat *vn_nat_new(uint32_t addr)
{
	struct nat_config c;
	enum nat_err e;

	nat_config_defaults(&c);
	c.ext_addr[0] = addr;
	c.n_ext = 1;
	c.max_mappings = VPNNAT_MAX_MAPPINGS;
	randombytes_buf(&c.seed, sizeof(c.seed));
	struct nat *n = nat_new(&c, &e);
	if (!n)
		fl_dlog(FL_DLOG_ERR, "VPNNat: cannot set up the NAT: %s", nat_strerror(e));
	return n;
}

struct fld_vpnnat *fld_vpnnat_new(struct fld *d, const char *ifname, const struct fld_vpnnat_conf *c)
{
	if (!c->on)
		return NULL;
	struct fld_vpnnat *v = calloc(1, sizeof(*v));
	if (!v || !(v->nat = vn_nat_new(c->addr))) {
		free(v);
		return NULL;
	}
	snprintf(v->ifname, sizeof(v->ifname), "%s", ifname);
	v->addr = c->addr;
	if (vn_set_forwards(v, c) < 0) {
		nat_free(v->nat);
		free(v->fwd);
		free(v);
		return NULL;
	}
	v->next = d->vpnnat;
	d->vpnnat = v;
	char a[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &v->addr, a, sizeof(a));
	fl_dlog(FL_DLOG_INFO, "%s: LAN sources leave as %s, %zu port forwards", v->ifname, a, c->n_fwd);
	return v;
}

int fld_vpnnat_reload(struct fld *d, struct fld_vpnnat *v, const struct fld_vpnnat_conf *c)
{
	(void)d;
	if (!c->on)
		return -1; /* the caller frees v: VPNNat was removed */
	if (c->addr != v->addr) {
		struct nat *n = vn_nat_new(c->addr);
		if (!n)
			return -1;
		nat_free(v->nat);
		v->nat = n;
		v->addr = c->addr;
		v->n_fwd = 0; /* the fresh NAT has none yet */
	}
	return vn_set_forwards(v, c);
}

void fld_vpnnat_free(struct fld *d, struct fld_vpnnat *v)
{
	if (!v)
		return;
	for (struct fld_vpnnat **p = &d->vpnnat; *p; p = &(*p)->next)
		if (*p == v) {
			*p = v->next;
			break;
		}
	nat_free(v->nat);
	free(v->fwd);
	free(v);
}

static bool is_ipv4(const uint8_t *ip, size_t len)
{
	return len >= 1 && ip[0] >> 4 == 4;
}

bool fld_vpnnat_out(struct fld_vpnnat *v, uint8_t *ip, size_t len, uint64_t now_us)
{
	if (!is_ipv4(ip, len))
		return true; /* IPv6 is routed, not translated */
	enum nat_verdict r = nat_out(v->nat, ip, len, (fl_time_t)now_us);
	if (r == NAT_TRANSLATED) {
		v->out_ok++;
		return true;
	}
	if (r == NAT_HAIRPIN) { /* to the VPNNat address: now to a LAN host */
		v->out_hairpin++;
		return true;
	}
	v->out_drop++;
	return false;
}

/* An ICMP echo request to the VPNNat address: the NAT leaves it to us. */
static bool echo_request(const uint8_t *ip, size_t len)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;
	return ip[9] == 1 && len > ihl && ip[ihl] == 8;
}

bool fld_vpnnat_in(struct fld_vpnnat *v, uint8_t *ip, size_t len, uint64_t now_us)
{
	if (!is_ipv4(ip, len) || len < 20 || memcmp(ip + 16, &v->addr, 4) != 0)
		return true; /* not for the VPNNat address */
	enum nat_verdict r = nat_in(v->nat, ip, len, (fl_time_t)now_us);
	if (r == NAT_TRANSLATED) {
		v->in_ok++;
		return true;
	}
	if (r == NAT_NO_MAPPING && echo_request(ip, len)) {
		v->in_pass++;
		return true;
	}
	v->in_drop++;
	return false;
}

void fld_vpnnat_tick(struct fld *d)
{
	fl_time_t now = fld_now(d);
	for (struct fld_vpnnat *v = d->vpnnat; v; v = v->next)
		nat_expire(v->nat, now, VPNNAT_EXPIRE_BUDGET);
}

__attribute__((format(printf, 3, 4)))
static void linef(fld_vpnnat_line_fn *emit, void *sink, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	emit(sink, line);
}

struct vn_sink {
	fld_vpnnat_line_fn *emit;
	void *sink;
	const struct fld_vpnnat *v;
};

static const char *proto_name(uint8_t p)
{
	return p == 1 ? "icmp" : p == 6 ? "tcp" : p == 17 ? "udp" : p == 136 ? "udplite" : "?";
}

static void vn_line(void *ctx, const struct nat_entry *e)
{
	const struct vn_sink *s = ctx;
	char in[INET_ADDRSTRLEN], out[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, e->int_addr, in, sizeof(in));
	inet_ntop(AF_INET, e->ext_addr, out, sizeof(out));
	linef(s->emit, s->sink, "lan %s %s %s:%u %s:%u idle %u expires %u %s", s->v->ifname,
	      proto_name(e->proto), in, e->int_port, out, e->ext_port, e->idle, e->expires, e->state);
}

void fld_vpnnat_dump_nat(struct fld *d, fld_vpnnat_line_fn *emit, void *sink)
{
	fl_time_t now = fld_now(d);

	for (const struct fld_vpnnat *v = d->vpnnat; v; v = v->next) {
		struct vn_sink s = {emit, sink, v};
		struct nat_stats st;
		nat_each(v->nat, now, vn_line, &s);
		nat_stats_get(v->nat, &st);
		linef(emit, sink, "lan %s active %u created %llu expired %llu memory %zu forwards %zu",
		      v->ifname, st.active, (unsigned long long)st.created,
		      (unsigned long long)st.expired, st.memory, nat_forward_count(v->nat));
		for (int i = 0; i < NAT_VERDICT_COUNT; i++)
			linef(emit, sink, "lan %s %s %llu", v->ifname, nat_verdict_str((enum nat_verdict)i),
			      (unsigned long long)st.verdict[i]);
	}
}

void fld_vpnnat_stats(struct fld *d, fld_vpnnat_stat_fn *emit, void *sink)
{
	unsigned long long out_ok = 0, out_drop = 0, hairpin = 0, in_ok = 0, in_pass = 0, in_drop = 0;
	unsigned long long active = 0;

	if (!d->vpnnat)
		return;
	for (const struct fld_vpnnat *v = d->vpnnat; v; v = v->next) {
		struct nat_stats st;
		nat_stats_get(v->nat, &st);
		out_ok += v->out_ok;
		out_drop += v->out_drop;
		hairpin += v->out_hairpin;
		in_ok += v->in_ok;
		in_pass += v->in_pass;
		in_drop += v->in_drop;
		active += st.active;
	}
	emit(sink, "vpnnat", "out_translated", out_ok);
	emit(sink, "vpnnat", "out_dropped", out_drop);
	emit(sink, "vpnnat", "out_hairpin", hairpin);
	emit(sink, "vpnnat", "in_translated", in_ok);
	emit(sink, "vpnnat", "in_echo_passed", in_pass);
	emit(sink, "vpnnat", "in_dropped", in_drop);
	emit(sink, "vpnnat", "mappings", active);
}

/* ---- glue for fld_lan.c ----------------------------------------------- */

static void vn_report(void *ctx, const char *msg)
{
	(void)ctx;
	fl_dlog(FL_DLOG_ERR, "%s", msg);
}

/* Reads interfaces/NAME again and checks its VPNNat and PortForward lines
 * against what only the daemon knows: our Subnets and the interface's
 * prefixes (from ic, already parsed by fld_iface_conf.c). */
static int vn_read(struct fld *d, const struct fld_iface_conf *ic, struct fld_vpnnat_conf *out)
{
	static const struct fl_conf_reporter rep = {vn_report, vn_report, NULL};
	struct fld_vpnnat_prefix pfx[FLD_IFACE_ADDR_MAX];
	size_t n_pfx = 0, n;
	char path[4096], file[64];
	static char buf[VPNNAT_FILE_MAX + 1];
	FILE *f;

	for (size_t i = 0; i < ic->n_addr; i++)
		if (ic->addr[i].family == 4) {
			memcpy(&pfx[n_pfx].addr, ic->addr[i].ip, 4);
			pfx[n_pfx++].len = ic->addr[i].plen;
		}
	snprintf(path, sizeof(path), "%s/interfaces/%s", d->confbase, ic->name);
	snprintf(file, sizeof(file), "interfaces/%s", ic->name);
	if (!(f = fopen(path, "re"))) {
		fl_dlog(FL_DLOG_ERR, "%s: cannot open: %s", file, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n > VPNNAT_FILE_MAX)
		return fl_dlog(FL_DLOG_ERR, "%s: larger than %d bytes", file, VPNNAT_FILE_MAX), -1;
	return fld_vpnnat_conf_parse_text(file, buf, n, &d->cfg->s.subnet, pfx, n_pfx, &rep, out);
}

int fld_vpnnat_open(struct fld *d, const struct fld_iface_conf *ic, struct fld_vpnnat **out)
{
	struct fld_vpnnat_conf c;

	*out = NULL;
	if (!ic->has_vpnnat)
		return 0;
	if (vn_read(d, ic, &c) < 0)
		return -1;
	*out = fld_vpnnat_new(d, ic->name, &c);
	fld_vpnnat_conf_free(&c);
	return *out ? 0 : -1;
}

int fld_vpnnat_reload_iface(struct fld *d, struct fld_vpnnat *v, const struct fld_iface_conf *ic)
{
	struct fld_vpnnat_conf c;
	int r;

	if (!v || !ic->has_vpnnat)
		return 0;
	if (vn_read(d, ic, &c) < 0) {
		fl_dlog(FL_DLOG_ERR, "interfaces/%s: keeping the running VPNNat and forwards", ic->name);
		return -1;
	}
	r = fld_vpnnat_reload(d, v, &c);
	if (r == 0)
		fl_dlog(FL_DLOG_INFO, "%s: VPNNat reloaded, %zu port forwards", v->ifname, v->n_fwd);
	fld_vpnnat_conf_free(&c);
	return r;
}
