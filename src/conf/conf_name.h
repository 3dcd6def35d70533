/* SPDX-License-Identifier: MIT */
/* conf_name.h: node and net name rules (CONFIG.md §1.1, §1.3).
 * Used by conf_vars.c (ConnectTo, Name), conf_read.c (hosts/ file names),
 * the daemon (names in requests) and the CLI. */
#ifndef FL_CONF_NAME_H
#define FL_CONF_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* One or more of A-Z a-z 0-9 _ . */
bool fl_name_valid(const char *name);

enum fl_netname_check {
	FL_NETNAME_OK,
	FL_NETNAME_UNSAFE,  /* accepted with a warning: space $ % < > : ` " | ? * */
	FL_NETNAME_INVALID, /* empty, leading '.', control chars, '/' or '\' */
};
enum fl_netname_check fl_netname_check(const char *netname);

/* Resolves a Name value: "$VAR" is replaced by the environment variable
 * (HOST falls back to the host name) with every non-alphanumeric character
 * turned into '_'. Writes the result to out and returns true when it obeys
 * the name rule. */
bool fl_name_expand(const char *value, char *out, size_t outlen);

#endif
