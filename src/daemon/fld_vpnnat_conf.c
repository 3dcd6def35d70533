/* SPDX-License-Identifier: MIT */
/*
 * fld_vpnnat_conf.c: reads VPNNat and PortForward of one interfaces/NAME
 * file into struct fld_vpnnat_conf (syntax in fenliu.conf(5)). Called at
 * start and reload by whoever reads the interface files; pure (no I/O:
 * messages go to the caller's reporter), so unit tests and the fuzzer
 * call it directly. Every rejection names FILE:LINE and the value.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/fld_vpnnat.h"
#include "mesh/mesh_subnet.h"

static uint32_t mask_of(unsigned len)
{
	return len == 0 ? 0 : htonl(~0u << (32 - len));
}

static bool in_prefix(uint32_t a, uint32_t net, unsigned len)
{
	return ((a ^ net) & mask_of(len)) == 0;
}

/* A whole decimal port 1-65535 from (p, len); no sign, no spaces. */
static bool parse_port(const char *p, size_t len, uint16_t *out)
{
	unsigned long v = 0;
	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*out = htons((uint16_t)v);
	return true;
}

static bool unicast4(uint32_t a)
{
	uint8_t b[4];
	memcpy(b, &a, 4);
	return a != 0 && a != UINT32_MAX && b[0] != 0 && b[0] != 127 && b[0] < 224;
}

/* Is addr inside one of our IPv4 Subnets? Malformed lines were reported
 * where hosts/ is read; here they simply do not match. */
static bool ours(const struct fl_strv *subnets, uint32_t addr)
{
	for (size_t i = 0; subnets && i < subnets->n; i++) {
		struct mesh_subnet s;
		const char *t = subnets->v[i];
		if (mesh_subnet_parse(&s, t, strlen(t)) != MESH_SUBNET_OK || s.type != MESH_SUBNET_IPV4)
			continue;
		uint32_t net;
		memcpy(&net, s.addr, 4);
		if (in_prefix(addr, net, (unsigned)s.prefix))
			return true;
	}
	return false;
}

static int parse_vpnnat(const struct fl_conf_entry *e, const struct fl_strv *subnets,
			const struct fl_conf_reporter *r, struct fld_vpnnat_conf *out)
{
	uint32_t a;
	if (out->on)
		return fl_conf_report(r, e, "given twice (one VPNNat per interface)");
	if (inet_pton(AF_INET, e->value, &a) != 1)
		return fl_conf_report(r, e, "expected an IPv4 address (VPNNat is IPv4 only)");
	if (!unicast4(a))
		return fl_conf_report(r, e, "not a unicast IPv4 address");
	if (!ours(subnets, a))
		return fl_conf_report(r, e, "not inside one of our Subnets in hosts/ (replies would not reach us)");
	out->addr = a;
	out->on = true;
	return 0;
}

/* LANHOST checks: inside a prefix of the interface, not its network or
 * broadcast address, not the interface's own address. */
static const char *lanhost_bad(uint32_t a, const struct fld_vpnnat_prefix *pfx, size_t n_pfx)
{
	if (!unicast4(a))
		return "LANHOST is not a unicast IPv4 address";
	if (n_pfx == 0)
		return NULL;
	for (size_t i = 0; i < n_pfx; i++) {
		if (a == pfx[i].addr)
			return "LANHOST is the interface's own address";
		if (!in_prefix(a, pfx[i].addr, pfx[i].len))
			continue;
		uint32_t host = a & ~mask_of(pfx[i].len);
		if (pfx[i].len < 31 && (host == 0 || host == ~mask_of(pfx[i].len)))
			return "LANHOST is the network or broadcast address of the interface's prefix";
		return NULL;
	}
	return "LANHOST is not inside the interface's Address prefixes";
}

/* "tcp|udp PORT LANHOST:PORT", words separated by spaces or tabs. */
static int parse_forward(const struct fl_conf_entry *e, const struct fld_vpnnat_prefix *pfx, size_t n_pfx,
			 const struct fl_conf_reporter *r, struct fld_vpnnat_fwd *f)
{
	char proto[8], port[8], host[64];
	char tail;
	if (sscanf(e->value, "%7s %7s %63s %c", proto, port, host, &tail) != 3)
		return fl_conf_report(r, e, "expected 'tcp|udp PORT LANHOST:PORT'");
	if (!strcasecmp(proto, "tcp"))
		f->proto = 6;
	else if (!strcasecmp(proto, "udp"))
		f->proto = 17;
	else
		return fl_conf_report(r, e, "protocol '%s' is not tcp or udp", proto);
	if (!parse_port(port, strlen(port), &f->ext_port))
		return fl_conf_report(r, e, "port '%s' is not in 1-65535", port);
	char *colon = strrchr(host, ':');
	if (!colon)
		return fl_conf_report(r, e, "expected LANHOST:PORT, found '%s'", host);
	*colon = '\0';
	if (!parse_port(colon + 1, strlen(colon + 1), &f->int_port))
		return fl_conf_report(r, e, "LAN port '%s' is not in 1-65535", colon + 1);
	if (inet_pton(AF_INET, host, &f->int_addr) != 1)
		return fl_conf_report(r, e, "LANHOST '%s' is not an IPv4 address (forwards are IPv4 only)", host);
	const char *why = lanhost_bad(f->int_addr, pfx, n_pfx);
	if (why)
		return fl_conf_report(r, e, "%s", why);
	return 0;
}

static int check_dup(const struct fl_conf_entry *e, const struct fld_vpnnat_conf *out,
		     const struct fld_vpnnat_fwd *f, const struct fl_conf_reporter *r)
{
	for (size_t i = 0; i < out->n_fwd; i++) {
		const struct fld_vpnnat_fwd *o = &out->fwd[i];
		if (o->proto != f->proto)
			continue;
		if (o->ext_port == f->ext_port)
			return fl_conf_report(r, e, "port %u is forwarded twice", ntohs(f->ext_port));
		if (o->int_addr == f->int_addr && o->int_port == f->int_port)
			return fl_conf_report(r, e, "the LAN endpoint is the target of two forwards");
	}
	if (out->n_fwd == NAT_MAX_FORWARDS)
		return fl_conf_report(r, e, "more than %u port forwards", NAT_MAX_FORWARDS);
	return 0;
}

static int parse_forwards(struct fl_conf *c, const struct fld_vpnnat_prefix *pfx, size_t n_pfx,
			  const struct fl_conf_reporter *r, struct fld_vpnnat_conf *out)
{
	int ret = 0;
	size_t n = fl_conf_count(c, "PortForward");
	if (n == 0)
		return 0;
	out->fwd = calloc(n, sizeof(*out->fwd));
	if (!out->fwd)
		return -1;
	for (const struct fl_conf_entry *e = fl_conf_first(c, "PortForward"); e; e = fl_conf_next(c, e)) {
		struct fld_vpnnat_fwd f;
		if (!out->on) {
			ret = fl_conf_report(r, e, "needs VPNNat (forwards reach LAN hosts through the VPNNat address)");
			continue;
		}
		if (parse_forward(e, pfx, n_pfx, r, &f) < 0 || check_dup(e, out, &f, r) < 0) {
			ret = -1;
			continue;
		}
		out->fwd[out->n_fwd++] = f;
	}
	return ret;
}

int fld_vpnnat_conf_parse(struct fl_conf *c, const struct fl_strv *subnets,
			  const struct fld_vpnnat_prefix *pfx, size_t n_pfx,
			  const struct fl_conf_reporter *r, struct fld_vpnnat_conf *out)
{
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (const struct fl_conf_entry *e = fl_conf_first(c, "VPNNat"); e; e = fl_conf_next(c, e))
		if (parse_vpnnat(e, subnets, r, out) < 0)
			ret = -1;
	if (parse_forwards(c, pfx, n_pfx, r, out) < 0)
		ret = -1;
	if (ret < 0)
		fld_vpnnat_conf_free(out);
	return ret;
}

void fld_vpnnat_conf_free(struct fld_vpnnat_conf *c)
{
	free(c->fwd);
	memset(c, 0, sizeof(*c));
}

int fld_vpnnat_conf_parse_text(const char *file, const char *buf, size_t len,
			       const struct fl_strv *subnets, const struct fld_vpnnat_prefix *pfx,
			       size_t n_pfx, const struct fl_conf_reporter *r,
			       struct fld_vpnnat_conf *out)
{
	struct fl_conf c;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	fl_conf_init(&c);
	if (fl_conf_parse(&c, buf, len, file, r) == FL_CONF_OK)
		ret = fld_vpnnat_conf_parse(&c, subnets, pfx, n_pfx, r, out);
	fl_conf_free(&c);
	return ret;
}
