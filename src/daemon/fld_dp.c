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
#include "daemon/fld_conf.h"
#include "daemon/fld_offload.h"
#include "daemon/fld_lan.h"
#include "dataplane/dp_sptps.h"
#include "dataplane/dp_workers.h"
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

/* The unsealed packets noted so far, to the workers' ring. */
static void dp_seal_submit(struct fld *d)
{
	uint64_t t;

	if (!d->n_seal_pend)
		return;
	t = fl_dp_sptps_seal_submit(d->dps, d->seal_pend, d->n_seal_pend);
	if (t > d->seal_ticket) /* tickets only grow; keep the newest */
		d->seal_ticket = t;
	d->n_seal_pend = 0;
}

/* Hand the packets the send queues hold unsealed to the workers' ring
 * and return: the next device batch is read and decided while they are
 * sealed. The queues keep seqno order; nothing touches those packets
 * until they were waited for. What the previous hand-off left in the
 * queues is waited for and sent now, so batch k leaves while batch k+1 is
 * sealed: a queue holds two batches (FL_UDP_TXQ_CAP). With one batch, the
 * first packet of the next one found the queue full and waited for the
 * whole pipeline, so no batch was ever decided while one was sealed. */
static void dp_seal_handoff(struct fld *d)
{
	uint64_t prev = d->seal_ticket;
	bool older = false;

	/* Reads of one packet each (anything but TCP on an offload device)
	 * gather into batches the workers can share; a smaller one would be
	 * sealed on this thread (W_MIN_BATCH) and each hand-off would send
	 * its own few datagrams. Half a batch also keeps two hand-offs (a
	 * 45-segment TCP burst each) within the queue. */
	if (d->n_seal_pend < FL_UDP_BATCH / 2)
		return;
	dp_seal_submit(d);
	d->pipe_handoffs++;
	for (size_t i = 0; i < d->n_listen; i++)
		older |= d->txq_handed[i] != 0;
	if (older) {
		if (prev)
			fl_dp_sptps_wait(d->dps, prev);
		for (size_t i = 0; i < d->n_listen; i++)
			d->pipe_overlap_sent += fl_udp_txq_flush_head(&d->txq[i], d->txq_handed[i]);
	}
	for (size_t i = 0; i < d->n_listen; i++)
		d->txq_handed[i] = d->txq[i].n;
}

/* Every packet in the send queues sealed: before a queue is flushed
 * whole. */
static void dp_seal_pending(struct fld *d)
{
	dp_seal_submit(d);
	if (d->seal_ticket) {
		fl_dp_sptps_wait(d->dps, d->seal_ticket);
		d->seal_ticket = 0;
	}
	for (size_t i = 0; i < d->n_listen; i++)
		d->txq_handed[i] = d->txq[i].n;
}

/* Send everything queue i holds: call dp_seal_pending() first. */
static void dp_txq_flush_all(struct fld *d, size_t i)
{
	if (d->txq[i].n)
		fl_udp_txq_flush(&d->txq[i]);
	d->txq_handed[i] = 0;
}

static int dp_udp_send(void *ctx, struct fl_dp_peer *relay, unsigned sock, const union fl_addr *addr,
		       struct fl_pkt *p, bool probe)
{
	struct fld *d = ctx;
	bool pend;
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
	pend = p->meta & FL_DP_META_SEAL_PENDING;
	/* A full queue, or no room to note another unsealed packet: seal
	 * what waits, and send the full queue. */
	if (d->txq[sock].n == FL_UDP_TXQ_CAP ||
	    (pend && d->n_seal_pend == sizeof(d->seal_pend) / sizeof(d->seal_pend[0]))) {
		if (d->n_seal_pend || d->seal_ticket)
			d->pipe_full_drains++;
		dp_seal_pending(d);
		if (d->txq[sock].n == FL_UDP_TXQ_CAP)
			dp_txq_flush_all(d, sock);
	}
	if (pend)
		d->seal_pend[d->n_seal_pend++] = p;
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

	if (d->lan && fld_lan_device_write(d, p)) /* for a LAN of ours: its TAP */
		return;
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
	mesh_send_udp_info(d->mesh, mesh_myself(d->mesh), dp_node(to), fld_now(d), &out);
	dp_run(d, &out);
}

static void dp_mtu_info(void *ctx, struct fl_dp_peer *to, int mtu)
{
	struct fld *d = ctx;
	struct mesh_out out;

	mesh_out_init(&out);
	mesh_send_mtu_info(d->mesh, mesh_myself(d->mesh), dp_node(to), mtu, fld_now(d), &out);
	dp_run(d, &out);
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

/* ---- life cycle ----------------------------------------------------------- */

/* CryptoThreads: 1 keeps every seal and open inline, as before; N > 1
 * adds N - 1 threads beside this one (which takes its share of each
 * batch). */
static int fld_dp_start_workers(struct fld *d)
{
	unsigned n = d->crypto_threads > 0 ? (unsigned)d->crypto_threads : fl_dp_workers_online();

	if (n < 2)
		return 0;
	d->workers = fl_dp_workers_new(n);
	if (!d->workers || fl_dp_sptps_set_workers(d->dps, d->workers) < 0) {
		fl_dlog(FL_DLOG_ERR, "CryptoThreads = %u: cannot start the workers", n);
		return -1;
	}
	fl_dlog(FL_DLOG_INFO, "Crypto pipeline: %u workers", fl_dp_workers_count(d->workers));
	return 0;
}

/* CryptoThreads changed by a reload: applied at once. The send queues are
 * flushed first, so no batch is in flight when the workers are replaced;
 * if the new ones cannot start, seals and opens go inline (as with
 * CryptoThreads = 1) and that is logged. */
void fld_dp_set_crypto_threads(struct fld *d, int n)
{
	if (n == d->crypto_threads)
		return;
	d->crypto_threads = n;
	if (!d->dps)
		return; /* not started: fld_dp_start reads it */
	fld_dp_flush(d);
	fl_dp_sptps_set_workers(d->dps, NULL);
	fl_dp_workers_free(d->workers);
	d->workers = NULL;
	if (fld_dp_start_workers(d) < 0) {
		fl_dp_sptps_set_workers(d->dps, NULL);
		fl_dp_workers_free(d->workers);
		d->workers = NULL;
		fl_dlog(FL_DLOG_WARN, "CryptoThreads: sealing and opening on one thread");
		return;
	}
	if (!d->workers)
		fl_dlog(FL_DLOG_INFO, "Crypto pipeline: 1 worker (no threads)");
}

int fld_dp_start(struct fld *d)
{
	struct fl_dp_settings s;
	struct fl_dp_crypto crypto;

	fld_conf_dp_settings(d, &s);
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
		.random = dp_random,
		.path_mtu = dp_path_mtu,
		.drop_note = fld_stats_drop_note,
		.offload = fld_offload_hook,
		.pcap = fld_pcap_copy,
	};
	fld_switch_ops(d, &s, &d->dp_ops);
	d->pool = fl_pkt_pool_new(DP_POOL_PACKETS);
	d->dps = fl_dp_sptps_new();
	if (!d->pool || !d->dps)
		return -1;
	if (fld_dp_start_workers(d) < 0)
		return -1;
	fl_dp_sptps_crypto(d->dps, &crypto);
	d->dp = fl_dp_new(&s, &d->dp_ops, &crypto, d->pool);
	if (!d->dp)
		return -1;
	for (size_t i = 0; i < d->n_listen; i++)
		fl_udp_txq_init(&d->txq[i], d->listen[i].udp, dp_txq_error, d);
	fld_udpoff_start(d);
	/* myself first: the dataplane takes the first myself peer as us. */
	if (!fld_node(d, mesh_myself(d->mesh)))
		return -1;
	fld_dp_publish(d);
	return 0;
}

void fld_dp_stop(struct fld *d)
{
	fld_dp_flush(d);
	fld_udpoff_stop(d);
	fl_dp_free(d->dp);
	d->dp = NULL;
	fl_dp_sptps_free(d->dps);
	d->dps = NULL;
	fl_dp_workers_free(d->workers);
	d->workers = NULL;
}

void fld_dp_free_pool(struct fld *d)
{
	fl_pkt_pool_free(d->pool);
	d->pool = NULL;
}

void fld_dp_flush(struct fld *d)
{
	if (d->lan) /* answers made inside device_write: routed now */
		fld_lan_flush(d);
	dp_tun_gro_flush(d);
	fld_offload_flush(d); /* split tunnelling's device, likewise */
	if (d->dp) {
		fl_dp_retry_parked(d->dp, fld_now(d));
		fl_dp_reclaim(d->dp);
	}
	dp_seal_pending(d);
	for (size_t i = 0; i < d->n_listen; i++)
		dp_txq_flush_all(d, i);
}

/* ---- graph ---------------------------------------------------------------- */

/* The edge addresses of n (UDP.md §2.5), parsed once per graph change
 * instead of per packet. */
static void dp_stage_edges(struct fld *d, struct mesh_node *n, struct fl_dp_peer *peer)
{
	union fl_addr remote[16], local[16];
	size_t nr = 0, nl = 0;
	uint16_t port;

	for (size_t i = 0; i < n->n_edges; i++) {
		const struct mesh_edge *e = n->edges[i];
		if (nr < 16 && e->reverse && e->reverse->addr && e->reverse->port &&
		    mesh_port_parse(e->reverse->port, &port) &&
		    fl_addr_parse(&remote[nr], e->reverse->addr, port))
			nr++;
		if (nl < 16 && e->laddr && e->lport && mesh_port_parse(e->lport, &port) &&
		    fl_addr_parse(&local[nl], e->laddr, port))
			nl++;
	}
	fl_dp_stage_addrs(d->dp, peer, remote, nr, local, nl);
}

struct dp_subnets {
	struct fld *d;
	struct fl_dp_prefix *v;
	size_t n, cap;
	bool oom;
};

static void dp_subnet_one(void *ctx, enum mesh_subnet_type type, const uint8_t addr[16],
			  int prefix, const struct mesh_subnet *answer)
{
	struct dp_subnets *c = ctx;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct fl_dp_prefix *v = realloc(c->v, cap * sizeof(*v));
		if (!v) {
			c->oom = true;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	memcpy(c->v[c->n].addr, addr, 16);
	c->v[c->n].family = type == MESH_SUBNET_IPV4 ? 4 : 6;
	c->v[c->n].len = (uint8_t)prefix;
	c->v[c->n].peer = answer->owner ? fld_peer(c->d, answer->owner) : NULL;
	/* An owner we cannot represent routes nowhere rather than broadcast. */
	if (answer->owner && !c->v[c->n].peer)
		return;
	c->n++;
}

/* Build the next snapshot from the mesh as it is now and publish it: the
 * per-packet path reads nothing else (no mesh call, no string compare). */
void fld_dp_publish(struct fld *d)
{
	struct dp_subnets c = {.d = d};

	if (!d->dp)
		return;
	if (mesh_subnet_resolve_each(mesh_subnets(d->mesh), dp_subnet_one, &c) && !c.oom)
		fl_dp_stage_subnets(d->dp, c.v, c.n);
	else
		fl_dlog(FL_DLOG_ERR, "Out of memory: the data path keeps its previous subnets");
	free(c.v);
	fld_routes_stage_targets(d);
	if (fl_dp_publish(d->dp) < 0)
		fl_dlog(FL_DLOG_ERR, "Out of memory: the data path keeps its previous tables");
}

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
		dp_stage_edges(d, n, fn->peer);
	}
	fld_dp_publish(d);
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

/* One recvmmsg batch on its way through the receive pipeline. */
struct dp_rx {
	struct fl_pkt *pkts[FL_UDP_BATCH];
	union fl_addr from[FL_UDP_BATCH];
	int n;
	uint64_t now, ticket;
};

/* The pipeline's receive half: the batch's tags checked and records
 * decrypted on the workers' ring, while the caller goes on (receives the
 * next batch, or takes the previous one in). */
static void dp_open_ahead(struct fld *d, struct dp_rx *rx)
{
	void *sess[FL_UDP_BATCH];
	size_t off[FL_UDP_BATCH];
	bool any = false;

	rx->ticket = 0;
	for (int i = 0; i < rx->n; i++) {
		off[i] = 0;
		sess[i] = (rx->pkts[i]->meta & FL_UDP_META_TRUNC) ? NULL :
			  fl_dp_udp_session_of(d->dp, &rx->from[i], rx->pkts[i], &off[i]);
		any |= sess[i] != NULL;
	}
	if (any)
		rx->ticket = fl_dp_sptps_open_submit(d->dps, rx->pkts, sess, off, (size_t)rx->n);
}

/* The in-order half: fl_dp_udp_input() takes the batch in arrival order
 * (and moves each replay window there), after its opens are done. */
static void dp_rx_input(struct fld *d, unsigned sock, struct dp_rx *rx)
{
	if (rx->ticket)
		fl_dp_sptps_wait(d->dps, rx->ticket);
	for (int i = 0; i < rx->n; i++) {
		if (rx->pkts[i]->meta & FL_UDP_META_TRUNC)
			fl_dp_udp_oversize(d->dp, &rx->from[i], rx->pkts[i]);
		else
			fl_dp_udp_input(d->dp, rx->now, sock, &rx->from[i], rx->pkts[i]);
	}
	fld_dp_flush(d);
}

void fld_dp_udp_readable(void *ctx, int fd, unsigned events)
{
	struct fld *d = ctx;
	struct dp_rx rx[2], *prev = NULL;
	unsigned sock = 0;

	(void)events;
	for (size_t i = 0; i < d->n_listen; i++)
		if (d->listen[i].udp == fd)
			sock = (unsigned)i;
	/* Datagrams cut from a GRO buffer and still held are handed out before
	 * the socket is waited for again: it may not become readable. With
	 * workers, batch k+1 is received and handed to them before batch k
	 * is taken in. */
	for (int round = 0; round < 4 || fl_udp_rxq_pending(&d->rxq[sock]); round++) {
		struct dp_rx *cur = &rx[round % 2];
		cur->n = fl_udp_rxq_recv(&d->rxq[sock], d->pool, cur->pkts, cur->from, FL_UDP_BATCH);
		cur->now = fld_now(d);
		if (cur->n <= 0)
			break;
		cur->ticket = 0;
		if (d->workers)
			dp_open_ahead(d, cur);
		if (prev)
			dp_rx_input(d, sock, prev);
		prev = cur;
		if (cur->n < (int)FL_UDP_BATCH && !fl_udp_rxq_pending(&d->rxq[sock]))
			break;
	}
	if (prev)
		dp_rx_input(d, sock, prev);
}

/* Offload device: each read is one IP packet or one TCP burst of up to
 * 64 KiB, cut into segments; the send queues flush when full and at the
 * end, so bursts and lone ACKs alike leave in sendmmsg batches. */
static void fld_dp_tun_read_gso(struct fld *d, int fd)
{
	/* 64 KiB at TCP's smallest MSS (88) is 745 segments. */
	static struct fl_pkt *pkts[768];

	for (int round = 0; round < (int)FL_UDP_BATCH; round++) {
		/* Bursts bound for the offload device are cut without TCP
		 * checksums: its writer merges them and has them computed. */
		int n = fld_switch_tap(d) ? fl_tap_read_gso(fd, d->tun_gso_buf, d->pool, pkts, 768)
					  : fl_tun_read_gso_if(fd, d->tun_gso_buf, d->pool, pkts, 768,
							       fld_offload_burst_no_csum, d);
		uint64_t now = fld_now(d);
		if (n < 0)
			break;
		if (n == 0) /* a read the offload parser could not cut */
			fl_dp_count_drop(d->dp, FL_DP_DROP_SHORT, NULL, NULL);
		for (int i = 0; i < n; i++)
			fl_dp_device_input(d->dp, now, pkts[i]);
		dp_seal_handoff(d); /* sealed while the next burst is read */
	}
	fld_dp_flush(d);
}

#define FLD_DEV_ROUNDS 16

void fld_dp_tun_readable(void *ctx, int fd, unsigned events)
{
	struct fld *d = ctx;
	struct fl_pkt *pkts[FL_UDP_BATCH];

	(void)events;
	if (d->tun_gso_buf) {
		fld_dp_tun_read_gso(d, fd);
		return;
	}
	/* Up to 16 batches per wake-up (the TSO path above takes up to 64
	 * bursts): each wake-up ends by draining the pipeline, and a drain
	 * every 4 batches left the workers idle while the first batch after
	 * it was read and decided (bench/dataplane, two workers against
	 * one: median 1.79x with a drain every 4 batches, 1.87x every 16).
	 * 1024 packets is about a millisecond of the other sources' wait at
	 * a full core's rate. */
	for (int round = 0; round < FLD_DEV_ROUNDS; round++) {
		int n = fld_switch_tap(d) ? fl_tap_read_batch(fd, d->pool, pkts, FL_UDP_BATCH)
					  : fl_tun_read_batch(fd, d->pool, pkts, FL_UDP_BATCH);
		uint64_t now = fld_now(d);
		if (n <= 0)
			break;
		for (int i = 0; i < n; i++)
			fl_dp_device_input(d->dp, now, pkts[i]);
		if (n < (int)FL_UDP_BATCH)
			break;
		/* More to read: the workers seal this batch meanwhile; a full
		 * send queue waits for them before it is flushed. */
		dp_seal_handoff(d);
	}
	fld_dp_flush(d);
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
	fl_dp_packet_input(d->dp, fld_now(d), fld_peer(d, from), p);
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
	fl_dp_sptps_tcp_input(d->dp, fld_now(d), fld_peer(d, from), fld_peer(d, to), p,
			      d->in_binary);
	fld_dp_flush(d);
}
