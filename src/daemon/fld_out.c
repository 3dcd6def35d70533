/* SPDX-License-Identifier: MIT */
/*
 * Carrying out the mesh's outputs (mesh.h, enum mesh_out_kind) in order:
 * lines and packets to send on meta connections, connections to close or
 * open, scripts to queue, and UDP session events for fld_session.c.
 * Control thread only.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"

/* Send "text\n" as one record (or plaintext for the ID line). */
static int out_line(struct fld_conn *c, const struct mesh_out_item *it, bool raw)
{
	char buf[FL_META_MAXLINE + 2];
	size_t n = it->text_len;

	if (n > FL_META_MAXLINE)
		return -1;
	memcpy(buf, it->text, n);
	buf[n++] = '\n';
	fld_trace_request(c->d, c, true, it->text, it->text_len);
	return raw ? fld_conn_send_raw(c, buf, n) : fld_conn_send_record(c, buf, n);
}

/* MaxOutputBufferSize, as tinc's random early drop: once a connection's
 * unsent output passes half the size, a tunnel packet for it is dropped
 * with a probability that grows linearly to 1 at the full size. Requests
 * are never dropped. Output queued earlier in this loop iteration is
 * first handed to the kernel, since tincd writes between packets and a
 * batch from the TUN device must not count as a stuck peer. A negative
 * size means no limit. */
static bool out_red_drop(struct fld *d, struct fld_conn *c)
{
	int max = d->boot->s.max_output_buffer_size; /* start-only, as tinc */
	size_t half = max > 0 ? (size_t)max / 2 : 0;

	if (max < 0 || c->out_len <= half || fld_conn_backlog(c) <= half)
		return false;
	if (half && c->out_len - half <= randombytes_uniform((uint32_t)half))
		return false;
	d->meta_stats.out_red_dropped++;
	return true;
}

static void out_conn(struct fld *d, const struct mesh_out_item *it)
{
	struct fld_conn *c = fld_conn_find(d, it->conn);
	int r = 0;

	if (!c)
		return;
	switch (it->kind) {
	case MESH_OUT_SEND_RAW:
		r = out_line(c, it, true);
		break;
	case MESH_OUT_START_SPTPS:
		r = fld_conn_start_sptps(c, it->initiator, it->data, it->len);
		break;
	case MESH_OUT_SEND:
		r = out_line(c, it, false);
		break;
	case MESH_OUT_SEND_BINARY:
		if (out_red_drop(d, c))
			return;
		r = out_line(c, it, false);
		if (!r)
			r = fld_conn_send_raw(c, it->data, it->len);
		break;
	case MESH_OUT_SEND_PACKET:
		if (out_red_drop(d, c))
			return;
		r = out_line(c, it, false);
		if (!r)
			r = fld_conn_send_record(c, it->data, it->len);
		break;
	case MESH_OUT_CLOSE:
		fld_conn_close(c, it->reason ? it->reason : "closed");
		return;
	default:
		break;
	}
	if (r < 0)
		c->closing = true;
}

static void out_subnet_script(struct fld *d, const struct mesh_out_item *it, const char *script)
{
	fld_run_host_script(d, script, it->node, &it->subnet);
}

static void out_event(struct fld *d, const struct mesh_out_item *it)
{
	switch (it->kind) {
	case MESH_OUT_CONNECT:
		fld_net_connect(d, it->node, it->host, it->port);
		break;
	case MESH_EV_HOST_UP:
		fl_dlog(FL_DLOG_INFO, "Node %s became reachable", it->node->name);
		d->graph_dirty = true;
		d->n_reachable++;
		fld_run_host_script(d, "host-up", it->node, NULL);
		break;
	case MESH_EV_HOST_DOWN:
		fl_dlog(FL_DLOG_INFO, "Node %s became unreachable", it->node->name);
		d->graph_dirty = true;
		if (d->n_reachable)
			d->n_reachable--;
		fld_run_host_script(d, "host-down", it->node, NULL);
		break;
	case MESH_EV_SUBNET_UP:
		out_subnet_script(d, it, "subnet-up");
		break;
	case MESH_EV_SUBNET_DOWN:
		out_subnet_script(d, it, "subnet-down");
		break;
	case MESH_EV_REQ_SPTPS_START:
		fld_udp_req_start(d, it->node, it->data, it->len);
		break;
	case MESH_EV_ANS_KEY:
		fld_udp_ans_key(d, it->node, it->data, it->len, (int)it->value, it->host, it->port);
		break;
	case MESH_EV_SPTPS_DATA:
		fld_dp_tcp_data(d, it->node, it->node2, it->data, it->len);
		break;
	case MESH_EV_UDP_ADDRESS:
		fld_udp_set_address(d, it->node, it->host, it->port);
		break;
	case MESH_EV_GRAPH_CHANGED:
		d->graph_dirty = true;
		break;
	case MESH_EV_TRY_TX:
		fld_try_tx(d, it->node, false);
		break;
	case MESH_EV_UDP_RESET:
		fld_udp_reset(d, it->node);
		break;
	case MESH_EV_MTU:
		if (fld_peer(d, it->node))
			fl_dp_peer_mtu_info(fld_peer(d, it->node), (int)it->value);
		break;
	case MESH_EV_LOG:
		fl_dlog(FL_DLOG_INFO, "%s", it->text ? it->text : "");
		break;
	default:
		/* GRAPH_CHANGED: routing reads the mesh directly; PACKET_NEXT and
		 * SPTPS_PACKET_NEXT: the framing knows already; PUBKEY, PONG,
		 * SLEEP: not acted on. */
		break;
	}
}

/* DeviceStandby, as tincd: tinc-up once the first other node is
 * reachable, after that batch's host-up scripts; tinc-down once the last
 * one is gone, after the host-down scripts. Queued like them, so packets
 * never wait; without DeviceStandby fenliud.c runs both at start and stop. */
static void out_standby(struct fld *d)
{
	if (!d->scripts || !d->boot || !d->boot->s.device_standby)
		return;
	if (!d->standby_up && d->n_reachable > 0) {
		d->standby_up = true;
		fl_script_queue(d->scripts, "tinc-up", NULL);
	} else if (d->standby_up && d->n_reachable == 0) {
		d->standby_up = false;
		fl_script_queue(d->scripts, "tinc-down", NULL);
	}
}

void fld_out_run(struct fld *d, struct mesh_out *out)
{
	for (size_t i = 0; i < out->n; i++) {
		const struct mesh_out_item *it = &out->v[i];
		switch (it->kind) {
		case MESH_OUT_SEND_RAW:
		case MESH_OUT_START_SPTPS:
		case MESH_OUT_SEND:
		case MESH_OUT_SEND_BINARY:
		case MESH_OUT_SEND_PACKET:
		case MESH_OUT_CLOSE:
			out_conn(d, it);
			break;
		default:
			out_event(d, it);
			break;
		}
	}
	out_standby(d);
	/* The dataplane learns graph changes before any later packet. */
	if (d->graph_dirty && d->dp) {
		d->graph_dirty = false;
		fld_dp_sync(d);
	}
	if (out->oom)
		fl_dlog(FL_DLOG_ERR, "Mesh output lost for lack of memory");
}
