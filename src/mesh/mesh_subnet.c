/* SPDX-License-Identifier: MIT */
/*
 * mesh_subnet.c: subnet text form (GRAPH.md §5.1, META.md §5.10), the §5.2
 * ordering, the ordered table and the reference lookup (§5.3).
 *
 * Called by mesh_request.c (parse/format), mesh.c and mesh_flood.c (the
 * table) and the daemon/dataplane through mesh_subnet_lookup().
 */
#include "mesh/mesh_subnet.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh.h"

const char *mesh_subnet_strerror(enum mesh_subnet_err e)
{
	switch (e) {
	case MESH_SUBNET_OK: return "ok";
	case MESH_SUBNET_E_SYNTAX: return "not a MAC, IPv4 or IPv6 address";
	case MESH_SUBNET_E_WEIGHT: return "weight is not a number";
	case MESH_SUBNET_E_PREFIX: return "invalid prefix length";
	case MESH_SUBNET_E_MAC_PREFIX: return "MAC address with a prefix length";
	case MESH_SUBNET_E_TOO_LONG: return "subnet text too long";
	case MESH_SUBNET_E_HOST_BITS:
		return "network address and prefix length do not match";
	}
	return "unknown error";
}

/* Whole-string signed decimal that fits an int32. */
static bool whole_int(const char *s, long *out)
{
	char *end;
	long v;

	if (!*s || (*s != '-' && *s != '+' && (*s < '0' || *s > '9')))
		return false;
	v = strtol(s, &end, 10);
	if (*end || v < INT32_MIN || v > INT32_MAX)
		return false;
	*out = v;
	return true;
}

/* Six ':'-separated hex parts of 1-2 digits (tinc accepts one-digit parts). */
static bool parse_mac(const char *s, uint8_t mac[static 6])
{
	for (int i = 0; i < 6; i++) {
		unsigned v = 0;
		int digits = 0;

		for (; digits < 3; s++, digits++) {
			char c = *s;
			if (c >= '0' && c <= '9')
				v = v * 16 + (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v = v * 16 + (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				v = v * 16 + (unsigned)(c - 'A' + 10);
			else
				break;
		}
		if (digits == 0 || digits > 2)
			return false;
		mac[i] = (uint8_t)v;
		if (i < 5 && *s++ != ':')
			return false;
	}
	return *s == '\0';
}

static enum mesh_subnet_err parse_addr(struct mesh_subnet *s, const char *str,
				       long prefix)
{
	if (parse_mac(str, s->addr)) {
		if (prefix >= 0)
			return MESH_SUBNET_E_MAC_PREFIX;
		s->type = MESH_SUBNET_MAC;
		s->prefix = 48;
		return MESH_SUBNET_OK;
	}
	if (inet_pton(AF_INET, str, s->addr) == 1) {
		if (prefix > 32)
			return MESH_SUBNET_E_PREFIX;
		s->type = MESH_SUBNET_IPV4;
		s->prefix = prefix < 0 ? 32 : (int)prefix;
		return MESH_SUBNET_OK;
	}
	if (inet_pton(AF_INET6, str, s->addr) == 1) {
		if (prefix > 128)
			return MESH_SUBNET_E_PREFIX;
		s->type = MESH_SUBNET_IPV6;
		s->prefix = prefix < 0 ? 128 : (int)prefix;
		return MESH_SUBNET_OK;
	}
	return MESH_SUBNET_E_SYNTAX;
}

enum mesh_subnet_err mesh_subnet_parse(struct mesh_subnet *s, const char *text,
				       size_t len)
{
	char str[64];
	char *sep;
	long weight = MESH_SUBNET_DEFAULT_WEIGHT, prefix = -1;

	memset(s, 0, sizeof(*s));
	if (len >= sizeof(str))
		return MESH_SUBNET_E_TOO_LONG;
	if (memchr(text, '\0', len))
		return MESH_SUBNET_E_SYNTAX;
	memcpy(str, text, len);
	str[len] = '\0';
	sep = strchr(str, '#');
	if (sep) {
		*sep = '\0';
		if (!whole_int(sep + 1, &weight))
			return MESH_SUBNET_E_WEIGHT;
	}
	sep = strchr(str, '/');
	if (sep) {
		*sep = '\0';
		if (!whole_int(sep + 1, &prefix) || prefix < 0)
			return MESH_SUBNET_E_PREFIX;
	}
	s->weight = (int32_t)weight;
	return parse_addr(s, str, prefix);
}

static int addr_len(enum mesh_subnet_type t)
{
	return t == MESH_SUBNET_MAC ? 6 : t == MESH_SUBNET_IPV4 ? 4 : 16;
}

enum mesh_subnet_err mesh_subnet_check_host_bits(const struct mesh_subnet *s)
{
	if (s->type == MESH_SUBNET_MAC)
		return MESH_SUBNET_OK;
	for (int bit = s->prefix; bit < addr_len(s->type) * 8; bit++)
		if (s->addr[bit / 8] & (0x80 >> (bit % 8)))
			return MESH_SUBNET_E_HOST_BITS;
	return MESH_SUBNET_OK;
}

int mesh_subnet_format(const struct mesh_subnet *s, char *buf, size_t cap,
		       bool with_weight)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	switch (s->type) {
	case MESH_SUBNET_MAC:
		n = snprintf(buf, cap, "%02x:%02x:%02x:%02x:%02x:%02x",
			     s->addr[0], s->addr[1], s->addr[2], s->addr[3],
			     s->addr[4], s->addr[5]);
		break;
	case MESH_SUBNET_IPV4:
	case MESH_SUBNET_IPV6: {
		bool v4 = s->type == MESH_SUBNET_IPV4;
		if (!inet_ntop(v4 ? AF_INET : AF_INET6, s->addr, a, sizeof(a)))
			return -1;
		if (s->prefix == (v4 ? 32 : 128))
			n = snprintf(buf, cap, "%s", a);
		else
			n = snprintf(buf, cap, "%s/%d", a, s->prefix);
		break;
	}
	default:
		return -1;
	}
	if (n < 0 || (size_t)n >= cap)
		return -1;
	if (with_weight && s->weight != MESH_SUBNET_DEFAULT_WEIGHT) {
		int m = snprintf(buf + n, cap - (size_t)n, "#%d", s->weight);
		if (m < 0 || (size_t)m >= cap - (size_t)n)
			return -1;
		n += m;
	}
	return n;
}

int mesh_subnet_cmp_noowner(const struct mesh_subnet *a,
			    const struct mesh_subnet *b)
{
	int r;

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	if (a->type != MESH_SUBNET_MAC && a->prefix != b->prefix)
		return a->prefix > b->prefix ? -1 : 1;	/* longer first */
	r = memcmp(a->addr, b->addr, (size_t)addr_len(a->type));
	if (r)
		return r < 0 ? -1 : 1;
	if (a->weight != b->weight)
		return a->weight < b->weight ? -1 : 1;
	return 0;
}

int mesh_subnet_cmp(const struct mesh_subnet *a, const struct mesh_subnet *b)
{
	int r = mesh_subnet_cmp_noowner(a, b);

	if (r || !a->owner || !b->owner)
		return r;
	r = strcmp(a->owner->name, b->owner->name);
	return r < 0 ? -1 : r > 0;
}

bool mesh_subnet_matches(const struct mesh_subnet *s, const uint8_t *addr)
{
	int full, rest;

	if (s->type == MESH_SUBNET_MAC)
		return !memcmp(s->addr, addr, 6);
	full = s->prefix / 8;
	rest = s->prefix % 8;
	if (memcmp(s->addr, addr, (size_t)full))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		return ((s->addr[full] ^ addr[full]) & mask) == 0;
	}
	return true;
}

/* ---- table -------------------------------------------------------------- */

void mesh_subnet_table_init(struct mesh_subnet_table *t)
{
	memset(t, 0, sizeof(*t));
	t->level = 1;
	t->rng = 0x9e3779b9u;
}

void mesh_subnet_table_free(struct mesh_subnet_table *t)
{
	struct mesh_subnet_entry *e = t->head[0];

	while (e) {
		struct mesh_subnet_entry *next = e->next[0];
		free(e);
		e = next;
	}
	mesh_subnet_table_init(t);
}

/* Total order of entries (strict owner comparison: NULL owner sorts before
 * every named owner so entries stay distinct). */
static int cmp_strict(const struct mesh_subnet *a, const struct mesh_subnet *b)
{
	int r = mesh_subnet_cmp_noowner(a, b);

	if (r)
		return r;
	if (!a->owner || !b->owner)
		return (a->owner != NULL) - (b->owner != NULL);
	r = strcmp(a->owner->name, b->owner->name);
	return r < 0 ? -1 : r > 0;
}

/* Fills prev[l] with the last entry before s on level l (NULL = the head)
 * and returns the first entry not less than s. */
static struct mesh_subnet_entry *
search(const struct mesh_subnet_table *t, const struct mesh_subnet *s,
       struct mesh_subnet_entry **prev)
{
	struct mesh_subnet_entry *x = NULL;

	for (int l = t->level - 1; l >= 0; l--) {
		struct mesh_subnet_entry *next = x ? x->next[l] : t->head[l];
		while (next && cmp_strict(&next->s, s) < 0) {
			x = next;
			next = x->next[l];
		}
		if (prev)
			prev[l] = x;
	}
	return x ? x->next[0] : t->head[0];
}

struct mesh_subnet *mesh_subnet_table_find(const struct mesh_subnet_table *t,
					   const struct mesh_subnet *s)
{
	struct mesh_subnet_entry *e = search(t, s, NULL);

	return e && cmp_strict(&e->s, s) == 0 ? &e->s : NULL;
}

/* Level of a new entry: 1 + geometric(1/4), from a xorshift so that a
 * peer's choice of subnets cannot shape the list. */
static int new_level(struct mesh_subnet_table *t)
{
	int l = 1;

	t->rng ^= t->rng << 13;
	t->rng ^= t->rng >> 17;
	t->rng ^= t->rng << 5;
	for (uint32_t r = t->rng; (r & 3) == 0 && l < MESH_SUBNET_LEVELS; r >>= 2)
		l++;
	return l;
}

static void owner_link(struct mesh_subnet_entry *e)
{
	struct mesh_node *n = e->s.owner;

	if (!n)
		return;
	e->oprev = NULL;
	e->onext = n->subnets;
	if (n->subnets)
		n->subnets->oprev = e;
	n->subnets = e;
	n->n_subnets++;
}

static void owner_unlink(struct mesh_subnet_entry *e)
{
	struct mesh_node *n = e->s.owner;

	if (!n)
		return;
	if (e->oprev)
		e->oprev->onext = e->onext;
	else
		n->subnets = e->onext;
	if (e->onext)
		e->onext->oprev = e->oprev;
	n->n_subnets--;
}

bool mesh_subnet_table_add(struct mesh_subnet_table *t,
			   const struct mesh_subnet *s)
{
	struct mesh_subnet_entry *prev[MESH_SUBNET_LEVELS];
	struct mesh_subnet_entry *e = search(t, s, prev);
	int level;

	if (e && cmp_strict(&e->s, s) == 0)
		return false;
	level = new_level(t);
	e = calloc(1, sizeof(*e) + (size_t)level * sizeof(e->next[0]));
	if (!e)
		return false;
	e->s = *s;
	e->level = level;
	for (int l = t->level; l < level; l++)
		prev[l] = NULL;
	if (level > t->level)
		t->level = level;
	for (int l = 0; l < level; l++) {
		struct mesh_subnet_entry **link = prev[l] ? &prev[l]->next[l] : &t->head[l];
		e->next[l] = *link;
		*link = e;
	}
	owner_link(e);
	t->len_used[s->type][s->type == MESH_SUBNET_MAC ? 0 : s->prefix]++;
	t->n++;
	return true;
}

bool mesh_subnet_table_del(struct mesh_subnet_table *t,
			   const struct mesh_subnet *s)
{
	struct mesh_subnet_entry *prev[MESH_SUBNET_LEVELS];
	struct mesh_subnet_entry *e = search(t, s, prev);

	if (!e || cmp_strict(&e->s, s) != 0)
		return false;
	for (int l = 0; l < e->level; l++) {
		struct mesh_subnet_entry **link = prev[l] ? &prev[l]->next[l] : &t->head[l];
		*link = e->next[l];
	}
	owner_unlink(e);
	t->len_used[e->s.type][e->s.type == MESH_SUBNET_MAC ? 0 : e->s.prefix]--;
	t->n--;
	free(e);
	return true;
}

const struct mesh_subnet *
mesh_subnet_table_first(const struct mesh_subnet_table *t)
{
	return t->head[0] ? &t->head[0]->s : NULL;
}

const struct mesh_subnet *mesh_subnet_next(const struct mesh_subnet *s)
{
	const struct mesh_subnet_entry *e = (const struct mesh_subnet_entry *)s;

	return e->next[0] ? &e->next[0]->s : NULL;
}

static int cmp_ptr(const void *a, const void *b)
{
	return cmp_strict(*(const struct mesh_subnet *const *)a,
			  *(const struct mesh_subnet *const *)b);
}

const struct mesh_subnet **mesh_subnet_owned(const struct mesh_node *n,
					     size_t *count)
{
	const struct mesh_subnet **v;
	size_t k = 0;

	*count = 0;
	if (!n->n_subnets || !(v = malloc(n->n_subnets * sizeof(*v))))
		return NULL;
	for (const struct mesh_subnet_entry *e = n->subnets; e; e = e->onext)
		v[k++] = &e->s;
	qsort(v, k, sizeof(*v), cmp_ptr);
	*count = k;
	return v;
}

/* ---- lookups ------------------------------------------------------------ */

static bool usable(const struct mesh_subnet *s)
{
	return !s->owner || (s->owner->status & MESH_NS_REACHABLE);
}

const struct mesh_subnet *
mesh_subnet_table_lookup(const struct mesh_subnet_table *t,
			 enum mesh_subnet_type type, const uint8_t *addr)
{
	int max = type == MESH_SUBNET_MAC ? 0 : type == MESH_SUBNET_IPV4 ? 32 : 128;
	const struct mesh_subnet *found = NULL;

	/* table order within a type: longer prefixes first, then address */
	for (int len = max; len >= 0; len--) {
		struct mesh_subnet key = {.type = type, .prefix = type == MESH_SUBNET_MAC ? 48 : len,
					  .weight = INT32_MIN};
		const struct mesh_subnet_entry *e;

		if (!t->len_used[type][len])
			continue;
		/* the smallest address of the prefix: entries with host bits
		 * set sort after it and still match, as in tinc */
		memcpy(key.addr, addr, (size_t)addr_len(type));
		for (int b = key.prefix; b < addr_len(type) * 8; b++)
			key.addr[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
		for (e = search(t, &key, NULL); e; e = e->next[0]) {
			if (e->s.type != type || (type != MESH_SUBNET_MAC && e->s.prefix != len) ||
			    !mesh_subnet_matches(&e->s, addr))
				break;
			found = &e->s;
			if (usable(found))
				return found;
		}
	}
	return found;
}

static const struct mesh_subnet *
list_lookup(const struct mesh_subnet_index *ix, enum mesh_subnet_type type,
	    const uint8_t *addr)
{
	const struct mesh_subnet *found = NULL;

	for (const struct mesh_subnet *s = mesh_subnet_table_first(ix->table); s;
	     s = mesh_subnet_next(s)) {
		if (s->type != type || !mesh_subnet_matches(s, addr))
			continue;
		found = s;
		if (usable(s))
			break;
	}
	return found;
}

void mesh_subnet_index_init_list(struct mesh_subnet_index *ix,
				 const struct mesh_subnet_table *t)
{
	ix->lookup = list_lookup;
	ix->table = t;
	ix->impl = NULL;
}
