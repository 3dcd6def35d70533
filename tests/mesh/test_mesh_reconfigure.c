/* SPDX-License-Identifier: MIT */
/*
 * test_mesh_reconfigure.c: mesh_reconfigure (reload, CONFIG.md §6 step 2)
 * takes the reloadable settings with mesh_new's defaults and clamping, and
 * our new option bits, and keeps name and port.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mesh/mesh_internal.h"

static void test_reconfigure(void **st)
{
	struct mesh_config cfg = {0};
	struct mesh *m;

	(void)st;
	cfg.myname = "me";
	cfg.my_udp_port = "700";
	cfg.my_options = MESH_OPT_PMTU_DISCOVERY;
	m = mesh_new(&cfg, FL_TIME_MS(1000));
	assert_non_null(m);
	assert_int_equal(m->cfg.ping_interval, 60);
	assert_int_equal(m->cfg.ping_timeout, 5);
	assert_int_equal(m->cfg.max_timeout, 900);

	memset(&cfg, 0, sizeof(cfg));
	cfg.myname = "other";	/* not reloadable: ignored */
	cfg.ping_interval = 10;
	cfg.ping_timeout = 20;	/* above PingInterval: clamped */
	cfg.max_timeout = 30;
	cfg.autoconnect = true;
	cfg.my_options = MESH_OPT_TCPONLY | MESH_OPT_INDIRECT;
	mesh_reconfigure(m, &cfg);
	assert_int_equal(m->cfg.ping_interval, 10);
	assert_int_equal(m->cfg.ping_timeout, 10);
	assert_int_equal(m->cfg.max_timeout, 30);
	assert_true(m->cfg.autoconnect);
	assert_int_equal(mesh_myself(m)->options & 0xffffff, MESH_OPT_TCPONLY | MESH_OPT_INDIRECT);
	assert_int_equal(mesh_myself(m)->options >> 24, MESH_PROT_MINOR);
	assert_string_equal(mesh_myself(m)->name, "me");
	assert_string_equal(m->cfg.my_udp_port, "700");
	mesh_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reconfigure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
