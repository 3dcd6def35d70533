/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the tinc-b64 decoder (src/crypto/b64.c): any input
 * either fails cleanly or decodes to the advertised length, and decoded
 * bytes re-encode to a text that decodes to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t cap = fl_b64_decoded_len(size), outlen, bad = 0, n2;
	uint8_t *out = malloc(cap + 1), *out2 = malloc(cap + 1);
	char *text = malloc(fl_b64_encoded_len(cap) + 1);
	enum fl_b64_err err;

	if (!out || !out2 || !text)
		abort();
	err = fl_b64_decode(out, cap, &outlen, in, size, &bad);
	if (err == FL_B64_OK) {
		if (outlen != cap || !fl_b64_check(in, size, NULL))
			abort();
		size_t tl = fl_b64_encode(text, fl_b64_encoded_len(outlen) + 1, out, outlen, false);
		if (tl != fl_b64_encoded_len(outlen) || !fl_b64_is_canonical(text, tl))
			abort();
		if (fl_b64_decode(out2, cap, &n2, text, tl, NULL) != FL_B64_OK || n2 != outlen ||
		    memcmp(out, out2, outlen) != 0)
			abort();
		/* a buffer one byte short must be refused, not overrun */
		if (cap > 0 && fl_b64_decode(out2, cap - 1, &n2, in, size, NULL) != FL_B64_NO_ROOM)
			abort();
	} else if (err != FL_B64_BAD_CHAR || bad >= size || fl_b64_check(in, size, NULL)) {
		abort();
	}
	free(out);
	free(out2);
	free(text);
	return 0;
}
