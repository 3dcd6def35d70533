/* SPDX-License-Identifier: MIT */
/* fuzz_conf.c: libFuzzer target for the config text parser and the value
 * checks (src/conf): any bytes as a config file, then every entry
 * checked, the support table applied (its messages formatted) and the
 * typed settings resolved. Must never crash or leak. */
#include "conf/conf.h"
#include "conf/conf_settings.h"
#include "conf/conf_support.h"
#include "conf/conf_vars.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(void *ctx, const char *msg)
{
	size_t *n = ctx;
	while (*msg++)
		(*n)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_conf c;
	struct fl_conf_warned w = {0};
	fl_conf_init(&c);
	fl_conf_parse(&c, (const char *)data, size, "fuzz", NULL);
	fl_conf_check(&c, &w, NULL);
	size_t chars = 0;
	struct fl_conf_reporter r = {sink, sink, &chars};
	fl_conf_support_check(&c, &r);
	struct fl_settings s;
	if (fl_settings_load(&s, &c, "fuzz") == FL_CONF_OK)
		fl_settings_free(&s);
	struct fl_host_settings h;
	if (fl_host_settings_load(&h, &c) == FL_CONF_OK)
		fl_host_settings_free(&h);
	fl_conf_warned_free(&w);
	fl_conf_free(&c);
	return 0;
}
