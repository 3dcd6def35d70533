/* SPDX-License-Identifier: MIT */
/*
 * pkt.c: packet buffers with headroom and a simple free-list pool.
 * Used by io (reads land in pool packets), the dataplane (seal/open in
 * place) and tests. Not thread-safe by design: one pool per thread.
 */
#include "wire/pkt.h"

#include <stdlib.h>
#include <string.h>

struct fl_pkt_pool {
	struct fl_pkt *free;
	size_t avail;
	size_t count;
	struct fl_pkt *slab;
};

void fl_pkt_reset(struct fl_pkt *p, size_t headroom)
{
	if (headroom > FL_PKT_BUFSIZE)
		headroom = FL_PKT_BUFSIZE;
	p->data = p->buf + headroom;
	p->len = 0;
	p->meta = 0;
	p->next = NULL;
}

uint8_t *fl_pkt_push(struct fl_pkt *p, size_t n)
{
	if (fl_pkt_headroom(p) < n)
		return NULL;
	p->data -= n;
	p->len += (uint32_t)n;
	return p->data;
}

uint8_t *fl_pkt_pull(struct fl_pkt *p, size_t n)
{
	if (p->len < n)
		return NULL;
	p->data += n;
	p->len -= (uint32_t)n;
	return p->data;
}

uint8_t *fl_pkt_put(struct fl_pkt *p, size_t n)
{
	uint8_t *tail;

	if (fl_pkt_tailroom(p) < n)
		return NULL;
	tail = p->data + p->len;
	p->len += (uint32_t)n;
	return tail;
}

void fl_pkt_trim(struct fl_pkt *p, size_t len)
{
	if (len < p->len)
		p->len = (uint32_t)len;
}

int fl_pkt_set(struct fl_pkt *p, const void *src, size_t len)
{
	fl_pkt_reset(p, FL_PKT_HEADROOM);
	if (len > fl_pkt_tailroom(p))
		return -1;
	memcpy(p->data, src, len);
	p->len = (uint32_t)len;
	return 0;
}

struct fl_pkt *fl_pkt_new(void)
{
	struct fl_pkt *p = aligned_alloc(16, sizeof(*p));

	if (!p)
		return NULL;
	p->pool = NULL;
	fl_pkt_reset(p, FL_PKT_HEADROOM);
	return p;
}

struct fl_pkt_pool *fl_pkt_pool_new(size_t count)
{
	struct fl_pkt_pool *pool = calloc(1, sizeof(*pool));

	if (!pool)
		return NULL;
	pool->slab = count ? aligned_alloc(16, count * sizeof(struct fl_pkt)) : NULL;
	if (count && !pool->slab) {
		free(pool);
		return NULL;
	}
	pool->count = count;
	for (size_t i = 0; i < count; i++) {
		struct fl_pkt *p = &pool->slab[i];
		fl_pkt_reset(p, FL_PKT_HEADROOM);
		p->pool = pool;
		p->next = pool->free;
		pool->free = p;
	}
	pool->avail = count;
	return pool;
}

void fl_pkt_pool_free(struct fl_pkt_pool *pool)
{
	if (!pool)
		return;
	free(pool->slab);
	free(pool);
}

struct fl_pkt *fl_pkt_alloc(struct fl_pkt_pool *pool)
{
	struct fl_pkt *p = pool->free;

	if (!p)
		return NULL;
	pool->free = p->next;
	pool->avail--;
	fl_pkt_reset(p, FL_PKT_HEADROOM);
	return p;
}

void fl_pkt_free(struct fl_pkt *p)
{
	if (!p)
		return;
	if (!p->pool) {
		free(p);
		return;
	}
	p->next = p->pool->free;
	p->pool->free = p;
	p->pool->avail++;
}

size_t fl_pkt_pool_avail(const struct fl_pkt_pool *pool)
{
	return pool->avail;
}
