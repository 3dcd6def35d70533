/* SPDX-License-Identifier: MIT */
/*
 * fld_lan_route.c: IP between a `lan` interface and the dataplane
 * (fld_lan.h). From the LAN: ARP and ND to the cores, pings to our
 * addresses answered, anything else for a destination off the LAN has
 * its TTL checked and decremented (we are its router) and goes into the
 * dataplane exactly as a packet read from the TUN, so offload, local
 * routes and the mesh subnets all apply, and the dataplane's own "too
 * big" answers (frag-needed, packet too big) come back through
 * device_write to the host. Towards the LAN: device_write offers every
 * frame here first; a destination inside one of our on-link prefixes is
 * resolved with ARP/NDP and sent with our Ethernet header, everything
 * else goes to the TUN as before. No allocation per packet: frames are
 * rewritten in their own buffers.
 */
#include <string.h>

#include "daemon/fld.h"
#include "daemon/fld_lan.h"
#include "daemon/fld_offload.h"
#include "daemon/fld_vpnnat.h"
#include "daemon/fld_lan_lease.h"
#include "wire/icmp_err.h"
#include "wire/ipmod.h"

#define ETH_IPV4 0x0800u
#define ETH_IPV6 0x86ddu
#define ETH_ARP 0x0806u
/* Packets held for unresolved next hops, over all entries: they come from
 * the dataplane's pool, which a scan of a large LAN prefix from the mesh
 * must not drain (3 per entry of a /16 would be 196,000). */
#define LAN_HELD_MAX 256u

static void lan_out(struct fld_lan *l, struct fl_pkt *p, int version, const uint8_t *dst);

/* Off the LAN: TTL first (time exceeded from our address), then into the
 * dataplane as if read from the TUN. Takes p. */
static void lan_to_mesh(struct fld_lan *l, struct fl_pkt *p, int version)
{
	enum fl_ttl_result t = fl_ttl_decrement(p->data, p->len);

	if (t == FL_TTL_EXPIRED_ICMP) {
		fld_lan_icmp_err(l, p, version, version == 4 ? FL_ICMP_T_TIME_EXCEEDED : FL_ICMP6_T_TIME_EXCEEDED,
				 0, 0, false);
		return;
	}
	/* With VPNNat, split tunnelling decides first, on the LAN host's own
	 * address: offloaded traffic is translated once, by the offload NAT,
	 * whose mappings and per-host limits then see the LAN hosts rather
	 * than one VPNNat address. (The frame still has its Ethernet header,
	 * the form the hook takes.) */
	if (t == FL_TTL_OK && l->vpnnat && fld_offload_hook(l->d, fld_now(l->d), p))
		return;
	if (t != FL_TTL_OK || !fl_pkt_pull(p, 14)) {
		l->st.local_drops++;
		fl_pkt_free(p);
		return;
	}
	/* VPNNat (fld_vpnnat.c) translates the source here, before routing. */
	if (l->vpnnat && !fld_vpnnat_out(l->vpnnat, p->data, p->len, fld_now(l->d))) {
		fl_pkt_free(p); /* counted by fld_vpnnat */
		return;
	}
	/* A hairpin through the VPNNat address: back to the LAN host. */
	if (l->vpnnat && version == 4 && fld_lan_on_link(l, 4, p->data + 16)) {
		if (!fl_pkt_push(p, 14)) {
			fl_pkt_free(p);
			return;
		}
		lan_out(l, p, 4, p->data + 30);
		return;
	}
	l->st.to_mesh++;
	fl_dp_device_input(l->d->dp, fld_now(l->d), p);
}

static bool lan_link_local(const uint8_t *frame, int version)
{
	if (version == 4) /* 169.254.0.0/16, source or destination */
		return (frame[26] == 169 && frame[27] == 254) || (frame[30] == 169 && frame[31] == 254);
	return (frame[22] == 0xfe && (frame[23] & 0xc0) == 0x80) ||
	       (frame[38] == 0xfe && (frame[39] & 0xc0) == 0x80);
}

/* The UDP destination port of an IPv4 frame (not a later fragment), or 0. */
static unsigned lan_udp_dport(const struct fl_pkt *p)
{
	size_t ihl = (size_t)(p->data[14] & 15) * 4;

	if (ihl < 20 || p->len < 14 + ihl + 8 || (p->data[20] & 0x1f) || p->data[21])
		return 0;
	return (unsigned)p->data[14 + ihl + 2] << 8 | p->data[14 + ihl + 3];
}

/* One IP frame from the LAN (Ethernet header at p->data). Takes p. */
static void lan_ip_in(struct fld_lan *l, struct fl_pkt *p, int version, bool group)
{
	size_t min = version == 4 ? 34 : 54;
	const uint8_t *dst;

	if (p->len < min || p->data[14] >> 4 != version) {
		l->st.ignored++;
		fl_pkt_free(p);
		return;
	}
	if (version == 6 && p->data[20] == 58 && fld_lan_ndp_in(l, p->data, p->len)) {
		fl_pkt_free(p);
		return;
	}
	/* DHCP's answers (fld_lan_dhcp.c), broadcast or to an address that
	 * is not ours yet: before anything else looks at the destination. */
	if (version == 4 && l->dhcp_in && p->data[23] == 17 && lan_udp_dport(p) == 68 &&
	    l->dhcp_in(l, p))
		return;
	dst = p->data + (version == 4 ? 30 : 38);
	if (group) { /* broadcast, multicast: nothing we route */
		l->st.ignored++;
		fl_pkt_free(p);
		return;
	}
	if (l->conf.role == FLD_IFACE_OFFLOAD) { /* replies through the offload NAT */
		if (fld_lan_is_ours(l, version, dst) && fl_pkt_pull(p, 14)) {
			fld_offload_tap_in(l->d, p);
			return;
		}
		l->st.local_drops++;
		fl_pkt_free(p);
		return;
	}
	if (fld_lan_is_ours(l, version, dst)) {
		fld_lan_local(l, p, version);
		return;
	}
	/* The host's neighbour is not reached through us, and link-local
	 * addresses never leave their link (RFC 4291 §2.5.6, RFC 3927 §2.7). */
	if (fld_lan_on_link(l, version, dst) || lan_link_local(p->data, version)) {
		l->st.ignored++;
		fl_pkt_free(p);
		return;
	}
	lan_to_mesh(l, p, version);
}

void fld_lan_input(struct fld_lan *l, struct fl_pkt **pkts, int n)
{
	for (int i = 0; i < n; i++) {
		struct fl_pkt *p = pkts[i];
		bool group;
		unsigned type;

		l->st.rx_frames++;
		if (p->len < 14) {
			l->st.ignored++;
			fl_pkt_free(p);
			continue;
		}
		group = (p->data[0] & 1) != 0;
		if (!group && memcmp(p->data, l->mac, 6)) {
			l->st.not_for_us++;
			fl_pkt_free(p);
			continue;
		}
		type = (unsigned)p->data[12] << 8 | p->data[13];
		if (type == ETH_IPV4 || type == ETH_IPV6) {
			lan_ip_in(l, p, type == ETH_IPV4 ? 4 : 6, group);
			continue;
		}
		if (type == ETH_ARP) {
			fld_lan_lease_arp(l, p->data, p->len);
			fld_lan_arp_in(l, p->data, p->len);
		} else
			l->st.ignored++; /* VLAN tags, LLDP, anything else */
		fl_pkt_free(p);
	}
}

void fld_lan_send_to(struct fld_lan *l, struct fl_pkt *p, const uint8_t mac[static 6])
{
	bool v4 = p->data[14] >> 4 == 4;

	memcpy(p->data, mac, 6);
	memcpy(p->data + 6, l->mac, 6);
	p->data[12] = v4 ? 0x08 : 0x86;
	p->data[13] = v4 ? 0x00 : 0xdd;
	l->st.from_mesh++;
	fld_lan_xmit_data(l, p->data, p->len);
	fl_pkt_free(p);
}

/* Has dst a MAC now (so resolving it takes no packet)? */
static bool lan_resolved(const struct fld_lan *l, int version, const uint8_t *dst)
{
	uint8_t key[FL_NEIGH_ALEN] = {0};
	const struct fl_neigh_entry *e;

	memcpy(key, dst, version == 4 ? 4 : 16);
	e = fl_neigh_lookup(version == 4 ? &l->arp.cache : &l->ndp.cache, key);
	return e && e->state != FL_NEIGH_INCOMPLETE && e->state != FL_NEIGH_FAILED;
}

/* A frame for the LAN l: next hop = its destination, resolved. Takes p. */
static void lan_out(struct fld_lan *l, struct fl_pkt *p, int version, const uint8_t *dst)
{
	const struct fl_l2_sink *sink = fld_lan_l2_sink(l);
	fl_time_t now = fld_now(l->d);
	uint8_t mac[6];
	enum fl_neigh_res r;

	enum fl_ttl_result t;

	if (fld_lan_is_ours(l, version, dst)) { /* a ping to our LAN address */
		fld_lan_mesh_local(l, p, version);
		return;
	}
	t = fl_ttl_decrement(p->data, p->len); /* we route it onto the LAN: one hop */
	if (t == FL_TTL_EXPIRED_ICMP) {
		fld_lan_icmp_err(l, p, version, version == 4 ? FL_ICMP_T_TIME_EXCEEDED : FL_ICMP6_T_TIME_EXCEEDED,
				 0, 0, true);
		return;
	}
	if (t != FL_TTL_OK) {
		l->st.local_drops++;
		fl_pkt_free(p);
		return;
	}
	if (l->held >= LAN_HELD_MAX && !lan_resolved(l, version, dst)) {
		l->st.unresolved++;
		fl_pkt_free(p);
		return;
	}
	r = version == 4 ? fl_arp_resolve(&l->arp, dst, p, now, sink, mac)
			 : fl_ndp_resolve(&l->ndp, dst, p, now, sink, mac);
	if (r == FL_NEIGH_HIT) {
		fld_lan_send_to(l, p, mac);
	} else if (r == FL_NEIGH_QUEUED) {
		l->held++;
	} else { /* nobody answers for it: host unreachable (RFC 1812 §5.2.7.1) */
		l->st.unresolved++;
		fld_lan_icmp_err(l, p, version, version == 4 ? FL_ICMP_T_UNREACH : FL_ICMP6_T_UNREACH,
				 version == 4 ? FL_ICMP_C_HOST : FL_ICMP6_C_ADDR, 0, true);
	}
}

void fld_lan_gateway_out(struct fld_lan *l, struct fl_pkt *p, int version, const uint8_t *gw)
{
	const struct fl_l2_sink *sink = fld_lan_l2_sink(l);
	enum fl_neigh_res r;
	uint8_t mac[6];

	if (l->held >= LAN_HELD_MAX && !lan_resolved(l, version, gw)) {
		l->st.unresolved++;
		fl_pkt_free(p);
		return;
	}
	r = version == 4 ? fl_arp_resolve(&l->arp, gw, p, fld_now(l->d), sink, mac)
			 : fl_ndp_resolve(&l->ndp, gw, p, fld_now(l->d), sink, mac);
	if (r == FL_NEIGH_HIT) {
		fld_lan_send_to(l, p, mac);
	} else if (r == FL_NEIGH_QUEUED) {
		l->held++;
	} else { /* the gateway does not answer: nothing else could carry it */
		l->st.unresolved++;
		fl_pkt_free(p);
	}
}

bool fld_lan_device_write(struct fld *d, struct fl_pkt *p)
{
	int version;
	const uint8_t *dst;

	if (p->len < 34)
		return false;
	version = p->data[14] >> 4;
	if (version == 4)
		dst = p->data + 30;
	else if (version == 6 && p->len >= 54)
		dst = p->data + 38;
	else
		return false;
	for (struct fld_lan *l = d->lan; l; l = l->next) {
		if (l->conf.role != FLD_IFACE_LAN) /* an offload TAP: only through its NAT */
			continue;
		/* VPNNat (fld_vpnnat.c) de-aliases replies here, before the test. */
		if (l->vpnnat && !fld_vpnnat_in(l->vpnnat, p->data + 14, p->len - 14, fld_now(d))) {
			fl_pkt_free(p); /* counted by fld_vpnnat */
			return true;
		}
		if (fld_lan_on_link(l, version, dst)) {
			lan_out(l, p, version, dst);
			return true;
		}
	}
	return false;
}

void fld_lan_flush(struct fld *d)
{
	for (struct fld_lan *l = d->lan; l; l = l->next) {
		fld_lan_gro_flush(l);
		/* Answers about answers are never made (ICMP errors are not
		 * answered), so one pass empties the list; a copy, since the
		 * dataplane may call device_write (and so lan_defer) again. */
		struct fl_pkt *v[FLD_LAN_DEFER_MAX];
		unsigned n = l->n_defer;

		memcpy(v, l->defer, n * sizeof(v[0]));
		l->n_defer = 0;
		for (unsigned i = 0; i < n; i++) {
			if (!fl_pkt_pull(v[i], 14)) {
				fl_pkt_free(v[i]);
				continue;
			}
			/* An error about a de-aliased packet leaves under VPNNat too. */
			if (l->vpnnat && !fld_vpnnat_out(l->vpnnat, v[i]->data, v[i]->len, fld_now(d))) {
				fl_pkt_free(v[i]);
				continue;
			}
			fl_dp_device_input(d->dp, fld_now(d), v[i]);
		}
	}
}
