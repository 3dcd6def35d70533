/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the meta connection framing (src/daemon/meta_frame.c):
 * ID line then records, left-over bytes after the ID line, PACKET records,
 * raw SPTPS_PACKET bytes between records, and every framing error.
 * The "session" here is a plain length-prefixed record reader standing in
 * for SPTPS (which the framing sees only through cb->sptps_in).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/meta_frame.h"

struct log {
	struct fl_meta_frame f;
	char out[8192];
	size_t out_len;
	int refuse_requests;
};

static void log_add(struct log *l, const char *tag, const void *data, size_t len)
{
	int n = snprintf(l->out + l->out_len, sizeof(l->out) - l->out_len, "%s[%zu]:", tag, len);
	l->out_len += (size_t)n;
	memcpy(l->out + l->out_len, data, len);
	l->out_len += len;
	l->out[l->out_len++] = '|';
	l->out[l->out_len] = 0;
}

static int cb_id(void *ctx, const char *line, size_t len)
{
	log_add(ctx, "id", line, len);
	return 0;
}

/* Record format of the stand-in: 2-byte big-endian length, body. One per call. */
static int cb_sptps_in(void *ctx, const uint8_t *data, size_t len, size_t *consumed)
{
	struct log *l = ctx;
	size_t n;

	if (len < 2) { /* a real session would buffer; the tests feed whole records */
		*consumed = len;
		return -1;
	}
	n = (size_t)data[0] << 8 | data[1];
	if (len - 2 < n)
		return -1;
	*consumed = n + 2;
	return fl_meta_frame_record(&l->f, data + 2, n, NULL);
}

static int cb_request(void *ctx, const char *line, size_t len)
{
	struct log *l = ctx;
	assert_int_equal(strlen(line), len);
	log_add(l, "req", line, len);
	return l->refuse_requests ? -1 : 0;
}

static int cb_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	log_add(ctx, "pkt", pkt, len);
	return 0;
}

static int cb_raw(void *ctx, const uint8_t *data, size_t len)
{
	log_add(ctx, "raw", data, len);
	return 0;
}

static const struct fl_meta_frame_cb cbs = {cb_id, cb_sptps_in, cb_request, cb_packet, cb_raw};

static size_t rec(uint8_t *out, const char *body)
{
	size_t n = strlen(body);
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	memcpy(out + 2, body, n);
	return n + 2;
}

static void setup_log(struct log *l)
{
	memset(l, 0, sizeof(*l));
	fl_meta_frame_init(&l->f, &cbs, l);
}

static void test_id_then_records_same_read(void **state)
{
	struct log l;
	uint8_t buf[256];
	size_t n = 0;

	(void)state;
	setup_log(&l);
	memcpy(buf, "0 alpha 17.7\n", 13);
	n = 13;
	n += rec(buf + n, "4 655 23 700000c\n");
	n += rec(buf + n, "8\n");
	assert_int_equal(fl_meta_frame_input(&l.f, buf, n), FL_META_OK);
	assert_string_equal(l.out, "id[12]:0 alpha 17.7|req[16]:4 655 23 700000c|req[1]:8|");
}

static void test_id_split_across_reads(void **state)
{
	struct log l;

	(void)state;
	setup_log(&l);
	assert_int_equal(fl_meta_frame_input(&l.f, (const uint8_t *)"0 be", 4), FL_META_OK);
	assert_int_equal(l.out_len, 0);
	assert_int_equal(fl_meta_frame_input(&l.f, (const uint8_t *)"ta 17.7\n", 8), FL_META_OK);
	assert_string_equal(l.out, "id[11]:0 beta 17.7|");
}

static void test_packet_and_raw(void **state)
{
	struct log l;
	uint8_t buf[256];
	size_t n = 0;

	(void)state;
	setup_log(&l);
	memcpy(buf, "0 a 17.7\n", 9);
	n = 9;
	n += rec(buf + n, "17 5\n");
	n += rec(buf + n, "hello");
	n += rec(buf + n, "21 14\n");
	memcpy(buf + n, "IDIDIDididid!!", 14); /* raw, outside records */
	n += 14;
	n += rec(buf + n, "9\n");
	/* Feed byte by byte except inside a record (the stand-in wants whole ones). */
	assert_int_equal(fl_meta_frame_input(&l.f, buf, 9), FL_META_OK);
	assert_int_equal(fl_meta_frame_input(&l.f, buf + 9, n - 9 - 18), FL_META_OK);
	for (size_t i = n - 18; i < n - 4; i++)
		assert_int_equal(fl_meta_frame_input(&l.f, buf + i, 1), FL_META_OK);
	assert_int_equal(fl_meta_frame_input(&l.f, buf + n - 4, 4), FL_META_OK);
	assert_string_equal(l.out, "id[8]:0 a 17.7|pkt[5]:hello|raw[14]:IDIDIDididid!!|req[1]:9|");
}

static void test_errors(void **state)
{
	static const struct {
		const char *req;
		enum fl_meta_frame_err err;
	} cases[] = {
		{"17 -1\n", FL_META_ERR_BAD_LENGTH},
		{"17\n", FL_META_ERR_BAD_LENGTH},
		{"17 x\n", FL_META_ERR_BAD_LENGTH},
		{"17 40000\n", FL_META_ERR_BAD_LENGTH},
		{"21 11\n", FL_META_ERR_SHORT_RELAY},
		{"\n", FL_META_ERR_EMPTY},
	};
	struct log l;
	uint8_t buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup_log(&l);
		assert_int_equal(fl_meta_frame_input(&l.f, (const uint8_t *)"0 a 17.7\n", 9), FL_META_OK);
		size_t n = rec(buf, cases[i].req);
		assert_int_equal(fl_meta_frame_input(&l.f, buf, n), cases[i].err);
	}
	/* PACKET body of the wrong length. */
	setup_log(&l);
	assert_int_equal(fl_meta_frame_input(&l.f, (const uint8_t *)"0 a 17.7\n", 9), FL_META_OK);
	size_t n = rec(buf, "17 4\n");
	n += rec(buf + n, "abc");
	assert_int_equal(fl_meta_frame_input(&l.f, buf, n), FL_META_ERR_PACKET_LEN);
	/* A refused request closes. */
	setup_log(&l);
	l.refuse_requests = 1;
	assert_int_equal(fl_meta_frame_input(&l.f, (const uint8_t *)"0 a 17.7\n", 9), FL_META_OK);
	n = rec(buf, "99 junk\n");
	assert_int_equal(fl_meta_frame_input(&l.f, buf, n), FL_META_ERR_CALLBACK);
}

static void test_long_id_line(void **state)
{
	static uint8_t junk[FL_META_MAXLINE + 10];
	struct log l;

	(void)state;
	setup_log(&l);
	memset(junk, 'x', sizeof(junk));
	assert_int_equal(fl_meta_frame_input(&l.f, junk, sizeof(junk)), FL_META_ERR_LINE_TOO_LONG);
}

static void test_oversized_packet_dropped(void **state)
{
	static uint8_t buf[4096];
	char body[FL_META_PACKET_MAX + 1];
	struct log l;
	size_t n;

	(void)state;
	setup_log(&l);
	assert_int_equal(fl_meta_frame_input(&l.f, (const uint8_t *)"0 a 17.7\n", 9), FL_META_OK);
	memset(body, 'p', sizeof(body) - 1);
	body[sizeof(body) - 1] = 0;
	n = rec(buf, "17 1661\n");
	n += rec(buf + n, body); /* exactly the maximum: kept */
	assert_int_equal(fl_meta_frame_input(&l.f, buf, n), FL_META_OK);
	assert_int_equal(l.f.dropped, 0);
	assert_int_equal(fl_meta_frame_length("17 1661", 7), 1661);
	assert_int_equal(fl_meta_frame_length("21 12 extra", 11), 12);
	assert_int_equal(fl_meta_frame_length("21 12x", 6), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_then_records_same_read),
		cmocka_unit_test(test_id_split_across_reads),
		cmocka_unit_test(test_packet_and_raw),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_id_line),
		cmocka_unit_test(test_oversized_packet_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
