/* SPDX-License-Identifier: MIT */
/* ctl_client.c: control protocol, client side (CONFIG.md §5.1-§5.2).
 * Called by src/cli's control verbs. */
#include "control/ctl_client.h"
#include "control/ctl_pidfile.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

bool fl_ctl_client_sendf(struct fl_ctl_client *c, const char *fmt, ...)
{
	char line[FL_CTL_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(line) - 1)
		return false;
	line[n++] = '\n';
	for (int off = 0; off < n;) {
		ssize_t w = send(c->fd, line + off, (size_t)(n - off), MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += (int)w;
	}
	return true;
}

static bool fill(struct fl_ctl_client *c)
{
	if (c->len == sizeof(c->buf))
		return false;
	for (;;) {
		ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		c->len += (size_t)r;
		return true;
	}
}

bool fl_ctl_client_recvline(struct fl_ctl_client *c, char *line, size_t len)
{
	char *nl;
	while (!(nl = memchr(c->buf, '\n', c->len)))
		if (!fill(c))
			return false;
	size_t n = (size_t)(nl - c->buf);
	if (n + 1 > len)
		return false;
	memcpy(line, c->buf, n);
	line[n] = '\0';
	memmove(c->buf, nl + 1, c->len - n - 1);
	c->len -= n + 1;
	return true;
}

bool fl_ctl_client_recvdata(struct fl_ctl_client *c, void *buf, size_t len)
{
	char *out = buf;
	while (len > 0) {
		if (c->len == 0 && !fill(c))
			return false;
		size_t take = c->len < len ? c->len : len;
		memcpy(out, c->buf, take);
		memmove(c->buf, c->buf + take, c->len - take);
		c->len -= take;
		out += take;
		len -= take;
	}
	return true;
}

void fl_ctl_client_close(struct fl_ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

enum fl_ctl_connect_err fl_ctl_client_greet(struct fl_ctl_client *c, int fd, const char *cookie)
{
	char line[FL_CTL_LINE_MAX];
	int code, ver;
	c->fd = fd;
	c->len = 0;
	if (!fl_ctl_client_sendf(c, "%d ^%s %d", FL_CTL_ID, cookie, FL_CTL_VERSION))
		return FL_CTLC_GREETING;
	if (!fl_ctl_client_recvline(c, line, sizeof(line)) ||
	    sscanf(line, "%d %4095s %d", &code, c->name, &ver) != 3 || code != FL_CTL_ID)
		return FL_CTLC_GREETING;
	if (!fl_ctl_client_recvline(c, line, sizeof(line)) ||
	    sscanf(line, "%d %d %ld", &code, &ver, &c->pid) != 3 || code != FL_CTL_ACK ||
	    ver != FL_CTL_VERSION)
		return FL_CTLC_GREETING;
	return FL_CTLC_OK;
}

enum fl_ctl_connect_err fl_ctl_client_connect(struct fl_ctl_client *c, const char *pidfile,
                                              const char *socket_path, char *err, size_t errlen)
{
	struct fl_pidfile pf;
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (!fl_pidfile_read(pidfile, &pf)) {
		snprintf(err, errlen, "Could not open pid file %s: %s", pidfile,
		         errno ? strerror(errno) : "malformed");
		return FL_CTLC_NOPIDFILE;
	}
	if (kill((pid_t)pf.pid, 0) != 0 && errno == ESRCH) {
		snprintf(err, errlen, "Could not find tincd running at pid %ld", pf.pid);
		unlink(pidfile);
		unlink(socket_path);
		return FL_CTLC_NOTRUNNING;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(socket_path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "UNIX socket filename %s is too long!", socket_path);
		return FL_CTLC_SOCKET;
	}
	strcpy(sa.sun_path, socket_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, errlen, "Cannot connect to UNIX socket %s: %s", socket_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return FL_CTLC_SOCKET;
	}
	enum fl_ctl_connect_err e = fl_ctl_client_greet(c, fd, pf.cookie);
	if (e != FL_CTLC_OK) {
		snprintf(err, errlen, "Cannot read greeting from control socket: %s",
		         errno ? strerror(errno) : "bad reply");
		fl_ctl_client_close(c);
	}
	return e;
}

bool fl_ctl_client_request(struct fl_ctl_client *c, int type, const char *arg, int *result)
{
	char line[FL_CTL_LINE_MAX];
	int code, req;
	bool sent = arg ? fl_ctl_client_sendf(c, "%d %d %s", FL_CTL_CONTROL, type, arg)
	                : fl_ctl_client_sendf(c, "%d %d", FL_CTL_CONTROL, type);
	if (!sent || !fl_ctl_client_recvline(c, line, sizeof(line)))
		return false;
	if (sscanf(line, "%d %d %d", &code, &req, result) != 3 || code != FL_CTL_CONTROL || req != type)
		return false;
	return true;
}
