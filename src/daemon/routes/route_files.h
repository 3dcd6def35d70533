/* SPDX-License-Identifier: MIT */
/*
 * route_files.h: reads the prefix files of a config directory: route/NODE
 * (local routes: these prefixes go to NODE) and a prefix list such as the
 * offload list. Called by the daemon's control thread at start and reload;
 * it then builds an LPM table (lpm/lpm.h) from the lists and publishes it.
 *
 * Syntax: lpm/prefix_parse.h. A bad line is reported as
 * "FILE:LINE: reason: 'text'" and skipped; the rest of the file loads.
 * FILE is the name relative to the config directory, e.g. "route/alice".
 */
#ifndef FL_DAEMON_ROUTE_FILES_H
#define FL_DAEMON_ROUTE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lpm/lpm.h"

/* Largest prefix file read (a full Internet table is about 20 MB). */
#define FL_ROUTE_FILE_MAX (256u << 20)

enum fl_route_sev { FL_ROUTE_WARNING, FL_ROUTE_ERROR };

/* A message about a file or line; msg is only valid during the call. */
typedef void fl_route_msg_fn(void *ctx, enum fl_route_sev sev, const char *msg);
/* Whether the mesh knows node `name` (NULL: every name counts as known). */
typedef bool fl_route_known_fn(void *ctx, const char *name);

struct fl_route_opts {
	fl_route_msg_fn *msg;     /* may be NULL */
	fl_route_known_fn *known; /* may be NULL */
	void *ctx;
};

/* The good lines of one file, in file order; value fields are 0. */
struct fl_prefix_list {
	char *name;                /* file name relative to the config dir */
	struct fl_lpm_prefix *p;
	uint32_t *line;            /* line of p[i], for messages */
	size_t n, cap;
	size_t bad;                /* lines reported and skipped */
};

/* One list per node that has a route file, sorted by node name. */
struct fl_route_set {
	struct fl_prefix_list *lists;
	char **node;               /* node[i] is the node of lists[i] */
	size_t n;
};

/* Reads one prefix file (e.g. the offload list). display is the name used
 * in messages. Returns 0, or -errno if the file cannot be read at all
 * (reported too); *out is then empty. Free with fl_prefix_list_free(). */
int fl_prefix_list_load(const char *path, const char *display,
	const struct fl_route_opts *o, struct fl_prefix_list *out);
void fl_prefix_list_free(struct fl_prefix_list *l);

/* Reads confdir/route/NODE for every file there. A missing route/ is an
 * empty set. A file whose name is not a valid node name (letters, digits,
 * '_') is warned about and ignored; a file for a node the mesh does not
 * know is warned about and kept (the node may appear later). Returns 0, or
 * -errno if route/ exists but cannot be read or memory runs out. */
int fl_route_files_load(const char *confdir, const struct fl_route_opts *o,
	struct fl_route_set *out);
void fl_route_set_free(struct fl_route_set *s);

/* Builds the LPM table of a route set: list i's prefixes map to values[i]
 * (e.g. the node's index). A prefix given twice (in one file or in two) is
 * warned about as "FILE:LINE: PREFIX also at FILE:LINE, this one wins";
 * the later one in node-name order wins. Returns what fl_lpm_build()
 * returns; *out takes the table (publish it, then free the old one after
 * the readers' quiescent point). */
enum fl_lpm_err fl_route_set_build(const struct fl_route_set *s, const fl_lpm_value *values,
	const struct fl_route_opts *o, struct fl_lpm **out);

/* Whether name is a valid node name (tinc's rule). */
bool fl_route_node_name_ok(const char *name);

#endif
