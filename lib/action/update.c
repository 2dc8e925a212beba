/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * update.c - the update action: an existing user's mapped fields, tags and
 * role written as wp_update_user() would; also add's path for a contact
 * that already has a user.
 */
#include "action/action_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "formats/pwhash.h"
#include "formats/roles.h"
#include "formats/wptext.h"
#include "wp/store.h"

static enum mw_err
update_email(struct run *r, struct job *j, struct wp_user *u, bool priv,
	     const char *val)
{
	uint64_t other = 0;
	enum mw_err rc;

	if (strcasecmp(val, u->col[WP_COL_EMAIL]) == 0)
		return MW_OK;
	if (!wptext_is_email(val)) {
		job_note(j,
			 "user_email: not a valid e-mail address, not changed");
		return MW_OK;
	}
	if (priv) {
		job_note(
			j,
			"user_email: the user has admin-level capabilities, not changed");
		return MW_OK;
	}
	rc = wp_user_by_email(r->wp, val, &other);
	if (rc != MW_OK)
		return rc;
	if (other != 0 && other != j->uid) {
		job_note(j,
			 "user_email: already used by user %llu, not changed",
			 (unsigned long long)other);
		return MW_OK;
	}
	free(j->old_email);
	j->old_email = strdup(u->col[WP_COL_EMAIL]);
	rc = j->old_email != NULL ? MW_OK : MW_ENOMEM;
	if (rc == MW_OK)
		rc = wp_user_set(r->wp, j->uid, WP_COL_EMAIL, val);
	if (rc == MW_OK)
		rc = wp_user_set(r->wp, j->uid, WP_COL_ACTIVATION, "");
	j->changed = true;
	job_change(j, "user_email");
	return rc;
}

static enum mw_err
update_pass(struct run *r, struct job *j, struct wp_user *u, bool priv,
	    const char *val)
{
	char hash[PWHASH_MAX], pw[PWHASH_PW_MAX + 1];
	size_t len = strlen(val);
	const char *p = val;
	enum mw_err rc;

	/* WordPress hashes and checks the trimmed password. */
	while (len > 0 && strchr(" \t\n\r\v", *p) != NULL) {
		p++;
		len--;
	}
	while (len > 0 && strchr(" \t\n\r\v", p[len - 1]) != NULL)
		len--;
	if (len > PWHASH_PW_MAX) {
		job_note(j, "user_pass: too long, not changed");
		return MW_OK;
	}
	memcpy(pw, p, len);
	pw[len] = '\0';
	if (pwhash_check(pw, u->col[WP_COL_PASS])) {
		explicit_bzero(pw, sizeof(pw));
		return MW_OK;
	}
	explicit_bzero(pw, sizeof(pw));
	if (priv) {
		job_note(
			j,
			"user_pass: the user has admin-level capabilities, not changed");
		return MW_OK;
	}
	rc = pwhash_hash(r->site.scheme, val, hash, sizeof(hash));
	if (rc == MW_EINPUT) {
		job_note(j, "user_pass: too long, not changed");
		return MW_OK;
	}
	if (rc == MW_OK)
		rc = wp_user_set(r->wp, j->uid, WP_COL_PASS, hash);
	if (rc == MW_OK)
		rc = wp_user_set(r->wp, j->uid, WP_COL_ACTIVATION, "");
	explicit_bzero(hash, sizeof(hash));
	j->changed = true;
	job_change(j, "user_pass");
	return rc;
}

/* A wp_users column other than e-mail and password. */
static enum mw_err
update_column(struct run *r, struct job *j, struct wp_user *u,
	      enum field_kind k, const char *val)
{
	char out[USER_TEXT_MAX], tmp[USER_TEXT_MAX];
	enum wp_col col;
	enum mw_err rc = MW_EINPUT;
	bool taken = false;

	if (k == FK_URL) {
		col = WP_COL_URL;
		rc = wptext_url(val, out, sizeof(out));
	} else if (k == FK_DISPLAY) {
		col = WP_COL_DISPLAY_NAME;
		rc = wptext_display(val, out, sizeof(out));
		if (rc == MW_OK && strlen(out) > WPTEXT_DISPLAY_MAX * 4)
			rc = MW_EINPUT;
	} else {
		col = WP_COL_NICENAME;
		rc = wptext_sanitize_login(val, false, tmp, sizeof(tmp));
		if (rc == MW_OK)
			rc = wptext_nicename(tmp, out, sizeof(out));
		if (rc == MW_OK && strcmp(out, u->col[col]) != 0)
			rc = wp_nicename_taken(r->wp, out, u->col[WP_COL_LOGIN],
					       &taken);
		if (rc == MW_OK && taken) {
			job_note(j, "user_nicename: already used, not changed");
			return MW_OK;
		}
	}
	if (rc == MW_EINPUT) {
		job_note(j, "%s: not a valid value, not changed",
			 k == FK_URL	   ? "user_url"
			 : k == FK_DISPLAY ? "display_name"
					   : "user_nicename");
		return MW_OK;
	}
	if (rc != MW_OK || strcmp(out, u->col[col]) == 0)
		return rc;
	j->changed = true;
	job_change(j, "%s",
		   col == WP_COL_URL		? "user_url"
		   : col == WP_COL_DISPLAY_NAME ? "display_name"
						: "user_nicename");
	if (col == WP_COL_NICENAME) {
		free(j->old_nicename);
		j->old_nicename = strdup(u->col[col]);
		if (j->old_nicename == NULL)
			return MW_ENOMEM;
	}
	return wp_user_set(r->wp, j->uid, col, out);
}

/* A plain usermeta field, as WP Fusion's set_user_meta() stores it. */
static enum mw_err
update_meta(struct run *r, struct job *j, const struct cfg_field *f)
{
	char *out = malloc(USER_META_MAX);
	const char *val;
	enum mw_err rc = MW_OK;

	if (out == NULL)
		return MW_ENOMEM;
	val = user_meta_value(r, j, f, out, USER_META_MAX);
	if (val != NULL)
		rc = user_meta_update(r, j, f->wp, val);
	free(out);
	return rc;
}

/* Apply every [fields] mapping to an existing user. */
static enum mw_err
apply_fields(struct run *r, struct job *j, struct wp_user *u, bool priv)
{
	char out[USER_TEXT_MAX * 4];
	const char *owner = NULL;
	enum mw_err rc = MW_OK;
	size_t i;

	for (i = 0; rc == MW_OK && i < r->cfg->nfields; i++) {
		const char *wp = r->cfg->fields[i].wp;
		const char *val = user_mapped(r, j, wp);
		enum field_kind k = user_field_kind(wp);
		bool was = j->changed;

		if (k == FK_META) {
			/* this field's own change, for the event */
			j->changed = false;
			rc = update_meta(r, j, &r->cfg->fields[i]);
			if (j->changed)
				job_field(j, wp);
			j->changed = j->changed || was;
			continue;
		}
		if (val != NULL && user_field_class(wp, &owner) == FC_PLUGIN)
			job_note(
				j,
				r->cfg->events_outbox
					? "%s: owned by %s, handed to WordPress (the outbox) to set"
					: "%s: owned by %s, not written as usermeta",
				wp, owner);
		if (val == NULL || k == FK_SKIP || r->cfg->fields[i].pseudo)
			continue;
		j->changed = false; /* this field's own change, for the event */
		switch (k) {
		case FK_PASS:
			rc = update_pass(r, j, u, priv, val);
			break;
		case FK_EMAIL:
			rc = update_email(r, j, u, priv, val);
			break;
		case FK_URL:
		case FK_DISPLAY:
		case FK_NICE:
			rc = update_column(r, j, u, k, val);
			break;
		case FK_NAME:
		case FK_DESC:
			rc = k == FK_NAME
				     ? wptext_display(val, out, sizeof(out))
				     : wptext_description(val, out,
							  sizeof(out));
			if (rc == MW_EINPUT) {
				job_note(j,
					 "%s: not a valid value, not changed",
					 wp);
				rc = MW_OK;
				break;
			}
			if (rc == MW_OK)
				rc = user_meta_update(r, j, wp, out);
			break;
		case FK_META:
		case FK_SKIP:
		case FK__MAX:
			break;
		}
		if (j->changed)
			job_field(j, wp);
		j->changed = j->changed || was;
	}
	return rc;
}

/* The role of an update: the mapped role field, else the role parameter;
 * refused roles and privileged users leave the role as it is. */
static enum mw_err
update_role(struct run *r, struct job *j, bool priv)
{
	const char *want = user_mapped(r, j, "role");
	const struct role *ro;

	if (want == NULL)
		want = r->req->role;
	if (want == NULL)
		return MW_OK;
	if (priv) {
		job_note(
			j,
			"role: the user has admin-level capabilities, not changed");
		return MW_OK;
	}
	ro = user_wanted_role(r, j, want);
	if (ro == NULL) {
		job_note(j, "role not changed");
		return MW_OK;
	}
	return user_set_role(r, j, ro);
}

/* The user's current role (j->role, or NULL) and whether its
 * capabilities are admin-level (*priv). */
static enum mw_err
read_role(struct run *r, struct job *j, bool *priv /* OUT */)
{
	char key[96], *caps = NULL;
	size_t len = 0;
	const struct role *cur;
	enum mw_err rc;

	rc = wp_meta_get(r->wp, j->uid,
			 user_blog_key(r, "capabilities", key, sizeof(key)),
			 &caps, &len);
	if (rc != MW_OK)
		return rc;
	*priv = roles_user_is_privileged(&r->site.roles, caps, len);
	cur = roles_user_role(&r->site.roles, caps, len);
	j->role = cur != NULL ? cur->slug : NULL;
	free(caps);
	return MW_OK;
}

/* Update an existing user inside the transaction: link, fields, tags,
 * role. */
enum mw_err
update_job(struct run *r, struct job *j)
{
	struct wp_user u;
	char cid[24];
	bool priv = false;
	enum mw_err rc;

	rc = run_lock_job(r, j);
	if (rc == MW_OK && j->gone)
		return MW_OK;
	if (rc == MW_OK)
		rc = wp_user_get(r->wp, j->uid, &u);
	if (rc != MW_OK)
		return rc;
	rc = read_role(r, j, &priv);
	if (rc == MW_OK && j->link) {
		snprintf(cid, sizeof(cid), "%llu",
			 (unsigned long long)j->contact_id);
		rc = user_meta_update(r, j, r->cfg->wpf.contact_key, cid);
		job_note(j, "user found by email and linked to the contact");
	}
	if (rc == MW_OK)
		rc = apply_fields(r, j, &u, priv);
	if (rc == MW_OK)
		rc = tags_store(r, j);
	if (rc == MW_OK)
		rc = update_role(r, j, priv);
	if (rc == MW_OK)
		j->outcome = j->changed ? OUT_UPDATED : OUT_UNCHANGED;
	wp_user_free(&u);
	return rc;
}
