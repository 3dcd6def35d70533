/* SPDX-License-Identifier: MIT */
/*
 * test_mesh_subnet.c: subnet text form, ordering and lookup by tinc's rules
 * (GRAPH.md §5), with a differential check of the lookup against a naive
 * model written from the §5.3 summary (longest prefix, then weight, then
 * owner name, skipping unreachable owners).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mesh/mesh.h"

static struct mesh_subnet sn(const char *s)
{
	struct mesh_subnet r;

	assert_int_equal(mesh_subnet_parse(&r, s, strlen(s)), MESH_SUBNET_OK);
	return r;
}

static void fmt_is(const char *in, const char *want)
{
	struct mesh_subnet s = sn(in);
	char buf[MESH_SUBNET_TEXT_MAX];

	assert_true(mesh_subnet_format(&s, buf, sizeof(buf), true) > 0);
	assert_string_equal(buf, want);
}

static void test_parse_format(void **st)
{
	struct mesh_subnet s;
	char buf[MESH_SUBNET_TEXT_MAX];

	(void)st;
	fmt_is("10.0.1.0/24", "10.0.1.0/24");
	fmt_is("10.0.1.7/32", "10.0.1.7");
	fmt_is("10.0.1.7", "10.0.1.7");
	fmt_is("10.0.1.0/24#10", "10.0.1.0/24");
	fmt_is("10.0.1.0/24#-5", "10.0.1.0/24#-5");
	fmt_is("2001:DB8:0:0::1/128", "2001:db8::1");
	fmt_is("2001:db8::/32#7", "2001:db8::/32#7");
	fmt_is("FE:FD:0:0:0:1", "fe:fd:00:00:00:01");
	fmt_is("ff:ff:ff:ff:ff:ff#3", "ff:ff:ff:ff:ff:ff#3");
	s = sn("2001:db8::/32#7");
	assert_true(mesh_subnet_format(&s, buf, sizeof(buf), false) > 0);
	assert_string_equal(buf, "2001:db8::/32");
	assert_int_equal(mesh_subnet_parse(&s, "10.0.1.0/33", 11), MESH_SUBNET_E_PREFIX);
	assert_int_equal(mesh_subnet_parse(&s, "10.0.1.0/-1", 11), MESH_SUBNET_E_PREFIX);
	assert_int_equal(mesh_subnet_parse(&s, "10.0.1.0/2x", 11), MESH_SUBNET_E_PREFIX);
	assert_int_equal(mesh_subnet_parse(&s, "10.0.1.0#x", 10), MESH_SUBNET_E_WEIGHT);
	assert_int_equal(mesh_subnet_parse(&s, "::/129", 6), MESH_SUBNET_E_PREFIX);
	assert_int_equal(mesh_subnet_parse(&s, "1:2:3:4:5:6/8", 13), MESH_SUBNET_E_MAC_PREFIX);
	assert_int_equal(mesh_subnet_parse(&s, "1:2:3:4:5:100", 13), MESH_SUBNET_E_SYNTAX);
	assert_int_equal(mesh_subnet_parse(&s, "10.0.1", 6), MESH_SUBNET_E_SYNTAX);
	assert_int_equal(mesh_subnet_parse(&s, "host.example", 12), MESH_SUBNET_E_SYNTAX);
	s = sn("10.0.1.1/24");
	assert_int_equal(mesh_subnet_check_host_bits(&s), MESH_SUBNET_E_HOST_BITS);
	s = sn("10.0.1.0/24");
	assert_int_equal(mesh_subnet_check_host_bits(&s), MESH_SUBNET_OK);
	s = sn("2001:db8::1/127");
	assert_int_equal(mesh_subnet_check_host_bits(&s), MESH_SUBNET_E_HOST_BITS);
}

static void test_order(void **st)
{
	struct mesh_subnet a, b;

	(void)st;
	a = sn("fe:fd:00:00:00:01");
	b = sn("0.0.0.0/0");
	assert_true(mesh_subnet_cmp(&a, &b) < 0);	/* MAC < IPv4 */
	a = sn("10.0.0.0/16");
	b = sn("10.0.0.0/8");
	assert_true(mesh_subnet_cmp(&a, &b) < 0);	/* longer first */
	a = sn("10.0.0.0/8#5");
	b = sn("10.0.0.0/8");
	assert_true(mesh_subnet_cmp(&a, &b) < 0);	/* lighter first */
	a = sn("9.0.0.0/8");
	b = sn("10.0.0.0/8");
	assert_true(mesh_subnet_cmp(&a, &b) < 0);
	a = sn("::/0");
	b = sn("255.255.255.255");
	assert_true(mesh_subnet_cmp(&a, &b) > 0);	/* IPv6 last */
}

/* Nodes for ownership: only name and status are read. */
static struct mesh_node nodes[4];
static char names[4][8];

static void setup_nodes(void)
{
	for (int i = 0; i < 4; i++) {
		memset(&nodes[i], 0, sizeof(nodes[i]));
		snprintf(names[i], sizeof(names[i]), "n%d", i);
		nodes[i].name = names[i];
		nodes[i].status = MESH_NS_REACHABLE;
	}
}

static void add(struct mesh_subnet_table *t, const char *s, int owner)
{
	struct mesh_subnet x = sn(s);

	x.owner = owner < 0 ? NULL : &nodes[owner];
	assert_true(mesh_subnet_table_add(t, &x));
}

static const char *route(const struct mesh_subnet_index *ix, const char *ip)
{
	static char buf[128];
	struct mesh_subnet a = sn(ip);
	const struct mesh_subnet *r = mesh_subnet_lookup(ix, a.type, a.addr);
	char s[MESH_SUBNET_TEXT_MAX];

	if (!r)
		return "none";
	mesh_subnet_format(r, s, sizeof(s), true);
	snprintf(buf, sizeof(buf), "%s %s", s, r->owner ? r->owner->name : "(broadcast)");
	return buf;
}

static void test_lookup_rules(void **st)
{
	struct mesh_subnet_table t;
	struct mesh_subnet_index ix;
	struct mesh_subnet x;

	(void)st;
	setup_nodes();
	mesh_subnet_table_init(&t);
	mesh_subnet_index_init_list(&ix, &t);
	add(&t, "10.0.0.0/8", 0);
	add(&t, "10.1.0.0/16#20", 1);
	add(&t, "10.1.0.0/16#5", 2);
	add(&t, "10.1.0.0/16#5", 3);
	add(&t, "224.0.0.0/4", -1);
	add(&t, "2001:db8::/32", 1);
	/* identical subnet and owner twice is refused */
	x = sn("10.0.0.0/8");
	x.owner = &nodes[0];
	assert_false(mesh_subnet_table_add(&t, &x));

	assert_string_equal(route(&ix, "10.1.2.3"), "10.1.0.0/16#5 n2");
	assert_string_equal(route(&ix, "10.2.2.3"), "10.0.0.0/8 n0");
	assert_string_equal(route(&ix, "11.0.0.1"), "none");
	assert_string_equal(route(&ix, "224.0.0.5"), "224.0.0.0/4 (broadcast)");
	assert_string_equal(route(&ix, "2001:db8::5"), "2001:db8::/32 n1");
	/* n2 down: the same-weight n3 wins; then the heavier n1 */
	nodes[2].status = 0;
	assert_string_equal(route(&ix, "10.1.2.3"), "10.1.0.0/16#5 n3");
	nodes[3].status = 0;
	assert_string_equal(route(&ix, "10.1.2.3"), "10.1.0.0/16#20 n1");
	/* unreachable owners fall back to a shorter prefix */
	nodes[1].status = 0;
	assert_string_equal(route(&ix, "10.1.2.3"), "10.0.0.0/8 n0");
	/* all unreachable: the last match (least specific) is returned */
	nodes[0].status = 0;
	assert_string_equal(route(&ix, "10.1.2.3"), "10.0.0.0/8 n0");

	x = sn("10.1.0.0/16#5");
	x.owner = &nodes[2];
	assert_true(mesh_subnet_table_del(&t, &x));
	assert_false(mesh_subnet_table_del(&t, &x));
	x.owner = &nodes[3];
	assert_non_null(mesh_subnet_table_find(&t, &x));
	mesh_subnet_table_free(&t);
}

/* Naive model: among matching subnets with no owner or a reachable owner,
 * the one with the longest prefix, then lowest weight, then lowest address
 * (irrelevant for matches of equal prefix), then owner name; if none, the
 * least specific/heaviest/last-named matching one. */
static const struct mesh_subnet *model(const struct mesh_subnet_table *t,
				       const uint8_t *addr)
{
	const struct mesh_subnet *best = NULL, *last = NULL;

	for (const struct mesh_subnet *s = mesh_subnet_table_first(t); s; s = mesh_subnet_next(s)) {
		if (s->type != MESH_SUBNET_IPV4 || !mesh_subnet_matches(s, addr))
			continue;
		if (!last || mesh_subnet_cmp(s, last) > 0)
			last = s;
		if (s->owner && !(s->owner->status & MESH_NS_REACHABLE))
			continue;
		if (!best || mesh_subnet_cmp(s, best) < 0)
			best = s;
	}
	return best ? best : last;
}

static void test_lookup_differential(void **st)
{
	struct mesh_subnet_table t;
	struct mesh_subnet_index ix;
	unsigned seed = 12345;

	(void)st;
	setup_nodes();
	mesh_subnet_table_init(&t);
	mesh_subnet_index_init_list(&ix, &t);
	for (int i = 0; i < 300; i++) {
		struct mesh_subnet s;
		seed = seed * 1103515245 + 12345;
		memset(&s, 0, sizeof(s));
		s.type = MESH_SUBNET_IPV4;
		s.prefix = (int)(seed >> 8) % 33;
		s.addr[0] = 198;
		s.addr[1] = 51;
		s.addr[2] = (uint8_t)((seed >> 4) & 3);
		s.addr[3] = (uint8_t)(seed >> 16);
		for (int b = s.prefix; b < 32; b++)
			s.addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		s.weight = (int32_t)((seed >> 20) % 3);
		s.owner = &nodes[(seed >> 24) % 4];
		mesh_subnet_table_add(&t, &s);
	}
	for (int round = 0; round < 2000; round++) {
		uint8_t a[4] = {198, 51, 0, 0};
		seed = seed * 1103515245 + 12345;
		a[2] = (uint8_t)((seed >> 4) & 3);
		a[3] = (uint8_t)(seed >> 16);
		for (int i = 0; i < 4; i++)
			nodes[i].status = ((seed >> (24 + i)) & 1) ? MESH_NS_REACHABLE : 0;
		assert_ptr_equal(mesh_subnet_lookup(&ix, MESH_SUBNET_IPV4, a), model(&t, a));
	}
	mesh_subnet_table_free(&t);
}

static enum mesh_subnet_type x_type(bool v6)
{
	return v6 ? MESH_SUBNET_IPV6 : MESH_SUBNET_IPV4;
}

/* The LPM index gives the list walk's answer for every address, whatever
 * the reachability, with nested prefixes, ties, host bits and broadcasts. */
static void test_lpm_index_differential(void **st)
{
	unsigned seed = 777;

	(void)st;
	for (int round = 0; round < 60; round++) {
		struct mesh_subnet_table t;
		struct mesh_subnet_index list, fast;
		bool v6 = round % 2;
		int bytes = v6 ? 16 : 4, maxlen = v6 ? 128 : 32;

		setup_nodes();
		mesh_subnet_table_init(&t);
		for (int i = 0; i < 5 + round * 3; i++) {
			struct mesh_subnet x;
			seed = seed * 1103515245 + 12345;
			memset(&x, 0, sizeof(x));
			x.type = v6 ? MESH_SUBNET_IPV6 : MESH_SUBNET_IPV4;
			/* few lengths and few distinct bits: plenty of nesting */
			x.prefix = (int)((seed >> 8) % 5) * (maxlen / 4);
			x.addr[0] = 198;
			x.addr[bytes - 1] = (uint8_t)((seed >> 12) & 3);
			x.addr[bytes / 2] = (uint8_t)((seed >> 14) & 1);
			if ((seed >> 20) % 3)
				for (int b = x.prefix; b < maxlen; b++)
					x.addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
			x.weight = (int32_t)((seed >> 22) % 3);
			x.owner = (seed >> 25) % 5 == 0 ? NULL : &nodes[(seed >> 27) % 4];
			mesh_subnet_table_add(&t, &x);
		}
		mesh_subnet_index_init_list(&list, &t);
		for (int reach = 0; reach < 16; reach++) {
			for (int i = 0; i < 4; i++)
				nodes[i].status = (reach >> i) & 1 ? MESH_NS_REACHABLE : 0;
			mesh_subnet_index_init_list(&fast, &t);
			assert_true(mesh_subnet_index_build_lpm(&fast, &t));
			for (int k = 0; k < 64; k++) {
				uint8_t a[16] = {0};
				seed = seed * 1103515245 + 12345;
				a[0] = (seed >> 9) & 1 ? 198 : 10;
				a[bytes - 1] = (uint8_t)((seed >> 12) & 3);
				a[bytes / 2] = (uint8_t)((seed >> 14) & 1);
				a[1] = (uint8_t)(seed >> 16);
				assert_ptr_equal(mesh_subnet_lookup(&fast, x_type(v6), a),
						 mesh_subnet_lookup(&list, x_type(v6), a));
				/* the search used while the index is stale, too */
				assert_ptr_equal(mesh_subnet_table_lookup(&t, x_type(v6), a),
						 mesh_subnet_lookup(&list, x_type(v6), a));
			}
			mesh_subnet_index_free(&fast);
		}
		mesh_subnet_table_free(&t);
	}
}

/* The skip list under random inserts and deletes: in strict order, the
 * count and every owner's list right, deleted entries gone from lookups,
 * and the table search equal to the walk (MAC, IPv4, IPv6). */
static void test_table_random_ops(void **st)
{
	static const char *const pool[] = {
		"198.18.0.0/15", "198.18.0.0/16", "198.18.1.0/24", "198.18.1.1",
		"198.18.1.1#5", "198.18.1.0/24#3", "198.18.1.7/24", "0.0.0.0/0",
		"2001:db8::/32", "2001:db8::1", "2001:db8::/64#1", "2001:db8::1:0/112",
		"02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:01#4",
	};
	static const char *const probes[] = {
		"198.18.1.1", "198.18.1.9", "198.19.0.1", "10.0.0.1", "2001:db8::1",
		"2001:db8::1:5", "2001:db9::", "02:00:00:00:00:01", "02:00:00:00:00:02",
	};
	struct mesh_subnet_table t;
	struct mesh_subnet_index list;
	unsigned seed = 4242;
	size_t present = 0;
	bool in[sizeof(pool) / sizeof(pool[0])][5] = {{false}};

	(void)st;
	setup_nodes();
	mesh_subnet_table_init(&t);
	mesh_subnet_index_init_list(&list, &t);
	for (int step = 0; step < 4000; step++) {
		size_t i, o;
		struct mesh_subnet x;
		const struct mesh_subnet *prev = NULL;
		size_t count = 0, owned[4] = {0};

		seed = seed * 1103515245 + 12345;
		i = (seed >> 8) % (sizeof(pool) / sizeof(pool[0]));
		o = (seed >> 16) % 5;	/* 4 = broadcast */
		x = sn(pool[i]);
		x.owner = o < 4 ? &nodes[o] : NULL;
		if (in[i][o]) {
			assert_true(mesh_subnet_table_del(&t, &x));
			assert_null(mesh_subnet_table_find(&t, &x));
			present--;
		} else {
			assert_true(mesh_subnet_table_add(&t, &x));
			assert_false(mesh_subnet_table_add(&t, &x));
			present++;
		}
		in[i][o] = !in[i][o];
		for (int k = 0; k < 4; k++)
			nodes[k].status = (seed >> (24 + k)) & 1 ? MESH_NS_REACHABLE : 0;
		assert_int_equal(t.n, present);
		for (const struct mesh_subnet *s = mesh_subnet_table_first(&t); s; s = mesh_subnet_next(s)) {
			if (prev)
				assert_true(mesh_subnet_cmp(prev, s) <= 0);
			for (int k = 0; k < 4; k++)
				owned[k] += s->owner == &nodes[k];
			prev = s;
			count++;
		}
		assert_int_equal(count, present);
		for (int k = 0; k < 4; k++)
			assert_int_equal(nodes[k].n_subnets, owned[k]);
		for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
			struct mesh_subnet a = sn(probes[p]);
			assert_ptr_equal(mesh_subnet_table_lookup(&t, a.type, a.addr),
					 mesh_subnet_lookup(&list, a.type, a.addr));
		}
	}
	mesh_subnet_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_lookup_rules),
		cmocka_unit_test(test_lookup_differential),
		cmocka_unit_test(test_lpm_index_differential),
		cmocka_unit_test(test_table_random_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
