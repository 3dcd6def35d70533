/* SPDX-License-Identifier: MIT */
/*
 * fenliu sign [FILE] and fenliu verify NODE [FILE]: tinc's signed
 * messages. sign prints "Signature = NAME TIME SIG" and then the input;
 * SIG is the Ed25519 signature (our ed25519_key.priv) over the input
 * followed by " NAME TIME", in tinc-b64. verify checks it against
 * hosts/NODE's key (NODE "." is us, "*" anyone we have a host file for)
 * and prints the message alone. Interchangeable with tinc's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "crypto/b64.h"
#include "crypto/ed25519.h"
#include "keys/keyfile_io.h"

#define SIGN_LINE_MAX 2048 /* tinc's MAX_STRING_SIZE - 1 */
#define SIGN_B64_LEN 86

/* All of FILE (or stdin) into a buffer with room for the trailer. */
static char *sign_read(const char *file, size_t *len, size_t extra)
{
	FILE *in = file ? fopen(file, "rb") : stdin;
	size_t cap = 4096, n;
	char *buf, *nb;

	if (!in) {
		fprintf(stderr, "Could not open %s: %s\n", file, strerror(errno));
		return NULL;
	}
	buf = malloc(cap + extra);
	*len = 0;
	while (buf && (n = fread(buf + *len, 1, cap - *len, in)) > 0) {
		*len += n;
		if (*len == cap) {
			cap *= 2;
			if (!(nb = realloc(buf, cap + extra)))
				free(buf);
			buf = nb;
		}
	}
	if (in != stdin)
		fclose(in);
	return buf;
}

int cli_sign(const struct fl_cli *cli, int argc, char **argv)
{
	char name[256], path[FL_CLI_PATH_MAX], err[KEYFILE_IO_ERRLEN], trailer[300];
	char sig_b64[SIGN_B64_LEN + 1], *data;
	uint8_t sig[FL_ED25519_SIG_LEN];
	struct fl_ed25519_key key;
	size_t len, tlen;
	long t;

	if (argc > 2) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (cli_conf_name(cli, name, sizeof name, true) != 1 ||
	    !cli_path(path, cli, "ed25519_key.priv"))
		return 1;
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "Could not open %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (keyfile_io_load_private(path, &key, err) != 0) {
		fprintf(stderr, "Could not read private key from %s\n", path);
		return 1;
	}
	t = (long)time(NULL);
	tlen = (size_t)snprintf(trailer, sizeof trailer, " %s %ld", name, t);
	if (!(data = sign_read(argc == 2 ? argv[1] : NULL, &len, tlen))) {
		fl_ed25519_key_wipe(&key);
		return 1;
	}
	memcpy(data + len, trailer, tlen);
	fl_ed25519_sign(&key, (uint8_t *)data, len + tlen, sig);
	fl_ed25519_key_wipe(&key);
	fl_b64_encode(sig_b64, sizeof sig_b64, sig, sizeof sig, false);
	printf("Signature = %s %ld %s\n", name, t, sig_b64);
	fwrite(data, len, 1, stdout);
	free(data);
	return 0;
}

/* The signer's public key from hosts/NODE. */
static int verify_key(const struct fl_cli *cli, const char *node, uint8_t pub[static 32])
{
	char path[FL_CLI_PATH_MAX + 300], err[KEYFILE_IO_ERRLEN];

	snprintf(path, sizeof path, "%s/hosts/%s", cli->confbase, node);
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "Could not open %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (keyfile_io_load_host_public(path, pub, err) == 0)
		return 0;
	fprintf(stderr, "Could not read public key from %s\n", path);
	return -1;
}

/* "Signature = SIGNER TIME SIG" checked; the message starts at *skip. */
static int verify_header(char *data, size_t len, char *signer, long *t,
			 uint8_t sig[static FL_ED25519_SIG_LEN], size_t *skip)
{
	char *nl = memchr(data, '\n', len), b64[SIGN_LINE_MAX + 1];
	size_t n = 0;

	if (!nl || nl - data > SIGN_LINE_MAX - 1)
		return -1;
	*nl = 0;
	*skip = (size_t)(nl - data) + 1;
	if (sscanf(data, "Signature = %2048s %ld %2048s", signer, t, b64) != 3 ||
	    strlen(b64) != SIGN_B64_LEN || !*t || !cli_name_valid(signer))
		return -1;
	if (fl_b64_decode(sig, FL_ED25519_SIG_LEN, &n, b64, SIGN_B64_LEN, NULL) != FL_B64_OK ||
	    n != FL_ED25519_SIG_LEN)
		return -2;
	return 0;
}

static int verify_data(const struct fl_cli *cli, const char *node, char *data, size_t len)
{
	char signer[SIGN_LINE_MAX + 1], trailer[SIGN_LINE_MAX + 40];
	uint8_t sig[FL_ED25519_SIG_LEN], pub[32];
	size_t skip, tlen;
	long t = 0;
	int r = verify_header(data, len, signer, &t, sig, &skip);

	if (r == -1) {
		fprintf(stderr, "Invalid input\n");
		return 1;
	}
	if (node && strcmp(node, signer)) {
		fprintf(stderr, "Signature is not made by %s\n", node);
		return 1;
	}
	if (verify_key(cli, signer, pub) < 0)
		return 1;
	tlen = (size_t)snprintf(trailer, sizeof trailer, " %s %ld", signer, t);
	memcpy(data + len, trailer, tlen);
	if (r != 0 || !fl_ed25519_verify(pub, (uint8_t *)data + skip, len - skip + tlen, sig)) {
		fprintf(stderr, "Invalid signature\n");
		return 1;
	}
	fwrite(data + skip, len - skip, 1, stdout);
	return 0;
}

int cli_verify(const struct fl_cli *cli, int argc, char **argv)
{
	char me[256], *data;
	const char *node = argv[1];
	size_t len;
	int r;

	if (argc < 2) {
		fprintf(stderr, "Not enough arguments!\n");
		return 1;
	}
	if (argc > 3) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (!strcmp(node, ".")) {
		if (cli_conf_name(cli, me, sizeof me, true) != 1)
			return 1;
		node = me;
	} else if (!strcmp(node, "*")) {
		node = NULL;
	} else if (!cli_name_valid(node)) {
		fprintf(stderr, "Invalid node name\n");
		return 1;
	}
	/* room for the trailer " SIGNER TIME" after the data */
	if (!(data = sign_read(argc == 3 ? argv[2] : NULL, &len, SIGN_LINE_MAX + 40)))
		return 1;
	r = verify_data(cli, node, data, len);
	free(data);
	return r;
}
