/* cli_verbs.c: the control verbs as rows for fenliu.c's dispatch table. */
#include "cli/cli_ctl.h"

#include <stddef.h>

const struct fl_cli_verb fl_cli_ctl_verbs[] = {
	{"start", fl_cli_start, "start [tincd options]  Start fenliud."},
	{"stop", fl_cli_stop, "stop                   Stop fenliud."},
	{"restart", fl_cli_restart, "restart [tincd options] Restart fenliud."},
	{"reload", fl_cli_reload, "reload                 Partially reload configuration of running fenliud."},
	{"pid", fl_cli_pid, "pid                    Show PID of currently running fenliud."},
	{"dump", fl_cli_dump, "dump [reachable] nodes|edges|subnets|connections|graph|digraph"},
	{"info", fl_cli_info, "info NODE|SUBNET|ADDRESS  Give information about a particular NODE, SUBNET or ADDRESS."},
	{"log", fl_cli_log, "log [LEVEL]            Dump log output [up to the specified LEVEL]."},
	{"debug", fl_cli_debug, "debug N                Set debug level."},
	{"retry", fl_cli_retry, "retry                  Retry all outgoing connections."},
	{"purge", fl_cli_purge, "purge                  Purge unreachable nodes."},
	{"disconnect", fl_cli_disconnect, "disconnect NODE        Close meta connection with NODE."},
	{"fsck", fl_cli_fsck, "fsck                   Check the configuration files for problems."},
	{NULL, NULL, NULL},
};
