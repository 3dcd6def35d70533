/*
 * tnet.c: the in-memory network of tnet.h.
 */
#include "tnet.h"
#include <arpa/inet.h>

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/tun.h"
#include "lpm/lpm.h"
#include "io/udp.h"
#include "wire/csum.h"
#ifdef TNET_REAL_SPTPS
#include "crypto/sptps.h"
#include "dataplane/dp_sptps.h"
#include "dataplane/dp_workers.h"
#endif

/* ---- stand-in datagram session ---- */

struct tsess {
	uint8_t kout[32], kin[32];
	uint32_t outseq, maxin;
	uint64_t seen;          /* bit i: maxin - i accepted */
	bool any;
};

static int tsess_crypt(const uint8_t key[32], uint32_t seq, uint8_t *buf, size_t len,
		       uint8_t *tag, bool enc)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	uint8_t nonce[12] = {0};
	int ok, n;

	fl_put32(nonce + 8, seq);
	ok = EVP_CipherInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce, enc);
	if (!enc)
		ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, tag);
	ok = ok && EVP_CipherUpdate(c, buf, &n, buf, (int)len);
	ok = ok && EVP_CipherFinal_ex(c, buf + n, &n);
	if (enc)
		ok = ok && EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

static int ts_seal(void *ctx, void *sess, uint8_t type, struct fl_pkt *p)
{
	struct tsess *s = sess;
	uint8_t *h, *tag;
	uint32_t seq = s->outseq++;

	(void)ctx;
	if (!(h = fl_pkt_push(p, 5)) || !(tag = fl_pkt_put(p, 16)))
		return -1;
	fl_put32(h, seq);
	h[4] = type;
	if (tsess_crypt(s->kout, seq, h + 4, p->len - 20, tag, true) < 0)
		return -1;
	return s->outseq >= 0x80000000u ? 1 : 0;
}

static bool ts_replay_ok(const struct tsess *s, uint32_t seq)
{
	if (!s->any || seq > s->maxin)
		return true;
	if (s->maxin - seq >= 64)
		return false;
	return !(s->seen >> (s->maxin - seq) & 1);
}

static void ts_replay_mark(struct tsess *s, uint32_t seq)
{
	if (!s->any) {
		s->any = true;
		s->maxin = seq;
		s->seen = 1;
	} else if (seq > s->maxin) {
		uint32_t d = seq - s->maxin;
		s->seen = d >= 64 ? 1 : (s->seen << d) | 1;
		s->maxin = seq;
	} else {
		s->seen |= 1ull << (s->maxin - seq);
	}
}

static enum fl_dp_open_err ts_open(void *ctx, void *sess, struct fl_pkt *p, uint8_t *type,
				   bool verify_only)
{
	struct tsess *s = sess;
	uint8_t tmp[2048];
	uint32_t seq;
	size_t clen;

	(void)ctx;
	if (p->len < 21)
		return FL_DP_OPEN_SHORT;
	seq = fl_get32(p->data);
	clen = p->len - 20;
	/* Authenticate first, as dp_sptps.c does: "replay" means authentic. */
	memcpy(tmp, p->data + 4, clen);
	if (tsess_crypt(s->kin, seq, tmp, clen, p->data + p->len - 16, false) < 0)
		return FL_DP_OPEN_AUTH;
	if (!ts_replay_ok(s, seq))
		return FL_DP_OPEN_REPLAY;
	if (verify_only)
		return FL_DP_OPEN_OK;
	ts_replay_mark(s, seq);
	memcpy(p->data + 4, tmp, clen);
	*type = p->data[4];
	fl_pkt_pull(p, 5);
	p->len = (uint32_t)(clen - 1);
	return FL_DP_OPEN_OK;
}

#ifdef TNET_REAL_SPTPS
/* Real tinc-compatible SPTPS datagram sessions: the handshake records are
 * shuttled between the two sessions directly (in the daemon they travel
 * in REQ_KEY/ANS_KEY), then the dataplane seals/opens through dp_sptps.c. */
struct rsess {
	struct fl_sptps *s;
	struct tnet *net;
	uint8_t out[8][256];
	size_t outlen[8];
	int nout;
};

static int rs_random(void *ctx, uint8_t *buf, size_t len)
{
	struct rsess *r = ctx;
	for (size_t i = 0; i < len; i++) {
		r->net->rnd ^= r->net->rnd << 13;
		r->net->rnd ^= r->net->rnd >> 17;
		r->net->rnd ^= r->net->rnd << 5;
		buf[i] = (uint8_t)r->net->rnd;
	}
	return 0;
}

static int rs_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	struct rsess *r = ctx;
	(void)type;
	if (r->nout >= 8 || len > 256)
		return -1;
	memcpy(r->out[r->nout], rec, len);
	r->outlen[r->nout++] = len;
	return 0;
}

static int rs_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	(void)ctx, (void)type, (void)body, (void)len;
	return 0;
}

static const struct fl_sptps_callbacks rs_cb = {rs_random, rs_send, rs_deliver, NULL, NULL};

static struct rsess *rs_new(struct tnet *net, bool initiator, const struct fl_ed25519_key *own,
			    const uint8_t *peer_pub)
{
	static const uint8_t label[] = "tinc UDP key expansion nodea nodeb";
	struct rsess *r = calloc(1, sizeof(*r));
	struct fl_sptps_config cfg = {
		.mode = FL_SPTPS_DATAGRAM, .initiator = initiator, .own_key = own,
		.peer_public = peer_pub, .label = label, .label_len = sizeof(label),
		.replaywin = FL_SPTPS_DEFAULT_REPLAYWIN, .cb = &rs_cb, .ctx = r,
	};
	r->net = net;
	r->s = fl_sptps_new(&cfg, NULL);
	if (!r->s)
		abort();
	return r;
}

static void rs_flush(struct rsess *from, struct rsess *to)
{
	struct rsess tmp = *from;
	from->nout = 0;
	for (int i = 0; i < tmp.nout; i++)
		(void)fl_sptps_receive(to->s, tmp.out[i], tmp.outlen[i], NULL);
}

static void *rs_pair(struct tnet *net, void **peer_side)
{
	struct fl_ed25519_key ka, kb;
	uint8_t seed[32];
	struct rsess *a, *b;

	rs_random(&(struct rsess){.net = net}, seed, 32);
	fl_ed25519_from_seed(&ka, seed);
	rs_random(&(struct rsess){.net = net}, seed, 32);
	fl_ed25519_from_seed(&kb, seed);
	a = rs_new(net, true, &ka, kb.pub);
	b = rs_new(net, false, &kb, ka.pub);
	fl_ed25519_key_wipe(&ka);
	fl_ed25519_key_wipe(&kb);
	if (fl_sptps_start(a->s, ~0ull) != FL_SPTPS_OK || fl_sptps_start(b->s, ~0ull) != FL_SPTPS_OK)
		abort();
	for (int i = 0; i < 6 && !(fl_sptps_keyed(a->s) && fl_sptps_keyed(b->s)); i++) {
		rs_flush(a, b);
		rs_flush(b, a);
	}
	if (!fl_sptps_keyed(a->s) || !fl_sptps_keyed(b->s))
		abort();
	*peer_side = b;
	return a;
}
#endif

/* ---- ops ---- */

static struct tmsg *tq_push(struct tnet *net)
{
	struct tmsg *m;

	if (net->qtail - net->qhead >= TNET_QUEUE)
		abort();
	m = &net->q[net->qtail++ % TNET_QUEUE];
	memset(m, 0, sizeof(*m));
	return m;
}

static int peer_index(struct tnode *n, struct fl_dp_peer *p)
{
	for (int i = 0; i < n->net->n; i++)
		if (n->peer[i] == p)
			return i;
	abort();
}

static int op_udp_send(void *ctx, struct fl_dp_peer *relay, unsigned sock,
		       const union fl_addr *addr, struct fl_pkt *p, bool probe)
{
	struct tnode *n = ctx;
	struct tmsg *m;

	(void)relay;
	(void)sock;
	(void)probe;
	if (n->local_mtu && p->len > (uint32_t)n->local_mtu) {
		fl_pkt_free(p);
		return -EMSGSIZE;
	}
	if (n->udp_fd > 0) {
		/* Real socket (netns test): send now, report the error. */
		int r = fl_udp_send(n->udp_fd, addr, p->data, p->len);
		fl_pkt_free(p);
		return r == -EAGAIN ? 0 : r;
	}
	m = tq_push(n->net);
	m->kind = TM_UDP;
	m->src = n->idx;
	m->to_addr = *addr;
	m->p = p;
	return 0;
}

static void op_device_write(void *ctx, struct fl_pkt *p)
{
	struct tnode *n = ctx;

	n->device_frames++;
	n->last_device_len = p->len;
	if (n->net->dev_log && n->net->dev_n < n->net->dev_cap && p->len >= 38)
		n->net->dev_log[n->net->dev_n++] = fl_get32(p->data + 34);
	memcpy(n->last_device, p->data, p->len < 2048 ? p->len : 2048);
	if (n->tun_fd > 0 && p->len > 14)
		(void)fl_tun_write(n->tun_fd, p->data + 14, p->len - 14);
	fl_pkt_free(p);
}

static struct fl_pkt *copy_pkt(struct tnet *net, const uint8_t *d, size_t len)
{
	struct fl_pkt *p = fl_pkt_alloc(net->pool);

	if (!p)
		abort();
	memcpy(fl_pkt_put(p, len), d, len);
	return p;
}

static void op_send_packet(void *ctx, struct fl_dp_peer *to, const uint8_t *frame, size_t len)
{
	struct tnode *n = ctx;
	struct tmsg *m = tq_push(n->net);

	n->packet17_sent++;
	m->kind = TM_PACKET;
	m->src = n->idx;
	m->dst = peer_index(n, to);
	m->p = copy_pkt(n->net, frame, len);
}

static void op_send_sptps_tcp(void *ctx, struct fl_dp_peer *from, struct fl_dp_peer *to,
			      const uint8_t *dgram, size_t len)
{
	struct tnode *n = ctx;
	struct tmsg *m = tq_push(n->net);

	n->tcp_sent++;
	m->kind = TM_SPTPS_TCP;
	m->src = n->idx;
	m->from = peer_index(n, from);
	m->to = peer_index(n, to);
	/* Goes to our meta neighbour toward `to`. */
	m->dst = n->net->nexthop[n->idx][m->to];
	m->p = copy_pkt(n->net, dgram, len);
}

static void op_request_key(void *ctx, struct fl_dp_peer *to)
{
	struct tnode *n = ctx;
	struct tmsg *m = tq_push(n->net);

	n->keyreqs++;
	m->kind = TM_KEY;
	m->src = n->idx;
	m->dst = peer_index(n, to);
}

static void op_udp_info(void *ctx, struct fl_dp_peer *to)
{
	(void)to;
	((struct tnode *)ctx)->udp_info++;
}

static void op_mtu_info(void *ctx, struct fl_dp_peer *to, int mtu)
{
	(void)to;
	(void)mtu;
	((struct tnode *)ctx)->mtu_info++;
}

static void op_random(void *ctx, uint8_t *buf, size_t len)
{
	struct tnet *net = ((struct tnode *)ctx)->net;

	for (size_t i = 0; i < len; i++) {
		net->rnd ^= net->rnd << 13;
		net->rnd ^= net->rnd >> 17;
		net->rnd ^= net->rnd << 5;
		buf[i] = (uint8_t)net->rnd;
	}
}

static int op_path_mtu(void *ctx, const union fl_addr *a)
{
	(void)a;
	return ((struct tnode *)ctx)->net->path_mtu_hint ? ((struct tnode *)ctx)->net->path_mtu_hint
							  : -ENOSYS;
}

static void node_id(const char *name, uint8_t id[6])
{
	uint8_t md[64];
	unsigned len = 0;

	EVP_Digest(name, strlen(name), md, &len, EVP_sha512(), NULL);
	memcpy(id, md, 6);
}

void tnet_init(struct tnet *net, int n, const struct fl_dp_settings *s)
{
	struct fl_dp_crypto crypto = {NULL, ts_seal, ts_open, NULL, NULL};

	memset(net, 0, sizeof(*net));
#ifdef TNET_REAL_SPTPS
	net->dps = fl_dp_sptps_new();
	fl_dp_sptps_crypto(net->dps, &crypto);
#endif
	net->n = n;
	net->rnd = 0x12345678;
	net->now = 1000 * 1000000ull;
	net->pool = fl_pkt_pool_new(8192);
	for (int i = 0; i < n; i++) {
		struct tnode *nd = &net->node[i];
		struct fl_dp_ops ops = {
			.ctx = nd, .udp_send = op_udp_send, .device_write = op_device_write,
			.send_packet = op_send_packet, .send_sptps_tcp = op_send_sptps_tcp,
			.request_key = op_request_key, .udp_info = op_udp_info,
			.mtu_info = op_mtu_info, .random = op_random,
			.path_mtu = op_path_mtu,
		};
		struct fl_dp_settings set = *s;
		char host[32];

		set.nsocks = 1;
		set.sock_family[0] = AF_INET;
		nd->net = net;
		nd->idx = i;
		snprintf(nd->name, sizeof(nd->name), "node%c", 'a' + i);
		snprintf(host, sizeof(host), "203.0.113.%d", i + 1);
		fl_addr_parse(&nd->addr, host, 655);
		nd->dp = fl_dp_new(&set, &ops, &crypto, net->pool);
	}
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < n; j++) {
			uint8_t id[6];
			node_id(net->node[j].name, id);
			net->node[i].peer[j] = fl_dp_peer_add(net->node[i].dp, net->node[j].name, id,
							      i == j, &net->node[j]);
		}
	}
	for (int i = 0; i < n; i++)
		tnet_publish(net, i);
}

static void pfx(struct fl_dp_prefix *p, int family, const char *text, int len,
		struct fl_dp_peer *peer)
{
	memset(p, 0, sizeof(*p));
	inet_pton(family == 4 ? AF_INET : AF_INET6, text, p->addr);
	p->family = (uint8_t)family;
	p->len = (uint8_t)len;
	p->peer = peer;
}

/* Node i's tables: 192.0.2.(64 j)/26 and 2001:db8:0:j::/64 belong to node
 * j, 192.0.2.255 is a broadcast address; local routes as route_to and
 * route_any say. */
void tnet_publish(struct tnet *net, int i)
{
	struct tnode *nd = &net->node[i];
	struct fl_dp_prefix v[2 * TNET_MAX + 1];
	struct fl_lpm_prefix r[3];
	struct fl_lpm *t = NULL;
	size_t n = 0, nr = 0;
	char text[64];

	for (int j = 0; j < net->n; j++) {
		snprintf(text, sizeof(text), "192.0.2.%d", 64 * j);
		pfx(&v[n++], 4, text, 26, nd->peer[j]);
		snprintf(text, sizeof(text), "2001:db8:0:%x::", j);
		pfx(&v[n++], 6, text, 64, nd->peer[j]);
	}
	pfx(&v[n++], 4, "192.0.2.255", 32, NULL);
	if (fl_dp_stage_subnets(nd->dp, v, n) < 0)
		abort();
	if (nd->route_to > 0) {
		memset(r, 0, sizeof(r));
		inet_pton(AF_INET, "198.51.100.0", r[nr].addr);
		r[nr].family = 4;
		r[nr++].len = 24;
		if (nd->route_any) {
			r[nr++].family = 4;
			r[nr++].family = 6;
		}
		if (fl_lpm_build(r, nr, NULL, &t) != FL_LPM_OK)
			abort();
	}
	if (fl_dp_stage_routes(nd->dp, t, t ? 1 : 0) < 0)
		abort();
	if (t)
		fl_dp_stage_route_target(nd->dp, 0, nd->peer[nd->route_to - 1]);
	if (fl_dp_publish(nd->dp) < 0)
		abort();
}

void tnet_set_addr(struct tnet *net, int i, const union fl_addr *a)
{
	net->node[i].addr = *a;
}

void tnet_link(struct tnet *net, int a, int b, bool conn, int hop)
{
	struct tnode *na = &net->node[a];
	struct fl_dp_graph g = {
		.reachable = true,
		.via = na->peer[b],
		.nexthop = conn ? na->peer[b] : na->peer[hop],
		.options = FL_DP_OPT_PMTU_DISCOVERY | FL_DP_OPT_CLAMP_MSS | (7u << 24),
		.has_conn = conn,
		.has_prevedge = true,
	};

	net->nexthop[a][b] = conn ? b : hop;
	fl_dp_peer_set_graph(na->dp, na->peer[b], &g);
	fl_dp_peer_set_addr(na->dp, na->peer[b], &net->node[b].addr);
}

static int node_by_addr(struct tnet *net, const union fl_addr *a)
{
	for (int i = 0; i < net->n; i++)
		if (fl_addr_equal(&net->node[i].addr, a))
			return i;
	return -1;
}

static void deliver_key(struct tnet *net, struct tmsg *m)
{
	struct tnode *a = &net->node[m->src], *b = &net->node[m->dst];
	void *s1, *s2;

#ifdef TNET_REAL_SPTPS
	s1 = rs_pair(net, &s2);
	fl_dp_peer_session_started(b->dp, b->peer[m->src], ((struct rsess *)s2)->s, net->now);
	fl_dp_peer_set_session(a->dp, a->peer[m->dst], ((struct rsess *)s1)->s, true);
	fl_dp_peer_set_session(b->dp, b->peer[m->src], ((struct rsess *)s2)->s, true);
#else
	struct tsess *t1 = calloc(1, sizeof(*t1)), *t2 = calloc(1, sizeof(*t2));
	op_random(a, t1->kout, 32);
	op_random(a, t1->kin, 32);
	memcpy(t2->kout, t1->kin, 32);
	memcpy(t2->kin, t1->kout, 32);
	t1->outseq = t2->outseq = 2;
	s1 = t1;
	s2 = t2;
	fl_dp_peer_session_started(b->dp, b->peer[m->src], t2, net->now);
	fl_dp_peer_set_session(a->dp, a->peer[m->dst], t1, true);
	fl_dp_peer_set_session(b->dp, b->peer[m->src], t2, true);
#endif
	if (net->nsessions + 2 > sizeof(net->sessions) / sizeof(net->sessions[0]))
		abort();
	net->sess_owner[net->nsessions] = m->src;
	net->sess_peer[net->nsessions] = m->dst;
	net->sessions[net->nsessions++] = s1;
	net->sess_owner[net->nsessions] = m->dst;
	net->sess_peer[net->nsessions] = m->src;
	net->sessions[net->nsessions++] = s2;
}

/* The link model for one UDP message; the receiving node, or NULL if the
 * datagram vanished (freed). */
static struct tnode *udp_link(struct tnet *net, struct tmsg *m)
{
	int d = node_by_addr(net, &m->to_addr);

	if (d < 0 || net->blocked[m->src][d] ||
	    (net->path_limit[m->src][d] && m->p->len > (uint32_t)net->path_limit[m->src][d])) {
		net->udp_vanished++;
		fl_pkt_free(m->p);
		return NULL;
	}
	if (net->tamper > 0) {
		net->tamper--;
		m->p->data[m->p->len - 1] ^= 0x40;
	}
	if (!net->captured && net->capture_len && m->p->len == (uint32_t)net->capture_len)
		net->captured = copy_pkt(net, m->p->data, m->p->len);
	if (net->dup_every && (net->udp_delivered + 1) % net->dup_every == 0) {
		/* A replay: the same bytes again, after what is queued now. */
		struct tmsg *c = tq_push(net);
		*c = *m;
		c->p = copy_pkt(net, m->p->data, m->p->len);
		net->dups++;
	}
	net->udp_delivered++;
	return &net->node[d];
}

static void deliver_udp(struct tnet *net, struct tmsg *m)
{
	struct tnode *dst = udp_link(net, m);

	if (dst)
		fl_dp_udp_input(dst->dp, net->now, 0, &net->node[m->src].addr, m->p);
}

#ifdef TNET_REAL_SPTPS
/* The daemon's pipeline on a run of UDP messages (the first is m): seal
 * what waits (as before a send queue flush), then the link, the look-ahead
 * opens on the workers, and the in-order input. */
static void deliver_udp_batch(struct tnet *net, struct tmsg *m)
{
	struct tmsg b[FL_DP_SPTPS_BATCH];
	struct fl_pkt *pk[FL_DP_SPTPS_BATCH];
	struct tnode *to[FL_DP_SPTPS_BATCH];
	void *sess[FL_DP_SPTPS_BATCH];
	size_t off[FL_DP_SPTPS_BATCH], n = 0, want;
	uint8_t r8;

	op_random(&net->node[0], &r8, 1);
	want = 1 + r8 % net->batch_max;

	b[n++] = *m;
	while (n < want && n < FL_DP_SPTPS_BATCH && net->qhead != net->qtail &&
	       net->q[net->qhead % TNET_QUEUE].kind == TM_UDP)
		b[n++] = net->q[net->qhead++ % TNET_QUEUE];
	for (size_t i = 0; i < n; i++)
		pk[i] = b[i].p;
	fl_dp_sptps_seal_batch(net->dps, pk, n);
	for (size_t i = 0; i < n; i++) {
		to[i] = udp_link(net, &b[i]);
		pk[i] = b[i].p;
		off[i] = 0;
		sess[i] = to[i] ? fl_dp_udp_session_of(to[i]->dp, &net->node[b[i].src].addr, pk[i], &off[i])
				: NULL;
	}
	/* Datagrams for different nodes share the batch: each session is
	 * named per datagram. */
	fl_dp_sptps_open_batch(net->dps, pk, sess, off, n);
	for (size_t i = 0; i < n; i++)
		if (to[i])
			fl_dp_udp_input(to[i]->dp, net->now, 0, &net->node[b[i].src].addr, pk[i]);
}

void tnet_set_workers(struct tnet *net, unsigned n, unsigned batch_max)
{
	net->workers = fl_dp_workers_new(n);
	if (!net->workers || fl_dp_sptps_set_workers(net->dps, net->workers) < 0)
		abort();
	net->batch_max = batch_max ? batch_max : 1;
}
#endif

void tnet_pump(struct tnet *net)
{
	for (unsigned steps = 0; net->qhead != net->qtail && steps < 100000; steps++) {
		struct tmsg m = net->q[net->qhead++ % TNET_QUEUE];
		struct tnode *dst = &net->node[m.dst];

		switch (m.kind) {
		case TM_UDP:
#ifdef TNET_REAL_SPTPS
			if (net->workers) {
				deliver_udp_batch(net, &m);
				break;
			}
#endif
			deliver_udp(net, &m);
			break;
		case TM_PACKET:
			fl_dp_packet_input(dst->dp, net->now, dst->peer[m.src], m.p);
			break;
		case TM_SPTPS_TCP:
			fl_dp_sptps_tcp_input(dst->dp, net->now, dst->peer[m.from], dst->peer[m.to], m.p, true);
			break;
		case TM_KEY:
			deliver_key(net, &m);
			break;
		}
	}
}

struct fl_pkt *tnet_frame4(struct tnet *net, int a, int b, size_t len, bool df)
{
	struct fl_pkt *p = fl_pkt_alloc(net->pool);
	uint8_t *f = fl_pkt_put(p, len), *ip = f + 14;

	memset(f, 0, len);
	f[12] = 0x08;
	ip[0] = 0x45;
	fl_put16(ip + 2, (uint16_t)(len - 14));
	ip[6] = df ? 0x40 : 0;
	ip[8] = 64;
	ip[9] = 17;
	ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = (uint8_t)(a * 64 + 1);
	ip[16] = 192, ip[17] = 0, ip[18] = 2, ip[19] = (uint8_t)(b * 64 + 1);
	fl_put16(ip + 10, fl_csum_fold(fl_csum_add(0, ip, 20)));
	for (size_t i = 34; i < len; i++)
		f[i] = (uint8_t)(i % 7); /* compressible */
	return p;
}

void tnet_send_ip(struct tnet *net, int a, int b, size_t len, bool df)
{
	struct fl_pkt *p = tnet_frame4(net, a, b, len, df);

	fl_pkt_pull(p, 14);
	fl_dp_device_input(net->node[a].dp, net->now, p);
	tnet_pump(net);
}

void tnet_advance(struct tnet *net, uint64_t us)
{
	uint64_t end = net->now + us;

	while (net->now < end) {
		uint64_t next = (net->now / 1000000 + 1) * 1000000;
		if (next > end) {
			net->now = end;
			break;
		}
		net->now = next;
		for (int i = 0; i < net->n; i++)
			fl_dp_tick(net->node[i].dp, net->now, true);
		tnet_pump(net);
	}
}

void tnet_set_outseq(struct tnet *net, int a, int b, uint32_t seq)
{
	for (unsigned i = net->nsessions; i-- > 0;) {
		if (net->sess_owner[i] != a || net->sess_peer[i] != b)
			continue;
#ifdef TNET_REAL_SPTPS
		fl_sptps_set_outseqno(((struct rsess *)net->sessions[i])->s, seq);
#else
		((struct tsess *)net->sessions[i])->outseq = seq;
#endif
		return; /* the newest session of a for b */
	}
}

void tnet_free(struct tnet *net)
{
	tnet_pump(net);
	for (int i = 0; i < net->n; i++)
		fl_dp_free(net->node[i].dp);
	fl_pkt_free(net->captured);
	for (unsigned i = 0; i < net->nsessions; i++) {
#ifdef TNET_REAL_SPTPS
		fl_sptps_free(((struct rsess *)net->sessions[i])->s);
#endif
		free(net->sessions[i]);
	}
#ifdef TNET_REAL_SPTPS
	fl_dp_sptps_free(net->dps);
	fl_dp_workers_free(net->workers);
#endif
	fl_pkt_pool_free(net->pool);
}
