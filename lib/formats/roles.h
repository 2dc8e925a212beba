/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * roles.h - the site's roles ({prefix}user_roles) and the security rules:
 * which roles a webhook may assign, which users it may not touch.
 */
#ifndef MW_ROLES_H
#define MW_ROLES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct role {
	char *slug;	  /* owned: "subscriber" */
	char *name;	  /* owned: "Subscriber" */
	bool admin_level; /* carries a capability of roles_admin_caps */
	unsigned level;	  /* highest level_N capability (user_level) */
};

struct roles {
	struct role *v; /* owned, in option order */
	size_t n;
};

/* Capabilities that make a role or user "admin-level"; NULL-terminated. */
extern const char *const roles_admin_caps[];

/* Parse the serialized {prefix}user_roles option.  MW_EINPUT when it is
 * not an array of {name, capabilities} entries. */
enum mw_err roles_parse(const char *ser, size_t len,
			struct roles *out /* OUT */) MW_MUST_CHECK;

/* Release.  NULL is fine. */
void roles_free(struct roles *r);

/* A role by slug, else by display name (both exact); NULL if none.
 * Borrowed from r. */
const struct role *roles_find(const struct roles *r, const char *slug_or_name);

/* True when a webhook may assign the role: listed in allowed (the
 * comma-separated [security] allowed_roles) when that is not NULL, else
 * any role that is not admin-level. */
bool roles_assignable(const char *allowed, const struct role *role);

/* From a user's serialized {prefix}capabilities value: true when any of
 * its roles is admin-level or it holds an admin-level capability itself.
 * An unreadable value counts as privileged (we do not touch what we
 * cannot read). */
bool roles_user_is_privileged(const struct roles *r, const char *caps,
			      size_t len);

/* The user's first registered role in its capabilities value, or NULL.
 * Borrowed from r. */
const struct role *roles_user_role(const struct roles *r, const char *caps,
				   size_t len);

#endif
