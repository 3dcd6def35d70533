/* SPDX-License-Identifier: MIT */
/* nat6.c: the IPv6 NAT's life cycle, mapping tables, port allocation,
 * expiry lists, counters and listing. Called by nat6_xlate.c on the packet
 * path and by the daemon (creation, timers, the control socket).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "nat/nat6_internal.h"
#include "nat/nat_internal.h"

#define NAT6_PORT_TRIES 128
#define NAT6_PACKET_BUDGET 8
#define NAT6_FULL_BUDGET 256

static uint64_t addr_fold(const uint8_t a[16])
{
	uint64_t hi, lo;
	memcpy(&hi, a, 8);
	memcpy(&lo, a + 8, 8);
	return hi ^ (lo * 0x9e3779b97f4a7c15ull);
}

static uint32_t hash_int(const struct nat6 *n, uint8_t proto, const uint8_t a[16], uint16_t port)
{
	return nat_hash64(addr_fold(a) ^ ((uint64_t)port << 8 | proto), n->seed) & n->hmask;
}

static uint32_t hash_host(const struct nat6 *n, const uint8_t a[16])
{
	return nat_hash64(addr_fold(a), n->seed ^ 0x686f7374) & n->hmask;
}

static uint32_t hash_ext(const struct nat6 *n, uint8_t proto, uint16_t port)
{
	return nat_hash64((uint64_t)port << 8 | proto, n->seed ^ 0x5a5a) & n->hmask;
}

struct nat6 *nat6_new(const struct nat_config *c, const uint8_t ext[static 16], enum nat_err *err)
{
	static const uint8_t zero[16];
	struct nat_config k = *c;
	struct nat6 *n;
	uint32_t cap = 16;

	k.n_ext = 1;
	k.ext_addr[0] = htonl(1); /* the IPv4 address is not ours to check */
	*err = nat_config_check(&k);
	if (*err == NAT_OK && (!memcmp(ext, zero, 16) || ext[0] == 0xff))
		*err = NAT_ERR_EXT_ADDR;
	if (*err != NAT_OK)
		return NULL;
	while (cap < c->max_mappings * 2)
		cap <<= 1;
	n = calloc(1, sizeof(*n));
	if (n) {
		n->map = calloc(c->max_mappings, sizeof(*n->map));
		n->int_head = malloc(cap * sizeof(uint32_t));
		n->ext_head = malloc(cap * sizeof(uint32_t));
		n->host = malloc(c->max_mappings * sizeof(*n->host));
		n->host_head = malloc(cap * sizeof(uint32_t));
	}
	if (!n || !n->map || !n->int_head || !n->ext_head || !n->host || !n->host_head) {
		nat6_free(n);
		*err = NAT_ERR_NOMEM;
		return NULL;
	}
	n->cfg = *c;
	memcpy(n->ext, ext, 16);
	n->hmask = cap - 1;
	memset(n->int_head, 0xff, cap * sizeof(uint32_t));
	memset(n->ext_head, 0xff, cap * sizeof(uint32_t));
	memset(n->host_head, 0xff, cap * sizeof(uint32_t));
	for (uint32_t i = 0; i < c->max_mappings; i++) {
		n->map[i].lnext = i + 1 < c->max_mappings ? i + 1 : NAT6_NIL;
		n->host[i].next = i + 1 < c->max_mappings ? i + 1 : NAT6_NIL;
	}
	for (int i = 0; i < NAT6_CLS_N; i++)
		n->head[i] = n->tail[i] = NAT6_NIL;
	n->seed = nat_hash64(c->seed, 0x6666) | (uint64_t)nat_hash64(c->seed, 0x6667) << 32;
	n->memory = sizeof(*n) + c->max_mappings * (sizeof(*n->map) + sizeof(*n->host)) +
		    3 * cap * sizeof(uint32_t);
	return n;
}

void nat6_free(struct nat6 *n)
{
	if (!n)
		return;
	free(n->map);
	free(n->int_head);
	free(n->ext_head);
	free(n->host);
	free(n->host_head);
	free(n);
}

uint32_t nat6_find_int(const struct nat6 *n, uint8_t proto, const uint8_t addr[16], uint16_t port)
{
	for (uint32_t i = n->int_head[hash_int(n, proto, addr, port)]; i != NAT6_NIL; i = n->map[i].inext) {
		const struct nat6_map *m = &n->map[i];
		if (m->proto == proto && m->int_port == port && !memcmp(m->int_addr, addr, 16))
			return i;
	}
	return NAT6_NIL;
}

uint32_t nat6_find_ext(const struct nat6 *n, uint8_t proto, uint16_t port)
{
	for (uint32_t i = n->ext_head[hash_ext(n, proto, port)]; i != NAT6_NIL; i = n->map[i].enext) {
		const struct nat6_map *m = &n->map[i];
		if (m->proto == proto && m->ext_port == port)
			return i;
	}
	return NAT6_NIL;
}

/* The host slot of addr, or NAT6_NIL; *link gets the pointer to it. */
static uint32_t host_find(struct nat6 *n, const uint8_t addr[16], uint32_t **link)
{
	uint32_t *p = &n->host_head[hash_host(n, addr)];

	for (; *p != NAT6_NIL; p = &n->host[*p].next)
		if (!memcmp(n->host[*p].addr, addr, 16))
			break;
	*link = p;
	return *p;
}

/* One more mapping for addr: a slot from the pool when it has none. */
static void host_take(struct nat6 *n, const uint8_t addr[16])
{
	uint32_t *link, h = host_find(n, addr, &link);

	if (h == NAT6_NIL) { /* the pool holds max_mappings: never empty here */
		h = n->host_free;
		n->host_free = n->host[h].next;
		memcpy(n->host[h].addr, addr, 16);
		n->host[h].count = 0;
		n->host[h].next = NAT6_NIL;
		*link = h; /* the chain's end */
		n->n_hosts++;
	}
	n->host[h].count++;
}

static void host_release(struct nat6 *n, const uint8_t addr[16])
{
	uint32_t *link, h = host_find(n, addr, &link);

	if (h == NAT6_NIL || --n->host[h].count)
		return;
	*link = n->host[h].next;
	n->host[h].next = n->host_free;
	n->host_free = h;
	n->n_hosts--;
}

static void list_unlink(struct nat6 *n, uint32_t i)
{
	struct nat6_map *m = &n->map[i];
	if (m->lprev != NAT6_NIL)
		n->map[m->lprev].lnext = m->lnext;
	else
		n->head[m->cls] = m->lnext;
	if (m->lnext != NAT6_NIL)
		n->map[m->lnext].lprev = m->lprev;
	else
		n->tail[m->cls] = m->lprev;
}

static void list_append(struct nat6 *n, uint32_t i)
{
	struct nat6_map *m = &n->map[i];
	m->lnext = NAT6_NIL;
	m->lprev = n->tail[m->cls];
	if (m->lprev != NAT6_NIL)
		n->map[m->lprev].lnext = i;
	else
		n->head[m->cls] = i;
	n->tail[m->cls] = i;
}

static void chain_remove(uint32_t *head, struct nat6_map *map, uint32_t i, size_t off)
{
	for (uint32_t *p = head; *p != NAT6_NIL; p = (uint32_t *)((char *)&map[*p] + off)) {
		if (*p == i) {
			*p = *(uint32_t *)((char *)&map[i] + off);
			return;
		}
	}
}

static void map_remove(struct nat6 *n, uint32_t i)
{
	struct nat6_map *m = &n->map[i];
	list_unlink(n, i);
	chain_remove(&n->int_head[hash_int(n, m->proto, m->int_addr, m->int_port)], n->map, i,
		     offsetof(struct nat6_map, inext));
	chain_remove(&n->ext_head[hash_ext(n, m->proto, m->ext_port)], n->map, i,
		     offsetof(struct nat6_map, enext));
	host_release(n, m->int_addr);
	m->live = 0;
	m->lnext = n->free_head;
	n->free_head = i;
	n->n_active--;
	n->st.expired++;
}

static uint32_t cls_timeout(const struct nat6 *n, unsigned cls)
{
	switch (cls) {
	case NAT6_CLS_TCP_EST: return n->cfg.tcp_est_timeout;
	case NAT6_CLS_TCP_TRANS: return n->cfg.tcp_trans_timeout;
	case NAT6_CLS_ICMP: return n->cfg.icmp_timeout;
	default: return n->cfg.udp_timeout;
	}
}

static unsigned map_cls(const struct nat6_map *m)
{
	if (m->proto == NAT6_PROTO_ICMP)
		return NAT6_CLS_ICMP;
	if (m->proto != NAT6_PROTO_TCP)
		return NAT6_CLS_UDP;
	bool est = (m->tcp & (NAT_TCP_SYN_OUT | NAT_TCP_SYN_IN)) == (NAT_TCP_SYN_OUT | NAT_TCP_SYN_IN) &&
		   !(m->tcp & NAT_TCP_RST) &&
		   (m->tcp & (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN)) != (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN);
	return est ? NAT6_CLS_TCP_EST : NAT6_CLS_TCP_TRANS;
}

void nat6_refresh(struct nat6 *n, uint32_t i, uint32_t now)
{
	struct nat6_map *m = &n->map[i];
	list_unlink(n, i);
	m->cls = (uint8_t)map_cls(m);
	m->expire = now + cls_timeout(n, m->cls);
	list_append(n, i);
}

static void expire_s(struct nat6 *n, uint32_t now, uint32_t budget)
{
	for (int c = 0; c < NAT6_CLS_N; c++) {
		while (budget && n->head[c] != NAT6_NIL &&
		       (int32_t)(now - n->map[n->head[c]].expire) >= 0) {
			map_remove(n, n->head[c]);
			budget--;
		}
	}
}

void nat6_expire(struct nat6 *n, fl_time_t now, uint32_t budget)
{
	expire_s(n, nat_sec(now), budget);
}

void nat6_poll(struct nat6 *n, uint32_t now)
{
	expire_s(n, now, NAT6_PACKET_BUDGET);
}

/* Port preservation when free, else a bounded search from a hashed start. */
static bool port_alloc(const struct nat6 *n, uint8_t proto, const uint8_t addr[16], uint16_t want,
		       uint16_t *out)
{
	uint32_t lo = proto == NAT6_PROTO_ICMP ? n->cfg.id_min : n->cfg.port_min;
	uint32_t hi = proto == NAT6_PROTO_ICMP ? n->cfg.id_max : n->cfg.port_max;
	uint32_t range = hi - lo + 1, w = ntohs(want);
	uint32_t p = w >= lo && w <= hi ? w : lo + nat_range(hash_int(n, proto, addr, want) * 2654435761u, range);
	uint32_t tries = range < NAT6_PORT_TRIES ? range : NAT6_PORT_TRIES;

	for (uint32_t t = 0; t < tries; t++) {
		if (nat6_find_ext(n, proto, htons((uint16_t)p)) == NAT6_NIL) {
			*out = htons((uint16_t)p);
			return true;
		}
		p = p == hi ? lo : p + 1;
	}
	return false;
}

uint32_t nat6_create(struct nat6 *n, uint8_t proto, const uint8_t addr[16], uint16_t port,
		     uint32_t now, enum nat_verdict *v)
{
	uint16_t ext;
	uint32_t i, *link, h;

	if (n->free_head == NAT6_NIL)
		expire_s(n, now, NAT6_FULL_BUDGET);
	if (n->free_head == NAT6_NIL) {
		*v = NAT_DROP_TABLE_FULL;
		return NAT6_NIL;
	}
	h = host_find(n, addr, &link);
	if (h != NAT6_NIL && n->host[h].count >= n->cfg.max_per_host) {
		*v = NAT_DROP_HOST_LIMIT;
		return NAT6_NIL;
	}
	if (!port_alloc(n, proto, addr, port, &ext)) {
		*v = NAT_DROP_NO_PORT;
		return NAT6_NIL;
	}
	i = n->free_head;
	struct nat6_map *m = &n->map[i];
	n->free_head = m->lnext;
	memset(m, 0, sizeof(*m));
	memcpy(m->int_addr, addr, 16);
	m->int_port = port;
	m->ext_port = ext;
	m->proto = proto;
	m->live = 1;
	m->cls = (uint8_t)map_cls(m);
	m->expire = now + cls_timeout(n, m->cls);
	list_append(n, i);
	host_take(n, addr);
	uint32_t hi = hash_int(n, proto, addr, port), he = hash_ext(n, proto, ext);
	m->inext = n->int_head[hi];
	n->int_head[hi] = i;
	m->enext = n->ext_head[he];
	n->ext_head[he] = i;
	n->n_active++;
	n->st.created++;
	return i;
}

bool nat6_has_int(const struct nat6 *n, uint8_t proto, const uint8_t addr[static 16], uint16_t port)
{
	return nat6_find_int(n, proto, addr, port) != NAT6_NIL;
}

void nat6_stats_get(const struct nat6 *n, struct nat_stats *out)
{
	*out = n->st;
	out->active = n->n_active;
	out->hosts = n->n_hosts;
	out->memory = n->memory;
}

static const char *state_of(const struct nat6_map *m)
{
	if (m->proto != NAT6_PROTO_TCP)
		return "active";
	if (m->cls == NAT6_CLS_TCP_EST)
		return "established";
	if ((m->tcp & NAT_TCP_RST) || (m->tcp & (NAT_TCP_FIN_OUT | NAT_TCP_FIN_IN)))
		return "closing";
	return "opening";
}

void nat6_each(const struct nat6 *n, fl_time_t now_us, nat_entry_fn *fn, void *ctx)
{
	uint32_t now = nat_sec(now_us);

	for (uint32_t i = 0; i < n->cfg.max_mappings; i++) {
		const struct nat6_map *m = &n->map[i];
		if (!m->live)
			continue;
		struct nat_entry e;
		memset(&e, 0, sizeof(e));
		e.family = 6;
		e.proto = m->proto;
		memcpy(e.int_addr, m->int_addr, 16);
		memcpy(e.ext_addr, n->ext, 16);
		e.int_port = ntohs(m->int_port);
		e.ext_port = ntohs(m->ext_port);
		uint32_t t = cls_timeout(n, m->cls), left = m->expire - now;
		e.expires = (int32_t)left > 0 ? left : 0;
		e.idle = t > e.expires ? t - e.expires : 0;
		e.state = state_of(m);
		fn(ctx, &e);
	}
}
