/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * objcache.h - dropping the keys a persistent WordPress object cache
 * (Redis Object Cache's key format) holds for users this request changed,
 * so the site does not keep serving the old role, tags or password.
 * WordPress caches a user under users:ID, user_meta:ID and the login,
 * e-mail and slug lookups; nothing else here knows Redis.  Talks to Redis
 * with hiredis.
 */
#ifndef MW_OBJCACHE_H
#define MW_OBJCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "base/err.h"

/* What one request changed for one user.  Strings are borrowed; a NULL
 * "old" value means unchanged. */
struct objcache_user {
	uint64_t id;		  /* wp_users.ID */
	const char *login;	  /* user_login as stored now */
	const char *email;	  /* user_email now */
	const char *old_email;	  /* previous user_email, or NULL */
	const char *nicename;	  /* user_nicename now */
	const char *old_nicename; /* previous user_nicename, or NULL */
	bool created;		  /* a new user (user_count changed) */
};

/* The Redis keys to delete for these users, Redis Object Cache style:
 * "{salt}{prefix}:{group}:{key}" with prefix = table_prefix trimmed of
 * "_-:$" (single site) and ':' in group or key replaced by '-'.  Writes
 * allocated strings into *keys (caller frees each and the array). */
enum mw_err objcache_keys(const struct cfg *cfg,
			  const struct objcache_user *users, size_t n,
			  char ***keys /* OUT */,
			  size_t *nkeys /* OUT */) MW_MUST_CHECK;

/* Connect to the server of [cache] redis (cfg->redis_url, parsed by
 * cfg_load()) and DEL the keys.  Does nothing without [cache] redis or
 * users.  Failures are logged and returned as MW_EUPSTREAM (MW_ENOMEM);
 * the database is already committed by then, so callers only add a
 * note. */
enum mw_err objcache_invalidate(const struct cfg *cfg,
				const struct objcache_user *users,
				size_t n) MW_MUST_CHECK;

/* DEL the cached copies of options of the configured blog that are not
 * autoloaded (options:{name}), and options:notoptions.  As
 * objcache_invalidate() otherwise. */
enum mw_err objcache_invalidate_options(const struct cfg *cfg,
					const char *const *names,
					size_t n) MW_MUST_CHECK;

/* Connect, AUTH and SELECT as [cache] redis says, and PING: for a check
 * of the configuration.  MW_OK when the server answered, or when no
 * cache is configured (cfg->redis_url.host NULL: nothing to test).
 * MW_EUPSTREAM (or MW_ENOMEM) with the reason in err (errsz bytes, never
 * the password); nothing is logged. */
enum mw_err objcache_ping(const struct cfg *cfg, char *err,
			  size_t errsz) MW_MUST_CHECK;

#endif
