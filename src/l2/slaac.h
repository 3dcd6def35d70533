/* SPDX-License-Identifier: MIT */
/*
 * slaac.h: IPv6 Stateless Address Autoconfiguration (RFC 4862) for the
 * TAP router's `lan` interfaces (`Address = slaac`): Router Solicitations
 * at start (RFC 4861 §6.3.7), and from each Router Advertisement's prefix
 * information options (parsed by ndp.c) our addresses, the prefix + the
 * modified EUI-64 of our MAC (RFC 4291 §2.5.1, App. A), their valid
 * lifetimes kept as RFC 4862 §5.5.3 says (the two-hour rule), and their
 * expiry. DAD and the unsolicited NA are ndp.c's, on the address the
 * caller adds.
 *
 * Pure: no I/O, time passed in; changes come back as a list for the
 * caller to apply. Callers: the daemon (fld_lan_l2.c),
 * tests/l2/test_slaac.c, fuzz/l2/fuzz_slaac.c.
 */
#ifndef FL_L2_SLAAC_H
#define FL_L2_SLAAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2/ndp.h"
#include "wire/fl_time.h"

#define FL_SLAAC_MAX 4u		/* addresses from RAs at once (more prefixes are counted, ignored) */
#define FL_SLAAC_RS_COUNT 3u	/* MAX_RTR_SOLICITATIONS (RFC 4861 §10) */
#define FL_SLAAC_RS_INTERVAL FL_TIME_S(4)	/* RTR_SOLICITATION_INTERVAL */
#define FL_SLAAC_TWO_HOURS 7200u
#define FL_SLAAC_INFINITY 0xffffffffu

struct fl_slaac_addr {
	uint8_t ip[16];
	uint8_t plen;		/* 64 */
	bool infinite;		/* valid lifetime 0xffffffff */
	fl_time_t valid_until;
};

struct fl_slaac_stats {
	uint64_t ras;		/* RAs given */
	uint64_t prefixes_ignored;	/* no A flag, link-local, preferred > valid, not /64 */
	uint64_t added, refreshed, expired;
	uint64_t full;		/* a new prefix with every slot taken */
	uint64_t rs_sent;
};

struct fl_slaac {
	uint8_t mac[6];
	struct fl_slaac_addr a[FL_SLAAC_MAX];
	size_t n;
	unsigned rs_left;	/* solicitations still to send */
	fl_time_t rs_due;
	struct fl_slaac_stats st;
};

enum fl_slaac_op {
	FL_SLAAC_ADD = 1,	/* a new address: add it (with DAD) */
	FL_SLAAC_DEL,		/* its valid lifetime ran out: remove it */
};

struct fl_slaac_change {
	enum fl_slaac_op op;
	uint8_t ip[16];
	uint8_t plen;
};

/* Cleared, for our MAC; the first RS is due at now. */
void fl_slaac_init(struct fl_slaac *s, const uint8_t mac[static 6], fl_time_t now);

/* prefix's first 64 bits and the modified EUI-64 of mac (U/L bit
 * flipped, ff:fe in the middle). */
void fl_slaac_eui64(const uint8_t prefix[static 16], const uint8_t mac[static 6], uint8_t out[static 16]);

/* A valid RA (fl_ndp_parse's FL_NDP_RA message) at now: its prefixes
 * applied; up to max changes written to out, their number returned.
 * A message of another type changes nothing. */
size_t fl_slaac_ra(struct fl_slaac *s, const struct fl_ndp_msg *ra, fl_time_t now,
		   struct fl_slaac_change *out, size_t max);

/* Expired addresses removed from s and written to out (up to max). */
size_t fl_slaac_tick(struct fl_slaac *s, fl_time_t now, struct fl_slaac_change *out, size_t max);

/* The caller could not take an address it was given (no room): forget
 * it, so the next RA announcing its prefix offers it again. */
void fl_slaac_forget(struct fl_slaac *s, const uint8_t ip[static 16]);

/* true if an RS is to be sent now (then the next is scheduled). */
bool fl_slaac_rs_due(struct fl_slaac *s, fl_time_t now);

#endif
