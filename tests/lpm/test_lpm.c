/* SPDX-License-Identifier: MIT */
/*
 * test_lpm.c: src/lpm against independent references: a linear scan for
 * small cases, the one-bit trie (bench/lpm/onebit.c) on millions of random
 * addresses over random nested prefix sets and on the real tables in
 * tests/data (the China lists) and $FENLIU_SHARED/data (the BGP table).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "lpm/lpm.h"
#include "onebit.h"

static uint64_t rng_state;
static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static struct fl_lpm_prefix pfx(const char *s, fl_lpm_value v)
{
	struct fl_lpm_prefix p = { .value = v };
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	assert_true(n < sizeof(buf));
	memcpy(buf, s, n);
	buf[n] = 0;
	p.family = strchr(buf, ':') ? 6 : 4;
	assert_int_equal(inet_pton(p.family == 4 ? AF_INET : AF_INET6, buf, p.addr), 1);
	p.len = (uint8_t)(slash ? atoi(slash + 1) : p.family == 4 ? 32 : 128);
	return p;
}

static fl_lpm_value look(const struct fl_lpm *t, const char *s)
{
	uint8_t a[16];
	if (strchr(s, ':')) {
		assert_int_equal(inet_pton(AF_INET6, s, a), 1);
		fl_lpm_value v = fl_lpm_lookup6(t, a), b;
		fl_lpm_lookup6_batch(t, (const uint8_t(*)[16])a, &b, 1);
		assert_int_equal(v, b);
		return v;
	}
	assert_int_equal(inet_pton(AF_INET, s, a), 1);
	uint32_t h = ntohl(*(uint32_t *)a), b;
	fl_lpm_value v = fl_lpm_lookup4(t, h);
	fl_lpm_lookup4_batch(t, &h, &b, 1);
	assert_int_equal(v, b);
	return v;
}

static void count_dup(void *ctx, size_t kept, size_t dropped)
{
	size_t *c = ctx;
	assert_true(kept > dropped);
	(*c)++;
}

static void test_basic(void **state)
{
	(void)state;
	struct fl_lpm_prefix p[] = {
		pfx("0.0.0.0/0", 1), pfx("192.0.2.0/24", 2), pfx("192.0.2.128/25", 3),
		pfx("192.0.2.7", 4), pfx("198.51.100.0/24", 5), pfx("198.51.100.0/24", 6),
		pfx("2001:db8::/32", 7), pfx("2001:db8:1::/48", 8), pfx("2001:db8::1", 9),
		pfx("::/0", 10), pfx("203.0.113.255/32", 11),
	};
	size_t dups = 0;
	struct fl_lpm_build_opts o = { .on_duplicate = count_dup, .ctx = &dups };
	struct fl_lpm *t;
	for (unsigned bits = 0; bits <= 24; bits += 8) {
		o.direct_bits4 = o.direct_bits6 = bits ? bits : 0;
		dups = 0;
		assert_int_equal(fl_lpm_build(p, sizeof(p) / sizeof(p[0]), &o, &t), FL_LPM_OK);
		assert_int_equal(dups, 1);
		assert_int_equal(look(t, "10.1.2.3"), 1);
		assert_int_equal(look(t, "192.0.2.1"), 2);
		assert_int_equal(look(t, "192.0.2.7"), 4);
		assert_int_equal(look(t, "192.0.2.200"), 3);
		assert_int_equal(look(t, "198.51.100.9"), 6);
		assert_int_equal(look(t, "203.0.113.255"), 11);
		assert_int_equal(look(t, "203.0.113.254"), 1);
		assert_int_equal(look(t, "255.255.255.255"), 1);
		assert_int_equal(look(t, "2001:db8::1"), 9);
		assert_int_equal(look(t, "2001:db8::2"), 7);
		assert_int_equal(look(t, "2001:db8:1:ffff::1"), 8);
		assert_int_equal(look(t, "fe80::1"), 10);
		assert_true(fl_lpm_bytes(t) > 0);
		fl_lpm_free(t);
	}
}

static void test_empty_and_errors(void **state)
{
	(void)state;
	struct fl_lpm *t;
	assert_int_equal(fl_lpm_build(NULL, 0, NULL, &t), FL_LPM_OK);
	assert_int_equal(look(t, "192.0.2.1"), FL_LPM_NONE);
	assert_int_equal(look(t, "2001:db8::1"), FL_LPM_NONE);
	fl_lpm_free(t);
	fl_lpm_free(NULL);

	struct fl_lpm_prefix bad = pfx("192.0.2.1/24", 1);
	assert_int_equal(fl_lpm_build(&bad, 1, NULL, &t), FL_LPM_EHOSTBITS);
	assert_null(t);
	bad = pfx("2001:db8::1/127", 1);
	assert_int_equal(fl_lpm_build(&bad, 1, NULL, &t), FL_LPM_EHOSTBITS);
	bad = pfx("192.0.2.0/24", 1);
	bad.len = 33;
	assert_int_equal(fl_lpm_build(&bad, 1, NULL, &t), FL_LPM_ELEN);
	bad.len = 24;
	bad.family = 5;
	assert_int_equal(fl_lpm_build(&bad, 1, NULL, &t), FL_LPM_EFAMILY);
	bad.family = 4;
	bad.value = FL_LPM_NONE;
	assert_int_equal(fl_lpm_build(&bad, 1, NULL, &t), FL_LPM_EVALUE);
	assert_string_equal(fl_lpm_strerror(FL_LPM_EHOSTBITS), "host bits set after the prefix length");
}

static void test_slot(void **state)
{
	(void)state;
	struct fl_lpm_slot slot;
	fl_lpm_slot_init(&slot);
	struct fl_lpm_prefix p = pfx("192.0.2.0/24", 3);
	struct fl_lpm *a, *b;
	assert_int_equal(fl_lpm_build(&p, 1, NULL, &a), FL_LPM_OK);
	p.value = 4;
	assert_int_equal(fl_lpm_build(&p, 1, NULL, &b), FL_LPM_OK);
	assert_null(fl_lpm_slot_publish(&slot, a));
	assert_int_equal(look(fl_lpm_slot_get(&slot), "192.0.2.9"), 3);
	assert_ptr_equal(fl_lpm_slot_publish(&slot, b), a);
	assert_int_equal(look(fl_lpm_slot_get(&slot), "192.0.2.9"), 4);
	fl_lpm_free(a);
	fl_lpm_free(fl_lpm_slot_publish(&slot, NULL));
}

/* Random prefix: half fresh, half nested inside an earlier one. */
static void random_prefix(struct fl_lpm_prefix *p, const struct fl_lpm_prefix *earlier,
	size_t n_earlier, int family, fl_lpm_value value)
{
	unsigned width = family == 4 ? 32 : 128, bytes = width / 8;
	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)family;
	p->value = value;
	const struct fl_lpm_prefix *q = n_earlier ? &earlier[rng() % n_earlier] : NULL;
	if (q && q->family == family && rng() % 2) {
		memcpy(p->addr, q->addr, 16);
		p->len = (uint8_t)(q->len + rng() % (width - q->len + 1));
		for (unsigned i = q->len / 8; i < bytes; i++)
			p->addr[i] = (uint8_t)(p->addr[i] ^ (rng() & (i == q->len / 8 ? 0xffu >> (q->len % 8) : 0xff)));
	} else {
		for (unsigned i = 0; i < bytes; i++)
			p->addr[i] = (uint8_t)rng();
		unsigned r = (unsigned)(rng() % 100);
		p->len = (uint8_t)(r < 3 ? 0 : r < 8 ? width : rng() % (width + 1));
	}
	for (unsigned i = 0; i < bytes; i++) { /* clear host bits */
		unsigned keep = p->len > i * 8 ? p->len - i * 8 : 0;
		p->addr[i] &= keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);
	}
}

/* A random address, half of them inside a random prefix of the set. */
static void random_addr(uint8_t a[16], const struct fl_lpm_prefix *p, size_t n, int family)
{
	unsigned bytes = family == 4 ? 4 : 16;
	memset(a, 0, 16);
	for (unsigned i = 0; i < bytes; i++)
		a[i] = (uint8_t)rng();
	if (n && rng() % 2) {
		const struct fl_lpm_prefix *q = &p[rng() % n];
		for (unsigned i = 0; i < bytes; i++) {
			unsigned keep = q->len > i * 8 ? q->len - i * 8 : 0;
			uint8_t m = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);
			a[i] = (uint8_t)((q->addr[i] & m) | (a[i] & ~m));
		}
	}
}

/* Compares lpm with the one-bit trie on n random addresses, single and
 * batch lookups. */
static void compare(const struct fl_lpm *t, const struct onebit *ob,
	const struct fl_lpm_prefix *p, size_t np, int family, size_t n)
{
	enum { B = 64 };
	uint8_t a[B][16];
	uint32_t a4[B];
	fl_lpm_value got[B];
	for (size_t done = 0; done < n; done += B) {
		for (unsigned k = 0; k < B; k++) {
			random_addr(a[k], p, np, family);
			a4[k] = (uint32_t)a[k][0] << 24 | (uint32_t)a[k][1] << 16 | (uint32_t)a[k][2] << 8 | a[k][3];
		}
		if (family == 4)
			fl_lpm_lookup4_batch(t, a4, got, B);
		else
			fl_lpm_lookup6_batch(t, (const uint8_t(*)[16])a, got, B);
		for (unsigned k = 0; k < B; k++) {
			fl_lpm_value want = onebit_lookup(ob, a[k], family == 4 ? 32 : 128);
			fl_lpm_value one = family == 4 ? fl_lpm_lookup4(t, a4[k]) : fl_lpm_lookup6(t, a[k]);
			if (want != got[k] || want != one) {
				char s[64];
				inet_ntop(family == 4 ? AF_INET : AF_INET6, a[k], s, sizeof(s));
				fail_msg("%s: want %u, batch %u, single %u", s, want, got[k], one);
			}
		}
	}
}

static void random_sets(int family)
{
	enum { SETS = 24, ADDRS = 100000 };
	for (unsigned set = 0; set < SETS; set++) {
		size_t n = set < 8 ? 1 + rng() % 20 : set < 16 ? 1 + rng() % 3000 : 1 + rng() % 40000;
		struct fl_lpm_prefix *p = calloc(n, sizeof(*p));
		struct onebit ob = { 0 };
		struct fl_lpm *t;
		/* Few distinct values in some sets, one per prefix in others, so
		 * both kinds of direct entry (leaf node, flagged value) are used. */
		fl_lpm_value nvals = set % 3 == 0 ? 3 : (fl_lpm_value)n + 1;
		assert_non_null(p);
		for (size_t i = 0; i < n; i++)
			random_prefix(&p[i], p, i, family, (fl_lpm_value)(rng() % nvals));
		struct fl_lpm_build_opts o = { .direct_bits4 = set % 4 == 1 ? 1 + (unsigned)(rng() % 24) : 0,
			.direct_bits6 = set % 4 == 2 ? 1 + (unsigned)(rng() % 24) : 0 };
		assert_int_equal(fl_lpm_build(p, n, &o, &t), FL_LPM_OK);
		onebit_insert(&ob, (const uint8_t[16]){ 0 }, 0, FL_LPM_NONE);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(onebit_insert(&ob, p[i].addr, p[i].len, p[i].value), 0);
		compare(t, &ob, p, n, family, ADDRS);
		fl_lpm_free(t);
		onebit_free(&ob);
		free(p);
	}
}

static void test_random4(void **state)
{
	(void)state;
	rng_state = 4;
	random_sets(4);
}

static void test_random6(void **state)
{
	(void)state;
	rng_state = 6;
	random_sets(6);
}

/* Mixed families in one table: each family only sees its own prefixes. */
static void test_linear_scan(void **state)
{
	(void)state;
	enum { N = 300 };
	struct fl_lpm_prefix p[N];
	struct fl_lpm *t;
	rng_state = 99;
	for (size_t i = 0; i < N; i++)
		random_prefix(&p[i], p, i, i % 2 ? 6 : 4, (fl_lpm_value)i);
	assert_int_equal(fl_lpm_build(p, N, NULL, &t), FL_LPM_OK);
	for (unsigned k = 0; k < 20000; k++) {
		int family = k % 2 ? 6 : 4;
		uint8_t a[16];
		random_addr(a, p, N, family);
		fl_lpm_value want = FL_LPM_NONE;
		int best = -1;
		for (size_t i = 0; i < N; i++) { /* longest wins, later wins a tie */
			if (p[i].family != family || (int)p[i].len < best)
				continue;
			unsigned b = 0;
			while (b < p[i].len && !((a[b / 8] ^ p[i].addr[b / 8]) & (0x80 >> (b % 8))))
				b++;
			if (b == p[i].len) {
				best = p[i].len;
				want = p[i].value;
			}
		}
		uint32_t h = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
		assert_int_equal(family == 4 ? fl_lpm_lookup4(t, h) : fl_lpm_lookup6(t, a), want);
	}
	fl_lpm_free(t);
}

/* Where a real table lives: the China lists ship in tests/data
 * ($FENLIU_DATA); the 900k-prefix BGP table is too big to carry and stays in
 * $FENLIU_SHARED/data. */
static const char *table_dir(const char *file, char *buf, size_t len)
{
	const char *data = getenv("FENLIU_DATA"), *shared = getenv("FENLIU_SHARED");

	if (strncmp(file, "china-", 6) == 0)
		return data ? data : "tests/data";
	snprintf(buf, len, "%s/data", shared ? shared : "../shared");
	return buf;
}

/* Loads a real table (plain or gzip) of one family; *opened says whether
 * the file was there at all (a file without prefixes is a broken file). */
static size_t load_table(const char *file, int family, struct fl_lpm_prefix **out, bool *opened)
{
	char path[4096], dir[4096], line[256];
	size_t n = 0, cap = 0;
	struct fl_lpm_prefix *p = NULL;
	snprintf(path, sizeof(path), "%s/%s", table_dir(file, dir, sizeof(dir)), file);
	gzFile f = gzopen(path, "rb");
	*opened = f != NULL;
	if (!f)
		return 0;
	while (gzgets(f, line, sizeof(line))) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || (strchr(line, ':') != NULL) != (family == 6))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			p = realloc(p, cap * sizeof(*p));
			assert_non_null(p);
		}
		p[n] = pfx(line, (fl_lpm_value)n);
		n++;
	}
	gzclose(f);
	*out = p;
	return n;
}

/* Checks one real table; false when its file is missing, so the caller
 * still checks the other tables before it skips. */
static bool real_table(const char *file, int family)
{
	struct fl_lpm_prefix *p = NULL;
	struct onebit ob = { 0 };
	struct fl_lpm *t;
	bool opened;
	size_t n = load_table(file, family, &p, &opened);
	if (!opened) {
		print_message("missing data file %s: not checked\n", file);
		return false;
	}
	if (n == 0)
		fail_msg("%s holds no IPv%d prefixes", file, family);
	assert_int_equal(fl_lpm_build(p, n, NULL, &t), FL_LPM_OK);
	onebit_insert(&ob, (const uint8_t[16]){ 0 }, 0, FL_LPM_NONE);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(onebit_insert(&ob, p[i].addr, p[i].len, p[i].value), 0);
	rng_state = n;
	compare(t, &ob, p, n, family, 400000);
	fl_lpm_free(t);
	onebit_free(&ob);
	free(p);
	print_message("%s: %zu IPv%d prefixes checked\n", file, n, family);
	return true;
}

static void test_real_cn(void **state)
{
	int missing = 0;
	(void)state;
	missing += !real_table("china-ipv4.txt", 4);
	missing += !real_table("china-ipv4-apnic.txt", 4);
	missing += !real_table("china-ipv6.txt", 6);
	missing += !real_table("china-ipv6-apnic.txt", 6);
	/* The China lists ship in tests/data: missing means a broken tree. */
	if (missing)
		fail_msg("%d China list(s) missing from tests/data", missing);
}

static void test_real_bgp(void **state)
{
	int missing = 0;
	(void)state;
	missing += !real_table("bgp-table-2024.txt.gz", 4);
	missing += !real_table("bgp-table-2024.txt.gz", 6);
	/* The BGP table is too big to carry: it comes from $FENLIU_SHARED,
	 * which CI always has. */
	if (missing && getenv("CI"))
		fail_msg("bgp-table-2024.txt.gz missing under CI (FENLIU_SHARED)");
	if (missing)
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_empty_and_errors),
		cmocka_unit_test(test_slot),
		cmocka_unit_test(test_linear_scan),
		cmocka_unit_test(test_random4),
		cmocka_unit_test(test_random6),
		cmocka_unit_test(test_real_cn),
		cmocka_unit_test(test_real_bgp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
