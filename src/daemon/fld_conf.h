/* SPDX-License-Identifier: MIT */
/* fld_conf.h: configuration glue of fenliud (fld_conf.c). */
#ifndef FL_DAEMON_FLD_CONF_H
#define FL_DAEMON_FLD_CONF_H

#include <stdbool.h>

#include "dataplane/dataplane.h"
#include "mesh/mesh.h"

struct fld;

/* Read tinc.conf (+conf.d, -o, hosts/NAME) into a new d->cfg. first:
 * also d->boot (start-only settings), Name, Port and our key. 0 ok, -1
 * (logged; d unchanged). */
int fld_conf_load(struct fld *d, bool first);
void fld_conf_free(struct fld *d);
/* The one translation of d->cfg into the mesh's and the dataplane's own
 * configs (sets d->my_options). The dataplane takes its settings at start
 * only; the mesh also on reload (mesh_reconfigure). */
void fld_conf_mesh_config(struct fld *d, struct mesh_config *cfg);
void fld_conf_dp_settings(struct fld *d, struct fl_dp_settings *out);
/* The mesh's host_lookup callback (ctx = struct fld). */
bool fld_conf_host_lookup(void *ctx, const char *name, struct mesh_host_info *out);

#endif
