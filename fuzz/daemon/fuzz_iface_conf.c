/* SPDX-License-Identifier: MIT */
/*
 * fuzz_iface_conf.c: the interfaces/NAME parser (daemon/fld_iface_conf.h)
 * on arbitrary text: it must refuse or accept without crashing, and an
 * accepted file must satisfy what the daemon relies on.
 */
#include <stdint.h>
#include <stdlib.h>

#include "daemon/fld_iface_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fld_iface_conf c;

	if (fld_iface_conf_parse("interfaces/lan0", "lan0", (const char *)data, size, NULL, &c) == 0) {
		if ((c.role != FLD_IFACE_LAN && c.role != FLD_IFACE_OFFLOAD && c.role != FLD_IFACE_LOCAL) ||
		    c.n_addr > FLD_IFACE_ADDR_MAX || c.n_fwd > FLD_IFACE_FWD_MAX || (c.n_fwd && !c.has_vpnnat))
			abort();
		/* offload and local: static addresses only, no NAT; an offload
		 * block has one address per family and a TAP a gateway for each. */
		if (c.role != FLD_IFACE_LAN && (c.has_vpnnat || c.n_fwd || c.dhcp || c.slaac))
			abort();
		if (c.role == FLD_IFACE_OFFLOAD) {
			unsigned n4 = 0, n6 = 0;
			for (size_t i = 0; i < c.n_addr; i++)
				*(c.addr[i].family == 4 ? &n4 : &n6) += 1;
			if (!c.n_addr || n4 > 1 || n6 > 1 || (c.tap && ((n4 && !c.has_gw4) || (n6 && !c.has_gw6))))
				abort();
		}
		for (size_t i = 0; i < c.n_addr; i++)
			if ((c.addr[i].family != 4 && c.addr[i].family != 6) ||
			    c.addr[i].plen > (c.addr[i].family == 4 ? 32 : 128))
				abort();
	}
	return 0;
}
