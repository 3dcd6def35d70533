/* SPDX-License-Identifier: MIT */
/*
 * dp_switch.h: the per-frame decision of Mode = switch and Mode = hub
 * (tinc's route_mac and route_broadcast; spec GRAPH.md §6.5): learn the
 * source address of frames from our device, look the destination up among
 * the MAC subnets, send the frame to its owner or flood it.
 *
 * dp_switch_decide() is pure: it takes the settings, the previous hop and
 * the lookup result and returns what to do. dp_switch_route() is the one
 * hook the router calls (dp_route_frame) when the mode is not router; it
 * carries the decision out through the dataplane's usual send paths.
 */
#ifndef FL_DP_SWITCH_H
#define FL_DP_SWITCH_H

#include "dataplane/dp_internal.h"

enum dp_sw_action {
	DP_SW_UNICAST,		/* to the owner of the destination */
	DP_SW_BROADCAST,	/* flood (ops.broadcast), and our device if from a peer */
	DP_SW_DROP_LOOP,	/* the owner is where the frame came from */
	DP_SW_DROP_POLICY,	/* Forwarding = off or DirectOnly said no */
};

/* What to do with a frame from `source` whose destination lookup gave
 * dst. Pure. */
enum dp_sw_action dp_switch_decide(const struct fl_dp_settings *set,
				   const struct fl_dp_peer *source,
				   struct fl_dp_route_result dst);

/* Route one Ethernet frame (switch or hub mode). Takes p. */
void dp_switch_route(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *source, struct fl_pkt *p);

#endif
