/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the key-file readers (src/crypto/ed25519_keyfile.c):
 * the same bytes go to the private key reader, the PEM public reader, the
 * host-file reader and the Ed25519PublicKey value parser. Each must return
 * cleanly; a private key it accepts must be consistent (A = a·B) and
 * survive a write/read round trip unchanged; every error must describe.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/ed25519_keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_describe(const struct fl_keyfile_diag *d)
{
	char msg[512];

	if (fl_keyfile_describe(msg, sizeof msg, "fuzz", d) <= 0)
		abort();
}

static void check_private(const char *text, size_t size)
{
	char out[FL_KEYFILE_PRIV_TEXT_LEN + 1];
	struct fl_ed25519_key key, again;
	struct fl_keyfile_diag d;
	uint8_t pub[32];

	if (fl_keyfile_read_private(&key, text, size, &d) != FL_KEYFILE_OK) {
		check_describe(&d);
		return;
	}
	if (fl_ed25519_public_from_expanded(pub, key.expanded) != 0 ||
	    memcmp(pub, key.pub, 32) != 0)
		abort();
	fl_keyfile_format_private(out, &key);
	if (strlen(out) != FL_KEYFILE_PRIV_TEXT_LEN ||
	    fl_keyfile_read_private(&again, out, FL_KEYFILE_PRIV_TEXT_LEN, &d) != FL_KEYFILE_OK ||
	    memcmp(&key, &again, sizeof key) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	const char *text = (const char *)data;
	struct fl_keyfile_diag d;
	uint8_t pub[32];
	char line[FL_KEYFILE_PUB_LINE_LEN + 1];

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = true;
	}
	check_private(text, size);
	if (fl_keyfile_read_public_pem(pub, text, size, &d) != FL_KEYFILE_OK)
		check_describe(&d);
	if (fl_keyfile_parse_public_value(pub, text, size, &d) != FL_KEYFILE_OK)
		check_describe(&d);
	if (fl_keyfile_read_host_public(pub, text, size, &d) == FL_KEYFILE_OK) {
		if (!crypto_core_ed25519_is_valid_point(pub))
			abort();
		fl_keyfile_format_public_line(line, pub);
		uint8_t pub2[32];
		if (fl_keyfile_read_host_public(pub2, line, strlen(line), &d) != FL_KEYFILE_OK ||
		    memcmp(pub, pub2, 32) != 0)
			abort();
	} else {
		check_describe(&d);
	}
	if (size < 65536) {
		char *out = malloc(2 * size + 1);
		bool disabled;
		size_t n = out ? fl_keyfile_disable_old(out, 2 * size + 1, text, size, &disabled) : 0;
		if (!out || n == (size_t)-1 || n < size)
			abort();
		free(out);
	}
	return 0;
}
