/* SPDX-License-Identifier: MIT */
/*
 * mesh_conn.c: one meta connection's life (META.md §3): open, the plaintext
 * ID exchange and its checks (refusing legacy-only peers), the ACK and
 * "send everything", PING/PONG, TERMREQ and closing with its DEL_EDGEs.
 * Dispatches flooded requests to mesh_flood.c and routed ones to
 * mesh_key.c. Called by the daemon through mesh.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh_internal.h"

static void finish(struct mesh *m, struct mesh_out *o)
{
	mesh_changed(m, o);
}

static bool host_info(struct mesh *m, const char *name,
		      struct mesh_host_info *h)
{
	memset(h, 0, sizeof(*h));
	h->indirect = h->tcponly = h->clampmss = -1;
	return m->cfg.host_lookup && m->cfg.host_lookup(m->cfg.ctx, name, h) &&
	       h->exists;
}

static void send_id(struct mesh *m, struct mesh_conn *c, fl_time_t now,
		    struct mesh_out *o)
{
	char line[MESH_NAME_MAX + 32];

	snprintf(line, sizeof(line), "0 %s %d.%d", m->myname, MESH_PROT_MAJOR,
		 MESH_PROT_MINOR);
	mesh_out_send(o, MESH_OUT_SEND_RAW, c->id, line);
	c->id_sent = now;
}

bool mesh_conn_open(struct mesh *m, int32_t conn, const char *outgoing_name,
		    const char *peer_addr, const char *peer_port,
		    const char *local_addr, fl_time_t now, struct mesh_out *out)
{
	struct mesh_conn *c;

	if (mesh_conn_find(m, conn) || (outgoing_name && !mesh_name_valid(outgoing_name)))
		return false;
	if (m->n_conns == m->cap_conns) {
		size_t cap = m->cap_conns ? m->cap_conns * 2 : 8;
		struct mesh_conn **v = realloc(m->conns, cap * sizeof(*v));
		if (!v)
			return false;
		m->conns = v;
		m->cap_conns = cap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return false;
	c->id = conn;
	c->peer_addr = mesh_strdup(peer_addr ? peer_addr : "unknown");
	c->peer_port = mesh_strdup(peer_port ? peer_port : "unknown");
	c->local_addr = mesh_strdup(local_addr ? local_addr : "unknown");
	c->name = outgoing_name ? mesh_strdup(outgoing_name) : NULL;
	if (!c->peer_addr || !c->peer_port || !c->local_addr ||
	    (outgoing_name && !c->name)) {
		free(c->peer_addr), free(c->peer_port), free(c->local_addr);
		free(c->name), free(c);
		return false;
	}
	c->last_ping = now;
	m->conns[m->n_conns++] = c;
	if (outgoing_name) {
		c->initiator = true;
		c->outgoing = mesh_outgoing_find(m, mesh_node_find(m, outgoing_name));
		if (c->outgoing) {
			c->outgoing->state = MESH_OG_CONNECTED;
			c->outgoing->conn = conn;
		}
		send_id(m, c, now, out);
	}
	return true;
}

/* The label of the meta SPTPS session, NUL included (META.md §3.2). */
static void start_sptps(struct mesh *m, struct mesh_conn *c,
			struct mesh_out *o)
{
	const char *ini = c->initiator ? m->myname : c->name;
	const char *res = c->initiator ? c->name : m->myname;
	struct mesh_out_item *it = mesh_out_push(o, MESH_OUT_START_SPTPS);
	size_t len = 25 + strlen(ini) + strlen(res);

	if (!it)
		return;
	it->conn = c->id;
	it->node = c->node;
	it->initiator = c->initiator;
	it->data = malloc(len);
	if (!it->data) {
		o->n--;
		o->oom = true;
		return;
	}
	snprintf((char *)it->data, len, "tinc TCP key expansion %s %s", ini, res);
	it->data[len - 1] = 0;
	it->len = len;
}

/* META.md §3.1 checks, in order. */
static enum mesh_err recv_id(struct mesh *m, struct mesh_conn *c,
			     const struct mesh_req *r, fl_time_t now,
			     struct mesh_out *o)
{
	struct mesh_host_info h;
	const char *name = r->id.name;

	if (name[0] == '^' || name[0] == '?' || !strcmp(name, m->myname))
		return MESH_E_ID;
	if (c->initiator && strcmp(name, c->name))
		return MESH_E_ID;
	if (r->id.major != MESH_PROT_MAJOR)
		return MESH_E_ID;
	if (!host_info(m, name, &h) || !h.has_key)
		return MESH_E_UNKNOWN_HOST;
	if (r->id.minor < 2)
		return MESH_E_LEGACY;
	if (!c->initiator) {
		free(c->name);
		c->name = mesh_strdup(name);
		if (!c->name)
			return MESH_E_NOMEM;
	}
	c->node = mesh_node_get(m, name);
	if (!c->node)
		return MESH_E_NOMEM;
	c->peer_minor = r->id.minor;
	if (!c->initiator)
		send_id(m, c, now, o);
	c->state = MESH_CONN_HANDSHAKE;
	start_sptps(m, c, o);
	return MESH_OK;
}

/* Our ACK options and weight for this peer (META.md §3.3). */
enum mesh_err mesh_conn_sptps_ready(struct mesh *m, int32_t conn, fl_time_t now,
				    struct mesh_out *out)
{
	struct mesh_conn *c = mesh_conn_find(m, conn);
	struct mesh_host_info h;
	struct mesh_req r;
	uint32_t my = m->cfg.my_options, opt = 0;
	bool clamp;

	if (!c)
		return MESH_E_NOCONN;
	if (c->acked || c->state == MESH_CONN_WAIT_ID)
		return MESH_OK;	/* re-handshakes trigger nothing */
	host_info(m, c->name, &h);
	if (h.indirect == 1 || (my & (MESH_OPT_INDIRECT | MESH_OPT_TCPONLY)))
		opt |= MESH_OPT_INDIRECT;
	if (h.tcponly == 1 || (my & MESH_OPT_TCPONLY))
		opt |= MESH_OPT_TCPONLY | MESH_OPT_INDIRECT;
	if ((my & MESH_OPT_PMTU_DISCOVERY) && !(opt & MESH_OPT_TCPONLY))
		opt |= MESH_OPT_PMTU_DISCOVERY;
	clamp = h.clampmss >= 0 ? h.clampmss == 1 : (my & MESH_OPT_CLAMP_MSS);
	if (clamp)
		opt |= MESH_OPT_CLAMP_MSS;
	c->options = opt | ((uint32_t)MESH_PROT_MINOR << 24);
	/* the round trip of ID/ACK in ms, as tinc's weights */
	c->estimated_weight = now > c->id_sent ? (int32_t)fl_time_to_ms(now - c->id_sent) : 0;
	if (h.has_weight)
		c->estimated_weight = h.weight;
	else if (m->cfg.has_my_weight)
		c->estimated_weight = m->cfg.my_weight;
	memset(&r, 0, offsetof(struct mesh_req, buf));
	r.type = MESH_REQ_ACK;
	r.ack.port = m->my_udp_port;
	r.ack.weight = c->estimated_weight;
	r.ack.options = c->options;
	c->acked = true;
	mesh_send_req(m, out, c->id, &r);
	return MESH_OK;
}

/* META.md §3.4: our view of the world, to a newly active peer. */
static void send_everything(struct mesh *m, struct mesh_conn *c,
			    struct mesh_out *o)
{
	struct mesh_req r;

	for (size_t i = 0; i < m->n_nodes; i++) {
		struct mesh_node *n = m->nodes[i];

		if (m->cfg.tunnelserver && n != m->myself)
			continue;
		size_t k;
		const struct mesh_subnet **v = mesh_subnet_owned(n, &k);

		for (size_t j = 0; j < k; j++) {
			mesh_fill_subnet(m, &r, MESH_REQ_ADD_SUBNET, v[j]);
			mesh_send_req(m, o, c->id, &r);
		}
		free(v);
		if (m->cfg.tunnelserver)
			continue;
		for (size_t j = 0; j < n->n_edges; j++) {
			mesh_fill_add_edge(m, &r, n->edges[j]);
			mesh_send_req(m, o, c->id, &r);
		}
	}
}

/* An older connection to the same node is replaced without DEL_EDGE. */
static void replace_old(struct mesh *m, struct mesh_conn *c, fl_time_t now,
			struct mesh_out *o)
{
	struct mesh_conn *old = mesh_conn_to(m, c->node);

	if (!old || old == c)
		return;
	if (old->edge) {
		mesh_edge_del(m, old->edge);
		old->edge = NULL;
		mesh_graph(m, now, o);
	}
	if (old->outgoing && !c->outgoing) {
		c->outgoing = old->outgoing;
		c->outgoing->conn = c->id;
		c->outgoing->state = MESH_OG_CONNECTED;
	}
	old->outgoing = NULL;
	c->node->conn = MESH_CONN_NONE;
	mesh_out_close(o, old->id, "replaced by a newer connection");
	mesh_conn_forget(m, old);
}

static enum mesh_err make_edge(struct mesh *m, struct mesh_conn *c,
			       const struct mesh_req *r)
{
	struct mesh_edge *e = mesh_edge_find(m->myself, c->node);

	if (!e)
		e = mesh_edge_add(m, m->myself, c->node);
	if (!e || !mesh_edge_set(e, c->peer_addr, r->ack.port, c->local_addr,
				 m->my_udp_port))
		return MESH_E_NOMEM;
	/* C integer division, as tinc */
	e->weight = (int32_t)(((int64_t)r->ack.weight + c->estimated_weight) / 2);
	e->options = c->options;
	e->conn = c->id;
	c->edge = e;
	return MESH_OK;
}

static enum mesh_err recv_ack(struct mesh *m, struct mesh_conn *c,
			      const struct mesh_req *r, fl_time_t now,
			      struct mesh_out *o)
{
	struct mesh_host_info h;
	struct mesh_req add;
	enum mesh_err e;
	uint32_t peer = r->ack.options;

	replace_old(m, c, now, o);
	/* PMTU discovery only if both sides want it */
	if (!(c->options & peer & MESH_OPT_PMTU_DISCOVERY)) {
		c->options &= ~(uint32_t)MESH_OPT_PMTU_DISCOVERY;
		peer &= ~(uint32_t)MESH_OPT_PMTU_DISCOVERY;
	}
	c->options |= peer;
	host_info(m, c->name, &h);
	if (h.pmtu > 0 && h.pmtu < c->node->mtu)
		c->node->mtu = h.pmtu;
	if (h.clampmss == 1)
		c->options |= MESH_OPT_CLAMP_MSS;
	else if (h.clampmss == 0)
		c->options &= ~(uint32_t)MESH_OPT_CLAMP_MSS;
	c->state = MESH_CONN_ACTIVE;
	c->node->conn = c->id;
	send_everything(m, c, o);
	e = make_edge(m, c, r);
	if (e)
		return e;
	mesh_fill_add_edge(m, &add, c->edge);
	if (m->cfg.tunnelserver)
		mesh_send_req(m, o, c->id, &add);
	else
		mesh_broadcast_req(m, o, MESH_CONN_NONE, &add);
	mesh_graph(m, now, o);
	return MESH_OK;
}

static void recv_pong(struct mesh *m, struct mesh_conn *c, struct mesh_out *o)
{
	struct mesh_out_item *it;

	(void)m;
	c->status &= ~(uint32_t)MESH_CS_PINGED;
	if (c->outgoing && c->outgoing->timeout) {
		c->outgoing->timeout = 0;
		mesh_outgoing_good(c->outgoing);
	}
	it = mesh_out_push(o, MESH_EV_PONG);
	if (it) {
		it->conn = c->id;
		it->node = c->node;
	}
}

/* Which requests each state allows (META.md §3.2, §9). */
static enum mesh_err allowed(const struct mesh_conn *c, int type)
{
	if (type == MESH_REQ_CONTROL)
		return MESH_E_CONTROL;
	switch (c->state) {
	case MESH_CONN_WAIT_ID:
		return type == MESH_REQ_ID ? MESH_OK : MESH_E_UNAUTHORIZED;
	case MESH_CONN_HANDSHAKE:
		return type == MESH_REQ_ACK ? MESH_OK : MESH_E_UNAUTHORIZED;
	default:
		return type == MESH_REQ_ID || type == MESH_REQ_ACK ?
		       MESH_E_UNAUTHORIZED : MESH_OK;
	}
}

static enum mesh_err dispatch(struct mesh *m, struct mesh_conn *c,
			      const struct mesh_req *r, const char *line,
			      size_t len, fl_time_t now, struct mesh_out *o)
{
	struct mesh_out_item *it;

	switch (r->type) {
	case MESH_REQ_ID: return recv_id(m, c, r, now, o);
	case MESH_REQ_ACK: return recv_ack(m, c, r, now, o);
	case MESH_REQ_TERMREQ: return MESH_E_TERMREQ;
	case MESH_REQ_PING:
		mesh_out_send(o, MESH_OUT_SEND, c->id, "9");
		return MESH_OK;
	case MESH_REQ_PONG:
		recv_pong(m, c, o);
		return MESH_OK;
	case MESH_REQ_PACKET:
	case MESH_REQ_SPTPS_PACKET:
		it = mesh_out_push(o, r->type == MESH_REQ_PACKET ?
				   MESH_EV_PACKET_NEXT : MESH_EV_SPTPS_PACKET_NEXT);
		if (it) {
			it->conn = c->id;
			it->node = c->node;
			it->value = r->packet.length;
		}
		return MESH_OK;
	case MESH_REQ_ADD_SUBNET:
	case MESH_REQ_DEL_SUBNET:
	case MESH_REQ_ADD_EDGE:
	case MESH_REQ_DEL_EDGE:
	case MESH_REQ_KEY_CHANGED:
		return mesh_flood_recv(m, c, r, line, len, now, o);
	default:
		return mesh_key_recv(m, c, r, line, len, now, o);
	}
}

/* The peer's bytes go to a log: printable ASCII only, at most 80. */
static void log_bad_line(const struct mesh_conn *c, enum mesh_req_err pe,
			 const char *line, size_t len, struct mesh_out *o)
{
	char safe[81];
	size_t n = len < 80 ? len : 80;

	for (size_t i = 0; i < n; i++)
		safe[i] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
	safe[n] = '\0';
	mesh_out_log(o, "%s (%s port %s): %s: '%s'%s",
		     c->name ? c->name : "<unknown>", c->peer_addr, c->peer_port,
		     mesh_req_strerror(pe), safe, len > n ? "..." : "");
}

enum mesh_err mesh_conn_recv(struct mesh *m, int32_t conn, const char *line,
			     size_t len, fl_time_t now, struct mesh_out *out)
{
	struct mesh_conn *c = mesh_conn_find(m, conn);
	struct mesh_req r;
	enum mesh_req_err pe;
	enum mesh_err e;

	if (!c)
		return MESH_E_NOCONN;
	if (len && line[len - 1] == '\n')
		len--;
	pe = mesh_req_parse(&r, line, len);
	if (pe == MESH_REQ_E_LEGACY && c->state == MESH_CONN_WAIT_ID)
		return MESH_E_UNAUTHORIZED;
	if (pe == MESH_REQ_E_LEGACY)
		return MESH_E_LEGACY;
	if (pe) {
		log_bad_line(c, pe, line, len, out);
		return MESH_E_PARSE;
	}
	e = allowed(c, r.type);
	if (!e)
		e = dispatch(m, c, &r, line, len, now, out);
	finish(m, out);
	return e;
}

/* META.md §3.5 and GRAPH.md §3.4: forget conn, announce its edge's end. */
void mesh_conn_teardown(struct mesh *m, struct mesh_conn *c, fl_time_t now,
			struct mesh_out *o)
{
	struct mesh_node *n = c->node;
	struct mesh_outgoing *og = c->outgoing;
	int32_t id = c->id;
	struct mesh_req r;

	if (n && n->conn == c->id)
		n->conn = MESH_CONN_NONE;
	c->state = MESH_CONN_WAIT_ID;	/* no longer a broadcast target */
	if (c->edge) {
		if (!m->cfg.tunnelserver) {
			mesh_fill_del_edge(m, &r, c->edge);
			mesh_broadcast_req(m, o, c->id, &r);
		}
		mesh_edge_del(m, c->edge);
		c->edge = NULL;
		mesh_graph(m, now, o);
		if (!(n->status & MESH_NS_REACHABLE)) {
			struct mesh_edge *rev = mesh_edge_find(n, m->myself);
			if (rev) {
				if (!m->cfg.tunnelserver) {
					mesh_fill_del_edge(m, &r, rev);
					mesh_broadcast_req(m, o, c->id, &r);
				}
				mesh_edge_del(m, rev);
			}
		}
	}
	mesh_conn_forget(m, c);	/* c is freed */
	if (og && og->conn == id) {
		og->conn = MESH_CONN_NONE;
		mesh_outgoing_closed(m, og, now, o);
	}
}

void mesh_conn_close(struct mesh *m, int32_t conn, fl_time_t now,
		     struct mesh_out *out)
{
	struct mesh_conn *c = mesh_conn_find(m, conn);

	if (!c)
		return;
	mesh_conn_teardown(m, c, now, out);
	finish(m, out);
}

/* Close from inside the mesh (timeouts): tell the daemon, then forget. */
static void close_conn(struct mesh *m, struct mesh_conn *c, const char *why,
		       fl_time_t now, struct mesh_out *o)
{
	mesh_out_close(o, c->id, why);
	mesh_conn_teardown(m, c, now, o);
}

/* META.md §7.1, for every connection once a second. */
static void ping_tick(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	int64_t sec = fl_time_to_s(now);

	for (size_t i = 0; i < m->n_conns;) {
		struct mesh_conn *c = m->conns[i];
		int64_t last = fl_time_to_s(c->last_ping);

		if (last + m->cfg.ping_timeout > sec) {
			i++;
			continue;
		}
		if (c->state != MESH_CONN_ACTIVE) {
			close_conn(m, c, "timeout during authentication", now, o);
			continue;	/* conns[i] is now the next one */
		}
		mesh_out_event(o, MESH_EV_TRY_TX, c->node);
		if (c->status & MESH_CS_PINGED) {
			close_conn(m, c, "didn't respond to PING", now, o);
			continue;
		}
		if (last + m->cfg.ping_interval <= sec) {
			mesh_out_send(o, MESH_OUT_SEND, c->id, "8");
			c->status |= MESH_CS_PINGED;
			c->last_ping = now;
		}
		i++;
	}
}

/* §7.4: another node using our Name makes both counters climb. */
static void contradiction_check(struct mesh *m, struct mesh_out *o)
{
	struct mesh_out_item *it;

	if (m->contradicting_add_edge > 100 && m->contradicting_del_edge > 100) {
		mesh_out_log(o, "possible node with the same Name as us; sleeping %d seconds",
			     m->sleeptime);
		it = mesh_out_push(o, MESH_EV_SLEEP);
		if (it)
			it->value = m->sleeptime;
		m->sleeptime = m->sleeptime > 1800 ? 3600 : m->sleeptime * 2;
	} else {
		m->sleeptime /= 2;
		if (m->sleeptime < 10)
			m->sleeptime = 10;
	}
	m->contradicting_add_edge = m->contradicting_del_edge = 0;
}

void mesh_tick(struct mesh *m, fl_time_t now, struct mesh_out *out)
{
	if (now > m->last_tick && now - m->last_tick > FL_TIME_S(2 * m->cfg.udp_discovery_timeout)) {
		mesh_out_log(out, "awaking from dead: closing all connections");
		while (m->n_conns)
			close_conn(m, m->conns[0], "host was suspended", now, out);
	}
	m->last_tick = now;
	ping_tick(m, now, out);
	if (now - m->last_age >= FL_TIME_S(10)) {
		fl_time_t keep = FL_TIME_S(m->cfg.ping_interval);
		mesh_past_age(&m->past, now > keep ? now - keep : 0);
		m->last_age = now;
	}
	if (now - m->last_periodic >= FL_TIME_S(5)) {
		contradiction_check(m, out);
		if (m->cfg.autoconnect && m->n_nodes > 1)
			mesh_autoconnect(m, now, out);
		m->last_periodic = now;
	}
	mesh_outgoing_tick(m, now, out);
	finish(m, out);
}
