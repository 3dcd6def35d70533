/* SPDX-License-Identifier: MIT */
/*
 * fuzz_proxy: a proxy's replies (io/proxy.h) are untrusted bytes. The
 * first input byte picks the handshake (SOCKS 4, SOCKS 5 without or with a
 * password, HTTP; IPv4 or IPv6), the second the piece size; the rest is
 * what the proxy sends. The machine is run twice, on pieces and on the
 * whole reply (re-offering what a step left unconsumed), and must give the
 * same result and consume the same bytes, never more than it was given.
 * Aborts otherwise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "io/proxy.h"

static const uint8_t addr[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 7};

static void setup(struct fl_proxy_hs *h, uint8_t sel)
{
	static const enum fl_proxy_type types[] = {FL_PROXY_SOCKS4, FL_PROXY_SOCKS5,
						    FL_PROXY_SOCKS5, FL_PROXY_HTTP};
	enum fl_proxy_type t = types[sel & 3];
	int fam = (sel & 4) && t != FL_PROXY_SOCKS4 ? AF_INET6 : AF_INET;
	uint8_t out[FL_PROXY_OUT_MAX];
	size_t ol;

	if (fl_proxy_hs_init(h, t, fam, addr, 655, "user", (sel & 3) == 2 ? "pass" : NULL) !=
		    FL_PROXY_MORE ||
	    fl_proxy_hs_start(h, out, sizeof(out), &ol) != FL_PROXY_MORE || ol > sizeof(out))
		abort();
}

/* Run over data in pieces of step bytes; returns the result, *used the
 * bytes consumed. */
static enum fl_proxy_err run(uint8_t sel, const uint8_t *data, size_t len, size_t step,
			     size_t *used)
{
	struct fl_proxy_hs h;
	enum fl_proxy_err e = FL_PROXY_MORE;
	uint8_t out[FL_PROXY_OUT_MAX];

	setup(&h, sel);
	*used = 0;
	while (e == FL_PROXY_MORE && *used < len) {
		size_t n = len - *used < step ? len - *used : step, c = 0, ol = 0;
		e = fl_proxy_hs_input(&h, data + *used, n, &c, out, sizeof(out), &ol);
		if (c > n || ol > sizeof(out) || (e == FL_PROXY_MORE && !c && !ol))
			abort();
		*used += c;
	}
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t u1, u2;

	if (size < 2)
		return 0;
	enum fl_proxy_err a = run(data[0], data + 2, size - 2, (size_t)data[1] % 9 + 1, &u1);
	enum fl_proxy_err b = run(data[0], data + 2, size - 2, size, &u2);
	if (a != b || u1 != u2 || u1 > size - 2)
		abort();
	if (a != FL_PROXY_MORE && !fl_proxy_strerror(a)[0])
		abort();
	return 0;
}
