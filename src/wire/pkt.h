/* SPDX-License-Identifier: MIT */
/*
 * pkt.h: the one packet buffer type (DESIGN.md "Buffers") and its pool.
 *
 * A packet lives in a fixed 2 KiB buffer. `data` points somewhere inside
 * it; the bytes before `data` are headroom, so outer headers (the 14-byte
 * internal frame header, SPTPS seqno + type, the 12-byte node-ID prefix)
 * are prepended with fl_pkt_push() without copying the payload, and the
 * 16-byte SPTPS tag is appended into the tailroom.
 *
 * Pools are not thread-safe: one pool per thread. Ownership moves with the
 * pointer; whoever drops a packet calls fl_pkt_free(). Callers of the
 * dataplane/io functions are told in each header whether a function
 * "takes" or "borrows" a packet.
 */
#ifndef FL_WIRE_PKT_H
#define FL_WIRE_PKT_H

#include <stddef.h>
#include <stdint.h>

#define FL_PKT_BUFSIZE 2048u
/* Default headroom: room for frame header (14) + IDs (12) + seqno/type (5),
 * and at least 64 bytes in front of the SPTPS type byte of a packet read
 * from a TUN device (the cipher's block 0 there: fl_sptps_seal_room, so
 * sealing copies nothing), rounded up so the IP header of a freshly read
 * packet is 16-byte aligned. */
#define FL_PKT_HEADROOM 80u

struct fl_pkt_pool;

struct fl_pkt {
	uint8_t *data;            /* first byte of the packet */
	uint32_t len;             /* bytes from data */
	uint32_t meta;            /* free for the holder (e.g. socket index) */
	struct fl_pkt *next;      /* batch link; free-list link inside the pool */
	struct fl_pkt_pool *pool; /* NULL for a stand-alone packet */
	_Alignas(16) uint8_t buf[FL_PKT_BUFSIZE];
};

/* Bytes free in front of data / behind data + len. */
static inline size_t fl_pkt_headroom(const struct fl_pkt *p)
{
	return (size_t)(p->data - p->buf);
}

static inline size_t fl_pkt_tailroom(const struct fl_pkt *p)
{
	return FL_PKT_BUFSIZE - fl_pkt_headroom(p) - p->len;
}

/* Empty the packet and leave `headroom` bytes in front (clamped to the
 * buffer). */
void fl_pkt_reset(struct fl_pkt *p, size_t headroom);

/* Grow the packet at the front by n bytes; returns the new data pointer,
 * or NULL (packet unchanged) if the headroom is too small. */
uint8_t *fl_pkt_push(struct fl_pkt *p, size_t n);

/* Remove n bytes from the front; NULL (unchanged) if len < n. */
uint8_t *fl_pkt_pull(struct fl_pkt *p, size_t n);

/* Grow at the end by n bytes; returns a pointer to the first new byte or
 * NULL if the tailroom is too small. */
uint8_t *fl_pkt_put(struct fl_pkt *p, size_t n);

/* Shorten to len bytes (no-op if already shorter). */
void fl_pkt_trim(struct fl_pkt *p, size_t len);

/* Copy len bytes into an empty packet at the default headroom; -1 if they
 * do not fit. */
int fl_pkt_set(struct fl_pkt *p, const void *src, size_t len);

/* A stand-alone packet from malloc (for tests and rare paths), freed by
 * fl_pkt_free(). NULL on allocation failure. */
struct fl_pkt *fl_pkt_new(void);

/* A pool of `count` packets allocated once. NULL on allocation failure. */
struct fl_pkt_pool *fl_pkt_pool_new(size_t count);
/* Frees the pool; every packet must have been returned. */
void fl_pkt_pool_free(struct fl_pkt_pool *pool);
/* A reset packet, or NULL when the pool is empty (caller drops, counts). */
struct fl_pkt *fl_pkt_alloc(struct fl_pkt_pool *pool);
/* Return a packet to its pool (p may be NULL). Takes p. */
void fl_pkt_free(struct fl_pkt *p);
/* Number of packets currently in the pool. */
size_t fl_pkt_pool_avail(const struct fl_pkt_pool *pool);

#endif
