/* SPDX-License-Identifier: MIT */
/*
 * tool_io.h: the little I/O the test tools in tools/ share (sptps_pair,
 * meta_flood): a monotonic clock in milliseconds and a blocking send of a
 * whole buffer.
 */
#ifndef FL_TOOL_IO_H
#define FL_TOOL_IO_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds on CLOCK_MONOTONIC. */
uint64_t tool_now_ms(void);

/* Sends all LEN bytes of BUF on socket FD (retrying on EINTR, no SIGPIPE);
 * 0, or -1 with errno set. */
int tool_write_all(int fd, const uint8_t *buf, size_t len);

#endif
