/* SPDX-License-Identifier: MIT */
/* cli_ctl_internal.h: helpers shared by the cli_*.c control verb files. */
#ifndef FL_CLI_CTL_INTERNAL_H
#define FL_CLI_CTL_INTERNAL_H

#include "cli/cli_ctl.h"
#include "conf/conf_paths.h"
#include "control/ctl_client.h"

#include <stdbool.h>
#include <stdint.h>

bool fl_cli_paths(const struct fl_cli_env *env, struct fl_paths *p);
/* Connects and greets; prints tinc's message to env->err when verbose. */
bool fl_cli_connect(const struct fl_cli_env *env, struct fl_ctl_client *c, bool verbose);
/* Prints "Too many arguments!" and returns true when argc > max. */
bool fl_cli_too_many(const struct fl_cli_env *env, int argc, int max);

/* cli_daemon_path.c: the fenliud `start` runs ($FENLIUD, beside argv0 or
 * /proc/self/exe, the build tree's ../daemon/fenliud, else "fenliud" for a
 * PATH search). */
void fl_cli_daemon_path(const char *env_fenliud, const char *argv0, char *out, size_t len);

/* One line of dump 3 (nodes) as the daemon sends it; parsed by dump and info. */
struct fl_cli_node_line {
	char node[4096], id[4096], host[4096], port[4096], nexthop[4096], via[4096];
	int cipher, digest, maclength, compression, distance, rtt;
	short pmtu, minmtu, maxmtu;
	unsigned options, status;
	long lsc;
	uint64_t ip, ib, op, ob;
};
/* cli_dump.c: parses "18 3 NODE ..." into r; 0, or -1 if line is not one. */
int fl_cli_dump_parse_node(const char *line, struct fl_cli_node_line *r);
/* cli_dump.c: drops the "#10" default weight tinc never shows. */
void fl_cli_dump_strip_weight(char *subnet);

#endif
