/* SPDX-License-Identifier: MIT */
/*
 * fenliud's side of the dataplane (src/dataplane/dataplane.h): the ops it
 * calls (UDP sends through per-socket sendmmsg queues, device writes,
 * PACKET / SPTPS_PACKET through the mesh, key requests, UDP_INFO and
 * MTU_INFO, subnet lookups), the sockets and device it reads in batches,
 * and keeping its peers in step with the mesh graph. Control thread only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "dataplane/dp_sptps.h"
#include "io/tun.h"
#include "io/udp.h"

#define DP_POOL_PACKETS 1024

static struct mesh_node *dp_node(struct fl_dp_peer *p) { return p ? fl_dp_peer_user(p) : NULL; }

struct fl_dp_peer *fld_peer(struct fld *d, struct mesh_node *n)
{
	struct fld_node *fn = n ? fld_node(d, n) : NULL;
	return fn ? fn->peer : NULL;
}

static void dp_run(struct fld *d, struct mesh_out *out)
{
	fld_out_run(d, out);
	mesh_out_clear(out);
}

/* ---- ops ----------------------------------------------------------------- */

static int dp_udp_send(void *ctx, struct fl_dp_peer *relay, unsigned sock, const union fl_addr *addr,
		       struct fl_pkt *p, bool probe)
{
	struct fld *d = ctx;
	int r;

	if (sock >= d->n_listen) {
		fl_pkt_free(p);
		return -EBADF;
	}
	if (probe) {
		r = fl_udp_send(d->listen[sock].udp, addr, p->data, p->len);
		fl_pkt_free(p);
		return r == -EAGAIN ? 0 : r;
	}
	fl_udp_txq_push(&d->txq[sock], addr, p, (uintptr_t)relay);
	return 0;
}

static void dp_txq_error(void *ctx, uintptr_t cookie, int err, size_t len)
{
	struct fld *d = ctx;
	fl_dp_udp_error(d->dp, (struct fl_dp_peer *)cookie, err, len);
}

/* Write what the coalescing buffer holds (one packet or one GSO burst). */
static void dp_tun_gro_flush(struct fld *d)
{
	size_t n = d->tun_gro.buf ? fl_tun_gro_finish(&d->tun_gro) : 0;

	if (n && fl_tun_write(d->tun_fd, d->tun_gro.buf, n) < 0)
		fl_dp_count_drop(d->dp, FL_DP_DROP_TUN_WRITE, NULL, NULL);
}

static void dp_device_write(void *ctx, struct fl_pkt *p)
{
	struct fld *d = ctx;
	size_t skip = d->tun_gso_buf ? 14 - FL_TUN_VNET_HLEN : 14;

	if (fld_switch_tap(d)) { /* TAP: the frame as it is */
		/* TCP data is merged until the batch ends, as for TUN. */
		if (d->tun_gro.buf && (fl_tap_gro_add(&d->tun_gro, p->data, p->len) ||
				       (dp_tun_gro_flush(d), fl_tap_gro_add(&d->tun_gro, p->data, p->len)))) {
			fl_pkt_free(p);
			return;
		}
		/* An offload device wants a virtio_net_hdr in front: zeros,
		 * no offload asked for. */
		uint8_t *h = d->tun_gso_buf ? fl_pkt_push(p, FL_TUN_VNET_HLEN) : p->data;
		if (h && d->tun_gso_buf)
			memset(h, 0, FL_TUN_VNET_HLEN);
		if (!h || fl_tun_write(d->tun_fd, p->data, p->len) < 0)
			fl_dp_count_drop(d->dp, FL_DP_DROP_TUN_WRITE, NULL, NULL);
		fl_pkt_free(p);
		return;
	}
	/* An offload device wants a virtio_net_hdr: zeros (no offload asked
	 * for) over the tail of the frame header, so no copy. */
	if (p->len > 14 && d->tun_gso_buf) {
		/* TCP data is merged until the batch ends (fld_dp_flush). */
		if (fl_tun_gro_add(&d->tun_gro, p->data + 14, p->len - 14)) {
			fl_pkt_free(p);
			return;
		}
		dp_tun_gro_flush(d);
		if (fl_tun_gro_add(&d->tun_gro, p->data + 14, p->len - 14)) {
			fl_pkt_free(p);
			return;
		}
		memset(p->data + skip, 0, FL_TUN_VNET_HLEN);
	}
	if (p->len > 14 && fl_tun_write(d->tun_fd, p->data + skip, p->len - skip) < 0)
		fl_dp_count_drop(d->dp, FL_DP_DROP_TUN_WRITE, NULL, NULL);
	fl_pkt_free(p);
}

static void dp_send_packet(void *ctx, struct fl_dp_peer *to, const uint8_t *frame, size_t len)
{
	struct fld *d = ctx;
	struct mesh_out out;

	mesh_out_init(&out);
	mesh_send_packet(d->mesh, dp_node(to), frame, len, &out);
	dp_run(d, &out);
}

static void dp_send_sptps_tcp(void *ctx, struct fl_dp_peer *from, struct fl_dp_peer *to,
			      const uint8_t *dgram, size_t len)
{
	struct fld *d = ctx;
	struct mesh_out out;

	mesh_out_init(&out);
	mesh_send_sptps_data(d->mesh, dp_node(from), dp_node(to), dgram, len, &out);
	dp_run(d, &out);
}

static void dp_request_key(void *ctx, struct fl_dp_peer *to)
{
	fld_session_request(ctx, dp_node(to));
}

static void dp_udp_info(void *ctx, struct fl_dp_peer *to)
{
	struct fld *d = ctx;
	struct mesh_out out;

	mesh_out_init(&out);
	mesh_send_udp_info(d->mesh, mesh_myself(d->mesh), dp_node(to), fld_mesh_now(), &out);
	dp_run(d, &out);
}

static void dp_mtu_info(void *ctx, struct fl_dp_peer *to, int mtu)
{
	struct fld *d = ctx;
	struct mesh_out out;

	mesh_out_init(&out);
	mesh_send_mtu_info(d->mesh, mesh_myself(d->mesh), dp_node(to), mtu, fld_mesh_now(), &out);
	dp_run(d, &out);
}

static struct fl_dp_route_result dp_route_lookup(void *ctx, int version, const uint8_t *dst)
{
	struct fld *d = ctx;
	struct fl_dp_route_result r = {0};
	const struct mesh_subnet *s =
		mesh_subnet_route(d->mesh, version == 6 ? MESH_SUBNET_IPV6 : MESH_SUBNET_IPV4, dst);

	if (!s)
		return r;
	if (!s->owner)
		r.broadcast = true;
	else
		r.owner = fld_peer(d, s->owner);
	return r;
}

static void dp_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}

static int dp_path_mtu(void *ctx, const union fl_addr *addr)
{
	(void)ctx;
	return fl_udp_path_mtu(addr);
}

/* Where some node sees `peer` (reverse of one of its edges), or the local
 * address of one of its own edges; picked at random like tinc. */
static bool dp_edge_addr(void *ctx, struct fl_dp_peer *peer, bool local, union fl_addr *out)
{
	struct mesh_node *n = dp_node(peer);
	size_t k;

	(void)ctx;
	if (!n || !n->n_edges)
		return false;
	k = randombytes_uniform((uint32_t)n->n_edges);
	for (size_t i = 0; i < n->n_edges; i++) {
		struct mesh_edge *e = n->edges[(k + i) % n->n_edges];
		const char *h = local ? e->laddr : (e->reverse ? e->reverse->addr : NULL);
		const char *p = local ? e->lport : (e->reverse ? e->reverse->port : NULL);
		uint16_t port;
		if (h && p && mesh_port_parse(p, &port) && fl_addr_parse(out, h, port))
			return true;
	}
	return false;
}

/* ---- life cycle ----------------------------------------------------------- */

int fld_dp_start(struct fld *d)
{
	struct fl_dp_settings s;
	struct fl_dp_crypto crypto;

	fl_dp_settings_default(&s);
	s.my_options = d->my_options;
	s.compression = d->compression;
	s.udp_discovery_keepalive_interval = (unsigned)d->udp_keepalive_interval;
	s.udp_discovery_interval = (unsigned)d->udp_discovery_interval;
	s.udp_discovery_timeout = (unsigned)d->udp_discovery_timeout;
	s.ping_interval = (unsigned)d->ping_interval;
	s.nsocks = (unsigned)d->n_listen;
	for (size_t i = 0; i < d->n_listen; i++)
		s.sock_family[i] = d->listen[i].family;
	d->dp_ops = (struct fl_dp_ops){
		.ctx = d,
		.udp_send = dp_udp_send,
		.device_write = dp_device_write,
		.send_packet = dp_send_packet,
		.send_sptps_tcp = dp_send_sptps_tcp,
		.request_key = dp_request_key,
		.udp_info = dp_udp_info,
		.mtu_info = dp_mtu_info,
		.route_lookup = dp_route_lookup,
		.random = dp_random,
		.path_mtu = dp_path_mtu,
		.edge_addr = dp_edge_addr,
		.local_route = fld_routes_lookup,
		.drop_note = fld_stats_drop_note,
	};
	fld_switch_ops(d, &s, &d->dp_ops);
	d->pool = fl_pkt_pool_new(DP_POOL_PACKETS);
	d->dps = fl_dp_sptps_new();
	if (!d->pool || !d->dps)
		return -1;
	fl_dp_sptps_crypto(d->dps, &crypto);
	d->dp = fl_dp_new(&s, &d->dp_ops, &crypto, d->pool);
	if (!d->dp)
		return -1;
	for (size_t i = 0; i < d->n_listen; i++)
		fl_udp_txq_init(&d->txq[i], d->listen[i].udp, dp_txq_error, d);
	/* myself first: the dataplane takes the first myself peer as us. */
	return fld_node(d, mesh_myself(d->mesh)) ? 0 : -1;
}

void fld_dp_stop(struct fld *d)
{
	fld_dp_flush(d);
	fl_dp_free(d->dp);
	d->dp = NULL;
	fl_dp_sptps_free(d->dps);
	d->dps = NULL;
}

void fld_dp_free_pool(struct fld *d)
{
	fl_pkt_pool_free(d->pool);
	d->pool = NULL;
}

void fld_dp_flush(struct fld *d)
{
	dp_tun_gro_flush(d);
	for (size_t i = 0; i < d->n_listen; i++)
		if (d->txq[i].n)
			fl_udp_txq_flush(&d->txq[i]);
}

/* ---- graph ---------------------------------------------------------------- */

/* Bring every peer's graph facts and UDP address in line with the mesh. */
void fld_dp_sync(struct fld *d)
{
	for (size_t i = 0; i < mesh_node_count(d->mesh); i++) {
		struct mesh_node *n = mesh_node_at(d->mesh, i);
		struct fld_node *fn = fld_node(d, n);
		struct fl_dp_graph g = {0};
		if (!fn || !fn->peer || n == mesh_myself(d->mesh))
			continue;
		g.reachable = n->status & MESH_NS_REACHABLE;
		g.via = fld_peer(d, n->via);
		g.nexthop = fld_peer(d, n->nexthop);
		g.options = n->options;
		g.has_conn = n->conn != MESH_CONN_NONE;
		g.has_prevedge = n->prevedge != NULL;
		fl_dp_peer_set_graph(d->dp, fn->peer, &g);
		if (n->addr && *n->addr && n->port &&
		    (!fn->addr_text || strcmp(fn->addr_text, n->addr) || strcmp(fn->port_text, n->port))) {
			union fl_addr a;
			uint16_t port;
			if (mesh_port_parse(n->port, &port) && fl_addr_parse(&a, n->addr, port)) {
				free(fn->addr_text);
				free(fn->port_text);
				fn->addr_text = strdup(n->addr);
				fn->port_text = strdup(n->port);
				fl_dp_peer_set_addr(d->dp, fn->peer, &a);
			}
		}
	}
}

/* Copy the dataplane's view back into the mesh nodes (the mesh reads mtu
 * and minmtu for MTU_INFO / ANS_KEY; dumps read the status bits). */
void fld_dp_pull(struct fld *d)
{
	for (size_t i = 0; i < d->n_nodes; i++) {
		struct fld_node *fn = d->nodes[i];
		struct fl_dp_peer_info info;
		if (!fn->peer || fn->n == mesh_myself(d->mesh))
			continue;
		fl_dp_peer_info(fn->peer, &info);
		fn->n->mtu = info.mtu;
		fn->n->minmtu = info.minmtu;
		fn->n->maxmtu = info.maxmtu;
		if (info.udp_confirmed)
			fn->n->status |= MESH_NS_UDP_CONFIRMED;
		else
			fn->n->status &= ~(uint32_t)MESH_NS_UDP_CONFIRMED;
		fn->rtt_us = (int)info.udp_ping_rtt;
		fn->in_pkts = info.in_packets;
		fn->in_bytes = info.in_bytes;
		fn->out_pkts = info.out_packets;
		fn->out_bytes = info.out_bytes;
	}
}

/* ---- input ----------------------------------------------------------------- */

void fld_dp_udp_readable(void *ctx, int fd, unsigned events)
{
	struct fld *d = ctx;
	struct fl_pkt *pkts[FL_UDP_BATCH];
	union fl_addr from[FL_UDP_BATCH];
	unsigned sock = 0;

	(void)events;
	for (size_t i = 0; i < d->n_listen; i++)
		if (d->listen[i].udp == fd)
			sock = (unsigned)i;
	for (int round = 0; round < 4; round++) {
		int n = fl_udp_recv_batch(fd, d->pool, pkts, from, FL_UDP_BATCH);
		uint64_t now = fl_now_us();
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			if (pkts[i]->meta & FL_UDP_META_TRUNC)
				fl_dp_udp_oversize(d->dp, &from[i], pkts[i]);
			else
				fl_dp_udp_input(d->dp, now, sock, &from[i], pkts[i]);
		}
		fld_dp_flush(d);
		if (n < (int)FL_UDP_BATCH)
			break;
	}
}

/* Offload device: each read is one IP packet or one TCP burst of up to
 * 64 KiB, cut into segments; the send queues flush when full and at the
 * end, so bursts and lone ACKs alike leave in sendmmsg batches. */
static void fld_dp_tun_read_gso(struct fld *d, int fd)
{
	/* 64 KiB at TCP's smallest MSS (88) is 745 segments. */
	static struct fl_pkt *pkts[768];

	for (int round = 0; round < (int)FL_UDP_BATCH; round++) {
		int n = fld_switch_tap(d) ? fl_tap_read_gso(fd, d->tun_gso_buf, d->pool, pkts, 768)
					  : fl_tun_read_gso(fd, d->tun_gso_buf, d->pool, pkts, 768);
		uint64_t now = fl_now_us();
		if (n < 0)
			break;
		if (n == 0) /* a read the offload parser could not cut */
			fl_dp_count_drop(d->dp, FL_DP_DROP_SHORT, NULL, NULL);
		for (int i = 0; i < n; i++)
			fl_dp_device_input(d->dp, now, pkts[i]);
	}
	fld_dp_flush(d);
}

void fld_dp_tun_readable(void *ctx, int fd, unsigned events)
{
	struct fld *d = ctx;
	struct fl_pkt *pkts[FL_UDP_BATCH];

	(void)events;
	if (d->tun_gso_buf) {
		fld_dp_tun_read_gso(d, fd);
		return;
	}
	for (int round = 0; round < 4; round++) {
		int n = fld_switch_tap(d) ? fl_tap_read_batch(fd, d->pool, pkts, FL_UDP_BATCH)
					  : fl_tun_read_batch(fd, d->pool, pkts, FL_UDP_BATCH);
		uint64_t now = fl_now_us();
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++)
			fl_dp_device_input(d->dp, now, pkts[i]);
		fld_dp_flush(d);
		if (n < (int)FL_UDP_BATCH)
			break;
	}
}

/* PACKET 17 from a neighbour (frame borrowed). */
void fld_dp_packet_in(struct fld *d, struct mesh_node *from, const uint8_t *frame, size_t len)
{
	struct fl_pkt *p = fl_pkt_alloc(d->pool);

	if (!p)
		return;
	if (fl_pkt_set(p, frame, len) < 0) {
		fl_pkt_free(p);
		return;
	}
	fl_dp_packet_input(d->dp, fl_now_us(), fld_peer(d, from), p);
	fld_dp_flush(d);
}

/* A datagram that came over TCP (binary SPTPS_PACKET or REQ_KEY/21). */
void fld_dp_tcp_data(struct fld *d, struct mesh_node *from, struct mesh_node *to,
		     const uint8_t *dgram, size_t len)
{
	struct fl_pkt *p = fl_pkt_alloc(d->pool);

	if (!p)
		return;
	if (fl_pkt_set(p, dgram, len) < 0) {
		fl_pkt_free(p);
		return;
	}
	fl_dp_sptps_tcp_input(d->dp, fl_now_us(), fld_peer(d, from), fld_peer(d, to), p,
			      d->in_binary);
	fld_dp_flush(d);
}
