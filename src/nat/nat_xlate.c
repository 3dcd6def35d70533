/* SPDX-License-Identifier: MIT */
/* nat_xlate.c: nat_out() and nat_in(), the per-packet entry points called
 * by the dataplane. Parses the IPv4 header and the TCP/UDP/UDP-Lite ports or
 * ICMP query id, finds or creates the mapping, tracks TCP state, applies the
 * filter, rewrites the packet and patches the checksums. ICMP errors go to
 * nat_icmperr.c, later fragments to nat_frag.c.
 */
#include <arpa/inet.h>
#include <string.h>

#include "nat/nat_csum.h"
#include "nat/nat_internal.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

#define DIR_OUT 1
#define DIR_IN 2

struct pkt {
	uint8_t *ip;
	uint8_t *l4;
	size_t l4len;
	uint8_t proto;
	bool frag_later; /* fragment offset > 0: no transport header */
	bool frag_first; /* offset 0, more fragments follow */
	bool has_hash;   /* a batch already hashed the lookup key */
	uint32_t hash;
};

static enum nat_verdict parse_ip(uint8_t *b, size_t len, struct pkt *p)
{
	if (len < 20)
		return NAT_DROP_TRUNCATED;
	size_t ihl = (size_t)(b[0] & 15) * 4;
	size_t tot = ntohs(nat_rd16(b + 2));
	if (b[0] >> 4 != 4 || ihl < 20 || tot < ihl)
		return NAT_DROP_BAD_IP;
	if (tot > len)
		return NAT_DROP_TRUNCATED;
	uint16_t frag = ntohs(nat_rd16(b + 6));
	p->ip = b;
	p->l4 = b + ihl;
	p->l4len = tot - ihl;
	p->proto = b[9];
	p->frag_later = (frag & 0x1fff) != 0;
	p->frag_first = !p->frag_later && (frag & 0x2000);
	return NAT_TRANSLATED;
}

/* Checks the transport header of an unfragmented packet or first fragment.
 * A first fragment too short for its header is a "tiny fragment". */
static enum nat_verdict parse_l4(const struct pkt *p)
{
	enum nat_verdict short_v = p->frag_first ? NAT_DROP_BAD_L4 : NAT_DROP_TRUNCATED;
	switch (p->proto) {
	case NAT_PROTO_TCP:
		if (p->l4len < 20)
			return short_v;
		if (p->l4[12] >> 4 < 5)
			return NAT_DROP_BAD_L4;
		return (size_t)(p->l4[12] >> 4) * 4 > p->l4len ? short_v : NAT_TRANSLATED;
	case NAT_PROTO_UDP: {
		if (p->l4len < 8)
			return short_v;
		size_t ulen = ntohs(nat_rd16(p->l4 + 4));
		if (p->frag_first ? ulen < p->l4len : ulen != p->l4len)
			return NAT_DROP_BAD_L4;
		return NAT_TRANSLATED;
	}
	case NAT_PROTO_UDPLITE:
	case NAT_PROTO_ICMP:
		return p->l4len < 8 ? short_v : NAT_TRANSLATED;
	default:
		return NAT_DROP_PROTO;
	}
}

/* Tracks TCP state (RFC 5382); re-files the mapping if its timeout shrank. */
static void tcp_track(struct nat *n, struct nat_map *m, uint8_t flags, int dir, uint32_t now)
{
	uint8_t before = m->tcp;
	bool closed = (m->tcp & NAT_TCP_RST) ||
	              (m->tcp & (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN)) == (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN);
	/* A fresh SYN on a closed mapping starts a new connection. */
	if (closed && (flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN)
		m->tcp = 0;
	if (flags & TCP_SYN)
		m->tcp |= dir == DIR_OUT ? NAT_TCP_SYN_OUT : NAT_TCP_SYN_IN;
	if (flags & TCP_FIN)
		m->tcp |= dir == DIR_OUT ? NAT_TCP_FIN_OUT : NAT_TCP_FIN_IN;
	if (flags & TCP_RST)
		m->tcp |= NAT_TCP_RST;
	m->expire = now + nat_map_timeout(n, m);
	if (m->tcp != before)
		nat_table_refile(n, (uint32_t)(m - n->map));
}

/* Patches the transport checksum after address (pseudo-header) and port
 * changes. UDP checksum 0 means "none" and stays 0. */
static void l4_patch(const struct pkt *p, uint32_t delta)
{
	switch (p->proto) {
	case NAT_PROTO_TCP:
		nat_csum_patch(p->l4 + 16, delta);
		break;
	case NAT_PROTO_UDP:
		if (nat_rd16(p->l4 + 6) != 0)
			nat_csum_patch_udp(p->l4 + 6, delta);
		break;
	case NAT_PROTO_UDPLITE:
		nat_csum_patch_udp(p->l4 + 6, delta);
		break;
	}
}

static void refresh(const struct nat *n, struct nat_map *m, uint32_t now)
{
	m->expire = now + nat_map_timeout(n, m);
}

/* An inbound packet to a forwarded port with no mapping: a TCP SYN or any
 * UDP packet opens one to the forward's internal endpoint. A failure to
 * create it (limits) is reported as no mapping, like any stray packet. */
static uint32_t in_forward(struct nat *n, const struct pkt *p, uint8_t di, uint16_t dport, uint32_t now,
                           enum nat_verdict *v)
{
	const struct nat_fwd *f = nat_fwd_by_ext(n, p->proto, dport);
	*v = NAT_NO_MAPPING;
	if (!f)
		return NAT_NIL;
	if (p->proto == NAT_PROTO_TCP && (p->l4[13] & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return NAT_NIL;
	return nat_table_create_at(n, p->proto, f->int_addr, f->int_port, di, dport, now, v);
}

/* Outbound TCP/UDP/UDP-Lite; hairpins packets sent to our own mappings. */
static enum nat_verdict out_l4(struct nat *n, const struct pkt *p, uint32_t now)
{
	uint8_t *ip = p->ip, *l4 = p->l4;
	uint32_t src = nat_rd32(ip + 12), dst = nat_rd32(ip + 16);
	uint16_t sport = nat_rd16(l4), dport = nat_rd16(l4 + 2);
	uint8_t flags = p->proto == NAT_PROTO_TCP ? l4[13] : 0;
	enum nat_verdict v = NAT_TRANSLATED;

	uint32_t mi = p->has_hash ? nat_find_int(n, p->proto, src, sport, p->hash)
	                          : nat_lookup_int(n, p->proto, src, sport);
	if (mi == NAT_NIL) {
		if (p->proto == NAT_PROTO_TCP && (flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
			return NAT_DROP_TCP_NO_SYN;
		mi = nat_table_create(n, p->proto, src, sport, now, &v);
		if (mi == NAT_NIL)
			return v;
	}
	struct nat_map *m = &n->map[mi], *d = NULL;
	uint32_t ext = n->cfg.ext_addr[m->ext_idx];

	int di = nat_ext_index(n, dst);
	if (di >= 0) { /* hairpinning, RFC 4787 REQ-9 / RFC 5382 REQ-8 */
		uint32_t dmi = nat_lookup_ext(n, p->proto, (uint8_t)di, dport);
		if (dmi == NAT_NIL && n->n_fwd) /* a LAN host using a forward */
			dmi = in_forward(n, p, (uint8_t)di, dport, now, &v);
		if (dmi == NAT_NIL)
			return v == NAT_TRANSLATED ? NAT_NO_MAPPING : v;
		d = &n->map[dmi];
		if (!nat_admits(n, d, ext, m->ext_port))
			return NAT_DROP_FILTERED;
		v = NAT_HAIRPIN;
	}
	nat_filter_note(n, m, dst, dport);
	if (p->proto == NAT_PROTO_TCP)
		tcp_track(n, m, flags, DIR_OUT, now);
	else
		refresh(n, m, now);

	uint32_t d_addr = 0, d_port = 0;
	nat_set32(ip + 12, ext, &d_addr);
	nat_set16(l4, m->ext_port, &d_port);
	if (d) {
		if (p->proto == NAT_PROTO_TCP)
			tcp_track(n, d, flags, DIR_IN, now);
		else if (n->cfg.inbound_refresh)
			refresh(n, d, now);
		nat_set32(ip + 16, d->int_addr, &d_addr);
		nat_set16(l4 + 2, d->int_port, &d_port);
	}
	nat_csum_patch(ip + 10, d_addr);
	l4_patch(p, d_addr + d_port);
	return v;
}

static enum nat_verdict in_l4(struct nat *n, const struct pkt *p, uint8_t di, uint32_t now)
{
	uint8_t *ip = p->ip, *l4 = p->l4;
	uint32_t src = nat_rd32(ip + 12);
	uint16_t sport = nat_rd16(l4), dport = nat_rd16(l4 + 2);

	uint32_t mi = p->has_hash ? nat_find_ext(n, p->proto, di, dport, p->hash)
	                          : nat_lookup_ext(n, p->proto, di, dport);
	enum nat_verdict v = NAT_NO_MAPPING;
	if (mi == NAT_NIL && n->n_fwd)
		mi = in_forward(n, p, di, dport, now, &v);
	if (mi == NAT_NIL)
		return v;
	struct nat_map *m = &n->map[mi];
	if (!nat_admits(n, m, src, sport))
		return NAT_DROP_FILTERED;
	if (p->proto == NAT_PROTO_TCP)
		tcp_track(n, m, l4[13], DIR_IN, now);
	else if (n->cfg.inbound_refresh) {
		refresh(n, m, now);
	}
	uint32_t d_addr = 0, d_port = 0;
	nat_set32(ip + 16, m->int_addr, &d_addr);
	nat_set16(l4 + 2, m->int_port, &d_port);
	nat_csum_patch(ip + 10, d_addr);
	l4_patch(p, d_addr + d_port);
	return NAT_TRANSLATED;
}

static bool icmp_is_error(uint8_t type)
{
	return type == 3 || type == 11 || type == 12;
}

/* Outbound ICMP: echo and timestamp requests map their identifier (RFC
 * 5508 section 3); errors carry a packet of ours (section 4). */
static enum nat_verdict out_icmp(struct nat *n, const struct pkt *p, uint32_t now)
{
	uint8_t *ip = p->ip, *icmp = p->l4;
	uint8_t type = icmp[0];
	if (icmp_is_error(type))
		return nat_icmperr_out(n, ip, icmp, p->l4len, now);
	if (type != 8 && type != 13)
		return NAT_DROP_ICMP_TYPE;
	uint32_t src = nat_rd32(ip + 12), dst = nat_rd32(ip + 16);
	uint16_t id = nat_rd16(icmp + 4);
	if (nat_ext_index(n, dst) >= 0)
		return NAT_NO_MAPPING; /* a query to our own address: the caller's */
	uint32_t mi = p->has_hash ? nat_find_int(n, NAT_PROTO_ICMP, src, id, p->hash)
	                          : nat_lookup_int(n, NAT_PROTO_ICMP, src, id);
	if (mi == NAT_NIL) {
		enum nat_verdict v;
		mi = nat_table_create(n, NAT_PROTO_ICMP, src, id, now, &v);
		if (mi == NAT_NIL)
			return v;
	}
	struct nat_map *m = &n->map[mi];
	nat_filter_note(n, m, dst, 0);
	refresh(n, m, now);
	uint32_t d_addr = 0, d_id = 0;
	nat_set32(ip + 12, n->cfg.ext_addr[m->ext_idx], &d_addr);
	nat_set16(icmp + 4, m->ext_port, &d_id);
	nat_csum_patch(ip + 10, d_addr);
	nat_csum_patch(icmp + 2, d_id);
	return NAT_TRANSLATED;
}

static enum nat_verdict in_icmp(struct nat *n, const struct pkt *p, uint8_t di, uint32_t now)
{
	uint8_t *ip = p->ip, *icmp = p->l4;
	uint8_t type = icmp[0];
	if (icmp_is_error(type))
		return nat_icmperr_in(n, ip, icmp, p->l4len, now);
	if (type == 8 || type == 13)
		return NAT_NO_MAPPING; /* a query to our own address: the caller's */
	if (type != 0 && type != 14)
		return NAT_DROP_ICMP_TYPE;
	uint16_t id = nat_rd16(icmp + 4);
	uint32_t mi = p->has_hash ? nat_find_ext(n, NAT_PROTO_ICMP, di, id, p->hash)
	                          : nat_lookup_ext(n, NAT_PROTO_ICMP, di, id);
	if (mi == NAT_NIL)
		return NAT_NO_MAPPING;
	struct nat_map *m = &n->map[mi];
	if (!nat_filter_admits(n, m, nat_rd32(ip + 12), 0))
		return NAT_DROP_FILTERED;
	if (n->cfg.inbound_refresh)
		refresh(n, m, now);
	uint32_t d_addr = 0, d_id = 0;
	nat_set32(ip + 16, m->int_addr, &d_addr);
	nat_set16(icmp + 4, m->int_port, &d_id);
	nat_csum_patch(ip + 10, d_addr);
	nat_csum_patch(icmp + 2, d_id);
	return NAT_TRANSLATED;
}

/* `hash`, if not NULL, is the lookup key's hash computed by a batch stage
 * from the same header bytes (see pf_slot). */
static enum nat_verdict translate(struct nat *n, uint8_t *b, size_t len, uint32_t now, int dir,
                                  const uint32_t *hash)
{
	struct pkt p;
	uint8_t orig[20];
	int di = 0;

	nat_table_poll(n, now);
	enum nat_verdict v = parse_ip(b, len, &p);
	if (v != NAT_TRANSLATED)
		return v;
	if (dir == DIR_IN && (di = nat_ext_index(n, nat_rd32(b + 16))) < 0)
		return NAT_NOT_OURS;
	if (p.frag_later)
		return nat_frag_follow(n, dir, b, now);
	if ((v = parse_l4(&p)) != NAT_TRANSLATED)
		return v;
	p.has_hash = hash != NULL;
	p.hash = hash ? *hash : 0;
	if (p.frag_first)
		memcpy(orig, b, sizeof(orig));
	if (p.proto == NAT_PROTO_ICMP)
		v = dir == DIR_OUT ? out_icmp(n, &p, now) : in_icmp(n, &p, (uint8_t)di, now);
	else
		v = dir == DIR_OUT ? out_l4(n, &p, now) : in_l4(n, &p, (uint8_t)di, now);
	if (p.frag_first && (v == NAT_TRANSLATED || v == NAT_HAIRPIN))
		nat_frag_note(n, dir, orig, b, now);
	return v;
}

enum nat_verdict nat_out(struct nat *n, uint8_t *pkt, size_t len, fl_time_t now)
{
	enum nat_verdict v = translate(n, pkt, len, nat_sec(now), DIR_OUT, NULL);
	n->st.verdict[v]++;
	return v;
}

enum nat_verdict nat_in(struct nat *n, uint8_t *pkt, size_t len, fl_time_t now)
{
	enum nat_verdict v = translate(n, pkt, len, nat_sec(now), DIR_IN, NULL);
	n->st.verdict[v]++;
	return v;
}

/* Batches are software pipelined in chunks: while chunk c is translated,
 * the mappings of chunk c + 1 and the index slots of chunk c + 2 are being
 * fetched, so lookups rarely wait for memory once the tables outgrow the
 * caches. Only the key is read ahead, and only if the header is long
 * enough; translate() checks everything as usual. */
#define PF_CHUNK 32

/* Stage 1: hashes the packet's key and prefetches its home index slot.
 * Returns the hash, and the index table in *t (NULL: nothing to fetch). */
static uint32_t pf_slot(const struct nat *n, const uint8_t *b, size_t len, int dir,
                        const nat_islot **t)
{
	*t = NULL;
	if (len < 28)
		return 0;
	size_t ihl = (size_t)(b[0] & 15) * 4;
	if (ihl < 20 || ihl + 8 > len)
		return 0;
	uint8_t proto = b[9];
	const uint8_t *l4 = b + ihl;
	uint16_t port;
	if (proto == NAT_PROTO_ICMP)
		port = nat_rd16(l4 + 4);
	else if (proto == NAT_PROTO_TCP || proto == NAT_PROTO_UDP || proto == NAT_PROTO_UDPLITE)
		port = nat_rd16(l4 + (dir == DIR_OUT ? 0 : 2));
	else
		return 0;
	uint32_t h;
	if (dir == DIR_OUT) {
		h = nat_hash64(nat_key_int(proto, nat_rd32(b + 12), port), n->seed_int);
		*t = n->int_idx;
	} else {
		int di = nat_ext_index(n, nat_rd32(b + 16));
		if (di < 0)
			return 0;
		h = nat_hash64(nat_key_ext(proto, (uint8_t)di, port), n->seed_ext);
		*t = n->ext_idx;
	}
	__builtin_prefetch(&(*t)[nat_range(h, n->idx_cap)]);
	return h;
}

/* Stage 2: finds the first slot with the packet's hash tag (a few probes,
 * in the line fetched by stage 1) and fetches that mapping. */
static void pf_map(const struct nat *n, const nat_islot *t, uint32_t h)
{
	if (!t)
		return;
	uint32_t i = nat_range(h, n->idx_cap), tag = nat_slot_tag(h);
	for (int k = 0; k < 8; k++) {
		nat_islot s = t[i];
		if (s == 0)
			return;
		if ((s & ~NAT_SLOT_IDX) == tag) {
			/* A load, not a prefetch: measured on the target machine, the
			 * mapping prefetches issued behind the slot prefetches were
			 * mostly lost, while a chunk of independent loads overlaps fine. */
			(void)*(volatile const uint32_t *)&n->map[(s & NAT_SLOT_IDX) - 1];
			return;
		}
		if (++i == n->idx_cap)
			i = 0;
	}
}

struct pf {
	uint32_t hash;
	const nat_islot *table;
};

static void pf_slots(const struct nat *n, uint8_t *const pkt[], const size_t len[], size_t count,
                     size_t chunk, struct pf pf[PF_CHUNK], int dir)
{
	for (size_t i = 0, b = chunk * PF_CHUNK; i < PF_CHUNK && b + i < count; i++)
		pf[i].hash = pf_slot(n, pkt[b + i], len[b + i], dir, &pf[i].table);
}

static void pf_maps(const struct nat *n, size_t count, size_t chunk, const struct pf pf[PF_CHUNK])
{
	for (size_t i = 0, b = chunk * PF_CHUNK; i < PF_CHUNK && b + i < count; i++)
		pf_map(n, pf[i].table, pf[i].hash);
}

static void batch(struct nat *n, uint8_t *const pkt[], const size_t len[], size_t count,
                  uint32_t now, enum nat_verdict v[], int dir)
{
	struct pf pf[3][PF_CHUNK];
	size_t chunks = (count + PF_CHUNK - 1) / PF_CHUNK;

	if (!n->prefetch) { /* the tables are cached anyway */
		for (size_t i = 0; i < count; i++) {
			v[i] = translate(n, pkt[i], len[i], now, dir, NULL);
			n->st.verdict[v[i]]++;
		}
		return;
	}
	pf_slots(n, pkt, len, count, 0, pf[0], dir);
	if (chunks > 1)
		pf_slots(n, pkt, len, count, 1, pf[1], dir);
	pf_maps(n, count, 0, pf[0]);
	for (size_t c = 0; c < chunks; c++) {
		if (c + 2 < chunks)
			pf_slots(n, pkt, len, count, c + 2, pf[(c + 2) % 3], dir);
		if (c + 1 < chunks)
			pf_maps(n, count, c + 1, pf[(c + 1) % 3]);
		const struct pf *f = pf[c % 3];
		for (size_t i = c * PF_CHUNK; i < count && i < (c + 1) * PF_CHUNK; i++, f++) {
			v[i] = translate(n, pkt[i], len[i], now, dir, f->table ? &f->hash : NULL);
			n->st.verdict[v[i]]++;
		}
	}
}

void nat_out_batch(struct nat *n, uint8_t *const pkt[], const size_t len[], size_t count,
                   fl_time_t now, enum nat_verdict v[])
{
	batch(n, pkt, len, count, nat_sec(now), v, DIR_OUT);
}

void nat_in_batch(struct nat *n, uint8_t *const pkt[], const size_t len[], size_t count,
                  fl_time_t now, enum nat_verdict v[])
{
	batch(n, pkt, len, count, nat_sec(now), v, DIR_IN);
}
