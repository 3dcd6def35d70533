/* SPDX-License-Identifier: MIT */
/*
 * Meta connections (spec/META.md §2.2, §3): a TCP socket, an output buffer,
 * the framing of meta_frame.c and the SPTPS stream session. What the bytes
 * mean is the mesh's business: every request line goes to mesh_conn_recv(),
 * and the mesh's outputs are carried out by fld_out_run().
 * Control thread only.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/b64.h"
#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "io/tcp.h"

/* Output beyond this is a stuck peer: close rather than grow forever. */
#define FLD_CONN_OUT_MAX (4u << 20)

static void conn_io(void *ctx, int fd, unsigned events);

struct fld_conn *fld_conn_find(struct fld *d, int32_t id)
{
	for (size_t i = 0; i < d->n_conns; i++)
		if (d->conns[i]->id == id)
			return d->conns[i];
	return NULL;
}

static void conn_watch(struct fld_conn *c)
{
	unsigned ev = FL_LOOP_READ;

	if (c->out_len || c->connecting)
		ev |= FL_LOOP_WRITE;
	fld_watch(c->d, c->fd, ev, conn_io, c);
}

struct fld_conn *fld_conn_new(struct fld *d, int fd, bool outgoing, const char *name,
			      bool connecting)
{
	struct fld_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (d->n_conns == d->cap_conns) {
		size_t cap = d->cap_conns ? d->cap_conns * 2 : 16;
		struct fld_conn **v = realloc(d->conns, cap * sizeof(*v));
		if (!v) {
			free(c);
			return NULL;
		}
		d->conns = v;
		d->cap_conns = cap;
	}
	c->d = d;
	c->id = d->next_conn_id++;
	c->fd = fd;
	c->outgoing = outgoing;
	c->connecting = connecting;
	c->outgoing_name = name ? strdup(name) : NULL;
	c->started = fld_now(d);
	c->preauth = !outgoing;
	d->n_preauth += c->preauth;
	d->conns[d->n_conns++] = c;
	conn_watch(c);
	return c;
}

/* The peer proved its key: the pre-authentication limits no longer apply. */
static void conn_authenticated(struct fld_conn *c)
{
	if (c->preauth) {
		c->preauth = false;
		c->d->n_preauth--;
	}
	if (c->sptps)
		fl_sptps_set_rx_limit(c->sptps, 0);
}

bool fld_conn_preauth_admit(struct fld *d, const char *host)
{
	struct fld_meta_stats *st = &d->meta_stats;
	size_t same = 0;
	bool total = d->n_preauth >= FLD_PREAUTH_MAX;

	for (size_t i = 0; i < d->n_conns && !total; i++)
		same += d->conns[i]->preauth && !strcmp(d->conns[i]->host, host);
	if (!total && same < FLD_PREAUTH_PER_HOST)
		return true;
	if (total)
		st->preauth_refused_total++;
	else
		st->preauth_refused_host++;
	/* A flood must not flood the log too: one line per 10 s. */
	if (!d->preauth_log || fld_now(d) - d->preauth_log >= FL_TIME_S(10)) {
		d->preauth_log = fld_now(d);
		fl_dlog(FL_DLOG_WARN,
			"Refusing connection from %s: %s unauthenticated connections "
			"(refused so far: %lu over the total, %lu over the per-host limit)",
			host, total ? "too many" : "too many of its", st->preauth_refused_total,
			st->preauth_refused_host);
	}
	return false;
}

static void conn_free(struct fld_conn *c)
{
	if (c->preauth)
		c->d->n_preauth--;
	fl_sptps_free(c->sptps);
	fld_invite_free(c);
	free(c->proxy);
	free(c->outgoing_name);
	free(c->out);
	free(c);
}

static void conn_unlink(struct fld_conn *c)
{
	struct fld *d = c->d;

	for (size_t i = 0; i < d->n_conns; i++) {
		if (d->conns[i] == c) {
			memmove(&d->conns[i], &d->conns[i + 1], (d->n_conns - i - 1) * sizeof(*d->conns));
			d->n_conns--;
			break;
		}
	}
}

void fld_conn_close(struct fld_conn *c, const char *why)
{
	struct fld *d = c->d;
	struct mesh_out out;
	int32_t id = c->id;
	bool was_connecting = c->connecting || c->proxy; /* a failed attempt: retry later */
	char *oname = c->outgoing_name ? strdup(c->outgoing_name) : NULL;

	struct mesh_conn *mc = mesh_conn_find(d->mesh, id);
	fl_dlog(FL_DLOG_INFO, "Closing connection with %s (%s port %s): %s",
		mc && mc->name ? mc->name : (oname ? oname : "<unknown>"), c->shown, c->shown_port, why);
	fld_unwatch(d, c->fd);
	close(c->fd);
	conn_unlink(c);
	conn_free(c);
	mesh_out_init(&out);
	if (mc) {
		mesh_conn_close(d->mesh, id, fld_now(d), &out);
	} else if (was_connecting && oname) {
		struct mesh_node *n = mesh_node_find(d->mesh, oname);
		if (n)
			mesh_connect_failed(d->mesh, n, fld_now(d), &out);
	}
	free(oname);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
}

void fld_conn_free_all(struct fld *d)
{
	while (d->n_conns) {
		struct fld_conn *c = d->conns[d->n_conns - 1];
		fld_unwatch(d, c->fd);
		close(c->fd);
		d->n_conns--;
		conn_free(c);
	}
	free(d->conns);
	d->conns = NULL;
	d->cap_conns = 0;
}

/* Queue bytes; they go out at the end of the loop iteration
 * (fld_conn_flush_all), so requests made together leave together, as in
 * tinc (a PACKET and the REQ_KEY that follows it reach the peer in one
 * read; the peer then answers the key request before its own traffic). */
int fld_conn_send_raw(struct fld_conn *c, const void *data, size_t len)
{
	if (c->closing)
		return -1;
	if (len > FLD_CONN_OUT_MAX - c->out_len)
		return -1;
	if (c->out_len + len > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		while (cap < c->out_len + len)
			cap *= 2;
		uint8_t *o = realloc(c->out, cap);
		if (!o)
			return -1;
		c->out = o;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	c->d->conns_dirty = true;
	return 0;
}

int fld_conn_send_record(struct fld_conn *c, const void *data, size_t len)
{
	if (!c->sptps || !fl_sptps_keyed(c->sptps))
		return -1;
	return fl_sptps_send(c->sptps, 0, data, len) == FL_SPTPS_OK ? 0 : -1;
}

/* ---- SPTPS callbacks ---------------------------------------------------- */

static int conn_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
	return 0;
}

static int conn_sptps_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	(void)type;
	return fld_conn_send_raw(ctx, rec, len);
}

static int conn_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct fld_conn *c = ctx;
	(void)type;
	return fl_meta_frame_record(&c->frame, body, len, NULL);
}

static void conn_handshake_done(void *ctx)
{
	struct fld_conn *c = ctx;
	struct mesh_out out;

	if (c->sptps_done)
		return;
	c->sptps_done = true;
	conn_authenticated(c);
	mesh_out_init(&out);
	if (mesh_conn_sptps_ready(c->d->mesh, c->id, fld_now(c->d), &out) != MESH_OK)
		c->closing = true;
	fld_out_run(c->d, &out);
	mesh_out_clear(&out);
}

static const struct fl_sptps_callbacks conn_sptps_cb = {
	.random = conn_random,
	.send = conn_sptps_send,
	.deliver = conn_deliver,
	.handshake_done = conn_handshake_done,
};

int fld_conn_start_sptps(struct fld_conn *c, bool initiator, const uint8_t *label,
			 size_t label_len)
{
	struct mesh_conn *mc = mesh_conn_find(c->d->mesh, c->id);
	uint8_t pub[32];
	struct fl_sptps_config cfg = {0};
	enum fl_sptps_err err;

	if (!mc || !mc->name || fld_host_key(c->d, mc->name, pub) < 0) {
		fl_dlog(FL_DLOG_ERR, "No Ed25519 public key known for %s",
			mc && mc->name ? mc->name : "<unknown>");
		return -1;
	}
	cfg.mode = FL_SPTPS_STREAM;
	cfg.initiator = initiator;
	cfg.own_key = &c->d->key;
	cfg.peer_public = pub;
	cfg.label = label;
	cfg.label_len = label_len;
	cfg.cb = &conn_sptps_cb;
	cfg.ctx = c;
	c->sptps = fl_sptps_new(&cfg, &err);
	if (!c->sptps)
		return -1;
	/* Until the SIG is verified only handshake records may come, each
	 * under 100 bytes: refuse a long one before buffering any of it. */
	fl_sptps_set_rx_limit(c->sptps, FLD_PREAUTH_RECORD_MAX);
	if (fl_sptps_start(c->sptps, 0) != FL_SPTPS_OK)
		return -1;
	return 0;
}

/* ---- framing callbacks -------------------------------------------------- */

static int conn_recv_line(struct fld_conn *c, const char *line, size_t len)
{
	struct mesh_out out;
	enum mesh_err e;

	mesh_out_init(&out);
	fld_trace_request(c->d, c, false, line, len);
	e = mesh_conn_recv(c->d->mesh, c->id, line, len, fld_now(c->d), &out);
	fld_out_run(c->d, &out);
	mesh_out_clear(&out);
	if (e != MESH_OK) {
		fl_dlog(FL_DLOG_ERR, "Error from %s port %s: %s: '%.80s'", c->shown, c->shown_port,
			mesh_strerror(e), line);
		return -1;
	}
	return 0;
}

static int frame_id(void *ctx, const char *line, size_t len)
{
	struct fld_conn *c = ctx;

	/* an invitation is not the mesh's business (fld_invite.c) */
	if (!c->outgoing && fld_invite_greeting(line, len))
		return fld_invite_start(c, line, len);
	return conn_recv_line(ctx, line, len);
}

static int frame_sptps_in(void *ctx, const uint8_t *data, size_t len, size_t *consumed)
{
	struct fld_conn *c = ctx;
	enum fl_sptps_err e;

	if (!c->sptps)
		return -1;
	e = fl_sptps_receive(c->sptps, data, len, consumed);
	if (e == FL_SPTPS_ERR_LONG && !c->sptps_done)
		c->d->meta_stats.preauth_record_long++;
	if (e != FL_SPTPS_OK) {
		if (e != FL_SPTPS_ERR_CALLBACK)
			fl_dlog(FL_DLOG_ERR, "Error from %s port %s: %s", c->shown, c->shown_port,
				fl_sptps_strerror(e));
		return -1;
	}
	return 0;
}

static int frame_request(void *ctx, const char *line, size_t len)
{
	return conn_recv_line(ctx, line, len);
}

static int frame_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	struct fld_conn *c = ctx;
	struct mesh_conn *mc = mesh_conn_find(c->d->mesh, c->id);

	fld_trace_binary(c->d, c, 17, len); /* its "17 LEN" line, as tincd logs it */
	if (!mc || !mc->node || mc->state != MESH_CONN_ACTIVE)
		return 0;
	fld_dp_packet_in(c->d, mc->node, pkt, len);
	return 0;
}

static int frame_sptps_packet(void *ctx, const uint8_t *data, size_t len)
{
	struct fld_conn *c = ctx;
	struct mesh_out out;
	enum mesh_err e;

	mesh_out_init(&out);
	fld_trace_binary(c->d, c, 21, len);
	e = mesh_conn_sptps_packet(c->d->mesh, c->id, data, len, fld_now(c->d), &out);
	c->d->in_binary = true;
	fld_out_run(c->d, &out);
	c->d->in_binary = false;
	mesh_out_clear(&out);
	return e == MESH_OK ? 0 : -1;
}

static const struct fl_meta_frame_cb conn_frame_cb = {
	.id_line = frame_id,
	.sptps_in = frame_sptps_in,
	.request = frame_request,
	.packet = frame_packet,
	.sptps_packet = frame_sptps_packet,
};

/* ---- socket events ------------------------------------------------------ */

static void conn_flush(struct fld_conn *c)
{
	while (c->out_len) {
		ssize_t w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			fld_conn_close(c, strerror(errno));
			return;
		}
		memmove(c->out, c->out + w, c->out_len - (size_t)w);
		c->out_len -= (size_t)w;
	}
	conn_watch(c);
}

/* The stream reaches the peer (directly, or the proxy said so): the meta
 * protocol starts, with our ID. */
static void conn_open_mesh(struct fld_conn *c)
{
	struct fld *d = c->d;
	struct sockaddr_storage local;
	socklen_t ll = sizeof(local);
	char lhost[64] = "", lport[16];
	struct mesh_out out;

	if (getsockname(c->fd, (struct sockaddr *)&local, &ll) == 0)
		getnameinfo((struct sockaddr *)&local, ll, lhost, sizeof(lhost), lport,
			    sizeof(lport), NI_NUMERICHOST | NI_NUMERICSERV);
	fl_meta_frame_init(&c->frame, &conn_frame_cb, c);
	mesh_out_init(&out);
	if (!mesh_conn_open(d->mesh, c->id, c->outgoing_name, c->host, c->port, lhost,
			    fld_now(d), &out))
		c->closing = true;
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	if (fld_conn_find(d, c->id) == c)
		conn_watch(c);
}

size_t fld_conn_backlog(struct fld_conn *c)
{
	while (c->out_len && !c->connecting && !c->closing) {
		ssize_t w = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w <= 0) {
			if (w < 0 && errno != EAGAIN && errno != EINTR) {
				c->closing = true; /* the sweep closes it, not this caller */
				c->close_why = "send failed";
			}
			break;
		}
		memmove(c->out, c->out + w, c->out_len - (size_t)w);
		c->out_len -= (size_t)w;
	}
	return c->out_len;
}

/* The non-blocking connect finished (to the peer, or to its Proxy). */
static void conn_connected(struct fld_conn *c)
{
	int err = -fl_tcp_connect_result(c->fd);

	if (err) {
		fl_dlog(FL_DLOG_INFO, "Error while connecting to %s (%s port %s): %s",
			c->outgoing_name, c->shown, c->shown_port, strerror(err));
		fld_conn_close(c, "connect failed");
		return;
	}
	c->connecting = false;
	fl_dlog(FL_DLOG_INFO, "Connected to %s (%s port %s)", c->outgoing_name, c->shown, c->shown_port);
	if (!c->proxy) {
		conn_open_mesh(c);
	} else if (fld_proxy_start(c) < 0) {
		fld_conn_close(c, "proxy request failed");
	} else {
		conn_watch(c);
	}
}

/* Bytes read while the proxy handshake runs: the proxy's first, then, once
 * it granted the connection, the meta protocol starts and the rest is the
 * peer's. Returns where the peer's bytes begin, or -1 when there are none
 * (or the connection was closed). */
static ssize_t conn_proxy_input(struct fld_conn *c, const uint8_t *buf, size_t n)
{
	struct fld *d = c->d;
	int32_t id = c->id;
	size_t used;
	int r = fld_proxy_input(c, buf, n, &used);

	if (r < 0) {
		fld_conn_close(c, "proxy refused");
		return -1;
	}
	if (r == 0)
		return -1;
	conn_open_mesh(c);
	if (fld_conn_find(d, id) != c || used == n)
		return -1;
	return (ssize_t)used;
}

static void conn_readable(struct fld_conn *c)
{
	uint8_t buf[16384];
	int32_t id = c->id;
	struct fld *d = c->d;

	/* At most 32 KiB (some 600 requests) per loop iteration, then the
	 * tunnel's packets get their turn: under a request flood 128 KiB
	 * per turn held pings for up to 2 s (issue 22). */
	for (int round = 0; round < 2; round++) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			fld_conn_close(c, n == 0 ? "connection closed by peer" : strerror(errno));
			return;
		}
		ssize_t off = 0;
		if (c->proxy && (off = conn_proxy_input(c, buf, (size_t)n)) < 0)
			return;
		enum fl_meta_frame_err e = fl_meta_frame_input(&c->frame, buf + off, (size_t)(n - off));
		/* The connection may be gone already (closed from an output). */
		if (fld_conn_find(d, id) != c)
			return;
		if (e != FL_META_OK) {
			fld_stats_meta_drop(d, e);
			fld_conn_close(c, fl_meta_frame_strerror(e));
			return;
		}
		if (c->closing) {
			fld_conn_close(c, "protocol error");
			return;
		}
		if ((size_t)n < sizeof(buf))
			return;
	}
}

static void conn_io(void *ctx, int fd, unsigned events)
{
	struct fld_conn *c = ctx;
	struct fld *d = c->d;
	int32_t id = c->id;

	(void)fd;
	if (c->connecting) {
		if (events & (FL_LOOP_WRITE))
			conn_connected(c);
		return;
	}
	if (events & FL_LOOP_WRITE)
		conn_flush(c);
	if (fld_conn_find(d, id) != c)
		return;
	if (events & (FL_LOOP_READ))
		conn_readable(c);
}

/* An accepted connection: tell the mesh at once (it waits for the ID). */
void fld_conn_accepted(struct fld_conn *c, const char *lhost)
{
	struct mesh_out out;

	fl_meta_frame_init(&c->frame, &conn_frame_cb, c);
	mesh_out_init(&out);
	if (!mesh_conn_open(c->d->mesh, c->id, NULL, c->host, c->port, lhost, fld_now(c->d),
			    &out))
		c->closing = true;
	fld_out_run(c->d, &out);
	mesh_out_clear(&out);
}

static void conn_flush(struct fld_conn *c);

/* Write out what every connection queued this iteration. */
void fld_conn_flush_all(struct fld *d)
{
	if (!d->conns_dirty)
		return;
	d->conns_dirty = false;
	for (size_t i = 0; i < d->n_conns; i++) {
		struct fld_conn *c = d->conns[i];
		if (c->out_len && !c->connecting && !c->closing) {
			size_t n = d->n_conns;
			conn_flush(c);
			if (d->n_conns != n)
				i = (size_t)-1; /* closed: start over */
		}
	}
}

/* Close connections marked closing (by an output or a failed send). */
void fld_conn_sweep(struct fld *d)
{
	for (size_t i = 0; i < d->n_conns; i++) {
		if (d->conns[i]->closing) {
			struct fld_conn *c = d->conns[i];
			fld_conn_close(c, c->close_why ? c->close_why : "protocol error");
			i = (size_t)-1; /* the list changed: start over */
		}
	}
}

/* A connect or proxy handshake that takes longer than PingTimeout is given
 * up, as tincd does ("Timeout while connecting"); the mesh retries it. */
void fld_conn_tick(struct fld *d)
{
	fl_time_t limit = FL_TIME_S(d->cfg->s.ping_timeout > 0 ? d->cfg->s.ping_timeout : 5);

	for (size_t i = 0; i < d->n_conns; i++) {
		struct fld_conn *c = d->conns[i];
		if ((c->connecting || c->proxy) && fld_now(d) - c->started > limit) {
			d->meta_stats.conn_timeout++;
			fl_dlog(FL_DLOG_WARN, "Timeout while connecting to %s (%s port %s)%s",
				c->outgoing_name ? c->outgoing_name : "<unknown>", c->shown, c->shown_port,
				c->proxy ? " through the proxy" : "");
			fld_conn_close(c, "timeout");
			i = (size_t)-1; /* the list changed: start over */
		}
	}
}
