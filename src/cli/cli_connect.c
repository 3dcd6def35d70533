/* SPDX-License-Identifier: MIT */
/* cli_connect.c: find and connect to the daemon's control socket the way
 * tinc's CLI does (CONFIG.md §1.4, §5.1). Used by every control verb. */
#include "cli/cli_ctl_internal.h"

#include <string.h>

bool fl_cli_paths(const struct fl_cli_env *env, struct fl_paths *p)
{
	if (!fl_paths_resolve(p, env->confbase, env->netname, env->pidfile, NULL, false)) {
		fprintf(env->err, "Invalid character in netname!\n");
		return false;
	}
	return true;
}

bool fl_cli_connect(const struct fl_cli_env *env, struct fl_ctl_client *c, bool verbose)
{
	struct fl_paths p;
	char err[4500];
	if (!fl_cli_paths(env, &p))
		return false;
	if (fl_ctl_client_connect(c, p.pidfile, p.socket, err, sizeof(err)) != FL_CTLC_OK) {
		if (verbose)
			fprintf(env->err, "%s\n", err);
		return false;
	}
	return true;
}

bool fl_cli_too_many(const struct fl_cli_env *env, int argc, int max)
{
	if (argc <= max)
		return false;
	fprintf(env->err, "Too many arguments!\n");
	return true;
}
