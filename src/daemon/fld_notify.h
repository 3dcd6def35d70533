/* SPDX-License-Identifier: MIT */
/* fld_notify.h: tells a supervisor (systemd's Type=notify) where fenliud is
 * in its life: ready, reloading, stopping, still alive. Called by fenliud's
 * control thread only. Without libsystemd every call is a no-op. */
#ifndef FL_FLD_NOTIFY_H
#define FL_FLD_NOTIFY_H

#include <stdint.h>

#include "wire/fl_time.h"

/* After the device, sockets and control socket are up and tinc-up ran. */
void fld_notify_ready(void);
/* Around a configuration reload (SIGHUP or the control verb). */
void fld_notify_reloading(void);
void fld_notify_reloaded(int err);
/* Once, when the daemon starts to shut down. */
void fld_notify_stopping(void);
/* From the periodic tick; sends WATCHDOG=1 when the unit has WatchdogSec
 * set and half of its interval has passed since the last one. now is
 * fld_now(d). */
void fld_notify_watchdog(fl_time_t now);

#endif
