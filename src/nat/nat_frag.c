/* SPDX-License-Identifier: MIT */
/* nat_frag.c: fragments. Only the first fragment of a datagram carries the
 * ports, so nat_xlate.c translates it like any packet and records here how
 * its addresses changed, keyed by (direction, source, destination, protocol,
 * IP id); later fragments look that up and get the same addresses. A later
 * fragment that arrives before its first is dropped (counted).
 *
 * The cache is set associative (4 ways), bounded by max_frags: a new train
 * takes an empty or expired way, else evicts the oldest (counted).
 */
#include "nat/nat_csum.h"
#include "nat/nat_internal.h"

static struct nat_frag *frag_set(struct nat *n, int dir, uint32_t src, uint32_t dst,
                                 uint16_t ipid, uint8_t proto)
{
	uint64_t k = ((uint64_t)src << 32) ^ dst ^ ((uint64_t)ipid << 8) ^ ((uint64_t)proto << 40) ^
	             ((uint64_t)dir << 60);
	uint32_t set = nat_hash64(k, n->seed_frag) & n->frag_mask;
	return &n->frag[(size_t)set * NAT_FRAG_WAYS];
}

static bool frag_match(const struct nat_frag *f, int dir, uint32_t src, uint32_t dst,
                       uint16_t ipid, uint8_t proto)
{
	return f->dir == dir && f->src == src && f->dst == dst && f->ipid == ipid && f->proto == proto;
}

/* Records a first fragment: orig_ip is a copy of its IP header before
 * translation, new_ip the translated header. */
void nat_frag_note(struct nat *n, int dir, const uint8_t *orig_ip, const uint8_t *new_ip, uint32_t now)
{
	uint32_t src = nat_rd32(orig_ip + 12), dst = nat_rd32(orig_ip + 16);
	uint16_t ipid = nat_rd16(orig_ip + 4);
	uint8_t proto = orig_ip[9];
	struct nat_frag *set = frag_set(n, dir, src, dst, ipid, proto);
	struct nat_frag *victim = &set[0];

	for (int w = 0; w < NAT_FRAG_WAYS; w++) {
		struct nat_frag *f = &set[w];
		if (frag_match(f, dir, src, dst, ipid, proto) || f->dir == 0 ||
		    (int32_t)(f->expire - now) <= 0) {
			victim = f;
			goto fill;
		}
		if ((int32_t)(f->expire - victim->expire) < 0)
			victim = f;
	}
	n->st.frag_evicted++;
fill:
	victim->src = src;
	victim->dst = dst;
	victim->ipid = ipid;
	victim->proto = proto;
	victim->dir = (uint8_t)dir;
	victim->new_src = nat_rd32(new_ip + 12);
	victim->new_dst = nat_rd32(new_ip + 16);
	victim->expire = now + n->cfg.frag_timeout;
}

/* Translates a later fragment (offset > 0) of a known train. */
enum nat_verdict nat_frag_follow(struct nat *n, int dir, uint8_t *ip, uint32_t now)
{
	uint32_t src = nat_rd32(ip + 12), dst = nat_rd32(ip + 16);
	uint16_t ipid = nat_rd16(ip + 4);
	uint8_t proto = ip[9];
	struct nat_frag *set = frag_set(n, dir, src, dst, ipid, proto);

	for (int w = 0; w < NAT_FRAG_WAYS; w++) {
		struct nat_frag *f = &set[w];
		if (!frag_match(f, dir, src, dst, ipid, proto) || (int32_t)(f->expire - now) <= 0)
			continue;
		uint32_t delta = 0;
		nat_set32(ip + 12, f->new_src, &delta);
		nat_set32(ip + 16, f->new_dst, &delta);
		nat_csum_patch(ip + 10, delta);
		return dir == 1 && f->new_dst != dst ? NAT_HAIRPIN : NAT_TRANSLATED;
	}
	return NAT_DROP_FRAG_UNKNOWN;
}
