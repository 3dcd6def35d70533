/* SPDX-License-Identifier: MIT */
/* fld_notify.c: sd_notify(3) messages for systemd's Type=notify units,
 * through libsystemd when fenliud is built with it (FL_HAVE_SYSTEMD), else
 * nothing. libsystemd reads NOTIFY_SOCKET itself, so a daemon started by
 * hand (no NOTIFY_SOCKET) sends nothing either. Errors are ignored: there
 * is nobody to tell, and sd_notify(3) says a daemon must not care. */
#include "daemon/fld_notify.h"

#ifdef FL_HAVE_SYSTEMD
#include <stdbool.h>
#include <systemd/sd-daemon.h>

/* Watchdog interval in ms as the unit asked (WATCHDOG_USEC), 0 = off;
 * read once, on the first tick. Control thread only. */
static fl_time_t wd_interval; /* µs, as systemd gives it */
static fl_time_t wd_last;
static bool wd_checked;

void fld_notify_ready(void)
{
	sd_notify(0, "READY=1\nSTATUS=Running");
}

void fld_notify_reloading(void)
{
	sd_notify(0, "RELOADING=1\nSTATUS=Reloading configuration");
}

void fld_notify_reloaded(int err)
{
	if (err)
		sd_notifyf(0, "READY=1\nSTATUS=Reload failed: error %d", err);
	else
		sd_notify(0, "READY=1\nSTATUS=Running");
}

void fld_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=Shutting down");
}

void fld_notify_watchdog(fl_time_t now)
{
	if (!wd_checked) {
		uint64_t usec = 0;
		wd_checked = true;
		/* > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID is us. */
		if (sd_watchdog_enabled(0, &usec) > 0)
			wd_interval = usec;
	}
	if (!wd_interval)
		return;
	/* The tick runs once a second, so intervals under 2 s cannot be met;
	 * systemd's own advice is to ping at half the interval. */
	if (wd_last && now - wd_last < wd_interval / 2)
		return;
	wd_last = now;
	sd_notify(0, "WATCHDOG=1");
}

#else

void fld_notify_ready(void) {}
void fld_notify_reloading(void) {}
void fld_notify_reloaded(int err) { (void)err; }
void fld_notify_stopping(void) {}
void fld_notify_watchdog(fl_time_t now) { (void)now; }

#endif
