/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for what invitations read from outside: the URL a user
 * pastes (src/invite/inv_url.c), an invitation file's first line and the
 * key texts (inv_file.c), and the invitation a joiner receives
 * (src/cli/cli_join_data.c). Each either fails cleanly or gives results
 * that keep their promises: names follow the node name rule, the tinc-up
 * text holds no shell metacharacters from the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_join_data.h"
#include "invite/inv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *s)
{
	if (!fl_inv_name_ok(s, strlen(s)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_inv_url u;
	struct cli_join_plan p;
	char name[64];
	uint8_t pub[32];

	if (fl_inv_url_parse(&u, (const char *)data, size) == FL_INV_OK && !u.port[0])
		abort();
	if (fl_inv_file_name(name, sizeof name, data, size) == FL_INV_OK)
		check_name(name);
	fl_inv_parse_key(pub, (const char *)data, size);
	for (int force = 0; force < 2; force++) {
		if (cli_join_plan(&p, (const char *)data, size, force) == CLI_JOIN_OK) {
			check_name(p.name);
			for (size_t i = 0; i < p.n_hosts; i++)
				check_name(p.hosts[i].name);
			if (strpbrk(p.up.s, ";`|&<("))
				abort();
		}
		cli_join_plan_free(&p);
	}
	return 0;
}
