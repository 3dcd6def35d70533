/* SPDX-License-Identifier: MIT */
/*
 * lpm_speed.c: build/bench/lpm_speed, the LPM benchmark (no arguments).
 *
 * For each table (cn4, cn4apnic, cn6 and the two halves of the 2024 BGP
 * table, from tests/data and ../shared/data) it builds src/lpm and a one-bit trie and
 * prints `build <engine> <table> <ms> <bytes>`, then for each workload
 * (uniform, inside, skewed) and 1 and 2 threads prints
 * `lookup <engine> <table> <workload> <threads> <M lookups/s>`.
 * Addresses are generated before timing; every result is summed so nothing
 * is optimised away. Each prefix's value is its line number, so leaves
 * compress only where one prefix covers several slots (the hard case).
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "lpm/lpm.h"
#include "onebit.h"

#define N_ADDR4 (1u << 21)
#define N_ADDR6 (1u << 20)
#define BATCH 256
#define RUN_SECONDS 0.05 /* CPU time per round */
#define RUN_WALL 0.08    /* wall time cap per round, so a busy machine still ends in a minute */
#define ROUNDS 5
#define HOT 1000

struct table {
	const char *name;
	int family;
	struct fl_lpm_prefix *p;
	size_t n, cap;
};

static double clock_read(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Builds and lookup loops are timed in the thread's own CPU time, so time
 * the (shared) machine gave to other processes does not count. */
static double cpu_now(void)
{
	return clock_read(CLOCK_THREAD_CPUTIME_ID);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static void table_add(struct table *t, const char *line)
{
	char buf[64];
	const char *slash = strchr(line, '/');
	size_t alen = slash ? (size_t)(slash - line) : strlen(line);
	if (alen >= sizeof(buf))
		return;
	memcpy(buf, line, alen);
	buf[alen] = 0;
	struct fl_lpm_prefix p = { 0 };
	int fam = strchr(buf, ':') ? 6 : 4;
	if (fam != t->family || inet_pton(fam == 4 ? AF_INET : AF_INET6, buf, p.addr) != 1)
		return;
	p.family = (uint8_t)fam;
	p.len = (uint8_t)(slash ? atoi(slash + 1) : (fam == 4 ? 32 : 128));
	p.value = (fl_lpm_value)t->n;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 4096;
		t->p = realloc(t->p, t->cap * sizeof(*t->p));
		if (!t->p)
			abort();
	}
	t->p[t->n++] = p;
}

static int table_load(struct table *t, const char *path)
{
	gzFile f = gzopen(path, "rb");
	char line[256];
	if (!f) {
		fprintf(stderr, "%s: cannot open\n", path);
		return -1;
	}
	while (gzgets(f, line, sizeof(line))) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] && line[0] != '#')
			table_add(t, line);
	}
	gzclose(f);
	return 0;
}

/* A random address inside prefix p, written to out (network order). */
static void addr_inside(const struct fl_lpm_prefix *p, uint8_t out[16])
{
	unsigned bytes = p->family == 4 ? 4 : 16;
	for (unsigned i = 0; i < bytes; i++) {
		uint8_t r = (uint8_t)rng();
		unsigned keep = p->len > i * 8 ? p->len - i * 8 : 0;
		uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);
		out[i] = (uint8_t)((p->addr[i] & mask) | (r & ~mask));
	}
}

static void addr_uniform(unsigned bytes, uint8_t out[16])
{
	for (unsigned i = 0; i < bytes; i++)
		out[i] = (uint8_t)rng();
}

enum workload { UNIFORM, INSIDE, SKEWED };
static const char *const workload_name[] = { "uniform", "inside", "skewed" };

/* Fills n addresses (4 or 16 bytes each) for the workload. */
static void gen_addrs(const struct table *t, enum workload w, uint8_t *buf, size_t n)
{
	unsigned bytes = t->family == 4 ? 4 : 16;
	uint8_t hot[HOT][16], a[16];
	for (unsigned i = 0; i < HOT; i++)
		addr_inside(&t->p[rng() % t->n], hot[i]);
	for (size_t i = 0; i < n; i++) {
		if (w == INSIDE)
			addr_inside(&t->p[rng() % t->n], a);
		else if (w == SKEWED && rng() % 10 != 0)
			memcpy(a, hot[rng() % HOT], 16);
		else
			addr_uniform(bytes, a);
		if (bytes == 4) {
			uint32_t h = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
			memcpy(buf + i * 4, &h, 4);
		} else {
			memcpy(buf + i * 16, a, 16);
		}
	}
}

struct job {
	const struct fl_lpm *lpm;
	const struct onebit *ob;
	int family;
	const uint8_t *addrs;
	size_t n, start;
	pthread_barrier_t *bar;
	uint64_t count, sum;
	double seconds;
};

static int simple;
/* Looks up addrs[i..i+BATCH) with the chosen engine; returns the sum. */
static uint64_t run_chunk(const struct job *j, size_t i)
{
	fl_lpm_value out[BATCH];
	uint64_t sum = 0;
	if (j->lpm && j->family == 4 && simple)
		for (size_t k = 0; k < BATCH; k++)
			out[k] = fl_lpm_lookup4(j->lpm, ((const uint32_t *)j->addrs)[i + k]);
	else if (j->lpm && j->family == 4)
		fl_lpm_lookup4_batch(j->lpm, (const uint32_t *)j->addrs + i, out, BATCH);
	else if (j->lpm)
		fl_lpm_lookup6_batch(j->lpm, (const uint8_t(*)[16])(j->addrs + i * 16), out, BATCH);
	else if (j->family == 4)
		for (size_t k = 0; k < BATCH; k++)
			out[k] = onebit_lookup4(j->ob, ((const uint32_t *)j->addrs)[i + k]);
	else
		for (size_t k = 0; k < BATCH; k++)
			out[k] = onebit_lookup(j->ob, j->addrs + (i + k) * 16, 128);
	for (size_t k = 0; k < BATCH; k++)
		sum += out[k];
	return sum;
}

static void *run_job(void *arg)
{
	struct job *j = arg;
	size_t i = j->start;
	pthread_barrier_wait(j->bar);
	double t0 = cpu_now(), t1 = t0, w0 = clock_read(CLOCK_MONOTONIC);
	while (t1 - t0 < RUN_SECONDS && clock_read(CLOCK_MONOTONIC) - w0 < RUN_WALL) {
		for (int r = 0; r < 16; r++) {
			j->sum += run_chunk(j, i);
			j->count += BATCH;
			i += BATCH;
			if (i + BATCH > j->n)
				i = 0;
		}
		t1 = cpu_now();
	}
	j->seconds = t1 - t0;
	return NULL;
}

static volatile uint64_t sink;

static double measure_round(const struct fl_lpm *lpm, const struct onebit *ob, int family,
	const uint8_t *addrs, size_t n, int threads)
{
	pthread_t tid[2];
	struct job j[2];
	pthread_barrier_t bar;
	double rate = 0;
	pthread_barrier_init(&bar, NULL, (unsigned)threads);
	for (int k = 0; k < threads; k++) {
		j[k] = (struct job){ .lpm = lpm, .ob = ob, .family = family, .addrs = addrs,
			.n = n, .start = (n / 2 / BATCH) * BATCH * (size_t)k, .bar = &bar };
		pthread_create(&tid[k], NULL, run_job, &j[k]);
	}
	for (int k = 0; k < threads; k++) {
		pthread_join(tid[k], NULL);
		rate += (double)j[k].count / j[k].seconds;
		sink += j[k].sum;
	}
	pthread_barrier_destroy(&bar);
	return rate / 1e6;
}

/* The best of ROUNDS short rounds: this machine is shared, and the best
 * round is the one least disturbed by other processes' cache traffic. */
static double measure(const struct fl_lpm *lpm, const struct onebit *ob, int family,
	const uint8_t *addrs, size_t n, int threads)
{
	double best = 0;
	for (int r = 0; r < ROUNDS; r++) {
		double x = measure_round(lpm, ob, family, addrs, n, threads);
		best = x > best ? x : best;
	}
	return best;
}

/* Counts addresses where lpm and the one-bit trie disagree. */
static size_t verify(const struct fl_lpm *lpm, const struct onebit *ob, int family,
	const uint8_t *addrs, size_t n)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		fl_lpm_value a, b;
		if (family == 4) {
			uint32_t h;
			memcpy(&h, addrs + i * 4, 4);
			a = fl_lpm_lookup4(lpm, h);
			b = onebit_lookup4(ob, h);
		} else {
			a = fl_lpm_lookup6(lpm, addrs + i * 16);
			b = onebit_lookup(ob, addrs + i * 16, 128);
		}
		bad += a != b;
	}
	return bad;
}

static void bench_table(struct table *t)
{
	struct fl_lpm *lpm;
	struct onebit ob = { 0 };
	struct fl_lpm_build_opts o = { 0 };
	if (getenv("LPM_SPEED_S4"))
		o.direct_bits4 = (unsigned)atoi(getenv("LPM_SPEED_S4"));
	if (getenv("LPM_SPEED_S6"))
		o.direct_bits6 = (unsigned)atoi(getenv("LPM_SPEED_S6"));
	double t0 = cpu_now(); /* CPU time here too: the machine is shared */
	enum fl_lpm_err err = fl_lpm_build(t->p, t->n, &o, &lpm);
	double t1 = cpu_now();
	if (err != FL_LPM_OK) {
		fprintf(stderr, "%s: build: %s\n", t->name, fl_lpm_strerror(err));
		exit(1);
	}
	printf("build lpm %s %.3f %zu\n", t->name, (t1 - t0) * 1e3, fl_lpm_bytes(lpm));
	t0 = cpu_now();
	for (size_t i = 0; i < t->n; i++)
		if (onebit_insert(&ob, t->p[i].addr, t->p[i].len, t->p[i].value))
			abort();
	t1 = cpu_now();
	printf("build onebit %s %.3f %zu\n", t->name, (t1 - t0) * 1e3, onebit_bytes(&ob));
	fflush(stdout);

	size_t n = t->family == 4 ? N_ADDR4 : N_ADDR6;
	uint8_t *addrs = malloc(n * (t->family == 4 ? 4 : 16));
	if (!addrs)
		abort();
	for (int w = UNIFORM; w <= SKEWED; w++) {
		if (getenv("LPM_SPEED_WL") && strcmp(getenv("LPM_SPEED_WL"), workload_name[w]))
			continue;
		gen_addrs(t, (enum workload)w, addrs, n);
		size_t bad = verify(lpm, &ob, t->family, addrs, n < 65536 ? n : 65536);
		if (bad) {
			fprintf(stderr, "%s %s: %zu mismatches against the one-bit trie\n",
				t->name, workload_name[w], bad);
			exit(1);
		}
		for (int e = 0; e < 2; e++)
			for (int th = 1; th <= 2; th++) {
				if (getenv("LPM_SPEED_QUICK") && (e || th > 1))
					continue;
				double r = measure(e ? NULL : lpm, &ob, t->family, addrs, n, th);
				printf("lookup %s %s %s %d %.1f\n", e ? "onebit" : "lpm", t->name,
					workload_name[w], th, r);
				fflush(stdout);
			}
	}
	free(addrs);
	onebit_free(&ob);
	fl_lpm_free(lpm);
}

int main(void)
{
	const char *shared = getenv("FENLIU_SHARED");
	char path[4096];
	struct table tabs[] = {
		{ .name = "cn4", .family = 4 }, { .name = "cn4apnic", .family = 4 },
		{ .name = "cn6", .family = 6 }, { .name = "bgp4", .family = 4 },
		{ .name = "bgp6", .family = 6 },
	};
	const char *files[] = { "china-ipv4.txt", "china-ipv4-apnic.txt", "china-ipv6.txt",
		"bgp-table-2024.txt.gz", "bgp-table-2024.txt.gz" };
	const char *only = getenv("LPM_SPEED_ONLY"); /* a table name, for quick runs */

	if (!shared)
		shared = FL_SHARED_DIR;
	simple = getenv("LPM_SPEED_SIMPLE") != NULL;

	for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
		if (only && strcmp(only, tabs[i].name) != 0)
			continue;
		if (strncmp(files[i], "china-", 6) == 0)
			snprintf(path, sizeof(path), "%s/%s", FL_DATA_DIR, files[i]);
		else
			snprintf(path, sizeof(path), "%s/data/%s", shared, files[i]);
		if (table_load(&tabs[i], path) || tabs[i].n == 0)
			return 1;
		bench_table(&tabs[i]);
		free(tabs[i].p);
	}
	return 0;
}
