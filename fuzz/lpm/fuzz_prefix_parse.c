/* SPDX-License-Identifier: MIT */
/*
 * fuzz_prefix_parse.c: libFuzzer target for the prefix-list parser
 * (src/lpm/prefix_parse.c). Every accepted prefix must be canonical (host
 * bits clear, length in range), print and re-parse to itself, and the LPM
 * built from all of them must find each one's own address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lpm/prefix_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct acc {
	struct fl_lpm_prefix p[256];
	size_t n;
	unsigned last_line;
};

static void on_prefix(void *ctx, const struct fl_lpm_prefix *p, unsigned line)
{
	struct acc *a = ctx;
	struct fl_lpm_prefix q;
	char buf[64];
	if (p->family != 4 && p->family != 6)
		abort();
	if (p->len > (p->family == 4 ? 32 : 128) || line <= a->last_line)
		abort();
	a->last_line = line;
	fl_prefix_format(p, buf, sizeof(buf));
	if (fl_prefix_parse_one(buf, strlen(buf), &q) != FL_PREFIX_OK || memcmp(&q, p, sizeof(q)))
		abort();
	if (a->n < sizeof(a->p) / sizeof(a->p[0])) {
		a->p[a->n] = *p;
		a->p[a->n].value = (fl_lpm_value)a->n;
		a->n++;
	}
}

static void on_error(void *ctx, unsigned line, enum fl_prefix_err err, const char *text, size_t len)
{
	struct acc *a = ctx;
	if (err == FL_PREFIX_OK || len > FL_PREFIX_LINE_MAX || line <= a->last_line)
		abort();
	a->last_line = line;
	if (len)
		(void)*(volatile const char *)&text[len - 1];
	(void)fl_prefix_strerror(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acc a;
	struct fl_prefix_parse_cb cb = { .prefix = on_prefix, .error = on_error, .ctx = &a };
	struct fl_lpm *t;

	a.n = 0;
	a.last_line = 0;
	fl_prefix_parse((const char *)data, size, &cb);
	if (fl_lpm_build(a.p, a.n, NULL, &t) != FL_LPM_OK)
		abort();
	for (size_t i = 0; i < a.n; i++) {
		const struct fl_lpm_prefix *p = &a.p[i];
		fl_lpm_value v;
		if (p->family == 4)
			v = fl_lpm_lookup4(t, (uint32_t)p->addr[0] << 24 | (uint32_t)p->addr[1] << 16 |
				(uint32_t)p->addr[2] << 8 | p->addr[3]);
		else
			v = fl_lpm_lookup6(t, p->addr);
		if (v == FL_LPM_NONE || a.p[v].len < p->len)
			abort();
	}
	fl_lpm_free(t);
	return 0;
}
