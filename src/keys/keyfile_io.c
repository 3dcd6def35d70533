/* SPDX-License-Identifier: MIT */
/*
 * Key files on disk (keyfile_io.h): bounded reads, the permission rule for
 * private keys (KEYS.md §3.5: fenliu refuses what tinc only warns about),
 * and atomic replacement. Called by the fenliu verbs init and
 * generate-ed25519-keys, and by anything that loads keys from CONFBASE.
 */
#include "keys/keyfile_io.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/ed25519_keyfile.h"

/* A message into err; a path too long for it is cut, never overrun. */
__attribute__((format(printf, 2, 3)))
static void io_msg(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, KEYFILE_IO_ERRLEN, fmt, ap);
	va_end(ap);
}

static int io_fail(char *err, int e, const char *path, const char *what)
{
	io_msg(err, "%s: %s: %s", path, what, strerror(e));
	return -e;
}

/* Read all of fd (size from fstat, re-checked by reading to EOF). */
static int io_read_fd(int fd, const char *path, const struct stat *st,
		      char **text, size_t *len, char *err)
{
	size_t cap = (size_t)st->st_size + 1, n = 0;
	char *buf = malloc(cap + 1);

	if (!buf)
		return io_fail(err, ENOMEM, path, "cannot read");
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			keyfile_io_free(buf, n);
			return io_fail(err, e, path, "cannot read");
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) { /* grew while we read: refuse rather than chase it */
			keyfile_io_free(buf, n);
			io_msg(err, "%s: file changed while being read", path);
			return -EAGAIN;
		}
	}
	buf[n] = 0;
	*text = buf;
	*len = n;
	return 0;
}

int keyfile_io_read(const char *path, char **text, size_t *len, struct stat *st,
		    char err[static KEYFILE_IO_ERRLEN])
{
	struct stat sb;
	int fd, ret;

	*text = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO planted as a key file must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return io_fail(err, errno, path, "cannot open");
	if (fstat(fd, &sb) != 0) {
		ret = io_fail(err, errno, path, "cannot stat");
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		io_msg(err, "%s: not a regular file", path);
		ret = -EINVAL;
		goto out;
	}
	if ((uintmax_t)sb.st_size > KEYFILE_IO_MAX_SIZE) {
		io_msg(err, "%s: file too large (%jd bytes, limit %u)",
		       path, (intmax_t)sb.st_size, KEYFILE_IO_MAX_SIZE);
		ret = -EFBIG;
		goto out;
	}
	ret = io_read_fd(fd, path, &sb, text, len, err);
	if (ret == 0 && st)
		*st = sb;
out:
	close(fd);
	return ret;
}

void keyfile_io_free(char *text, size_t len)
{
	if (!text)
		return;
	sodium_memzero(text, len);
	free(text);
}

int keyfile_io_load_private(const char *path, struct fl_ed25519_key *key,
			    char err[static KEYFILE_IO_ERRLEN])
{
	struct fl_keyfile_diag d;
	struct stat st;
	char *text;
	size_t len;

	int r = keyfile_io_read(path, &text, &len, &st, err);

	if (r == -ENOENT) { /* tinc gives the same hint */
		size_t n = strlen(err);
		snprintf(err + n, KEYFILE_IO_ERRLEN - n, " (make one with: fenliu generate-ed25519-keys)");
	}
	if (r != 0)
		return -1;
	if (st.st_mode & 077) {
		io_msg(err, "%s: private key is accessible by group or others (mode %04o); "
		       "fix with: chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
		keyfile_io_free(text, len);
		return -1;
	}
	if (fl_keyfile_read_private(key, text, len, &d) != FL_KEYFILE_OK) {
		fl_keyfile_describe(err, KEYFILE_IO_ERRLEN, path, &d);
		keyfile_io_free(text, len);
		return -1;
	}
	keyfile_io_free(text, len);
	return 0;
}

int keyfile_io_load_host_public(const char *path, uint8_t pub[static FL_ED25519_PUBLIC_LEN],
				char err[static KEYFILE_IO_ERRLEN])
{
	struct fl_keyfile_diag d;
	char *text;
	size_t len;
	int ret = 0;

	if (keyfile_io_read(path, &text, &len, NULL, err) != 0)
		return -1;
	if (fl_keyfile_read_host_public(pub, text, len, &d) != FL_KEYFILE_OK) {
		fl_keyfile_describe(err, KEYFILE_IO_ERRLEN, path, &d);
		ret = -1;
	}
	keyfile_io_free(text, len);
	return ret;
}

static int io_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding path, so a rename or create survives a crash. */
static int io_sync_dir(const char *path)
{
	char dir[4096];
	int fd, ret;

	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
		return -1;
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

int keyfile_io_create(const char *path, const char *data, size_t len, mode_t mode,
		      char err[static KEYFILE_IO_ERRLEN])
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		return io_fail(err, errno, path, "cannot create"), -1;
	if (io_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return io_fail(err, e, path, "cannot write"), -1;
	}
	if (close(fd) != 0) {
		int e = errno;
		unlink(path);
		return io_fail(err, e, path, "cannot write"), -1;
	}
	io_sync_dir(path);
	return 0;
}

/* Write text to a fresh temporary file beside path and rename it over
 * path. The temporary starts as 0600 (mkstemp) and gets mode before any
 * byte is written. */
static int io_write_atomic(const char *path, const char *text, size_t len, mode_t mode,
			   char *err)
{
	char tmp[4096 + 16];
	int fd, e;

	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
		return io_fail(err, ENAMETOOLONG, path, "cannot write"), -1;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return io_fail(err, errno, path, "cannot create temporary file"), -1;
	if (fchmod(fd, mode) != 0 || io_write_all(fd, text, len) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		return io_fail(err, e, path, "cannot replace"), -1;
	}
	io_sync_dir(path);
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return io_fail(err, e, tmp, "cannot write"), -1;
}

static mode_t io_default_mode(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return 0666 & ~mask;
}

int keyfile_io_replace(const char *path, const char *add, size_t addlen, mode_t mode,
		       bool *disabled, char err[static KEYFILE_IO_ERRLEN])
{
	char *old = NULL, *text;
	size_t oldlen = 0, n, cap;
	struct stat st;
	int r, ret = -1;

	*disabled = false;
	r = keyfile_io_read(path, &old, &oldlen, &st, err);
	if (r != 0 && r != -ENOENT)
		return -1;
	if (mode == 0)
		mode = r == 0 ? (st.st_mode & 07777) : io_default_mode();
	cap = 2 * oldlen + 1 + addlen + 1;
	text = malloc(cap);
	if (!text) {
		io_fail(err, ENOMEM, path, "cannot rewrite");
		goto out;
	}
	n = fl_keyfile_disable_old(text, cap, old ? old : "", oldlen, disabled);
	if (n > 0 && text[n - 1] != '\n')
		text[n++] = '\n'; /* tinc would glue the new key onto the last line */
	memcpy(text + n, add, addlen);
	n += addlen;
	ret = io_write_atomic(path, text, n, mode, err);
	keyfile_io_free(text, cap);
out:
	keyfile_io_free(old, oldlen);
	return ret;
}
