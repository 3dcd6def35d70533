/* SPDX-License-Identifier: MIT */
/*
 * neigh.c: the neighbour cache behind ARP and NDP (see neigh.h). Open
 * addressing with linear probing at a load of at most one half and
 * backward-shift deletion, as l2_mactable.c, keyed by a seeded hash so a
 * LAN host cannot aim its addresses at one probe run.
 */
#include "l2/neigh.h"

#include <stdlib.h>
#include <string.h>

/* How far past an address's home slot a full table looks for an entry it
 * may reuse (STALE or FAILED): bounded, so a full table costs O(1). */
#define NEIGH_EVICT_SCAN 32u

/* fl_neigh_tick walks the whole table, so it walks at most this often:
 * with a /16's 65,534 entries expiring all the time, a walk per event
 * loop iteration would cost more than the traffic. Timers are seconds
 * long; firing up to 100 ms late changes nothing. */
#define NEIGH_TICK_GRAIN FL_TIME_MS(100)

static size_t neigh_hash(const struct fl_neigh *t, const uint8_t addr[static FL_NEIGH_ALEN])
{
	uint64_t a, b;

	memcpy(&a, addr, 8);
	memcpy(&b, addr + 8, 8);
	/* splitmix64's finaliser over the seeded halves. */
	a ^= t->seed;
	a = (a ^ (a >> 30)) * 0xbf58476d1ce4e5b9ull;
	a ^= b;
	a = (a ^ (a >> 27)) * 0x94d049bb133111ebull;
	a ^= a >> 31;
	return (size_t)a & (t->cap - 1);
}

void fl_neigh_cfg_default(struct fl_neigh_cfg *cfg, size_t max)
{
	cfg->max = max;
	cfg->queue_len = 3;
	cfg->retries = 3;
	cfg->retrans = FL_TIME_S(1);
	cfg->reachable = FL_TIME_S(30);
	cfg->stale = FL_TIME_S(60);
	cfg->negative = FL_TIME_S(20);
}

bool fl_neigh_init(struct fl_neigh *t, const struct fl_neigh_cfg *cfg, uint64_t seed,
		   fl_neigh_solicit_fn *solicit, void *owner)
{
	size_t cap = 16;

	memset(t, 0, sizeof(*t));
	if (cfg->max < 1 || cfg->max > SIZE_MAX / 4 / sizeof(*t->slot) || cfg->queue_len < 1 ||
	    cfg->queue_len > FL_NEIGH_QMAX || cfg->retries < 1 || cfg->retries > 255 || !solicit)
		return false;
	while (cap < 2 * cfg->max)
		cap *= 2;
	t->slot = calloc(cap, sizeof(*t->slot));
	if (!t->slot)
		return false;
	t->cap = cap;
	t->cfg = *cfg;
	t->seed = seed;
	t->solicit = solicit;
	t->owner = owner;
	t->next_due = UINT64_MAX;
	return true;
}

static void neigh_emit(const struct fl_l2_sink *sink, enum fl_l2_act_kind kind, int reason,
		       const struct fl_neigh_entry *e, void *pkt)
{
	struct fl_l2_act a = {.kind = kind, .reason = reason, .pkt = pkt};

	memcpy(a.addr, e->addr, FL_NEIGH_ALEN);
	memcpy(a.mac, e->mac, FL_ETH_ALEN);
	sink->act(sink->ctx, &a);
}

/* Hand every held packet to the sink, as RELEASE (resolved) or DROP. */
static void neigh_flush(struct fl_neigh *t, struct fl_neigh_entry *e,
			const struct fl_l2_sink *sink, bool release, int reason)
{
	for (unsigned i = 0; i < e->nq; i++) {
		if (!release)
			t->st.unresolved_dropped += reason == FL_L2_DROP_UNRESOLVED;
		neigh_emit(sink, release ? FL_L2_RELEASE : FL_L2_DROP, reason, e, e->q[i]);
		e->q[i] = NULL;
	}
	e->nq = 0;
}

void fl_neigh_free(struct fl_neigh *t, const struct fl_l2_sink *sink)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slot[i].state && t->slot[i].nq)
			neigh_flush(t, &t->slot[i], sink, false, FL_L2_DROP_FLUSHED);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* The slot holding addr, or the free slot where it would go. */
static size_t neigh_find(const struct fl_neigh *t, const uint8_t addr[static FL_NEIGH_ALEN])
{
	size_t i = neigh_hash(t, addr);

	while (t->slot[i].state && memcmp(t->slot[i].addr, addr, FL_NEIGH_ALEN))
		i = (i + 1) & (t->cap - 1);
	return i;
}

const struct fl_neigh_entry *fl_neigh_lookup(const struct fl_neigh *t,
					     const uint8_t addr[static FL_NEIGH_ALEN])
{
	size_t i;

	if (!t->slot)
		return NULL;
	i = neigh_find(t, addr);
	return t->slot[i].state ? &t->slot[i] : NULL;
}

/* Empty slot i (its queue already flushed) and pull later members of its
 * probe run back into the gap, so every entry stays reachable. */
static void neigh_remove_at(struct fl_neigh *t, size_t i)
{
	size_t mask = t->cap - 1, j = i;

	memset(&t->slot[i], 0, sizeof(t->slot[i]));
	for (;;) {
		j = (j + 1) & mask;
		if (!t->slot[j].state)
			break;
		size_t home = neigh_hash(t, t->slot[j].addr);
		/* j stays unless its home lies cyclically outside (i, j]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		t->slot[i] = t->slot[j];
		memset(&t->slot[j], 0, sizeof(t->slot[j]));
		i = j;
	}
	t->n--;
}

bool fl_neigh_forget(struct fl_neigh *t, const uint8_t addr[static FL_NEIGH_ALEN],
		     const struct fl_l2_sink *sink)
{
	size_t i;

	if (!t->slot)
		return false;
	i = neigh_find(t, addr);
	if (!t->slot[i].state)
		return false;
	neigh_flush(t, &t->slot[i], sink, false, FL_L2_DROP_FLUSHED);
	neigh_remove_at(t, i);
	return true;
}

static void neigh_arm(struct fl_neigh *t, struct fl_neigh_entry *e, enum fl_neigh_state s,
		      fl_time_t due)
{
	e->state = (uint8_t)s;
	e->due = due;
	if (due < t->next_due)
		t->next_due = due;
}

/* Make room for addr in a full table by reusing a STALE or FAILED entry
 * near its home slot; true if one was removed. Live entries
 * (INCOMPLETE, REACHABLE, PROBE) are never taken. */
static bool neigh_evict(struct fl_neigh *t, const uint8_t addr[static FL_NEIGH_ALEN],
			const struct fl_l2_sink *sink)
{
	size_t i = neigh_hash(t, addr);

	for (unsigned k = 0; k < NEIGH_EVICT_SCAN; k++, i = (i + 1) & (t->cap - 1)) {
		struct fl_neigh_entry *e = &t->slot[i];
		if (e->state == FL_NEIGH_STALE || e->state == FL_NEIGH_FAILED) {
			neigh_flush(t, e, sink, false, FL_L2_DROP_FLUSHED);
			neigh_remove_at(t, i);
			t->st.evicted++;
			return true;
		}
	}
	return false;
}

/* A new entry for addr at free slot i (from neigh_find). */
static struct fl_neigh_entry *neigh_insert(struct fl_neigh *t, size_t i,
					   const uint8_t addr[static FL_NEIGH_ALEN])
{
	struct fl_neigh_entry *e = &t->slot[i];

	memset(e, 0, sizeof(*e));
	memcpy(e->addr, addr, FL_NEIGH_ALEN);
	t->n++;
	return e;
}

static void neigh_enqueue(struct fl_neigh *t, struct fl_neigh_entry *e, void *pkt,
			  const struct fl_l2_sink *sink)
{
	if (e->nq >= t->cfg.queue_len) {
		/* Oldest out: the newest packet is the likeliest still wanted. */
		t->st.queue_dropped++;
		neigh_emit(sink, FL_L2_DROP, FL_L2_DROP_QUEUE_FULL, e, e->q[0]);
		memmove(e->q, e->q + 1, (size_t)(e->nq - 1) * sizeof(e->q[0]));
		e->nq--;
	}
	e->q[e->nq++] = pkt;
}

static void neigh_solicit(struct fl_neigh *t, struct fl_neigh_entry *e, bool unicast,
			  const struct fl_l2_sink *sink)
{
	e->tries++;
	t->st.solicits++;
	t->solicit(t->owner, e->addr, unicast ? e->mac : NULL, sink);
}

static enum fl_neigh_res neigh_start(struct fl_neigh *t, const uint8_t addr[static FL_NEIGH_ALEN],
				     void *pkt, fl_time_t now, const struct fl_l2_sink *sink)
{
	struct fl_neigh_entry *e;
	size_t i;

	if (t->n >= t->cfg.max && !neigh_evict(t, addr, sink)) {
		t->st.full_refused++;
		return FL_NEIGH_FULL;
	}
	i = neigh_find(t, addr);
	e = neigh_insert(t, i, addr);
	neigh_arm(t, e, FL_NEIGH_INCOMPLETE, now + t->cfg.retrans);
	e->q[e->nq++] = pkt;
	neigh_solicit(t, e, false, sink);
	return FL_NEIGH_QUEUED;
}

enum fl_neigh_res fl_neigh_resolve(struct fl_neigh *t, const uint8_t addr[static FL_NEIGH_ALEN],
				   void *pkt, fl_time_t now, const struct fl_l2_sink *sink,
				   uint8_t mac_out[static FL_ETH_ALEN])
{
	size_t i = neigh_find(t, addr);
	struct fl_neigh_entry *e = &t->slot[i];

	switch (e->state) {
	case 0:
		return neigh_start(t, addr, pkt, now, sink);
	case FL_NEIGH_INCOMPLETE:
		neigh_enqueue(t, e, pkt, sink);
		return FL_NEIGH_QUEUED;
	case FL_NEIGH_FAILED:
		if (now < e->due) {
			t->st.negative_hits++;
			return FL_NEIGH_NEGATIVE;
		}
		/* Negative entry past its time: ask again from scratch. */
		neigh_remove_at(t, i);
		return neigh_start(t, addr, pkt, now, sink);
	case FL_NEIGH_STALE:
		/* RFC 4861 §7.3.3: use it, and confirm it (unicast). */
		e->tries = 0;
		neigh_arm(t, e, FL_NEIGH_PROBE, now + t->cfg.retrans);
		neigh_solicit(t, e, true, sink);
		break;
	default:
		break;
	}
	memcpy(mac_out, e->mac, FL_ETH_ALEN);
	return FL_NEIGH_HIT;
}

/* An entry gets mac: becomes state s, held packets go out. */
static void neigh_set(struct fl_neigh *t, struct fl_neigh_entry *e,
		      const uint8_t mac[static FL_ETH_ALEN], enum fl_neigh_state s, fl_time_t now,
		      const struct fl_l2_sink *sink)
{
	/* Only an entry that had a MAC can move; a first MAC is "resolved". */
	bool moved = !fl_eth_is_zero(e->mac) && memcmp(e->mac, mac, FL_ETH_ALEN);
	bool asked = e->state == FL_NEIGH_INCOMPLETE || e->state == FL_NEIGH_PROBE;

	memcpy(e->mac, mac, FL_ETH_ALEN);
	e->tries = 0;
	neigh_arm(t, e, s, now + (s == FL_NEIGH_REACHABLE ? t->cfg.reachable : t->cfg.stale));
	if (asked)
		t->st.resolved++;
	if (e->nq) {
		neigh_emit(sink, FL_L2_EVENT, FL_L2_EV_RESOLVED, e, NULL);
		neigh_flush(t, e, sink, true, 0);
	} else if (moved) {
		neigh_emit(sink, FL_L2_EVENT, FL_L2_EV_MAC_CHANGED, e, NULL);
	}
}

static void neigh_emit_spoof(const struct fl_l2_sink *sink,
			     const uint8_t addr[static FL_NEIGH_ALEN],
			     const uint8_t mac[static FL_ETH_ALEN])
{
	struct fl_l2_act a = {.kind = FL_L2_EVENT, .reason = FL_L2_EV_SPOOF_REFUSED};

	memcpy(a.addr, addr, FL_NEIGH_ALEN);
	memcpy(a.mac, mac, FL_ETH_ALEN);
	sink->act(sink->ctx, &a);
}

/* An unasked answer that would move an entry to another MAC. */
static enum fl_neigh_res neigh_refuse_spoof(struct fl_neigh *t,
					    const uint8_t addr[static FL_NEIGH_ALEN],
					    const uint8_t mac[static FL_ETH_ALEN],
					    const struct fl_l2_sink *sink)
{
	t->st.spoof_refused++;
	neigh_emit_spoof(sink, addr, mac);
	return FL_NEIGH_REFUSED;
}

/* No entry yet: only a request aimed at us creates one, and only in free
 * room (RFC 826's "merge", bounded). */
static enum fl_neigh_res neigh_update_new(struct fl_neigh *t, size_t i,
					  const uint8_t addr[static FL_NEIGH_ALEN],
					  const uint8_t mac[static FL_ETH_ALEN], enum fl_neigh_how how,
					  fl_time_t now, const struct fl_l2_sink *sink)
{
	struct fl_neigh_entry *e;

	if (how != FL_NEIGH_LEARN) {
		t->st.unsolicited += how != FL_NEIGH_HINT;
		return FL_NEIGH_IGNORED;
	}
	if (t->n >= t->cfg.max) {
		t->st.full_refused++;
		return FL_NEIGH_REFUSED;
	}
	e = neigh_insert(t, i, addr);
	e->state = FL_NEIGH_STALE;	/* so neigh_set sees no "asked" */
	t->st.learned++;
	neigh_set(t, e, mac, FL_NEIGH_STALE, now, sink);
	return FL_NEIGH_CHANGED;
}

enum fl_neigh_res fl_neigh_update(struct fl_neigh *t, const uint8_t addr[static FL_NEIGH_ALEN],
				  const uint8_t mac[static FL_ETH_ALEN], enum fl_neigh_how how,
				  fl_time_t now, const struct fl_l2_sink *sink)
{
	size_t i = neigh_find(t, addr);
	struct fl_neigh_entry *e = &t->slot[i];
	bool same = memcmp(e->mac, mac, FL_ETH_ALEN) == 0;

	if (fl_eth_is_group(mac) || fl_eth_is_zero(mac))
		return FL_NEIGH_REFUSED;
	switch (e->state) {
	case 0:
		return neigh_update_new(t, i, addr, mac, how, now, sink);
	case FL_NEIGH_PROBE:
		/* We asked the known MAC, by unicast: another MAC did not hear
		 * that question. A host that really moved misses the probe, the
		 * entry goes, and the next broadcast request finds it. */
		if (!same)
			return neigh_refuse_spoof(t, addr, mac, sink);
		/* fall through */
	case FL_NEIGH_INCOMPLETE:
	case FL_NEIGH_FAILED:
		/* We asked: any answer is the one we wanted. A mere request
		 * from it, or an unsolicited NA, leaves the entry STALE. */
		neigh_set(t, e, mac, how == FL_NEIGH_ANSWER ? FL_NEIGH_REACHABLE : FL_NEIGH_STALE,
			  now, sink);
		return FL_NEIGH_CHANGED;
	case FL_NEIGH_REACHABLE:
		if (same) {
			if (how == FL_NEIGH_ANSWER)
				neigh_arm(t, e, FL_NEIGH_REACHABLE, now + t->cfg.reachable);
			return FL_NEIGH_CONFIRMED;
		}
		/* Fresh and unasked: the spoofing limit. */
		return neigh_refuse_spoof(t, addr, mac, sink);
	default: /* STALE */
		/* Nothing we did not ask for moves a known entry to another
		 * MAC either (a reply, an NA, a request's sender: all are one
		 * spoofed frame): a flood would otherwise take the entry the
		 * moment it goes stale, and a reply would even make the spoofed
		 * MAC REACHABLE. Its next use probes the old MAC; a host that
		 * really moved misses it and is asked again by broadcast. */
		if (!same)
			return neigh_refuse_spoof(t, addr, mac, sink);
		if (how == FL_NEIGH_ANSWER)
			neigh_set(t, e, mac, FL_NEIGH_REACHABLE, now, sink);
		return FL_NEIGH_CONFIRMED;
	}
}

/* One entry's timer fired at now. false if the entry was removed. */
static bool neigh_fire(struct fl_neigh *t, size_t i, fl_time_t now, const struct fl_l2_sink *sink)
{
	struct fl_neigh_entry *e = &t->slot[i];

	switch (e->state) {
	case FL_NEIGH_INCOMPLETE:
		if (e->tries < t->cfg.retries) {
			neigh_arm(t, e, FL_NEIGH_INCOMPLETE, now + t->cfg.retrans);
			neigh_solicit(t, e, false, sink);
			return true;
		}
		/* Give up: drop what waited, remember the failure. */
		t->st.failed++;
		neigh_emit(sink, FL_L2_EVENT, FL_L2_EV_FAILED, e, NULL);
		neigh_flush(t, e, sink, false, FL_L2_DROP_UNRESOLVED);
		memset(e->mac, 0, FL_ETH_ALEN);
		neigh_arm(t, e, FL_NEIGH_FAILED, now + t->cfg.negative);
		return true;
	case FL_NEIGH_PROBE:
		if (e->tries < t->cfg.retries) {
			neigh_arm(t, e, FL_NEIGH_PROBE, now + t->cfg.retrans);
			neigh_solicit(t, e, true, sink);
			return true;
		}
		t->st.failed++;
		neigh_emit(sink, FL_L2_EVENT, FL_L2_EV_FAILED, e, NULL);
		break;
	case FL_NEIGH_REACHABLE:
		neigh_arm(t, e, FL_NEIGH_STALE, now + t->cfg.stale);
		return true;
	default: /* STALE, FAILED */
		t->st.expired++;
		break;
	}
	neigh_remove_at(t, i);
	return false;
}

void fl_neigh_tick(struct fl_neigh *t, fl_time_t now, const struct fl_l2_sink *sink)
{
	fl_time_t next = UINT64_MAX;

	if (now < t->next_due)
		return;
	/* neigh_arm lowers next_due while we walk; start from "never". */
	t->next_due = UINT64_MAX;
	for (size_t i = 0; i < t->cap; i++) {
		struct fl_neigh_entry *e = &t->slot[i];
		/* A removal may pull a later entry into slot i: look again. */
		while (e->state && e->due <= now && !neigh_fire(t, i, now, sink))
			;
		if (e->state && e->due < next)
			next = e->due;
	}
	if (next < now + NEIGH_TICK_GRAIN)
		next = now + NEIGH_TICK_GRAIN;
	if (next < t->next_due)
		t->next_due = next;
}

const char *fl_neigh_state_name(enum fl_neigh_state s)
{
	switch (s) {
	case FL_NEIGH_INCOMPLETE:
		return "incomplete";
	case FL_NEIGH_REACHABLE:
		return "reachable";
	case FL_NEIGH_STALE:
		return "stale";
	case FL_NEIGH_PROBE:
		return "probe";
	case FL_NEIGH_FAILED:
		return "failed";
	}
	return "free";
}
