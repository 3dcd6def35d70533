/* SPDX-License-Identifier: MIT */
/*
 * fld_udpoff.c: turning the UDP offloads of src/io/udp.h on for fenliud's
 * listening sockets at start (UDP_SEGMENT sends on each transmit queue,
 * UDP_GRO receives on each receive queue), with the one log line saying
 * which is used, and the line when a send turns UDP_SEGMENT off later.
 * Environment, for debugging: FENLIU_NO_UDP_GSO=1 sends with sendmmsg,
 * FENLIU_NO_UDP_GRO=1 receives with plain recvmmsg. Control thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"

static bool udpoff_env_off(const char *name)
{
	const char *v = getenv(name);
	return v && *v && strcmp(v, "0") != 0;
}

static void udpoff_gso_off(void *ctx, int err)
{
	(void)ctx;
	fl_dlog(FL_DLOG_WARN, "UDP_SEGMENT send failed (%s): sending with sendmmsg from now on",
		strerror(err));
}

/* Why an offload is not used, for the log line. */
static const char *udpoff_why(bool env_off, const char *env, int err, char *buf, size_t size)
{
	if (env_off)
		snprintf(buf, size, " (%s set)", env);
	else if (err)
		snprintf(buf, size, " (%s)", strerror(err));
	else
		buf[0] = '\0';
	return buf;
}

void fld_udpoff_start(struct fld *d)
{
	bool no_gso = udpoff_env_off("FENLIU_NO_UDP_GSO");
	bool no_gro = udpoff_env_off("FENLIU_NO_UDP_GRO");
	bool gso = d->n_listen > 0, gro = d->n_listen > 0;
	int gso_err = 0, gro_err = 0;
	char w1[96], w2[96];

	for (size_t i = 0; i < d->n_listen; i++) {
		struct fl_udp_txq *q = &d->txq[i];
		if (!fl_udp_txq_gso(q, !no_gso)) {
			gso = false;
			if (!gso_err)
				gso_err = q->gso_off_err;
		}
		q->on_gso_off = udpoff_gso_off;
		if (fl_udp_rxq_init(&d->rxq[i], d->listen[i].udp, !no_gro) < 0 || !d->rxq[i].gro) {
			gro = false;
			if (!gro_err)
				gro_err = d->rxq[i].gro_err;
		}
	}
	fl_dlog(FL_DLOG_INFO, "UDP: sending with %s%s, receiving with %s%s",
		gso ? "UDP_SEGMENT" : "sendmmsg",
		gso ? "" : udpoff_why(no_gso, "FENLIU_NO_UDP_GSO", gso_err, w1, sizeof(w1)),
		gro ? "UDP_GRO" : "recvmmsg",
		gro ? "" : udpoff_why(no_gro, "FENLIU_NO_UDP_GRO", gro_err, w2, sizeof(w2)));
}

void fld_udpoff_stop(struct fld *d)
{
	for (size_t i = 0; i < d->n_listen; i++)
		fl_udp_rxq_free(&d->rxq[i]);
}
