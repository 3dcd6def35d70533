/*
 * UDP SPTPS sessions and the packet path of fenliud (spec/UDP.md §1-§4,
 * META.md §5.15/§5.16): sessions are started by REQ_KEY/15 and finished by
 * ANS_KEY, both carried by the mesh; data goes by UDP once probes confirmed
 * the path and the packet fits the probed MTU, else over the meta
 * connections (PACKET 17 to neighbours, SPTPS_PACKET to the next hop).
 * Relaying forwards datagrams without decrypting.
 *
 * This is the daemon's single-threaded stand-in for src/dataplane: same
 * wire behaviour, no batching or worker threads. Control thread only.
 */
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "wire/compress.h"

#define UDP_MTU 1518
#define UDP_MAXSIZE 1673
#define UDP_PKT_COMPRESSED 1
#define UDP_PKT_MAC 2
#define UDP_PKT_PROBE 4
#define UDP_KEY_RETRY_MS 10000

/* Where the record being delivered came from (set around fl_sptps_receive). */
static bool udp_rx_by_udp;

static struct fld *udp_d; /* for SPTPS callbacks, which get the node only */

struct fld_node *fld_node(struct fld *d, struct mesh_node *n)
{
	struct fld_node *fn;

	for (size_t i = 0; i < d->n_nodes; i++)
		if (d->nodes[i]->n == n)
			return d->nodes[i];
	if (d->n_nodes == d->cap_nodes) {
		size_t cap = d->cap_nodes ? d->cap_nodes * 2 : 16;
		struct fld_node **v = realloc(d->nodes, cap * sizeof(*v));
		if (!v)
			return NULL;
		d->nodes = v;
		d->cap_nodes = cap;
	}
	fn = calloc(1, sizeof(*fn));
	if (!fn)
		return NULL;
	fn->n = n;
	fn->rtt_us = -1;
	d->nodes[d->n_nodes++] = fn;
	return fn;
}

void fld_nodes_free(struct fld *d)
{
	for (size_t i = 0; i < d->n_nodes; i++) {
		fl_sptps_free(d->nodes[i]->udp);
		free(d->nodes[i]);
	}
	free(d->nodes);
	d->nodes = NULL;
	d->n_nodes = d->cap_nodes = 0;
}

static bool udp_is_me(struct fld *d, const struct mesh_node *n) { return n == mesh_myself(d->mesh); }

static bool udp_reachable(const struct mesh_node *n) { return n && (n->status & MESH_NS_REACHABLE); }

static int udp_minor(const struct mesh_node *n) { return (int)MESH_OPT_VERSION(n->options); }

/* relay(X): nexthop(X) if via(X) is myself, else via(X). */
static struct mesh_node *udp_relay(struct fld *d, struct mesh_node *n)
{
	if (!n->via || udp_is_me(d, n->via))
		return n->nexthop;
	return n->via;
}

static void udp_reset_probe_state(struct fld_node *fn)
{
	fn->udp_confirmed = false;
	fn->ping_out = false;
	fn->mtuprobes = 0;
	fn->maxrecentlen = 0;
	fn->rtt_us = -1;
	fn->n->minmtu = 0;
	fn->n->maxmtu = UDP_MTU;
	fn->n->status &= ~(uint32_t)MESH_NS_UDP_CONFIRMED;
}

void fld_udp_reset(struct fld *d, struct mesh_node *n)
{
	struct fld_node *fn = fld_node(d, n);

	if (!fn)
		return;
	fl_sptps_free(fn->udp);
	fn->udp = NULL;
	fn->req_key_ms = 0;
	n->status &= ~(uint32_t)(MESH_NS_VALIDKEY | MESH_NS_WAITINGFORKEY);
	udp_reset_probe_state(fn);
}

/* ---- addresses ---------------------------------------------------------- */

static int udp_resolve(const char *host, const char *port, struct sockaddr_storage *sa,
		       socklen_t *len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST}, *ai;

	if (!host || !port || !*host || getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	memcpy(sa, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static bool udp_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	return false;
}

/* Make sure fn->addr reflects the mesh's text address of the node. */
static bool udp_addr(struct fld_node *fn)
{
	if (fn->addrlen)
		return true;
	return udp_resolve(fn->n->addr, fn->n->port, &fn->addr, &fn->addrlen) == 0;
}

void fld_udp_set_address(struct fld *d, struct mesh_node *n, const char *host, const char *port)
{
	struct fld_node *fn = fld_node(d, n);
	struct sockaddr_storage sa;
	socklen_t len;

	if (!fn || udp_resolve(host, port, &sa, &len) < 0)
		return;
	if (fn->addrlen && udp_same_addr(&sa, &fn->addr))
		return;
	fn->addr = sa;
	fn->addrlen = len;
	udp_reset_probe_state(fn);
	fl_dlog(FL_DLOG_DEBUG, "UDP address of %s set to %s port %s", n->name, host, port);
}

static int udp_sock_for(struct fld *d, int family)
{
	for (size_t i = 0; i < d->n_listen; i++)
		if (d->listen[i].family == family)
			return d->listen[i].udp;
	return d->n_listen ? d->listen[0].udp : -1;
}

/* ---- sending ------------------------------------------------------------ */

static void udp_fix(struct fld_node *fn)
{
	struct mesh_node *n = fn->n;

	if (fn->mtuprobes < 0)
		return;
	if (fn->mtuprobes == 20 || n->minmtu >= n->maxmtu) {
		if (n->minmtu > n->maxmtu)
			n->minmtu = n->maxmtu;
		else
			n->maxmtu = n->minmtu;
		n->mtu = n->minmtu;
		fn->mtuprobes = -1;
		fl_dlog(FL_DLOG_DEBUG, "Fixing MTU of %s to %d", n->name, n->mtu);
	}
}

/* Step E of UDP.md §2.3: one UDP datagram to relay. Returns -1 on EMSGSIZE. */
static int udp_sendto(struct fld *d, struct mesh_node *relay, struct mesh_node *from,
		      struct mesh_node *to, const uint8_t *dg, size_t len)
{
	struct fld_node *fr = fld_node(d, relay);
	uint8_t buf[UDP_MAXSIZE + 64];
	bool direct = udp_is_me(d, from) && relay == to;
	int s;

	if (!fr || !udp_addr(fr) || len > UDP_MAXSIZE)
		return 0;
	if (direct)
		memset(buf, 0, 6);
	else
		memcpy(buf, to->id, 6);
	memcpy(buf + 6, from->id, 6);
	memcpy(buf + 12, dg, len);
	s = udp_sock_for(d, fr->addr.ss_family);
	if (s < 0)
		return 0;
	if (sendto(s, buf, len + 12, MSG_DONTWAIT, (struct sockaddr *)&fr->addr, fr->addrlen) < 0) {
		if (errno == EMSGSIZE) {
			int v = (int)len - 21 - 1;
			if (v < 512)
				v = 512;
			if (relay->maxmtu > v)
				relay->maxmtu = v;
			if (relay->mtu > v)
				relay->mtu = v;
			udp_fix(fr);
			return -1;
		}
		return 0;
	}
	return 0;
}

/* UDP.md §2.3: choose UDP or TCP for one SPTPS datagram FROM -> TO. */
static int udp_send_dgram(struct fld *d, struct mesh_node *from, struct mesh_node *to,
			  uint8_t type, const uint8_t *dg, size_t len)
{
	struct mesh_node *relay;
	size_t p = len - 21;
	bool direct, tcp;
	struct mesh_out out;

	if (!to->nexthop)
		return 0;
	relay = (to->via && !udp_is_me(d, to->via) &&
		 (type == UDP_PKT_PROBE || (int)p <= to->via->minmtu))
			? to->via
			: to->nexthop;
	direct = udp_is_me(d, from) && relay == to;
	tcp = d->tcponly || (relay->options & MESH_OPT_TCPONLY) ||
	      (!direct && udp_minor(relay) < 4) || (type != UDP_PKT_PROBE && (int)p > relay->minmtu);
	if (!tcp)
		return udp_sendto(d, relay, from, to, dg, len);
	if (type == UDP_PKT_PROBE)
		return 0;
	mesh_out_init(&out);
	mesh_send_sptps_data(d->mesh, from, to, dg, len, &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	return 0;
}

/* ---- SPTPS session callbacks -------------------------------------------- */

static int udp_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
	return 0;
}

static int udp_cb_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	struct fld_node *fn = ctx;
	struct fld *d = udp_d;
	struct mesh_out out;

	if (type != FL_SPTPS_HANDSHAKE)
		return udp_send_dgram(d, mesh_myself(d->mesh), fn->n, type, rec, len) < 0 ? -1 : 0;
	mesh_out_init(&out);
	if (fn->udp_initiator && !fn->udp)
		mesh_send_sptps_start(d->mesh, fn->n, rec, len, fld_mesh_now(), &out);
	else
		mesh_send_ans_key(d->mesh, fn->n, rec, len, d->compression, &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	return 0;
}

static void udp_probe_rx(struct fld *d, struct fld_node *fn, const uint8_t *body, size_t len);

static int udp_cb_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct fld_node *fn = ctx;
	struct fld *d = udp_d;
	uint8_t frame[UDP_MAXSIZE + 32];
	size_t flen;

	if (len > UDP_MTU)
		return -1;
	if (type == UDP_PKT_PROBE) {
		if (!udp_rx_by_udp)
			return -1;
		udp_probe_rx(d, fn, body, len);
		return 0;
	}
	if (type & ~(UDP_PKT_COMPRESSED | UDP_PKT_MAC))
		return -1;
	if (type & UDP_PKT_MAC) {
		if (len < 14)
			return -1;
		memcpy(frame, body, len);
		flen = len;
	} else {
		size_t plen = len;
		if (type & UDP_PKT_COMPRESSED) {
			if (fl_decompress(d->compression, body, len, frame + 14, UDP_MAXSIZE,
					  &plen) != FL_WIRE_OK)
				return -1;
		} else {
			memcpy(frame + 14, body, len);
		}
		memset(frame, 0, 12);
		switch (frame[14] >> 4) {
		case 4: frame[12] = 0x08; frame[13] = 0x00; break;
		case 6: frame[12] = 0x86; frame[13] = 0xdd; break;
		default: return -1;
		}
		flen = plen + 14;
	}
	if (udp_rx_by_udp && (int)flen > fn->maxrecentlen)
		fn->maxrecentlen = (int)flen;
	fn->in_pkts++;
	fn->in_bytes += flen;
	fld_route_frame(d, fn->n, frame, flen);
	return 0;
}

static void udp_cb_done(void *ctx)
{
	struct fld_node *fn = ctx;

	fl_dlog(FL_DLOG_DEBUG, "SPTPS key exchange with %s successful", fn->n->name);
	fn->n->status &= ~(uint32_t)MESH_NS_WAITINGFORKEY;
	mesh_key_valid(udp_d->mesh, fn->n);
	fn->n->status |= MESH_NS_VALIDKEY;
}

static const struct fl_sptps_callbacks udp_cb = {
	.random = udp_random,
	.send = udp_cb_send,
	.deliver = udp_cb_deliver,
	.handshake_done = udp_cb_done,
};

static int udp_peer_key(struct fld *d, struct mesh_node *n, uint8_t pub[static 32]);

/* Start a session with n; initiator or responder (then feed rec). */
static void udp_start(struct fld *d, struct fld_node *fn, bool initiator)
{
	struct mesh_node *me = mesh_myself(d->mesh);
	struct fl_sptps_config cfg = {0};
	enum fl_sptps_err err;
	uint8_t label[600];
	uint8_t pub[32];
	int l;

	fl_sptps_free(fn->udp);
	fn->udp = NULL;
	if (udp_peer_key(d, fn->n, pub) < 0)
		return;
	l = snprintf((char *)label, sizeof(label), "tinc UDP key expansion %s %s",
		     initiator ? me->name : fn->n->name, initiator ? fn->n->name : me->name);
	cfg.mode = FL_SPTPS_DATAGRAM;
	cfg.initiator = initiator;
	cfg.own_key = &d->key;
	cfg.peer_public = pub;
	cfg.label = label;
	cfg.label_len = (size_t)l + 1;
	cfg.replaywin = FL_SPTPS_DEFAULT_REPLAYWIN;
	cfg.cb = &udp_cb;
	cfg.ctx = fn;
	fn->udp_initiator = initiator;
	fn->req_key_ms = fld_now();
	fn->n->status &= ~(uint32_t)MESH_NS_VALIDKEY;
	fn->n->status |= MESH_NS_WAITINGFORKEY;
	struct fl_sptps *s = fl_sptps_new(&cfg, &err);
	if (!s)
		return;
	/* fn->udp stays NULL while the first KEX goes out, so udp_cb_send
	 * knows it is the REQ_SPTPS_START. */
	fl_sptps_start(s, 0);
	fn->udp = s;
}

static void udp_request_key(struct fld *d, struct fld_node *fn)
{
	struct mesh_out out;
	bool go;

	mesh_out_init(&out);
	go = mesh_want_key(d->mesh, fn->n, fld_mesh_now(), &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	fn->req_key_ms = fld_now();
	if (go)
		udp_start(d, fn, true);
}

void fld_udp_req_start(struct fld *d, struct mesh_node *from, const uint8_t *rec, size_t len)
{
	struct fld_node *fn = fld_node(d, from);

	if (!fn)
		return;
	udp_start(d, fn, false);
	if (fn->udp)
		fl_sptps_receive(fn->udp, rec, len, NULL);
}

void fld_udp_ans_key(struct fld *d, struct mesh_node *from, const uint8_t *rec, size_t len,
		     int compression, const char *host, const char *port)
{
	struct fld_node *fn = fld_node(d, from);

	if (!fn)
		return;
	if (!fl_compress_level_ok(compression)) {
		fl_dlog(FL_DLOG_ERR, "Node %s uses bogus compression level %d", from->name,
			compression);
		return;
	}
	fn->compression = compression;
	from->compression = compression;
	if (!fn->udp || fl_sptps_receive(fn->udp, rec, len, NULL) != FL_SPTPS_OK) {
		if (fld_now() - fn->req_key_ms > UDP_KEY_RETRY_MS)
			udp_request_key(d, fn);
		return;
	}
	if (fl_sptps_keyed(fn->udp) && host && port)
		fld_udp_set_address(d, from, host, port);
}

/* A datagram FROM -> TO that came over TCP. */
void fld_udp_tcp_data(struct fld *d, struct mesh_node *from, struct mesh_node *to,
		      const uint8_t *dgram, size_t len)
{
	struct fld_node *fn;

	if (!udp_is_me(d, to)) {
		if (udp_reachable(to) && len >= 21)
			udp_send_dgram(d, from, to, 0, dgram, len);
		fld_try_tx(d, to, true);
		return;
	}
	fn = fld_node(d, from);
	if (!fn)
		return;
	udp_rx_by_udp = false;
	if (!fn->udp || fl_sptps_receive(fn->udp, dgram, len, NULL) != FL_SPTPS_OK) {
		if (fld_now() - fn->req_key_ms > UDP_KEY_RETRY_MS)
			udp_request_key(d, fn);
	}
}

/* ---- probes (UDP.md §4) ------------------------------------------------- */

static void udp_send_probe(struct fld *d, struct fld_node *fn, size_t len)
{
	uint8_t body[UDP_MAXSIZE];

	if (!fn->udp || !fl_sptps_keyed(fn->udp))
		return;
	if (len < 18)
		len = 18;
	if (len > UDP_MAXSIZE)
		len = UDP_MAXSIZE;
	memset(body, 0, 14);
	randombytes_buf(body + 14, len - 14);
	fl_sptps_send(fn->udp, UDP_PKT_PROBE, body, len);
	(void)d;
}

static void udp_send_reply(struct fld_node *fn, unsigned conf_len, const uint8_t *req)
{
	uint8_t body[18] = {0};

	body[0] = 2;
	body[1] = (uint8_t)(conf_len >> 8);
	body[2] = (uint8_t)conf_len;
	if (req)
		memcpy(body + 14, req + 14, 4);
	else
		randombytes_buf(body + 14, 4);
	if (fn->udp && fl_sptps_keyed(fn->udp))
		fl_sptps_send(fn->udp, UDP_PKT_PROBE, body, sizeof(body));
}

static void udp_probe_rx(struct fld *d, struct fld_node *fn, const uint8_t *body, size_t len)
{
	struct mesh_node *n = fn->n;
	int x;

	if (len < 18)
		return;
	if (body[0] == 0) {
		/* Answer as if UDP were confirmed: to its current address. */
		bool was = fn->udp_confirmed;
		fn->udp_confirmed = true;
		udp_send_reply(fn, (unsigned)len, body);
		fn->udp_confirmed = was;
		if ((int)len > fn->maxrecentlen)
			fn->maxrecentlen = (int)len;
		return;
	}
	x = body[0] == 2 ? (body[1] << 8 | body[2]) : (int)len;
	if (fn->ping_out) {
		fn->rtt_us = (int)(fl_now_us() - fn->udp_ping_us);
		fn->ping_out = false;
	}
	if (!fn->udp_confirmed) {
		fn->udp_confirmed = true;
		n->status |= MESH_NS_UDP_CONFIRMED;
		fl_dlog(FL_DLOG_DEBUG, "UDP to %s confirmed", n->name);
	}
	fn->confirm_deadline_ms = fld_now() + (uint64_t)d->udp_discovery_timeout * 1000;
	if (x > n->maxmtu) {
		n->minmtu = x;
		n->maxmtu = UDP_MTU;
		fn->mtuprobes = 1;
		return;
	}
	if (fn->mtuprobes < 0 && x == n->maxmtu) {
		fn->mtuprobes = -1;
		fn->mtu_ping_ms = fld_now();
	}
	if (x > n->minmtu) {
		n->minmtu = x;
		udp_fix(fn);
	}
}

/* Initial maxmtu from the route's MTU (UDP.md §4.4.1). */
static int udp_mtu_estimate(struct fld_node *fn)
{
	int s, m = 0;
	socklen_t l = sizeof(m);

	if (!udp_addr(fn))
		return UDP_MTU;
	s = socket(fn->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return UDP_MTU;
	if (connect(s, (struct sockaddr *)&fn->addr, fn->addrlen) < 0 ||
	    getsockopt(s, fn->addr.ss_family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       fn->addr.ss_family == AF_INET6 ? IPV6_MTU : IP_MTU, &m, &l) < 0)
		m = 0;
	close(s);
	if (m < 512)
		return UDP_MTU;
	m -= (fn->addr.ss_family == AF_INET6 ? 40 : 20) + 8 + 21 + 12;
	return m > UDP_MTU ? UDP_MTU : m;
}

static int udp_probe_size(const struct mesh_node *n, int p)
{
	int lo = n->minmtu > 512 ? n->minmtu : 512;
	int span = n->maxmtu - lo;
	int k = 7 - (p % 8);
	float m = n->maxmtu == UDP_MTU ? 0.97f : 1.0f;
	int off = span > 0 ? (int)nearbyintf(powf((float)span, m * (float)k / 7.0f)) : 0;
	return lo + off;
}

static void udp_pmtu(struct fld *d, struct fld_node *fn)
{
	struct mesh_node *n = fn->n;
	uint64_t now = fld_now();

	if (!(n->options & MESH_OPT_PMTU_DISCOVERY))
		return;
	if (!fn->udp_confirmed) {
		fn->maxrecentlen = 0;
		fn->mtuprobes = 0;
		n->minmtu = 0;
		n->maxmtu = UDP_MTU;
		return;
	}
	if (fn->mtuprobes == 0) {
		n->maxmtu = udp_mtu_estimate(fn);
	} else if (fn->mtuprobes > 0) {
		if (now - fn->mtu_ping_ms < 333)
			return;
		udp_fix(fn);
		if (fn->mtuprobes < 0)
			return;
	} else {
		uint64_t gap = fn->mtuprobes == -1 ? (uint64_t)d->ping_interval * 1000 : 1000;
		if (now - fn->mtu_ping_ms < gap)
			return;
		fn->mtu_ping_ms = now;
		if (fn->mtuprobes <= -4) {
			fn->mtuprobes = 0;
			n->minmtu = 0;
			return;
		}
		udp_send_probe(d, fn, (size_t)n->maxmtu);
		if (fn->mtuprobes == -1 && n->maxmtu + 1 < UDP_MTU)
			udp_send_probe(d, fn, (size_t)n->maxmtu + 1);
		fn->mtuprobes--;
		return;
	}
	fn->mtu_ping_ms = now;
	for (int tries = 0; tries < 8 && fn->mtuprobes >= 0; tries++) {
		int sz = udp_probe_size(n, fn->mtuprobes);
		int before = n->maxmtu;
		udp_send_probe(d, fn, (size_t)sz);
		if (n->maxmtu == before)
			break; /* sent without EMSGSIZE */
	}
	if (fn->mtuprobes >= 0)
		fn->mtuprobes++;
}

/* UDP discovery keepalive (UDP.md §4.3). */
static void udp_discovery(struct fld *d, struct fld_node *fn)
{
	uint64_t now = fld_now();
	uint64_t iv;

	if (fn->udp_confirmed && now - fn->udp_reply_ms >= (uint64_t)(d->udp_keepalive_interval - 1) * 1000) {
		fn->udp_reply_ms = now;
		if (fn->maxrecentlen) {
			udp_send_reply(fn, (unsigned)fn->maxrecentlen, NULL);
			fn->maxrecentlen = 0;
		}
	}
	iv = (uint64_t)(fn->udp_confirmed ? d->udp_keepalive_interval : d->udp_discovery_interval) * 1000;
	if (now - fn->udp_ping_ms >= iv) {
		fn->udp_ping_ms = now;
		fn->udp_ping_us = fl_now_us();
		fn->ping_out = true;
		udp_send_probe(d, fn, 18);
	}
}

/* UDP.md §2.4. */
void fld_try_tx(struct fld *d, struct mesh_node *n, bool pmtu)
{
	struct fld_node *fn;
	struct mesh_node *r;

	if (!udp_reachable(n) || udp_is_me(d, n))
		return;
	fn = fld_node(d, n);
	if (!fn)
		return;
	if (n->conn != MESH_CONN_NONE && (d->tcponly || (n->options & MESH_OPT_TCPONLY)))
		return;
	if (!fn->udp || !fl_sptps_keyed(fn->udp)) {
		if (!(n->status & MESH_NS_WAITINGFORKEY) || fld_now() - fn->req_key_ms > UDP_KEY_RETRY_MS)
			udp_request_key(d, fn);
		return;
	}
	r = udp_relay(d, n);
	if (r && r != n) {
		if (udp_minor(r) >= 4)
			fld_try_tx(d, r, pmtu);
		return;
	}
	udp_discovery(d, fn);
	if (pmtu)
		udp_pmtu(d, fn);
	if (!fn->udp_confirmed && n->nexthop && n->nexthop != n && udp_minor(n->nexthop) >= 4)
		fld_try_tx(d, n->nexthop, pmtu);
}

/* Once a second: confirmation timeouts and key retries. */
void fld_udp_tick(struct fld *d)
{
	uint64_t now = fld_now();

	udp_d = d;
	for (size_t i = 0; i < d->n_nodes; i++) {
		struct fld_node *fn = d->nodes[i];
		if (fn->udp_confirmed && now > fn->confirm_deadline_ms) {
			fl_dlog(FL_DLOG_DEBUG, "No UDP reply from %s, stopping UDP communication",
				fn->n->name);
			udp_reset_probe_state(fn);
		}
	}
}

/* ---- sending a frame to a node (UDP.md §2.2) ----------------------------- */

static void udp_send_frame(struct fld *d, struct mesh_node *n, uint8_t *frame, size_t len)
{
	struct fld_node *fn = fld_node(d, n);
	uint8_t cbuf[UDP_MAXSIZE + 64];
	const uint8_t *payload = frame + 14;
	size_t plen = len - 14;
	uint8_t type = 0;
	struct mesh_out out;
	bool keyed;

	if (!fn || len < 14)
		return;
	fn->out_pkts++;
	fn->out_bytes += len;
	keyed = fn->udp && fl_sptps_keyed(fn->udp);
	if (!keyed && n->conn == MESH_CONN_NONE)
		goto out_try;
	if (fn->compression) {
		size_t c = 0;
		if (fl_compress(d->zctx, fn->compression, payload, plen, cbuf, sizeof(cbuf), &c) ==
			    FL_WIRE_OK &&
		    c && c < plen) {
			payload = cbuf;
			plen = c;
			type |= UDP_PKT_COMPRESSED;
		}
	}
	if (n->conn != MESH_CONN_NONE && (int)(plen + 14) > n->minmtu) {
		/* PACKET 17 carries the uncompressed frame (no quirk 2 here). */
		mesh_out_init(&out);
		mesh_send_packet(d->mesh, n, frame, len, &out);
		fld_out_run(d, &out);
		mesh_out_clear(&out);
		goto out_try;
	}
	if (keyed)
		fl_sptps_send(fn->udp, type, payload, plen);
out_try:
	fld_try_tx(d, n, true);
}

/* ---- routing (GRAPH.md §6, router mode, minimal) ------------------------- */

void fld_route_frame(struct fld *d, struct mesh_node *from, uint8_t *frame, size_t len)
{
	const struct mesh_subnet *s;
	struct mesh_node *owner;
	uint8_t addr[16];

	udp_d = d;
	if (len < 14 + 20)
		return;
	if (frame[12] == 0x08 && frame[13] == 0x00) {
		memcpy(addr, frame + 14 + 16, 4);
		s = mesh_subnet_route(d->mesh, MESH_SUBNET_IPV4, addr);
	} else if (frame[12] == 0x86 && frame[13] == 0xdd && len >= 14 + 40) {
		memcpy(addr, frame + 14 + 24, 16);
		s = mesh_subnet_route(d->mesh, MESH_SUBNET_IPV6, addr);
	} else {
		return; /* probes over PACKET (type 0) and unknown types */
	}
	if (!s || !s->owner)
		return;
	owner = s->owner;
	if (udp_is_me(d, owner)) {
		if (d->tun_fd >= 0 && write(d->tun_fd, frame + 14, len - 14) < 0)
			d->dropped_udp++;
		return;
	}
	if (owner == from || !udp_reachable(owner))
		return;
	udp_send_frame(d, owner, frame, len);
}

void fld_tun_readable(void *ctx, int fd, unsigned events)
{
	struct fld *d = ctx;
	uint8_t frame[UDP_MAXSIZE + 64];

	(void)events;
	udp_d = d;
	for (int i = 0; i < 64; i++) {
		ssize_t n = read(fd, frame + 14, UDP_MTU - 14);
		if (n <= 0)
			return;
		memset(frame, 0, 12);
		if ((frame[14] >> 4) == 6) {
			frame[12] = 0x86;
			frame[13] = 0xdd;
		} else {
			frame[12] = 0x08;
			frame[13] = 0x00;
		}
		fld_route_frame(d, mesh_myself(d->mesh), frame, (size_t)n + 14);
	}
}

/* ---- receiving UDP (UDP.md §3) ------------------------------------------- */

static struct fld_node *udp_find_sender(struct fld *d, const struct sockaddr_storage *sa,
					const uint8_t *buf, size_t len)
{
	static const uint8_t zero[6];

	for (size_t i = 0; i < d->n_nodes; i++) {
		struct fld_node *fn = d->nodes[i];
		if (fn->udp_confirmed && fn->addrlen && udp_same_addr(&fn->addr, sa))
			return fn;
	}
	if (len < 12 + 21 || memcmp(buf, zero, 6) != 0)
		return NULL;
	struct mesh_node *n = mesh_node_by_id(d->mesh, buf + 6);
	if (!n)
		return NULL;
	struct fld_node *fn = fld_node(d, n);
	if (!fn || !fn->udp || fl_sptps_verify_datagram(fn->udp, buf + 12, len - 12) != FL_SPTPS_OK)
		return NULL;
	return fn;
}

static void udp_datagram(struct fld *d, const struct sockaddr_storage *sa, socklen_t salen,
			 const uint8_t *buf, size_t len)
{
	static const uint8_t zero[6];
	struct fld_node *s = udp_find_sender(d, sa, buf, len), *ff;
	struct mesh_node *from, *to;
	bool direct;

	if (!s || len < 12 + 21) {
		d->dropped_udp++;
		return;
	}
	direct = !memcmp(buf, zero, 6);
	if (direct) {
		from = s->n;
		to = mesh_myself(d->mesh);
	} else {
		from = mesh_node_by_id(d->mesh, buf + 6);
		to = mesh_node_by_id(d->mesh, buf);
		if (!from || !to) {
			d->dropped_udp++;
			return;
		}
	}
	if (!udp_reachable(to))
		return;
	if (!udp_is_me(d, to)) {
		udp_send_dgram(d, from, to, 0, buf + 12, len - 12);
		fld_try_tx(d, to, true);
		return;
	}
	ff = fld_node(d, from);
	if (!ff)
		return;
	if (!ff->udp) {
		if (!(from->status & MESH_NS_WAITINGFORKEY))
			udp_request_key(d, ff);
		return;
	}
	udp_rx_by_udp = true;
	enum fl_sptps_err e = fl_sptps_receive(ff->udp, buf + 12, len - 12, NULL);
	udp_rx_by_udp = false;
	if (e != FL_SPTPS_OK) {
		if (e != FL_SPTPS_ERR_REPLAY && fld_now() - ff->req_key_ms > UDP_KEY_RETRY_MS)
			udp_request_key(d, ff);
		return;
	}
	if (direct && (!s->addrlen || !udp_same_addr(&s->addr, sa))) {
		s->addr = *sa;
		s->addrlen = salen;
	}
}

void fld_udp_readable(void *ctx, int fd, unsigned events)
{
	struct fld *d = ctx;
	uint8_t buf[UDP_MAXSIZE + 64];

	(void)events;
	udp_d = d;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage sa;
		socklen_t salen = sizeof(sa);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&sa, &salen);
		if (n < 0)
			return;
		if (n == 0 || n > UDP_MAXSIZE)
			continue;
		if (sa.ss_family == AF_INET6) {
			struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&sa;
			if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
				struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = a6->sin6_port};
				memcpy(&a4.sin_addr, &a6->sin6_addr.s6_addr[12], 4);
				memset(&sa, 0, sizeof(sa));
				memcpy(&sa, &a4, sizeof(a4));
				salen = sizeof(a4);
			}
		}
		udp_datagram(d, &sa, salen, buf, (size_t)n);
	}
}

void fld_udp_bind(struct fld *d) { udp_d = d; }

/* hosts/NAME's Ed25519 key (same reader as the meta connections). */
static int udp_peer_key(struct fld *d, struct mesh_node *n, uint8_t pub[static 32])
{
	return fld_host_key(d, n->name, pub);
}
