/* SPDX-License-Identifier: MIT */
/*
 * dp_sptps.h: binds the dataplane's seal/open interface (struct
 * fl_dp_crypto) to src/crypto's SPTPS datagram sessions: the record is
 * sealed and opened with the split functions (fl_sptps_seal/open with an
 * explicit seqno and key snapshot), the replay window is the session's own.
 * The daemon creates one per thread and passes the filled fl_dp_crypto to
 * fl_dp_new(); the `sess` of each peer is its struct fl_sptps *.
 */
#ifndef FL_DP_SPTPS_H
#define FL_DP_SPTPS_H

#include "dataplane/dataplane.h"

struct fl_dp_sptps;

/* NULL on allocation failure. */
struct fl_dp_sptps *fl_dp_sptps_new(void);
void fl_dp_sptps_free(struct fl_dp_sptps *c);
/* Fill out with functions that use c. */
void fl_dp_sptps_crypto(struct fl_dp_sptps *c, struct fl_dp_crypto *out);

#endif
