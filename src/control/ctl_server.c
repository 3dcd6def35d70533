/* SPDX-License-Identifier: MIT */
/* ctl_server.c: control socket listener and client fds around ctl_session.c.
 * Called by the daemon's event loop on the control thread (ctl_server.h). */
#include "control/ctl_server.h"
#include "log/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* A slow `fenliu log` / `pcap` reader may hold at most this much. */
#define STREAM_CAP (4u << 20)

struct client {
	int fd;
	struct fl_ctl_session s;
};

struct fl_ctl_server {
	const struct fl_ctl_provider *p;
	const struct fl_ctl_loop_ops *loop;
	const char *cookie;
	long pid;
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct client **c;
	size_t n;
	pthread_t owner;
};

struct fl_ctl_server *fl_ctl_server_new(const struct fl_ctl_provider *provider,
                                        const struct fl_ctl_loop_ops *loop,
                                        const char *cookie, long pid)
{
	struct fl_ctl_server *srv = calloc(1, sizeof(*srv));
	if (!srv)
		return NULL;
	srv->p = provider;
	srv->loop = loop;
	srv->cookie = cookie;
	srv->pid = pid;
	srv->lfd = -1;
	srv->owner = pthread_self();
	return srv;
}

static void watch(struct fl_ctl_server *srv, int fd, bool w)
{
	if (srv->loop && srv->loop->watch)
		srv->loop->watch(srv->loop->ctx, fd, w);
}

/* True when some process accepts connections on path. */
static bool socket_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return alive;
}

int fl_ctl_server_listen(struct fl_ctl_server *srv, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (socket_alive(&sa)) {
		errno = EADDRINUSE;
		return -1;
	}
	unlink(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	mode_t old = umask(0077);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r != 0 || listen(fd, 3) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	srv->lfd = fd;
	strcpy(srv->path, path);
	watch(srv, fd, false);
	return fd;
}

static int find(const struct fl_ctl_server *srv, int fd)
{
	for (size_t i = 0; i < srv->n; i++)
		if (srv->c[i]->fd == fd)
			return (int)i;
	return -1;
}

static size_t max_log_level(const struct fl_ctl_server *srv, bool *any)
{
	int lvl = -1;
	*any = false;
	for (size_t i = 0; i < srv->n; i++) {
		const struct fl_ctl_session *s = &srv->c[i]->s;
		if (!s->log)
			continue;
		*any = true;
		int l = s->log_level == -1 ? FL_DEBUG_SCARY_THINGS : s->log_level;
		if (l > lvl)
			lvl = l;
	}
	return (size_t)(lvl < 0 ? 0 : lvl);
}

static void log_sink(void *ctx, int level, int priority, const char *msg);

static void update_sink(struct fl_ctl_server *srv)
{
	bool any;
	size_t lvl = max_log_level(srv, &any);
	fl_log_set_sink(any ? log_sink : NULL, srv, (int)lvl);
}

static void drop(struct fl_ctl_server *srv, size_t i)
{
	struct client *c = srv->c[i];
	if (srv->loop && srv->loop->unwatch)
		srv->loop->unwatch(srv->loop->ctx, c->fd);
	close(c->fd);
	fl_ctl_session_free(&c->s);
	free(c);
	srv->c[i] = srv->c[--srv->n];
	update_sink(srv);
}

/* Writes what is pending; returns false on a hard error. */
static bool flush(struct client *c)
{
	while (c->s.out_len > 0) {
		ssize_t w = send(c->fd, c->s.out, c->s.out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		fl_ctl_session_consumed(&c->s, (size_t)w);
	}
	return true;
}

static void after_io(struct fl_ctl_server *srv, size_t i, bool ok)
{
	struct client *c = srv->c[i];
	ok = flush(c) && ok;
	if (!ok) {
		drop(srv, i);
		return;
	}
	watch(srv, c->fd, c->s.out_len > 0);
	update_sink(srv);
}

bool fl_ctl_server_adopt(struct fl_ctl_server *srv, int fd, const char *first_line)
{
	struct client *c = calloc(1, sizeof(*c));
	struct client **nc = c ? realloc(srv->c, (srv->n + 1) * sizeof(*nc)) : NULL;
	if (!nc) {
		free(c);
		close(fd);
		return false;
	}
	srv->c = nc;
	c->fd = fd;
	fl_ctl_session_init(&c->s, srv->cookie, srv->pid);
	srv->c[srv->n++] = c;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	bool ok = true;
	if (first_line) {
		char line[FL_CTL_LINE_MAX];
		strncpy(line, first_line, sizeof(line) - 1);
		line[sizeof(line) - 1] = '\0';
		ok = fl_ctl_session_line(&c->s, srv->p, line);
	}
	after_io(srv, srv->n - 1, ok);
	return ok;
}

void fl_ctl_server_on_accept(struct fl_ctl_server *srv)
{
	int fd = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			fl_log(FL_DEBUG_ALWAYS, LOG_ERR, "control: accept: %s", strerror(errno));
		return;
	}
	fl_ctl_server_adopt(srv, fd, NULL);
}

void fl_ctl_server_on_event(struct fl_ctl_server *srv, int fd, bool readable, bool writable)
{
	int i = find(srv, fd);
	if (i < 0)
		return;
	struct client *c = srv->c[i];
	bool ok = true;
	if (readable) {
		char buf[4096];
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r > 0)
			ok = fl_ctl_session_input(&c->s, srv->p, buf, (size_t)r);
		else if (r == 0 || (errno != EAGAIN && errno != EINTR))
			ok = false;
	}
	(void)writable;
	/* The provider may have dropped other clients meanwhile: look again. */
	i = find(srv, fd);
	if (i >= 0)
		after_io(srv, (size_t)i, ok);
}

static void log_sink(void *ctx, int level, int priority, const char *msg)
{
	struct fl_ctl_server *srv = ctx;
	if (!pthread_equal(pthread_self(), srv->owner))
		return; /* client buffers belong to the control thread */
	for (size_t i = 0; i < srv->n; i++) {
		struct client *c = srv->c[i];
		size_t before = c->s.out_len;
		fl_ctl_session_log(&c->s, level, priority, msg, fl_log_level(), STREAM_CAP);
		if (before == 0 && c->s.out_len > 0)
			watch(srv, c->fd, true);
	}
}

void fl_ctl_server_each_connection(struct fl_ctl_server *srv, fl_ctl_connection_fn *emit,
                                   void *sink)
{
	for (size_t i = 0; i < srv->n; i++) {
		const struct fl_ctl_session *s = &srv->c[i]->s;
		struct fl_ctl_connection rec = {
			.name = "<control>", .host = "localhost", .port = "unix", .options = 0,
			.socket = srv->c[i]->fd,
			.status = FL_CONN_CONTROL | (s->log ? FL_CONN_LOG : 0) |
			          (s->log_color ? FL_CONN_LOG_COLOR : 0) | (s->pcap ? FL_CONN_PCAP : 0),
		};
		emit(sink, &rec);
	}
}

bool fl_ctl_server_pcap_wanted(const struct fl_ctl_server *srv)
{
	for (size_t i = 0; i < srv->n; i++)
		if (srv->c[i]->s.pcap)
			return true;
	return false;
}

bool fl_ctl_server_pcap(struct fl_ctl_server *srv, const void *pkt, size_t len)
{
	bool wanted = false;

	if (!pthread_equal(pthread_self(), srv->owner))
		return fl_ctl_server_pcap_wanted(srv); /* buffers: control thread only */
	for (size_t i = 0; i < srv->n; i++) {
		struct client *c = srv->c[i];
		size_t before = c->s.out_len;
		wanted |= c->s.pcap;
		fl_ctl_session_pcap(&c->s, pkt, len, STREAM_CAP);
		if (before == 0 && c->s.out_len > 0)
			watch(srv, c->fd, true);
	}
	return wanted;
}

size_t fl_ctl_server_clients(const struct fl_ctl_server *srv)
{
	return srv->n;
}

void fl_ctl_server_free(struct fl_ctl_server *srv)
{
	if (!srv)
		return;
	fl_log_set_sink(NULL, NULL, -1);
	while (srv->n > 0) {
		struct client *c = srv->c[srv->n - 1];
		/* Last replies (STOP's "18 0 0") go out before the close. */
		for (int tries = 0; c->s.out_len > 0 && tries < 10; tries++) {
			struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};
			if (poll(&pfd, 1, 100) <= 0 || !flush(c))
				break;
		}
		drop(srv, srv->n - 1);
	}
	if (srv->lfd >= 0) {
		if (srv->loop && srv->loop->unwatch)
			srv->loop->unwatch(srv->loop->ctx, srv->lfd);
		close(srv->lfd);
		unlink(srv->path);
	}
	free(srv->c);
	free(srv);
}
