/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the SPTPS receivers (stream and datagram), before
 * and after the handshake. Input: byte 0 picks mode, whether to finish the
 * handshake first, and the receiving side; then chunks of
 * op(1) len(2, big-endian) bytes:
 *   op 0: the bytes go to the receiver raw (stream: fed as a byte stream,
 *         checking the consumed counts; datagram: one datagram, also
 *         through verify);
 *   op 1: the peer seals them as a genuine record (first byte = TYPE, any
 *         value, 128 included) with its current key and seqno, so the
 *         handshake and dispatch code see arbitrary authenticated bodies;
 *   op 2: one side forces a re-key and everything queued is delivered.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sptps.h"
#include "../../tests/crypto/sptps_pair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed_raw(struct pair *pr, int to, const uint8_t *d, size_t n)
{
	struct fl_sptps *s = pr->p[to].s;
	size_t off = 0, used;
	enum fl_sptps_err e;

	if (pr->mode == FL_SPTPS_DATAGRAM) {
		fl_sptps_verify_datagram(s, d, n);
		fl_sptps_receive(s, d, n, &used);
		return;
	}
	do {
		e = fl_sptps_receive(s, d + off, n - off, &used);
		if (used > n - off || (e == FL_SPTPS_OK && used == 0 && off < n))
			abort();
		off += used;
	} while (e == FL_SPTPS_OK && off < n);
}

/* A record with a valid tag from the peer, TYPE and body chosen by input. */
static void feed_sealed(struct pair *pr, int to, const uint8_t *d, size_t n)
{
	struct fl_sptps_keys k;
	struct fl_sptps_cipher *c;
	uint8_t *rec;
	uint32_t seqno;
	size_t hdr = pr->mode == FL_SPTPS_STREAM ? 2 : 4;

	if (n == 0 || n > 1 + FL_SPTPS_MAX_BODY)
		return;
	if (fl_sptps_reserve(pr->p[!to].s, 1, &seqno) != FL_SPTPS_OK)
		return;
	fl_sptps_keys(pr->p[!to].s, &k);
	if (!k.out_valid || !(c = fl_sptps_cipher_new()))
		return;
	rec = malloc(hdr + n + 16);
	if (hdr == 2) {
		rec[0] = (uint8_t)((n - 1) >> 8);
		rec[1] = (uint8_t)(n - 1);
	} else {
		rec[0] = (uint8_t)(seqno >> 24);
		rec[1] = (uint8_t)(seqno >> 16);
		rec[2] = (uint8_t)(seqno >> 8);
		rec[3] = (uint8_t)seqno;
	}
	memcpy(rec + hdr, d, n);
	if (fl_sptps_cipher_seal(c, k.out, seqno, rec + hdr, n, rec + hdr + n) == 0)
		feed_raw(pr, to, rec, hdr + n + 16);
	free(rec);
	fl_sptps_cipher_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pair pr;
	int to;

	if (size < 1)
		return 0;
	pair_init(&pr, data[0] & 1 ? FL_SPTPS_DATAGRAM : FL_SPTPS_STREAM);
	if (data[0] & 2)
		pair_pump(&pr);
	to = (data[0] >> 2) & 1;
	data++;
	size--;
	while (size >= 3) {
		uint8_t op = data[0];
		size_t n = (size_t)data[1] << 8 | data[2];

		data += 3;
		size -= 3;
		if (n > size)
			n = size;
		if (op % 3 == 0)
			feed_raw(&pr, to, data, n);
		else if (op % 3 == 1)
			feed_sealed(&pr, to, data, n);
		else {
			fl_sptps_force_kex(pr.p[op >> 7].s, 100);
			pair_pump(&pr);
		}
		data += n;
		size -= n;
	}
	pair_free(&pr);
	return 0;
}
