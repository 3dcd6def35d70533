/* SPDX-License-Identifier: MIT */
/*
 * Outgoing meta connections through tinc's Proxy (fenliu.conf(5)): the
 * socket to a SOCKS 4, SOCKS 5 or HTTP CONNECT proxy and its handshake
 * (io/proxy.c does the bytes), or, for `exec`, a command whose stdin and
 * stdout become the connection. Incoming connections never use it, as in
 * tinc. The setting is read at each connection, so a reload applies to the
 * next one. Control thread only.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"

extern char **environ;

void fld_proxy_conf(const struct fld *d, struct fl_proxy_conf *px)
{
	char why[128];

	/* Checked at load (conf_vars.c): a failure here cannot happen. */
	if (!fl_proxy_conf_parse(d->cfg->s.proxy, px, why, sizeof(why)))
		px->type = FL_PROXY_NONE;
}

/* The proxy's own address, resolved now (a name may point elsewhere
 * later, as tincd resolves it at each connection too). */
struct addrinfo *fld_proxy_resolve(const struct fl_proxy_conf *px)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	int err = getaddrinfo(px->host, px->port, &hints, &ai);

	if (err || !ai) {
		fl_dlog(FL_DLOG_ERR, "Can't resolve the %s proxy %s port %s: %s",
			fl_proxy_type_name(px->type), px->host, px->port, gai_strerror(err));
		return NULL;
	}
	fl_dlog(FL_DLOG_INFO, "Using proxy at %s port %s", px->host, px->port);
	return ai;
}

/* KEY=VALUE into a buffer the child's environment points to. */
static char *env_var(const char *key, const char *value)
{
	size_t n = strlen(key) + strlen(value) + 2;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s=%s", key, value);
	return s;
}

/* The command's environment: ours minus stale copies, plus NAME, NODE,
 * REMOTEADDRESS, REMOTEPORT and NETNAME as tincd sets them. Built before
 * the fork: the child of a threaded process may not allocate. */
static char **exec_env(const struct fld *d, const char *node, const char *host, const char *port,
		       size_t *inherited)
{
	static const char *const keys[] = {"NAME=", "NODE=", "REMOTEADDRESS=", "REMOTEPORT=",
					   "NETNAME=", NULL};
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 6, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bool stale = false;
		for (size_t j = 0; keys[j]; j++)
			stale |= !strncmp(environ[i], keys[j], strlen(keys[j]));
		if (!stale)
			env[k++] = environ[i];
	}
	*inherited = k;
	env[k++] = env_var("NAME", d->name);
	env[k++] = env_var("NODE", node);
	env[k++] = env_var("REMOTEADDRESS", host);
	env[k++] = env_var("REMOTEPORT", port);
	if (d->netname)
		env[k++] = env_var("NETNAME", d->netname);
	return env;
}

static void exec_env_free(char **env, size_t inherited)
{
	if (!env)
		return;
	for (size_t i = inherited; i < inherited + 5; i++)
		free(env[i]);
	free(env);
}

/* Child: the socket on stdin and stdout, signals as for a fresh process,
 * then `sh -c COMMAND` from a grandchild, so the daemon waits for nothing
 * (the command ends when the connection closes its socket). */
static void exec_child(int fd, const char *command, char **env)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (fork() != 0)
		_exit(0);
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0)
		_exit(127);
	if (fd > 1)
		close(fd);
	execve("/bin/sh", (char *const[]){"sh", "-c", (char *)command, NULL}, env);
	_exit(127);
}

/* Proxy = exec COMMAND: our end of a socket pair, or -1 (logged). */
int fld_proxy_exec(struct fld *d, const struct fl_proxy_conf *px, const char *node,
		   const char *host, const char *port)
{
	int sv[2], status;
	char **env;
	size_t inherited = 0;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		fl_dlog(FL_DLOG_ERR, "Could not create socketpair: %s", strerror(errno));
		return -1;
	}
	env = exec_env(d, node, host, port, &inherited);
	pid = env ? fork() : -1;
	if (pid == 0) {
		close(sv[0]);
		exec_child(sv[1], px->command, env);
	}
	exec_env_free(env, inherited);
	close(sv[1]);
	if (pid < 0) {
		fl_dlog(FL_DLOG_ERR, "Could not start proxy command %s: %s", px->command,
			strerror(errno));
		close(sv[0]);
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	fl_dlog(FL_DLOG_DEBUG, "Using proxy %s", px->command);
	return sv[0];
}

/* SOCKS or HTTP: the handshake c will make once connected to the proxy,
 * to reach the peer at ai. 0, or -1 (logged: SOCKS 4 and IPv6). */
int fld_proxy_attach(struct fld_conn *c, const struct fl_proxy_conf *px, const struct addrinfo *ai)
{
	const struct sockaddr_in *in = (const void *)ai->ai_addr;
	const struct sockaddr_in6 *in6 = (const void *)ai->ai_addr;
	bool v6 = ai->ai_family == AF_INET6;
	struct fl_proxy_hs *h = calloc(1, sizeof(*h));

	if (!h)
		return -1;
	if (fl_proxy_hs_init(h, px->type, ai->ai_family,
			     v6 ? (const uint8_t *)&in6->sin6_addr : (const uint8_t *)&in->sin_addr,
			     ntohs(v6 ? in6->sin6_port : in->sin_port), px->user,
			     px->pass) != FL_PROXY_MORE) {
		fl_dlog(FL_DLOG_ERR, "Cannot reach %s port %s through a %s proxy: %s", c->shown,
			c->shown_port, fl_proxy_type_name(px->type),
			px->type == FL_PROXY_SOCKS4 ? "SOCKS 4 knows only IPv4" : "bad request");
		free(h);
		return -1;
	}
	c->proxy = h;
	return 0;
}

/* Connected to the proxy: send the first request. */
int fld_proxy_start(struct fld_conn *c)
{
	uint8_t out[FL_PROXY_OUT_MAX];
	size_t len;

	if (fl_proxy_hs_start(c->proxy, out, sizeof(out), &len) != FL_PROXY_MORE)
		return -1;
	return fld_conn_send_raw(c, out, len);
}

/* Bytes from the proxy: 1 when it granted the connection (*used bytes
 * were its reply; the rest are the peer's), 0 when it must say more, -1
 * on a refusal (logged, counted; the caller closes and the mesh retries
 * later, as after any failed connection). */
int fld_proxy_input(struct fld_conn *c, const uint8_t *buf, size_t len, size_t *used)
{
	struct fl_proxy_hs *h = c->proxy;
	uint8_t out[FL_PROXY_OUT_MAX];
	enum fl_proxy_err e = FL_PROXY_MORE;
	size_t k, olen;

	*used = 0;
	while (e == FL_PROXY_MORE && *used < len) {
		e = fl_proxy_hs_input(h, buf + *used, len - *used, &k, out, sizeof(out), &olen);
		*used += k;
		if (olen && fld_conn_send_raw(c, out, olen) < 0)
			return -1;
	}
	if (e == FL_PROXY_MORE)
		return 0;
	if (e != FL_PROXY_DONE) {
		c->d->meta_stats.proxy_failed++;
		fl_dlog(FL_DLOG_ERR, "Proxy %s for %s (%s port %s): %s (code %d)",
			fl_proxy_type_name(h->type), c->outgoing_name, c->shown, c->shown_port,
			fl_proxy_strerror(e), h->code);
		return -1;
	}
	fl_dlog(FL_DLOG_DEBUG, "Proxy request granted");
	free(c->proxy);
	c->proxy = NULL;
	return 1;
}
