/* SPDX-License-Identifier: MIT */
/* nat_forward.c: static port forwards (PortForward of a VPNNat): adding,
 * removing and clearing them, and keeping the live mappings consistent
 * with them. Called by the daemon's control thread at start-up and reload;
 * the packet path reads the table in nat_xlate.c and nat_table.c.
 */
#include <arpa/inet.h>
#include <string.h>

#include "nat/nat_internal.h"

static bool fwd_proto_ok(uint8_t proto)
{
	return proto == NAT_PROTO_TCP || proto == NAT_PROTO_UDP || proto == NAT_PROTO_UDPLITE;
}

/* Drops the mapping of ext_port on every external address whose internal
 * endpoint is (keep_match false) or is not (true) (int_addr, int_port). */
static void evict_ext(struct nat *n, uint8_t proto, uint16_t ext_port, uint32_t int_addr,
                      uint16_t int_port, bool keep_match)
{
	for (unsigned idx = 0; idx < n->cfg.n_ext; idx++) {
		uint32_t mi = nat_lookup_ext(n, proto, (uint8_t)idx, ext_port);
		if (mi == NAT_NIL)
			continue;
		const struct nat_map *m = &n->map[mi];
		bool match = m->int_addr == int_addr && m->int_port == int_port;
		if (match != keep_match)
			nat_table_evict(n, mi);
	}
}

enum nat_fwd_err nat_forward_add(struct nat *n, uint8_t proto, uint16_t ext_port,
                                 uint32_t int_addr, uint16_t int_port)
{
	if (!fwd_proto_ok(proto))
		return NAT_FWD_PROTO;
	if (ext_port == 0 || int_port == 0)
		return NAT_FWD_PORT;
	if (int_addr == 0 || int_addr == UINT32_MAX || nat_ext_index(n, int_addr) >= 0)
		return NAT_FWD_ADDR;
	if (nat_fwd_by_ext(n, proto, ext_port))
		return NAT_FWD_DUP;
	if (nat_fwd_by_int(n, proto, int_addr, int_port))
		return NAT_FWD_TARGET;
	if (n->n_fwd == NAT_MAX_FORWARDS)
		return NAT_FWD_FULL;
	/* The port is the forward's from now on: a dynamic flow holding it
	 * loses it, and so does a mapping of the internal endpoint elsewhere
	 * (one internal endpoint has one external port, RFC 4787 REQ-1). */
	evict_ext(n, proto, ext_port, int_addr, int_port, true);
	uint32_t mi = nat_lookup_int(n, proto, int_addr, int_port);
	if (mi != NAT_NIL && n->map[mi].ext_port != ext_port)
		nat_table_evict(n, mi);
	n->fwd[n->n_fwd++] = (struct nat_fwd){
		.int_addr = int_addr, .ext_port = ext_port, .int_port = int_port, .proto = proto,
	};
	return NAT_FWD_OK;
}

enum nat_fwd_err nat_forward_remove(struct nat *n, uint8_t proto, uint16_t ext_port)
{
	const struct nat_fwd *f = nat_fwd_by_ext(n, proto, ext_port);
	if (!f)
		return NAT_FWD_NOT_FOUND;
	struct nat_fwd gone = *f;
	n->fwd[f - n->fwd] = n->fwd[--n->n_fwd];
	evict_ext(n, gone.proto, gone.ext_port, gone.int_addr, gone.int_port, false);
	return NAT_FWD_OK;
}

void nat_forward_clear(struct nat *n)
{
	while (n->n_fwd)
		(void)nat_forward_remove(n, n->fwd[0].proto, n->fwd[0].ext_port);
}

size_t nat_forward_count(const struct nat *n)
{
	return n->n_fwd;
}

const char *nat_fwd_strerror(enum nat_fwd_err e)
{
	switch (e) {
	case NAT_FWD_OK: return "no error";
	case NAT_FWD_PROTO: return "protocol is not tcp, udp or udplite";
	case NAT_FWD_PORT: return "port 0";
	case NAT_FWD_ADDR: return "internal address is 0.0.0.0, 255.255.255.255 or an external address";
	case NAT_FWD_DUP: return "external port already forwarded";
	case NAT_FWD_TARGET: return "internal endpoint already forwarded";
	case NAT_FWD_FULL: return "too many port forwards";
	case NAT_FWD_NOT_FOUND: return "no such port forward";
	}
	return "unknown error";
}
