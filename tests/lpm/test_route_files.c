/* SPDX-License-Identifier: MIT */
/*
 * test_route_files.c: src/daemon/routes/route_files.c on a real config
 * directory made under /tmp: per-node lists, FILE:LINE messages, unknown
 * nodes kept, bad file names ignored, the offload list, missing route/.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/routes/route_files.h"
#include "lpm/prefix_parse.h"

struct msgs {
	char text[16][256];
	enum fl_route_sev sev[16];
	unsigned n;
};

static void on_msg(void *ctx, enum fl_route_sev sev, const char *msg)
{
	struct msgs *m = ctx;
	if (m->n < 16) {
		snprintf(m->text[m->n], sizeof(m->text[0]), "%s", msg);
		m->sev[m->n++] = sev;
	}
}

static bool known(void *ctx, const char *name)
{
	(void)ctx;
	return strcmp(name, "alice") == 0 || strcmp(name, "bob") == 0;
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int has(const struct msgs *m, const char *text)
{
	for (unsigned i = 0; i < m->n; i++)
		if (strcmp(m->text[i], text) == 0)
			return 1;
	return 0;
}

static void rm_rf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_route_dir(void **state)
{
	(void)state;
	char conf[] = "/tmp/fl-routes-XXXXXX", route[600], sub[700];
	struct msgs m = { 0 };
	struct fl_route_opts o = { .msg = on_msg, .known = known, .ctx = &m };
	struct fl_route_set s;
	char buf[64];

	assert_non_null(mkdtemp(conf));
	snprintf(route, sizeof(route), "%s/route", conf);
	/* No route/ at all: an empty set, no messages. */
	assert_int_equal(fl_route_files_load(conf, &o, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(m.n, 0);

	assert_int_equal(mkdir(route, 0700), 0);
	put(route, "bob", "# bob's networks\n198.51.100.0/24\n2001:db8:b::/48\n");
	put(route, "alice", "192.0.2.0/24\n192.0.2.1/24\n203.0.113.9\n");
	put(route, "carol", "203.0.113.0/25\n");
	put(route, "bad-name", "192.0.2.0/24\n");
	put(route, ".alice.swp", "junk\n");
	snprintf(sub, sizeof(sub), "%s/dave", route);
	assert_int_equal(mkdir(sub, 0700), 0);

	assert_int_equal(fl_route_files_load(conf, &o, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.node[0], "alice");
	assert_string_equal(s.node[1], "bob");
	assert_string_equal(s.node[2], "carol");
	assert_string_equal(s.lists[0].name, "route/alice");
	assert_int_equal(s.lists[0].n, 2);
	assert_int_equal(s.lists[0].bad, 1);
	assert_string_equal(fl_prefix_format(&s.lists[0].p[1], buf, sizeof(buf)), "203.0.113.9/32");
	assert_int_equal(s.lists[0].line[1], 3);
	assert_int_equal(s.lists[1].n, 2);
	assert_int_equal(s.lists[1].line[0], 2);
	assert_int_equal(s.lists[2].n, 1);
	assert_true(has(&m, "route/alice:2: host bits set after the prefix length: '192.0.2.1/24'"));
	assert_true(has(&m, "route/bad-name: not a node name, file ignored"));
	assert_true(has(&m, "route/carol: node carol is not in the mesh (yet); its routes are kept"));
	assert_true(has(&m, "route/dave: cannot read: Is a directory"));
	assert_int_equal(m.n, 4);

	/* The table: alice -> 10, bob -> 20, carol -> 30. */
	fl_lpm_value values[] = { 10, 20, 30 };
	struct fl_lpm *t;
	m.n = 0;
	assert_int_equal(fl_route_set_build(&s, values, &o, &t), FL_LPM_OK);
	assert_int_equal(m.n, 0);
	assert_int_equal(fl_lpm_lookup4(t, 0xc0000263), 10);  /* 192.0.2.99 */
	assert_int_equal(fl_lpm_lookup4(t, 0xcb007109), 10);  /* 203.0.113.9 */
	assert_int_equal(fl_lpm_lookup4(t, 0xcb00710a), 30);  /* 203.0.113.10 */
	assert_int_equal(fl_lpm_lookup4(t, 0xc6336401), 20);  /* 198.51.100.1 */
	assert_int_equal(fl_lpm_lookup4(t, 0x08080808), FL_LPM_NONE);
	fl_lpm_free(t);
	fl_route_set_free(&s);

	/* The same prefix for two nodes: warned with both places. */
	put(route, "carol", "# moved\n192.0.2.0/24\n");
	m.n = 0;
	assert_int_equal(fl_route_files_load(conf, &o, &s), 0);
	m.n = 0;
	assert_int_equal(fl_route_set_build(&s, values, &o, &t), FL_LPM_OK);
	assert_true(has(&m, "route/carol:2: 192.0.2.0/24 also at route/alice:1, this one wins"));
	assert_int_equal(fl_lpm_lookup4(t, 0xc0000263), 30);
	fl_lpm_free(t);
	fl_route_set_free(&s);
	rm_rf(conf);
}

static void test_offload_list(void **state)
{
	(void)state;
	char dir[] = "/tmp/fl-offload-XXXXXX", path[600];
	struct msgs m = { 0 };
	struct fl_route_opts o = { .msg = on_msg, .ctx = &m };
	struct fl_prefix_list l;

	assert_non_null(mkdtemp(dir));
	put(dir, "offload", "192.0.2.0/24\n\x01\xff'\n2001:db8::/32 extra words\n198.51.100.0/24\n");
	snprintf(path, sizeof(path), "%s/offload", dir);
	assert_int_equal(fl_prefix_list_load(path, "offload", &o, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.bad, 2);
	assert_true(has(&m, "offload:2: not an IPv4 or IPv6 address: '\\x01\\xff\\x27'"));
	assert_true(has(&m, "offload:3: text after the prefix: '2001:db8::/32 extra words'"));
	fl_prefix_list_free(&l);

	m.n = 0;
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(fl_prefix_list_load(path, "missing", &o, &l), -ENOENT);
	assert_true(has(&m, "missing: cannot read: No such file or directory"));
	fl_prefix_list_free(&l);
	rm_rf(dir);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(fl_route_node_name_ok("alice_2"));
	assert_false(fl_route_node_name_ok(""));
	assert_false(fl_route_node_name_ok("a-b"));
	assert_false(fl_route_node_name_ok("a.b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_dir),
		cmocka_unit_test(test_offload_list),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
