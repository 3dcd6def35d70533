/* SPDX-License-Identifier: MIT */
/*
 * The control provider of fenliud (struct fl_ctl_provider, ctl_session.h):
 * dumps of nodes, edges, subnets, connections and traffic from the mesh and
 * the daemon's per-node state, in tinc's formats (CONFIG.md §5.3), and the
 * STOP/RELOAD/RETRY/PURGE/DISCONNECT actions. Also wires the control server
 * into the event loop. Control thread only.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control/ctl_pidfile.h"
#include "control/ctl_server.h"
#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_lan.h"

static const char *ctl_name(void *ctx)
{
	struct fld *d = ctx;
	return d->name;
}

/* A node's counters for `dump nodes` and `dump traffic`: left alone (zero)
 * when the node has no daemon-side state. */
static void traffic_counts(const struct fld_node *fn, unsigned long long *in_packets,
			   unsigned long long *in_bytes, unsigned long long *out_packets,
			   unsigned long long *out_bytes)
{
	if (!fn)
		return;
	*in_packets = fn->in_pkts;
	*in_bytes = fn->in_bytes;
	*out_packets = fn->out_pkts;
	*out_bytes = fn->out_bytes;
}

static void ctl_each_node(void *ctx, fl_ctl_node_fn *emit, void *sink)
{
	struct fld *d = ctx;
	struct mesh_node *me = mesh_myself(d->mesh);

	fld_dp_pull(d);
	for (size_t i = 0; i < mesh_node_count(d->mesh); i++) {
		struct mesh_node *n = mesh_node_at(d->mesh, i);
		struct fld_node *fn = fld_node(d, n);
		struct fl_ctl_node r = {0};
		char id[13], sh[NI_MAXHOST], sp[NI_MAXSERV];

		for (int k = 0; k < 6; k++)
			snprintf(id + 2 * k, 3, "%02x", n->id[k]);
		r.name = n->name;
		r.id = id;
		if (n == me) {
			r.host = "MYSELF";
			r.port = d->port;
		} else if (n->addr && *n->addr) {
			r.host = fld_net_shown(d, n->addr, n->port ? n->port : "unknown", sh,
					       sizeof(sh), sp, sizeof(sp));
			r.port = sp;
		} else {
			r.host = r.port = "unknown";
		}
		r.compression = n == me ? 0 : n->compression;
		r.options = n->options;
		r.status = n->status;
		r.nexthop = n->nexthop ? n->nexthop->name : "-";
		r.via = n->via ? n->via->name : "-";
		r.distance = n->distance;
		r.mtu = n->mtu;
		r.minmtu = n->minmtu;
		r.maxmtu = n->maxmtu;
		r.last_state_change = (long)fl_clock_to_unix(n->last_state_change);
		r.udp_ping_rtt = fn ? fn->rtt_us : -1;
		traffic_counts(fn, &r.in_packets, &r.in_bytes, &r.out_packets, &r.out_bytes);
		emit(sink, &r);
	}
}

static void ctl_each_edge(void *ctx, fl_ctl_edge_fn *emit, void *sink)
{
	struct fld *d = ctx;

	for (size_t i = 0; i < mesh_node_count(d->mesh); i++) {
		struct mesh_node *n = mesh_node_at(d->mesh, i);
		for (size_t k = 0; k < n->n_edges; k++) {
			struct mesh_edge *e = n->edges[k];
			char sh[NI_MAXHOST], sp[NI_MAXSERV], lh[NI_MAXHOST], lp[NI_MAXSERV];
			struct fl_ctl_edge r = {
				.from = e->from->name,
				.to = e->to->name,
				.host = fld_net_shown(d, e->addr ? e->addr : "unspec",
						      e->port ? e->port : "unspec", sh, sizeof(sh),
						      sp, sizeof(sp)),
				.port = sp,
				.local_host = fld_net_shown(d, e->laddr ? e->laddr : "unspec",
							    e->lport ? e->lport : "unspec", lh,
							    sizeof(lh), lp, sizeof(lp)),
				.local_port = lp,
				.options = e->options,
				.weight = e->weight,
			};
			emit(sink, &r);
		}
	}
}

static void ctl_each_subnet(void *ctx, fl_ctl_subnet_fn *emit, void *sink)
{
	struct fld *d = ctx;
	const struct mesh_subnet_table *t = mesh_subnets(d->mesh);

	for (const struct mesh_subnet *s = mesh_subnet_table_first(t); s; s = mesh_subnet_next(s)) {
		char text[MESH_SUBNET_TEXT_MAX + 16];
		struct fl_ctl_subnet r;
		mesh_subnet_format(s, text, sizeof(text), true);
		r.subnet = text;
		r.owner = s->owner ? s->owner->name : NULL;
		emit(sink, &r);
	}
}

static void ctl_each_connection(void *ctx, fl_ctl_connection_fn *emit, void *sink)
{
	struct fld *d = ctx;

	for (size_t i = 0; i < d->n_conns; i++) {
		struct fld_conn *c = d->conns[i];
		struct mesh_conn *mc = mesh_conn_find(d->mesh, c->id);
		char sh[NI_MAXHOST], sp[NI_MAXSERV];
		struct fl_ctl_connection r = {
			.name = mc && mc->name ? mc->name
						: (c->outgoing_name ? c->outgoing_name : "<unknown>"),
			.host = fld_net_shown(d, c->host, c->port, sh, sizeof(sh), sp, sizeof(sp)),
			.port = sp,
			.options = mc ? mc->options : 0,
			.socket = c->fd,
			.status = (mc ? mc->status : 0) | (c->connecting ? FL_CONN_CONNECTING : 0),
		};
		emit(sink, &r);
	}
	if (d->ctl)
		fl_ctl_server_each_connection(d->ctl, emit, sink);
}

static void ctl_each_traffic(void *ctx, fl_ctl_traffic_fn *emit, void *sink)
{
	struct fld *d = ctx;

	fld_dp_pull(d);
	for (size_t i = 0; i < mesh_node_count(d->mesh); i++) {
		struct mesh_node *n = mesh_node_at(d->mesh, i);
		struct fld_node *fn = fld_node(d, n);
		struct fl_ctl_traffic r = {.name = n->name};
		traffic_counts(fn, &r.in_packets, &r.in_bytes, &r.out_packets, &r.out_bytes);
		emit(sink, &r);
	}
}

static void ctl_stop(void *ctx)
{
	struct fld *d = ctx;
	d->stop = true;
}

static int ctl_reload(void *ctx) { return fld_reload(ctx); }

static void ctl_retry(void *ctx)
{
	struct fld *d = ctx;
	struct mesh_out out;

	mesh_out_init(&out);
	mesh_retry(d->mesh, fld_now(d), &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
}

static void ctl_purge(void *ctx) { fld_purge(ctx); }

static int ctl_disconnect(void *ctx, const char *name)
{
	struct fld *d = ctx;
	int ret = -2;

	for (size_t i = 0; i < d->n_conns; i++) {
		struct mesh_conn *mc = mesh_conn_find(d->mesh, d->conns[i]->id);
		if (mc && mc->name && !strcmp(mc->name, name)) {
			d->conns[i]->closing = true;
			d->conns[i]->close_why = "disconnected by the operator";
			ret = 0;
		}
	}
	return ret;
}

/* The text dumps: offload and nat (fld_offload.c), neighbours (fld_lan.c). */
static void ctl_each_line(void *ctx, int req, fl_ctl_line_fn *emit, void *sink)
{
	if (req == FL_REQ_DUMP_NEIGHBOURS)
		fld_lan_dump_neighbours(ctx, emit, sink);
	else
		fld_offload_each_line(ctx, req, emit, sink);
}

static const struct fl_ctl_provider ctl_provider_tmpl = {
	.name = ctl_name,
	.each_node = ctl_each_node,
	.each_edge = ctl_each_edge,
	.each_subnet = ctl_each_subnet,
	.each_route = fld_routes_each,
	.each_stat = fld_stats_each,
	.each_line = ctl_each_line,
	.each_connection = ctl_each_connection,
	.each_traffic = ctl_each_traffic,
	.stop = ctl_stop,
	.reload = ctl_reload,
	.retry = ctl_retry,
	.purge = ctl_purge,
	.disconnect = ctl_disconnect,
};

/* ---- event loop wiring -------------------------------------------------- */

static void ctl_fd_event(void *ctx, int fd, unsigned events)
{
	struct fld *d = ctx;

	if (fd == d->ctl_listen_fd)
		fl_ctl_server_on_accept(d->ctl);
	else
		fl_ctl_server_on_event(d->ctl, fd, events & (FL_LOOP_READ),
				       events & FL_LOOP_WRITE);
	fld_pcap_update(d);
}

static void ctl_watch(void *ctx, int fd, bool want_write)
{
	struct fld *d = ctx;
	fld_watch(d, fd, FL_LOOP_READ | (want_write ? FL_LOOP_WRITE : 0), ctl_fd_event, d);
}

static void ctl_unwatch(void *ctx, int fd)
{
	struct fld *d = ctx;
	fld_unwatch(d, fd);
}

int fld_ctl_start(struct fld *d)
{
	char host[64] = "127.0.0.1";

	d->ctl_provider = ctl_provider_tmpl;
	d->ctl_provider.ctx = d;
	d->ctl_loop.ctx = d;
	d->ctl_loop.watch = ctl_watch;
	d->ctl_loop.unwatch = ctl_unwatch;
	if (!fl_cookie_generate(d->cookie))
		return -1;
	d->ctl = fl_ctl_server_new(&d->ctl_provider, &d->ctl_loop, d->cookie, (long)getpid());
	if (!d->ctl)
		return -1;
	d->ctl_listen_fd = -1;
	d->ctl_listen_fd = fl_ctl_server_listen(d->ctl, d->socket_path);
	if (d->ctl_listen_fd < 0) {
		fl_dlog(FL_DLOG_ERR, "Could not listen on control socket %s: %s", d->socket_path,
			strerror(errno));
		return -1;
	}
	if (d->n_listen) { /* the first listener, as tincd writes it */
		char port[16];
		fl_pidfile_local_address(d->listen[0].tcp, host, port);
	}
	if (!fl_pidfile_write(d->pidfile, (long)getpid(), d->cookie, host, d->port)) {
		fl_dlog(FL_DLOG_ERR, "Could not write pid file %s: %s", d->pidfile, strerror(errno));
		return -1;
	}
	return 0;
}

void fld_ctl_stop(struct fld *d)
{
	if (d->ctl) {
		fl_ctl_server_free(d->ctl);
		d->ctl = NULL;
	}
	if (d->pidfile)
		unlink(d->pidfile);
}
