/* SPDX-License-Identifier: MIT */
/*
 * Turning a received invitation into configuration texts (cli_join_data.h).
 * Untrusted input: fuzz/cli/fuzz_join_data.c.
 */
#include "cli/cli_join_data.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli_vars.h"

#define JOIN_SEPARATOR "#---------------------------------------------------------------#"

const char *cli_join_strerror(enum cli_join_err e)
{
	switch (e) {
	case CLI_JOIN_OK: return "ok";
	case CLI_JOIN_ERR_NONAME: return "No Name found in invitation!";
	case CLI_JOIN_ERR_NAME: return "Invalid Name found in invitation!";
	case CLI_JOIN_ERR_NETNAME: return "Unsafe NetName found in invitation!";
	case CLI_JOIN_ERR_HOSTNAME: return "Invalid Name found in invitation.";
	case CLI_JOIN_ERR_OWN: return "Secondary chunk would overwrite our own host config file.";
	case CLI_JOIN_ERR_LINE: return "Invalid line in invitation (too long or not text)";
	case CLI_JOIN_ERR_NOMEM: return "Out of memory";
	}
	return "unknown error";
}

/* ---- growing texts ------------------------------------------------------ */

static bool text_add(struct cli_join_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool text_add(struct cli_join_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = realloc(t->s, t->len + (size_t)n + 1)))
		return false;
	t->s = s;
	va_start(ap, fmt);
	vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
	return true;
}

static bool name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

bool cli_join_netname_ok(const char *net)
{
	if (!*net || *net == '.')
		return false;
	for (const char *c = net; *c; c++)
		if (iscntrl((unsigned char)*c) || strchr("/\\ $%<>:`\"|?*", *c))
			return false;
	return true;
}

/* ---- lines -------------------------------------------------------------- */

struct join_cursor {
	const char *p, *end;
	char line[CLI_JOIN_LINE_MAX + 1];
};

/* Next line (without '\n') into c->line: 1, 0 at the end, -1 if too long
 * or binary (tinc aborts on those; we refuse the invitation). */
static int join_line(struct join_cursor *c)
{
	const char *nl;
	size_t n;

	if (c->p >= c->end)
		return 0;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	n = nl ? (size_t)(nl - c->p) : (size_t)(c->end - c->p);
	if (n > CLI_JOIN_LINE_MAX || memchr(c->p, 0, n))
		return -1;
	if (n && !isprint((unsigned char)c->p[0]) && c->p[0] != '\t')
		return -1;
	memcpy(c->line, c->p, n);
	c->line[n] = 0;
	c->p = nl ? nl + 1 : c->end;
	return 1;
}

/* Split "VAR = VALUE" in place: line becomes VAR, *value the rest. */
static void join_split(char *line, char **value)
{
	size_t n = strcspn(line, "\t =");
	char *v = line + n;

	v += strspn(v, "\t ");
	if (*v == '=')
		v += 1 + strspn(v + 1, "\t ");
	line[n] = 0;
	*value = v;
}

/* ---- tinc-up from Ifconfig / Route -------------------------------------- */

/* Only address text may reach the shell script. */
static bool join_addr_chars(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) && !strchr(".:/", *s))
			return false;
	return true;
}

static bool join_ifconfig(struct cli_join_plan *p, const char *value)
{
	if (!strcasecmp(value, "dhcp"))
		return text_add(&p->up, "dhclient -nw \"$INTERFACE\"\n");
	if (!strcasecmp(value, "dhcp6"))
		return text_add(&p->up, "dhclient -6 -nw \"$INTERFACE\"\n");
	if (!strcasecmp(value, "slaac"))
		return text_add(&p->up,
				"echo 1 >\"/proc/sys/net/ipv6/conf/$INTERFACE/accept_ra\"\n"
				"echo 1 >\"/proc/sys/net/ipv6/conf/$INTERFACE/autoconf\"\n");
	if (!join_addr_chars(value))
		return text_add(&p->notes, "Could not parse address in Ifconfig statement\n");
	return text_add(&p->up, "ip addr replace %s dev \"$INTERFACE\"\n", value);
}

static bool join_route(struct cli_join_plan *p, char *value)
{
	char *gw = value + strcspn(value, " \t");

	if (*gw) {
		*gw++ = 0;
		gw += strspn(gw, " \t");
	}
	if (!join_addr_chars(value) || (*gw && !join_addr_chars(gw)))
		return text_add(&p->notes, "Could not parse subnet in Route statement\n");
	if (*gw)
		return text_add(&p->up, "ip route add %s via %s dev \"$INTERFACE\" onlink\n", value,
				gw);
	return text_add(&p->up, "ip route add %s dev \"$INTERFACE\"\n", value);
}

/* ---- the chunks --------------------------------------------------------- */

/* One line of the first chunk. */
static bool join_own_line(struct cli_join_plan *p, char *var, char *value, bool force)
{
	const struct cli_var *v = cli_var_find(var);

	if (!v && !strcasecmp(var, "Ifconfig")) {
		p->up_generated = true;
		return join_ifconfig(p, value);
	}
	if (!v && !strcasecmp(var, "Route")) {
		p->up_generated = true;
		return join_route(p, value);
	}
	if (!v)
		return text_add(&p->notes, "Ignoring unknown variable '%s' in invitation.\n", var);
	if (!(v->flags & CLI_VAR_SAFE)) {
		if (!force)
			return text_add(&p->notes, "Ignoring unsafe variable '%s' in invitation.\n",
					var);
		if (!text_add(&p->notes, "Warning: unsafe variable '%s' in invitation.\n", var))
			return false;
	}
	return text_add(v->flags & CLI_VAR_HOST ? &p->host : &p->conf, "%s = %s\n", var, value);
}

/* The first chunk; *next_name gets the Name that starts the next chunk. */
static enum cli_join_err join_first(struct cli_join_plan *p, struct join_cursor *c, bool force,
				    char **next_name)
{
	char *value;
	int r;

	*next_name = NULL;
	while ((r = join_line(c)) > 0) {
		if (c->line[0] == '#')
			continue;
		join_split(c->line, &value);
		if (!c->line[0] || !strcasecmp(c->line, "NetName"))
			continue;
		if (!strcasecmp(c->line, "Name")) {
			if (strcmp(value, p->name)) {
				*next_name = value;
				return CLI_JOIN_OK;
			}
			continue;
		}
		if (!join_own_line(p, c->line, value, force))
			return CLI_JOIN_ERR_NOMEM;
	}
	return r < 0 ? CLI_JOIN_ERR_LINE : CLI_JOIN_OK;
}

/* The other chunks: each one node's host file, verbatim. */
static enum cli_join_err join_hosts(struct cli_join_plan *p, struct join_cursor *c, char *name)
{
	char current[256];
	int r;

	while (name) {
		struct cli_join_host *h;

		if (!name_ok(name) || strlen(name) >= sizeof current)
			return CLI_JOIN_ERR_HOSTNAME;
		if (!strcmp(name, p->name))
			return CLI_JOIN_ERR_OWN;
		snprintf(current, sizeof current, "%s", name);
		h = realloc(p->hosts, (p->n_hosts + 1) * sizeof *h);
		if (!h)
			return CLI_JOIN_ERR_NOMEM;
		p->hosts = h;
		h = &p->hosts[p->n_hosts++];
		memset(h, 0, sizeof *h);
		snprintf(h->name, sizeof h->name, "%s", current);
		if (!text_add(&h->text, "%s", ""))
			return CLI_JOIN_ERR_NOMEM;
		name = NULL;
		while ((r = join_line(c)) > 0) {
			size_t n = strcspn(c->line, "\t =");
			if (!strcmp(c->line, JOIN_SEPARATOR))
				continue;
			if (n == 4 && !strncasecmp(c->line, "Name", 4)) {
				char *value;
				join_split(c->line, &value);
				name = value;
				break;
			}
			if (!text_add(&h->text, "%s\n", c->line))
				return CLI_JOIN_ERR_NOMEM;
		}
		if (r < 0)
			return CLI_JOIN_ERR_LINE;
	}
	return CLI_JOIN_OK;
}

/* The first line's Name, and NetName wherever it is first given. */
static enum cli_join_err join_names(struct cli_join_plan *p, struct join_cursor *c)
{
	char *value;
	int r = join_line(c);

	if (r <= 0)
		return r < 0 ? CLI_JOIN_ERR_LINE : CLI_JOIN_ERR_NONAME;
	join_split(c->line, &value);
	if (strcasecmp(c->line, "Name"))
		return CLI_JOIN_ERR_NONAME;
	if (!name_ok(value) || strlen(value) >= sizeof p->name)
		return CLI_JOIN_ERR_NAME;
	snprintf(p->name, sizeof p->name, "%s", value);
	while ((r = join_line(c)) > 0) {
		join_split(c->line, &value);
		if (strcasecmp(c->line, "NetName"))
			continue;
		if (strlen(value) >= sizeof p->netname || !cli_join_netname_ok(value))
			return CLI_JOIN_ERR_NETNAME;
		snprintf(p->netname, sizeof p->netname, "%s", value);
		break;
	}
	return r < 0 ? CLI_JOIN_ERR_LINE : CLI_JOIN_OK;
}

enum cli_join_err cli_join_plan(struct cli_join_plan *p, const char *data, size_t len,
				bool force)
{
	struct join_cursor *c = malloc(sizeof *c);
	enum cli_join_err e;
	char *next;

	memset(p, 0, sizeof *p);
	if (!c)
		return CLI_JOIN_ERR_NOMEM;
	c->p = data;
	c->end = data + len;
	e = join_names(p, c);
	if (e == CLI_JOIN_OK) {
		c->p = data;
		c->end = data + len;
		if (!text_add(&p->conf, "Name = %s\n", p->name) || !text_add(&p->host, "%s", "") ||
		    !text_add(&p->up, "#!/bin/sh\nip link set \"$INTERFACE\" up\n"))
			e = CLI_JOIN_ERR_NOMEM;
	}
	if (e == CLI_JOIN_OK)
		e = join_first(p, c, force, &next);
	if (e == CLI_JOIN_OK)
		e = join_hosts(p, c, next);
	free(c);
	return e;
}

void cli_join_plan_free(struct cli_join_plan *p)
{
	free(p->conf.s);
	free(p->host.s);
	free(p->up.s);
	free(p->notes.s);
	for (size_t i = 0; i < p->n_hosts; i++)
		free(p->hosts[i].text.s);
	free(p->hosts);
	memset(p, 0, sizeof *p);
}
