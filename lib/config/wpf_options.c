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

/* contact_fields: { wp_key: {active, crm_field, pseudo?, type}, ... }. */
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
		    phps_truthy(phps_get(&e->val, "pseudo")) ||
		    !is_ident(e->key.s, "-") || !is_ident(crm, NULL))
			continue;
		for (j = 0; j < cfg->nfields; j++)
			dup |= strcmp(cfg->fields[j].wp, e->key.s) == 0;
		if (dup || cfg->nfields == CFG_FIELDS_MAX)
			continue;
		cfg->fields[cfg->nfields].wp = strdup(e->key.s);
		cfg->fields[cfg->nfields].mautic = strdup(crm);
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

enum mw_err
wpfopts_apply(struct cfg *cfg, const char *ser, size_t len, char *err,
	      size_t errsz)
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
	phps_free(&o);
	if (rc != MW_OK) {
		snprintf(err, errsz, "%s: use_wpf_options: out of memory",
			 cfg->path);
		return MW_ECONFIG;
	}
	return cfg_complete(cfg, err, errsz);
}
