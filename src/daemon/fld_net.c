/*
 * Sockets of fenliud: the TCP and UDP listeners (one pair per address
 * family, on Port; BindToAddress/ListenAddress are not supported yet),
 * accepting meta connections, and starting outgoing ones for the mesh's
 * CONNECT outputs (the mesh picks the address and does the back-off).
 * Control thread only.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"

static void net_numeric(const struct sockaddr *sa, socklen_t len, char *host, size_t hl,
			char *port, size_t pl)
{
	if (getnameinfo(sa, len, host, hl, port, pl, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(host, hl, "unknown");
		snprintf(port, pl, "unknown");
	}
	/* IPv4-mapped addresses print as plain IPv4, like tinc does. */
	if (!strncmp(host, "::ffff:", 7) && strchr(host + 7, '.'))
		memmove(host, host + 7, strlen(host + 7) + 1);
}

static void net_accept(void *ctx, int fd, unsigned events)
{
	struct fld *d = ctx;
	struct sockaddr_storage sa, local;
	socklen_t len = sizeof(sa), ll = sizeof(local);
	char lhost[64], lport[16];
	int one = 1;
	int s;

	(void)events;
	s = accept4(fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s < 0)
		return;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct fld_conn *c = fld_conn_new(d, s, false, NULL, false);
	if (!c) {
		close(s);
		return;
	}
	net_numeric((struct sockaddr *)&sa, len, c->host, sizeof(c->host), c->port, sizeof(c->port));
	lhost[0] = 0;
	if (getsockname(s, (struct sockaddr *)&local, &ll) == 0)
		net_numeric((struct sockaddr *)&local, ll, lhost, sizeof(lhost), lport, sizeof(lport));
	fl_dlog(FL_DLOG_INFO, "Connection from %s port %s", c->host, c->port);
	fld_conn_accepted(c, lhost);
}

static int net_socket(int family, int type, const char *port, struct sockaddr_storage *bound)
{
	struct sockaddr_storage sa = {0};
	socklen_t len;
	int one = 1;
	int s = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&sa;
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)atoi(port));
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&sa;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)atoi(port));
		len = sizeof(*a);
	}
	if (type == SOCK_DGRAM) {
		int buf = 1 << 20;
		setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		setsockopt(s, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	}
	if (bind(s, (struct sockaddr *)&sa, len) < 0 || (type == SOCK_STREAM && listen(s, 16) < 0)) {
		close(s);
		return -1;
	}
	if (bound) {
		socklen_t bl = sizeof(*bound);
		getsockname(s, (struct sockaddr *)bound, &bl);
	}
	return s;
}

int fld_net_listen(struct fld *d)
{
	static const int families[] = {AF_INET, AF_INET6};
	char port[16];

	snprintf(port, sizeof(port), "%s", d->port);
	for (size_t i = 0; i < 2; i++) {
		struct sockaddr_storage bound;
		int t = net_socket(families[i], SOCK_STREAM, port, &bound);
		if (t < 0)
			continue;
		/* Port 0: the first socket's port is used for everything. */
		if (!strcmp(port, "0")) {
			uint16_t p = bound.ss_family == AF_INET6
					     ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
					     : ntohs(((struct sockaddr_in *)&bound)->sin_port);
			snprintf(port, sizeof(port), "%u", p);
			snprintf(d->port, sizeof(d->port), "%s", port);
		}
		int u = net_socket(families[i], SOCK_DGRAM, port, NULL);
		if (u < 0) {
			close(t);
			continue;
		}
		struct fld_listener *l = &d->listen[d->n_listen++];
		l->tcp = t;
		l->udp = u;
		l->family = families[i];
		fld_watch(d, t, FL_LOOP_READ, net_accept, d);
		fld_watch(d, u, FL_LOOP_READ, fld_dp_udp_readable, d);
		fl_dlog(FL_DLOG_INFO, "Listening on %s port %s",
			families[i] == AF_INET ? "0.0.0.0" : "::", port);
	}
	if (!d->n_listen) {
		fl_dlog(FL_DLOG_ERR, "Unable to create any listening socket on port %s", d->port);
		return -1;
	}
	return 0;
}

void fld_net_close(struct fld *d)
{
	for (size_t i = 0; i < d->n_listen; i++) {
		fld_unwatch(d, d->listen[i].tcp);
		fld_unwatch(d, d->listen[i].udp);
		close(d->listen[i].tcp);
		close(d->listen[i].udp);
	}
	d->n_listen = 0;
}

/* Outgoing connection to node n at host/port (numeric or a name; resolved
 * synchronously, which only Address lines with DNS names pay for). */
void fld_net_connect(struct fld *d, struct mesh_node *n, const char *host, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	struct mesh_out out;
	struct fld_conn *c;
	int one = 1;
	int s = -1;

	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
		goto out_failed;
	s = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		goto out_failed;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	fl_dlog(FL_DLOG_INFO, "Trying to connect to %s (%s port %s)", n->name, host, port);
	if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		fl_dlog(FL_DLOG_INFO, "Could not connect to %s (%s port %s): %s", n->name, host,
			port, strerror(errno));
		goto out_failed;
	}
	c = fld_conn_new(d, s, true, n->name, true);
	if (!c)
		goto out_failed;
	net_numeric(ai->ai_addr, ai->ai_addrlen, c->host, sizeof(c->host), c->port, sizeof(c->port));
	freeaddrinfo(ai);
	return;
out_failed:
	if (s >= 0)
		close(s);
	if (ai)
		freeaddrinfo(ai);
	mesh_out_init(&out);
	mesh_connect_failed(d->mesh, n, fld_mesh_now(), &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
}
