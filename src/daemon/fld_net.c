/* SPDX-License-Identifier: MIT */
/*
 * Sockets of fenliud: the TCP and UDP listeners (one pair per address:
 * each BindToAddress/ListenAddress, else the wildcard of each family that
 * AddressFamily allows, on Port; BindToAddress also binds outgoing ones),
 * accepting meta connections, and starting outgoing ones for the mesh's
 * CONNECT outputs (the mesh picks the address and does the back-off).
 * Control thread only.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "io/tcp.h"
#include "io/udp.h"

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

/* tincd asks getnameinfo for the names of host and service when
 * Hostnames = yes (numeric ones otherwise), blocking as tincd does; a
 * lookup that finds no name gives the numeric text back. */
const char *fld_net_shown(struct fld *d, const char *host, const char *port, char *hb,
			  size_t hl, char *pb, size_t pl)
{
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV}, *ai = NULL;

	snprintf(hb, hl, "%s", host ? host : "");
	snprintf(pb, pl, "%s", port ? port : "");
	if (!d->cfg || !d->cfg->s.hostnames || !host || !port)
		return hb;
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai)
		return hb; /* "unknown", "unspec": shown as they are */
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, hb, hl, pb, pl, 0) != 0) {
		snprintf(hb, hl, "%s", host);
		snprintf(pb, pl, "%s", port);
	}
	freeaddrinfo(ai);
	return hb;
}

static void net_accept(void *ctx, int fd, unsigned events);

/* Watch (or stop watching) every TCP listener for new connections. */
static void net_listeners_watch(struct fld *d, bool on)
{
	for (size_t i = 0; i < d->n_listen; i++) {
		if (on)
			fld_watch(d, d->listen[i].tcp, FL_LOOP_READ, net_accept, d);
		else
			fld_unwatch(d, d->listen[i].tcp);
	}
}

/* accept() failed for want of a descriptor or memory: the connection stays
 * in the backlog and the listener fires again at once, which would spin.
 * Rest the listeners for FLD_ACCEPT_PAUSE_MS (a loop timer resumes them).
 * The cause does not change from one pause to the next: one log line a
 * minute at most, with the count. */
static void net_accept_exhausted(struct fld *d, int err)
{
	struct fld_meta_stats *st = &d->meta_stats;

	st->accept_fd_exhausted++;
	st->accept_paused++;
	if (!d->accept_log || fld_now(d) - d->accept_log >= FL_TIME_S(60)) {
		d->accept_log = fld_now(d);
		fl_dlog(FL_DLOG_ERR,
			"Accepting connections failed: %s; pausing the listeners for %d ms "
			"(%lu times so far)",
			strerror(err), FLD_ACCEPT_PAUSE_MS, st->accept_paused);
	}
	net_listeners_watch(d, false);
	fl_timer_arm(d->loop, &d->accept_timer, FL_TIME_MS(FLD_ACCEPT_PAUSE_MS));
}

static void net_accept_resume(struct fl_loop *loop, struct fl_timer *t, void *arg)
{
	(void)loop;
	(void)t;
	net_listeners_watch(arg, true);
}

/* MaxConnectionBurst (conn_burst.h): true if the connection on s from
 * peer is refused; it is then kept open unserved (the tarpit), closing
 * the oldest held, as tincd does. One log line per 10 s at most. */
static bool net_burst_refused(struct fld *d, int s, const union fl_addr *peer, const char *host)
{
	struct fld_meta_stats *st = &d->meta_stats;
	const uint8_t *a = peer->sa.sa_family == AF_INET6 ? (const uint8_t *)&peer->in6.sin6_addr
							   : (const uint8_t *)&peer->in.sin_addr;
	enum fl_conn_burst_verdict v =
		fl_conn_burst_check(&d->burst, peer->sa.sa_family, a, fl_time_to_s(fld_now(d)));

	if (v == FL_BURST_ACCEPT)
		return false;
	if (v == FL_BURST_SAME_HOST)
		st->burst_same_host++;
	else
		st->burst_total++;
	if (d->tarpit[d->tarpit_next])
		close(d->tarpit[d->tarpit_next] - 1);
	d->tarpit[d->tarpit_next] = s + 1;
	d->tarpit_next = (d->tarpit_next + 1) % FLD_TARPIT;
	if (!d->burst_log || fld_now(d) - d->burst_log >= FL_TIME_S(10)) {
		d->burst_log = fld_now(d);
		fl_dlog(FL_DLOG_WARN,
			"Holding connection from %s unserved: over MaxConnectionBurst %d "
			"(so far %lu from one address, %lu in all)",
			host, d->burst.max, st->burst_same_host, st->burst_total);
	}
	return true;
}

static void net_accept(void *ctx, int fd, unsigned events)
{
	struct fld *d = ctx;
	struct sockaddr_storage local;
	socklen_t ll = sizeof(local);
	union fl_addr peer;
	char host[64], port[16], lhost[64], lport[16];
	int s;

	(void)events;
	s = fl_tcp_accept(fd, &peer); /* with tinc's meta socket options */
	if (s < 0) {
		if (s == -EMFILE || s == -ENFILE || s == -ENOBUFS || s == -ENOMEM)
			net_accept_exhausted(d, -s);
		return;
	}
	net_numeric(&peer.sa, fl_addr_len(&peer), host, sizeof(host), port, sizeof(port));
	if (net_burst_refused(d, s, &peer, host))
		return;
	if (!fld_conn_preauth_admit(d, host)) {
		close(s);
		return;
	}
	struct fld_conn *c = fld_conn_new(d, s, false, NULL, false);
	if (!c) {
		close(s);
		return;
	}
	memcpy(c->host, host, sizeof(c->host));
	memcpy(c->port, port, sizeof(c->port));
	fld_net_shown(d, c->host, c->port, c->shown, sizeof(c->shown), c->shown_port,
		      sizeof(c->shown_port));
	lhost[0] = 0;
	if (getsockname(s, (struct sockaddr *)&local, &ll) == 0)
		net_numeric((struct sockaddr *)&local, ll, lhost, sizeof(lhost), lport, sizeof(lport));
	fl_dlog(FL_DLOG_INFO, "Connection from %s port %s", c->shown, c->shown_port);
	fld_conn_accepted(c, lhost);
}

/* FWMark and BindToInterface on every socket to a peer, as tincd. A
 * listener that cannot bind to the interface fails (-1); an outgoing
 * socket only logs it. */
static int net_sockopts(struct fld *d, int s)
{
	const struct fl_settings *set = &d->boot->s;

	if (set->fwmark && setsockopt(s, SOL_SOCKET, SO_MARK, &set->fwmark, sizeof(set->fwmark)) < 0)
		fl_dlog(FL_DLOG_WARN, "Can't set FWMark %d: %s", set->fwmark, strerror(errno));
	if (set->bind_to_interface &&
	    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, set->bind_to_interface,
		       (socklen_t)strnlen(set->bind_to_interface, IFNAMSIZ - 1)) < 0) {
		fl_dlog(FL_DLOG_ERR, "Can't bind to interface %s: %s", set->bind_to_interface,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* UDPRcvBuf/UDPSndBuf (0: the OS default). The kernel may give less than
 * asked (net.core.rmem_max): said once, when the value was set. */
static void net_udp_buffer(struct fld *d, int s, int opt, const char *var, int want)
{
	int got = 0;
	socklen_t len = sizeof(got);

	if (want <= 0)
		return;
	if (setsockopt(s, SOL_SOCKET, opt, &want, sizeof(want)) < 0) {
		fl_dlog(FL_DLOG_WARN, "Can't set %s to %d: %s", var, want, strerror(errno));
		return;
	}
	/* Linux reports twice the size asked for (bookkeeping included). */
	if (fl_conf_first(&d->boot->tree, var) && getsockopt(s, SOL_SOCKET, opt, &got, &len) == 0 &&
	    got / 2 < want)
		fl_dlog(FL_DLOG_WARN, "%s: the kernel gave %d bytes, not %d (see net.core.%s)", var,
			got / 2, want, opt == SO_RCVBUF ? "rmem_max" : "wmem_max");
}

static int net_socket(struct fld *d, const struct addrinfo *ai, int type,
		      struct sockaddr_storage *bound)
{
	int one = 1;
	int s = socket(ai->ai_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (type == SOCK_DGRAM) {
		net_udp_buffer(d, s, SO_RCVBUF, "UDPRcvBuf", d->boot->s.udp_rcvbuf);
		net_udp_buffer(d, s, SO_SNDBUF, "UDPSndBuf", d->boot->s.udp_sndbuf);
	}
	if (net_sockopts(d, s) < 0 || bind(s, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    (type == SOCK_STREAM && listen(s, 16) < 0)) {
		close(s);
		return -1;
	}
	if (bound) {
		socklen_t bl = sizeof(*bound);
		getsockname(s, (struct sockaddr *)bound, &bl);
	}
	return s;
}

static uint16_t net_port_of(const struct sockaddr_storage *sa)
{
	return sa->ss_family == AF_INET6 ? ntohs(((const struct sockaddr_in6 *)sa)->sin6_port)
					 : ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

static void net_set_port(struct sockaddr_storage *sa, uint16_t port)
{
	if (sa->ss_family == AF_INET6)
		((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)sa)->sin_port = htons(port);
}

/* One TCP + UDP pair on ai's address. A port 0 takes the first pair's
 * port, so every listener shares one (tinc does the same). */
static void net_pair(struct fld *d, const struct addrinfo *ai, bool bindto)
{
	struct sockaddr_storage want, bound;
	struct addrinfo a = *ai;
	char host[64], port[16];
	int t, u;

	if (ai->ai_addrlen > sizeof(want))
		return;
	memset(&want, 0, sizeof(want));
	memcpy(&want, ai->ai_addr, ai->ai_addrlen);
	for (size_t i = 0; i < d->n_listen; i++)
		if (!memcmp(&d->listen[i].sa, &want, sizeof(want)))
			return; /* duplicate address */
	if (d->n_listen >= FLD_MAX_LISTEN) {
		fl_dlog(FL_DLOG_ERR, "Too many listening sockets");
		return;
	}
	if (net_port_of(&want) == 0 && d->n_listen)
		net_set_port(&want, net_port_of(&d->listen[0].bound));
	a.ai_addr = (struct sockaddr *)&want;
	t = net_socket(d, &a, SOCK_STREAM, &bound);
	if (t < 0) {
		net_numeric(a.ai_addr, a.ai_addrlen, host, sizeof(host), port, sizeof(port));
		fl_dlog(FL_DLOG_WARN, "Can't bind to %s port %s: %s", host, port, strerror(errno));
		return;
	}
	net_set_port(&want, net_port_of(&bound)); /* UDP on the TCP port */
	u = net_socket(d, &a, SOCK_DGRAM, NULL);
	if (u < 0) {
		close(t);
		return;
	}
	/* PMTUDiscovery (UDP.md §8): without DF, probes larger than the link
	 * go out fragmented, "succeed", and the PMTU climbs past the path. */
	int df = d->boot->s.pmtu_discovery ? fl_udp_set_df(u, ai->ai_family) : 0;
	if (df < 0)
		fl_dlog(FL_DLOG_WARN, "Can't set DF on the UDP socket: %s", strerror(-df));
	struct fld_listener *l = &d->listen[d->n_listen++];
	memset(l, 0, sizeof(*l));
	l->tcp = t;
	l->udp = u;
	l->family = ai->ai_family;
	l->bindto = bindto;
	memcpy(&l->sa, ai->ai_addr, ai->ai_addrlen);
	l->bound = bound;
	fld_watch(d, t, FL_LOOP_READ, net_accept, d);
	fld_watch(d, u, FL_LOOP_READ, fld_dp_udp_readable, d);
	net_numeric((struct sockaddr *)&bound, a.ai_addrlen, host, sizeof(host), port,
		    sizeof(port));
	fl_dlog(FL_DLOG_INFO, "Listening on %s port %s", host, port);
}

/* "ADDR [PORT]" ("*" = any address) or NULL (the wildcards): resolve
 * passively and open a pair for each answer. */
static int net_add_address(struct fld *d, const char *spec, bool bindto, int family)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_protocol = IPPROTO_TCP,
				 .ai_flags = AI_PASSIVE, .ai_family = family};
	struct addrinfo *ai = NULL;
	char host[1024] = "", port[64];
	int err;

	snprintf(port, sizeof(port), "%s", d->port);
	if (spec && sscanf(spec, "%1023s %63s", host, port) < 1)
		host[0] = 0;
	if (!strcmp(host, "*"))
		host[0] = 0;
	err = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (err || !ai) {
		fl_dlog(FL_DLOG_ERR, "Can't resolve listen address '%s': %s", spec ? spec : "*",
			gai_strerror(err));
		return -1;
	}
	for (struct addrinfo *p = ai; p; p = p->ai_next)
		net_pair(d, p, bindto);
	freeaddrinfo(ai);
	return 0;
}

int fld_net_listen(struct fld *d)
{
	/* Listeners are set up once; a reload keeps them (as tinc). */
	const struct fl_settings *s = &d->boot->s;
	const struct fl_strv *bind = &s->bind_to_address, *listen = &s->listen_address;
	int fam = s->address_family == FL_AF_IPV4 ? AF_INET
		  : s->address_family == FL_AF_IPV6 ? AF_INET6 : AF_UNSPEC;

	fl_timer_init(&d->accept_timer, net_accept_resume, d);
	fl_conn_burst_init(&d->burst, s->max_connection_burst);

	for (size_t i = 0; i < bind->n; i++)
		if (net_add_address(d, bind->v[i], true, fam) < 0)
			return -1;
	for (size_t i = 0; i < listen->n; i++)
		if (net_add_address(d, listen->v[i], false, fam) < 0)
			return -1;
	if (!bind->n && !listen->n) {
		/* IPv4 first, then IPv6, each if AddressFamily allows it. */
		if (fam != AF_INET6)
			net_add_address(d, NULL, false, AF_INET);
		if (fam != AF_INET)
			net_add_address(d, NULL, false, AF_INET6);
	}
	if (!d->n_listen) {
		fl_dlog(FL_DLOG_ERR, "Unable to create any listening socket on port %s", d->port);
		return -1;
	}
	/* No Port, or Port 0: the first listener's port is ours (announced). */
	if (!d->port_specified || !strcmp(d->port, "0"))
		snprintf(d->port, sizeof(d->port), "%u", net_port_of(&d->listen[0].bound));
	return 0;
}

/* BindToAddress: an outgoing socket takes the source address of the only
 * bindto listener of its family, port 0 (none or several: leave it). */
static void net_bind_outgoing(struct fld *d, int s, int family)
{
	struct sockaddr_storage sa;
	int k = -1;

	for (size_t i = 0; i < d->n_listen && d->listen[i].bindto; i++) {
		if (d->listen[i].family != family)
			continue;
		if (k >= 0)
			return;
		k = (int)i;
	}
	if (k < 0)
		return;
	sa = d->listen[k].sa;
	net_set_port(&sa, 0);
	if (bind(s, (struct sockaddr *)&sa, family == AF_INET6 ? sizeof(struct sockaddr_in6)
							       : sizeof(struct sockaddr_in)) < 0)
		fl_dlog(FL_DLOG_WARN, "Can't bind outgoing socket: %s", strerror(errno));
}

void fld_net_close(struct fld *d)
{
	if (d->loop)
		fl_timer_cancel(d->loop, &d->accept_timer);
	for (size_t i = 0; i < d->n_listen; i++) {
		fld_unwatch(d, d->listen[i].tcp);
		fld_unwatch(d, d->listen[i].udp);
		close(d->listen[i].tcp);
		close(d->listen[i].udp);
	}
	d->n_listen = 0;
	for (size_t i = 0; i < FLD_TARPIT; i++) {
		if (d->tarpit[i])
			close(d->tarpit[i] - 1);
		d->tarpit[i] = 0;
	}
}

/* A socket connecting to ai (the peer, or its proxy), with tinc's meta
 * socket options; -1 if it failed at once (logged). */
static int net_connect_to(struct fld *d, struct mesh_node *n, const struct addrinfo *ai,
			  const char *host, const char *port)
{
	int one = 1;
	int s = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	fl_tcp_set_meta_opts(s);
	if (ai->ai_family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	net_sockopts(d, s); /* logged; tincd connects anyway */
	net_bind_outgoing(d, s, ai->ai_family);
	if (connect(s, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		fl_dlog(FL_DLOG_INFO, "Could not connect to %s (%s port %s): %s", n->name, host,
			port, strerror(errno));
		close(s);
		return -1;
	}
	return s;
}

/* Outgoing connection to node n at host/port (numeric or a name; resolved
 * synchronously, which only Address lines with DNS names pay for), through
 * the Proxy if one is set (fld_proxy.c). */
void fld_net_connect(struct fld *d, struct mesh_node *n, const char *host, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL, *pai = NULL;
	struct fl_proxy_conf px;
	struct mesh_out out;
	struct fld_conn *c = NULL;
	int s = -1;
	int gai = getaddrinfo(host, port, &hints, &ai);

	fld_proxy_conf(d, &px);
	if (px.type != FL_PROXY_NONE && px.type != FL_PROXY_EXEC)
		pai = fld_proxy_resolve(&px);
	fl_loop_update_now(d->loop); /* resolving a DNS name may have taken seconds */
	if (gai != 0 || !ai || (px.type != FL_PROXY_NONE && px.type != FL_PROXY_EXEC && !pai))
		goto out_failed;
	char sh[NI_MAXHOST], sp[NI_MAXSERV];
	fl_dlog(FL_DLOG_INFO, "Trying to connect to %s (%s port %s)", n->name,
		fld_net_shown(d, host, port, sh, sizeof(sh), sp, sizeof(sp)), sp);
	if (px.type == FL_PROXY_EXEC) {
		char h[64], p[16];
		net_numeric(ai->ai_addr, ai->ai_addrlen, h, sizeof(h), p, sizeof(p));
		s = fld_proxy_exec(d, &px, n->name, h, p);
	} else {
		s = net_connect_to(d, n, pai ? pai : ai, host, port);
	}
	if (s < 0 || !(c = fld_conn_new(d, s, true, n->name, true)))
		goto out_failed;
	net_numeric(ai->ai_addr, ai->ai_addrlen, c->host, sizeof(c->host), c->port, sizeof(c->port));
	fld_net_shown(d, c->host, c->port, c->shown, sizeof(c->shown), c->shown_port,
		      sizeof(c->shown_port));
	if (pai && fld_proxy_attach(c, &px, ai) < 0) {
		freeaddrinfo(ai);
		freeaddrinfo(pai);
		fld_conn_close(c, "proxy request impossible");
		return;
	}
	freeaddrinfo(ai);
	if (pai)
		freeaddrinfo(pai);
	return;
out_failed:
	if (s >= 0)
		close(s);
	if (ai)
		freeaddrinfo(ai);
	if (pai)
		freeaddrinfo(pai);
	mesh_out_init(&out);
	mesh_connect_failed(d->mesh, n, fld_now(d), &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
}
