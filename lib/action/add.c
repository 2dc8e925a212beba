/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * add.c - the add action: the contact's user, else the user of its
 * e-mail (then linked), else a new user created as wp_insert_user() would,
 * with WP Fusion's rows after WordPress's.
 */
#include "action/action_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/buf.h"
#include "formats/pwhash.h"
#include "formats/roles.h"
#include "formats/wptext.h"
#include "wp/store.h"

#define GENERATED_PW_LEN 24 /* [A-Za-z0-9]: 142 bits */
#define RESET_KEY_LEN 20    /* wp_generate_password(20, false) */
#define CAPS_MAX 4096	    /* bytes of a new user's capabilities value */

/* A number below n (login suffixes: not secret). */
static unsigned
random_below(unsigned n)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)time(NULL);
	return v % n;
}

/* A login that is free: the candidate, else the candidate plus a number
 * (WP Fusion appends a random number up to 999 while the login exists). */
static enum mw_err
unique_login(struct run *r, const char *cand, char *out, size_t outsz)
{
	char base[WPTEXT_LOGIN_MAX * 4 + 1];
	bool taken = true;
	enum mw_err rc;
	int tries;

	snprintf(out, outsz, "%s", cand);
	rc = wp_login_taken(r->wp, out, &taken);
	for (tries = 0; rc == MW_OK && taken && tries < 50; tries++) {
		/* Leave room for up to five digits within 60 characters. */
		snprintf(base, sizeof(base), "%s", cand);
		if (wptext_sanitize_login(base, r->cfg->blog_id > 1, base,
					  sizeof(base)) != MW_OK)
			return MW_EINPUT;
		if (strlen(base) > WPTEXT_LOGIN_MAX - 5)
			base[WPTEXT_LOGIN_MAX - 5] = '\0';
		snprintf(out, outsz, "%s%u", base,
			 tries < 25 ? 1 + random_below(999)
				    : 1 + random_below(99999));
		rc = wp_login_taken(r->wp, out, &taken);
	}
	if (rc == MW_OK && taken)
		return MW_EINPUT;
	return rc;
}

/* The login of a new user: mapped user_login, else username_format. */
static enum mw_err
new_login(struct run *r, struct job *j, const char *email, char *out,
	  size_t outsz)
{
	const char *first = user_mapped(r, j, "first_name");
	const char *last = user_mapped(r, j, "last_name");
	const char *given = user_mapped(r, j, "user_login");
	char cand[512], clean[WPTEXT_LOGIN_MAX * 4 + 1];
	bool lower = r->cfg->blog_id > 1;

	if (given != NULL)
		snprintf(cand, sizeof(cand), "%s", given);
	else if (r->cfg->username_format == CFG_UNAME_FLNAME &&
		 (first != NULL || last != NULL))
		snprintf(cand, sizeof(cand), "%s%s", first ? first : "",
			 last ? last : "");
	else if (r->cfg->username_format == CFG_UNAME_FNAMENUM && first != NULL)
		snprintf(cand, sizeof(cand), "%s%u", first,
			 1 + random_below(99999));
	else
		snprintf(cand, sizeof(cand), "%s", email);
	if (wptext_sanitize_login(cand, lower, clean, sizeof(clean)) != MW_OK &&
	    wptext_sanitize_login(email, lower, clean, sizeof(clean)) != MW_OK)
		return MW_EINPUT;
	return unique_login(r, clean, out, outsz);
}

static enum mw_err
unique_nicename(struct run *r, const char *login, char *out, size_t outsz)
{
	char base[WPTEXT_NICENAME_MAX * 4 + 1];
	bool taken = true;
	unsigned suffix;
	enum mw_err rc;

	rc = wptext_nicename(login, base, sizeof(base));
	if (rc != MW_OK)
		return rc;
	snprintf(out, outsz, "%s", base);
	rc = wp_nicename_taken(r->wp, out, login, &taken);
	for (suffix = 2; rc == MW_OK && taken && suffix < 10000; suffix++) {
		rc = wptext_nicename_suffix(base, suffix, out, outsz);
		if (rc == MW_OK)
			rc = wp_nicename_taken(r->wp, out, login, &taken);
	}
	return rc;
}

/* The role of a new user: mapped field, else parameter, else the site's
 * default_role; refused roles fall back to default_role with a note. */
static const struct role *
new_role(struct run *r, struct job *j)
{
	const char *want = user_mapped(r, j, "role");
	const struct role *ro = NULL, *def;

	if (want == NULL)
		want = r->req->role;
	if (want != NULL)
		ro = user_wanted_role(r, j, want);
	if (ro != NULL)
		return ro;
	def = r->site.default_role
		      ? roles_find(&r->site.roles, r->site.default_role)
		      : NULL;
	if (def == NULL || (def->admin_level &&
			    !roles_assignable(r->cfg->allowed_roles, def))) {
		job_note(
			j,
			"the site's default_role is missing or has admin-level capabilities");
		return NULL;
	}
	if (want != NULL)
		job_note(j, "default role %s used instead", def->slug);
	return def;
}

/* Text through a formatter, or "" when absent. */
static void
fmt_or_empty(const char *val, enum mw_err (*fmt)(const char *, char *, size_t),
	     char *out, size_t outsz)
{
	out[0] = '\0';
	if (val != NULL && fmt(val, out, outsz) != MW_OK)
		out[0] = '\0';
}

/* display_name as wp_insert_user() derives it on create. */
static void
display_name(const char *given, const char *first, const char *last,
	     const char *login, char *out, size_t outsz)
{
	if (given != NULL && given[0] != '\0')
		snprintf(out, outsz, "%s", given);
	else if (first[0] != '\0' && last[0] != '\0')
		snprintf(out, outsz, "%s %s", first, last);
	else if (first[0] != '\0')
		snprintf(out, outsz, "%s", first);
	else if (last[0] != '\0')
		snprintf(out, outsz, "%s", last);
	else
		snprintf(out, outsz, "%s", login);
}

/* nickname, first_name, last_name and description of a new user. */
static enum mw_err
name_meta(struct run *r, struct job *j, const char *login)
{
	char first[USER_TEXT_MAX], last[USER_TEXT_MAX], nick[USER_TEXT_MAX],
		desc[USER_TEXT_MAX * 4];
	enum mw_err rc = MW_OK;
	size_t i;

	fmt_or_empty(user_mapped(r, j, "first_name"), wptext_display, first,
		     sizeof(first));
	fmt_or_empty(user_mapped(r, j, "last_name"), wptext_display, last,
		     sizeof(last));
	fmt_or_empty(user_mapped(r, j, "nickname"), wptext_display, nick,
		     sizeof(nick));
	fmt_or_empty(user_mapped(r, j, "description"), wptext_description, desc,
		     sizeof(desc));
	const char *rows[][2] = {
		{"nickname", nick[0] ? nick : login},
		{"first_name", first},
		{"last_name", last},
		{"description", desc},
	};
	for (i = 0; rc == MW_OK && i < sizeof(rows) / sizeof(rows[0]); i++)
		rc = user_meta_add(r, j, rows[i][0], rows[i][1]);
	return rc;
}

/* add_user_to_blog() on a multisite: primary_blog and source_domain. */
static enum mw_err
blog_meta(struct run *r, struct job *j)
{
	char id[24], *domain = NULL;
	enum mw_err rc;

	snprintf(id, sizeof(id), "%llu", (unsigned long long)r->cfg->blog_id);
	rc = wp_meta_add(r->wp, j->uid, "primary_blog", id, strlen(id));
	if (rc == MW_OK)
		rc = wp_blog_domain(r->wp, r->cfg->blog_id, &domain);
	if (rc == MW_OK)
		rc = wp_meta_add(r->wp, j->uid, "source_domain",
				 domain ? domain : "",
				 domain ? strlen(domain) : 0);
	free(domain);
	return rc;
}

/* {prefix}capabilities and {prefix}user_level of a new user's role. */
static enum mw_err
role_meta(struct run *r, struct job *j, const struct role *ro)
{
	char key[96], lvl[24];
	struct buf caps;
	enum mw_err rc;

	buf_init(&caps, CAPS_MAX);
	rc = user_caps(ro, &caps);
	if (rc == MW_OK)
		rc = wp_meta_add(
			r->wp, j->uid,
			user_blog_key(r, "capabilities", key, sizeof(key)),
			caps.p, caps.len);
	snprintf(lvl, sizeof(lvl), "%u", ro->level);
	if (rc == MW_OK)
		rc = wp_meta_add(
			r->wp, j->uid,
			user_blog_key(r, "user_level", key, sizeof(key)), lvl,
			strlen(lvl));
	buf_free(&caps);
	return rc;
}

/* The usermeta rows of wp_insert_user(), in its order. */
static enum mw_err
core_meta(struct run *r, struct job *j, const char *login,
	  const struct role *ro)
{
	static const char *const fixed[][2] = {
		{"rich_editing", "true"},
		{"syntax_highlighting", "true"},
		{"comment_shortcuts", "false"},
		{"admin_color", "fresh"},
		{"use_ssl", "0"},
		{"show_admin_bar_front", "true"},
		{"locale", ""},
	};
	enum mw_err rc;
	size_t i;

	rc = name_meta(r, j, login);
	for (i = 0; rc == MW_OK && i < sizeof(fixed) / sizeof(fixed[0]); i++)
		rc = wp_meta_add(r->wp, j->uid, fixed[i][0], fixed[i][1],
				 strlen(fixed[i][1]));
	if (rc == MW_OK && r->cfg->blog_id > 1)
		rc = blog_meta(r, j);
	if (rc == MW_OK)
		rc = role_meta(r, j, ro);
	return rc;
}

/* Our own rows after WordPress's: the contact link, tags, other mapped
 * meta, and the password nag for a generated password. */
static enum mw_err
extra_meta(struct run *r, struct job *j)
{
	char cid[24], *metabuf = malloc(USER_META_MAX);
	enum mw_err rc;
	size_t i;

	if (metabuf == NULL)
		return MW_ENOMEM;
	snprintf(cid, sizeof(cid), "%llu", (unsigned long long)j->contact_id);
	rc = wp_meta_add(r->wp, j->uid, r->cfg->wpf.contact_key, cid,
			 strlen(cid));
	if (rc == MW_OK)
		rc = tags_store(r, j);
	for (i = 0; rc == MW_OK && i < r->cfg->nfields; i++) {
		const struct cfg_field *f = &r->cfg->fields[i];
		const char *val;

		if (user_field_kind(f->wp) != FK_META)
			continue;
		val = user_meta_value(r, j, f, metabuf, USER_META_MAX);
		if (val != NULL)
			rc = user_meta_add(r, j, f->wp, val);
	}
	free(metabuf);
	if (rc == MW_OK && j->password != NULL)
		rc = wp_meta_add(r->wp, j->uid, "default_password_nag", "1", 1);
	return rc;
}

/* The password of a new user: mapped, else generated (kept for Mautic). */
static enum mw_err
new_password(struct run *r, struct job *j, char *hash, size_t hashsz)
{
	const char *given = user_mapped(r, j, "user_pass");
	char pw[GENERATED_PW_LEN + 1];
	enum mw_err rc;

	if (given != NULL) {
		rc = pwhash_hash(r->site.scheme, given, hash, hashsz);
		if (rc == MW_EINPUT)
			job_note(j, "user_pass: too long");
		return rc;
	}
	rc = pwhash_generate(GENERATED_PW_LEN, false, pw, sizeof(pw));
	if (rc == MW_OK)
		rc = pwhash_hash(r->site.scheme, pw, hash, hashsz);
	if (rc == MW_OK && (j->password = strdup(pw)) == NULL)
		rc = MW_ENOMEM;
	explicit_bzero(pw, sizeof(pw));
	return rc;
}

/* The user_activation_key for the welcome mail, or "" without one. */
static enum mw_err
new_reset_key(struct run *r, struct job *j, char *out, size_t outsz)
{
	char key[RESET_KEY_LEN + 1];
	enum mw_err rc;

	out[0] = '\0';
	if (!r->req->send_notification && !r->cfg->send_welcome_email)
		return MW_OK;
	/* WordPress's wp_new_user_notification() makes its own key. */
	if (r->cfg->mail_transport == CFG_MAIL_WORDPRESS) {
		j->notify = true;
		return MW_OK;
	}
	rc = pwhash_generate(RESET_KEY_LEN, false, key, sizeof(key));
	if (rc == MW_OK)
		rc = pwhash_reset_key(r->site.keyfmt, key, (int64_t)time(NULL),
				      out, outsz);
	if (rc == MW_OK && (j->reset_key = strdup(key)) == NULL)
		rc = MW_ENOMEM;
	explicit_bzero(key, sizeof(key));
	return rc;
}

/* Insert the wp_users row of a new user whose login, password, nicename,
 * e-mail and activation key are in *u (borrowed); the URL and display name
 * come from the mapped fields.  j->uid gets the new ID. */
static enum mw_err
insert_row(struct run *r, struct job *j, struct wp_new_user *u)
{
	char url[USER_TEXT_MAX], first[USER_TEXT_MAX], last[USER_TEXT_MAX],
		given[USER_TEXT_MAX], disp[USER_TEXT_MAX * 2];
	enum mw_err rc;

	fmt_or_empty(user_mapped(r, j, "user_url"), wptext_url, url,
		     sizeof(url));
	fmt_or_empty(user_mapped(r, j, "first_name"), wptext_display, first,
		     sizeof(first));
	fmt_or_empty(user_mapped(r, j, "last_name"), wptext_display, last,
		     sizeof(last));
	fmt_or_empty(user_mapped(r, j, "display_name"), wptext_display, given,
		     sizeof(given));
	display_name(given, first, last, u->col[WP_COL_LOGIN], disp,
		     sizeof(disp));
	u->col[WP_COL_URL] = url;
	u->col[WP_COL_DISPLAY_NAME] = disp;
	rc = wp_user_insert(r->wp, u, &j->uid);
	u->col[WP_COL_URL] = NULL;
	u->col[WP_COL_DISPLAY_NAME] = NULL;
	return rc;
}

/* Create the user as wp_insert_user() would, with our rows after. */
static enum mw_err
create_user(struct run *r, struct job *j, const char *email)
{
	char login[WPTEXT_LOGIN_MAX * 4 + 1], nice[WPTEXT_NICENAME_MAX * 4 + 1];
	char hash[PWHASH_MAX], akey[PWHASH_KEY_MAX];
	struct wp_new_user u;
	const struct role *ro;
	enum mw_err rc;

	ro = new_role(r, j);
	if (ro == NULL) {
		j->outcome = OUT_SKIPPED;
		return MW_OK;
	}
	rc = new_login(r, j, email, login, sizeof(login));
	if (rc == MW_EINPUT) {
		job_note(j, "no usable login could be made");
		j->outcome = OUT_SKIPPED;
		return MW_OK;
	}
	if (rc == MW_OK)
		rc = unique_nicename(r, login, nice, sizeof(nice));
	if (rc == MW_OK)
		rc = new_password(r, j, hash, sizeof(hash));
	if (rc == MW_OK)
		rc = new_reset_key(r, j, akey, sizeof(akey));
	if (rc != MW_OK)
		return rc;
	memset(&u, 0, sizeof(u));
	u.col[WP_COL_LOGIN] = login;
	u.col[WP_COL_PASS] = hash;
	u.col[WP_COL_NICENAME] = nice;
	u.col[WP_COL_EMAIL] = email;
	u.col[WP_COL_ACTIVATION] = akey;
	/* A dry run reserves nothing: no INSERT (which would use up an
	 * AUTO_INCREMENT value even when rolled back), so no user id. */
	if (!r->req->dry_run)
		rc = insert_row(r, j, &u);
	explicit_bzero(hash, sizeof(hash));
	if (rc == MW_OK && !r->req->dry_run)
		rc = core_meta(r, j, login, ro);
	if (rc == MW_OK && !r->req->dry_run)
		rc = extra_meta(r, j);
	if (rc == MW_OK && r->req->dry_run) {
		/* What extra_meta() would write. */
		job_change(j, "%s", r->cfg->wpf.contact_key);
		if (j->data->ntags > 0)
			job_change(j, "%s", r->cfg->wpf.tags_key);
	}
	if (rc == MW_OK && ((j->login = strdup(login)) == NULL ||
			    (j->email = strdup(email)) == NULL))
		rc = MW_ENOMEM;
	if (rc == MW_OK) {
		j->role = ro->slug;
		j->changed = true;
		j->outcome = OUT_CREATED;
		job_change(
			j,
			"new user %s (wp_users row, usermeta rows, user_count)",
			login);
	}
	return rc;
}

/* ---- the action ---------------------------------------------------------- */

enum mw_err
add_job(struct run *r, struct job *j)
{
	const char *email = user_mapped(r, j, "user_email");
	enum mw_err rc = MW_OK;

	/* A single contact is looked up here; many were by add_prepare. */
	if (r->njobs <= 1)
		rc = wp_user_by_contact(r->wp, j->contact_id, &j->uid);
	if (rc == MW_OK && j->uid == 0 && email != NULL) {
		rc = wp_user_by_email(r->wp, email, &j->uid);
		j->link = j->uid != 0;
	}
	if (rc != MW_OK)
		return rc;
	if (j->uid != 0)
		return update_job(r, j);
	if (email == NULL || !wptext_is_email(email)) {
		job_note(j, "the contact has no valid e-mail address");
		j->outcome = OUT_SKIPPED;
		return MW_OK;
	}
	return create_user(r, j, email);
}

/* Many contacts (a batch, an import page): their users in one lookup
 * instead of one scan of the contact links per contact. */
enum mw_err
add_prepare(struct run *r)
{
	return r->njobs > 1 ? run_find_users(r) : MW_OK;
}

/* wp_maybe_update_user_counts(), once for all the users created: the
 * site's option, or a network's network option. */
enum mw_err
add_complete(struct run *r)
{
	size_t i;

	enum mw_err rc = tags_available(r);

	if (rc != MW_OK || r->req->dry_run)
		return rc;
	for (i = 0; i < r->njobs; i++) {
		if (r->jobs[i].outcome != OUT_CREATED)
			continue;
		if (r->cfg->wpf.multisite || r->cfg->blog_id > 1)
			return wp_network_user_count_refresh(r->wp);
		return wp_user_count_refresh(
			r->wp,
			r->site.db_version >= WP_DB_VERSION_66 ? "off" : "no");
	}
	return MW_OK;
}
