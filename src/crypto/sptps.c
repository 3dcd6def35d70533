/* SPDX-License-Identifier: MIT */
/*
 * SPTPS session life cycle, record sending and queries (spec/SPTPS.md).
 * Handshake messages are in sptps_handshake.c, receiving in
 * sptps_receive.c. Called by the daemon's control plane (meta connections,
 * UDP tunnel set-up) and the tests; see sptps.h for the contract.
 */
#include "crypto/sptps_internal.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static const char *const fl_sptps_errstr[] = {
	[FL_SPTPS_OK] = "success",
	[FL_SPTPS_ERR_ARG] = "invalid argument",
	[FL_SPTPS_ERR_NOMEM] = "out of memory",
	[FL_SPTPS_ERR_STATE] = "not allowed in the current session state",
	[FL_SPTPS_ERR_DEAD] = "session has failed",
	[FL_SPTPS_ERR_SHORT] = "short packet",
	[FL_SPTPS_ERR_SEQNO] = "unexpected sequence number in handshake",
	[FL_SPTPS_ERR_AUTH] = "failed to decrypt and verify record",
	[FL_SPTPS_ERR_REPLAY] = "late or replayed packet",
	[FL_SPTPS_ERR_FUTURE] = "packet too far in the future",
	[FL_SPTPS_ERR_TYPE] = "invalid record type",
	[FL_SPTPS_ERR_EARLY] = "application record received before handshake finished",
	[FL_SPTPS_ERR_KEX] = "invalid KEX record",
	[FL_SPTPS_ERR_SIG] = "failed to verify SIG record",
	[FL_SPTPS_ERR_ECDH] = "invalid ephemeral key from peer",
	[FL_SPTPS_ERR_ACK] = "invalid ACK record length",
	[FL_SPTPS_ERR_CALLBACK] = "callback failed",
	[FL_SPTPS_ERR_RANDOM] = "random source failed",
	[FL_SPTPS_ERR_CRYPTO] = "cryptographic library failure",
	[FL_SPTPS_ERR_EXHAUSTED] = "sequence numbers exhausted, session must restart",
	[FL_SPTPS_ERR_TIMEOUT] = "handshake timed out",
	[FL_SPTPS_ERR_LONG] = "record too long",
};

const char *fl_sptps_strerror(enum fl_sptps_err err)
{
	if ((unsigned)err >= sizeof(fl_sptps_errstr) / sizeof(fl_sptps_errstr[0]) ||
	    !fl_sptps_errstr[err])
		return "unknown SPTPS error";
	return fl_sptps_errstr[err];
}

static enum fl_sptps_err fl_sptps_config_check(const struct fl_sptps_config *cfg)
{
	if (!cfg || !cfg->own_key || !cfg->peer_public || !cfg->label || !cfg->cb ||
	    !cfg->cb->random || !cfg->cb->send || !cfg->cb->deliver)
		return FL_SPTPS_ERR_ARG;
	if (cfg->label_len == 0 || cfg->label_len > FL_SPTPS_MAX_LABEL)
		return FL_SPTPS_ERR_ARG;
	if (cfg->mode != FL_SPTPS_STREAM && cfg->mode != FL_SPTPS_DATAGRAM)
		return FL_SPTPS_ERR_ARG;
	if (cfg->replaywin > FL_SPTPS_REPLAY_MAX)
		return FL_SPTPS_ERR_ARG;
	return FL_SPTPS_OK;
}

struct fl_sptps *fl_sptps_new(const struct fl_sptps_config *cfg, enum fl_sptps_err *err)
{
	enum fl_sptps_err e = fl_sptps_config_check(cfg);
	struct fl_sptps *s = NULL;

	if (e != FL_SPTPS_OK)
		goto out;
	e = FL_SPTPS_ERR_NOMEM;
	if (sodium_init() < 0 || !(s = calloc(1, sizeof(*s))))
		goto out;
	s->rxbuf = malloc(FL_SPTPS_RXBUF_MIN);
	s->rxcap = FL_SPTPS_RXBUF_MIN;
	s->txc = fl_sptps_cipher_new();
	s->rxc = fl_sptps_cipher_new();
	if (!s->rxbuf || !s->txc || !s->rxc) {
		fl_sptps_free(s);
		s = NULL;
		goto out;
	}
	s->mode = cfg->mode;
	s->initiator = cfg->initiator;
	s->cb = cfg->cb;
	s->ctx = cfg->ctx;
	s->rekey_timeout = cfg->rekey_timeout;
	s->own = *cfg->own_key;
	memcpy(s->peer_pub, cfg->peer_public, FL_ED25519_PUBLIC_LEN);
	memcpy(s->label, cfg->label, cfg->label_len);
	s->label_len = cfg->label_len;
	fl_sptps_replay_init(&s->replay, cfg->replaywin, 0);
	e = FL_SPTPS_OK;
out:
	if (err)
		*err = e;
	return s;
}

void fl_sptps_free(struct fl_sptps *s)
{
	if (!s)
		return;
	fl_sptps_cipher_free(s->txc);
	fl_sptps_cipher_free(s->rxc);
	if (s->rxbuf)
		sodium_memzero(s->rxbuf, s->rxcap);
	free(s->rxbuf);
	sodium_memzero(s, sizeof(*s));
	free(s);
}

/* Frame one record (stream: LEN, datagram: SEQNO), seal it if our outgoing
 * keys are installed, and hand it to the send callback. Every record
 * consumes one outgoing seqno, plaintext handshake records included.
 * Sealed records are built in the tx context's scratch with the header
 * written into its headroom, so the body is copied once. */
enum fl_sptps_err fl_sptps_send_record(struct fl_sptps *s, uint8_t type, const uint8_t *body,
				       size_t len)
{
	size_t hdr = s->mode == FL_SPTPS_STREAM ? 2 : 4;
	uint32_t seqno;
	uint8_t *p;
	size_t total;

	if (len > FL_SPTPS_MAX_BODY)
		return FL_SPTPS_ERR_ARG;
	if (s->outseqno > UINT32_MAX)
		return FL_SPTPS_ERR_EXHAUSTED;
	if (!s->outstate && len > FL_SPTPS_KEX_LEN)
		return FL_SPTPS_ERR_STATE;
	seqno = (uint32_t)s->outseqno++;
	if (s->outstate) {
		p = fl_sptps_cipher_seal_scratch(s->txc, s->key_out, seqno, type, body, len);
		if (!p)
			return FL_SPTPS_ERR_CRYPTO;
		p -= hdr;
		total = hdr + 1 + len + FL_SPTPS_TAG_LEN;
	} else {
		p = s->plain;
		p[hdr] = type;
		if (len)
			memcpy(p + hdr + 1, body, len);
		total = hdr + 1 + len;
	}
	if (s->mode == FL_SPTPS_STREAM) {
		p[0] = (uint8_t)(len >> 8);
		p[1] = (uint8_t)len;
	} else {
		p[0] = (uint8_t)(seqno >> 24);
		p[1] = (uint8_t)(seqno >> 16);
		p[2] = (uint8_t)(seqno >> 8);
		p[3] = (uint8_t)seqno;
	}
	return s->cb->send(s->ctx, type, p, total) ? FL_SPTPS_ERR_CALLBACK : FL_SPTPS_OK;
}

enum fl_sptps_err fl_sptps_start(struct fl_sptps *s, uint64_t deadline)
{
	if (!s)
		return FL_SPTPS_ERR_ARG;
	if (s->state != FL_SPTPS_S_NEW)
		return FL_SPTPS_ERR_STATE;
	s->state = FL_SPTPS_S_KEX;
	s->deadline = deadline;
	s->deadline_armed = true;
	return fl_sptps_send_kex(s);
}

enum fl_sptps_err fl_sptps_send(struct fl_sptps *s, uint8_t type, const uint8_t *body,
				size_t len)
{
	if (!s || type > FL_SPTPS_MAX_APP_TYPE || (len && !body))
		return FL_SPTPS_ERR_ARG;
	if (s->dead)
		return FL_SPTPS_ERR_DEAD;
	if (!s->outstate)
		return FL_SPTPS_ERR_STATE;
	return fl_sptps_send_record(s, type, body, len);
}

enum fl_sptps_err fl_sptps_force_kex(struct fl_sptps *s, uint64_t deadline)
{
	if (!s)
		return FL_SPTPS_ERR_ARG;
	if (s->dead)
		return FL_SPTPS_ERR_DEAD;
	if (!s->outstate || s->state != FL_SPTPS_S_SECONDARY_KEX)
		return FL_SPTPS_ERR_STATE;
	if (s->outseqno > UINT32_MAX)
		return FL_SPTPS_ERR_EXHAUSTED;
	s->state = FL_SPTPS_S_KEX;
	s->deadline = deadline;
	s->deadline_armed = true;
	return fl_sptps_send_kex(s);
}

bool fl_sptps_handshaking(const struct fl_sptps *s)
{
	return s->state != FL_SPTPS_S_NEW && s->state != FL_SPTPS_S_SECONDARY_KEX;
}

enum fl_sptps_err fl_sptps_check_deadline(struct fl_sptps *s, uint64_t now)
{
	if (s->dead)
		return FL_SPTPS_ERR_DEAD;
	if (!fl_sptps_handshaking(s))
		return FL_SPTPS_OK;
	if (!s->deadline_armed) {
		/* A re-key the peer started: its clock starts now. */
		if (s->rekey_timeout == 0)
			return FL_SPTPS_OK;
		s->deadline = now + s->rekey_timeout;
		s->deadline_armed = true;
	}
	if (now < s->deadline)
		return FL_SPTPS_OK;
	s->dead = true;
	fl_sptps_handshake_wipe(s);
	sodium_memzero(s->key_out, sizeof(s->key_out));
	sodium_memzero(s->key_in, sizeof(s->key_in));
	fl_sptps_end_grace(s);
	return FL_SPTPS_ERR_TIMEOUT;
}

void fl_sptps_set_rx_limit(struct fl_sptps *s, size_t max_body)
{
	s->rx_limit = max_body;
}

bool fl_sptps_keyed(const struct fl_sptps *s)
{
	return s->outstate && !s->dead;
}

bool fl_sptps_needs_restart(const struct fl_sptps *s)
{
	return s->outseqno >= FL_SPTPS_RESTART_SEQNO;
}

uint32_t fl_sptps_outseqno(const struct fl_sptps *s)
{
	return (uint32_t)s->outseqno;
}

enum fl_sptps_err fl_sptps_reserve(struct fl_sptps *s, uint32_t n, uint32_t *first)
{
	if (s->dead)
		return FL_SPTPS_ERR_DEAD;
	if (!s->outstate)
		return FL_SPTPS_ERR_STATE;
	if (s->outseqno + n > (uint64_t)UINT32_MAX + 1)
		return FL_SPTPS_ERR_EXHAUSTED;
	*first = (uint32_t)s->outseqno;
	s->outseqno += n;
	return FL_SPTPS_OK;
}

void fl_sptps_keys(const struct fl_sptps *s, struct fl_sptps_keys *k)
{
	memcpy(k->out, s->key_out, sizeof(k->out));
	memcpy(k->in, s->key_in, sizeof(k->in));
	memcpy(k->prev_in, s->prev_in, sizeof(k->prev_in));
	k->prev_in_below = s->prev_below;
	k->epoch = s->epoch;
	k->out_valid = s->outstate && !s->dead;
	k->in_valid = s->instate && !s->dead;
	k->prev_valid = s->prev_valid && !s->dead;
	k->next_valid = s->mode == FL_SPTPS_DATAGRAM && s->state == FL_SPTPS_S_ACK && s->instate &&
			!s->dead;
	if (k->next_valid)
		memcpy(k->next_in, s->material + (s->initiator ? 0 : 64), sizeof(k->next_in));
	else
		memset(k->next_in, 0, sizeof(k->next_in));
}

bool fl_sptps_out_key(const struct fl_sptps *s, uint8_t out[static FL_SPTPS_KEY_LEN])
{
	if (!s->outstate || s->dead)
		return false;
	memcpy(out, s->key_out, FL_SPTPS_KEY_LEN);
	return true;
}

void fl_sptps_end_grace(struct fl_sptps *s)
{
	s->prev_valid = false;
	sodium_memzero(s->prev_in, sizeof(s->prev_in));
}

struct fl_sptps_replay *fl_sptps_replay_window(struct fl_sptps *s)
{
	return &s->replay;
}

void fl_sptps_set_outseqno(struct fl_sptps *s, uint32_t seqno)
{
	s->outseqno = seqno;
}
