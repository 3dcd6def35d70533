/* SPDX-License-Identifier: MIT */
/*
 * dp.c: dataplane life cycle, peers, the ID and address lookup tables and
 * the state resets of spec/UDP.md §4.1. Called by the daemon when the
 * mesh reports nodes, graph changes, addresses and sessions.
 */
#include "dataplane/dp_internal.h"

#include <stdlib.h>
#include <string.h>

static void dp_peer_free(void *obj);

void fl_dp_settings_default(struct fl_dp_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->my_options = FL_DP_OPT_PMTU_DISCOVERY | FL_DP_OPT_CLAMP_MSS | (7u << 24);
	s->udp_discovery = true;
	s->local_discovery = true;
	s->udp_discovery_keepalive_interval = 10;
	s->udp_discovery_interval = 2;
	s->udp_discovery_timeout = 30;
	s->ping_interval = 60;
	s->key_retry = 10;
}

struct fl_dp *fl_dp_new(const struct fl_dp_settings *s, const struct fl_dp_ops *ops,
			const struct fl_dp_crypto *crypto, struct fl_pkt_pool *pool)
{
	struct fl_dp *dp = calloc(1, sizeof(*dp));

	if (!dp)
		return NULL;
	dp->set = *s;
	if (dp->set.nsocks > FL_DP_MAX_SOCKS)
		dp->set.nsocks = FL_DP_MAX_SOCKS;
	dp->ops = *ops;
	dp->crypto = *crypto;
	dp->pool = pool;
	dp_pub_init(&dp->pub);
	ops->random(ops->ctx, (uint8_t *)&dp->rnd, sizeof(dp->rnd));
	dp->rnd |= 1; /* xorshift never leaves 0 */
	dp->comp = fl_compress_ctx_new();
	if (!dp->comp) {
		free(dp);
		return NULL;
	}
	return dp;
}

void fl_dp_free(struct fl_dp *dp)
{
	if (!dp)
		return;
	/* No reader is left: free directly, no snapshot per peer. */
	while (dp->peers) {
		struct fl_dp_peer *p = dp->peers;
		dp_park_forget(dp, p);
		dp->peers = p->list_next;
		dp_peer_free(p);
	}
	dp_pub_free(&dp->pub);
	fl_compress_ctx_free(dp->comp);
	free(dp);
}

const char *fl_dp_drop_name(enum fl_dp_drop why)
{
	static const char *const name[FL_DP_DROP_MAX] = {
		[FL_DP_DROP_SHORT] = "short",
		[FL_DP_DROP_UNKNOWN_SOURCE] = "unknown-source",
		[FL_DP_DROP_UNKNOWN_ID] = "unknown-id",
		[FL_DP_DROP_UNREACHABLE] = "unreachable",
		[FL_DP_DROP_NO_SESSION] = "no-session",
		[FL_DP_DROP_AUTH] = "auth",
		[FL_DP_DROP_BAD_RECORD] = "bad-record",
		[FL_DP_DROP_NO_KEY] = "no-key",
		[FL_DP_DROP_NO_ROUTE] = "no-route",
		[FL_DP_DROP_ROUTING] = "routing",
		[FL_DP_DROP_SEND] = "send",
		[FL_DP_DROP_NOMEM] = "no-buffer",
		[FL_DP_DROP_REPLAY] = "replay",
		[FL_DP_DROP_OVERSIZE] = "oversize",
		[FL_DP_DROP_TUN_WRITE] = "tun-write",
	};
	if ((unsigned)why >= FL_DP_DROP_MAX)
		return "unknown";
	return name[why];
}

const struct fl_dp_stats *fl_dp_stats(const struct fl_dp *dp)
{
	return &dp->stats;
}

void dp_count(struct fl_dp *dp, enum fl_dp_drop why, struct fl_dp_peer *peer,
	      const union fl_addr *from)
{
	if ((unsigned)why >= FL_DP_DROP_MAX)
		return;
	dp->stats.drop[why]++;
	if (peer)
		peer->drop[why]++;
	if (dp->ops.drop_note)
		dp->ops.drop_note(dp->ops.ctx, why, peer, from);
}

void fl_dp_count_drop(struct fl_dp *dp, enum fl_dp_drop why, struct fl_dp_peer *peer,
		      const union fl_addr *from)
{
	dp_count(dp, why, peer, from);
}

void fl_dp_set_pcap(struct fl_dp *dp, bool on)
{
	dp->pcap = on && dp->ops.pcap;
}

static unsigned dp_id_hash(const uint8_t id[static FL_NODE_ID_LEN])
{
	/* IDs are SHA-512 prefixes: any byte is uniform. */
	return id[0] % DP_HASH;
}

void dp_reset_udp(struct fl_dp_peer *p)
{
	p->udp_confirmed = false;
	p->minmtu = 0;
	p->maxmtu = FL_MTU;
	p->mtuprobes = 0;
	p->maxrecentlen = 0;
}

static void dp_peer_free(void *obj)
{
	struct fl_dp_peer *p = obj;

	if (p->st_addrs && --p->st_addrs->refs == 0)
		free(p->st_addrs);
	free(p->name);
	free(p);
}

struct fl_dp_peer *fl_dp_peer_add(struct fl_dp *dp, const char *name,
				  const uint8_t id[static FL_NODE_ID_LEN], bool myself, void *user)
{
	struct fl_dp_peer *p = calloc(1, sizeof(*p));
	unsigned h = dp_id_hash(id);

	if (!p)
		return NULL;
	p->name = strdup(name);
	if (!p->name) {
		free(p);
		return NULL;
	}
	if (dp_pub_peer_add(&dp->pub, p) < 0) {
		free(p->name);
		free(p);
		return NULL;
	}
	p->dp = dp;
	p->user = user;
	memcpy(p->id, id, FL_NODE_ID_LEN);
	p->myself = myself && !dp->myself;
	dp_reset_udp(p);
	p->mtu = FL_MTU;
	p->udp_ping_rtt = -1;
	p->id_next = dp->by_id[h];
	dp->by_id[h] = p;
	p->list_next = dp->peers;
	dp->peers = p;
	if (p->myself) {
		dp->myself = p;
		p->reachable = true;
		p->via = p->nexthop = p;
		p->options = dp->set.my_options;
	}
	return p;
}

static void dp_unlink(struct fl_dp_peer **head, struct fl_dp_peer *p, size_t off)
{
	for (struct fl_dp_peer **pp = head; *pp;
	     pp = (struct fl_dp_peer **)((char *)*pp + off)) {
		if (*pp == p) {
			*pp = *(struct fl_dp_peer **)((char *)p + off);
			return;
		}
	}
}

void fl_dp_peer_del(struct fl_dp *dp, struct fl_dp_peer *p)
{
	if (!p)
		return;
	dp_unlink(&dp->by_id[dp_id_hash(p->id)], p, offsetof(struct fl_dp_peer, id_next));
	if (p->in_addr_table)
		dp_unlink(&dp->by_addr[p->addr_bucket], p, offsetof(struct fl_dp_peer, addr_next));
	dp_unlink(&dp->peers, p, offsetof(struct fl_dp_peer, list_next));
	if (dp->myself == p)
		dp->myself = NULL;
	dp_park_forget(dp, p);
	/* Published snapshots name it until the grace period ends. */
	dp_pub_peer_del(dp, p, dp_peer_free);
}

void *fl_dp_peer_user(const struct fl_dp_peer *p)
{
	return p->user;
}

const char *fl_dp_peer_name(const struct fl_dp_peer *p)
{
	return p->name;
}

struct fl_dp_peer *fl_dp_peer_by_id(const struct fl_dp *dp, const uint8_t id[static FL_NODE_ID_LEN])
{
	for (struct fl_dp_peer *p = dp->by_id[dp_id_hash(id)]; p; p = p->id_next)
		if (!memcmp(p->id, id, FL_NODE_ID_LEN))
			return p;
	return NULL;
}

void fl_dp_peer_info(const struct fl_dp_peer *p, struct fl_dp_peer_info *out)
{
	memset(out, 0, sizeof(*out));
	out->udp_confirmed = p->udp_confirmed;
	out->validkey = p->validkey;
	out->waitingforkey = p->waitingforkey;
	out->mtu = p->mtu;
	out->minmtu = p->minmtu;
	out->maxmtu = p->maxmtu;
	out->mtuprobes = p->mtuprobes;
	out->udp_ping_rtt = p->udp_ping_rtt;
	out->has_addr = p->has_addr;
	out->addr = p->addr;
	out->in_packets = p->in_packets;
	out->in_bytes = p->in_bytes;
	out->out_packets = p->out_packets;
	out->out_bytes = p->out_bytes;
	out->relayed = p->relayed;
	out->session_restarts = p->session_restarts;
	memcpy(out->drop, p->drop, sizeof(out->drop));
}

/* The address table holds every peer with an address; lookups accept
 * only confirmed ones (UDP.md §3.2 step 1). Callers change p->addr before
 * calling this, so the chain to leave is the one remembered at insertion,
 * not the new address's: unlinking by the new hash left the peer in its
 * old chain with addr_next pointing into the new one, hiding every peer
 * behind it (two nodes behind one NAT share an address until one moves)
 * and leaving a dangling entry once the peer was deleted. */
void dp_addr_table_update(struct fl_dp *dp, struct fl_dp_peer *p)
{
	if (p->in_addr_table)
		dp_unlink(&dp->by_addr[p->addr_bucket], p, offsetof(struct fl_dp_peer, addr_next));
	p->in_addr_table = false;
	if (!p->has_addr || p->myself)
		return;
	unsigned h = fl_addr_hash(&p->addr) % DP_HASH;
	p->addr_next = dp->by_addr[h];
	dp->by_addr[h] = p;
	p->addr_bucket = h;
	p->in_addr_table = true;
}

struct fl_dp_peer *dp_peer_by_addr(struct fl_dp *dp, const union fl_addr *a)
{
	for (struct fl_dp_peer *p = dp->by_addr[fl_addr_hash(a) % DP_HASH]; p; p = p->addr_next)
		if (p->udp_confirmed && fl_addr_equal(&p->addr, a))
			return p;
	return NULL;
}

static unsigned dp_first_sock(const struct fl_dp *dp, int family)
{
	for (unsigned i = 0; i < dp->set.nsocks; i++)
		if (dp->set.sock_family[i] == family)
			return i;
	return 0;
}

void dp_adopt_addr(struct fl_dp *dp, struct fl_dp_peer *p, const union fl_addr *a, unsigned sock)
{
	union fl_addr n = *a;

	fl_addr_unmap(&n);
	if (p->has_addr && fl_addr_equal(&p->addr, &n)) {
		if (sock != ~0u)
			p->sock = sock;
		return;
	}
	p->addr = n;
	p->has_addr = true;
	p->sock = sock != ~0u ? sock : dp_first_sock(dp, n.sa.sa_family);
	dp_reset_udp(p);
	p->confirm_deadline = 0;
	dp_addr_table_update(dp, p);
}

void fl_dp_peer_set_addr(struct fl_dp *dp, struct fl_dp_peer *p, const union fl_addr *a)
{
	dp_adopt_addr(dp, p, a, ~0u);
}

void fl_dp_peer_set_graph(struct fl_dp *dp, struct fl_dp_peer *p, const struct fl_dp_graph *g)
{
	if (p->myself)
		return;
	if (g->reachable != p->reachable) {
		/* GRAPH.md §3.1: a flip drops the UDP session and UDP state. */
		dp_reset_udp(p);
		p->confirm_deadline = 0;
		p->sess = NULL;
		p->validkey = false;
		p->waitingforkey = false;
	}
	p->reachable = g->reachable;
	p->via = g->via;
	p->nexthop = g->nexthop;
	p->options = g->options;
	p->has_conn = g->has_conn;
	p->has_prevedge = g->has_prevedge;
	(void)dp;
}

void fl_dp_peer_set_session(struct fl_dp *dp, struct fl_dp_peer *p, void *sess, bool valid)
{
	(void)dp;
	p->sess = sess;
	p->validkey = sess && valid;
	if (p->validkey)
		p->waitingforkey = false;
}

void fl_dp_peer_session_started(struct fl_dp *dp, struct fl_dp_peer *p, void *sess, uint64_t now)
{
	(void)dp;
	p->sess = sess;
	p->validkey = false;
	p->waitingforkey = true;
	p->last_req_key = now;
}

void fl_dp_peer_set_compression(struct fl_dp_peer *p, int level)
{
	p->out_compression = fl_compress_level_ok(level) ? level : 0;
}

void fl_dp_peer_mtu_info(struct fl_dp_peer *p, int mtu)
{
	if (mtu > (int)FL_MTU)
		mtu = FL_MTU;
	if (p->minmtu != p->maxmtu && mtu != p->mtu)
		p->mtu = mtu;
}

void fl_dp_peer_set_mtu(struct fl_dp_peer *p, int mtu)
{
	if (mtu > 0 && mtu < p->mtu)
		p->mtu = mtu;
}
