/* SPDX-License-Identifier: MIT */
/*
 * fld_iface_conf.c: parses one `interfaces/NAME` file (fld_iface_conf.h).
 * The tinc syntax is conf_parse.c's; this checks each variable's value
 * and what a single value cannot say (dhcp once, PortForward needs
 * VPNNat), every message naming FILE:LINE. Pure: no I/O.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/fld_iface_conf.h"

__attribute__((format(printf, 3, 4)))
static int bad(const struct fl_conf_reporter *r, const struct fl_conf_entry *e, const char *fmt, ...)
{
	char msg[512], line[1400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s:%d: %s: %s: '%.512s'", e->file ? e->file : "?", e->line,
		 e->var, msg, e->value);
	if (r && r->error)
		r->error(r->ctx, line);
	return -1;
}

bool fld_iface_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > FLD_IFACE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	return true;
}

/* FNV-1a over "node\0ifname": cheap, stable, and no dependency. */
void fld_iface_default_mac(const char *node, const char *ifname, uint8_t mac[static 6])
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *s = node; ; s++) {
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
		if (!*s)
			break;
	}
	for (const char *s = ifname; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
	mac[0] = (uint8_t)((mac[0] & 0xfc) | 0x02); /* unicast, locally administered */
}

static int parse_mac(const char *s, uint8_t mac[static 6])
{
	unsigned v[6];
	int used = 0;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &used) != 6 ||
	    s[used] || used != 17)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

/* A decimal in [lo, hi], the whole string. */
static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	*out = strtoul(s, &end, 10);
	return *end || *out < lo || *out > hi ? -1 : 0;
}

/* A unicast host address of either family into ip; its family, or 0. */
static int parse_host(const char *s, uint8_t ip[static 16])
{
	static const uint8_t zero[16];

	memset(ip, 0, 16);
	if (inet_pton(AF_INET, s, ip) == 1)
		return ip[0] == 0 || ip[0] >= 224 || ip[0] == 127 ? 0 : 4;
	if (inet_pton(AF_INET6, s, ip) == 1)
		return ip[0] == 0xff || !memcmp(ip, zero, 16) ? 0 : 6;
	return 0;
}

static int parse_address(const struct fl_conf_entry *e, const struct fl_conf_reporter *r,
			 struct fld_iface_conf *out)
{
	char text[64];
	unsigned long plen;
	struct fld_iface_addr *a;
	const char *slash = strchr(e->value, '/');

	if (!strcasecmp(e->value, "dhcp")) {
		if (out->dhcp)
			return bad(r, e, "dhcp a second time (at most once)");
		out->dhcp = true;
		return 0;
	}
	if (!strcasecmp(e->value, "slaac")) {
		if (out->slaac)
			return bad(r, e, "slaac a second time (at most once)");
		out->slaac = true;
		return 0;
	}
	if (!slash || (size_t)(slash - e->value) >= sizeof(text))
		return bad(r, e, "expected ADDRESS/PREFIXLENGTH, dhcp or slaac");
	memcpy(text, e->value, (size_t)(slash - e->value));
	text[slash - e->value] = '\0';
	if (out->n_addr == FLD_IFACE_ADDR_MAX)
		return bad(r, e, "more than %u addresses", FLD_IFACE_ADDR_MAX);
	a = &out->addr[out->n_addr];
	a->family = (uint8_t)parse_host(text, a->ip);
	if (!a->family)
		return bad(r, e, "not a unicast IPv4 or IPv6 address");
	if (parse_uint(slash + 1, a->family == 4 ? 1 : 8, a->family == 4 ? 30 : 126, &plen) < 0)
		return bad(r, e, "prefix length must be 1..30 (IPv4) or 8..126 (IPv6)");
	a->plen = (uint8_t)plen;
	a->line = e->line;
	for (size_t i = 0; i < out->n_addr; i++)
		if (out->addr[i].family == a->family && !memcmp(out->addr[i].ip, a->ip, 16))
			return bad(r, e, "address given twice");
	out->n_addr++;
	return 0;
}

/* "tcp|udp PORT HOST:PORT" (an IPv6 host in brackets). */
static int parse_forward(const struct fl_conf_entry *e, const struct fl_conf_reporter *r,
			 struct fld_iface_conf *out)
{
	char proto[8], port[8], target[80], host[64];
	unsigned long p, hp;
	struct fld_iface_fwd *f;
	char *colon;
	int n = 0;

	if (out->n_fwd == FLD_IFACE_FWD_MAX)
		return bad(r, e, "more than %u forwards", FLD_IFACE_FWD_MAX);
	f = &out->fwd[out->n_fwd];
	if (sscanf(e->value, "%7s %7s %79s %n", proto, port, target, &n) != 3 || e->value[n])
		return bad(r, e, "expected tcp|udp PORT LANHOST:PORT");
	if (!strcasecmp(proto, "tcp"))
		f->proto = 6;
	else if (!strcasecmp(proto, "udp"))
		f->proto = 17;
	else
		return bad(r, e, "protocol must be tcp or udp");
	if (parse_uint(port, 1, 65535, &p) < 0)
		return bad(r, e, "port must be 1..65535");
	colon = strrchr(target, ':');
	if (!colon || parse_uint(colon + 1, 1, 65535, &hp) < 0)
		return bad(r, e, "expected LANHOST:PORT with a port 1..65535");
	*colon = '\0';
	if (target[0] == '[' && colon > target + 1 && colon[-1] == ']') {
		colon[-1] = '\0';
		snprintf(host, sizeof(host), "%s", target + 1);
	} else {
		snprintf(host, sizeof(host), "%s", target);
	}
	f->family = (uint8_t)parse_host(host, f->host);
	if (!f->family || (f->family == 6 && target[0] != '['))
		return bad(r, e, "LANHOST must be a unicast address ([ADDR] for IPv6)");
	f->port = (uint16_t)p;
	f->host_port = (uint16_t)hp;
	for (size_t i = 0; i < out->n_fwd; i++)
		if (out->fwd[i].proto == f->proto && out->fwd[i].port == f->port)
			return bad(r, e, "%s port %lu forwarded twice", proto, p);
	out->n_fwd++;
	return 0;
}

static int parse_role(const struct fl_conf_entry *e, const struct fl_conf_reporter *r,
		      struct fld_iface_conf *out)
{
	if (out->role)
		return bad(r, e, "Role given twice");
	if (!strcasecmp(e->value, "lan")) {
		out->role = FLD_IFACE_LAN;
		return 0;
	}
	if (!strcasecmp(e->value, "offload")) {
		out->role = FLD_IFACE_OFFLOAD;
		return 0;
	}
	if (!strcasecmp(e->value, "local")) {
		out->role = FLD_IFACE_LOCAL;
		return 0;
	}
	return bad(r, e, "expected lan, offload or local");
}

static int parse_gateway(const struct fl_conf_entry *e, const struct fl_conf_reporter *r,
			 struct fld_iface_conf *out)
{
	uint8_t ip[16];
	int fam = parse_host(e->value, ip);

	if (!fam)
		return bad(r, e, "expected a unicast IPv4 or IPv6 address");
	if (fam == 4 ? out->has_gw4 : out->has_gw6)
		return bad(r, e, "a second gateway of that family");
	if (fam == 4)
		memcpy(out->gw4, ip, 4), out->has_gw4 = true;
	else
		memcpy(out->gw6, ip, 16), out->has_gw6 = true;
	return 0;
}

static int parse_entry(const struct fl_conf_entry *e, const struct fl_conf_reporter *r,
		       struct fld_iface_conf *out, const struct fl_conf_entry **seen)
{
	if (!strcasecmp(e->var, "Role"))
		return parse_role(e, r, out);
	if (!strcasecmp(e->var, "Address"))
		return parse_address(e, r, out);
	if (!strcasecmp(e->var, "Gateway"))
		return parse_gateway(e, r, out);
	if (!strcasecmp(e->var, "DeviceType")) {
		if (strcasecmp(e->value, "tun") && strcasecmp(e->value, "tap"))
			return bad(r, e, "expected tun or tap");
		out->tap = !strcasecmp(e->value, "tap");
		return 0;
	}
	if (!strcasecmp(e->var, "PortForward"))
		return (*seen = *seen ? *seen : e), parse_forward(e, r, out);
	if (!strcasecmp(e->var, "Device")) {
		if (out->device[0])
			return bad(r, e, "Device given twice");
		if (e->value[0] != '/' || strlen(e->value) >= sizeof(out->device))
			return bad(r, e, "expected an absolute path");
		snprintf(out->device, sizeof(out->device), "%s", e->value);
		return 0;
	}
	if (!strcasecmp(e->var, "MACAddress")) {
		if (out->has_mac)
			return bad(r, e, "MACAddress given twice");
		if (parse_mac(e->value, out->mac) < 0)
			return bad(r, e, "expected xx:xx:xx:xx:xx:xx");
		if ((out->mac[0] & 1) || !memcmp(out->mac, "\0\0\0\0\0\0", 6))
			return bad(r, e, "not a unicast MAC address");
		out->has_mac = true;
		return 0;
	}
	if (!strcasecmp(e->var, "VPNNat")) {
		if (out->has_vpnnat)
			return bad(r, e, "VPNNat given twice");
		out->vpnnat_family = (uint8_t)parse_host(e->value, out->vpnnat);
		if (!out->vpnnat_family)
			return bad(r, e, "expected a unicast IPv4 or IPv6 address");
		out->has_vpnnat = true;
		return 0;
	}
	return bad(r, e, "unknown variable in an interfaces/ file");
}

static const struct fl_conf_entry *first(const struct fl_conf *c, const char *var)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcasecmp(c->v[i].var, var))
			return &c->v[i];
	return NULL;
}

/* What one role allows that another does not, and what a TAP offload
 * device needs: a Gateway for each family it has an address of. */
static int check_role(const char *file, const struct fl_conf *c, const struct fl_conf_reporter *r,
		      const struct fld_iface_conf *out)
{
	static const char *const lan_only[] = {"VPNNat", "PortForward", "MACAddress"};
	static const char *const offload_only[] = {"Gateway", "DeviceType"};
	const struct fl_conf_entry *e;
	bool v4 = false, v6 = false;

	if (out->role == FLD_IFACE_LAN || out->role == FLD_IFACE_LOCAL) {
		for (size_t i = 0; i < 2; i++)
			if ((e = first(c, offload_only[i])))
				return bad(r, e, "only in a Role = offload block");
	}
	if (out->role == FLD_IFACE_LAN)
		return 0;
	if (out->role == FLD_IFACE_LOCAL) { /* the kernel's TUN: addresses only */
		for (size_t i = 0; i < 3; i++)
			if ((e = first(c, lan_only[i])))
				return bad(r, e, "only in a Role = lan block");
		if ((e = first(c, "Device")))
			return bad(r, e, "not in a Role = local block (tinc.conf's Device applies)");
		if ((out->dhcp || out->slaac) && (e = first(c, "Address")))
			return bad(r, e, "a local block takes static addresses only");
		return 0;
	}
	for (size_t i = 0; i < 2; i++) /* MACAddress is fine on an offload TAP */
		if ((e = first(c, lan_only[i])))
			return bad(r, e, "only in a Role = lan block");
	if ((out->dhcp || out->slaac) && (e = first(c, "Address")))
		return bad(r, e, "an offload block takes static addresses only");
	for (size_t i = 0; i < out->n_addr; i++) {
		bool *seen = out->addr[i].family == 4 ? &v4 : &v6;
		if (*seen) {
			struct fl_conf_entry at = {.file = (char *)file, .line = out->addr[i].line,
						   .var = (char *)"Address", .value = (char *)""};
			return bad(r, &at, "an offload block takes one address per family");
		}
		*seen = true;
	}
	if (!v4 && !v6) {
		char msg[600];
		snprintf(msg, sizeof(msg), "%s:1: Role = offload needs an Address", file);
		if (r && r->error)
			r->error(r->ctx, msg);
		return -1;
	}
	if (out->tap && ((v4 && !out->has_gw4) || (v6 && !out->has_gw6))) {
		char msg[600];
		snprintf(msg, sizeof(msg), "%s:%d: DeviceType = tap needs a Gateway for each address family",
			 file, (e = first(c, "DeviceType")) ? e->line : 1);
		if (r && r->error)
			r->error(r->ctx, msg);
		return -1;
	}
	return 0;
}

int fld_iface_conf_parse(const char *file, const char *name, const char *buf, size_t len,
			 const struct fl_conf_reporter *r, struct fld_iface_conf *out)
{
	const struct fl_conf_entry *fwd = NULL;
	struct fl_conf c;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	fl_conf_init(&c);
	if (fl_conf_parse(&c, buf, len, file, r) != FL_CONF_OK) {
		fl_conf_free(&c);
		return -1;
	}
	for (size_t i = 0; i < c.n; i++) /* in file order: c.v is as parsed */
		if (parse_entry(&c.v[i], r, out, &fwd) < 0)
			rc = -1;
	if (rc == 0 && !out->role) {
		char msg[600];
		snprintf(msg, sizeof(msg), "%s:1: Role is required (Role = lan)", file);
		if (r && r->error)
			r->error(r->ctx, msg);
		rc = -1;
	}
	if (rc == 0 && fwd && !out->has_vpnnat)
		rc = bad(r, fwd, "PortForward needs VPNNat");
	if (rc == 0)
		rc = check_role(file, &c, r, out);
	fl_conf_free(&c);
	return rc;
}
