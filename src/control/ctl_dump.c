/* SPDX-License-Identifier: MIT */
/* ctl_dump.c: daemon-side dump lines (CONFIG.md §5.3), byte for byte what
 * tincd sends so a stock `tinc dump` parses them. Called by ctl_session.c
 * for each record the provider emits; pure. */
#include "control/ctl.h"

#include <stdio.h>

int fl_ctl_format_node(char *out, size_t len, const struct fl_ctl_node *n)
{
	return snprintf(out, len,
	                "%d %d %s %s %s port %s %d %d %lu %d %x %x %s %s %d %d %d %d %ld %d %llu %llu %llu %llu",
	                FL_CTL_CONTROL, FL_REQ_DUMP_NODES, n->name, n->id, n->host, n->port,
	                n->cipher, n->digest, n->maclength, n->compression, n->options, n->status,
	                n->nexthop, n->via, n->distance, n->mtu, n->minmtu, n->maxmtu,
	                n->last_state_change, n->udp_ping_rtt, n->in_packets, n->in_bytes,
	                n->out_packets, n->out_bytes);
}

int fl_ctl_format_edge(char *out, size_t len, const struct fl_ctl_edge *e)
{
	return snprintf(out, len, "%d %d %s %s %s port %s %s port %s %x %d", FL_CTL_CONTROL,
	                FL_REQ_DUMP_EDGES, e->from, e->to, e->host, e->port, e->local_host,
	                e->local_port, e->options, e->weight);
}

int fl_ctl_format_subnet(char *out, size_t len, const struct fl_ctl_subnet *s)
{
	return snprintf(out, len, "%d %d %s %s", FL_CTL_CONTROL, FL_REQ_DUMP_SUBNETS, s->subnet,
	                s->owner ? s->owner : "(broadcast)");
}

int fl_ctl_format_connection(char *out, size_t len, const struct fl_ctl_connection *c)
{
	return snprintf(out, len, "%d %d %s %s port %s %x %d %x", FL_CTL_CONTROL,
	                FL_REQ_DUMP_CONNECTIONS, c->name, c->host, c->port, c->options, c->socket,
	                c->status);
}

int fl_ctl_format_traffic(char *out, size_t len, const struct fl_ctl_traffic *t)
{
	return snprintf(out, len, "%d %d %s %llu %llu %llu %llu", FL_CTL_CONTROL,
	                FL_REQ_DUMP_TRAFFIC, t->name, t->in_packets, t->in_bytes, t->out_packets,
	                t->out_bytes);
}
