/* SPDX-License-Identifier: MIT */
/*
 * dp_sptps.c: fl_dp_crypto over tinc-compatible SPTPS datagram sessions
 * (spec/SPTPS.md §4, §7; see dp_sptps.h). Called by the dataplane for every
 * record it seals or opens.
 */
#include "dataplane/dp_sptps.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/sptps.h"
#include "wire/csum.h"

struct fl_dp_sptps {
	struct fl_sptps_cipher *cipher;
};

struct fl_dp_sptps *fl_dp_sptps_new(void)
{
	struct fl_dp_sptps *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cipher = fl_sptps_cipher_new();
	if (!c->cipher) {
		free(c);
		return NULL;
	}
	return c;
}

void fl_dp_sptps_free(struct fl_dp_sptps *c)
{
	if (!c)
		return;
	fl_sptps_cipher_free(c->cipher);
	free(c);
}

static int dps_seal(void *ctx, void *sess, uint8_t type, struct fl_pkt *p)
{
	struct fl_dp_sptps *c = ctx;
	struct fl_sptps *s = sess;
	struct fl_sptps_keys k;
	size_t ptlen = (size_t)p->len + 1, n;
	uint32_t seq;
	uint8_t *h;

	if (!s || !fl_sptps_keyed(s) || fl_pkt_tailroom(p) < FL_SPTPS_TAG_LEN ||
	    fl_pkt_headroom(p) < FL_SPTPS_DGRAM_HEAD)
		return -1;
	if (fl_sptps_reserve(s, 1, &seq) != FL_SPTPS_OK)
		return -1;
	fl_sptps_keys(s, &k);
	if (!k.out_valid) {
		explicit_bzero(&k, sizeof(k));
		return -1;
	}
	h = fl_pkt_push(p, FL_SPTPS_DGRAM_HEAD);
	h[4] = type;
	n = fl_sptps_seal(c->cipher, k.out, seq, p->data, ptlen);
	explicit_bzero(&k, sizeof(k));
	if (!n)
		return -1;
	p->len = (uint32_t)n;
	return fl_sptps_needs_restart(s) ? 1 : 0;
}

/* tinc's sptps_verify_datagram: replay rule without state change, then
 * the tag, nothing decrypted into p. */
static enum fl_dp_open_err dps_verify(struct fl_dp_sptps *c, struct fl_sptps *s,
				      const struct fl_sptps_keys *k, struct fl_pkt *p)
{
	uint32_t seq = fl_get32(p->data);
	size_t clen = p->len - FL_SPTPS_SEQNO_LEN - FL_SPTPS_TAG_LEN;

	if (fl_sptps_replay_check(fl_sptps_replay_window(s), seq) != FL_SPTPS_REPLAY_OK)
		return FL_DP_OPEN_REPLAY;
	if (fl_sptps_cipher_open(c->cipher, k->in, seq, p->data + FL_SPTPS_SEQNO_LEN, clen,
				 p->data + p->len - FL_SPTPS_TAG_LEN, false) != 0)
		return FL_DP_OPEN_AUTH;
	return FL_DP_OPEN_OK;
}

static enum fl_dp_open_err dps_open(void *ctx, void *sess, struct fl_pkt *p, uint8_t *type,
				    bool verify_only)
{
	struct fl_dp_sptps *c = ctx;
	struct fl_sptps *s = sess;
	struct fl_sptps_keys k;
	enum fl_sptps_open_result r;
	enum fl_dp_open_err e = FL_DP_OPEN_OK;
	uint32_t seq = 0;
	size_t ptlen = 0;

	if (!s)
		return FL_DP_OPEN_NOKEY;
	if (p->len < FL_SPTPS_DGRAM_OVERHEAD)
		return FL_DP_OPEN_SHORT;
	fl_sptps_keys(s, &k);
	if (!k.in_valid) {
		e = FL_DP_OPEN_NOKEY;
		goto out;
	}
	if (verify_only) {
		e = dps_verify(c, s, &k, p);
		goto out;
	}
	r = fl_sptps_open(c->cipher, k.in, p->data, p->len, &seq, &ptlen);
	if (r == FL_SPTPS_OPEN_AUTH && k.prev_valid && seq < k.prev_in_below)
		r = fl_sptps_open(c->cipher, k.prev_in, p->data, p->len, &seq, &ptlen);
	if (r != FL_SPTPS_OPEN_OK) {
		e = FL_DP_OPEN_AUTH;
		goto out;
	}
	if (fl_sptps_replay_update(fl_sptps_replay_window(s), seq) != FL_SPTPS_REPLAY_OK) {
		e = FL_DP_OPEN_REPLAY;
		goto out;
	}
	*type = p->data[FL_SPTPS_SEQNO_LEN];
	if (*type >= FL_SPTPS_HANDSHAKE) {
		e = FL_DP_OPEN_TYPE; /* handshake records never use the data path */
		goto out;
	}
	fl_pkt_pull(p, FL_SPTPS_DGRAM_HEAD);
	p->len = (uint32_t)(ptlen - 1);
out:
	explicit_bzero(&k, sizeof(k));
	return e;
}

void fl_dp_sptps_crypto(struct fl_dp_sptps *c, struct fl_dp_crypto *out)
{
	out->ctx = c;
	out->seal = dps_seal;
	out->open = dps_open;
}
