/* SPDX-License-Identifier: MIT */
/*
 * fld_switch.c: the daemon's side of Mode = switch and Mode = hub (tinc's
 * route.c learn_mac/age_subnets and net_packet.c broadcast_packet):
 *   - Mode, DeviceType, MACExpire, Broadcast and BroadcastSubnet;
 *   - learned source addresses (src/l2's table), each announced as a MAC
 *     subnet of ours (ADD_SUBNET "xx:xx:xx:xx:xx:xx", weight 10), withdrawn with
 *     DEL_SUBNET MACExpire seconds after the last frame from it;
 *   - the MAC subnet lookup and the broadcast of frames along the minimum
 *     spanning tree or to direct neighbours (also router mode's broadcast
 *     subnets, as in tinc).
 * The dataplane calls the ops (dp_switch.c); control thread only.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "conf/conf_settings.h"
#include "l2/l2_mactable.h"

struct fld_switch {
	enum fl_dp_mode mode;
	bool tap;			/* the device is TAP (Ethernet frames) */
	enum fl_broadcast broadcast;
	uint64_t mac_expire_ms;
	struct fl_mactable macs;	/* switch mode only */
	struct mesh_subnet *bsub;	/* BroadcastSubnet lines in the mesh */
	size_t n_bsub;
	uint64_t learned, expired;
	uint64_t full_log_ms;		/* no "table full" line before this */
};

static struct fld_switch *sw_get(struct fld *d)
{
	if (!d->sw)
		d->sw = calloc(1, sizeof(*d->sw));
	return d->sw;
}

/* Mode and DeviceType are read at start only (the device stays what it
 * was opened as); MACExpire and Broadcast on every load. */
static int sw_conf_first(struct fld_switch *sw, const struct fl_settings *s)
{
	const char *t = s->device_type;

	sw->mode = s->mode == FL_MODE_SWITCH ? FL_DP_MODE_SWITCH
		   : s->mode == FL_MODE_HUB  ? FL_DP_MODE_HUB
					     : FL_DP_MODE_ROUTER;
	if (t && strcasecmp(t, "tun") && strcasecmp(t, "tap")) {
		fl_dlog(FL_DLOG_ERR, "Unknown device type %s!", t);
		return -1;
	}
	sw->tap = t ? !strcasecmp(t, "tap") : sw->mode != FL_DP_MODE_ROUTER;
	if (sw->tap && sw->mode == FL_DP_MODE_ROUTER) {
		fl_dlog(FL_DLOG_ERR, "DeviceType = tap with Mode = router is not supported "
				     "(use Mode = switch, or a tun device)");
		return -1;
	}
	if (!sw->tap && sw->mode != FL_DP_MODE_ROUTER) {
		fl_dlog(FL_DLOG_ERR, "Mode = %s needs a tap device, not DeviceType = tun",
			sw->mode == FL_DP_MODE_HUB ? "hub" : "switch");
		return -1;
	}
	return 0;
}

/* Parse BroadcastSubnet lines into a new array; -1 (logged) on a bad one. */
static int sw_parse_bsub(const struct fl_settings *s, struct mesh_subnet **out, size_t *n)
{
	struct mesh_subnet *v = calloc(s->broadcast_subnet.n + 1, sizeof(*v));

	if (!v)
		return -1;
	for (size_t i = 0; i < s->broadcast_subnet.n; i++) {
		const char *txt = s->broadcast_subnet.v[i];
		enum mesh_subnet_err e = mesh_subnet_parse(&v[i], txt, strlen(txt));
		if (e == MESH_SUBNET_OK)
			e = mesh_subnet_check_host_bits(&v[i]);
		if (e != MESH_SUBNET_OK) {
			fl_dlog(FL_DLOG_ERR, "BroadcastSubnet: %s: '%s'", mesh_subnet_strerror(e), txt);
			free(v);
			return -1;
		}
	}
	*out = v;
	*n = s->broadcast_subnet.n;
	return 0;
}

int fld_switch_conf(struct fld *d, const struct fl_settings *s, bool first)
{
	struct fld_switch *sw = sw_get(d);
	struct mesh_subnet *v;
	size_t n;

	if (!sw)
		return -1;
	if (first && sw_conf_first(sw, s) < 0)
		return -1;
	if (!first && s->mode != (enum fl_mode)(sw->mode == FL_DP_MODE_SWITCH ? FL_MODE_SWITCH
					       : sw->mode == FL_DP_MODE_HUB  ? FL_MODE_HUB
									     : FL_MODE_ROUTER))
		fl_dlog(FL_DLOG_WARN, "Mode changed on reload: restart to apply it");
	if (sw_parse_bsub(s, &v, &n) < 0)
		return -1;
	sw->broadcast = s->broadcast;
	/* tinc takes MACExpire as it is; a non-positive one expires at the
	 * next tick. */
	sw->mac_expire_ms = s->mac_expire > 0 ? (uint64_t)s->mac_expire * 1000 : 0;
	/* The mesh's broadcast subnets follow the new list (tinc deletes and
	 * re-adds them on every load). Before the mesh exists, only store. */
	for (size_t i = 0; d->mesh && i < sw->n_bsub; i++)
		mesh_del_broadcast_subnet(d->mesh, &sw->bsub[i]);
	free(sw->bsub);
	sw->bsub = v;
	sw->n_bsub = n;
	for (size_t i = 0; d->mesh && i < n; i++)
		mesh_add_broadcast_subnet(d->mesh, &v[i]);
	return 0;
}

bool fld_switch_tap(struct fld *d)
{
	return d->sw && d->sw->tap;
}

int fld_switch_start(struct fld *d)
{
	struct fld_switch *sw = sw_get(d);
	uint64_t seed;

	if (!sw)
		return -1;
	for (size_t i = 0; i < sw->n_bsub; i++)
		mesh_add_broadcast_subnet(d->mesh, &sw->bsub[i]);
	if (sw->mode != FL_DP_MODE_SWITCH)
		return 0;
	randombytes_buf(&seed, sizeof(seed));
	return fl_mactable_init(&sw->macs, FL_MACTABLE_DEFAULT_MAX, seed) ? 0 : -1;
}

void fld_switch_stop(struct fld *d)
{
	if (!d->sw)
		return;
	fl_mactable_free(&d->sw->macs);
	free(d->sw->bsub);
	free(d->sw);
	d->sw = NULL;
}

static void sw_mac_subnet(struct mesh_subnet *s, const uint8_t mac[static 6])
{
	memset(s, 0, sizeof(*s));
	s->type = MESH_SUBNET_MAC;
	s->prefix = 48;
	s->weight = MESH_SUBNET_DEFAULT_WEIGHT;
	memcpy(s->addr, mac, 6);
	/* Marks the subnet as learned: a reload's own-subnet pass leaves it. */
	s->expires = 1;
}

static void sw_announce(struct fld *d, const uint8_t mac[static 6], bool add)
{
	struct mesh_subnet s;
	struct mesh_out out;
	char txt[FL_ETH_MAC_TEXT];

	sw_mac_subnet(&s, mac);
	fl_eth_format(mac, txt);
	mesh_out_init(&out);
	if (add) {
		fl_dlog(FL_DLOG_TRAFFIC, "Learned new MAC address %s", txt);
		mesh_add_own_subnet(d->mesh, &s, &out);
	} else {
		fl_dlog(FL_DLOG_TRAFFIC, "Subnet %s expired", txt);
		mesh_del_own_subnet(d->mesh, &s, &out);
	}
	fld_out_run(d, &out);
	mesh_out_clear(&out);
}

/* ops.mac_learn: now in µs (the dataplane's clock). */
static void sw_mac_learn(void *ctx, const uint8_t mac[static 6], uint64_t now)
{
	struct fld *d = ctx;
	struct fld_switch *sw = d->sw;

	enum fl_mac_learn r = fl_mactable_learn(&sw->macs, mac, now / 1000, sw->mac_expire_ms);

	if (r == FL_MAC_FULL && now / 1000 >= sw->full_log_ms) {
		/* A LAN host can cause this: once a minute at most. */
		sw->full_log_ms = now / 1000 + 60000;
		fl_dlog(FL_DLOG_WARN, "%s: %zu MAC addresses learned, not learning more "
				      "(%llu frames from new addresses so far)",
			d->ifname, sw->macs.max, (unsigned long long)sw->macs.refused_full);
	}
	if (r != FL_MAC_NEW)
		return;
	sw->learned++;
	sw_announce(d, mac, true);
}

static struct fl_dp_route_result sw_mac_lookup(void *ctx, const uint8_t mac[static 6])
{
	struct fld *d = ctx;
	struct fl_dp_route_result r = {0};
	const struct mesh_subnet *s = mesh_subnet_route(d->mesh, MESH_SUBNET_MAC, mac);

	if (s && s->owner)
		r.owner = fld_peer(d, s->owner);
	else if (s)
		r.broadcast = true;
	return r;
}

void fld_switch_tick(struct fld *d)
{
	struct fld_switch *sw = d->sw;
	uint8_t gone[32][FL_ETH_ALEN];
	size_t n;

	if (!sw || sw->mode != FL_DP_MODE_SWITCH || !sw->macs.slot)
		return;
	do {
		n = fl_mactable_expire(&sw->macs, fl_now_us() / 1000, gone, 32);
		for (size_t i = 0; i < n; i++) {
			sw->expired++;
			sw_announce(d, gone[i], false);
		}
	} while (n == 32);
}

/* Send a copy of frame to peer n (the dataplane takes the copy). */
static void sw_copy_to(struct fld *d, struct mesh_node *n, const uint8_t *frame, size_t len)
{
	struct fl_dp_peer *p = fld_peer(d, n);
	struct fl_pkt *c;

	if (!p)
		return;
	c = fl_pkt_alloc(d->pool);
	if (!c) {
		fl_dp_count_drop(d->dp, FL_DP_DROP_NOMEM, p, NULL);
		return;
	}
	if (fl_pkt_set(c, frame, len) < 0) {
		fl_pkt_free(c);
		return;
	}
	fl_dp_send_frame(d->dp, fl_now_us(), p, c);
}

/* ops.broadcast (GRAPH.md §6.5): along our MST connections except the one
 * toward the source, or (Broadcast = direct, our own frames only) to every
 * node reached without a relay. Never with TunnelServer: its MST may be
 * incomplete and loop. */
static void sw_broadcast(void *ctx, struct fl_dp_peer *source, const uint8_t *frame, size_t len)
{
	struct fld *d = ctx;
	struct mesh_node *me = mesh_myself(d->mesh), *from = fl_dp_peer_user(source);

	if (d->boot->s.tunnel_server || !from)
		return;
	if (d->sw->broadcast == FL_BCAST_MST) {
		struct mesh_node *back = from->nexthop && from->nexthop != me ? from->nexthop : NULL;
		for (size_t i = 0; i < d->n_conns; i++) {
			struct mesh_conn *mc = mesh_conn_find(d->mesh, d->conns[i]->id);
			if (mc && mc->edge && (mc->status & MESH_CS_MST) && mc->node && mc->node != back)
				sw_copy_to(d, mc->node, frame, len);
		}
	} else if (d->sw->broadcast == FL_BCAST_DIRECT && from == me) {
		for (size_t i = 0; i < mesh_node_count(d->mesh); i++) {
			struct mesh_node *n = mesh_node_at(d->mesh, i);
			if (n != me && (n->status & MESH_NS_REACHABLE) &&
			    ((n->via == me && n->nexthop == n) || n->via == n))
				sw_copy_to(d, n, frame, len);
		}
	}
}

void fld_switch_ops(struct fld *d, struct fl_dp_settings *s, struct fl_dp_ops *ops)
{
	if (!d->sw)
		return;
	s->mode = d->sw->mode;
	ops->broadcast = sw_broadcast;
	if (d->sw->mode == FL_DP_MODE_SWITCH) {
		ops->mac_learn = sw_mac_learn;
		ops->mac_lookup = sw_mac_lookup;
	}
}
