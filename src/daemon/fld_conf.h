/* SPDX-License-Identifier: MIT */
/* fld_conf.h: configuration glue of fenliud (fld_conf.c). */
#ifndef FL_DAEMON_FLD_CONF_H
#define FL_DAEMON_FLD_CONF_H

#include <stdbool.h>

#include "mesh/mesh.h"

struct fld;

/* Read tinc.conf (+conf.d, -o, hosts/NAME) into d. first: also Name, Port,
 * key, Interface, Mode (not reloadable). 0 ok, -1 (logged). */
int fld_conf_load(struct fld *d, bool first);
void fld_conf_free(struct fld *d);
/* The mesh's host_lookup callback (ctx = struct fld). */
bool fld_conf_host_lookup(void *ctx, const char *name, struct mesh_host_info *out);

#endif
