/* SPDX-License-Identifier: MIT */
/* fuzz_meta_frame.c: libFuzzer target for the meta connection framing
 * (src/daemon/meta_frame.c). A stand-in for the SPTPS session frames the
 * stream as plaintext records (2-byte length, body) and hands each to
 * fl_meta_frame_record(), as the real session's deliver callback does, so
 * the ID line, requests, `17 LEN` PACKET records and `21 LEN` raw bytes
 * are all reached. The first input byte picks the read size, so records
 * and lines arrive split at every boundary. The callbacks check what the
 * framing promises: NUL-terminated lines within FL_META_MAXLINE, packets
 * within their caps. */
#include "daemon/meta_frame.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fake {
	struct fl_meta_frame f;
	uint8_t rec[2 + 65535];
	size_t have;
};

static int check_line(const char *line, size_t len)
{
	if (len > FL_META_MAXLINE || line[len] != '\0' || strlen(line) > len)
		abort();
	return len && line[0] == 'X' ? -1 : 0; /* some lines are refused */
}

static int cb_id(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	return check_line(line, len);
}

static int cb_request(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	return check_line(line, len);
}

static int cb_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	if (len > FL_META_PACKET_MAX || (len && !pkt))
		abort();
	return 0;
}

static int cb_sptps_packet(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	if (len < 12 || len > FL_META_RAW_MAX || !p)
		abort();
	return 0;
}

/* One plaintext "record" per call, like fl_sptps_receive on a stream. */
static int cb_sptps_in(void *ctx, const uint8_t *d, size_t len, size_t *consumed)
{
	struct fake *k = ctx;
	size_t want = k->have < 2 ? 2 : 2 + ((size_t)k->rec[0] << 8 | k->rec[1]);
	size_t take = want - k->have < len ? want - k->have : len;

	memcpy(k->rec + k->have, d, take);
	k->have += take;
	*consumed = take;
	if (k->have == 2)
		want = 2 + ((size_t)k->rec[0] << 8 | k->rec[1]);
	if (k->have < 2 || k->have < want)
		return 0;
	k->have = 0;
	return fl_meta_frame_record(&k->f, k->rec + 2, want - 2, NULL);
}

static const struct fl_meta_frame_cb cbs = {
	.id_line = cb_id,
	.sptps_in = cb_sptps_in,
	.request = cb_request,
	.packet = cb_packet,
	.sptps_packet = cb_sptps_packet,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake k;
	size_t chunk;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] + 1;
	data++, size--;
	memset(&k, 0, sizeof(k));
	fl_meta_frame_init(&k.f, &cbs, &k);
	while (size) {
		size_t n = size < chunk ? size : chunk;
		if (fl_meta_frame_input(&k.f, data, n) != FL_META_OK)
			break;
		data += n;
		size -= n;
	}
	fl_meta_frame_strerror(k.f.err);
	return 0;
}
