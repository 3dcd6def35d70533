/* SPDX-License-Identifier: MIT */
/*
 * slaac.c: addresses from Router Advertisements (slaac.h, RFC 4862 §5.5).
 */
#include <string.h>

#include "l2/slaac.h"

void fl_slaac_init(struct fl_slaac *s, const uint8_t mac[static 6], fl_time_t now)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->mac, mac, 6);
	s->rs_left = FL_SLAAC_RS_COUNT;
	s->rs_due = now;
}

void fl_slaac_eui64(const uint8_t prefix[static 16], const uint8_t mac[static 6], uint8_t out[static 16])
{
	memcpy(out, prefix, 8);
	out[8] = mac[0] ^ 0x02;
	out[9] = mac[1];
	out[10] = mac[2];
	out[11] = 0xff;
	out[12] = 0xfe;
	memcpy(out + 13, mac + 3, 3);
}

static struct fl_slaac_addr *slaac_find(struct fl_slaac *s, const uint8_t ip[static 16])
{
	for (size_t i = 0; i < s->n; i++)
		if (!memcmp(s->a[i].ip, ip, 16))
			return &s->a[i];
	return NULL;
}

/* RFC 4862 §5.5.3 (e): a lifetime may be raised at will, but an
 * unauthenticated RA may lower it to no less than two hours, so a forged
 * one cannot take the address away at once. */
static void slaac_refresh(struct fl_slaac_addr *a, uint32_t valid, fl_time_t now)
{
	fl_time_t remaining = a->infinite ? (fl_time_t)-1 : a->valid_until > now ? a->valid_until - now : 0;
	fl_time_t two_h = FL_TIME_S(FL_SLAAC_TWO_HOURS);

	if (valid == FL_SLAAC_INFINITY) {
		a->infinite = true;
		return;
	}
	if ((fl_time_t)FL_TIME_S(valid) > two_h || FL_TIME_S(valid) > remaining) {
		a->infinite = false;
		a->valid_until = now + FL_TIME_S(valid);
	} else if (remaining > two_h) {
		a->infinite = false;
		a->valid_until = now + two_h;
	} /* else: two hours or less left, and the RA may not shorten it */
}

/* One prefix information option; true if it made a change for out. */
static bool slaac_prefix(struct fl_slaac *s, const struct fl_ndp_prefix *p, fl_time_t now,
			 struct fl_slaac_change *out)
{
	struct fl_slaac_addr *a;
	uint8_t ip[16];

	/* (a) autonomous, (b) not link-local, (c) preferred <= valid, and
	 * (d) an interface identifier of 64 bits fills the rest (RFC 4291). */
	if (!p->autonomous || (p->prefix[0] == 0xfe && (p->prefix[1] & 0xc0) == 0x80) ||
	    p->preferred > p->valid || p->plen != 64 || (p->prefix[0] & 0xe0) == 0 || p->prefix[0] == 0xff) {
		s->st.prefixes_ignored++;
		return false;
	}
	fl_slaac_eui64(p->prefix, s->mac, ip);
	if ((a = slaac_find(s, ip))) {
		slaac_refresh(a, p->valid, now);
		s->st.refreshed++;
		return false;
	}
	if (p->valid == 0) /* (d): a new prefix with no lifetime is ignored */
		return false;
	if (s->n == FL_SLAAC_MAX) {
		s->st.full++;
		return false;
	}
	a = &s->a[s->n++];
	memset(a, 0, sizeof(*a));
	memcpy(a->ip, ip, 16);
	a->plen = 64;
	a->infinite = p->valid == FL_SLAAC_INFINITY;
	a->valid_until = a->infinite ? 0 : now + FL_TIME_S(p->valid);
	s->st.added++;
	out->op = FL_SLAAC_ADD;
	memcpy(out->ip, ip, 16);
	out->plen = 64;
	return true;
}

size_t fl_slaac_ra(struct fl_slaac *s, const struct fl_ndp_msg *ra, fl_time_t now,
		   struct fl_slaac_change *out, size_t max)
{
	size_t n = 0;

	if (ra->type != FL_NDP_RA)
		return 0;
	s->st.ras++;
	s->rs_left = 0; /* a router answered: no more solicitations */
	for (size_t i = 0; i < ra->nprefix && i < FL_NDP_PREFIX_MAX && n < max; i++)
		if (slaac_prefix(s, &ra->prefix[i], now, &out[n]))
			n++;
	return n;
}

size_t fl_slaac_tick(struct fl_slaac *s, fl_time_t now, struct fl_slaac_change *out, size_t max)
{
	size_t n = 0;

	for (size_t i = s->n; i-- > 0 && n < max;) {
		struct fl_slaac_addr *a = &s->a[i];
		if (a->infinite || a->valid_until > now)
			continue;
		out[n].op = FL_SLAAC_DEL;
		memcpy(out[n].ip, a->ip, 16);
		out[n].plen = a->plen;
		n++;
		s->st.expired++;
		s->a[i] = s->a[--s->n];
	}
	return n;
}

void fl_slaac_forget(struct fl_slaac *s, const uint8_t ip[static 16])
{
	struct fl_slaac_addr *a = slaac_find(s, ip);

	if (a)
		*a = s->a[--s->n];
}

bool fl_slaac_rs_due(struct fl_slaac *s, fl_time_t now)
{
	if (s->rs_left == 0 || now < s->rs_due)
		return false;
	s->rs_left--;
	s->rs_due = now + FL_SLAAC_RS_INTERVAL;
	s->st.rs_sent++;
	return true;
}
