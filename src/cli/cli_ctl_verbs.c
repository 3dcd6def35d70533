/* SPDX-License-Identifier: MIT */
/* cli_ctl_verbs.c: adapters from fenliu.c's verb signature (struct fl_cli,
 * cli.h) to the control verbs (struct fl_cli_env, cli_ctl.h). */
#include "cli/cli.h"
#include "cli/cli_ctl.h"

struct fl_cli_env cli_ctl_env_of(const struct fl_cli *cli)
{
	struct fl_cli_env env = {
		.confbase = cli->confbase_given ? cli->confbase : NULL,
		.netname = cli->netname,
		.pidfile = cli->pidfile,
		.argv0 = cli->prog,
		.out = stdout,
		.err = stderr,
	};
	return env;
}

#define ADAPT(verb) \
	int cli_ctl_##verb(const struct fl_cli *cli, int argc, char **argv) \
	{ \
		struct fl_cli_env env = cli_ctl_env_of(cli); \
		return fl_cli_##verb(&env, argc, argv); \
	}

ADAPT(start)
ADAPT(stop)
ADAPT(restart)
ADAPT(reload)
ADAPT(pid)
ADAPT(dump)
ADAPT(info)
ADAPT(log)
ADAPT(debug)
ADAPT(retry)
ADAPT(purge)
ADAPT(disconnect)
ADAPT(fsck)
