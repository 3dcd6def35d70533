/* SPDX-License-Identifier: MIT */
/*
 * probe.h: bodies of UDP probe records (SPTPS record type 4, spec/UDP.md
 * §4.2). A request is 0x00, 13 zero bytes, then random bytes; a type-2
 * reply is 18 bytes: 0x02, the confirmed length (BE16), 11 bytes and 4
 * bytes copied from the request. Used by the dataplane; pure (random
 * bytes are passed in).
 */
#ifndef FL_WIRE_PROBE_H
#define FL_WIRE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire_err.h"

#define FL_PROBE_MIN 18u        /* MIN_PROBE_SIZE */
#define FL_PROBE_REPLY_LEN 18u
#define FL_PROBE_MAX 1518u      /* records longer than MTU are rejected */
#define FL_REC_PROBE 4u         /* SPTPS record type PKT_PROBE */

struct fl_probe {
	bool request;
	uint8_t kind;           /* body byte 0: 0 request, 1 or 2 reply */
	uint16_t len;           /* confirmed length (reply) or body length */
};

/* Fill a request body of `len` bytes (raised to FL_PROBE_MIN; must be
 * <= cap and <= FL_PROBE_MAX). rnd supplies len - 14 random bytes. Returns
 * the body length, 0 on bad arguments. */
size_t fl_probe_request(uint8_t *out, size_t cap, size_t len, const uint8_t *rnd);

/* Type-2 reply to a request body of reqlen bytes (legal for any reqlen >= 1:
 * missing request bytes are taken as zero). */
void fl_probe_reply(uint8_t out[static FL_PROBE_REPLY_LEN], const uint8_t *req, size_t reqlen);

/* Gratuitous type-2 reply confirming `len` (UDP.md §4.3 step 1). */
void fl_probe_gratuitous(uint8_t out[static FL_PROBE_REPLY_LEN], uint16_t len,
			 const uint8_t rnd[static 4]);

/* Parse a probe body. Empty or longer than FL_PROBE_MAX → error; a type-2
 * reply must hold its length field (>= 3 bytes). */
enum fl_wire_err fl_probe_parse(const uint8_t *body, size_t len, struct fl_probe *out);

#endif
