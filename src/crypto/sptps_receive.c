/* SPDX-License-Identifier: MIT */
/*
 * SPTPS receive paths (SPTPS.md §3.2, §4.2, §7.3): stream framing one
 * record per call, datagram authentication, the replay window and the
 * dispatch of authenticated records. Called through fl_sptps_receive() and
 * fl_sptps_verify_datagram() by the daemon's control plane and the tests.
 */
#include "crypto/sptps_internal.h"

#include <string.h>

#include <sodium.h>

static uint32_t fl_sptps_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum fl_sptps_err fl_sptps_dispatch(struct fl_sptps *s, uint8_t type, const uint8_t *body,
				    size_t len)
{
	if (type == FL_SPTPS_HANDSHAKE)
		return fl_sptps_handshake(s, body, len);
	if (type > FL_SPTPS_HANDSHAKE)
		return FL_SPTPS_ERR_TYPE;
	if (!s->instate)
		return FL_SPTPS_ERR_EARLY;
	return s->cb->deliver(s->ctx, type, body, len) ? FL_SPTPS_ERR_CALLBACK : FL_SPTPS_OK;
}

/* One complete stream record at rec (LEN, then TYPE || body [|| tag]).
 * The implicit seqno advances for every complete record, before the tag
 * is checked. */
static enum fl_sptps_err fl_sptps_stream_record(struct fl_sptps *s, const uint8_t *rec,
						size_t body)
{
	uint32_t seqno = s->stream_inseqno++;
	const uint8_t *pt = rec + 2;

	if (s->instate) {
		int r = fl_sptps_cipher_open_scratch(s->rxc, s->key_in, seqno, rec + 2, 1 + body,
						     rec + 3 + body, &pt);
		if (r)
			return r < 0 ? FL_SPTPS_ERR_CRYPTO : FL_SPTPS_ERR_AUTH;
	}
	return fl_sptps_dispatch(s, pt[0], pt + 1, body);
}

static int fl_sptps_rx_room(struct fl_sptps *s, size_t need)
{
	uint8_t *p;

	if (need <= s->rxcap)
		return 0;
	if (!(p = malloc(need)))
		return -1;
	memcpy(p, s->rxbuf, s->rxlen);
	sodium_memzero(s->rxbuf, s->rxcap);
	free(s->rxbuf);
	s->rxbuf = p;
	s->rxcap = need;
	return 0;
}

/* At most one record per call. A record that is whole in the input is
 * processed from there; pieces are collected in rxbuf. The expected size
 * (with or without tag) follows instate at framing time, like tinc. */
static enum fl_sptps_err fl_sptps_receive_stream(struct fl_sptps *s, const uint8_t *data,
						 size_t len, size_t *consumed)
{
	size_t take = 0, n, total, body, tag = s->instate ? FL_SPTPS_TAG_LEN : 0;

	if (s->rxlen == 0 && len >= 2) {
		body = (size_t)data[0] << 8 | data[1];
		if (s->rx_limit && body > s->rx_limit)
			return FL_SPTPS_ERR_LONG;
		total = 3 + body + tag;
		if (len >= total) {
			*consumed = total;
			return fl_sptps_stream_record(s, data, body);
		}
	}
	if (s->rxlen < 2) {
		n = 2 - s->rxlen < len ? 2 - s->rxlen : len;
		memcpy(s->rxbuf + s->rxlen, data, n);
		s->rxlen += n;
		take = n;
		if (s->rxlen < 2) {
			*consumed = take;
			return FL_SPTPS_OK;
		}
	}
	body = (size_t)s->rxbuf[0] << 8 | s->rxbuf[1];
	if (s->rx_limit && body > s->rx_limit)
		return FL_SPTPS_ERR_LONG;
	total = 3 + body + tag;
	if (fl_sptps_rx_room(s, total))
		return FL_SPTPS_ERR_NOMEM;
	n = total - s->rxlen < len - take ? total - s->rxlen : len - take;
	memcpy(s->rxbuf + s->rxlen, data + take, n);
	s->rxlen += n;
	*consumed = take + n;
	if (s->rxlen < total)
		return FL_SPTPS_OK;
	s->rxlen = 0;
	return fl_sptps_stream_record(s, s->rxbuf, body);
}

/* Before our incoming keys exist: plaintext handshake records, strictly in
 * order (the meta graph delivers them in order). */
static enum fl_sptps_err fl_sptps_receive_plain_datagram(struct fl_sptps *s,
							 const uint8_t *data, size_t len)
{
	uint32_t seqno;

	if (len < 5)
		return FL_SPTPS_ERR_SHORT;
	seqno = fl_sptps_be32(data);
	if (seqno != s->replay.inseqno)
		return FL_SPTPS_ERR_SEQNO;
	s->replay.inseqno = seqno + 1;
	if (data[4] != FL_SPTPS_HANDSHAKE)
		return data[4] < FL_SPTPS_HANDSHAKE ? FL_SPTPS_ERR_EARLY : FL_SPTPS_ERR_TYPE;
	s->last_in_seqno = seqno;
	s->hs_in_next = (uint64_t)seqno + 1;
	return fl_sptps_handshake(s, data + 5, len - 5);
}

/* What the replay window's verdict on a seqno means for the record. */
static enum fl_sptps_err fl_sptps_replay_err(enum fl_sptps_replay_result r)
{
	switch (r) {
	case FL_SPTPS_REPLAY_OK:
		return FL_SPTPS_OK;
	case FL_SPTPS_REPLAY_FUTURE:
		return FL_SPTPS_ERR_FUTURE;
	default:
		return FL_SPTPS_ERR_REPLAY;
	}
}

/* An authentic encrypted handshake record (KEX, SIG or ACK of a re-key)
 * against replay. They come over the meta graph (TCP) while the datagrams
 * take UDP, and the datagrams move the window: on a loaded link it has
 * passed a re-key's SIG or ACK by more than its span before that arrives,
 * or not reached it yet (far future). tinc drops it there and the re-key
 * stalls until the session restarts (SPTPS.md 6.7); rekey_load saw that
 * in every run. The handshake records get their own rule, stricter than
 * the window: each must come after the last one taken, as the meta graph
 * delivers them, so none is taken twice or out of order. Inside the
 * window it is also marked as seen; outside it the window stays where the
 * datagrams put it. */
static enum fl_sptps_err fl_sptps_handshake_order(struct fl_sptps *s, uint32_t seqno)
{
	if ((uint64_t)seqno < s->hs_in_next)
		return FL_SPTPS_ERR_REPLAY;
	if (fl_sptps_replay_check(&s->replay, seqno) == FL_SPTPS_REPLAY_OK)
		fl_sptps_replay_update(&s->replay, seqno);
	s->hs_in_next = (uint64_t)seqno + 1;
	return FL_SPTPS_OK;
}

static bool fl_sptps_may_try_prev(const struct fl_sptps *s, uint32_t seqno)
{
	return s->prev_valid && seqno < s->prev_below;
}

static enum fl_sptps_err fl_sptps_receive_datagram(struct fl_sptps *s, const uint8_t *data,
						   size_t len)
{
	const uint8_t *pt = NULL;
	uint32_t seqno;
	size_t ct;
	bool prev = false;
	enum fl_sptps_err e;
	int r;

	if (!s->instate)
		return fl_sptps_receive_plain_datagram(s, data, len);
	if (len < FL_SPTPS_DATAGRAM_OVERHEAD)
		return FL_SPTPS_ERR_SHORT;
	ct = len - FL_SPTPS_SEQNO_LEN - FL_SPTPS_TAG_LEN;
	if (ct > FL_SPTPS_CIPHER_MAX)
		return FL_SPTPS_ERR_LONG;
	seqno = fl_sptps_be32(data);
	r = fl_sptps_cipher_open_scratch(s->rxc, s->key_in, seqno, data + 4, ct, data + 4 + ct, &pt);
	if (r > 0 && fl_sptps_may_try_prev(s, seqno)) {
		r = fl_sptps_cipher_open_scratch(s->rxc, s->prev_in, seqno, data + 4, ct,
						 data + 4 + ct, &pt);
		prev = true;
	}
	if (r)
		return r > 0 ? FL_SPTPS_ERR_AUTH : FL_SPTPS_ERR_CRYPTO;
	/* Under the previous key only application records are taken. */
	if (prev && pt[0] >= FL_SPTPS_HANDSHAKE)
		return FL_SPTPS_ERR_AUTH;
	if (pt[0] == FL_SPTPS_HANDSHAKE)
		e = fl_sptps_handshake_order(s, seqno);
	else
		e = fl_sptps_replay_err(fl_sptps_replay_update(&s->replay, seqno));
	if (e != FL_SPTPS_OK)
		return e;
	s->last_in_seqno = seqno;
	return fl_sptps_dispatch(s, pt[0], pt + 1, ct - 1);
}

enum fl_sptps_err fl_sptps_receive(struct fl_sptps *s, const uint8_t *data, size_t len,
				   size_t *consumed)
{
	enum fl_sptps_err e;
	size_t dummy;

	if (!consumed)
		consumed = &dummy;
	*consumed = 0;
	if (!s || (len && !data))
		return FL_SPTPS_ERR_ARG;
	if (s->dead || (s->mode == FL_SPTPS_STREAM && s->rx_dead))
		return FL_SPTPS_ERR_DEAD;
	if (s->state == FL_SPTPS_S_NEW) {
		s->rx_dead = s->mode == FL_SPTPS_STREAM;
		return FL_SPTPS_ERR_STATE;
	}
	if (s->mode == FL_SPTPS_STREAM) {
		e = fl_sptps_receive_stream(s, data, len, consumed);
		if (e != FL_SPTPS_OK)
			s->rx_dead = true;
		return e;
	}
	e = fl_sptps_receive_datagram(s, data, len);
	if (e == FL_SPTPS_OK)
		*consumed = len;
	return e;
}

enum fl_sptps_err fl_sptps_verify_datagram(struct fl_sptps *s, const uint8_t *data,
					   size_t len)
{
	uint32_t seqno;
	size_t ct;
	enum fl_sptps_err e;
	int r;

	if (!s || (len && !data))
		return FL_SPTPS_ERR_ARG;
	if (s->mode != FL_SPTPS_DATAGRAM || !s->instate || s->dead)
		return FL_SPTPS_ERR_STATE;
	if (len < FL_SPTPS_DATAGRAM_OVERHEAD)
		return FL_SPTPS_ERR_SHORT;
	seqno = fl_sptps_be32(data);
	e = fl_sptps_replay_err(fl_sptps_replay_check(&s->replay, seqno));
	if (e != FL_SPTPS_OK)
		return e;
	ct = len - FL_SPTPS_SEQNO_LEN - FL_SPTPS_TAG_LEN;
	if (ct > FL_SPTPS_CIPHER_MAX)
		return FL_SPTPS_ERR_LONG;
	r = fl_sptps_cipher_verify(s->rxc, s->key_in, seqno, data + 4, ct, data + 4 + ct);
	if (r > 0 && fl_sptps_may_try_prev(s, seqno))
		r = fl_sptps_cipher_verify(s->rxc, s->prev_in, seqno, data + 4, ct,
					   data + 4 + ct);
	if (r)
		return r < 0 ? FL_SPTPS_ERR_CRYPTO : FL_SPTPS_ERR_AUTH;
	return FL_SPTPS_OK;
}
