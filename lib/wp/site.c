/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * site.c - the site's roles, default role and version, read once per
 * request through the store.
 */
#include "wp/site.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/strparse.h"

void
wp_site_free(struct wp_site *s)
{
	if (s == NULL)
		return;
	roles_free(&s->roles);
	free(s->default_role);
	memset(s, 0, sizeof(*s));
}

/* The hash of new passwords and the format of reset keys: configured, or
 * what the site's WordPress release uses. */
static void
pick_formats(const struct cfg *cfg, struct wp_site *s)
{
	switch (cfg->password_hash) {
	case CFG_HASH_PHPASS:
		s->scheme = PWHASH_PHPASS;
		break;
	case CFG_HASH_BCRYPT:
		s->scheme = PWHASH_WP_BCRYPT;
		break;
	case CFG_HASH_AUTO:
		s->scheme = s->db_version >= WP_DB_VERSION_68 ? PWHASH_WP_BCRYPT
							      : PWHASH_PHPASS;
		break;
	}
	s->keyfmt = s->db_version >= WP_DB_VERSION_68 ? PWHASH_KEY_GENERIC
						      : PWHASH_KEY_PHPASS;
}

enum mw_err
wp_site_read(const struct cfg *cfg, struct wpstore *wp, struct wp_site *s)
{
	char roles[96], *val[3];
	const char *names[3] = {roles, "default_role", "db_version"};
	size_t len[3];
	enum mw_err rc;

	if (s->loaded)
		return MW_OK;
	if (cfg->blog_id > 1)
		snprintf(s->blog_prefix, sizeof(s->blog_prefix), "%s%llu_",
			 cfg->table_prefix, (unsigned long long)cfg->blog_id);
	else
		snprintf(s->blog_prefix, sizeof(s->blog_prefix), "%s",
			 cfg->table_prefix);
	snprintf(roles, sizeof(roles), "%suser_roles", s->blog_prefix);
	/* The three options in one statement. */
	rc = wp_options_get(wp, names, 3, val, len);
	if (rc != MW_OK)
		return rc;
	if (val[0] == NULL) {
		log_err("site: option %s is missing", roles);
		rc = MW_ECONFIG;
	} else if (roles_parse(val[0], len[0], &s->roles) != MW_OK) {
		log_err("site: option %s is not a role table", roles);
		rc = MW_ECONFIG;
	}
	s->default_role = val[1];
	val[1] = NULL;
	if (val[2] == NULL ||
	    str_u64(val[2], len[2], 0, UINT32_MAX, &s->db_version) != MW_OK)
		s->db_version = 0;
	free(val[0]);
	free(val[2]);
	if (rc != MW_OK)
		return rc;
	pick_formats(cfg, s);
	s->loaded = true;
	return MW_OK;
}
