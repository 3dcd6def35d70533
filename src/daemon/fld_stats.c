/* SPDX-License-Identifier: MIT */
/*
 * fld_stats.c: what fenliud tells about the packets it dropped. The
 * counters of `fenliu dump stats` (control request FL_REQ_DUMP_STATS, one
 * "SCOPE NAME VALUE" line per counter, doc/fenliu.8) gathered from the
 * dataplane, the UDP transmit queues and the meta framing layer; and the
 * dataplane's drop_note op, which logs each drop at debug level 3 naming
 * the peer and the reason, rate limited per reason because a remote can
 * make us drop as fast as it can send. Control thread only.
 */
#include <stdio.h>
#include <string.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_lan.h"
#include "daemon/fld_vpnnat.h"
#include "dataplane/dp_sptps.h"

/* Log lines per drop reason per second; the rest are counted and the
 * count is logged when the next second's first line is. */
#define STATS_LOG_PER_SEC 5u

/* May a drop of this reason be logged now? Opens a new window every second
 * and reports through *suppressed what the last one swallowed. */
static bool stats_log_allow(struct fld_droplog *l, uint64_t second, unsigned long *suppressed)
{
	*suppressed = 0;
	if (l->second != second) {
		*suppressed = l->suppressed;
		l->second = second;
		l->n = 0;
		l->suppressed = 0;
	}
	if (l->n >= STATS_LOG_PER_SEC) {
		l->suppressed++;
		return false;
	}
	l->n++;
	return true;
}

void fld_stats_drop_note(void *ctx, enum fl_dp_drop why, struct fl_dp_peer *peer,
			 const union fl_addr *from)
{
	struct fld *d = ctx;
	char addr[64] = "";
	unsigned long suppressed;
	const char *name = peer ? fl_dp_peer_name(peer) : "unknown";

	if (fl_dlog_level() < FL_DLOG_DEBUG || (unsigned)why >= FL_DP_DROP_MAX)
		return;
	if (!stats_log_allow(&d->droplog[why], (uint64_t)fl_time_to_s(fld_now(d)), &suppressed))
		return;
	if (suppressed)
		fl_dlog(FL_DLOG_DEBUG, "Dropped packets (%s): suppressed %lu log lines",
			fl_dp_drop_name(why), suppressed);
	if (from)
		fl_addr_str(from, addr, sizeof(addr));
	fl_dlog(FL_DLOG_DEBUG, "%s (%s): dropped packet: %s", name, *addr ? addr : "-",
		fl_dp_drop_name(why));
}

void fld_stats_meta_drop(struct fld *d, enum fl_meta_frame_err e)
{
	d->dropped_meta++;
	d->meta_drops[(unsigned)e < FLD_META_DROPS ? (unsigned)e : 0]++;
}

static void stats_dataplane(const struct fl_dp_stats *s, fl_ctl_stat_fn *emit, void *sink)
{
	emit(sink, "dataplane", "udp_in", s->udp_in);
	emit(sink, "dataplane", "udp_out", s->udp_out);
	emit(sink, "dataplane", "relayed", s->relayed);
	emit(sink, "dataplane", "tcp_out", s->tcp_out);
	emit(sink, "dataplane", "packet17_out", s->packet17_out);
	emit(sink, "dataplane", "device_out", s->device_out);
	emit(sink, "dataplane", "icmp_sent", s->icmp_sent);
	emit(sink, "dataplane", "icmp_ratelimited", s->icmp_ratelimited);
	emit(sink, "dataplane", "probes_sent", s->probes_sent);
	emit(sink, "dataplane", "probe_replies", s->probe_replies);
	emit(sink, "dataplane", "session_restarts", s->session_restarts);
	emit(sink, "dataplane", "auth_challenges", s->auth_challenges);
	emit(sink, "dataplane", "relayed_unknown_hop", s->relayed_unknown_hop);
	for (unsigned i = 0; i < FL_DP_DROP_MAX; i++)
		emit(sink, "drop", fl_dp_drop_name((enum fl_dp_drop)i), s->drop[i]);
}

/* Re-keys under traffic: records parked while the new key was on its way
 * (and how many of them opened later, how many found the park full),
 * records opened under the previous key during the grace period or under
 * the next key ahead of its ACK, and re-keys before the seqno wraps. */
static void stats_rekey(const struct fld *d, fl_ctl_stat_fn *emit, void *sink)
{
	const struct fl_dp_stats *s = fl_dp_stats(d->dp);
	const struct fl_dp_sptps_stats *c = fl_dp_sptps_stats(d->dps);

	emit(sink, "dataplane", "rekey_parked", s->rekey_parked);
	emit(sink, "dataplane", "rekey_reopened", s->rekey_reopened);
	emit(sink, "dataplane", "rekey_park_overflow", s->rekey_park_overflow);
	emit(sink, "dataplane", "rekey_grace_opens", c->grace_opens);
	emit(sink, "dataplane", "rekey_next_key_opens", c->next_key_opens);
	emit(sink, "dataplane", "rekey_wrap_restarts", s->rekey_wrap_restarts);
}

/* UDP_SEGMENT sends and UDP_GRO receives (fld_udpoff.c, io/udp.h). */
static void stats_udp_offload(const struct fld *d, fl_ctl_stat_fn *emit, void *sink)
{
	unsigned long long sends = 0, segs = 0, coalesced = 0, nopool = 0;

	for (size_t i = 0; i < d->n_listen; i++) {
		sends += d->txq[i].gso_sends;
		segs += d->txq[i].gso_segs;
		coalesced += d->rxq[i].coalesced;
		nopool += d->rxq[i].nopool;
	}
	emit(sink, "udp_offload", "gso_sends", sends);
	emit(sink, "udp_offload", "gso_segments", segs);
	emit(sink, "udp_offload", "gro_segments", coalesced);
	emit(sink, "udp_offload", "gro_pool_empty", nopool);
}

static void stats_txq(const struct fld *d, fl_ctl_stat_fn *emit, void *sink)
{
	unsigned long long depth = 0, sent = 0, dropped = 0, full = 0;

	for (size_t i = 0; i < d->n_listen; i++) {
		depth += d->txq[i].n;
		sent += d->txq[i].sent;
		dropped += d->txq[i].dropped;
		full += d->txq[i].full;
	}
	emit(sink, "udp_txq", "depth", depth);
	emit(sink, "udp_txq", "capacity", (unsigned long long)d->n_listen * FL_UDP_TXQ_CAP);
	emit(sink, "udp_txq", "sent", sent);
	emit(sink, "udp_txq", "dropped", dropped);
	emit(sink, "udp_txq", "queue-full", full);
	emit(sink, "crypto_pipeline", "handoffs", d->pipe_handoffs);
	emit(sink, "crypto_pipeline", "overlap_sent", d->pipe_overlap_sent);
	emit(sink, "crypto_pipeline", "full_drains", d->pipe_full_drains);
	stats_udp_offload(d, emit, sink);
}

/* Stable one-word names of enum fl_meta_frame_err (meta_frame.h); a
 * reason added there later shows as "reason-N" until it is named here. */
static const char *const meta_drop_name[] = {
	[FL_META_ERR_LINE_TOO_LONG] = "line-too-long",
	[FL_META_ERR_BAD_LENGTH] = "bad-length",
	[FL_META_ERR_SHORT_RELAY] = "short-relay",
	[FL_META_ERR_PACKET_LEN] = "packet-length",
	[FL_META_ERR_SPTPS] = "sptps",
	[FL_META_ERR_CALLBACK] = "callback",
	[FL_META_ERR_EMPTY] = "empty-line",
};

static void stats_meta(const struct fld *d, fl_ctl_stat_fn *emit, void *sink)
{
	const size_t named = sizeof(meta_drop_name) / sizeof(meta_drop_name[0]);

	emit(sink, "meta_frame", "dropped", d->dropped_meta);
	for (unsigned i = 1; i < FLD_META_DROPS; i++) {
		char name[32];
		if (i < named && meta_drop_name[i]) {
			emit(sink, "meta_frame", meta_drop_name[i], d->meta_drops[i]);
		} else if (d->meta_drops[i]) {
			snprintf(name, sizeof(name), "reason-%u", i);
			emit(sink, "meta_frame", name, d->meta_drops[i]);
		}
	}
}

/* Bytes queued on all meta connections, not yet taken by the kernel. */
static unsigned long stats_queued(const struct fld *d)
{
	unsigned long n = 0;

	for (size_t i = 0; i < d->n_conns; i++)
		n += d->conns[i]->out_len;
	return n;
}

/* The listeners' defences (fld_net.c): connections refused before
 * authentication, over-long pre-auth records, descriptor exhaustion. */
static void stats_accept(const struct fld *d, fl_ctl_stat_fn *emit, void *sink)
{
	const struct fld_meta_stats *m = &d->meta_stats;

	emit(sink, "meta_accept", "preauth_open", d->n_preauth);
	emit(sink, "meta_accept", "preauth_refused_total", m->preauth_refused_total);
	emit(sink, "meta_accept", "preauth_refused_host", m->preauth_refused_host);
	emit(sink, "meta_accept", "preauth_record_long", m->preauth_record_long);
	emit(sink, "meta_accept", "fd_exhausted", m->accept_fd_exhausted);
	emit(sink, "meta_accept", "paused", m->accept_paused);
	emit(sink, "meta_accept", "burst_same_host", m->burst_same_host);
	emit(sink, "meta_accept", "burst_total", m->burst_total);
	emit(sink, "invitation", "accepted", m->invitations_accepted);
	emit(sink, "invitation", "refused", m->invitations_refused);
	emit(sink, "meta_connect", "proxy_failed", m->proxy_failed);
	emit(sink, "meta_connect", "timeout", m->conn_timeout);
	emit(sink, "meta_out", "red_dropped", m->out_red_dropped);
	emit(sink, "meta_out", "queued", stats_queued(d));
}

static void stats_peer(struct fl_dp_peer *p, fl_ctl_stat_fn *emit, void *sink)
{
	struct fl_dp_peer_info in;
	char scope[128];

	fl_dp_peer_info(p, &in);
	snprintf(scope, sizeof(scope), "peer:%s", fl_dp_peer_name(p));
	emit(sink, scope, "in_packets", in.in_packets);
	emit(sink, scope, "in_bytes", in.in_bytes);
	emit(sink, scope, "out_packets", in.out_packets);
	emit(sink, scope, "out_bytes", in.out_bytes);
	emit(sink, scope, "relayed", in.relayed);
	emit(sink, scope, "session_restarts", in.session_restarts);
	for (unsigned i = 0; i < FL_DP_DROP_MAX; i++) {
		char name[64];
		snprintf(name, sizeof(name), "drop-%s", fl_dp_drop_name((enum fl_dp_drop)i));
		emit(sink, scope, name, in.drop[i]);
	}
}

void fld_stats_each(void *ctx, fl_ctl_stat_fn *emit, void *sink)
{
	struct fld *d = ctx;

	if (!d->dp)
		return;
	stats_dataplane(fl_dp_stats(d->dp), emit, sink);
	stats_rekey(d, emit, sink);
	stats_txq(d, emit, sink);
	stats_meta(d, emit, sink);
	stats_accept(d, emit, sink);
	fld_lan_stats(d, emit, sink);
	fld_vpnnat_stats(d, emit, sink); /* nothing without a VPNNat */
	for (size_t i = 0; i < d->n_nodes; i++)
		if (d->nodes[i]->peer && d->nodes[i]->n != mesh_myself(d->mesh))
			stats_peer(d->nodes[i]->peer, emit, sink);
}
