/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ip_route: a frame from the tun device or a peer goes through every
 * router-side operation of src/wire: parse, ICMP error, TTL decrement,
 * ClampMSS and IPv4 fragmentation.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wire/dgram.h"
#include "wire/icmp.h"
#include "wire/ip.h"
#include "wire/ipmod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, const uint8_t *frag, size_t len)
{
	size_t *total = ctx;
	*total += len + frag[len - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t frame[FL_MTU + 64], out[FL_ICMP_ERROR_MAX];
	struct fl_ip_info info;
	size_t n, total = 0;
	uint16_t mtu;

	if (size < 2 || size - 2 > sizeof(frame))
		return 0;
	mtu = (uint16_t)((data[0] << 8) | data[1]);
	size -= 2;
	memcpy(frame, data + 2, size);
	if (fl_ip_parse_frame(frame, size, &info) == FL_WIRE_OK) {
		if (info.version == 4)
			fl_icmp4_error(frame, size, 3, 4, NULL, out, sizeof(out), &n);
		else
			fl_icmp6_error(frame, size, 2, 0, NULL, out, sizeof(out), &n);
		fl_frag4(frame, size, mtu, sink, &total);
	}
	fl_mss_clamp(frame, size, mtu);
	fl_ttl_decrement(frame, size);
	return 0;
}
