/* SPDX-License-Identifier: MIT */
/* nat_dump.c: nat_each(), the list of live IPv4 mappings for the control
 * socket (`fenliu dump nat`). Called by the daemon's control thread, which
 * owns the NAT; a walk over the whole pool, never on the packet path.
 */
#include <arpa/inet.h>
#include <string.h>

#include "nat/nat_internal.h"

/* TCP state of a mapping in words (RFC 5382's states, by the flags seen). */
static const char *tcp_state(const struct nat_map *m)
{
	if ((m->tcp & NAT_TCP_RST) ||
	    (m->tcp & (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN)) == (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN))
		return "closing";
	if ((m->tcp & (NAT_TCP_SYN_OUT | NAT_TCP_SYN_IN)) == (NAT_TCP_SYN_OUT | NAT_TCP_SYN_IN))
		return (m->tcp & (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN)) ? "closing" : "established";
	return "opening";
}

void nat_each(const struct nat *n, fl_time_t now_us, nat_entry_fn *fn, void *ctx)
{
	uint32_t now = nat_sec(now_us);

	for (uint32_t i = 0; i < n->cfg.max_mappings; i++) {
		const struct nat_map *m = &n->map[i];
		/* Free slots keep stale fields: live means the index finds it. */
		if (m->proto == 0 || nat_lookup_int(n, m->proto, m->int_addr, m->int_port) != i)
			continue;
		struct nat_entry e;
		memset(&e, 0, sizeof(e));
		e.family = 4;
		e.proto = m->proto;
		memcpy(e.int_addr, &m->int_addr, 4);
		memcpy(e.ext_addr, &n->cfg.ext_addr[m->ext_idx], 4);
		e.int_port = ntohs(m->int_port);
		e.ext_port = ntohs(m->ext_port);
		uint32_t t = nat_map_timeout(n, m), left = m->expire - now;
		e.expires = (int32_t)left > 0 ? left : 0;
		e.idle = t > e.expires ? t - e.expires : 0;
		e.state = m->proto == NAT_PROTO_TCP ? tcp_state(m) : "active";
		fn(ctx, &e);
	}
}
