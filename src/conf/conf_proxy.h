/* SPDX-License-Identifier: MIT */
/*
 * conf_proxy.h: the value of tinc's Proxy variable, split into its words:
 *   none | socks4 HOST PORT [USER] | socks5 HOST PORT [USER PASS]
 *   | http HOST PORT | exec COMMAND
 * (tinc.conf(5)). socks4a is refused, as tincd fails every connection
 * made with it ("not implemented yet").
 */
#ifndef FL_CONF_PROXY_H
#define FL_CONF_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "io/proxy.h"

struct fl_proxy_conf {
	enum fl_proxy_type type;	/* FL_PROXY_NONE: connect directly */
	char host[256], port[32];
	char user[FL_PROXY_CRED_MAX + 1], pass[FL_PROXY_CRED_MAX + 1];
	const char *command;		/* exec: points into the value parsed */
};

/* value may be NULL (= none). false with the reason in why otherwise. */
bool fl_proxy_conf_parse(const char *value, struct fl_proxy_conf *p, char *why, size_t n);

#endif
