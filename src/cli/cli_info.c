/* SPDX-License-Identifier: MIT */
/* cli_info.c: `fenliu info NODE|SUBNET|ADDRESS` (tinc's info command):
 * filters dumps 3, 4 and 5 and prints tinc's layout. The small subnet
 * parser here only serves matching on the client side; the daemon's
 * subnets are mesh's (GRAPH.md §5.1). Called from the dispatch table. */
#include "cli/cli_ctl_internal.h"
#include "conf/conf_name.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S "%4095s"

struct net {
	int type; /* 0 MAC, 4, 6 */
	uint8_t addr[16];
	int prefix, weight;
};

static bool whole_int(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < -2147483647L || v > 2147483647L)
		return false;
	*out = (int)v;
	return true;
}

/* ADDRESS[/PREFIX][#WEIGHT] as GRAPH.md §5.1 describes it. */
static bool parse_net(const char *text, struct net *n)
{
	char buf[64], *p;
	snprintf(buf, sizeof(buf), "%s", text);
	memset(n, 0, sizeof(*n));
	n->weight = 10;
	n->prefix = -1;
	if ((p = strchr(buf, '#'))) {
		*p = '\0';
		if (!whole_int(p + 1, &n->weight))
			return false;
	}
	if ((p = strchr(buf, '/'))) {
		*p = '\0';
		if (!whole_int(p + 1, &n->prefix) || n->prefix < 0)
			return false;
	}
	unsigned m[6];
	char tail;
	if (sscanf(buf, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &tail) == 6 &&
	    strspn(buf, "0123456789abcdefABCDEF:") == strlen(buf)) {
		for (int i = 0; i < 6; i++) {
			if (m[i] > 255)
				return false;
			n->addr[i] = (uint8_t)m[i];
		}
		return n->prefix < 0;
	}
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->type = 4;
		n->prefix = n->prefix < 0 ? 32 : n->prefix;
		return n->prefix <= 32;
	}
	if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->type = 6;
		n->prefix = n->prefix < 0 ? 128 : n->prefix;
		return n->prefix <= 128;
	}
	return false;
}

/* True when the first bits of a and b agree. */
static bool prefix_equal(const uint8_t *a, const uint8_t *b, int bits)
{
	int i = 0;
	for (; bits >= 8; bits -= 8, i++)
		if (a[i] != b[i])
			return false;
	return bits == 0 || ((a[i] ^ b[i]) & (0xff00 >> bits) & 0xff) == 0;
}

static bool net_match(const struct net *find, const struct net *sn, bool address, bool weight)
{
	if (find->type != sn->type || (weight && find->weight != sn->weight))
		return false;
	if (find->type == 0)
		return memcmp(find->addr, sn->addr, 6) == 0;
	if (address)
		return prefix_equal(find->addr, sn->addr, sn->prefix);
	return find->prefix == sn->prefix && memcmp(find->addr, sn->addr, find->type == 4 ? 4 : 16) == 0;
}

static int info_subnet(const struct fl_cli_env *env, struct fl_ctl_client *c, const char *item)
{
	struct net find, sn;
	char line[FL_CTL_LINE_MAX], netstr[4096], owner[4096];
	int code, req;
	bool found = false, address = !strchr(item, '/'), weight = strchr(item, '#') != NULL;
	if (!parse_net(item, &find)) {
		fprintf(env->err, "Could not parse subnet or address '%s'.\n", item);
		return 1;
	}
	fl_ctl_client_sendf(c, "%d %d %s", FL_CTL_CONTROL, FL_REQ_DUMP_SUBNETS, item);
	while (fl_ctl_client_recvline(c, line, sizeof(line))) {
		int n = sscanf(line, "%d %d " S " " S, &code, &req, netstr, owner);
		if (n == 2)
			break;
		if (n != 4 || !parse_net(netstr, &sn)) {
			fprintf(env->err, "Unable to parse subnet dump from tincd.\n");
			return 1;
		}
		if (!net_match(&find, &sn, address, weight))
			continue;
		found = true;
		size_t len = strlen(netstr);
		if (len >= 3 && strcmp(netstr + len - 3, "#10") == 0)
			netstr[len - 3] = '\0';
		fprintf(env->out, "Subnet: %s\nOwner:  %s\n", netstr, owner);
	}
	if (!found)
		fprintf(env->err, address ? "Unknown address %s.\n" : "Unknown subnet %s.\n", item);
	return found ? 0 : 1;
}

/* Finds item in dump 3; drains the rest. 1 found, 0 not, -1 bad line. */
static int find_node(struct fl_ctl_client *c, const char *item, struct fl_cli_node_line *r)
{
	static struct fl_cli_node_line t; /* 24 KiB of names: not on the stack */
	char line[FL_CTL_LINE_MAX], rest;
	int code, req, found = 0;
	fl_ctl_client_sendf(c, "%d %d %s", FL_CTL_CONTROL, FL_REQ_DUMP_NODES, item);
	while (fl_ctl_client_recvline(c, line, sizeof(line))) {
		if (fl_cli_dump_parse_node(line, &t) != 0) /* the end line is "18 3" alone */
			return sscanf(line, "%d %d %c", &code, &req, &rest) == 2 ? found : -1;
		if (!found && strcmp(t.node, item) == 0) {
			*r = t;
			found = 1;
		}
	}
	return -1;
}

static void print_flags(FILE *out, const char *label, unsigned v, const char *const names[],
                        const unsigned bits[], size_t n)
{
	fprintf(out, "%s", label);
	for (size_t i = 0; i < n; i++)
		if (v & bits[i])
			fprintf(out, " %s", names[i]);
	fprintf(out, "\n");
}

static void print_reachability(FILE *out, const struct fl_cli_node_line *r, const char *item)
{
	fprintf(out, "Reachability: ");
	if (!strcmp(r->host, "MYSELF"))
		fprintf(out, "can reach itself\n");
	else if (!(r->status & FL_NODE_REACHABLE))
		fprintf(out, "unreachable\n");
	else if (strcmp(r->via, item))
		fprintf(out, "indirectly via %s\n", r->via);
	else if (!(r->status & FL_NODE_VALIDKEY))
		fprintf(out, "unknown\n");
	else if (r->minmtu > 0) {
		fprintf(out, "directly with UDP\nPMTU:         %d\n", r->pmtu);
		if (r->rtt != -1)
			fprintf(out, "RTT:          %d.%03d\n", r->rtt / 1000, r->rtt % 1000);
	} else if (!strcmp(r->nexthop, item))
		fprintf(out, "directly with TCP\n");
	else
		fprintf(out, "none, forwarded via %s\n", r->nexthop);
}

/* Prints the second field of dump lines whose first field is item. */
static int list_of(const struct fl_cli_env *env, struct fl_ctl_client *c, int req_type,
                   const char *label, const char *item)
{
	char line[FL_CTL_LINE_MAX], a[4096], b[4096];
	int code, req;
	fprintf(env->out, "%s", label);
	fl_ctl_client_sendf(c, "%d %d %s", FL_CTL_CONTROL, req_type, item);
	while (fl_ctl_client_recvline(c, line, sizeof(line))) {
		int n = sscanf(line, "%d %d " S " " S, &code, &req, a, b);
		if (n == 2)
			break;
		if (n != 4) {
			fprintf(env->err, req_type == FL_REQ_DUMP_EDGES ?
			        "Unable to parse edge dump from tincd.\n" :
			        "Unable to parse subnet dump from tincd.\n");
			return 1;
		}
		if (req_type == FL_REQ_DUMP_EDGES && !strcmp(a, item))
			fprintf(env->out, " %s", b);
		if (req_type == FL_REQ_DUMP_SUBNETS && !strcmp(b, item)) {
			fl_cli_dump_strip_weight(a);
			fprintf(env->out, " %s", a);
		}
	}
	fprintf(env->out, "\n");
	return 0;
}

static int info_node(const struct fl_cli_env *env, struct fl_ctl_client *c, const char *item)
{
	static struct fl_cli_node_line r;
	int f = find_node(c, item, &r);
	if (f < 0) {
		fprintf(env->err, "Unable to parse node dump from tincd.\n");
		return 1;
	}
	if (!f) {
		fprintf(env->err, "Unknown node %s.\n", item);
		return 1;
	}
	FILE *o = env->out;
	char ts[32] = "never";
	time_t t = (time_t)r.lsc;
	struct tm tm;
	if (r.lsc)
		strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
	fprintf(o, "Node:         %s\nNode ID:      %s\nAddress:      %s port %s\n", item, r.id,
	        r.host, r.port);
	fprintf(o, (r.status & FL_NODE_REACHABLE) ? "Online since: %s\n" : "Last seen:    %s\n", ts);
	static const char *const sn[] = {"validkey", "visited", "reachable", "indirect", "sptps", "udp_confirmed"};
	static const unsigned sb[] = {FL_NODE_VALIDKEY, FL_NODE_VISITED, FL_NODE_REACHABLE,
	                              FL_NODE_INDIRECT, FL_NODE_SPTPS, FL_NODE_UDP_CONFIRMED};
	print_flags(o, "Status:      ", r.status, sn, sb, 6);
	static const char *const on[] = {"indirect", "tcponly", "pmtu_discovery", "clamp_mss"};
	static const unsigned ob[] = {FL_OPTION_INDIRECT, FL_OPTION_TCPONLY, FL_OPTION_PMTU_DISCOVERY,
	                              FL_OPTION_CLAMP_MSS};
	print_flags(o, "Options:     ", r.options, on, ob, 4);
	fprintf(o, "Protocol:     %d.%u\n", 17, r.options >> 24);
	print_reachability(o, &r, item);
	fprintf(o, "RX:           %" PRIu64 " packets  %" PRIu64 " bytes\n", r.ip, r.ib);
	fprintf(o, "TX:           %" PRIu64 " packets  %" PRIu64 " bytes\n", r.op, r.ob);
	if (list_of(env, c, FL_REQ_DUMP_EDGES, "Edges:       ", item))
		return 1;
	return list_of(env, c, FL_REQ_DUMP_SUBNETS, "Subnets:     ", item);
}

int fl_cli_info(const struct fl_cli_env *env, int argc, char *argv[])
{
	struct fl_ctl_client c;
	if (argc != 2) {
		fprintf(env->err, "Invalid number of arguments.\n");
		return 1;
	}
	if (!fl_cli_connect(env, &c, true))
		return 1;
	int r;
	if (fl_name_valid(argv[1]))
		r = info_node(env, &c, argv[1]);
	else if (strchr(argv[1], '.') || strchr(argv[1], ':'))
		r = info_subnet(env, &c, argv[1]);
	else {
		fprintf(env->err, "Argument is not a node name, subnet or address.\n");
		r = 1;
	}
	fl_ctl_client_close(&c);
	return r;
}
