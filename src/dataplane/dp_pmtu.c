/* SPDX-License-Identifier: MIT */
/*
 * dp_pmtu.c: the tunnel improvement step try_tx (spec/UDP.md §2.4), UDP
 * discovery with keepalive probes (§4.3), path MTU discovery (§4.4–4.5)
 * and probe handling (§4.2). Time is monotonic µs passed in by the
 * caller; whole-second comparisons drop the sub-second part as tinc does.
 */
#include "dataplane/dp_internal.h"

#include <math.h>
#include <string.h>

#include "wire/probe.h"

static uint64_t dp_secs(uint64_t now, uint64_t then)
{
	return now >= then ? (now - then) / DP_US : 0;
}

void dp_fix_mtu(struct fl_dp_peer *p)
{
	if (p->mtuprobes < 0)
		return;
	if (p->mtuprobes == 20 || p->minmtu >= p->maxmtu) {
		if (p->minmtu > p->maxmtu)
			p->minmtu = p->maxmtu;
		else
			p->maxmtu = p->minmtu;
		p->mtu = p->minmtu;
		p->mtuprobes = -1;
	}
}

/* UDP.md §4.4.1. */
static int dp_initial_maxmtu(struct fl_dp *dp, struct fl_dp_peer *p)
{
	int m, mtu;

	if (!dp->ops.path_mtu || !p->has_addr)
		return FL_MTU;
	m = dp->ops.path_mtu(dp->ops.ctx, &p->addr);
	if (m < (int)FL_MINMTU)
		return FL_MTU;
	mtu = m - (p->addr.sa.sa_family == AF_INET6 ? 40 : 20) - 8 - (int)FL_SPTPS_DGRAM_OVERHEAD;
	if (dp_minor(p) >= 4)
		mtu -= (int)FL_DGRAM_PREFIX_LEN;
	return mtu > (int)FL_MTU ? (int)FL_MTU : mtu;
}

/* UDP.md §4.4.2: size of discovery probe number mtuprobes. */
static int dp_probe_size(const struct fl_dp_peer *p)
{
	const float per_cycle = 8.0f;
	float mult = p->maxmtu == (int)FL_MTU ? 0.97f : 1.0f;
	float k = per_cycle - (float)(p->mtuprobes % 8) - 1.0f;
	int lo = p->minmtu > (int)FL_MINMTU ? p->minmtu : (int)FL_MINMTU;
	float span = (float)(p->maxmtu - lo);
	int off = 0;

	if (span > 0)
		off = (int)lrintf(powf(span, mult * k / (per_cycle - 1.0f)));
	return lo + off;
}

static void dp_try_mtu(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p)
{
	uint64_t el = now >= p->mtu_ping_sent ? now - p->mtu_ping_sent : 0;

	if (!(p->options & FL_DP_OPT_PMTU_DISCOVERY))
		return;
	if (dp->set.udp_discovery && !p->udp_confirmed) {
		p->maxrecentlen = 0;
		p->mtuprobes = 0;
		p->minmtu = 0;
		p->maxmtu = FL_MTU;
		return;
	}
	if (p->mtuprobes >= 0) {
		if (p->mtuprobes != 0 && el < 333333)
			return;
	} else if (p->mtuprobes < -1) {
		if (el / DP_US < 1)
			return;
	} else if (el / DP_US < dp->set.ping_interval) {
		return;
	}
	p->mtu_ping_sent = now;
	dp_fix_mtu(p);
	if (p->mtuprobes < -3) {
		p->mtuprobes = 0; /* three maxmtu probes lost: rediscover */
		p->minmtu = 0;
	}
	if (p->mtuprobes < 0) {
		dp_send_probe(dp, now, p, p->maxmtu);
		if (p->mtuprobes == -1 && p->maxmtu + 1 < (int)FL_MTU)
			dp_send_probe(dp, now, p, p->maxmtu + 1);
		p->mtuprobes--;
		return;
	}
	if (p->mtuprobes == 0)
		p->maxmtu = dp_initial_maxmtu(dp, p);
	for (;;) {
		int before = p->maxmtu;
		dp_send_probe(dp, now, p, dp_probe_size(p));
		/* EMSGSIZE lowered maxmtu: recompute and send again. */
		if (p->mtuprobes < 0 || before == p->maxmtu)
			break;
	}
	if (p->mtuprobes >= 0)
		p->mtuprobes++;
}

static void dp_send_reply(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p,
			  const uint8_t *body, size_t len, bool type2)
{
	struct fl_pkt *pk = fl_pkt_alloc(dp->pool);
	bool confirmed = p->udp_confirmed;
	uint8_t *d;

	if (!pk) {
		dp_count(dp, FL_DP_DROP_NOMEM, p, NULL);
		return;
	}
	/* body came in one packet, so it fits in one (len <= FL_MTU). */
	if (!(d = fl_pkt_put(pk, type2 ? FL_PROBE_REPLY_LEN : len)))
		return dp_drop(dp, FL_DP_DROP_BAD_RECORD, pk);
	if (type2) {
		fl_probe_reply(d, body, len);
	} else {
		memcpy(d, body, len);
		pk->data[0] = 1;
	}
	if (!p->sess || !p->validkey) {
		fl_pkt_free(pk);
		return;
	}
	/* Sent back the way the request came (tinc flips udp_confirmed). */
	p->udp_confirmed = true;
	if (dp->crypto.seal(dp->crypto.ctx, p->sess, FL_DP_PKT_PROBE, pk) < 0)
		fl_pkt_free(pk);
	else
		dp_send_sptps(dp, now, dp->myself, p, FL_DP_PKT_PROBE, pk);
	p->udp_confirmed = confirmed;
	dp->stats.probe_replies++;
}

/* UDP.md §4.3. */
static void dp_try_udp(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p)
{
	unsigned interval;

	if (!dp->set.udp_discovery)
		return;
	if (dp_minor(p) >= 3 && p->udp_confirmed &&
	    dp_secs(now, p->udp_reply_sent) + 1 >= dp->set.udp_discovery_keepalive_interval) {
		p->udp_reply_sent = now;
		if (p->maxrecentlen) {
			uint8_t body[FL_PROBE_MIN] = {0};
			dp->ops.random(dp->ops.ctx, body + 14, 4);
			dp_send_reply(dp, now, p, body, (size_t)p->maxrecentlen, true);
			p->maxrecentlen = 0;
		}
	}
	interval = p->udp_confirmed ? dp->set.udp_discovery_keepalive_interval
				    : dp->set.udp_discovery_interval;
	if (dp_secs(now, p->udp_ping_sent) >= interval) {
		p->udp_ping_sent = now;
		p->ping_sent = true;
		dp_send_probe(dp, now, p, FL_PROBE_MIN);
		if (dp->set.local_discovery && !p->udp_confirmed && p->has_prevedge) {
			p->send_locally = true;
			dp_send_probe(dp, now, p, FL_PROBE_MIN);
			p->send_locally = false;
		}
	}
}

void fl_dp_try_tx(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p, bool pmtu)
{
	struct fl_dp_peer *r;

	if (!p || p->myself || !p->reachable)
		return;
	if (p->has_conn && ((dp->set.my_options | p->options) & FL_DP_OPT_TCPONLY))
		return;
	if (!p->validkey) {
		if (!p->waitingforkey)
			dp_request_key(dp, now, p);
		else if (dp_secs(now, p->last_req_key) > dp->set.key_retry)
			dp_request_key(dp, now, p);
	}
	r = dp_relay_of(p);
	if (!r)
		return;
	if (r != p) {
		if (dp_minor(r) < 4)
			return;
		fl_dp_try_tx(dp, now, r, pmtu);
		return;
	}
	dp_try_udp(dp, now, p);
	if (pmtu)
		dp_try_mtu(dp, now, p);
	if (!p->udp_confirmed && p->nexthop && p->nexthop != p && dp_minor(p->nexthop) >= 4)
		fl_dp_try_tx(dp, now, p->nexthop, pmtu);
}

/* A probe record from p that arrived by UDP (UDP.md §4.2). */
void dp_probe_input(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p, const uint8_t *body,
		    size_t len)
{
	struct fl_probe pr;
	int x;

	if (fl_probe_parse(body, len, &pr) != FL_WIRE_OK) {
		dp_count(dp, FL_DP_DROP_BAD_RECORD, p, NULL);
		return;
	}
	if (pr.request) {
		dp_send_reply(dp, now, p, body, len, dp_minor(p) >= 3);
		return;
	}
	/* Bound what a peer can make us believe (tinc takes any 16-bit value). */
	x = pr.len > FL_MTU ? (int)FL_MTU : pr.len;
	if (p->ping_sent) {
		p->udp_ping_rtt = (int64_t)(now - p->udp_ping_sent);
		p->ping_sent = false;
	}
	p->udp_confirmed = true;
	if (dp->set.udp_discovery)
		p->confirm_deadline = now + (uint64_t)dp->set.udp_discovery_timeout * DP_US;
	if (x > p->maxmtu) {
		p->minmtu = x; /* "PMTU increased": restart discovery */
		p->maxmtu = FL_MTU;
		p->mtuprobes = 1;
		return;
	}
	if (p->mtuprobes < 0 && x == p->maxmtu) {
		p->mtuprobes = -1;
		p->mtu_ping_sent = now;
	}
	if (x > p->minmtu) {
		p->minmtu = x;
		dp_fix_mtu(p);
	}
}

void fl_dp_tick(struct fl_dp *dp, uint64_t now, bool neighbours)
{
	for (struct fl_dp_peer *p = dp->peers; p; p = p->list_next) {
		if (p->confirm_deadline && now >= p->confirm_deadline) {
			p->confirm_deadline = 0;
			if (p->udp_confirmed) {
				/* "stopping UDP communication" (UDP.md §4.3) */
				dp_reset_udp(p);
				p->udp_ping_rtt = -1;
			}
		}
	}
	if (!neighbours)
		return;
	for (struct fl_dp_peer *p = dp->peers; p; p = p->list_next)
		if (!p->myself && p->has_conn && p->reachable)
			fl_dp_try_tx(dp, now, p, false);
}
