/* SPDX-License-Identifier: MIT */
/*
 * mesh.c: the mesh state's life cycle and accessors: mesh_new/mesh_free,
 * connection and subnet tables, own and broadcast subnets. The daemon calls
 * these; the protocol logic is in mesh_conn.c, mesh_flood.c, mesh_key.c.
 */
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh_internal.h"

const char *mesh_strerror(enum mesh_err e)
{
	switch (e) {
	case MESH_OK: return "ok";
	case MESH_E_PARSE: return "malformed request";
	case MESH_E_UNAUTHORIZED: return "request not allowed in this state";
	case MESH_E_LEGACY:
		return "peer offers only the legacy protocol (minor < 2); "
		       "fenliu speaks SPTPS only";
	case MESH_E_ID: return "bad ID (name or protocol version)";
	case MESH_E_UNKNOWN_HOST:
		return "unknown identity (no hosts file or no Ed25519PublicKey)";
	case MESH_E_TERMREQ: return "peer sent TERMREQ";
	case MESH_E_CONTROL: return "CONTROL request on a peer connection";
	case MESH_E_NOMEM: return "out of memory";
	case MESH_E_NOCONN: return "unknown connection";
	case MESH_E_DUPLICATE: return "connection id in use";
	}
	return "unknown error";
}

static int or_default(int v, int d)
{
	return v ? v : d;
}

/* The reloadable numbers, with META.md §7.1 defaults and clamping. */
static void set_timers(struct mesh *m, const struct mesh_config *cfg)
{
	m->cfg.ping_interval = cfg->ping_interval == 0 ? 60 :
			       cfg->ping_interval < 1 ? 86400 : cfg->ping_interval;
	m->cfg.ping_timeout = cfg->ping_timeout == 0 ? 5 : cfg->ping_timeout;
	if (m->cfg.ping_timeout < 1 || m->cfg.ping_timeout > m->cfg.ping_interval)
		m->cfg.ping_timeout = m->cfg.ping_interval;
	m->cfg.max_timeout = or_default(cfg->max_timeout, 900);
	m->cfg.udp_info_interval = or_default(cfg->udp_info_interval, 5);
	m->cfg.mtu_info_interval = or_default(cfg->mtu_info_interval, 5);
	m->cfg.udp_discovery_timeout = or_default(cfg->udp_discovery_timeout, 30);
}

static bool copy_cfg(struct mesh *m, const struct mesh_config *cfg)
{
	m->cfg = *cfg;
	m->myname = mesh_strdup(cfg->myname);
	m->my_udp_port = mesh_strdup(cfg->my_udp_port ? cfg->my_udp_port : "655");
	m->my_pubkey_b64 = mesh_strdup(cfg->my_pubkey_b64 ? cfg->my_pubkey_b64 : "");
	m->cfg.myname = m->myname;
	m->cfg.my_udp_port = m->my_udp_port;
	m->cfg.my_pubkey_b64 = m->my_pubkey_b64;
	set_timers(m, cfg);
	return m->myname && m->my_udp_port && m->my_pubkey_b64;
}

static bool add_default_broadcasts(struct mesh *m)
{
	static const char *const def[] = {
		"ff:ff:ff:ff:ff:ff", "255.255.255.255", "224.0.0.0/4", "ff00::/8",
	};

	for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++) {
		struct mesh_subnet s;
		if (mesh_subnet_parse(&s, def[i], strlen(def[i])) ||
		    !mesh_add_broadcast_subnet(m, &s))
			return false;
	}
	return true;
}

void mesh_reconfigure(struct mesh *m, const struct mesh_config *cfg)
{
	set_timers(m, cfg);
	m->cfg.my_options = cfg->my_options;
	m->cfg.has_my_weight = cfg->has_my_weight;
	m->cfg.my_weight = cfg->my_weight;
	m->cfg.autoconnect = cfg->autoconnect;
	m->myself->options = (cfg->my_options & 0xffffff) | ((uint32_t)MESH_PROT_MINOR << 24);
}

struct mesh *mesh_new(const struct mesh_config *cfg, fl_time_t now)
{
	struct mesh *m;

	if (!cfg || !mesh_name_valid(cfg->myname))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	mesh_subnet_table_init(&m->subnets);
	mesh_subnet_index_init_list(&m->index, &m->subnets);
	if (!copy_cfg(m, cfg) || !(m->myself = mesh_node_get(m, m->myname)) ||
	    !add_default_broadcasts(m)) {
		mesh_free(m);
		return NULL;
	}
	m->myself->status = MESH_NS_REACHABLE | MESH_NS_VISITED | MESH_NS_SPTPS;
	mesh_node_refresh_host(m, m->myself);
	m->myself->nexthop = m->myself->via = m->myself;
	m->myself->distance = 0;
	m->myself->options = (m->cfg.my_options & 0xffffff) |
			     ((uint32_t)MESH_PROT_MINOR << 24);
	m->myself->last_state_change = fl_time_to_s(now);
	mesh_node_set_addr(m->myself, "MYSELF", m->my_udp_port);
	m->last_tick = m->last_periodic = m->last_age = now;
	m->sleeptime = 10;
	if (mesh_subnet_index_build_lpm(&m->index, &m->subnets))
		m->dirty = false;
	return m;
}

static void conn_free(struct mesh_conn *c)
{
	free(c->name);
	free(c->peer_addr);
	free(c->peer_port);
	free(c->local_addr);
	free(c);
}

void mesh_free(struct mesh *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_nodes; i++)
		while (m->nodes[i]->n_edges)
			mesh_edge_del(m, m->nodes[i]->edges[0]);
	for (size_t i = 0; i < m->n_nodes; i++)
		mesh_node_free(m->nodes[i]);
	for (size_t i = 0; i < m->n_conns; i++)
		conn_free(m->conns[i]);
	for (size_t i = 0; i < m->n_outgoings; i++)
		mesh_outgoing_free(m->outgoings[i]);
	free(m->nodes);
	free(m->by_id);
	free(m->conns);
	free(m->outgoings);
	free(m->rev_check);
	mesh_subnet_index_free(&m->index);
	mesh_subnet_table_free(&m->subnets);
	mesh_past_free(&m->past);
	free(m->myname);
	free(m->my_udp_port);
	free(m->my_pubkey_b64);
	free(m);
}

const struct mesh_subnet_table *mesh_subnets(const struct mesh *m)
{
	return &m->subnets;
}

const struct mesh_subnet *mesh_subnet_route(const struct mesh *m,
					    enum mesh_subnet_type type,
					    const uint8_t *addr)
{
	if (!m->dirty)
		return mesh_subnet_lookup(&m->index, type, addr);
	/* changed since the last build: the table search is always current */
	return mesh_subnet_table_lookup(&m->subnets, type, addr);
}

void mesh_changed(struct mesh *m, struct mesh_out *o)
{
	if (m->cfg.settle_ms > 0)
		return;		/* batched: mesh_settle() does this */
	if (m->dirty) {
		m->index_builds++;
		mesh_subnet_index_free(&m->index);
		/* on allocation failure the index stays a (correct, slower) walk */
		mesh_subnet_index_build_lpm(&m->index, &m->subnets);
	}
	if (m->dirty || m->graph_ran)
		mesh_out_event(o, MESH_EV_GRAPH_CHANGED, NULL);
	m->dirty = m->graph_ran = false;
}

struct mesh_conn *mesh_conn_find(const struct mesh *m, int32_t conn)
{
	for (size_t i = 0; i < m->n_conns; i++)
		if (m->conns[i]->id == conn)
			return m->conns[i];
	return NULL;
}

bool mesh_add_broadcast_subnet(struct mesh *m, const struct mesh_subnet *s)
{
	struct mesh_subnet b = *s;

	b.owner = NULL;
	m->dirty = true;
	return mesh_subnet_table_add(&m->subnets, &b);
}

bool mesh_del_broadcast_subnet(struct mesh *m, const struct mesh_subnet *s)
{
	struct mesh_subnet b = *s;

	b.owner = NULL;
	m->dirty = true;
	return mesh_subnet_table_del(&m->subnets, &b);
}

bool mesh_add_own_subnet(struct mesh *m, const struct mesh_subnet *s,
			 struct mesh_out *out)
{
	struct mesh_subnet x = *s;
	struct mesh_req r;

	x.owner = m->myself;
	if (!mesh_subnet_table_add(&m->subnets, &x))
		return false;
	m->dirty = true;
	mesh_out_subnet(out, MESH_EV_SUBNET_UP, &x);
	mesh_fill_subnet(m, &r, MESH_REQ_ADD_SUBNET, &x);
	mesh_broadcast_req(m, out, MESH_CONN_NONE, &r);
	mesh_changed(m, out);
	return true;
}

bool mesh_del_own_subnet(struct mesh *m, const struct mesh_subnet *s,
			 struct mesh_out *out)
{
	struct mesh_subnet x = *s;
	struct mesh_req r;

	x.owner = m->myself;
	if (!mesh_subnet_table_find(&m->subnets, &x))
		return false;
	mesh_fill_subnet(m, &r, MESH_REQ_DEL_SUBNET, &x);
	mesh_broadcast_req(m, out, MESH_CONN_NONE, &r);
	mesh_out_subnet(out, MESH_EV_SUBNET_DOWN, &x);
	mesh_subnet_table_del(&m->subnets, &x);
	m->dirty = true;
	mesh_changed(m, out);
	return true;
}

/* Used by mesh_conn.c when a connection record goes away. */
void mesh_conn_forget(struct mesh *m, struct mesh_conn *c)
{
	for (size_t i = 0; i < m->n_conns; i++) {
		if (m->conns[i] == c) {
			memmove(&m->conns[i], &m->conns[i + 1],
				(m->n_conns - i - 1) * sizeof(*m->conns));
			m->n_conns--;
			conn_free(c);
			return;
		}
	}
}
