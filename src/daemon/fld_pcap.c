/* SPDX-License-Identifier: MIT */
/*
 * `fenliu pcap` (and stock `tinc pcap`) against fenliud: copies of the
 * frames routing sees go to every control client that sent REQ_PCAP, as
 * tincd sends them (spec/CONFIG.md §5.2: "18 14 LEN" then LEN bytes,
 * truncated to the client's snaplen). The dataplane offers frames only
 * while its pcap flag is set, so without a listener the packet path pays
 * one test. Routing runs on the control thread, which owns the client
 * buffers (fl_ctl_server_pcap sends nothing from another thread).
 */
#include "daemon/fld.h"

/* ops.pcap: false once no client wants copies (the dataplane stops). */
bool fld_pcap_copy(void *ctx, const uint8_t *frame, size_t len)
{
	struct fld *d = ctx;

	return d->ctl && fl_ctl_server_pcap(d->ctl, frame, len);
}

/* After any control socket event: a client may have asked for copies
 * (REQ_PCAP) or gone away. */
void fld_pcap_update(struct fld *d)
{
	if (d->dp && d->ctl)
		fl_dp_set_pcap(d->dp, fl_ctl_server_pcap_wanted(d->ctl));
}
