/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hmac.h - HMAC-SHA256 as lowercase hex, and random hex strings: what the
 * signed ping to WordPress's drain is made of.
 */
#ifndef MW_HMAC_H
#define MW_HMAC_H

#include <stddef.h>

#include "base/err.h"

#define MW_HMAC_HEX 65 /* 64 hex digits and the NUL */

/* HMAC-SHA256(msg, key) as 64 lowercase hex digits in out. */
enum mw_err mw_hmac_sha256_hex(const char *key, size_t keylen, const char *msg,
			       size_t msglen,
			       char out[MW_HMAC_HEX]) MW_MUST_CHECK;

/* nbytes random bytes (getrandom) as 2 * nbytes hex digits in out, which
 * holds at least 2 * nbytes + 1 bytes. */
enum mw_err mw_random_hex(size_t nbytes, char *out) MW_MUST_CHECK;

#endif
