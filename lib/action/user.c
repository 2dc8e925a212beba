/*
 * action_user.c - the add and update actions: users, mapped fields, roles
 * and passwords written as wp_insert_user() / wp_update_user() would, then
 * the returned password and the welcome mail after the commit.
 */
#include "action/action_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "formats/contact.h"
#include "base/log.h"
#include "mail/mail.h"
#include "mautic/mautic.h"
#include "wp/objcache.h"
#include "formats/phpser.h"
#include "base/strparse.h"
#include "formats/wptext.h"
#include "wp/store.h"

#define CONTACT_META "mautic_contact_id"
#define DB_VERSION_68 60421  /* WordPress 6.8: $wp bcrypt, $generic$ keys */
#define DB_VERSION_66 57155  /* WordPress 6.6: autoload "off" */
#define GENERATED_PW_LEN 24  /* [A-Za-z0-9]: 142 bits */
#define RESET_KEY_LEN 20     /* wp_generate_password(20, false) */
#define ADD_LOCK_TIMEOUT_S 5 /* well below Mautic's 10 s */
#define TEXT_MAX 1024	     /* formatted user text */

/* ---- the site: roles, default role, version ---------------------------- */

void
site_free(struct site *s)
{
	roles_free(&s->roles);
	free(s->default_role);
	memset(s, 0, sizeof(*s));
}

static enum mw_err
site_load(struct run *r)
{
	return site_read(r->cfg, r->wp, &r->site);
}

enum mw_err
site_read(const struct cfg *cfg, struct wpstore *wp, struct site *s)
{
	char name[96], *val = NULL;
	size_t len = 0;
	enum mw_err rc;

	if (s->loaded)
		return MW_OK;
	if (cfg->blog_id > 1)
		snprintf(s->blog_prefix, sizeof(s->blog_prefix), "%s%llu_",
			 cfg->table_prefix, (unsigned long long)cfg->blog_id);
	else
		snprintf(s->blog_prefix, sizeof(s->blog_prefix), "%s",
			 cfg->table_prefix);
	snprintf(name, sizeof(name), "%suser_roles", s->blog_prefix);
	rc = wp_option_get(wp, name, &val, &len);
	if (rc == MW_OK && val == NULL) {
		log_err("site: option %s is missing", name);
		rc = MW_ECONFIG;
	}
	if (rc == MW_OK && roles_parse(val, len, &s->roles) != MW_OK) {
		log_err("site: option %s is not a role table", name);
		rc = MW_ECONFIG;
	}
	free(val);
	if (rc != MW_OK)
		return rc;
	rc = wp_option_get(wp, "default_role", &s->default_role, &len);
	if (rc == MW_OK)
		rc = wp_option_get(wp, "db_version", &val, &len);
	if (rc != MW_OK)
		return rc;
	if (val == NULL ||
	    str_u64(val, len, 0, UINT32_MAX, &s->db_version) != MW_OK)
		s->db_version = 0;
	free(val);
	switch (cfg->password_hash) {
	case CFG_HASH_PHPASS:
		s->scheme = PWHASH_PHPASS;
		break;
	case CFG_HASH_BCRYPT:
		s->scheme = PWHASH_WP_BCRYPT;
		break;
	case CFG_HASH_AUTO:
		s->scheme = s->db_version >= DB_VERSION_68 ? PWHASH_WP_BCRYPT
							   : PWHASH_PHPASS;
		break;
	}
	s->keyfmt = s->db_version >= DB_VERSION_68 ? PWHASH_KEY_GENERIC
						   : PWHASH_KEY_PHPASS;
	s->loaded = true;
	return MW_OK;
}

void
job_free(struct job *j)
{
	contact_free(&j->fetched);
	if (j->password != NULL)
		explicit_bzero(j->password, strlen(j->password));
	if (j->reset_key != NULL)
		explicit_bzero(j->reset_key, strlen(j->reset_key));
	free(j->password);
	free(j->reset_key);
	free(j->login);
	free(j->email);
	free(j->old_email);
	free(j->old_nicename);
	memset(j, 0, sizeof(*j));
}

/* ---- small helpers ------------------------------------------------------ */

/* The mapped Mautic value of a WordPress key; NULL when unmapped, null or
 * empty (WP Fusion's rule: an empty value never clears WordPress's). */
static const char *
mapped(const struct run *r, const struct job *j, const char *wp_key)
{
	const char *alias = cfg_field_alias(r->cfg, wp_key);
	const char *v;

	if (alias == NULL)
		return NULL;
	v = contact_field(j->data, alias);
	return v != NULL && v[0] != '\0' ? v : NULL;
}

static unsigned
random_below(unsigned n)
{
	uint32_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (uint32_t)time(NULL);
	return v % n;
}

static char *
blog_key(const struct run *r, const char *suffix, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s%s", r->site.blog_prefix, suffix);
	return out;
}

/* Set text usermeta when its stored form differs (update_user_meta()'s
 * no-op), stored as maybe_serialize() would. */
static enum mw_err
meta_update(struct run *r, struct job *j, const char *key, const char *val)
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

/* add_user_meta() of a text value, stored as maybe_serialize() would. */
static enum mw_err
meta_add_text(struct run *r, struct job *j, const char *key, const char *val)
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

/* The serialized {prefix}capabilities value for a single role. */
static enum mw_err
caps_for(const char *slug, struct buf *out)
{
	return buf_printf(out, "a:1:{s:%zu:\"%s\";b:1;}", strlen(slug), slug);
}

/* ---- roles --------------------------------------------------------------- */

/* The role a webhook asked for, checked against the site and the rules.
 * NULL (with a note) when refused; for a new user the caller falls back
 * to the default role. */
static const struct role *
wanted_role(struct run *r, struct job *j, const char *wanted)
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

/* WP_User::set_role(): drop every registered role from the user's
 * capabilities, keep other capabilities, add the new role; then
 * {prefix}user_level. */
static enum mw_err
set_role(struct run *r, struct job *j, const struct role *ro)
{
	char key[96], lvl[24], *old = NULL;
	size_t len = 0;
	struct buf caps;
	enum mw_err rc;

	buf_init(&caps, 1u << 16);
	blog_key(r, "capabilities", key, sizeof(key));
	rc = wp_meta_get(r->wp, j->uid, key, &old, &len);
	if (rc == MW_OK) {
		const struct role *cur =
			roles_user_role(&r->site.roles, old, len);

		if (cur == ro) {
			j->role = ro->slug;
			goto out;
		}
		rc = caps_for(ro->slug, &caps);
	}
	if (rc == MW_OK)
		rc = wp_meta_set(r->wp, j->uid, key, caps.p, caps.len);
	snprintf(lvl, sizeof(lvl), "%u", ro->level);
	if (rc == MW_OK)
		rc = meta_update(
			r, j, blog_key(r, "user_level", key, sizeof(key)), lvl);
	if (rc == MW_OK) {
		j->changed = true;
		j->role = ro->slug;
		job_change(j, "role %s", ro->slug);
	}
out:
	free(old);
	buf_free(&caps);
	return rc;
}

/* ---- update -------------------------------------------------------------- */

enum field_kind {
	FK_SKIP,    /* user_login (never changed), role (handled apart) */
	FK_PASS,    /* user_pass */
	FK_EMAIL,   /* user_email */
	FK_URL,	    /* user_url */
	FK_DISPLAY, /* display_name column */
	FK_NICE,    /* user_nicename column */
	FK_NAME,    /* first_name, last_name, nickname: display filters */
	FK_DESC,    /* description: kses */
	FK_META,    /* any other usermeta key, stored verbatim */
	FK__MAX
};

static enum field_kind
field_kind(const char *wp)
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
	/* Capabilities and levels are roles' business, not a field's. */
	if (strstr(wp, "capabilities") != NULL || strstr(wp, "user_level"))
		return FK_SKIP;
	return FK_META;
}

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
	char out[TEXT_MAX], tmp[TEXT_MAX];
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

/* Apply every [fields] mapping to an existing user. */
static enum mw_err
apply_fields(struct run *r, struct job *j, struct wp_user *u, bool priv)
{
	char out[TEXT_MAX * 4];
	enum mw_err rc = MW_OK;
	size_t i;

	for (i = 0; rc == MW_OK && i < r->cfg->nfields; i++) {
		const char *wp = r->cfg->fields[i].wp;
		const char *val = mapped(r, j, wp);
		enum field_kind k = field_kind(wp);

		if (val == NULL || k == FK_SKIP)
			continue;
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
				rc = meta_update(r, j, wp, out);
			break;
		case FK_META:
			rc = meta_update(r, j, wp, val);
			break;
		case FK_SKIP:
		case FK__MAX:
			break;
		}
	}
	return rc;
}

/* The role of an update: the mapped role field, else the role parameter;
 * refused roles and privileged users leave the role as it is. */
static enum mw_err
update_role(struct run *r, struct job *j, bool priv)
{
	const char *want = mapped(r, j, "role");
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
	ro = wanted_role(r, j, want);
	if (ro == NULL) {
		job_note(j, "role not changed");
		return MW_OK;
	}
	return set_role(r, j, ro);
}

/* Update an existing user inside the transaction: link, fields, tags,
 * role. */
static enum mw_err
update_user(struct run *r, struct job *j)
{
	struct wp_user u;
	char key[96], cid[24], *caps = NULL;
	size_t capslen = 0;
	const struct role *cur;
	bool priv;
	enum mw_err rc;

	rc = wp_user_lock(r->wp, j->uid);
	if (rc == MW_EINPUT) {
		j->outcome = OUT_NO_USER;
		job_note(j, "the user was deleted meanwhile");
		return MW_OK;
	}
	if (rc == MW_OK)
		rc = wp_user_get(r->wp, j->uid, &u);
	if (rc != MW_OK)
		return rc;
	rc = wp_meta_get(r->wp, j->uid,
			 blog_key(r, "capabilities", key, sizeof(key)), &caps,
			 &capslen);
	priv = rc == MW_OK &&
	       roles_user_is_privileged(&r->site.roles, caps, capslen);
	cur = rc == MW_OK ? roles_user_role(&r->site.roles, caps, capslen)
			  : NULL;
	j->role = cur != NULL ? cur->slug : NULL;
	free(caps);
	if (rc == MW_OK && j->link) {
		snprintf(cid, sizeof(cid), "%llu",
			 (unsigned long long)j->contact_id);
		rc = meta_update(r, j, CONTACT_META, cid);
		job_note(j, "user found by email and linked to the contact");
	}
	if (rc == MW_OK)
		rc = apply_fields(r, j, &u, priv);
	if (rc == MW_OK)
		rc = run_store_tags(r, j);
	if (rc == MW_OK)
		rc = update_role(r, j, priv);
	if (rc == MW_OK)
		j->outcome = j->changed ? OUT_UPDATED : OUT_UNCHANGED;
	wp_user_free(&u);
	return rc;
}

/* ---- create -------------------------------------------------------------- */

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
	const char *first = mapped(r, j, "first_name");
	const char *last = mapped(r, j, "last_name");
	const char *given = mapped(r, j, "user_login");
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
	const char *want = mapped(r, j, "role");
	const struct role *ro = NULL, *def;

	if (want == NULL)
		want = r->req->role;
	if (want != NULL)
		ro = wanted_role(r, j, want);
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

/* The usermeta rows of wp_insert_user(), in its order. */
static enum mw_err
core_meta(struct run *r, struct job *j, const char *login,
	  const struct role *ro)
{
	char first[TEXT_MAX], last[TEXT_MAX], nick[TEXT_MAX],
		desc[TEXT_MAX * 4];
	char key[96], lvl[24], *domain = NULL;
	struct buf caps;
	enum mw_err rc = MW_OK;
	size_t i;
	const char *fixed[][2] = {
		{"rich_editing", "true"},
		{"syntax_highlighting", "true"},
		{"comment_shortcuts", "false"},
		{"admin_color", "fresh"},
		{"use_ssl", "0"},
		{"show_admin_bar_front", "true"},
		{"locale", ""},
	};

	fmt_or_empty(mapped(r, j, "first_name"), wptext_display, first,
		     sizeof(first));
	fmt_or_empty(mapped(r, j, "last_name"), wptext_display, last,
		     sizeof(last));
	fmt_or_empty(mapped(r, j, "nickname"), wptext_display, nick,
		     sizeof(nick));
	fmt_or_empty(mapped(r, j, "description"), wptext_description, desc,
		     sizeof(desc));
	buf_init(&caps, 4096);
	const char *rows[][2] = {
		{"nickname", nick[0] ? nick : login},
		{"first_name", first},
		{"last_name", last},
		{"description", desc},
	};
	for (i = 0; rc == MW_OK && i < 4; i++)
		rc = meta_add_text(r, j, rows[i][0], rows[i][1]);
	for (i = 0; rc == MW_OK && i < sizeof(fixed) / sizeof(fixed[0]); i++)
		rc = wp_meta_add(r->wp, j->uid, fixed[i][0], fixed[i][1],
				 strlen(fixed[i][1]));
	if (rc == MW_OK && r->cfg->blog_id > 1) {
		/* add_user_to_blog(): primary_blog and source_domain first. */
		snprintf(lvl, sizeof(lvl), "%llu",
			 (unsigned long long)r->cfg->blog_id);
		rc = wp_meta_add(r->wp, j->uid, "primary_blog", lvl,
				 strlen(lvl));
		if (rc == MW_OK)
			rc = wp_blog_domain(r->wp, r->cfg->blog_id, &domain);
		if (rc == MW_OK)
			rc = wp_meta_add(r->wp, j->uid, "source_domain",
					 domain ? domain : "",
					 domain ? strlen(domain) : 0);
		free(domain);
	}
	if (rc == MW_OK)
		rc = caps_for(ro->slug, &caps);
	if (rc == MW_OK)
		rc = wp_meta_add(r->wp, j->uid,
				 blog_key(r, "capabilities", key, sizeof(key)),
				 caps.p, caps.len);
	snprintf(lvl, sizeof(lvl), "%u", ro->level);
	if (rc == MW_OK)
		rc = wp_meta_add(r->wp, j->uid,
				 blog_key(r, "user_level", key, sizeof(key)),
				 lvl, strlen(lvl));
	buf_free(&caps);
	return rc;
}

/* Our own rows after WordPress's: the contact link, tags, other mapped
 * meta, and the password nag for a generated password. */
static enum mw_err
extra_meta(struct run *r, struct job *j)
{
	char cid[24];
	enum mw_err rc;
	size_t i;

	snprintf(cid, sizeof(cid), "%llu", (unsigned long long)j->contact_id);
	rc = wp_meta_add(r->wp, j->uid, CONTACT_META, cid, strlen(cid));
	if (rc == MW_OK)
		rc = run_store_tags(r, j);
	for (i = 0; rc == MW_OK && i < r->cfg->nfields; i++) {
		const char *wp = r->cfg->fields[i].wp;
		const char *val = mapped(r, j, wp);

		if (val != NULL && field_kind(wp) == FK_META)
			rc = meta_add_text(r, j, wp, val);
	}
	if (rc == MW_OK && j->password != NULL)
		rc = wp_meta_add(r->wp, j->uid, "default_password_nag", "1", 1);
	return rc;
}

/* The password of a new user: mapped, else generated (kept for Mautic). */
static enum mw_err
new_password(struct run *r, struct job *j, char *hash, size_t hashsz)
{
	const char *given = mapped(r, j, "user_pass");
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
	rc = pwhash_generate(RESET_KEY_LEN, false, key, sizeof(key));
	if (rc == MW_OK)
		rc = pwhash_reset_key(r->site.keyfmt, key, (int64_t)time(NULL),
				      out, outsz);
	if (rc == MW_OK && (j->reset_key = strdup(key)) == NULL)
		rc = MW_ENOMEM;
	explicit_bzero(key, sizeof(key));
	return rc;
}

/* Create the user as wp_insert_user() would, with our rows after. */
static enum mw_err
create_user(struct run *r, struct job *j, const char *email)
{
	char login[WPTEXT_LOGIN_MAX * 4 + 1], nice[WPTEXT_NICENAME_MAX * 4 + 1];
	char hash[PWHASH_MAX], akey[PWHASH_KEY_MAX], url[TEXT_MAX];
	char first[TEXT_MAX], last[TEXT_MAX], given[TEXT_MAX],
		disp[TEXT_MAX * 2];
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
	fmt_or_empty(mapped(r, j, "user_url"), wptext_url, url, sizeof(url));
	fmt_or_empty(mapped(r, j, "first_name"), wptext_display, first,
		     sizeof(first));
	fmt_or_empty(mapped(r, j, "last_name"), wptext_display, last,
		     sizeof(last));
	fmt_or_empty(mapped(r, j, "display_name"), wptext_display, given,
		     sizeof(given));
	display_name(given, first, last, login, disp, sizeof(disp));
	memset(&u, 0, sizeof(u));
	u.col[WP_COL_LOGIN] = login;
	u.col[WP_COL_PASS] = hash;
	u.col[WP_COL_NICENAME] = nice;
	u.col[WP_COL_EMAIL] = email;
	u.col[WP_COL_URL] = url;
	u.col[WP_COL_ACTIVATION] = akey;
	u.col[WP_COL_DISPLAY_NAME] = disp;
	rc = wp_user_insert(r->wp, &u, &j->uid);
	explicit_bzero(hash, sizeof(hash));
	if (rc == MW_OK)
		rc = core_meta(r, j, login, ro);
	if (rc == MW_OK)
		rc = extra_meta(r, j);
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

/* ---- the actions ----------------------------------------------------------
 */

/* add for one contact, inside the lock and the transaction: the user of
 * the contact, else of its e-mail (then linked), else a new one. */
static enum mw_err
add_job(struct run *r, struct job *j, bool looked_up)
{
	const char *email = mapped(r, j, "user_email");
	enum mw_err rc = MW_OK;

	if (!looked_up)
		rc = wp_user_by_contact(r->wp, j->contact_id, &j->uid);
	if (rc == MW_OK && j->uid == 0 && email != NULL) {
		rc = wp_user_by_email(r->wp, email, &j->uid);
		j->link = j->uid != 0;
	}
	if (rc != MW_OK)
		return rc;
	if (j->uid != 0)
		return update_user(r, j);
	if (email == NULL || !wptext_is_email(email)) {
		job_note(j, "the contact has no valid e-mail address");
		j->outcome = OUT_SKIPPED;
		return MW_OK;
	}
	return create_user(r, j, email);
}

/* Many contacts (a batch, an import page): their users in one lookup
 * instead of one scan of the contact links per contact. */
static enum mw_err
prefetch_users(struct run *r)
{
	uint64_t *cids, *uids;
	enum mw_err rc = MW_ENOMEM;
	size_t i;

	cids = calloc(r->njobs, sizeof(*cids));
	uids = calloc(r->njobs, sizeof(*uids));
	if (cids != NULL && uids != NULL) {
		for (i = 0; i < r->njobs; i++)
			cids[i] = r->jobs[i].contact_id;
		rc = wp_users_by_contacts(r->wp, cids, r->njobs, uids);
		for (i = 0; rc == MW_OK && i < r->njobs; i++)
			r->jobs[i].uid = uids[i];
	}
	free(cids);
	free(uids);
	return rc;
}

static void
lock_name(const struct run *r, char *out, size_t outsz)
{
	/* One lock per site for user creation: adds are short, and a single
	 * lock cannot deadlock. */
	snprintf(out, outsz, "mautic-wp:add:%.24s:%.32s", r->cfg->db_name,
		 r->cfg->table_prefix);
}

enum mw_err
action_add(struct run *r)
{
	char lock[96];
	enum mw_err rc;
	size_t i;

	rc = run_open_wp(r);
	if (rc == MW_OK)
		rc = site_load(r);
	if (rc == MW_OK)
		rc = run_load_all(r, false, true);
	if (rc != MW_OK)
		return rc;
	/* The lock comes before the transaction's first read, so that what
	 * we read inside includes users created by whoever held it before. */
	lock_name(r, lock, sizeof(lock));
	rc = wp_lock(r->wp, lock, ADD_LOCK_TIMEOUT_S);
	if (rc != MW_OK)
		return rc;
	rc = wp_begin(r->wp);
	if (rc == MW_OK && r->njobs > 1)
		rc = prefetch_users(r);
	for (i = 0; rc == MW_OK && i < r->njobs; i++)
		if (!r->jobs[i].deleted)
			rc = add_job(r, &r->jobs[i], r->njobs > 1);
	/* wp_maybe_update_user_counts(), once for all the users created. */
	for (i = 0; rc == MW_OK && i < r->njobs; i++)
		if (r->jobs[i].outcome == OUT_CREATED) {
			if (r->cfg->blog_id <= 1)
				rc = wp_user_count_refresh(
					r->wp,
					r->site.db_version >= DB_VERSION_66
						? "off"
						: "no");
			break;
		}
	rc = run_finish(r, rc);
	wp_unlock(r->wp, lock);
	return rc;
}

enum mw_err
action_update(struct run *r)
{
	enum mw_err rc;
	size_t i;

	rc = run_open_wp(r);
	if (rc == MW_OK)
		rc = site_load(r);
	if (rc == MW_OK)
		rc = run_load_all(r, true, true);
	if (rc == MW_OK)
		rc = wp_begin(r->wp);
	if (rc == MW_OK)
		rc = run_lock_users(r);
	for (i = 0; rc == MW_OK && i < r->njobs; i++)
		if (r->jobs[i].uid != 0 && !r->jobs[i].deleted)
			rc = update_user(r, &r->jobs[i]);
	return run_finish(r, rc);
}

/* ---- after the commit -----------------------------------------------------
 */

static void
return_password(struct run *r, struct job *j)
{
	cJSON *o = cJSON_CreateObject();
	char *body = NULL;
	enum mw_err rc = MW_ENOMEM;

	if (o != NULL &&
	    cJSON_AddStringToObject(o, r->cfg->return_password_field,
				    j->password) != NULL)
		body = cJSON_PrintUnformatted(o);
	if (body != NULL)
		rc = run_open_mautic(r);
	if (rc == MW_OK)
		rc = mautic_patch_contact(r->mautic, j->contact_id, body);
	if (rc != MW_OK)
		job_note(
			j,
			"the generated password could not be returned to Mautic (the user exists; use the password reset)");
	if (body != NULL) {
		explicit_bzero(body, strlen(body));
		free(body);
	}
	cJSON *pw = cJSON_GetObjectItemCaseSensitive(
		o, r->cfg->return_password_field);
	if (cJSON_IsString(pw))
		explicit_bzero(pw->valuestring, strlen(pw->valuestring));
	cJSON_Delete(o);
}

/* PHP's rawurlencode() for a login ([A-Za-z0-9 _.@-] after sanitizing). */
static void
rawurlencode(const char *in, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in != '\0' && o + 4 < outsz; in++) {
		unsigned char c = (unsigned char)*in;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/* wp_new_user_notification($id, null, 'user'): "[Site] Login Details". */
static void
welcome_mail(struct run *r, struct job *j)
{
	char *name = NULL, *url = NULL, subject[256],
	     esc[WPTEXT_LOGIN_MAX * 12];
	size_t len;
	struct buf body;
	const char *site, *base;

	buf_init(&body, 8192);
	if (r->cfg->site_name == NULL)
		wp_option_get(r->wp, "blogname", &name, &len);
	if (r->cfg->site_url == NULL)
		wp_option_get(r->wp, "siteurl", &url, &len);
	site = r->cfg->site_name ? r->cfg->site_name
	       : name		 ? name
				 : "WordPress";
	base = r->cfg->site_url ? r->cfg->site_url : url ? url : "";
	snprintf(subject, sizeof(subject), "[%s] Login Details", site);
	rawurlencode(j->login, esc, sizeof(esc));
	if (r->site.keyfmt == PWHASH_KEY_GENERIC)
		buf_printf(
			&body,
			"Username: %s\r\n\r\nTo set your password, visit the following address:\r\n\r\n%s/wp-login.php?login=%s&key=%s&action=rp\r\n\r\n%s/wp-login.php\r\n",
			j->login, base, esc, j->reset_key, base);
	else
		buf_printf(
			&body,
			"Username: %s\r\n\r\nTo set your password, visit the following address:\r\n\r\n%s/wp-login.php?action=rp&key=%s&login=%s\r\n\r\n%s/wp-login.php\r\n",
			j->login, base, j->reset_key, esc, base);
	if (body.p == NULL ||
	    mail_send(r->cfg, j->email, subject, body.p) != MW_OK)
		job_note(j, "the welcome e-mail could not be sent");
	buf_free(&body);
	free(name);
	free(url);
}

/* Drop the object cache's copies of every user this request changed. */
static void
drop_cached(struct run *r)
{
	struct objcache_user *v;
	struct wp_user *rows;
	size_t i, n = 0;

	if (r->cfg->redis == NULL || r->wp == NULL)
		return;
	v = calloc(r->njobs + 1, sizeof(*v));
	rows = calloc(r->njobs + 1, sizeof(*rows));
	for (i = 0; v != NULL && rows != NULL && i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (!j->changed || j->uid == 0 ||
		    wp_user_get(r->wp, j->uid, &rows[n]) != MW_OK)
			continue;
		v[n].id = j->uid;
		v[n].login = rows[n].col[WP_COL_LOGIN];
		v[n].email = rows[n].col[WP_COL_EMAIL];
		v[n].nicename = rows[n].col[WP_COL_NICENAME];
		v[n].old_email = j->old_email;
		v[n].old_nicename = j->old_nicename;
		v[n].created = j->outcome == OUT_CREATED;
		n++;
	}
	if (n > 0 && objcache_invalidate(r->cfg, v, n) != MW_OK)
		for (i = 0; i < r->njobs; i++)
			if (r->jobs[i].changed && r->jobs[i].uid != 0)
				job_note(
					&r->jobs[i],
					"the object cache could not be updated");
	for (i = 0; rows != NULL && i < n; i++)
		wp_user_free(&rows[i]);
	free(rows);
	free(v);
}

void
action_user_plan(struct run *r)
{
	size_t i;

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (j->outcome != OUT_CREATED)
			continue;
		if (j->password != NULL &&
		    r->cfg->return_password_field != NULL)
			job_change(
				j,
				"Mautic field %s gets the generated password",
				r->cfg->return_password_field);
		if (j->reset_key != NULL)
			job_change(j, "welcome e-mail \"Login Details\" to %s",
				   j->email);
	}
}

void
action_user_after_commit(struct run *r)
{
	size_t i;

	drop_cached(r);

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (j->outcome != OUT_CREATED)
			continue;
		if (j->password != NULL &&
		    r->cfg->return_password_field != NULL)
			return_password(r, j);
		if (j->reset_key != NULL)
			welcome_mail(r, j);
	}
}
