/* SPDX-License-Identifier: GPL-2.0-or-later */
/* roles.c - WordPress roles and the webhook security rules. */
#include "formats/roles.h"

#include <stdlib.h>
#include <string.h>

#include "formats/phpser.h"
#include "base/strparse.h"

const char *const roles_admin_caps[] = {
	"manage_options",  "edit_users",
	"promote_users",   "create_users",
	"delete_users",	   "activate_plugins",
	"unfiltered_html", "edit_plugins",
	"install_plugins", NULL,
};

static bool
is_admin_cap(const char *cap)
{
	size_t i;

	for (i = 0; roles_admin_caps[i] != NULL; i++)
		if (strcmp(cap, roles_admin_caps[i]) == 0)
			return true;
	return false;
}

static unsigned
cap_level(const char *cap)
{
	uint64_t n;

	if (strncmp(cap, "level_", 6) != 0 ||
	    str_u64(cap + 6, strlen(cap + 6), 0, 10, &n) != MW_OK)
		return 0;
	return (unsigned)n;
}

static enum mw_err
add_role(struct roles *r, const struct phps_entry *e)
{
	const struct phps_value *name, *caps;
	struct role *nv, *ro;
	size_t i;

	name = phps_get(&e->val, "name");
	caps = phps_get(&e->val, "capabilities");
	if (e->key.type != PHPS_STRING || name == NULL ||
	    name->type != PHPS_STRING)
		return MW_EINPUT;
	nv = reallocarray(r->v, r->n + 1, sizeof(*nv));
	if (nv == NULL)
		return MW_ENOMEM;
	r->v = nv;
	ro = &nv[r->n];
	memset(ro, 0, sizeof(*ro));
	ro->slug = strdup(e->key.s);
	ro->name = strdup(name->s);
	r->n++;
	if (ro->slug == NULL || ro->name == NULL)
		return MW_ENOMEM;
	for (i = 0; caps != NULL && caps->type == PHPS_ARRAY && i < caps->n;
	     i++) {
		const struct phps_entry *c = &caps->items[i];
		unsigned lv;

		if (c->key.type != PHPS_STRING || !phps_truthy(&c->val))
			continue;
		if (is_admin_cap(c->key.s))
			ro->admin_level = true;
		lv = cap_level(c->key.s);
		if (lv > ro->level)
			ro->level = lv;
	}
	return MW_OK;
}

enum mw_err
roles_parse(const char *ser, size_t len, struct roles *out)
{
	struct phps_value v;
	struct roles r = {NULL, 0};
	enum mw_err rc;
	size_t i;

	rc = phps_unserialize(ser, len, &v);
	if (rc != MW_OK)
		return rc;
	if (v.type != PHPS_ARRAY)
		rc = MW_EINPUT;
	for (i = 0; rc == MW_OK && i < v.n; i++)
		rc = add_role(&r, &v.items[i]);
	phps_free(&v);
	if (rc != MW_OK) {
		roles_free(&r);
		return rc;
	}
	*out = r;
	return MW_OK;
}

void
roles_free(struct roles *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].slug);
		free(r->v[i].name);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

const struct role *
roles_find(const struct roles *r, const char *slug_or_name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].slug, slug_or_name) == 0)
			return &r->v[i];
	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, slug_or_name) == 0)
			return &r->v[i];
	return NULL;
}

/* True when the comma list names slug (blanks around names ignored). */
static bool
list_has(const char *list, const char *slug)
{
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		const char *s = p;
		size_t len = n;

		str_trim(&s, &len);
		if (len == strlen(slug) && memcmp(s, slug, len) == 0)
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

bool
roles_assignable(const char *allowed, const struct role *role)
{
	if (role == NULL)
		return false;
	if (allowed != NULL)
		return list_has(allowed, role->slug);
	return !role->admin_level;
}

bool
roles_user_is_privileged(const struct roles *r, const char *caps, size_t len)
{
	struct phps_value v;
	bool priv = false;
	size_t i;

	if (caps == NULL)
		return false;
	if (phps_unserialize(caps, len, &v) != MW_OK)
		return true;
	if (v.type != PHPS_ARRAY) {
		/* WordPress reads a non-array as no capabilities at all. */
		phps_free(&v);
		return false;
	}
	for (i = 0; !priv && i < v.n; i++) {
		const struct phps_entry *e = &v.items[i];
		const struct role *ro;

		if (e->key.type != PHPS_STRING || !phps_truthy(&e->val))
			continue;
		ro = roles_find(r, e->key.s);
		if ((ro != NULL && strcmp(ro->slug, e->key.s) == 0 &&
		     ro->admin_level) ||
		    is_admin_cap(e->key.s))
			priv = true;
	}
	phps_free(&v);
	return priv;
}

const struct role *
roles_user_role(const struct roles *r, const char *caps, size_t len)
{
	struct phps_value v;
	const struct role *found = NULL;
	size_t i, j;

	if (caps == NULL || phps_unserialize(caps, len, &v) != MW_OK)
		return NULL;
	for (i = 0; found == NULL && v.type == PHPS_ARRAY && i < v.n; i++) {
		const struct phps_entry *e = &v.items[i];

		if (e->key.type != PHPS_STRING || !phps_truthy(&e->val))
			continue;
		for (j = 0; j < r->n; j++)
			if (strcmp(r->v[j].slug, e->key.s) == 0)
				found = &r->v[j];
	}
	phps_free(&v);
	return found;
}
