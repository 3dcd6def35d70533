/* SPDX-License-Identifier: MIT */
/* cli_dump.c: `fenliu dump [reachable] nodes|edges|subnets|connections|
 * graph|digraph|routes|stats|offload|nat`: asks the daemon (codes 3-6; 64
 * for fenliu's local routes, 65 for its counters, 66 and 67 for split
 * tunnelling's text dumps) and prints tinc's CLI lines (CONFIG.md §5.4),
 * "PREFIX NODE" per local route, "SCOPE NAME VALUE" per counter, or the
 * text lines as they come. Called from fenliu.c's dispatch table. */
#include "cli/cli.h"
#include "cli/cli_ctl_internal.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

#define S "%4095s"

/* "...#10" never reaches the user: tinc strips the default weight. */
void fl_cli_dump_strip_weight(char *subnet)
{
	size_t len = strlen(subnet);
	if (len >= 3 && strcmp(subnet + len - 3, "#10") == 0)
		subnet[len - 3] = '\0';
}

int fl_cli_dump_parse_node(const char *line, struct fl_cli_node_line *r)
{
	return sscanf(line, "%*d %*d " S " " S " " S " port " S " %d %d %d %d %x %x " S " " S
	              " %d %hd %hd %hd %ld %d %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
	              r->node, r->id, r->host, r->port, &r->cipher, &r->digest, &r->maclength,
	              &r->compression, &r->options, &r->status, r->nexthop, r->via, &r->distance,
	              &r->pmtu, &r->minmtu, &r->maxmtu, &r->lsc, &r->rtt, &r->ip, &r->ib, &r->op,
	              &r->ob) == 22 ? 0 : -1;
}

static int node_line(const char *line, int graph, int only_reachable, char *out, size_t n)
{
	static struct fl_cli_node_line r; /* 24 KiB of names: not on the stack */
	if (fl_cli_dump_parse_node(line, &r) != 0)
		return -1;
	out[0] = '\0';
	if (graph) {
		const char *color = "black";
		bool myself = strcmp(r.host, "MYSELF") == 0;
		if (myself)
			color = "green";
		else if (!(r.status & FL_NODE_REACHABLE))
			color = "red";
		else if (strcmp(r.via, r.node) != 0)
			color = "orange";
		else if (!(r.status & FL_NODE_VALIDKEY))
			color = "black";
		else if (r.minmtu > 0)
			color = "green";
		snprintf(out, n, " \"%s\" [label = \"%s\", color = \"%s\"%s];", r.node, r.node, color,
		         myself ? ", style = \"filled\"" : "");
		return 0;
	}
	if (only_reachable && !(r.status & FL_NODE_REACHABLE))
		return 0;
	int k = snprintf(out, n, "%s id %s at %s port %s cipher %d digest %d maclength %d compression %d "
	                 "options %x status %04x nexthop %s via %s distance %d pmtu %d (min %d max %d) "
	                 "rx %" PRIu64 " %" PRIu64 " tx %" PRIu64 " %" PRIu64,
	                 r.node, r.id, r.host, r.port, r.cipher, r.digest, r.maclength, r.compression,
	                 r.options, r.status, r.nexthop, r.via, r.distance, r.pmtu, r.minmtu, r.maxmtu,
	                 r.ip, r.ib, r.op, r.ob);
	if (r.rtt != -1 && k >= 0 && (size_t)k < n)
		snprintf(out + k, n - (size_t)k, " rtt %d.%03d", r.rtt / 1000, r.rtt % 1000);
	return 0;
}

static int edge_line(const char *line, int graph, char *out, size_t n)
{
	char from[4096], to[4096], host[4096], port[4096], lhost[4096], lport[4096];
	unsigned options;
	int weight;
	if (sscanf(line, "%*d %*d " S " " S " " S " port " S " " S " port " S " %x %d", from, to,
	           host, port, lhost, lport, &options, &weight) != 8)
		return -1;
	out[0] = '\0';
	if (graph) {
		float w = 1.0f + 65536.0f / (float)weight;
		if (graph == 1 && strcmp(from, to) > 0)
			snprintf(out, n, " \"%s\" -- \"%s\" [w = %f, weight = %f];", from, to, (double)w, (double)w);
		else if (graph == 2)
			snprintf(out, n, " \"%s\" -> \"%s\" [w = %f, weight = %f];", from, to, (double)w, (double)w);
		return 0;
	}
	snprintf(out, n, "%s to %s at %s port %s local %s port %s options %x weight %d", from, to, host,
	         port, lhost, lport, options, weight);
	return 0;
}

int fl_cli_format_dump_line(const char *line, int req, int graph, int only_reachable,
                            char *out, size_t n)
{
	char a[4096], b[4096], host[4096], port[4096];
	unsigned options, status;
	int sock;
	switch (req) {
	case FL_REQ_DUMP_NODES:
		return node_line(line, graph, only_reachable, out, n);
	case FL_REQ_DUMP_EDGES:
		return edge_line(line, graph, out, n);
	case FL_REQ_DUMP_SUBNETS:
		if (sscanf(line, "%*d %*d " S " " S, a, b) != 2)
			return -1;
		fl_cli_dump_strip_weight(a);
		snprintf(out, n, "%s owner %s", a, b);
		return 0;
	case FL_REQ_DUMP_CONNECTIONS:
		if (sscanf(line, "%*d %*d " S " " S " port " S " %x %d %x", a, host, port, &options,
		           &sock, &status) != 6)
			return -1;
		snprintf(out, n, "%s at %s port %s options %x socket %d status %x", a, host, port,
		         options, sock, status);
		return 0;
	case FL_REQ_DUMP_ROUTES:
		if (sscanf(line, "%*d %*d " S " " S, a, b) != 2)
			return -1;
		snprintf(out, n, "%s %s", a, b);
		return 0;
	case FL_REQ_DUMP_STATS: {
		unsigned long long v;
		if (sscanf(line, "%*d %*d " S " " S " %llu", a, b, &v) != 3)
			return -1;
		snprintf(out, n, "%s %s %llu", a, b, v);
		return 0;
	}
	case FL_REQ_DUMP_OFFLOAD:
	case FL_REQ_DUMP_NAT:
	case FL_REQ_DUMP_NEIGHBOURS: { /* free text after "18 REQ " */
		int skip = 0;
		if (sscanf(line, "%*d %*d %n", &skip) != 0 || skip == 0)
			return -1;
		snprintf(out, n, "%s", line + skip);
		return 0;
	}
	}
	return -1;
}

static const char *const dump_errors[] = {
	[FL_REQ_DUMP_NODES] = "Unable to parse node dump from tincd: %s\n",
	[FL_REQ_DUMP_EDGES] = "Unable to parse edge dump from tincd.\n",
	[FL_REQ_DUMP_SUBNETS] = "Unable to parse subnet dump from tincd.\n",
	[FL_REQ_DUMP_CONNECTIONS] = "Unable to parse connection dump from tincd.\n",
	[FL_REQ_DUMP_ROUTES] = "Unable to parse route dump from fenliud.\n",
	[FL_REQ_DUMP_STATS] = "Unable to parse stats dump from fenliud.\n",
	[FL_REQ_DUMP_OFFLOAD] = "Unable to parse offload dump from fenliud.\n",
	[FL_REQ_DUMP_NAT] = "Unable to parse nat dump from fenliud.\n",
	[FL_REQ_DUMP_NEIGHBOURS] = "Unable to parse neighbours dump from fenliud.\n",
};

/* Reads dump lines until the terminator of the last request. */
static int print_dump(const struct fl_cli_env *env, struct fl_ctl_client *c, int graph,
                      int only_reachable)
{
	char line[FL_CTL_LINE_MAX], out[FL_CTL_LINE_MAX * 2], a[4096], b[4096];
	int code, req;
	while (fl_ctl_client_recvline(c, line, sizeof(line))) {
		int n = sscanf(line, "%d %d " S " " S, &code, &req, a, b);
		if (n == 2 && req < 0) { /* tincd: "18 -1", not a request it knows */
			fprintf(env->err, "The daemon does not support this dump (tincd?).\n");
			return 1;
		}
		if (n == 2) {
			if (graph && req == FL_REQ_DUMP_NODES)
				continue;
			if (graph)
				fprintf(env->out, "}\n");
			return 0;
		}
		if (n < 2)
			break;
		if ((req < FL_REQ_DUMP_NODES || req > FL_REQ_DUMP_CONNECTIONS) &&
		    req != FL_REQ_DUMP_ROUTES && req != FL_REQ_DUMP_STATS &&
		    req != FL_REQ_DUMP_OFFLOAD && req != FL_REQ_DUMP_NAT &&
		    req != FL_REQ_DUMP_NEIGHBOURS) {
			fprintf(env->err, "Unable to parse dump from tincd.\n");
			return 1;
		}
		if (fl_cli_format_dump_line(line, req, graph, only_reachable, out, sizeof(out)) != 0) {
			if (req == FL_REQ_DUMP_NODES)
				fprintf(env->err, "Unable to parse node dump from tincd: %s\n", line);
			else
				fputs(dump_errors[req], env->err);
			return 1;
		}
		if (out[0])
			fprintf(env->out, "%s\n", out);
	}
	fprintf(env->err, "Error receiving dump.\n");
	return 1;
}

int fl_cli_dump(const struct fl_cli_env *env, int argc, char *argv[])
{
	int only_reachable = 0;
	if (argc > 2 && strcasecmp(argv[1], "reachable") == 0) {
		if (strcasecmp(argv[2], "nodes") != 0) {
			fprintf(env->err, "`reachable' only supported for nodes.\n");
			return 1;
		}
		only_reachable = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(env->err, "Invalid number of arguments.\n");
		return 1;
	}
	if (strcasecmp(argv[1], "invitations") == 0) {
		struct fl_paths p;
		return fl_cli_paths(env, &p) ? cli_dump_invitations(p.confbase) : 1;
	}
	static const struct { const char *name; int req, graph; } kinds[] = {
		{"nodes", FL_REQ_DUMP_NODES, 0}, {"edges", FL_REQ_DUMP_EDGES, 0},
		{"subnets", FL_REQ_DUMP_SUBNETS, 0}, {"connections", FL_REQ_DUMP_CONNECTIONS, 0},
		{"graph", FL_REQ_DUMP_NODES, 1}, {"digraph", FL_REQ_DUMP_NODES, 2},
		{"routes", FL_REQ_DUMP_ROUTES, 0}, {"stats", FL_REQ_DUMP_STATS, 0},
		{"offload", FL_REQ_DUMP_OFFLOAD, 0}, {"nat", FL_REQ_DUMP_NAT, 0},
		{"neighbours", FL_REQ_DUMP_NEIGHBOURS, 0}, {"neighbors", FL_REQ_DUMP_NEIGHBOURS, 0},
	};
	size_t k = 0;
	while (k < sizeof(kinds) / sizeof(kinds[0]) && strcasecmp(argv[1], kinds[k].name) != 0)
		k++;
	if (k == sizeof(kinds) / sizeof(kinds[0])) {
		fprintf(env->err, "Unknown dump type '%s'.\n", argv[1]);
		return 1;
	}
	struct fl_ctl_client c;
	if (!fl_cli_connect(env, &c, true))
		return 1;
	fl_ctl_client_sendf(&c, "%d %d", FL_CTL_CONTROL, kinds[k].req);
	if (kinds[k].graph) {
		fl_ctl_client_sendf(&c, "%d %d", FL_CTL_CONTROL, FL_REQ_DUMP_EDGES);
		fprintf(env->out, kinds[k].graph == 1 ? "graph {\n" : "digraph {\n");
	}
	int r = print_dump(env, &c, kinds[k].graph, only_reachable);
	fl_ctl_client_close(&c);
	return r;
}
