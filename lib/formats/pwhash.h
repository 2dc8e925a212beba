/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pwhash.h - password hashes and reset keys that WordPress accepts (phpass,
 * 6.8's $wp$ bcrypt, wp_fast_hash).  Randomness comes only from
 * getrandom(2).
 */
#ifndef MW_PWHASH_H
#define MW_PWHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define PWHASH_MAX 128	   /* buffer size for any hash we write */
#define PWHASH_PW_MAX 4096 /* longer passwords are refused, as WP does */
#define PWHASH_KEY_MAX 128 /* buffer size for a stored reset key */

enum pwhash_scheme {
	PWHASH_PHPASS,	  /* $P$B: phpass portable, 8192 rounds (WP <= 6.7) */
	PWHASH_WP_BCRYPT, /* $wp$2y$10$: bcrypt of base64(HMAC-SHA384) (6.8+) */
	PWHASH__MAX
};

/* Hash a password as wp_hash_password() does: PHP-trim() first, fresh
 * random salt.  out gets a NUL-terminated hash (outsz >= PWHASH_MAX).
 * MW_EINPUT for a password over PWHASH_PW_MAX bytes. */
enum mw_err pwhash_hash(enum pwhash_scheme scheme, const char *pw, char *out,
			size_t outsz) MW_MUST_CHECK;

/* Same with a given salt (8 phpass chars, or 22 bcrypt chars) and bcrypt
 * cost (ignored for phpass): for tests with fixed vectors. */
enum mw_err pwhash_hash_salt(enum pwhash_scheme scheme, const char *pw,
			     const char *salt, unsigned cost, char *out,
			     size_t outsz) MW_MUST_CHECK;

/* wp_check_password(): true when pw matches hash in any format WordPress
 * 6.8 accepts ($wp$, $P$/$H$, $2y$ and other crypt(3) hashes, md5 hex).
 * Compares in constant time. */
bool pwhash_check(const char *pw, const char *hash);

/* wp_generate_password(len, special, false): len characters from
 * [a-zA-Z0-9] (plus !@#$%^&*() when special), uniformly drawn.  out must
 * hold len + 1 bytes.  Caller wipes it. */
enum mw_err pwhash_generate(size_t len, bool special, char *out,
			    size_t outsz) MW_MUST_CHECK;

enum pwhash_keyfmt {
	PWHASH_KEY_PHPASS,  /* "time:$P$B..." (WP 6.1-6.7; 6.8 accepts it) */
	PWHASH_KEY_GENERIC, /* "time:$generic$..." BLAKE2b (WP 6.8+) */
	PWHASH_KEY__MAX
};

/* The user_activation_key value for a reset key issued at time now, in
 * the site's format.  out gets at least PWHASH_KEY_MAX bytes. */
enum mw_err pwhash_reset_key(enum pwhash_keyfmt fmt, const char *key,
			     int64_t now, char *out,
			     size_t outsz) MW_MUST_CHECK;

/* wp_fast_hash(): "$generic$" + base64url(BLAKE2b-240 keyed with
 * "wp_fast_hash_6.8+").  out >= 64 bytes. */
enum mw_err pwhash_fast_hash(const char *msg, size_t len, char *out,
			     size_t outsz) MW_MUST_CHECK;

#endif
