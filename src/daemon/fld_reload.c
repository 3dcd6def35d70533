/* SPDX-License-Identifier: MIT */
/*
 * Start and reload: every hosts/NAME file names a node (tinc's
 * load_all_nodes; `dump nodes` lists them, AutoConnect picks from them) and
 * "has address" is recomputed (CONFIG.md §6 step 3).
 * Reload step 6 (CONFIG.md §6): after a reload, close every meta
 * connection whose peer's hosts/NAME was modified after the previous
 * (re)load or no longer exists, so it reconnects with what the file now
 * says (key, addresses, options). Seconds resolution, as tinc: a change
 * within the same second as the previous load is not seen. Called from
 * fenliud.c's start (stamp) and fld_reload (check + stamp); control
 * thread only.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "mesh/mesh_request.h"

void fld_reload_scan_hosts(struct fld *d)
{
	char path[4096];
	struct dirent *e;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/hosts", d->confbase);
	dir = opendir(path);
	if (!dir) {
		fl_dlog(FL_DLOG_ERR, "Could not open %s: %s", path, strerror(errno));
		return;
	}
	/* Names only: hosts/NAME-up and the like are scripts, not nodes. */
	while ((e = readdir(dir)))
		if (mesh_name_valid(e->d_name) && !mesh_node_find(d->mesh, e->d_name) &&
		    mesh_node_get(d->mesh, e->d_name))
			d->graph_dirty = true;
	closedir(dir);
	mesh_reload_hosts(d->mesh);
}

void fld_reload_stamp(struct fld *d)
{
	d->last_config_check = time(NULL);
}

/* The peer's name: from its ID line, or the node we are connecting to. */
static const char *reload_conn_name(struct fld *d, const struct fld_conn *c)
{
	struct mesh_conn *mc = mesh_conn_find(d->mesh, c->id);

	if (mc && mc->name)
		return mc->name;
	return c->outgoing_name;
}

static bool reload_host_changed(struct fld *d, const char *name)
{
	char path[4096];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/hosts/%s", d->confbase, name) >= (int)sizeof(path))
		return false;
	return stat(path, &st) < 0 || st.st_mtime > d->last_config_check;
}

void fld_reload_close_changed(struct fld *d)
{
	int32_t *ids;
	size_t n = 0;

	/* Closing runs mesh outputs that may touch the list: ids first. */
	ids = calloc(d->n_conns + 1, sizeof(*ids));
	if (!ids)
		return;
	for (size_t i = 0; i < d->n_conns; i++) {
		const char *name = reload_conn_name(d, d->conns[i]);
		if (name && reload_host_changed(d, name)) {
			fl_dlog(FL_DLOG_INFO, "Host config file of %s has been changed", name);
			ids[n++] = d->conns[i]->id;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct fld_conn *c = fld_conn_find(d, ids[i]);
		if (c)
			fld_conn_close(c, "host config file changed");
	}
	free(ids);
	fld_reload_stamp(d);
}
