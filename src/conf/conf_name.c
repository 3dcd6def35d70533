/* SPDX-License-Identifier: MIT */
/* conf_name.c: node and net name rules, Name = $VAR expansion (CONFIG.md §1). */
#include "conf/conf_name.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool fl_name_valid(const char *name)
{
	if (!name || !*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

enum fl_netname_check fl_netname_check(const char *netname)
{
	if (!*netname || *netname == '.')
		return FL_NETNAME_INVALID;
	enum fl_netname_check r = FL_NETNAME_OK;
	for (const unsigned char *p = (const unsigned char *)netname; *p; p++) {
		if (iscntrl(*p) || *p == '/' || *p == '\\')
			return FL_NETNAME_INVALID;
		if (strchr(" $%<>:`\"|?*", *p))
			r = FL_NETNAME_UNSAFE;
	}
	return r;
}

bool fl_name_expand(const char *value, char *out, size_t outlen)
{
	if (outlen == 0)
		return false;
	if (value[0] != '$') {
		if (strlen(value) >= outlen)
			return false;
		strcpy(out, value);
		return fl_name_valid(out);
	}
	const char *env = getenv(value + 1);
	char host[256];
	if (!env && strcmp(value + 1, "HOST") == 0) {
		if (gethostname(host, sizeof(host)) != 0)
			return false;
		host[sizeof(host) - 1] = '\0';
		env = host;
	}
	if (!env || strlen(env) >= outlen)
		return false;
	size_t i = 0;
	for (; env[i]; i++)
		out[i] = isalnum((unsigned char)env[i]) ? env[i] : '_';
	out[i] = '\0';
	return fl_name_valid(out);
}
