/* SPDX-License-Identifier: MIT */
/*
 * mesh_out.c: the output list every mesh call appends to (lines to send,
 * connections to close or open, events). Items own their strings and
 * buffers; mesh_out_clear() frees them. An allocation failure drops the
 * item and sets o->oom so the daemon can log it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh_internal.h"

char *mesh_strdup(const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

void mesh_out_init(struct mesh_out *o)
{
	memset(o, 0, sizeof(*o));
}

void mesh_out_clear(struct mesh_out *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].text);
		free(o->v[i].data);
		free(o->v[i].host);
		free(o->v[i].port);
	}
	free(o->v);
	memset(o, 0, sizeof(*o));
}

struct mesh_out_item *mesh_out_push(struct mesh_out *o, enum mesh_out_kind k)
{
	struct mesh_out_item *it;

	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		struct mesh_out_item *v = realloc(o->v, cap * sizeof(*v));
		if (!v) {
			o->oom = true;
			return NULL;
		}
		o->v = v;
		o->cap = cap;
	}
	it = &o->v[o->n++];
	memset(it, 0, sizeof(*it));
	it->kind = k;
	it->conn = MESH_CONN_NONE;
	return it;
}

void mesh_out_send(struct mesh_out *o, enum mesh_out_kind k, int32_t conn,
		   const char *text)
{
	struct mesh_out_item *it = mesh_out_push(o, k);

	if (!it)
		return;
	it->conn = conn;
	it->text = mesh_strdup(text);
	if (!it->text) {
		o->n--;
		o->oom = true;
		return;
	}
	it->text_len = strlen(text);
}

/* Events carry a copy of the node's UDP address as it was when they
 * happened (REMOTEADDRESS/REMOTEPORT of scripts). */
static void copy_addr(struct mesh_out *o, struct mesh_out_item *it,
		      const struct mesh_node *n)
{
	if (!n)
		return;
	it->host = mesh_strdup(n->addr[0] ? n->addr : "unspec");
	it->port = mesh_strdup(n->port[0] ? n->port : "unspec");
	if (!it->host || !it->port)
		o->oom = true;
}

void mesh_out_event(struct mesh_out *o, enum mesh_out_kind k,
		    struct mesh_node *n)
{
	struct mesh_out_item *it = mesh_out_push(o, k);

	if (!it)
		return;
	it->node = n;
	if (k == MESH_EV_HOST_UP || k == MESH_EV_HOST_DOWN)
		copy_addr(o, it, n);
}

void mesh_out_subnet(struct mesh_out *o, enum mesh_out_kind k,
		     const struct mesh_subnet *s)
{
	struct mesh_out_item *it = mesh_out_push(o, k);

	if (!it)
		return;
	it->node = s->owner;
	it->subnet = *s;
	copy_addr(o, it, s->owner);
}

void mesh_out_log(struct mesh_out *o, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mesh_out_send(o, MESH_EV_LOG, MESH_CONN_NONE, buf);
}

void mesh_out_close(struct mesh_out *o, int32_t conn, const char *reason)
{
	struct mesh_out_item *it = mesh_out_push(o, MESH_OUT_CLOSE);

	if (!it)
		return;
	it->conn = conn;
	it->reason = reason;
}
