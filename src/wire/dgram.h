/* SPDX-License-Identifier: MIT */
/*
 * dgram.h: the UDP payload between tinc 1.1 nodes (spec/UDP.md §1.2):
 *
 *   DSTID(6) ‖ SRCID(6) ‖ SPTPS datagram (seqno 4, enc. type+body, tag 16)
 *
 * DSTID is all zero when the originator sends straight to the destination.
 * Called by the dataplane on every UDP datagram read and sent. Pure.
 */
#ifndef FL_WIRE_DGRAM_H
#define FL_WIRE_DGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/pkt.h"
#include "wire/wire_err.h"

#define FL_NODE_ID_LEN 6u
#define FL_DGRAM_PREFIX_LEN 12u          /* DSTID + SRCID */
#define FL_SPTPS_DGRAM_OVERHEAD 21u       /* seqno 4 + type 1 + tag 16 */
#define FL_SPTPS_DGRAM_HEAD 5u            /* seqno 4 + type 1 */
#define FL_DGRAM_TAG_LEN 16u
#define FL_UDP_MIN_PAYLOAD 33u            /* prefix + empty record */
#define FL_MTU 1518u                      /* largest internal frame */
#define FL_MINMTU 512u
#define FL_MAXSIZE 1673u                  /* receive buffer per datagram */
#define FL_ETH_HLEN 14u                   /* internal frame header */

_Static_assert(FL_UDP_MIN_PAYLOAD == FL_DGRAM_PREFIX_LEN + FL_SPTPS_DGRAM_OVERHEAD,
	       "UDP.md §3.2: minimum payload is prefix + empty SPTPS record");
_Static_assert(FL_PKT_HEADROOM >= FL_ETH_HLEN + FL_DGRAM_PREFIX_LEN + FL_SPTPS_DGRAM_HEAD,
	       "headroom must hold every outer header");
_Static_assert(FL_PKT_BUFSIZE >= FL_PKT_HEADROOM + FL_MAXSIZE + FL_DGRAM_TAG_LEN,
	       "buffer must hold headroom + the largest datagram + a tag");

/* A parsed UDP payload with prefix; pointers borrow the input buffer. */
struct fl_dgram {
	const uint8_t *dstid;   /* 6 bytes */
	const uint8_t *srcid;   /* 6 bytes */
	const uint8_t *rec;     /* the SPTPS datagram */
	size_t rec_len;         /* >= FL_SPTPS_DGRAM_OVERHEAD */
	bool direct;            /* DSTID all zero */
};

bool fl_node_id_is_zero(const uint8_t id[static FL_NODE_ID_LEN]);

/* Split a UDP payload that carries the 12-byte prefix. Payloads shorter
 * than 33 bytes (FL_WIRE_SHORT) or longer than FL_MAXSIZE (FL_WIRE_TOO_LONG)
 * are rejected; `out` is cleared first. */
enum fl_wire_err fl_dgram_parse(const uint8_t *buf, size_t len, struct fl_dgram *out);

/* Prepend DSTID ‖ SRCID to a packet holding an SPTPS datagram. dstid NULL
 * means direct (zero DSTID). FL_WIRE_NO_ROOM without headroom. */
enum fl_wire_err fl_dgram_push_prefix(struct fl_pkt *p, const uint8_t *dstid,
				      const uint8_t srcid[static FL_NODE_ID_LEN]);

/* Seqno of an SPTPS datagram (first 4 bytes, big endian); rec_len >= 4. */
uint32_t fl_dgram_seqno(const uint8_t *rec);

#endif
