/* SPDX-License-Identifier: MIT */
/*
 * fuzz_l2_frame: frames from a TAP device or a peer's PKT_MAC record go
 * through switch mode's parser, and their source addresses into a small
 * learned-MAC table (learn, expire, forget), checking its invariants.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "l2/l2_eth.h"
#include "l2/l2_mactable.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_mactable t;
	struct fl_eth e;
	uint8_t out[4][FL_ETH_ALEN];
	uint64_t now = 0;

	if (!fl_mactable_init(&t, 8, 1))
		return 0;
	/* The input is a run of frames: a length byte, then that many bytes. */
	while (size > 0) {
		size_t n = data[0] < size - 1 ? data[0] : size - 1;
		if (fl_eth_parse(data + 1, n, &e) == FL_ETH_OK) {
			if (e.hlen > n)
				abort();
			fl_mactable_learn(&t, e.src, now, 3);
			if (e.dst[0] & 2)
				fl_mactable_forget(&t, e.src);
		}
		now += data[0] & 3;
		fl_mactable_expire(&t, now, out, 4);
		if (t.n > t.max)
			abort();
		data += n + 1;
		size -= n + 1;
	}
	fl_mactable_free(&t);
	return 0;
}
