/* SPDX-License-Identifier: MIT */
/*
 * fld_offload_conf.c: reads split tunnelling's variables (OffloadInterface,
 * OffloadAddress, OffloadList, OffloadExclude, OffloadNAT*) from the server
 * tree into struct fld_offload_conf. Called by fld_offload.c at start and
 * on reload; control thread only. Types and ranges were already checked
 * when the tree was read (conf_vars.c); this adds what a type cannot say
 * (an address per family, names that fit an interface) with FILE:LINE.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/fld_offload.h"

static int parse_addr(const struct fl_conf_entry *e, const struct fl_conf_reporter *r,
		      struct fld_offload_conf *out)
{
	uint8_t a[16];

	if (inet_pton(AF_INET, e->value, a) == 1) {
		if (out->has4)
			return fl_conf_report(r, e, "a second IPv4 address (one per family)"), -1;
		if (!memcmp(a, "\0\0\0\0", 4) || !memcmp(a, "\xff\xff\xff\xff", 4) || a[0] >= 224)
			return fl_conf_report(r, e, "not a unicast IPv4 address"), -1;
		memcpy(out->addr4, a, 4);
		out->has4 = true;
		return 0;
	}
	if (inet_pton(AF_INET6, e->value, a) == 1) {
		static const uint8_t zero[16];
		if (out->has6)
			return fl_conf_report(r, e, "a second IPv6 address (one per family)"), -1;
		if (!memcmp(a, zero, 16) || a[0] == 0xff)
			return fl_conf_report(r, e, "not a unicast IPv6 address"), -1;
		memcpy(out->addr6, a, 16);
		out->has6 = true;
		return 0;
	}
	return fl_conf_report(r, e, "expected an IPv4 or IPv6 address"), -1;
}

static int strv_add(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

static void nat_settings(struct fl_conf *c, struct fld_offload_conf *out)
{
	static const struct { const char *var; size_t off; } ints[] = {
		{"OffloadNATMaxMappings", offsetof(struct nat_config, max_mappings)},
		{"OffloadNATMaxPerHost", offsetof(struct nat_config, max_per_host)},
		{"OffloadNATUDPTimeout", offsetof(struct nat_config, udp_timeout)},
		{"OffloadNATTCPTimeout", offsetof(struct nat_config, tcp_est_timeout)},
		{"OffloadNATTCPTransitoryTimeout", offsetof(struct nat_config, tcp_trans_timeout)},
		{"OffloadNATICMPTimeout", offsetof(struct nat_config, icmp_timeout)},
	};
	const struct fl_conf_entry *e;

	nat_config_defaults(&out->nat);
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		/* Range-checked by conf_vars.c when the tree was read. */
		if ((e = fl_conf_first(c, ints[i].var)))
			*(uint32_t *)((char *)&out->nat + ints[i].off) = (uint32_t)strtoul(e->value, NULL, 10);
	}
	if ((e = fl_conf_first(c, "OffloadNATFilter"))) {
		if (!strcasecmp(e->value, "endpoint"))
			out->nat.filter = NAT_FILTER_ENDPOINT;
		else if (!strcasecmp(e->value, "address-port"))
			out->nat.filter = NAT_FILTER_ADDRESS_PORT;
		else
			out->nat.filter = NAT_FILTER_ADDRESS;
	}
}

int fld_offload_conf_parse(struct fl_conf *c, const struct fl_conf_reporter *r,
			   struct fld_offload_conf *out)
{
	const struct fl_conf_entry *e;
	int bad = 0;

	memset(out, 0, sizeof(*out));
	if ((e = fl_conf_first(c, "OffloadInterface"))) {
		if (strlen(e->value) >= IFNAMSIZ || strchr(e->value, '/') || strchr(e->value, ' '))
			bad = (fl_conf_report(r, e, "not an interface name (at most 15 characters, no '/')"), 1);
		else if (!(out->interface = strdup(e->value)))
			bad = 1;
	}
	for (e = fl_conf_first(c, "OffloadAddress"); e; e = fl_conf_next(c, e))
		bad |= parse_addr(e, r, out) < 0;
	for (e = fl_conf_first(c, "OffloadList"); e; e = fl_conf_next(c, e))
		bad |= strv_add(&out->lists, &out->n_lists, e->value) < 0;
	for (e = fl_conf_first(c, "OffloadExclude"); e; e = fl_conf_next(c, e))
		bad |= strv_add(&out->excludes, &out->n_excludes, e->value) < 0;
	nat_settings(c, out);
	if (!bad && out->interface && !out->has4 && !out->has6) {
		e = fl_conf_first(c, "OffloadInterface");
		bad = (fl_conf_report(r, e, "needs an OffloadAddress (IPv4, IPv6 or both)"), 1);
	}
	if (bad) {
		fld_offload_conf_free(out);
		return -1;
	}
	return 0;
}

void fld_offload_conf_free(struct fld_offload_conf *c)
{
	for (size_t i = 0; i < c->n_lists; i++)
		free(c->lists[i]);
	for (size_t i = 0; i < c->n_excludes; i++)
		free(c->excludes[i]);
	free(c->lists);
	free(c->excludes);
	free(c->interface);
	memset(c, 0, sizeof(*c));
}
