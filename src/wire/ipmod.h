/* SPDX-License-Identifier: MIT */
/*
 * ipmod.h: the three in-flight changes the router may make to a frame
 * (spec/GRAPH.md §6.7–§6.9): TTL / hop-limit decrement, IPv4
 * fragmentation, and TCP MSS clamping. Each follows tinc's behaviour,
 * including its quirks, so that packets look the same whichever daemon
 * forwards them. Pure; implemented in ttl.c, frag.c and mss.c.
 */
#ifndef FL_WIRE_IPMOD_H
#define FL_WIRE_IPMOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/wire_err.h"

enum fl_ttl_result {
	FL_TTL_OK,              /* decremented (or not IP: unchanged) */
	FL_TTL_EXPIRED_ICMP,    /* drop and answer "time exceeded" */
	FL_TTL_EXPIRED_SILENT,  /* drop without an answer */
	FL_TTL_SHORT,           /* frame too short for its IP header: drop */
};

/* Decrement TTL (IPv4, incremental checksum) or hop limit (IPv6) of a frame
 * with an optional single 802.1Q tag (GRAPH.md §6.7). Expired IPv4 packets
 * are answered unless the bytes at IP offsets 11 and 32 are 1 and 11 (tinc
 * compares those offsets; out-of-frame bytes count as different). Expired
 * frames with a VLAN tag are dropped silently (the ICMP builders assume a
 * 14-byte header). */
enum fl_ttl_result fl_ttl_decrement(uint8_t *frame, size_t len);

/* Called once per fragment; frag borrows a scratch buffer. */
typedef void fl_frag_emit_fn(void *ctx, const uint8_t *frag, size_t len);

/* Split an IPv4 frame (14-byte header, IHL 5, total length matching the
 * frame) into fragments of at most max(mtu, 590) frame bytes, payload a
 * multiple of 8 (GRAPH.md §6.8). FL_WIRE_CANNOT_FRAG otherwise. */
enum fl_wire_err fl_frag4(const uint8_t *frame, size_t len, uint16_t mtu,
			  fl_frag_emit_fn *emit, void *ctx);

/* Lower the MSS option of a TCP SYN-style segment to mtu - (TCP header
 * offset) - 20, updating the TCP checksum (GRAPH.md §6.9). Returns true if
 * the frame was changed. */
bool fl_mss_clamp(uint8_t *frame, size_t len, uint16_t mtu);

#endif
