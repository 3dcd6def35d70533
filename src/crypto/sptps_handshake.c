/* SPDX-License-Identifier: MIT */
/*
 * The SPTPS handshake and re-key state machine (SPTPS.md §6): KEX, SIG,
 * ACK, key derivation and the moments the new keys take effect. Called by
 * sptps.c (start, force_kex) and sptps_receive.c (records of type 128).
 */
#include "crypto/sptps_internal.h"
#include "crypto/sptps_kdf.h"

#include <string.h>

#include <sodium.h>

#define FL_SPTPS_NONCE_LEN 32
#define FL_SPTPS_SIGNED_MAX (1 + 2 * FL_SPTPS_KEX_LEN + FL_SPTPS_MAX_LABEL)

static const char fl_sptps_kdf_label[13] = "key expansion"; /* no NUL on the wire */

static void fl_sptps_trace(struct fl_sptps *s, enum fl_sptps_trace what, const uint8_t *d,
			   size_t n)
{
	if (s->cb->trace)
		s->cb->trace(s->ctx, what, d, n);
}

void fl_sptps_handshake_wipe(struct fl_sptps *s)
{
	sodium_memzero(s->mykex, sizeof(s->mykex));
	sodium_memzero(s->hiskex, sizeof(s->hiskex));
	sodium_memzero(s->eph_scalar, sizeof(s->eph_scalar));
	sodium_memzero(s->material, sizeof(s->material));
	s->have_mykex = s->have_hiskex = false;
}

/* Draw 32 bytes of nonce, then 32 bytes of ephemeral seed (SPTPS.md §10),
 * and send KEX = version || nonce || ephemeral public key. */
enum fl_sptps_err fl_sptps_send_kex(struct fl_sptps *s)
{
	uint8_t seed[32];
	int r;

	if (s->have_mykex)
		return FL_SPTPS_ERR_STATE;
	s->mykex[0] = FL_SPTPS_VERSION;
	if (s->cb->random(s->ctx, s->mykex + 1, FL_SPTPS_NONCE_LEN) ||
	    s->cb->random(s->ctx, seed, sizeof(seed))) {
		sodium_memzero(seed, sizeof(seed));
		return FL_SPTPS_ERR_RANDOM;
	}
	r = fl_sptps_ecdh_keypair(seed, s->eph_scalar, s->mykex + 1 + FL_SPTPS_NONCE_LEN);
	sodium_memzero(seed, sizeof(seed));
	if (r)
		return FL_SPTPS_ERR_CRYPTO;
	s->have_mykex = true;
	return fl_sptps_send_record(s, FL_SPTPS_HANDSHAKE, s->mykex, FL_SPTPS_KEX_LEN);
}

/* role || first KEX || second KEX || label: what a SIG covers. */
static size_t fl_sptps_signed_data(const struct fl_sptps *s, bool signer_is_initiator,
				   const uint8_t *first, const uint8_t *second,
				   uint8_t out[static FL_SPTPS_SIGNED_MAX])
{
	out[0] = signer_is_initiator ? 1 : 0;
	memcpy(out + 1, first, FL_SPTPS_KEX_LEN);
	memcpy(out + 1 + FL_SPTPS_KEX_LEN, second, FL_SPTPS_KEX_LEN);
	memcpy(out + 1 + 2 * FL_SPTPS_KEX_LEN, s->label, s->label_len);
	return 1 + 2 * FL_SPTPS_KEX_LEN + s->label_len;
}

static enum fl_sptps_err fl_sptps_send_sig(struct fl_sptps *s)
{
	uint8_t msg[FL_SPTPS_SIGNED_MAX], sig[FL_ED25519_SIG_LEN];
	size_t n = fl_sptps_signed_data(s, s->initiator, s->mykex, s->hiskex, msg);

	if (fl_ed25519_sign(&s->own, msg, n, sig))
		return FL_SPTPS_ERR_CRYPTO;
	return fl_sptps_send_record(s, FL_SPTPS_HANDSHAKE, sig, sizeof(sig));
}

static enum fl_sptps_err fl_sptps_receive_kex(struct fl_sptps *s, const uint8_t *body,
					      size_t len)
{
	if (len != FL_SPTPS_KEX_LEN || body[0] != FL_SPTPS_VERSION || s->have_hiskex)
		return FL_SPTPS_ERR_KEX;
	memcpy(s->hiskex, body, FL_SPTPS_KEX_LEN);
	s->have_hiskex = true;
	s->state = FL_SPTPS_S_SIG;
	return s->initiator ? fl_sptps_send_sig(s) : FL_SPTPS_OK;
}

/* ECDH and PRF: 128 bytes of key material into s->material. */
static enum fl_sptps_err fl_sptps_derive(struct fl_sptps *s)
{
	uint8_t shared[FL_SPTPS_ECDH_LEN];
	uint8_t seed[sizeof(fl_sptps_kdf_label) + 2 * FL_SPTPS_NONCE_LEN + FL_SPTPS_MAX_LABEL];
	const uint8_t *ni = s->initiator ? s->mykex + 1 : s->hiskex + 1;
	const uint8_t *nr = s->initiator ? s->hiskex + 1 : s->mykex + 1;
	size_t n = 0;
	int r;

	r = fl_sptps_ecdh_shared(s->eph_scalar, s->hiskex + 1 + FL_SPTPS_NONCE_LEN, shared);
	sodium_memzero(s->eph_scalar, sizeof(s->eph_scalar));
	if (r) {
		sodium_memzero(shared, sizeof(shared));
		return FL_SPTPS_ERR_ECDH;
	}
	memcpy(seed, fl_sptps_kdf_label, sizeof(fl_sptps_kdf_label));
	n += sizeof(fl_sptps_kdf_label);
	memcpy(seed + n, ni, FL_SPTPS_NONCE_LEN);
	n += FL_SPTPS_NONCE_LEN;
	memcpy(seed + n, nr, FL_SPTPS_NONCE_LEN);
	n += FL_SPTPS_NONCE_LEN;
	memcpy(seed + n, s->label, s->label_len);
	n += s->label_len;
	fl_sptps_trace(s, FL_SPTPS_TRACE_KDF_SECRET, shared, sizeof(shared));
	fl_sptps_trace(s, FL_SPTPS_TRACE_KDF_SEED, seed, n);
	r = fl_sptps_prf(shared, sizeof(shared), seed, n, s->material, sizeof(s->material));
	sodium_memzero(shared, sizeof(shared));
	if (r)
		return FL_SPTPS_ERR_CRYPTO;
	fl_sptps_trace(s, FL_SPTPS_TRACE_KDF_OUT, s->material, sizeof(s->material));
	return FL_SPTPS_OK;
}

/* key0 = material[0..63] protects responder -> initiator, key1 =
 * material[64..127] initiator -> responder; only 32 bytes of each are used. */
static void fl_sptps_install_out(struct fl_sptps *s)
{
	const uint8_t *k = s->material + (s->initiator ? 64 : 0);

	memcpy(s->key_out, k, FL_SPTPS_KEY_LEN);
	fl_sptps_trace(s, FL_SPTPS_TRACE_KEY_OUT, k, 64);
	s->epoch++;
}

static void fl_sptps_install_in(struct fl_sptps *s)
{
	const uint8_t *k = s->material + (s->initiator ? 0 : 64);

	if (s->instate && s->mode == FL_SPTPS_DATAGRAM) {
		/* Grace for datagrams the peer sealed before its ACK. */
		memcpy(s->prev_in, s->key_in, FL_SPTPS_KEY_LEN);
		s->prev_below = s->last_in_seqno;
		s->prev_valid = true;
	}
	memcpy(s->key_in, k, FL_SPTPS_KEY_LEN);
	fl_sptps_trace(s, FL_SPTPS_TRACE_KEY_IN, k, 64);
	s->instate = true;
	s->epoch++;
	sodium_memzero(s->material, sizeof(s->material));
}

static void fl_sptps_complete(struct fl_sptps *s)
{
	s->state = FL_SPTPS_S_SECONDARY_KEX;
	s->deadline_armed = false;
	if (s->cb->handshake_done)
		s->cb->handshake_done(s->ctx);
}

static enum fl_sptps_err fl_sptps_receive_sig(struct fl_sptps *s, const uint8_t *body,
					      size_t len)
{
	uint8_t msg[FL_SPTPS_SIGNED_MAX];
	enum fl_sptps_err e;
	size_t n;

	if (len != FL_SPTPS_SIG_LEN)
		return FL_SPTPS_ERR_SIG;
	n = fl_sptps_signed_data(s, !s->initiator, s->hiskex, s->mykex, msg);
	if (!fl_ed25519_verify(s->peer_pub, msg, n, body))
		return FL_SPTPS_ERR_SIG;
	if ((e = fl_sptps_derive(s)) != FL_SPTPS_OK)
		return e;
	/* The responder's SIG, and in a re-key the ACK, still go out under the
	 * old outgoing state. */
	if (!s->initiator && (e = fl_sptps_send_sig(s)) != FL_SPTPS_OK)
		return e;
	sodium_memzero(s->mykex, sizeof(s->mykex));
	sodium_memzero(s->hiskex, sizeof(s->hiskex));
	s->have_mykex = s->have_hiskex = false;
	if (s->outstate && (e = fl_sptps_send_record(s, FL_SPTPS_HANDSHAKE, NULL, 0)))
		return e;
	fl_sptps_install_out(s);
	if (s->outstate) {
		s->state = FL_SPTPS_S_ACK;
		return FL_SPTPS_OK;
	}
	s->outstate = true;
	fl_sptps_install_in(s);
	fl_sptps_complete(s);
	return FL_SPTPS_OK;
}

enum fl_sptps_err fl_sptps_handshake(struct fl_sptps *s, const uint8_t *body, size_t len)
{
	enum fl_sptps_err e;

	switch (s->state) {
	case FL_SPTPS_S_SECONDARY_KEX:
		/* The peer started a re-key: answer with our own fresh KEX. */
		s->deadline_armed = false;
		if ((e = fl_sptps_send_kex(s)) != FL_SPTPS_OK)
			return e;
		s->state = FL_SPTPS_S_KEX;
		/* fall through */
	case FL_SPTPS_S_KEX:
		return fl_sptps_receive_kex(s, body, len);
	case FL_SPTPS_S_SIG:
		return fl_sptps_receive_sig(s, body, len);
	case FL_SPTPS_S_ACK:
		if (len != 0)
			return FL_SPTPS_ERR_ACK;
		fl_sptps_install_in(s);
		fl_sptps_complete(s);
		return FL_SPTPS_OK;
	case FL_SPTPS_S_NEW:
	default:
		return FL_SPTPS_ERR_STATE;
	}
}
