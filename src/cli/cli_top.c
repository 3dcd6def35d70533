/* SPDX-License-Identifier: MIT */
/*
 * fenliu top: the daemon's per-node traffic (control request DUMP_TRAFFIC),
 * refreshed every second like tinc's top, without curses: the screen is
 * redrawn with ANSI escapes and keys are read raw from the terminal.
 * Keys as tinc's: q quit, c current/cumulative, n i I o O t T sort by
 * name / in bytes / in packets / out bytes / out packets / total bytes /
 * total packets, b k M G units. Without a terminal (or with --batch) it
 * prints one snapshot of the cumulative counters and exits, for scripts.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_ctl.h"
#include "cli/cli_ctl_internal.h"

#define TOP_MAX_NODES 4096

struct top_node {
	char name[256];
	uint64_t in_p, in_b, out_p, out_b;	/* counters now */
	double r_in_p, r_in_b, r_out_p, r_out_b; /* per second since the last poll */
	bool seen;
};

struct top {
	struct top_node *n;
	size_t count;
	char sort;		/* one of n i I o O t T */
	bool cumulative;
	double unit;		/* bytes per shown unit */
	const char *uname;
};

static struct top_node *top_find(struct top *t, const char *name)
{
	for (size_t i = 0; i < t->count; i++)
		if (!strcmp(t->n[i].name, name))
			return &t->n[i];
	if (t->count == TOP_MAX_NODES)
		return NULL;
	memset(&t->n[t->count], 0, sizeof t->n[0]);
	snprintf(t->n[t->count].name, sizeof t->n[0].name, "%s", name);
	return &t->n[t->count++];
}

/* One DUMP_TRAFFIC round; rates over elapsed seconds. false on error. */
static bool top_poll(struct fl_ctl_client *c, struct top *t, double elapsed)
{
	char line[4500], name[4096];
	unsigned long long ip, ib, op, ob;
	int code, req, k;

	if (!fl_ctl_client_sendf(c, "%d %d", FL_CTL_CONTROL, FL_REQ_DUMP_TRAFFIC))
		return false;
	for (size_t i = 0; i < t->count; i++)
		t->n[i].seen = false;
	while (fl_ctl_client_recvline(c, line, sizeof line)) {
		k = sscanf(line, "%d %d %4095s %llu %llu %llu %llu", &code, &req, name, &ip, &ib, &op, &ob);
		if (k == 2 && code == FL_CTL_CONTROL && req == FL_REQ_DUMP_TRAFFIC)
			return true;
		if (k != 7 || code != FL_CTL_CONTROL || req != FL_REQ_DUMP_TRAFFIC)
			return false;
		struct top_node *n = top_find(t, name);
		if (!n)
			continue;
		if (elapsed > 0) {
			n->r_in_p = (double)(ip - n->in_p) / elapsed;
			n->r_in_b = (double)(ib - n->in_b) / elapsed;
			n->r_out_p = (double)(op - n->out_p) / elapsed;
			n->r_out_b = (double)(ob - n->out_b) / elapsed;
		}
		n->in_p = ip, n->in_b = ib, n->out_p = op, n->out_b = ob;
		n->seen = true;
	}
	return false;
}

static char top_sort_key;

static double top_value(const struct top_node *n)
{
	switch (top_sort_key) {
	case 'i': return n->r_in_b;
	case 'I': return n->r_in_p;
	case 'o': return n->r_out_b;
	case 'O': return n->r_out_p;
	case 't': return n->r_in_b + n->r_out_b;
	case 'T': return n->r_in_p + n->r_out_p;
	}
	return 0;
}

static int top_cmp(const void *a, const void *b)
{
	const struct top_node *x = a, *y = b;
	double dx = top_value(x), dy = top_value(y);

	if (top_sort_key == 'n' || dx == dy)
		return strcmp(x->name, y->name);
	return dx < dy ? 1 : -1;
}

static void top_draw(const struct fl_cli *cli, struct top *t, bool tty)
{
	static const char *const sortname[128] = {
		['n'] = "name", ['i'] = "in", ['I'] = "in", ['o'] = "out", ['O'] = "out",
		['t'] = "total", ['T'] = "total",
	};
	double u = t->unit;

	top_sort_key = t->sort;
	qsort(t->n, t->count, sizeof t->n[0], top_cmp);
	if (tty)
		printf("\033[H\033[2J");
	printf("fenliu %-16s  Nodes: %4zu  Sort: %-10s  %s\n\n", cli->netname ? cli->netname : "",
	       t->count, sortname[(unsigned char)t->sort], t->cumulative ? "Cumulative" : "Current");
	printf("Node                IN pkts   IN %s   OUT pkts  OUT %s\n", t->uname, t->uname);
	for (size_t i = 0; i < t->count; i++) {
		const struct top_node *n = &t->n[i];
		if (!n->seen)
			continue;
		if (t->cumulative)
			printf("%-16s %10.0f %10.0f %10.0f %10.0f\n", n->name, (double)n->in_p,
			       (double)n->in_b / u, (double)n->out_p, (double)n->out_b / u);
		else
			printf("%-16s %10.0f %10.0f %10.0f %10.0f\n", n->name, n->r_in_p,
			       n->r_in_b / u, n->r_out_p, n->r_out_b / u);
	}
	fflush(stdout);
}

/* A key from the terminal within ms milliseconds, or 0. */
static int top_key(int ms)
{
	struct pollfd p = {.fd = 0, .events = POLLIN};
	char ch;

	if (poll(&p, 1, ms) == 1 && read(0, &ch, 1) == 1)
		return ch;
	return 0;
}

static bool top_handle_key(struct top *t, int key)
{
	switch (key) {
	case 'q': return false;
	case 'c': t->cumulative = !t->cumulative; break;
	case 'n': case 'i': case 'I': case 'o': case 'O': case 't': case 'T':
		t->sort = (char)key;
		break;
	case 'b': t->unit = 1, t->uname = "bytes"; break;
	case 'k': t->unit = 1e3, t->uname = "kbyte"; break;
	case 'M': t->unit = 1e6, t->uname = "Mbyte"; break;
	case 'G': t->unit = 1e9, t->uname = "Gbyte"; break;
	}
	return true;
}

static double top_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void top_run(const struct fl_cli *cli, struct fl_ctl_client *c, struct top *t)
{
	struct termios old, raw;
	double last = top_now(), now;
	int key = 0;

	tcgetattr(0, &old);
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	tcsetattr(0, TCSANOW, &raw);
	do {
		now = top_now();
		if (!top_poll(c, t, now - last))
			break;
		last = now;
		top_draw(cli, t, true);
		key = top_key(1000);
	} while (top_handle_key(t, key));
	tcsetattr(0, TCSANOW, &old);
}

int cli_top(const struct fl_cli *cli, int argc, char **argv)
{
	struct fl_cli_env env = cli_ctl_env_of(cli);
	struct top t = {.sort = 'n', .unit = 1, .uname = "bytes"};
	struct fl_ctl_client c;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (!(t.n = calloc(TOP_MAX_NODES, sizeof *t.n)))
		return 1;
	if (!fl_cli_connect(&env, &c, true)) {
		free(t.n);
		return 1;
	}
	if (cli_tty(cli)) {
		top_run(cli, &c, &t);
	} else {
		t.cumulative = true;
		if (top_poll(&c, &t, 0))
			top_draw(cli, &t, false);
	}
	fl_ctl_client_close(&c);
	free(t.n);
	return 0;
}
