/* SPDX-License-Identifier: MIT */
/*
 * The process settings of tincd's command line and tinc.conf: -L
 * (mlockall), ProcessPriority, and -U USER / -R (drop privileges, chroot
 * into the configuration directory). main() locks memory right after
 * detaching; main_start() changes the priority and drops privileges once
 * the device, the sockets and the control socket are open, before the
 * first outgoing connection, in tincd's order: groups, chroot, then the
 * user. Any failure stops the start: a security setting never degrades
 * to a warning (issue 18.1). Control thread only.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"

/* mlockall of a sanitizer build would try to lock its terabytes of shadow
 * memory: refuse instead of bringing the machine down. */
#if defined(__SANITIZE_ADDRESS__)
#define FLD_PRIVS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLD_PRIVS_SANITIZED 1
#endif
#endif

int fld_privs_mlock(void)
{
#ifdef FLD_PRIVS_SANITIZED
	fl_dlog(FL_DLOG_ERR, "-L (mlock) is not available in a sanitizer build");
	return -1;
#else
	if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
		fl_dlog(FL_DLOG_ERR, "System call `%s' failed: %s", "mlockall", strerror(errno));
		return -1;
	}
	return 0;
#endif
}

int fld_privs_priority(const struct fl_settings *s)
{
	/* tincd's nice values: low 10, normal 0, high -10. */
	static const int nice_of[] = {[FL_PRIO_LOW] = 10, [FL_PRIO_NORMAL] = 0, [FL_PRIO_HIGH] = -10};

	if (s->process_priority == FL_PRIO_UNCHANGED)
		return 0;
	if (setpriority(PRIO_PROCESS, 0, nice_of[s->process_priority]) != 0) {
		fl_dlog(FL_DLOG_ERR, "System call `%s' failed: %s", "setpriority", strerror(errno));
		return -1;
	}
	return 0;
}

/* The groups and gid of user (before chroot: /etc is outside it). */
static int privs_groups(const char *user, uid_t *uid)
{
	struct passwd *pw = getpwnam(user);

	if (!pw) {
		fl_dlog(FL_DLOG_ERR, "unknown user `%s'", user);
		return -1;
	}
	*uid = pw->pw_uid;
	if (initgroups(user, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0) {
		fl_dlog(FL_DLOG_ERR, "System call `%s' failed: %s", "initgroups", strerror(errno));
		return -1;
	}
	endgrent();
	endpwent();
	return 0;
}

int fld_privs_drop(struct fld *d, const char *user, bool do_chroot)
{
	static char chroot_base[] = "";
	uid_t uid = 0;

	if (user && privs_groups(user, &uid) < 0)
		return -1;
	if (do_chroot) {
		tzset(); /* log timestamps need the zone file, outside the root */
		if (chroot(d->confbase) != 0 || chdir("/") != 0) {
			fl_dlog(FL_DLOG_ERR, "System call `%s' failed: %s", "chroot", strerror(errno));
			return -1;
		}
		/* Paths are built as CONFBASE/...: "" makes them "/hosts/NAME". */
		d->confbase = chroot_base;
	}
	if (user && setuid(uid) != 0) {
		fl_dlog(FL_DLOG_ERR, "System call `%s' failed: %s", "setuid", strerror(errno));
		return -1;
	}
	if (user || do_chroot)
		fl_dlog(FL_DLOG_INFO, "Privileges dropped:%s%s%s", user ? " user " : "",
			user ? user : "", do_chroot ? " chroot" : "");
	return 0;
}
