/* SPDX-License-Identifier: MIT */
/* fuzz_ctl.c: libFuzzer target for the control session (src/control):
 * the first 64 bytes are not special; any bytes are fed after a valid
 * greeting, so request parsing and dump formatting are exercised. */
#include "control/ctl_session.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define COOKIE "6C42BA025D0B1E5C831D8880C23B8670043C782B15DD15612B0AFF1BDADC429F"

static const char *p_name(void *ctx) { return "fuzz"; }
static void p_nodes(void *ctx, fl_ctl_node_fn *emit, void *sink)
{
	struct fl_ctl_node n = {"a", "000000000000", "MYSELF", "655", 0, 0, 0, 0, 0, 0, "a", "a",
	                        0, 1518, 0, 1518, 0, -1, 0, 0, 0, 0};
	emit(sink, &n);
}
static int p_disconnect(void *ctx, const char *name) { return -2; }
static void p_stats(void *ctx, fl_ctl_stat_fn *emit, void *sink)
{
	emit(sink, "drop", "auth", 1);
	emit(sink, "peer:a", "drop-oversize", ~0ull);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fl_ctl_provider p = {
		.name = p_name, .each_node = p_nodes, .disconnect = p_disconnect,
		.each_stat = p_stats,
	};
	struct fl_ctl_session s;
	fl_ctl_session_init(&s, COOKIE, 1);
	const char *hello = "0 ^" COOKIE " 0\n";
	fl_ctl_session_input(&s, &p, hello, strlen(hello));
	fl_ctl_session_input(&s, &p, (const char *)data, size);
	fl_ctl_session_log(&s, 0, 6, "x", 0, 1 << 16);
	fl_ctl_session_pcap(&s, data, size, 1 << 16);
	fl_ctl_session_free(&s);
	return 0;
}
