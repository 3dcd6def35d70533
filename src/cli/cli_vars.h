/* SPDX-License-Identifier: MIT */
/*
 * The variables tinc's CLI knows (tinc.conf(5)), with where each belongs
 * and whether an invitation may set it. Used by `fenliu join` (which
 * variables of an invitation to keep) and get/set/add/del (which file a
 * variable goes to, whether it may repeat). The daemon's own table with
 * value types is src/conf/conf_vars.c; this one only mirrors what tinc's
 * CLI does with names, so that both CLIs treat a config directory alike.
 */
#ifndef FL_CLI_CLI_VARS_H
#define FL_CLI_CLI_VARS_H

#include <stdbool.h>

enum {
	CLI_VAR_SERVER = 1 << 0,   /* tinc.conf */
	CLI_VAR_HOST = 1 << 1,	   /* hosts/NAME */
	CLI_VAR_MULTI = 1 << 2,	   /* may appear more than once */
	CLI_VAR_OBSOLETE = 1 << 3, /* set refuses it without --force */
	CLI_VAR_SAFE = 1 << 4,	   /* an invitation may set it */
};

struct cli_var {
	const char *name;
	unsigned flags;
};

/* The known variable called name (any case), or NULL. */
const struct cli_var *cli_var_find(const char *name);

#endif
