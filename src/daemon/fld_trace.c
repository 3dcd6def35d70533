/* SPDX-License-Identifier: MIT */
/*
 * Request tracing at tincd's level: with -d4 (DEBUG_META) and up, one log
 * line per meta request sent or received, worded as tincd words them
 * ("Sending ADD_EDGE to b (192.0.2.2 port 655): 12 ...", "Got ADD_EDGE
 * from ..."), so the logs of a mixed mesh read alike and tinc users'
 * grep habits work. The name is "<unknown>" until the peer's ID line has
 * been taken, as in tincd. Control thread only.
 */
#include <stdio.h>
#include <string.h>

#include "daemon/fld.h"
#include "log/log.h"
#include "mesh/mesh_request.h"

void fld_trace_request(struct fld *d, const struct fld_conn *c, bool sending, const char *line,
		       size_t len)
{
	if (fl_log_wanted_level() < FL_DEBUG_META)
		return;
	const struct mesh_conn *mc = mesh_conn_find(d->mesh, c->id);
	const char *name = mc && mc->name ? mc->name
			   : c->outgoing_name ? c->outgoing_name : "<unknown>";
	int type = 0, n = len > 1000 ? 1000 : (int)len;

	/* The request number leads the line (tincd reads it with atoi). */
	for (int i = 0; i < n && i < 6 && line[i] >= '0' && line[i] <= '9'; i++)
		type = type * 10 + (line[i] - '0');
	const char *req = mesh_req_name(type);

	if (sending)
		fl_log(FL_DEBUG_META, LOG_DEBUG, "Sending %s to %s (%s port %s): %.*s", req, name,
		       c->shown, c->shown_port, n, line);
	else
		fl_log(FL_DEBUG_META, LOG_DEBUG, "Got %s from %s (%s port %s): %.*s", req, name,
		       c->shown, c->shown_port, n, line);
}

void fld_trace_binary(struct fld *d, const struct fld_conn *c, int type, size_t len)
{
	char line[32];

	if (fl_log_wanted_level() < FL_DEBUG_META)
		return;
	snprintf(line, sizeof(line), "%d %zu", type, len);
	fld_trace_request(d, c, false, line, strlen(line));
}
