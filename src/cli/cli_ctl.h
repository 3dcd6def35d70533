/* SPDX-License-Identifier: MIT */
/* cli_ctl.h: fenliu's control verbs (tinc's CLI, CONFIG.md §5.4, §7):
 * start, stop, restart, reload, pid, dump, info, log, debug, retry, purge,
 * disconnect, fsck. Each verb takes argv with argv[0] = the verb name, like
 * tinc's command table, and returns the process exit status. They talk to
 * fenliud and to a stock tincd alike.
 *
 * fenliu.c's dispatch table calls the cli_ctl_* adapters at the end of
 * this header; tests call the fl_cli_* functions directly with out/err
 * pointed at memory streams.
 */
#ifndef FL_CLI_CTL_H
#define FL_CLI_CTL_H

#include <stdio.h>

struct fl_cli_env {
	const char *confbase;  /* -c DIR, or NULL */
	const char *netname;   /* -n NET, or NULL (then env NETNAME) */
	const char *pidfile;   /* --pidfile=FILE, or NULL */
	const char *argv0;     /* to find fenliud beside fenliu; env FENLIUD wins */
	FILE *out, *err;       /* stdout, stderr */
};

int fl_cli_start(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_stop(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_restart(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_reload(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_pid(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_dump(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_info(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_log(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_debug(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_retry(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_purge(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_disconnect(const struct fl_cli_env *env, int argc, char *argv[]);
int fl_cli_fsck(const struct fl_cli_env *env, int argc, char *argv[]);

/* Entry points with fenliu.c's verb signature (cli.h's fl_cli_verb_fn):
 * they build a struct fl_cli_env from struct fl_cli (cli_ctl_verbs.c). */
struct fl_cli;
/* The struct fl_cli_env the control verbs get for cli (stdout/stderr). */
struct fl_cli_env cli_ctl_env_of(const struct fl_cli *cli);
int cli_ctl_start(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_stop(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_restart(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_reload(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_pid(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_dump(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_info(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_log(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_debug(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_retry(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_purge(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_disconnect(const struct fl_cli *cli, int argc, char **argv);
int cli_ctl_fsck(const struct fl_cli *cli, int argc, char **argv);

/* Client-side line formatting of `dump` (CONFIG.md §5.4), exposed for
 * tests: turns one daemon line into tinc's printed line. Returns 0 on
 * success (out filled, possibly empty when filtered), -1 on a line tinc's
 * CLI would reject. */
int fl_cli_format_dump_line(const char *line, int req, int graph, int only_reachable,
                            char *out, size_t outlen);

#endif
