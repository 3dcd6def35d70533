/* SPDX-License-Identifier: MIT */
/*
 * KeyExpire (CONFIG.md §3.1, default 3600 s): every KeyExpire seconds
 * force a re-key of the UDP SPTPS session of each reachable node that has
 * a valid key, as tincd does on its key expiry timer. The meta connections'
 * SPTPS sessions are not re-keyed (tincd does not either). The interval is
 * re-read on reload and applies from the next expiry on. Called from
 * fld_loop.c's one-second timer; control thread only.
 */
#include "daemon/dlog.h"
#include "daemon/fld.h"

void fld_keyexpire_start(struct fld *d)
{
	int s = d->cfg->s.key_expire;

	d->next_keyexpire = s > 0 ? fld_now(d) + FL_TIME_S(s) : 0;
}

static void keyexpire_node(struct fld *d, struct fld_node *fn)
{
	enum fl_sptps_err err;
	uint32_t want = MESH_NS_REACHABLE | MESH_NS_VALIDKEY;

	if (!fn->udp || fn->n == mesh_myself(d->mesh) || (fn->n->status & want) != want)
		return;
	if (!fl_sptps_keyed(fn->udp) || fl_sptps_handshaking(fn->udp))
		return;
	err = fl_sptps_force_kex(fn->udp, 0);
	if (err != FL_SPTPS_OK)
		fl_dlog(FL_DLOG_DEBUG, "Could not re-key with %s: %s", fn->n->name,
			fl_sptps_strerror(err));
}

void fld_keyexpire_tick(struct fld *d)
{
	fl_time_t now = fld_now(d);

	if (!d->next_keyexpire || now < d->next_keyexpire) {
		if (!d->next_keyexpire && d->cfg->s.key_expire > 0)
			fld_keyexpire_start(d); /* enabled by a reload */
		return;
	}
	fl_dlog(FL_DLOG_INFO, "Expiring symmetric keys");
	/* Index loop: a re-key's outputs may add nodes to d->nodes. */
	for (size_t i = 0; i < d->n_nodes; i++)
		keyexpire_node(d, d->nodes[i]);
	fld_keyexpire_start(d);
}
