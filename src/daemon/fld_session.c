/* SPDX-License-Identifier: MIT */
/*
 * UDP SPTPS sessions of fenliud (META.md §5.15, §5.16): one datagram-mode
 * session per peer node, started by us (REQ_KEY sub-code 15 carries our
 * KEX) or by the peer, with every later handshake record in ANS_KEY. The
 * session only runs the handshake here; records are sealed and opened by
 * the dataplane with the session's keys (fl_dp_peer_set_session). Also the
 * per-node daemon state (struct fld_node). Control thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "wire/compress.h"

#define SESSION_RETRY_MS 10000
/* After a re-key, records sealed under the previous key may still be in
 * flight (or queued behind a batch): they open with it for this long
 * (DESIGN.md "Keys"; tinc drops them). */
#define SESSION_GRACE_MS 5000

static struct fld *session_d; /* SPTPS callbacks get the node only */

void fld_session_bind(struct fld *d) { session_d = d; }

struct fld_node *fld_node(struct fld *d, struct mesh_node *n)
{
	struct fld_node *fn;

	if (!n)
		return NULL;
	/* the mesh node carries its record: a per-node scan made each graph
	 * sync O(nodes^2), minutes under a flood of fake nodes (issue 22) */
	if (n->user)
		return n->user;
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
	fn->peer = fl_dp_peer_add(d->dp, n->name, n->id, n == mesh_myself(d->mesh), n);
	if (!fn->peer) {
		free(fn);
		return NULL;
	}
	d->nodes[d->n_nodes++] = fn;
	n->user = fn;
	return fn;
}

void fld_nodes_free(struct fld *d)
{
	for (size_t i = 0; i < d->n_nodes; i++) {
		d->nodes[i]->n->user = NULL;
		fl_sptps_free(d->nodes[i]->udp);
		free(d->nodes[i]->addr_text);
		free(d->nodes[i]->port_text);
		free(d->nodes[i]);
	}
	free(d->nodes);
	d->nodes = NULL;
	d->n_nodes = d->cap_nodes = 0;
}

static void session_drop(struct fld *d, struct fld_node *fn)
{
	if (fn->peer && d->dp)
		fl_dp_peer_set_session(d->dp, fn->peer, NULL, false);
	fl_sptps_free(fn->udp);
	fn->udp = NULL;
}

/* MESH_EV_UDP_RESET: the node flipped; forget its session. */
void fld_udp_reset(struct fld *d, struct mesh_node *n)
{
	struct fld_node *fn = fld_node(d, n);

	if (!fn)
		return;
	session_drop(d, fn);
	fn->req_key = 0;
	n->status &= ~(uint32_t)(MESH_NS_VALIDKEY | MESH_NS_WAITINGFORKEY);
}

/* ---- SPTPS callbacks ------------------------------------------------------- */

static int session_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
	return 0;
}

static int session_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	struct fld_node *fn = ctx;
	struct fld *d = session_d;
	struct mesh_out out;

	if (type != FL_SPTPS_HANDSHAKE)
		return 0; /* data records are sealed by the dataplane */
	mesh_out_init(&out);
	if (fn->udp_initiator && fn->starting)
		mesh_send_sptps_start(d->mesh, fn->n, rec, len, fld_now(d), &out);
	else
		mesh_send_ans_key(d->mesh, fn->n, rec, len, d->cfg->s.compression, &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	return 0;
}

static int session_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	/* Application records reach the session only through REQ_KEY/ANS_KEY,
	 * where tinc never puts them; drop. */
	(void)ctx, (void)type, (void)body, (void)len;
	return 0;
}

static void session_done(void *ctx)
{
	struct fld_node *fn = ctx;
	struct fld *d = session_d;

	fl_dlog(FL_DLOG_DEBUG, "SPTPS key exchange with %s successful", fn->n->name);
	mesh_key_valid(d->mesh, fn->n);
	fn->n->status &= ~(uint32_t)MESH_NS_WAITINGFORKEY;
	fn->n->status |= MESH_NS_VALIDKEY;
	fl_dp_peer_set_session(d->dp, fn->peer, fn->udp, true);
	fn->grace_end = fld_now(d) + FL_TIME_MS(SESSION_GRACE_MS);
}

static const struct fl_sptps_callbacks session_cb = {
	.random = session_random,
	.send = session_send,
	.deliver = session_deliver,
	.handshake_done = session_done,
};

/* Start a session with fn's node as initiator or responder. */
static void session_start(struct fld *d, struct fld_node *fn, bool initiator)
{
	struct mesh_node *me = mesh_myself(d->mesh);
	struct fl_sptps_config cfg = {0};
	enum fl_sptps_err err;
	uint8_t label[600];
	uint8_t pub[32];
	struct fl_sptps *s;
	int l;

	session_drop(d, fn);
	if (fld_host_key(d, fn->n->name, pub) < 0)
		return;
	l = snprintf((char *)label, sizeof(label), "tinc UDP key expansion %s %s",
		     initiator ? me->name : fn->n->name, initiator ? fn->n->name : me->name);
	cfg.mode = FL_SPTPS_DATAGRAM;
	cfg.initiator = initiator;
	cfg.own_key = &d->key;
	cfg.peer_public = pub;
	cfg.label = label;
	cfg.label_len = (size_t)l + 1; /* tinc's label includes the NUL */
	cfg.replaywin = d->cfg->s.replay_window == FL_UNSET ? 16 : (unsigned)d->cfg->s.replay_window;
	cfg.cb = &session_cb;
	cfg.ctx = fn;
	fn->udp_initiator = initiator;
	fn->req_key = fld_now(d);
	fn->n->status &= ~(uint32_t)MESH_NS_VALIDKEY;
	fn->n->status |= MESH_NS_WAITINGFORKEY;
	s = fl_sptps_new(&cfg, &err);
	if (!s)
		return;
	fn->udp = s;
	/* The dataplane counts a fresh session (either role) as an
	 * outstanding key request: no new REQ_KEY for 10 s. */
	fl_dp_peer_session_started(d->dp, fn->peer, s, fld_now(d));
	fn->starting = true; /* our first KEX goes out as REQ_SPTPS_START */
	fl_sptps_start(s, 0);
	fn->starting = false;
}

/* (Re)start the session with n as initiator: REQ_PUBKEY first if we lack
 * its key (the mesh decides). */
void fld_session_request(struct fld *d, struct mesh_node *n)
{
	struct fld_node *fn = fld_node(d, n);
	struct mesh_out out;
	bool go;

	if (!fn)
		return;
	mesh_out_init(&out);
	go = mesh_want_key(d->mesh, n, fld_now(d), &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	fn->req_key = fld_now(d);
	if (go)
		session_start(d, fn, true);
}

/* MESH_EV_REQ_SPTPS_START: the peer's first KEX. */
void fld_udp_req_start(struct fld *d, struct mesh_node *from, const uint8_t *rec, size_t len)
{
	struct fld_node *fn = fld_node(d, from);

	if (!fn)
		return;
	/* Both sides asked at once. tinc restarts as responder either way, so
	 * two nodes doing that both become responders and wait 10 s. The node
	 * with the smaller name keeps its fresh initiator session instead: its
	 * KEX makes the peer a responder (a tinc peer too). */
	if (fn->udp && fn->udp_initiator && !fl_sptps_keyed(fn->udp) &&
	    fld_now(d) - fn->req_key < FL_TIME_MS(SESSION_RETRY_MS) &&
	    strcmp(mesh_myself(d->mesh)->name, from->name) < 0) {
		fl_dlog(FL_DLOG_DEBUG, "Got REQ_KEY from %s while our own is pending; keeping ours",
			from->name);
		return;
	}
	session_start(d, fn, false);
	if (fn->udp)
		fl_sptps_receive(fn->udp, rec, len, NULL);
}

/* MESH_EV_ANS_KEY: a later handshake record, the level the peer wants, and
 * maybe its reflexive UDP address. */
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
	from->compression = compression;
	fl_dp_peer_set_compression(fn->peer, compression);
	if (!fn->udp || fl_sptps_receive(fn->udp, rec, len, NULL) != FL_SPTPS_OK) {
		if (fld_now(d) - fn->req_key > FL_TIME_MS(SESSION_RETRY_MS))
			fld_session_request(d, from);
		return;
	}
	if (fl_sptps_keyed(fn->udp) && host && port)
		fld_udp_set_address(d, from, host, port);
}

/* UDP address from UDP_INFO or ANS_KEY. */
void fld_udp_set_address(struct fld *d, struct mesh_node *n, const char *host, const char *port)
{
	struct fld_node *fn = fld_node(d, n);
	union fl_addr a;
	uint16_t p;

	if (!fn || !host || !mesh_port_parse(port, &p) || !fl_addr_parse(&a, host, p))
		return;
	fl_dp_peer_set_addr(d->dp, fn->peer, &a);
}

/* MESH_EV_TRY_TX. */
void fld_try_tx(struct fld *d, struct mesh_node *n, bool pmtu)
{
	struct fl_dp_peer *p = fld_peer(d, n);

	if (p)
		fl_dp_try_tx(d->dp, fld_now(d), p, pmtu);
	fld_dp_flush(d);
}

/* Once a second. */
void fld_udp_tick(struct fld *d)
{
	fl_time_t now = fld_now(d);

	for (size_t i = 0; i < d->n_nodes; i++) {
		struct fld_node *fn = d->nodes[i];
		if (fn->udp && fn->grace_end && now >= fn->grace_end) {
			fl_sptps_end_grace(fn->udp);
			fn->grace_end = 0;
		}
	}
	fl_dp_tick(d->dp, now, false);
	fld_dp_flush(d);
	fld_dp_pull(d);
}
