/* SPDX-License-Identifier: MIT */
/*
 * Key files on disk: reading with the checks that need the file system
 * (size, file type, permissions), and tinc's key replacement made atomic
 * (write a temporary file in the same directory, fsync, rename, fsync the
 * directory). The parsing itself is src/crypto/ed25519_keyfile.c.
 * Used by the fenliu verbs and by fenliud (its key and hosts/ keys).
 *
 * Errors come back as one line in err ("FILE:LINE: what" or
 * "FILE: what: strerror"), never printed here.
 */
#ifndef FL_DAEMON_KEYS_KEYFILE_IO_H
#define FL_DAEMON_KEYS_KEYFILE_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "crypto/ed25519.h"

#define KEYFILE_IO_ERRLEN 1024
#define KEYFILE_IO_MAX_SIZE (1u << 20) /* no key or host file is larger */

/* Read a whole regular file (at most KEYFILE_IO_MAX_SIZE bytes) into a
 * malloc-ed, NUL-terminated buffer. If st is not NULL it gets the file's
 * stat. Returns 0, or -errno (-ENOENT for a missing file) with err set. */
int keyfile_io_read(const char *path, char **text, size_t *len, struct stat *st,
		    char err[static KEYFILE_IO_ERRLEN]);

/* Free a buffer from keyfile_io_read, wiping it first. */
void keyfile_io_free(char *text, size_t len);

/* Load our private key (KEYS.md §3): refused if group or others may access
 * the file (the message names the chmod 600 that fixes it) or if the text
 * is bad in any way ed25519_keyfile.c refuses. 0 or -1. */
int keyfile_io_load_private(const char *path, struct fl_ed25519_key *key,
			    char err[static KEYFILE_IO_ERRLEN]);

/* Load a node's public key from its host file (KEYS.md §4.3). 0 or -1. */
int keyfile_io_load_host_public(const char *path, uint8_t pub[static FL_ED25519_PUBLIC_LEN],
				char err[static KEYFILE_IO_ERRLEN]);

/* Replace path's content atomically with: the old content with old keys
 * commented out (tinc's "disable old keys"), a newline if it lacked one,
 * then add. A missing file counts as empty. The new file gets mode (a
 * private key file always 0600; an existing public file keeps its mode,
 * a new one 0666 minus the umask when mode is 0). *disabled tells whether
 * old keys were found. 0 or -1 (the old file is then untouched). */
int keyfile_io_replace(const char *path, const char *add, size_t addlen, mode_t mode,
		       bool *disabled, char err[static KEYFILE_IO_ERRLEN]);

/* Write a new file that must not exist yet (O_EXCL), fsync it. 0 or -1. */
int keyfile_io_create(const char *path, const char *data, size_t len, mode_t mode,
		      char err[static KEYFILE_IO_ERRLEN]);

#endif
