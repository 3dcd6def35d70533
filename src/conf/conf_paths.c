/* SPDX-License-Identifier: MIT */
/* conf_paths.c: tinc's file name rules (CONFIG.md §1.1, §1.4). Called once
 * at start by fenliud and fenliu. */
#include "conf/conf_paths.h"
#include "conf/conf_name.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fl_paths_socket_for(const char *pidfile, char *out, unsigned outlen)
{
	size_t len = strlen(pidfile);
	if (len > 4 && strcmp(pidfile + len - 4, ".pid") == 0)
		snprintf(out, outlen, "%.*s.socket", (int)(len - 4), pidfile);
	else
		snprintf(out, outlen, "%s.socket", pidfile);
}

static bool fits(int n, size_t cap)
{
	return n >= 0 && (size_t)n < cap;
}

static bool use_fallback(const struct fl_paths *p, bool daemon)
{
	if (daemon)
		return access(FL_RUNSTATEDIR, R_OK | W_OK | X_OK) != 0;
	char f[FL_PATH_MAX + 400];
	snprintf(f, sizeof(f), FL_RUNSTATEDIR "/%s.pid", p->ident);
	if (access(f, R_OK) == 0)
		return false;
	snprintf(f, sizeof(f), "%s/pid", p->confbase);
	return access(f, R_OK) == 0;
}

bool fl_paths_resolve(struct fl_paths *p, const char *confbase, const char *netname,
                      const char *pidfile, const char *logfile, bool daemon)
{
	memset(p, 0, sizeof(*p));
	if (!netname)
		netname = getenv("NETNAME");
	if (netname && *netname && strcmp(netname, ".") != 0) {
		enum fl_netname_check c = fl_netname_check(netname);
		if (c == FL_NETNAME_INVALID || strlen(netname) >= sizeof(p->netname))
			return false;
		p->netname_unsafe = c == FL_NETNAME_UNSAFE;
		strcpy(p->netname, netname);
	}
	p->both_given = confbase && p->netname[0];
	if (p->netname[0])
		snprintf(p->ident, sizeof(p->ident), "tinc.%s", p->netname);
	else
		strcpy(p->ident, "tinc");
	int n;
	if (confbase)
		n = snprintf(p->confbase, sizeof(p->confbase), "%s", confbase);
	else if (p->netname[0])
		n = snprintf(p->confbase, sizeof(p->confbase), FL_SYSCONFDIR "/tinc/%s", p->netname);
	else
		n = snprintf(p->confbase, sizeof(p->confbase), FL_SYSCONFDIR "/tinc");
	if (!fits(n, sizeof(p->confbase)))
		return false;
	p->fallback = use_fallback(p, daemon);
	if (pidfile)
		n = snprintf(p->pidfile, sizeof(p->pidfile), "%s", pidfile);
	else if (p->fallback)
		n = snprintf(p->pidfile, sizeof(p->pidfile), "%s/pid", p->confbase);
	else
		n = snprintf(p->pidfile, sizeof(p->pidfile), FL_RUNSTATEDIR "/%s.pid", p->ident);
	if (!fits(n, sizeof(p->pidfile) - 8))
		return false;
	if (logfile)
		n = snprintf(p->logfile, sizeof(p->logfile), "%s", logfile);
	else if (p->fallback)
		n = snprintf(p->logfile, sizeof(p->logfile), "%s/log", p->confbase);
	else
		n = snprintf(p->logfile, sizeof(p->logfile), FL_LOCALSTATEDIR "/log/%s.log", p->ident);
	if (!fits(n, sizeof(p->logfile)))
		return false;
	fl_paths_socket_for(p->pidfile, p->socket, sizeof(p->socket));
	return true;
}
