/* SPDX-License-Identifier: MIT */
/* conf_proxy.c: Proxy's value (conf_proxy.h). */
#include "conf/conf_proxy.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Next word of *s into w (cap n); false if none or too long. */
static bool word(const char **s, char *w, size_t n)
{
	size_t len;

	*s += strspn(*s, " \t");
	len = strcspn(*s, " \t");
	if (!len || len >= n)
		return false;
	memcpy(w, *s, len);
	w[len] = 0;
	*s += len;
	return true;
}

static bool fail(char *why, size_t n, const char *text)
{
	snprintf(why, n, "%s", text);
	return false;
}

static bool rest_empty(const char *s)
{
	return !s[strspn(s, " \t")];
}

/* HOST PORT [USER [PASS]] of the SOCKS and HTTP types. */
static bool proxy_endpoint(const char *s, struct fl_proxy_conf *p, char *why, size_t n)
{
	if (!word(&s, p->host, sizeof(p->host)) || !word(&s, p->port, sizeof(p->port)))
		return fail(why, n, "host and port expected after the proxy type");
	if (p->type == FL_PROXY_HTTP)
		return rest_empty(s) || fail(why, n, "http takes only a host and a port");
	if (rest_empty(s))
		return true;
	if (!word(&s, p->user, sizeof(p->user)))
		return fail(why, n, "user name longer than 255 bytes");
	if (p->type == FL_PROXY_SOCKS4)
		return rest_empty(s) || fail(why, n, "socks4 takes at most a user name");
	if (rest_empty(s))
		return true; /* a user without a password: no authentication, as tinc */
	if (!word(&s, p->pass, sizeof(p->pass)))
		return fail(why, n, "password longer than 255 bytes");
	return rest_empty(s) || fail(why, n, "too many words for socks5");
}

bool fl_proxy_conf_parse(const char *value, struct fl_proxy_conf *p, char *why, size_t n)
{
	static const struct {
		const char *name;
		enum fl_proxy_type type;
	} types[] = {{"none", FL_PROXY_NONE},	{"socks4", FL_PROXY_SOCKS4},
		     {"socks5", FL_PROXY_SOCKS5}, {"http", FL_PROXY_HTTP},
		     {"exec", FL_PROXY_EXEC}};
	char kind[16];
	const char *s = value;

	memset(p, 0, sizeof(*p));
	if (!value || !word(&s, kind, sizeof(kind)))
		return true;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcasecmp(kind, types[i].name))
			continue;
		p->type = types[i].type;
		if (p->type == FL_PROXY_NONE)
			return true;
		if (p->type != FL_PROXY_EXEC)
			return proxy_endpoint(s, p, why, n);
		p->command = s + strspn(s, " \t");
		return *p->command || fail(why, n, "a command expected after exec");
	}
	if (!strcasecmp(kind, "socks4a"))
		return fail(why, n, "socks4a is not implemented (tincd fails every connection with it)");
	return fail(why, n, "expected none, socks4, socks5, http or exec");
}
