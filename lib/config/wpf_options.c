/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wpfopts.c - WP Fusion's wpf_options as a source of configuration. */
#include "config/wpf_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/phpser.h"

/* A non-empty string option without control characters, or NULL. */
static const char *
text(const struct phps_value *root, const char *key)
{
	const struct phps_value *v = phps_get(root, key);
	size_t i;

	if (v == NULL || v->type != PHPS_STRING || v->slen == 0 ||
	    v->slen > CFG_VALUE_MAX || strlen(v->s) != v->slen)
		return NULL;
	for (i = 0; i < v->slen; i++)
		if ((unsigned char)v->s[i] < 0x20)
			return NULL;
	return v->s;
}

/* Set *slot to a copy of val unless the file set the key. */
static enum mw_err
take(struct cfg *cfg, const char *section, const char *name, char **slot,
     const char *val)
{
	if (val == NULL || cfg_is_set(cfg, section, name))
		return MW_OK;
	if (*slot != NULL) {
		explicit_bzero(*slot, strlen(*slot));
		free(*slot);
	}
	*slot = strdup(val);
	return *slot != NULL ? MW_OK : MW_ENOMEM;
}

static bool
is_ident(const char *s, const char *extra)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
			     "UVWXYZ0123456789_");

	if (extra != NULL)
		n += strspn(s + n, extra);
	return n > 0 && n <= 64 && s[n] == '\0';
}

/* A contact_fields type as we import it. */
static enum cfg_ftype
ftype(const struct phps_value *entry)
{
	const char *t = text(entry, "type");

	if (t == NULL || strcmp(t, "text") == 0)
		return CFG_FT_TEXT;
	if (strcmp(t, "raw") == 0)
		return CFG_FT_RAW;
	if (strcmp(t, "date") == 0 || strcmp(t, "datepicker") == 0)
		return CFG_FT_DATE;
	return CFG_FT_OTHER;
}

/* contact_fields: { wp_key: {active, crm_field, pseudo?, type}, ... }.
 * Pseudo fields (user_id, user_registered) are kept, marked: they are
 * never written, only sent back to Mautic with a returned password. */
static enum mw_err
take_fields(struct cfg *cfg, const struct phps_value *cf)
{
	size_t i, j;

	if (cf == NULL || cf->type != PHPS_ARRAY)
		return MW_OK;
	if (cfg->fields_default) {
		/* Our built-in defaults give way to the site's own mapping. */
		for (i = 0; i < cfg->nfields; i++) {
			free(cfg->fields[i].wp);
			free(cfg->fields[i].mautic);
		}
		cfg->nfields = 0;
	}
	for (i = 0; i < cf->n; i++) {
		const struct phps_entry *e = &cf->items[i];
		const char *crm = text(&e->val, "crm_field");
		bool dup = false;

		if (e->key.type != PHPS_STRING || crm == NULL ||
		    !phps_truthy(phps_get(&e->val, "active")) ||
		    !is_ident(e->key.s, "-") || !is_ident(crm, NULL))
			continue;
		for (j = 0; j < cfg->nfields; j++)
			if (strcmp(cfg->fields[j].wp, e->key.s) == 0) {
				/* The file's mapping wins; WP Fusion's type
				 * still says how the value is imported. */
				cfg->fields[j].type = ftype(&e->val);
				dup = true;
			}
		if (dup || cfg->nfields == CFG_FIELDS_MAX)
			continue;
		cfg->fields[cfg->nfields].wp = strdup(e->key.s);
		cfg->fields[cfg->nfields].mautic = strdup(crm);
		cfg->fields[cfg->nfields].type = ftype(&e->val);
		cfg->fields[cfg->nfields].pseudo =
			phps_truthy(phps_get(&e->val, "pseudo"));
		cfg->nfields++;
		if (cfg->fields[cfg->nfields - 1].wp == NULL ||
		    cfg->fields[cfg->nfields - 1].mautic == NULL)
			return MW_ENOMEM;
	}
	return MW_OK;
}

static enum mw_err
take_webhook(struct cfg *cfg, const struct phps_value *o)
{
	static const char *const formats[] = {"email", "flname", "fnamenum"};
	const char *fmt = text(o, "username_format");
	enum mw_err rc = MW_OK;
	size_t i;

	for (i = 0; fmt != NULL && i < 3; i++)
		if (strcmp(fmt, formats[i]) == 0 &&
		    !cfg_is_set(cfg, "webhook", "username_format"))
			cfg->username_format = (enum cfg_uname)i;
	if (!cfg_is_set(cfg, "webhook", "send_welcome_email"))
		cfg->send_welcome_email =
			phps_truthy(phps_get(o, "send_welcome_email"));
	/* return_password defaults to on in WP Fusion's settings. */
	if ((phps_get(o, "return_password") == NULL ||
	     phps_truthy(phps_get(o, "return_password"))) &&
	    text(o, "return_password_field") != NULL &&
	    is_ident(text(o, "return_password_field"), NULL))
		rc = take(cfg, "webhook", "return_password_field",
			  &cfg->return_password_field,
			  text(o, "return_password_field"));
	return rc;
}

/* The host and path of a URL as PHP's parse_url() splits them: *host
 * and *path point into u (lengths in *hl, *pl), NULL when absent. */
static void
url_split(const char *u, const char **host, size_t *hl, const char **path,
	  size_t *pl)
{
	const char *a = NULL, *e, *at, *p = u;
	size_t n = strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
			     "XYZ0123456789+.-");

	*host = *path = NULL;
	*hl = *pl = 0;
	if (n > 0 && strncmp(u + n, "://", 3) == 0)
		a = u + n + 3;
	else if (strncmp(u, "//", 2) == 0)
		a = u + 2;
	if (a != NULL) {
		e = a + strcspn(a, "/?#");
		at = memchr(a, '@', (size_t)(e - a));
		while (at != NULL) {
			a = at + 1;
			at = memchr(a, '@', (size_t)(e - a));
		}
		p = e;
		/* a port: ":digits" at the end, after "]" for [v6] */
		n = (size_t)(e - a);
		while (n > 0 && a[n - 1] >= '0' && a[n - 1] <= '9')
			n--;
		if (n > 0 && a[n - 1] == ':' &&
		    (a[0] != '[' || (n >= 2 && a[n - 2] == ']')))
			e = a + n - 1;
		if (e > a) {
			*host = a;
			*hl = (size_t)(e - a);
		}
	}
	n = strcspn(p, "?#");
	if (n > 0) {
		*path = p;
		*pl = n;
	}
}

/* WP Fusion's duplicate-site lock: the site_url it stored (with the marker
 * _[wpf_siteurl]_ removed) against the site's URL, host and path compared
 * exactly, the scheme ignored.  True when they differ. */
static bool
duplicate_site(const char *lock, const char *site)
{
	static const char marker[] = "_[wpf_siteurl]_";
	char clean[CFG_VALUE_MAX * 2 + 1];
	const char *h1, *h2, *p1, *p2, *m;
	size_t hl1, hl2, pl1, pl2, n = 0;

	while (*lock != '\0' && n < sizeof(clean) - 1) {
		m = strstr(lock, marker);
		if (m == lock) {
			lock += sizeof(marker) - 1;
			continue;
		}
		clean[n++] = *lock++;
	}
	clean[n] = '\0';
	url_split(clean, &h1, &hl1, &p1, &pl1);
	url_split(site, &h2, &hl2, &p2, &pl2);
	if (h1 == NULL || h2 == NULL || hl1 != hl2 || memcmp(h1, h2, hl1) != 0)
		return true;
	if (p1 == NULL && p2 == NULL)
		return false;
	return p1 == NULL || p2 == NULL || pl1 != pl2 ||
	       memcmp(p1, p2, pl1) != 0;
}

/* Staging as WP Fusion decides it: WPF_STAGING_MODE false wins; then the
 * duplicate-site lock or WPF_STAGING_MODE true; then staging_mode. */
static void
take_staging(struct cfg *cfg, const struct phps_value *o, const char *siteurl)
{
	struct cfg_wpf *f = &cfg->wpf;
	const struct phps_value *lock = phps_get(o, "site_url");
	char site[CFG_VALUE_MAX * 2 + 1];
	size_t n;

	f->staging = false;
	f->staging_why[0] = '\0';
	if (f->const_staging == 0)
		return;
	/* get_site_url(): WP_SITEURL (untrailingslashed) over the option */
	snprintf(site, sizeof(site), "%s",
		 f->wp_siteurl != NULL ? f->wp_siteurl
		 : siteurl != NULL     ? siteurl
				       : "");
	n = strlen(site);
	while (f->wp_siteurl != NULL && n > 0 &&
	       (site[n - 1] == '/' || site[n - 1] == '\\'))
		site[--n] = '\0';
	if (lock != NULL && lock->type == PHPS_STRING && lock->slen > 0 &&
	    strlen(lock->s) == lock->slen && site[0] != '\0' &&
	    duplicate_site(lock->s, site)) {
		f->staging = true;
		snprintf(
			f->staging_why, sizeof(f->staging_why),
			"WP Fusion's duplicate-site lock: its stored site_url is not this site's URL");
	} else if (f->const_staging == 1) {
		f->staging = true;
		snprintf(f->staging_why, sizeof(f->staging_why),
			 "WPF_STAGING_MODE is true in wp-config.php");
	} else if (phps_truthy(phps_get(o, "staging_mode"))) {
		f->staging = true;
		snprintf(f->staging_why, sizeof(f->staging_why),
			 "WP Fusion's staging_mode setting is on");
	}
}

enum mw_err
wpfopts_apply(struct cfg *cfg, const char *ser, size_t len, const char *siteurl,
	      char *err, size_t errsz)
{
	struct phps_value o;
	enum mw_err rc;

	if (ser == NULL || phps_unserialize(ser, len, &o) != MW_OK ||
	    o.type != PHPS_ARRAY) {
		snprintf(
			err, errsz,
			"%s: use_wpf_options: the wpf_options row is missing or unreadable (is WP Fusion installed on this site?)",
			cfg->path);
		if (ser != NULL && o.type == PHPS_ARRAY)
			phps_free(&o);
		return MW_ECONFIG;
	}
	if (!cfg_is_set(cfg, "mautic", "auth") && text(&o, "mautic_token") &&
	    !text(&o, "mautic_username")) {
		snprintf(
			err, errsz,
			"%s: use_wpf_options: WP Fusion connects to Mautic with OAuth (authorization code); create an OAuth2 API credential and set auth = oauth2, client_id and client_secret in [mautic]",
			cfg->path);
		phps_free(&o);
		return MW_ECONFIG;
	}
	rc = take(cfg, "webhook", "access_key", &cfg->access_key,
		  text(&o, "access_key"));
	if (rc == MW_OK)
		rc = take(cfg, "mautic", "url", &cfg->mautic_url,
			  text(&o, "mautic_url"));
	if (rc == MW_OK && cfg->auth == CFG_AUTH_BASIC)
		rc = take(cfg, "mautic", "username", &cfg->username,
			  text(&o, "mautic_username"));
	if (rc == MW_OK && cfg->auth == CFG_AUTH_BASIC)
		rc = take(cfg, "mautic", "password", &cfg->password,
			  text(&o, "mautic_password"));
	if (rc == MW_OK)
		rc = take_fields(cfg, phps_get(&o, "contact_fields"));
	if (rc == MW_OK)
		rc = take_webhook(cfg, &o);
	if (rc == MW_OK) {
		take_staging(cfg, &o, siteurl);
		cfg->wpf.prefix_keys =
			phps_truthy(phps_get(&o, "multisite_prefix_keys"));
		cfg_wpf_derive(cfg);
	}
	phps_free(&o);
	if (rc != MW_OK) {
		snprintf(err, errsz, "%s: use_wpf_options: out of memory",
			 cfg->path);
		return MW_ECONFIG;
	}
	return cfg_complete(cfg, err, errsz);
}
