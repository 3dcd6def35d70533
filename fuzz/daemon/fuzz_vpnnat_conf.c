/* SPDX-License-Identifier: MIT */
/* fuzz_vpnnat_conf.c: libFuzzer target for fld_vpnnat_conf.c, the VPNNat
 * and PortForward lines of interfaces/NAME. The input is the file's text.
 * Invariants: nothing crashes; on success every forward is TCP or UDP,
 * has non-zero ports and a LAN host inside the test prefix, and no port
 * or LAN endpoint is forwarded twice; on failure nothing is left.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/fld_vpnnat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *lines[] = {"192.168.192.0/24", "10.0.0.0/8"};
	static const struct fl_strv subnets = {lines, 2};
	static const struct fl_conf_reporter rep = {quiet, quiet, NULL};
	struct fld_vpnnat_prefix pfx = {htonl(0xc0a8c802), 24}; /* 192.168.200.2/24 */
	struct fld_vpnnat_conf c;

	if (fld_vpnnat_conf_parse_text("interfaces/lan0", (const char *)data, size, &subnets, &pfx, 1,
				       &rep, &c) < 0) {
		if (c.on || c.fwd || c.n_fwd)
			abort();
		return 0;
	}
	for (size_t i = 0; i < c.n_fwd; i++) {
		const struct fld_vpnnat_fwd *f = &c.fwd[i];
		if ((f->proto != 6 && f->proto != 17) || !f->ext_port || !f->int_port || !c.on)
			abort();
		if ((f->int_addr & htonl(0xffffff00)) != htonl(0xc0a8c800))
			abort();
		for (size_t k = 0; k < i; k++)
			if (c.fwd[k].proto == f->proto &&
			    (c.fwd[k].ext_port == f->ext_port ||
			     (c.fwd[k].int_addr == f->int_addr && c.fwd[k].int_port == f->int_port)))
				abort();
	}
	fld_vpnnat_conf_free(&c);
	return 0;
}
