/* SPDX-License-Identifier: MIT */
/*
 * The SPTPS session structure, shared by sptps.c (life cycle, sending,
 * queries), sptps_handshake.c (KEX/SIG/ACK) and sptps_receive.c (stream
 * and datagram receive). Not for use outside src/crypto.
 */
#ifndef FL_CRYPTO_SPTPS_INTERNAL_H
#define FL_CRYPTO_SPTPS_INTERNAL_H

#include "crypto/sptps.h"

#define FL_SPTPS_KEX_LEN 65
#define FL_SPTPS_SIG_LEN 64
#define FL_SPTPS_MATERIAL_LEN 128
#define FL_SPTPS_VERSION 0
/* Plaintext records are only KEX and SIG: header + TYPE + 65 bytes. */
#define FL_SPTPS_PLAIN_MAX (4 + 1 + FL_SPTPS_KEX_LEN)
#define FL_SPTPS_RXBUF_MIN 2048

/* Handshake states (SPTPS.md §6.2). */
enum fl_sptps_state {
	FL_SPTPS_S_NEW = 0,	  /* not started */
	FL_SPTPS_S_KEX,		  /* own KEX sent, waiting for the peer's */
	FL_SPTPS_S_SECONDARY_KEX, /* keyed and idle */
	FL_SPTPS_S_SIG,		  /* both KEXes known, waiting for the peer's SIG */
	FL_SPTPS_S_ACK,		  /* re-key: new keys ready, waiting for the peer's ACK */
};

struct fl_sptps {
	enum fl_sptps_mode mode;
	bool initiator;
	enum fl_sptps_state state;
	bool outstate, instate; /* outgoing / incoming keys installed */
	bool rx_dead;		/* stream: a receive failed, nothing more is read */
	bool dead;		/* handshake deadline passed */
	bool deadline_armed;
	uint64_t deadline, rekey_timeout;

	const struct fl_sptps_callbacks *cb;
	void *ctx;

	struct fl_ed25519_key own;
	uint8_t peer_pub[FL_ED25519_PUBLIC_LEN];
	uint8_t label[FL_SPTPS_MAX_LABEL];
	size_t label_len;

	/* Handshake in progress. */
	uint8_t mykex[FL_SPTPS_KEX_LEN], hiskex[FL_SPTPS_KEX_LEN];
	bool have_mykex, have_hiskex;
	uint8_t eph_scalar[32];
	uint8_t material[FL_SPTPS_MATERIAL_LEN]; /* kept until the peer's ACK */

	/* Record keys: the ChaCha20 halves of the direction keys. */
	uint8_t key_out[FL_SPTPS_KEY_LEN], key_in[FL_SPTPS_KEY_LEN];
	uint8_t prev_in[FL_SPTPS_KEY_LEN];
	bool prev_valid;
	uint32_t prev_below;
	uint32_t epoch;

	uint64_t outseqno;	  /* next outgoing; 2^32 = exhausted */
	uint32_t stream_inseqno;  /* stream: implicit incoming seqno */
	uint32_t last_in_seqno;	  /* datagram: seqno of the record being handled */
	uint64_t hs_in_next;	  /* datagram: lowest seqno the next handshake record may have */
	struct fl_sptps_replay replay; /* datagram: inseqno lives here */

	/* Separate contexts, so a deliver callback may send while the record
	 * it was given still sits in rxc's scratch. */
	struct fl_sptps_cipher *txc, *rxc;
	uint8_t plain[FL_SPTPS_PLAIN_MAX]; /* plaintext handshake record being sent */
	/* Stream: a record that arrived in pieces; grows to the largest such
	 * record (records that arrive whole are opened from the input). */
	uint8_t *rxbuf;
	size_t rxlen, rxcap;
	size_t rx_limit; /* stream: largest body accepted; 0 = no limit */
};

/* sptps.c */
enum fl_sptps_err fl_sptps_send_record(struct fl_sptps *s, uint8_t type, const uint8_t *body,
				       size_t len);
/* sptps_handshake.c */
enum fl_sptps_err fl_sptps_send_kex(struct fl_sptps *s);
enum fl_sptps_err fl_sptps_handshake(struct fl_sptps *s, const uint8_t *body, size_t len);
void fl_sptps_handshake_wipe(struct fl_sptps *s);
/* sptps_receive.c: deliver one authenticated record by TYPE. */
enum fl_sptps_err fl_sptps_dispatch(struct fl_sptps *s, uint8_t type, const uint8_t *body,
				    size_t len);

#endif
