/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * user.c - what the add and update actions both do to a user: mapped
 * field values, usermeta written as update_user_meta() / add_user_meta()
 * would, and roles checked and set as WP_User::set_role() does.
 */
#include "action/action_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "formats/phpser.h"
#include "formats/roles.h"
#include "formats/wptext.h"
#include "wp/store.h"

#define CAPS_MAX (1u << 16) /* bytes of a serialized capabilities value */

enum field_kind
user_field_kind(const char *wp)
{
	static const struct {
		const char *name;
		enum field_kind kind;
	} known[] = {
		{"user_login", FK_SKIP},    {"role", FK_SKIP},
		{"user_pass", FK_PASS},	    {"user_email", FK_EMAIL},
		{"user_url", FK_URL},	    {"display_name", FK_DISPLAY},
		{"user_nicename", FK_NICE}, {"first_name", FK_NAME},
		{"last_name", FK_NAME},	    {"nickname", FK_NAME},
		{"description", FK_DESC},   {"mautic_contact_id", FK_SKIP},
		{"mautic_tags", FK_SKIP},
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(wp, known[i].name) == 0)
			return known[i].kind;
	return user_field_class(wp, NULL) == FC_META ? FK_META : FK_SKIP;
}

static bool
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

enum field_class
user_field_class(const char *wp, const char **owner)
{
	static const struct {
		const char *prefix; /* key starts with this */
		const char *owner;  /* the plugin */
	} plugins[] = {
		{"bbp_field_", "BuddyPress (xprofile field)"},
		{"bbp_profile_type", "BuddyPress (member type)"},
		{"bbp_avatar", "BuddyPress (avatar)"},
		{"awp_", "AffiliateWP"},
		{"affwp_", "AffiliateWP"},
	};
	static const char *const pseudo[] = {"user_id", "user_registered",
					     "previous_user_email", "ip"};
	const char *dummy;
	size_t i;

	if (owner == NULL)
		owner = &dummy;
	*owner = NULL;
	for (i = 0; i < sizeof(pseudo) / sizeof(pseudo[0]); i++)
		if (strcmp(wp, pseudo[i]) == 0) {
			*owner = "WP Fusion (a pseudo field, only sent)";
			return FC_PSEUDO;
		}
	if (ends_with(wp, "mautic_contact_id") ||
	    ends_with(wp, "mautic_tags")) {
		*owner = "WP Fusion (the contact link and tags)";
		return FC_WPF;
	}
	/* Capabilities and levels are roles' business, not a field's. */
	if (strcmp(wp, "role") == 0 || strstr(wp, "capabilities") != NULL ||
	    strstr(wp, "user_level") != NULL) {
		*owner = "WordPress roles (set through the role)";
		return FC_ROLES;
	}
	for (i = 0; i < sizeof(plugins) / sizeof(plugins[0]); i++)
		if (strncmp(wp, plugins[i].prefix, strlen(plugins[i].prefix)) ==
		    0) {
			*owner = plugins[i].owner;
			return FC_PLUGIN;
		}
	return FC_META;
}

/* wpf_clean() of a value without markup: "%40" (any case) becomes "@"
 * so that e-mail addresses survive, then sanitize_text_field(). */
enum mw_err
user_wpf_clean(const char *in, char *out, size_t outsz)
{
	char tmp[USER_META_MAX];
	size_t i = 0, n = 0;

	while (in[i] != '\0' && n < sizeof(tmp) - 1) {
		if (in[i] == '%' && in[i + 1] == '4' && in[i + 2] == '0') {
			/* str_ireplace('%40', '@'): digits have no case */
			tmp[n++] = '@';
			i += 3;
		} else {
			tmp[n++] = in[i++];
		}
	}
	if (in[i] != '\0')
		return MW_EINPUT;
	tmp[n] = '\0';
	return wptext_text_field(tmp, out, outsz);
}

const char *
user_meta_value(const struct run *r, struct job *j, const struct cfg_field *f,
		char *out, size_t outsz)
{
	const char *v = contact_field(j->data, f->mautic);

	(void)r;
	if (f->pseudo)
		return NULL;
	/* Mautic reports an emptied field as null: a raw field is cleared
	 * then too (WP Fusion's loader drops nulls before its raw rule, so
	 * it clears only on ""); an absent field is left alone. */
	if (v == NULL && f->type == CFG_FT_RAW &&
	    contact_has_field(j->data, f->mautic))
		v = "";
	if (v == NULL)
		return NULL;
	if (user_wpf_clean(v, out, outsz) != MW_OK) {
		job_note(j, "%s: too long, not changed", f->wp);
		return NULL;
	}
	/* Empty values are skipped, "0" is kept; a raw field is cleared. */
	if (out[0] == '\0' && f->type != CFG_FT_RAW)
		return NULL;
	return out;
}

const char *
user_mapped(const struct run *r, const struct job *j, const char *wp_key)
{
	const char *alias = cfg_field_alias(r->cfg, wp_key);
	const char *v;

	if (alias == NULL)
		return NULL;
	v = contact_field(j->data, alias);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

char *
user_blog_key(const struct run *r, const char *suffix, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s", r->site.blog_prefix, suffix);
	return out;
}

enum mw_err
user_meta_update(struct run *r, struct job *j, const char *key, const char *val)
{
	char *old = NULL;
	size_t len = 0;
	struct buf v;
	enum mw_err rc;

	buf_init(&v, WP_META_MAX);
	rc = phps_maybe_serialize(val, strlen(val), &v);
	if (rc == MW_OK)
		rc = wp_meta_get(r->wp, j->uid, key, &old, &len);
	if (rc == MW_OK && (old == NULL || len != v.len ||
			    memcmp(old, v.p ? v.p : "", len) != 0)) {
		rc = wp_meta_set(r->wp, j->uid, key, v.p ? v.p : "", v.len);
		j->changed = true;
		job_change(j, "%s", key);
	}
	free(old);
	buf_free(&v);
	return rc;
}

enum mw_err
user_meta_add(struct run *r, struct job *j, const char *key, const char *val)
{
	struct buf v;
	enum mw_err rc;

	buf_init(&v, WP_META_MAX);
	rc = phps_maybe_serialize(val, strlen(val), &v);
	if (rc == MW_OK)
		rc = wp_meta_add(r->wp, j->uid, key, v.p ? v.p : "", v.len);
	buf_free(&v);
	return rc;
}

enum mw_err
user_caps(const struct role *ro, struct buf *out)
{
	struct phps_entry e;
	struct phps_value caps;

	/* array(slug => true) */
	memset(&e, 0, sizeof(e));
	memset(&caps, 0, sizeof(caps));
	e.key.type = PHPS_STRING;
	e.key.s = ro->slug;
	e.key.slen = strlen(ro->slug);
	e.val.type = PHPS_BOOL;
	e.val.b = true;
	caps.type = PHPS_ARRAY;
	caps.items = &e;
	caps.n = 1;
	return phps_serialize(&caps, out);
}

const struct role *
user_wanted_role(struct run *r, struct job *j, const char *wanted)
{
	const struct role *ro = roles_find(&r->site.roles, wanted);
	char clean[80];

	log_sanitize(wanted, strlen(wanted), clean, sizeof(clean));
	if (ro == NULL) {
		job_note(j, "role %s is not a registered role", clean);
		return NULL;
	}
	if (!roles_assignable(r->cfg->allowed_roles, ro)) {
		job_note(j, "role %s may not be assigned by a webhook",
			 ro->slug);
		return NULL;
	}
	return ro;
}

/* WP_User::set_role(): the user's capabilities become the new role alone
 * (a role the user already has alone is left as it is); then
 * {prefix}user_level. */
enum mw_err
user_set_role(struct run *r, struct job *j, const struct role *ro)
{
	char key[96], lvl[24], *old = NULL;
	size_t len = 0;
	struct buf caps;
	enum mw_err rc;

	buf_init(&caps, CAPS_MAX);
	user_blog_key(r, "capabilities", key, sizeof(key));
	rc = wp_meta_get(r->wp, j->uid, key, &old, &len);
	if (rc == MW_OK) {
		const struct role *cur =
			roles_user_role(&r->site.roles, old, len);

		if (cur == ro) {
			j->role = ro->slug;
			goto out;
		}
		j->role_before = cur != NULL ? cur->slug : NULL;
		rc = user_caps(ro, &caps);
	}
	if (rc == MW_OK)
		rc = wp_meta_set(r->wp, j->uid, key, caps.p, caps.len);
	snprintf(lvl, sizeof(lvl), "%u", ro->level);
	if (rc == MW_OK)
		rc = user_meta_update(
			r, j, user_blog_key(r, "user_level", key, sizeof(key)),
			lvl);
	if (rc == MW_OK) {
		j->changed = true;
		j->role = ro->slug;
		j->role_changed = true;
		job_change(j, "role %s", ro->slug);
	}
out:
	free(old);
	buf_free(&caps);
	return rc;
}
