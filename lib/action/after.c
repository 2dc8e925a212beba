/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * after.c - after the transaction: the object cache's copies of changed
 * users dropped, generated passwords returned to Mautic and welcome mails
 * sent once the users exist, the drain of the outbox pinged; in a dry run,
 * the plan of these instead.
 */
#include "action/action_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/strparse.h"
#include "base/buf.h"
#include "formats/pwhash.h"
#include "formats/wptext.h"
#include "mail/mail.h"
#include "mautic/mautic.h"
#include "wp/objcache.h"
#include "wp/store.h"

/* The mapped field of a WordPress key, or NULL. */
static const struct cfg_field *
mapped(const struct cfg *cfg, const char *wp)
{
	size_t i;

	for (i = 0; i < cfg->nfields; i++)
		if (strcmp(cfg->fields[i].wp, wp) == 0)
			return &cfg->fields[i];
	return NULL;
}

/* What WP Fusion pushes with a returned password: the mapped user_login,
 * user_id and user_registered (a date field gets Y-m-d, as its Mautic
 * module formats dates).  false when o could not be filled. */
static bool
pushed_fields(struct run *r, struct job *j, cJSON *o)
{
	const struct cfg_field *f;
	char *reg = NULL;
	bool ok = true;

	f = mapped(r->cfg, "user_login");
	if (f != NULL && j->login != NULL)
		ok = cJSON_AddStringToObject(o, f->mautic, j->login) != NULL;
	f = mapped(r->cfg, "user_id");
	if (ok && f != NULL)
		ok = cJSON_AddNumberToObject(o, f->mautic, (double)j->uid) !=
		     NULL;
	f = mapped(r->cfg, "user_registered");
	if (ok && f != NULL &&
	    wp_user_registered(r->wp, j->uid, &reg) == MW_OK && reg != NULL) {
		if (f->type == CFG_FT_DATE && strlen(reg) > 10)
			reg[10] = '\0';
		ok = cJSON_AddStringToObject(o, f->mautic, reg) != NULL;
	}
	free(reg);
	return ok;
}

static void
return_password(struct run *r, struct job *j)
{
	cJSON *o = cJSON_CreateObject();
	char *body = NULL;
	enum mw_err rc = MW_ENOMEM;

	/* One PATCH: the password and the fields WP Fusion pushes with it. */
	if (o != NULL &&
	    cJSON_AddStringToObject(o, r->cfg->return_password_field,
				    j->password) != NULL &&
	    pushed_fields(r, j, o))
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

/* wp_new_user_notification($id, null, 'user'): "[Site] Login Details". */
static void
welcome_mail(struct run *r, struct job *j)
{
	char *name = NULL, *url = NULL, subject[256];
	size_t len;
	struct buf body, esc;
	const char *site, *base;

	buf_init(&body, 8192);
	buf_init(&esc, WPTEXT_LOGIN_MAX * 12);
	/* Without the option the mail still goes, with WordPress's own
	 * fallbacks: "WordPress" and a relative link. */
	if (r->cfg->site_name == NULL &&
	    wp_option_get(r->wp, "blogname", &name, &len) != MW_OK)
		name = NULL;
	if (r->cfg->site_url == NULL &&
	    wp_option_get(r->wp, "siteurl", &url, &len) != MW_OK)
		url = NULL;
	site = r->cfg->site_name ? r->cfg->site_name
	       : name		 ? name
				 : "WordPress";
	base = r->cfg->site_url ? r->cfg->site_url : url ? url : "";
	snprintf(subject, sizeof(subject), "[%s] Login Details", site);
	/* PHP's rawurlencode() of the login, as the link carries it. */
	if (str_urlencode(&esc, j->login, strlen(j->login)) != MW_OK) {
		job_note(j, "the welcome e-mail could not be sent");
		goto out;
	}
	if (r->site.keyfmt == PWHASH_KEY_GENERIC)
		buf_printf(
			&body,
			"Username: %s\r\n\r\nTo set your password, visit the following address:\r\n\r\n%s/wp-login.php?login=%s&key=%s&action=rp\r\n\r\n%s/wp-login.php\r\n",
			j->login, base, esc.p, j->reset_key, base);
	else
		buf_printf(
			&body,
			"Username: %s\r\n\r\nTo set your password, visit the following address:\r\n\r\n%s/wp-login.php?action=rp&key=%s&login=%s\r\n\r\n%s/wp-login.php\r\n",
			j->login, base, j->reset_key, esc.p, base);
	if (buf_error(&body) != MW_OK ||
	    mail_send(r->cfg, j->email, subject, body.p) != MW_OK)
		job_note(j, "the welcome e-mail could not be sent");
out:
	buf_free(&esc);
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

	if (r->cfg->redis_url.host == NULL || r->wp == NULL)
		return;
	if (r->tags_listed) {
		static const char *const opt[1] = {"wpf_available_tags"};

		if (objcache_invalidate_options(r->cfg, opt, 1) != MW_OK &&
		    r->njobs > 0)
			job_note(&r->jobs[0],
				 "the object cache could not be updated");
	}
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
after_plan(struct run *r)
{
	size_t i;

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (j->outcome != OUT_CREATED)
			continue;
		if (j->password != NULL &&
		    r->cfg->return_password_field != NULL) {
			static const char *const pushed[] = {
				"user_login", "user_id", "user_registered"};
			const struct cfg_field *f;
			size_t k;

			job_change(
				j,
				"Mautic field %s gets the generated password",
				r->cfg->return_password_field);
			for (k = 0; k < sizeof(pushed) / sizeof(pushed[0]); k++)
				if ((f = mapped(r->cfg, pushed[k])) != NULL)
					job_change(j, "Mautic field %s gets %s",
						   f->mautic, pushed[k]);
		}
		if (j->reset_key != NULL)
			job_change(j, "welcome e-mail \"Login Details\" to %s",
				   j->email);
		if (j->notify)
			job_change(
				j,
				"welcome e-mail to %s through WordPress (wp_new_user_notification)",
				j->email);
	}
}

void
after_commit(struct run *r)
{
	size_t i;

	/* WordPress's hooks first: the drain starts while the rest runs. */
	events_ping(r);
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
	events_prune(r);
}
