/* SPDX-License-Identifier: MIT */
/* ctl_session.c: the server side of tinc's control protocol (CONFIG.md §5)
 * over byte buffers: cookie check, greeting, request dispatch, dumps.
 * Called by ctl_server.c (UNIX socket) and the daemon (TCP with cookie). */
#include "control/ctl_session.h"
#include "log/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fl_ctl_session_init(struct fl_ctl_session *s, const char *cookie, long pid)
{
	memset(s, 0, sizeof(*s));
	s->cookie = cookie;
	s->pid = pid;
	s->log_level = -1;
}

void fl_ctl_session_free(struct fl_ctl_session *s)
{
	free(s->out);
	s->out = NULL;
	s->out_len = s->out_cap = 0;
	s->state = FL_CTL_CLOSED;
}

bool fl_ctl_session_send_raw(struct fl_ctl_session *s, const void *buf, size_t len, size_t cap)
{
	if (cap && (s->out_len > cap || len > cap - s->out_len))
		return false;
	if (s->out_cap - s->out_len < len) {
		size_t ncap = s->out_cap ? s->out_cap : 1024;
		while (ncap - s->out_len < len)
			ncap *= 2;
		char *n = realloc(s->out, ncap);
		if (!n)
			return false;
		s->out = n;
		s->out_cap = ncap;
	}
	memcpy(s->out + s->out_len, buf, len);
	s->out_len += len;
	return true;
}

bool fl_ctl_session_send_line(struct fl_ctl_session *s, const char *line, size_t cap)
{
	size_t len = strlen(line);
	if (cap && (s->out_len > cap || len + 1 > cap - s->out_len))
		return false;
	return fl_ctl_session_send_raw(s, line, len, 0) && fl_ctl_session_send_raw(s, "\n", 1, 0);
}

void fl_ctl_session_consumed(struct fl_ctl_session *s, size_t n)
{
	if (n >= s->out_len) {
		s->out_len = 0;
		return;
	}
	memmove(s->out, s->out + n, s->out_len - n);
	s->out_len -= n;
}

static bool sendf(struct fl_ctl_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool sendf(struct fl_ctl_session *s, const char *fmt, ...)
{
	char line[FL_CTL_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return false;
	return fl_ctl_session_send_line(s, line, 0);
}

bool fl_ctl_is_control_id(const char *line)
{
	int req;
	char name[8];
	return sscanf(line, "%d %7s", &req, name) == 2 && req == FL_CTL_ID && name[0] == '^';
}

/* "0 ^COOKIE VERSION": the cookie must match exactly. */
static bool handle_id(struct fl_ctl_session *s, const struct fl_ctl_provider *p, const char *line)
{
	int req, ver;
	char name[FL_CTL_COOKIE_LEN + 16];
	if (sscanf(line, "%d %72s %d", &req, name, &ver) != 3 || req != FL_CTL_ID)
		return false;
	if (name[0] != '^' || strcmp(name + 1, s->cookie) != 0)
		return false;
	const char *me = p && p->name ? p->name(p->ctx) : "fenliu";
	s->state = FL_CTL_READY;
	return sendf(s, "%d %s %s", FL_CTL_ID, me, FL_CTL_PROTOCOL) &&
	       sendf(s, "%d %d %ld", FL_CTL_ACK, FL_CTL_VERSION, s->pid);
}

/* The emit callbacks: sink is the session. */
static void emit_node(void *sink, const struct fl_ctl_node *n)
{
	char line[FL_CTL_LINE_MAX];
	if (fl_ctl_format_node(line, sizeof(line), n) < (int)sizeof(line))
		fl_ctl_session_send_line(sink, line, 0);
}

static void emit_edge(void *sink, const struct fl_ctl_edge *e)
{
	char line[FL_CTL_LINE_MAX];
	if (fl_ctl_format_edge(line, sizeof(line), e) < (int)sizeof(line))
		fl_ctl_session_send_line(sink, line, 0);
}

static void emit_subnet(void *sink, const struct fl_ctl_subnet *sn)
{
	char line[FL_CTL_LINE_MAX];
	if (fl_ctl_format_subnet(line, sizeof(line), sn) < (int)sizeof(line))
		fl_ctl_session_send_line(sink, line, 0);
}

static void emit_connection(void *sink, const struct fl_ctl_connection *c)
{
	char line[FL_CTL_LINE_MAX];
	if (fl_ctl_format_connection(line, sizeof(line), c) < (int)sizeof(line))
		fl_ctl_session_send_line(sink, line, 0);
}

static void emit_traffic(void *sink, const struct fl_ctl_traffic *t)
{
	char line[FL_CTL_LINE_MAX];
	if (fl_ctl_format_traffic(line, sizeof(line), t) < (int)sizeof(line))
		fl_ctl_session_send_line(sink, line, 0);
}

static void emit_route(void *sink, const char *prefix, const char *node)
{
	sendf(sink, "%d %d %s %s", FL_CTL_CONTROL, FL_REQ_DUMP_ROUTES, prefix, node);
}

static void emit_stat(void *sink, const char *scope, const char *name, unsigned long long value)
{
	sendf(sink, "%d %d %s %s %llu", FL_CTL_CONTROL, FL_REQ_DUMP_STATS, scope, name, value);
}

/* A text dump's sink: the session and the request being answered. */
struct line_sink {
	struct fl_ctl_session *s;
	int req;
};

/* Text dump lines carry no newline (a line is one record). */
static void emit_line(void *sink, const char *line)
{
	struct line_sink *ls = sink;
	if (!strchr(line, '\n'))
		sendf(ls->s, "%d %d %s", FL_CTL_CONTROL, ls->req, line);
}

static bool dump(struct fl_ctl_session *s, const struct fl_ctl_provider *p, int req)
{
	switch (req) {
	case FL_REQ_DUMP_NODES:
		if (p->each_node)
			p->each_node(p->ctx, emit_node, s);
		break;
	case FL_REQ_DUMP_EDGES:
		if (p->each_edge)
			p->each_edge(p->ctx, emit_edge, s);
		break;
	case FL_REQ_DUMP_SUBNETS:
		if (p->each_subnet)
			p->each_subnet(p->ctx, emit_subnet, s);
		break;
	case FL_REQ_DUMP_CONNECTIONS:
		if (p->each_connection)
			p->each_connection(p->ctx, emit_connection, s);
		break;
	case FL_REQ_DUMP_TRAFFIC:
		if (p->each_traffic)
			p->each_traffic(p->ctx, emit_traffic, s);
		break;
	case FL_REQ_DUMP_ROUTES:
		if (p->each_route)
			p->each_route(p->ctx, emit_route, s);
		break;
	case FL_REQ_DUMP_STATS:
		if (p->each_stat)
			p->each_stat(p->ctx, emit_stat, s);
		break;
	case FL_REQ_DUMP_OFFLOAD:
	case FL_REQ_DUMP_NAT:
	case FL_REQ_DUMP_NEIGHBOURS: {
		struct line_sink ls = {s, req};
		if (p->each_line)
			p->each_line(p->ctx, req, emit_line, &ls);
		break;
	}
	}
	return sendf(s, "%d %d", FL_CTL_CONTROL, req);
}

static bool handle_control(struct fl_ctl_session *s, const struct fl_ctl_provider *p,
                           const char *line)
{
	int req, type, a = 0, b = 0;
	char name[FL_CTL_LINE_MAX];
	if (sscanf(line, "%d %d", &req, &type) != 2 || req != FL_CTL_CONTROL) {
		fl_log(FL_DEBUG_ALWAYS, LOG_ERR, "control: unauthorized or bad request: '%.60s'", line);
		return false;
	}
	switch (type) {
	case FL_REQ_STOP:
		s->want_stop = true;
		if (p->stop)
			p->stop(p->ctx);
		return sendf(s, "%d %d %d", FL_CTL_CONTROL, type, 0);
	case FL_REQ_RELOAD:
		fl_log(FL_DEBUG_ALWAYS, LOG_NOTICE, "Got '%s' command", "reload");
		return sendf(s, "%d %d %d", FL_CTL_CONTROL, type, p->reload ? p->reload(p->ctx) : EINVAL);
	case FL_REQ_DUMP_NODES:
	case FL_REQ_DUMP_EDGES:
	case FL_REQ_DUMP_SUBNETS:
	case FL_REQ_DUMP_CONNECTIONS:
	case FL_REQ_DUMP_TRAFFIC:
	case FL_REQ_DUMP_ROUTES:
	case FL_REQ_DUMP_STATS:
	case FL_REQ_DUMP_OFFLOAD:
	case FL_REQ_DUMP_NAT:
	case FL_REQ_DUMP_NEIGHBOURS:
		return dump(s, p, type);
	case FL_REQ_PURGE:
		if (p->purge)
			p->purge(p->ctx);
		return sendf(s, "%d %d %d", FL_CTL_CONTROL, type, 0);
	case FL_REQ_SET_DEBUG:
		if (sscanf(line, "%*d %*d %d", &a) != 1)
			return false;
		if (p->set_debug) {
			b = p->set_debug(p->ctx, a);
		} else {
			b = fl_log_level();
			if (a >= 0)
				fl_log_set_level(a);
		}
		return sendf(s, "%d %d %d", FL_CTL_CONTROL, type, b);
	case FL_REQ_RETRY:
		if (p->retry)
			p->retry(p->ctx);
		return sendf(s, "%d %d %d", FL_CTL_CONTROL, type, 0);
	case FL_REQ_DISCONNECT:
		if (sscanf(line, "%*d %*d %4095s", name) != 1)
			return sendf(s, "%d %d %d", FL_CTL_CONTROL, type, -1);
		return sendf(s, "%d %d %d", FL_CTL_CONTROL, type,
		             p->disconnect ? p->disconnect(p->ctx, name) : -2);
	case FL_REQ_PCAP:
		sscanf(line, "%*d %*d %d", &s->snaplen);
		s->pcap = true;
		return true;
	case FL_REQ_LOG:
		sscanf(line, "%*d %*d %d %d", &a, &b);
		s->log_level = a < -1 ? -1 : a > FL_DEBUG_SCARY_THINGS ? FL_DEBUG_SCARY_THINGS : a;
		s->log_color = b != 0;
		s->log = true;
		return true;
	default:
		return sendf(s, "%d %d", FL_CTL_CONTROL, FL_REQ_INVALID);
	}
}

bool fl_ctl_session_line(struct fl_ctl_session *s, const struct fl_ctl_provider *p, char *line)
{
	switch (s->state) {
	case FL_CTL_AWAIT_ID:
		if (handle_id(s, p, line))
			return true;
		fl_log(FL_DEBUG_CONNECTIONS, LOG_ERR, "control: bad greeting or cookie");
		break;
	case FL_CTL_READY:
		if (handle_control(s, p, line))
			return true;
		break;
	case FL_CTL_CLOSED:
		break;
	}
	s->state = FL_CTL_CLOSED;
	return false;
}

bool fl_ctl_session_input(struct fl_ctl_session *s, const struct fl_ctl_provider *p,
                          const char *buf, size_t len)
{
	while (len > 0 && s->state != FL_CTL_CLOSED) {
		size_t room = sizeof(s->in) - s->in_len;
		size_t take = len < room ? len : room;
		memcpy(s->in + s->in_len, buf, take);
		s->in_len += take;
		buf += take;
		len -= take;
		char *nl;
		while (s->state != FL_CTL_CLOSED && (nl = memchr(s->in, '\n', s->in_len)) != NULL) {
			*nl = '\0';
			size_t used = (size_t)(nl - s->in) + 1;
			if (used > 1 && nl[-1] == '\r')
				nl[-1] = '\0';
			bool ok = fl_ctl_session_line(s, p, s->in);
			memmove(s->in, s->in + used, s->in_len - used);
			s->in_len -= used;
			if (!ok)
				return false;
		}
		if (s->in_len == sizeof(s->in)) {
			s->state = FL_CTL_CLOSED; /* a line longer than the buffer */
			return false;
		}
	}
	return s->state != FL_CTL_CLOSED;
}

void fl_ctl_session_log(struct fl_ctl_session *s, int level, int priority, const char *msg,
                        int daemon_level, size_t cap)
{
	if (!s->log || s->state != FL_CTL_READY)
		return;
	if (level > (s->log_level != -1 ? s->log_level : daemon_level))
		return;
	char text[1200], head[64];
	size_t n = fl_log_format(text, sizeof(text), priority, msg, s->log_color);
	snprintf(head, sizeof(head), "%d %d %zu\n", FL_CTL_CONTROL, FL_REQ_LOG, n);
	size_t hl = strlen(head);
	if (cap && (s->out_len > cap || hl + n > cap - s->out_len))
		return; /* stalled reader: drop rather than grow */
	fl_ctl_session_send_raw(s, head, hl, 0);
	fl_ctl_session_send_raw(s, text, n, 0);
}

void fl_ctl_session_pcap(struct fl_ctl_session *s, const void *pkt, size_t len, size_t cap)
{
	if (!s->pcap || s->state != FL_CTL_READY)
		return;
	if (s->snaplen > 0 && len > (size_t)s->snaplen)
		len = (size_t)s->snaplen;
	char head[64];
	snprintf(head, sizeof(head), "%d %d %zu\n", FL_CTL_CONTROL, FL_REQ_PCAP, len);
	size_t hl = strlen(head);
	if (cap && (s->out_len > cap || hl + len > cap - s->out_len))
		return;
	fl_ctl_session_send_raw(s, head, hl, 0);
	fl_ctl_session_send_raw(s, pkt, len, 0);
}
