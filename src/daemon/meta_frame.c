/* SPDX-License-Identifier: MIT */
/*
 * meta_frame.c: see meta_frame.h. The only state besides buffers is what
 * the next bytes/record mean: ID line, SPTPS record, PACKET body, or raw
 * SPTPS_PACKET bytes.
 */
#include "daemon/meta_frame.h"

#include <string.h>

static const char *const meta_frame_errs[] = {
	[FL_META_OK] = "ok",
	[FL_META_ERR_LINE_TOO_LONG] = "request line too long",
	[FL_META_ERR_BAD_LENGTH] = "bad packet length",
	[FL_META_ERR_SHORT_RELAY] = "SPTPS_PACKET shorter than 12 bytes",
	[FL_META_ERR_PACKET_LEN] = "PACKET record length differs from announced length",
	[FL_META_ERR_SPTPS] = "SPTPS error on the meta connection",
	[FL_META_ERR_CALLBACK] = "request refused",
	[FL_META_ERR_EMPTY] = "empty request",
};

const char *fl_meta_frame_strerror(enum fl_meta_frame_err err)
{
	if ((unsigned)err < sizeof(meta_frame_errs) / sizeof(meta_frame_errs[0]))
		return meta_frame_errs[err];
	return "unknown error";
}

void fl_meta_frame_init(struct fl_meta_frame *f, const struct fl_meta_frame_cb *cb, void *ctx)
{
	memset(f, 0, sizeof(*f));
	f->cb = cb;
	f->ctx = ctx;
	f->packet_want = -1;
}

long fl_meta_frame_length(const char *line, size_t len)
{
	size_t i = 0;
	long v = 0;
	int neg = 0, digits = 0;

	/* Skip the request number and one space. */
	while (i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i == 0 || i >= len || line[i] != ' ')
		return -1;
	i++;
	if (i < len && line[i] == '-') {
		neg = 1;
		i++;
	}
	while (i < len && line[i] >= '0' && line[i] <= '9' && digits < 6) {
		v = v * 10 + (line[i] - '0');
		i++;
		digits++;
	}
	/* tinc scans a short: trailing tokens are ignored, junk glued on is not. */
	if (!digits || neg || v > 32767 || (i < len && line[i] != ' '))
		return -1;
	return v;
}

/* Which request is it: 17, 21, or something else (0). */
static int meta_frame_kind(const char *line, size_t len)
{
	if (len >= 3 && line[2] == ' ' && line[0] == '1' && line[1] == '7')
		return 17;
	if (len >= 3 && line[2] == ' ' && line[0] == '2' && line[1] == '1')
		return 21;
	if (len == 2 && ((line[0] == '1' && line[1] == '7') || (line[0] == '2' && line[1] == '1')))
		return -1; /* no length at all */
	return 0;
}

static int meta_frame_request(struct fl_meta_frame *f, const uint8_t *body, size_t len,
			      enum fl_meta_frame_err *err)
{
	char line[FL_META_MAXLINE + 1];
	long n;
	int kind;

	if (len && body[len - 1] == '\n')
		len--;
	if (len > FL_META_MAXLINE) {
		*err = FL_META_ERR_LINE_TOO_LONG;
		return -1;
	}
	if (!len) {
		*err = FL_META_ERR_EMPTY;
		return -1;
	}
	memcpy(line, body, len);
	line[len] = 0;
	kind = meta_frame_kind(line, len);
	if (kind) {
		n = kind > 0 ? fl_meta_frame_length(line, len) : -1;
		if (n < 0) {
			*err = FL_META_ERR_BAD_LENGTH;
			return -1;
		}
		if (kind == 21 && n < 12) {
			*err = FL_META_ERR_SHORT_RELAY;
			return -1;
		}
		if (kind == 17)
			f->packet_want = n;
		else
			f->raw_want = (size_t)n, f->raw_have = 0;
		return 0;
	}
	if (f->cb->request(f->ctx, line, len) < 0) {
		*err = FL_META_ERR_CALLBACK;
		return -1;
	}
	return 0;
}

int fl_meta_frame_record(struct fl_meta_frame *f, const uint8_t *body, size_t len,
			 enum fl_meta_frame_err *err)
{
	enum fl_meta_frame_err dummy;

	if (!err)
		err = &dummy;
	*err = FL_META_OK;
	if (f->packet_want >= 0) {
		long want = f->packet_want;
		f->packet_want = -1;
		if ((size_t)want != len) {
			*err = f->err = FL_META_ERR_PACKET_LEN;
			return -1;
		}
		if (len > FL_META_PACKET_MAX) {
			f->dropped++;
			return 0;
		}
		if (f->cb->packet(f->ctx, body, len) < 0) {
			*err = f->err = FL_META_ERR_CALLBACK;
			return -1;
		}
		return 0;
	}
	if (meta_frame_request(f, body, len, err) < 0) {
		f->err = *err;
		return -1;
	}
	return 0;
}

/* Plaintext phase: collect the ID line. Returns bytes used or -1. */
static long meta_frame_id(struct fl_meta_frame *f, const uint8_t *data, size_t len,
			  enum fl_meta_frame_err *err)
{
	const uint8_t *nl = memchr(data, '\n', len);
	size_t take = nl ? (size_t)(nl - data) : len;

	if (take > FL_META_MAXLINE - f->line_len) {
		*err = FL_META_ERR_LINE_TOO_LONG;
		return -1;
	}
	memcpy(f->line + f->line_len, data, take);
	f->line_len += take;
	if (!nl)
		return (long)len;
	f->line[f->line_len] = 0;
	f->id_done = 1;
	if (f->cb->id_line(f->ctx, f->line, f->line_len) < 0) {
		*err = FL_META_ERR_CALLBACK;
		return -1;
	}
	return (long)take + 1;
}

/* Raw SPTPS_PACKET bytes. Returns bytes used or -1. */
static long meta_frame_raw(struct fl_meta_frame *f, const uint8_t *data, size_t len,
			   enum fl_meta_frame_err *err)
{
	size_t take = f->raw_want - f->raw_have;

	if (take > len)
		take = len;
	if (f->raw_want <= FL_META_RAW_MAX)
		memcpy(f->raw + f->raw_have, data, take);
	f->raw_have += take;
	if (f->raw_have == f->raw_want) {
		size_t n = f->raw_want;
		f->raw_want = f->raw_have = 0;
		if (n > FL_META_RAW_MAX) {
			f->dropped++;
		} else if (f->cb->sptps_packet(f->ctx, f->raw, n) < 0) {
			*err = FL_META_ERR_CALLBACK;
			return -1;
		}
	}
	return (long)take;
}

enum fl_meta_frame_err fl_meta_frame_input(struct fl_meta_frame *f, const uint8_t *data,
					   size_t len)
{
	enum fl_meta_frame_err err = FL_META_OK;

	while (len) {
		long used;
		if (!f->id_done) {
			used = meta_frame_id(f, data, len, &err);
		} else if (f->raw_want) {
			used = meta_frame_raw(f, data, len, &err);
		} else {
			size_t consumed = 0;
			if (f->cb->sptps_in(f->ctx, data, len, &consumed) < 0)
				return f->err != FL_META_OK ? f->err : FL_META_ERR_SPTPS;
			if (consumed == 0 || consumed > len)
				return FL_META_ERR_SPTPS;
			used = (long)consumed;
		}
		if (used < 0)
			return err;
		data += used;
		len -= (size_t)used;
	}
	return FL_META_OK;
}
