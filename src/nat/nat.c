/* SPDX-License-Identifier: MIT */
/* nat.c: creating and freeing a NAT instance, its config defaults and
 * checks, counters, and the names of verdicts and errors. Called by the
 * daemon (one instance per translating egress) and the control socket
 * (counters).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "nat/nat_internal.h"

void nat_config_defaults(struct nat_config *c)
{
	memset(c, 0, sizeof(*c));
	c->n_ext = 1;
	c->port_min = 1024;
	c->port_max = 65535;
	c->id_min = 0;
	c->id_max = 65535;
	c->max_mappings = 65536;
	c->max_per_host = 4096;
	c->max_frags = 1024;
	c->udp_timeout = 120;
	c->tcp_est_timeout = 7440;
	c->tcp_trans_timeout = 240;
	c->icmp_timeout = 60;
	c->frag_timeout = 30;
	c->filter = NAT_FILTER_ADDRESS;
	c->inbound_refresh = true;
}

static bool timeout_ok(uint32_t t)
{
	return t >= 1 && t <= NAT_MAX_TIMEOUT;
}

enum nat_err nat_config_check(const struct nat_config *c)
{
	if (c->n_ext < 1 || c->n_ext > NAT_MAX_EXT)
		return NAT_ERR_N_EXT;
	for (unsigned i = 0; i < c->n_ext; i++)
		if (c->ext_addr[i] == 0 || c->ext_addr[i] == UINT32_MAX)
			return NAT_ERR_EXT_ADDR;
	if (c->port_min == 0 || c->port_min > c->port_max)
		return NAT_ERR_PORT_RANGE;
	if (c->id_min > c->id_max)
		return NAT_ERR_ID_RANGE;
	if (c->max_mappings < 1 || c->max_mappings > NAT_MAX_MAPPINGS)
		return NAT_ERR_MAX_MAPPINGS;
	if (c->max_per_host < 1)
		return NAT_ERR_MAX_PER_HOST;
	if (!timeout_ok(c->udp_timeout) || !timeout_ok(c->tcp_est_timeout) ||
	    !timeout_ok(c->tcp_trans_timeout) || !timeout_ok(c->icmp_timeout) ||
	    !timeout_ok(c->frag_timeout))
		return NAT_ERR_TIMEOUT;
	if (c->filter > NAT_FILTER_ADDRESS_PORT)
		return NAT_ERR_FILTER;
	return NAT_OK;
}

struct nat *nat_new(const struct nat_config *c, enum nat_err *err)
{
	*err = nat_config_check(c);
	if (*err != NAT_OK)
		return NULL;
	struct nat *n = calloc(1, sizeof(*n));
	if (!n) {
		*err = NAT_ERR_NOMEM;
		return NULL;
	}
	n->cfg = *c;
	uint32_t lo = UINT32_MAX, hi = 0;
	for (unsigned i = 0; i < c->n_ext; i++) {
		uint32_t a = ntohl(c->ext_addr[i]);
		lo = a < lo ? a : lo;
		hi = a > hi ? a : hi;
	}
	n->ext_lo = lo;
	n->ext_span = hi - lo;
	n->seed_int = nat_hash64(c->seed, 0x1111);
	n->seed_ext = nat_hash64(c->seed, 0x2222) | ((uint64_t)nat_hash64(c->seed, 0x2223) << 32);
	n->seed_host = nat_hash64(c->seed, 0x3333) | ((uint64_t)nat_hash64(c->seed, 0x3334) << 32);
	n->seed_port = nat_hash64(c->seed, 0x4444) | ((uint64_t)nat_hash64(c->seed, 0x4445) << 32);
	n->seed_frag = nat_hash64(c->seed, 0x5555) | ((uint64_t)nat_hash64(c->seed, 0x5556) << 32);
	n->seed_int |= (uint64_t)nat_hash64(c->seed, 0x1112) << 32;
	n->memory = nat_table_alloc(n);
	if (n->memory == 0) {
		nat_free(n);
		*err = NAT_ERR_NOMEM;
		return NULL;
	}
	return n;
}

void nat_free(struct nat *n)
{
	if (!n)
		return;
	free(n->map);
	free(n->int_idx);
	free(n->ext_idx);
	free(n->host);
	free(n->wheel);
	free(n->frag);
	free(n);
}

void nat_expire(struct nat *n, fl_time_t now, uint32_t budget)
{
	nat_table_advance(n, nat_sec(now), budget);
}

bool nat_has_int(const struct nat *n, uint8_t proto, uint32_t addr, uint16_t port)
{
	return nat_lookup_int(n, proto, addr, port) != NAT_NIL;
}

void nat_stats_get(const struct nat *n, struct nat_stats *out)
{
	*out = n->st;
	out->active = n->n_active;
	out->hosts = n->n_hosts;
	out->memory = n->memory;
}

const char *nat_strerror(enum nat_err e)
{
	switch (e) {
	case NAT_OK: return "no error";
	case NAT_ERR_N_EXT: return "number of external addresses not in 1-16";
	case NAT_ERR_EXT_ADDR: return "external address is 0.0.0.0 or 255.255.255.255";
	case NAT_ERR_PORT_RANGE: return "external port range empty or starting at 0";
	case NAT_ERR_ID_RANGE: return "ICMP id range empty";
	case NAT_ERR_MAX_MAPPINGS: return "maximum mappings not in 1-67108862";
	case NAT_ERR_MAX_PER_HOST: return "per-host mapping limit is 0";
	case NAT_ERR_TIMEOUT: return "a timeout is not in 1-604800 seconds";
	case NAT_ERR_FILTER: return "unknown filtering mode";
	case NAT_ERR_NOMEM: return "out of memory";
	}
	return "unknown error";
}

static const char *const verdict_names[NAT_VERDICT_COUNT] = {
	[NAT_TRANSLATED] = "translated",
	[NAT_HAIRPIN] = "hairpin",
	[NAT_NOT_OURS] = "not_ours",
	[NAT_NO_MAPPING] = "no_mapping",
	[NAT_DROP_TRUNCATED] = "drop_truncated",
	[NAT_DROP_BAD_IP] = "drop_bad_ip",
	[NAT_DROP_BAD_L4] = "drop_bad_l4",
	[NAT_DROP_PROTO] = "drop_proto",
	[NAT_DROP_ICMP_TYPE] = "drop_icmp_type",
	[NAT_DROP_ICMP_BAD] = "drop_icmp_bad",
	[NAT_DROP_TCP_NO_SYN] = "drop_tcp_no_syn",
	[NAT_DROP_FILTERED] = "drop_filtered",
	[NAT_DROP_TABLE_FULL] = "drop_table_full",
	[NAT_DROP_HOST_LIMIT] = "drop_host_limit",
	[NAT_DROP_NO_PORT] = "drop_no_port",
	[NAT_DROP_FRAG_UNKNOWN] = "drop_frag_unknown",
};

const char *nat_verdict_str(enum nat_verdict v)
{
	return (unsigned)v < NAT_VERDICT_COUNT ? verdict_names[v] : "unknown";
}
