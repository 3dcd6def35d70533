/* SPDX-License-Identifier: MIT */
/*
 * dp_switch.c: switch and hub mode for one Ethernet frame (dp_switch.h).
 * Called from dp_route_frame() for frames from our device, from peers'
 * records and from PACKET.
 */
#include "dataplane/dp_switch.h"

#include "l2/l2_eth.h"
#include "wire/ip.h"
#include "wire/ipmod.h"

enum dp_sw_action dp_switch_decide(const struct fl_dp_settings *set,
				   const struct fl_dp_peer *source,
				   struct fl_dp_route_result dst)
{
	const struct fl_dp_peer *owner = dst.owner, *relay;

	if (set->mode == FL_DP_MODE_HUB || !owner)
		return DP_SW_BROADCAST; /* unknown, broadcast or multicast */
	if (owner == source)
		return DP_SW_DROP_LOOP;
	if (set->forwarding == FL_DP_FORWARD_OFF && !source->myself && !owner->myself)
		return DP_SW_DROP_POLICY;
	relay = dp_relay_of(owner);
	if (set->direct_only && !owner->myself && relay != owner)
		return DP_SW_DROP_POLICY;
	return DP_SW_UNICAST;
}

static void dp_switch_flood(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *source,
			    struct fl_pkt *p)
{
	if (dp->set.decrement_ttl && !source->myself && fl_ttl_decrement(p->data, p->len) != FL_TTL_OK)
		return dp_drop(dp, FL_DP_DROP_ROUTING, p);
	if (dp->ops.broadcast)
		dp->ops.broadcast(dp->ops.ctx, source, p->data, p->len);
	if (!source->myself)
		return fl_dp_send_frame(dp, now, dp->myself, p);
	fl_pkt_free(p);
}

/* Unicast to owner: TTL, the relay's MTU (ICMP "too big" or fragments for
 * untagged IP, as tinc), ClampMSS, then the usual path. */
static void dp_switch_unicast(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *source,
			      struct fl_dp_peer *owner, const struct fl_eth *eth, struct fl_pkt *p)
{
	struct fl_dp_peer *relay = owner->myself ? owner : dp_relay_of(owner);
	struct fl_ip_info ip;
	bool is_ip = eth->hlen == FL_ETH_HDR && fl_ip_parse_frame(p->data, p->len, &ip) == FL_WIRE_OK;

	if (dp->set.decrement_ttl && !source->myself && !owner->myself &&
	    fl_ttl_decrement(p->data, p->len) != FL_TTL_OK)
		return dp_drop(dp, FL_DP_DROP_ROUTING, p);
	if (!relay)
		return dp_drop(dp, FL_DP_DROP_NO_ROUTE, p);
	if (is_ip) {
		if (dp_too_big(dp, now, source, owner, relay, &ip, p))
			return;
		dp_clamp(dp, source, relay, p);
	}
	fl_dp_send_frame(dp, now, owner, p);
}

void dp_switch_route(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *source, struct fl_pkt *p)
{
	struct fl_eth eth;
	struct fl_dp_route_result dst = {0};

	p->meta &= ~DP_META_BITS; /* no local routes on layer 2 */
	if (fl_eth_parse(p->data, p->len, &eth) != FL_ETH_OK)
		return dp_drop(dp, FL_DP_DROP_SHORT, p);
	/* An all-zero destination is no station: tinc's early probes over
	 * PACKET look like this and must not be flooded onto the LAN. */
	if (fl_eth_is_zero(eth.dst))
		return dp_drop(dp, FL_DP_DROP_ROUTING, p);
	if (dp->set.mode == FL_DP_MODE_SWITCH) {
		if (source->myself && dp->ops.mac_learn)
			dp->ops.mac_learn(dp->ops.ctx, eth.src, now);
		if (dp->ops.mac_lookup)
			dst = dp->ops.mac_lookup(dp->ops.ctx, eth.dst);
	}
	switch (dp_switch_decide(&dp->set, source, dst)) {
	case DP_SW_UNICAST:
		return dp_switch_unicast(dp, now, source, dst.owner, &eth, p);
	case DP_SW_BROADCAST:
		return dp_switch_flood(dp, now, source, p);
	case DP_SW_DROP_LOOP:
	case DP_SW_DROP_POLICY:
		break;
	}
	dp_drop(dp, FL_DP_DROP_ROUTING, p);
}
