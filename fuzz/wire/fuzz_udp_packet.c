/* SPDX-License-Identifier: MIT */
/*
 * fuzz_udp_packet: a UDP payload from anyone — the node-ID prefix parser and
 * the probe body parser/reply builder must never read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire/dgram.h"
#include "wire/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_dgram d;
	struct fl_probe pr;
	uint8_t reply[FL_PROBE_REPLY_LEN];

	if (fl_dgram_parse(data, size, &d) == FL_WIRE_OK) {
		volatile uint32_t s = fl_dgram_seqno(d.rec);
		(void)s;
		/* Treat everything after seqno+type as a probe body. */
		const uint8_t *body = d.rec + FL_SPTPS_DGRAM_HEAD;
		size_t blen = d.rec_len - FL_SPTPS_DGRAM_HEAD;
		if (fl_probe_parse(body, blen, &pr) == FL_WIRE_OK && pr.request)
			fl_probe_reply(reply, body, blen);
	}
	if (fl_probe_parse(data, size, &pr) == FL_WIRE_OK && pr.request)
		fl_probe_reply(reply, data, size);
	return 0;
}
