/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * site.h - what a WordPress site says about itself, read through the
 * store: its roles ({blog prefix}user_roles), default_role and db_version,
 * and what follows from them (password hash scheme, reset key format).
 */
#ifndef MW_SITE_H
#define MW_SITE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "config/config.h"
#include "formats/pwhash.h"
#include "formats/roles.h"
#include "wp/store.h"

#define WP_DB_VERSION_68 60421 /* WordPress 6.8: $wp bcrypt, $generic$ keys */
#define WP_DB_VERSION_66 57155 /* WordPress 6.6: autoload "off" */

/* The site's settings; every member owned (release with wp_site_free). */
struct wp_site {
	bool loaded;		   /* filled by wp_site_read */
	struct roles roles;	   /* {blog prefix}user_roles */
	char *default_role;	   /* option default_role, or NULL */
	uint64_t db_version;	   /* option db_version, 0 when unreadable */
	enum pwhash_scheme scheme; /* hash for new passwords */
	enum pwhash_keyfmt keyfmt; /* format of reset keys */
	char blog_prefix[48];	   /* wp_ or wp_2_ */
};

/* Read the site of cfg's blog through wp (both borrowed) into *s, once:
 * nothing happens when s->loaded.  s must start zeroed.  MW_ECONFIG when
 * the role table is missing or unreadable, else the store's errors; on
 * error *s may hold part of the settings (wp_site_free releases them). */
enum mw_err wp_site_read(const struct cfg *cfg, struct wpstore *wp,
			 struct wp_site *s /* OUT */)
	__attribute__((warn_unused_result));

/* Release what s owns and zero it.  NULL is fine. */
void wp_site_free(struct wp_site *s);

#endif
