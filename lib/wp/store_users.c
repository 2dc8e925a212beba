/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_users.c - the statements: users, usermeta, options, the lock
 * rows and WP Fusion's activity log.  Each is one round trip (store.c).
 */
#include "wp/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/strparse.h"
#include "wp/store_int.h"

/* The lowest linked user and whether it still exists, in one row. */
struct link_row {
	uint64_t low; /* lowest user_id linked, 0 = none */
	bool exists;  /* that user is in {P}users */
};

static enum mw_err
read_link(void *ctx, char **col, unsigned long *len, unsigned n)
{
	struct link_row *l = ctx;

	if (n < 2 || col[0] == NULL)
		return MW_OK;
	if (str_u64(col[0], len[0], 1, UINT64_MAX, &l->low) != MW_OK)
		return MW_EINTERNAL;
	l->exists = col[1] != NULL;
	return MW_OK;
}

enum mw_err
wp_user_by_contact(struct wpstore *w, uint64_t contact_id, uint64_t *uid)
{
	char cid[24];
	struct arg a[3];
	struct link_row l = {0, false};
	enum mw_err rc;

	snprintf(cid, sizeof(cid), "%llu", (unsigned long long)contact_id);
	/* WP Fusion's key: mautic_contact_id, or blog-prefixed */
	a[0] = CSTR(w->cfg->wpf.contact_key);
	a[1] = CSTR(cid);
	a[2] = U64(WP_PSEUDO_USER_MIN);
	/* MIN() over the meta_key index (or the contact index, which makes
	 * it one index read): a JOIN with ORDER BY makes the optimiser walk
	 * every user instead.  The user's row is checked in the same
	 * statement. */
	rc = wps_query(
		w,
		"SELECT x.uid, u.ID FROM (SELECT MIN(user_id) AS uid FROM {P}usermeta WHERE meta_key = ? AND meta_value = ? AND user_id < ?) x LEFT JOIN {P}users u ON u.ID = x.uid",
		a, 3, read_link, &l, NULL);
	if (rc != MW_OK)
		return rc;
	if (l.low == 0 || l.exists) {
		*uid = l.low;
		return MW_OK;
	}
	/* The lowest link is left from a deleted user: the slow, exact form. */
	return wps_run_u64(
		w,
		"SELECT m.user_id FROM {P}usermeta m JOIN {P}users u ON u.ID = m.user_id WHERE m.meta_key = ? AND m.meta_value = ? AND m.user_id < ? ORDER BY m.user_id ASC LIMIT 1",
		a, 3, uid, NULL);
}

enum mw_err
wp_user_by_email(struct wpstore *w, const char *email, uint64_t *uid)
{
	struct arg a[1] = {CSTR(email)};

	return wps_run_u64(
		w,
		"SELECT ID FROM {P}users WHERE user_email = ? ORDER BY ID ASC LIMIT 1",
		a, 1, uid, NULL);
}

/* Mark the ids that came back. */
struct lock_ctx {
	const uint64_t *ids;
	bool *exists;
	size_t n;
};

static enum mw_err
locked_row(void *ctx, char **col, unsigned long *len, unsigned n)
{
	struct lock_ctx *l = ctx;
	uint64_t id;
	size_t i;

	if (n < 1 || col[0] == NULL ||
	    str_u64(col[0], len[0], 1, UINT64_MAX, &id) != MW_OK)
		return MW_EINTERNAL;
	for (i = 0; i < l->n; i++)
		if (l->ids[i] == id)
			l->exists[i] = true;
	return MW_OK;
}

#define USER_KEY_LEN 24 /* "u:" and a 64-bit id */

/* On a Galera node, FOR UPDATE locks only that node's rows: two nodes
 * could both find a user's meta key missing and both insert it.  A lock
 * row per user ("u:<ID>") is a write that certification checks, so the
 * second of two such transactions fails on commit and is retried. */
static enum mw_err
user_lock_rows(struct wpstore *w, const uint64_t *ids, size_t n)
{
	char(*keys)[USER_KEY_LEN];
	const char **ptrs;
	size_t i;
	enum mw_err rc = MW_ENOMEM;

	keys = calloc(n, sizeof(*keys));
	ptrs = calloc(n, sizeof(*ptrs));
	if (keys != NULL && ptrs != NULL) {
		for (i = 0; i < n; i++) {
			snprintf(keys[i], sizeof(keys[i]), "u:%llu",
				 (unsigned long long)ids[i]);
			ptrs[i] = keys[i];
		}
		rc = wp_lock_keys(w, ptrs, n);
	}
	free(keys);
	free(ptrs);
	return rc;
}

enum mw_err
wp_users_lock(struct wpstore *w, const uint64_t *ids, size_t n, bool *exists)
{
	struct lock_ctx l = {ids, exists, n};
	struct arg *a;
	size_t i;
	enum mw_err rc = MW_ENOMEM;

	for (i = 0; i < n; i++)
		exists[i] = false;
	if (n == 0)
		return MW_OK;
	if (w->galera && (rc = user_lock_rows(w, ids, n)) != MW_OK)
		return rc;
	a = calloc(n, sizeof(*a));
	if (a == NULL)
		return MW_ENOMEM;
	for (i = 0; i < n; i++)
		a[i] = U64(ids[i]);
	/* The primary key is read in ascending order, so the rows are
	 * locked in the order two requests agree on. */
	rc = wps_query_in(w, "SELECT ID FROM {P}users WHERE ID IN (", n,
			  ") ORDER BY ID ASC FOR UPDATE", a, n, locked_row, &l);
	free(a);
	return rc;
}

enum mw_err
wp_meta_get(struct wpstore *w, uint64_t uid, const char *key, char **val,
	    size_t *len)
{
	struct arg a[2] = {U64(uid), CSTR(key)};

	return wps_run_str(
		w,
		"SELECT meta_value FROM {P}usermeta WHERE user_id = ? AND meta_key = ? ORDER BY umeta_id ASC LIMIT 1",
		a, 2, val, len);
}

enum mw_err
wp_meta_set(struct wpstore *w, uint64_t uid, const char *key, const char *val,
	    size_t len)
{
	struct arg up[3] = {STR(val, len), U64(uid), CSTR(key)};
	struct arg ins[3] = {U64(uid), CSTR(key), STR(val, len)};

	return wps_update_or_insert(
		w,
		"UPDATE {P}usermeta SET meta_value = ? WHERE user_id = ? AND meta_key = ?",
		up, 3,
		"INSERT INTO {P}usermeta (user_id, meta_key, meta_value) VALUES (?, ?, ?)",
		ins, 3);
}

enum mw_err
wp_meta_delete(struct wpstore *w, uint64_t uid, const char *key)
{
	struct arg a[2] = {U64(uid), CSTR(key)};
	struct result r = {0};

	return wps_run(
		w, "DELETE FROM {P}usermeta WHERE user_id = ? AND meta_key = ?",
		a, 2, &r);
}

static const char *const col_names[WP_COL__MAX] = {
	"user_login",	       /* WP_COL_LOGIN */
	"user_pass",	       /* WP_COL_PASS */
	"user_nicename",       /* WP_COL_NICENAME */
	"user_email",	       /* WP_COL_EMAIL */
	"user_url",	       /* WP_COL_URL */
	"user_activation_key", /* WP_COL_ACTIVATION */
	"display_name",	       /* WP_COL_DISPLAY_NAME */
};

void
wp_user_free(struct wp_user *u)
{
	size_t i;

	if (u == NULL)
		return;
	for (i = 0; i < WP_COL__MAX; i++) {
		if (u->col[i] != NULL)
			explicit_bzero(u->col[i], strlen(u->col[i]));
		free(u->col[i]);
		u->col[i] = NULL;
	}
}

enum mw_err
wp_user_get(struct wpstore *w, uint64_t uid, struct wp_user *out)
{
	struct arg a[1] = {U64(uid)};
	struct wp_user u;
	struct result r = {.ncols = WP_COL__MAX};
	enum mw_err rc;

	memset(&u, 0, sizeof(u));
	u.id = uid;
	r.cols = u.col;
	rc = wps_run(
		w,
		"SELECT user_login, user_pass, user_nicename, user_email, user_url, user_activation_key, display_name FROM {P}users WHERE ID = ?",
		a, 1, &r);
	if (rc == MW_OK && !r.found)
		rc = MW_EINPUT;
	if (rc != MW_OK) {
		wp_user_free(&u);
		return rc;
	}
	*out = u;
	return MW_OK;
}

enum mw_err
wp_user_insert(struct wpstore *w, const struct wp_new_user *u, uint64_t *uid)
{
	struct arg a[7] = {
		CSTR(u->col[WP_COL_PASS]),
		CSTR(u->col[WP_COL_NICENAME]),
		CSTR(u->col[WP_COL_EMAIL]),
		CSTR(u->col[WP_COL_URL]),
		CSTR(u->col[WP_COL_ACTIVATION]),
		CSTR(u->col[WP_COL_DISPLAY_NAME]),
		CSTR(u->col[WP_COL_LOGIN]),
	};
	struct result r = {0};
	enum mw_err rc;

	rc = wps_run(
		w,
		"INSERT INTO {P}users (user_pass, user_nicename, user_email, user_url, user_registered, user_activation_key, display_name, user_login) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(), ?, ?, ?)",
		a, 7, &r);
	if (rc == MW_OK)
		*uid = wps_insert_id(w);
	return rc;
}

enum mw_err
wp_user_set(struct wpstore *w, uint64_t uid, enum wp_col col, const char *val)
{
	char tmpl[128];
	struct arg a[2] = {CSTR(val), U64(uid)};
	struct result r = {0};

	if (col >= WP_COL__MAX)
		return MW_EINTERNAL;
	snprintf(tmpl, sizeof(tmpl), "UPDATE {P}users SET %s = ? WHERE ID = ?",
		 col_names[col]);
	return wps_run(w, tmpl, a, 2, &r);
}

enum mw_err
wp_login_taken(struct wpstore *w, const char *login, bool *taken)
{
	struct arg a[1] = {CSTR(login)};
	uint64_t id;

	return wps_run_u64(
		w, "SELECT ID FROM {P}users WHERE user_login = ? LIMIT 1", a, 1,
		&id, taken);
}

enum mw_err
wp_nicename_taken(struct wpstore *w, const char *nicename, const char *login,
		  bool *taken)
{
	struct arg a[2] = {CSTR(nicename), CSTR(login)};
	uint64_t id;

	return wps_run_u64(
		w,
		"SELECT ID FROM {P}users WHERE user_nicename = ? AND user_login != ? LIMIT 1",
		a, 2, &id, taken);
}

enum mw_err
wp_meta_add(struct wpstore *w, uint64_t uid, const char *key, const char *val,
	    size_t len)
{
	struct pending *p;
	enum mw_err rc;

	if (w->npend == PENDING_MAX && (rc = wps_flush(w)) != MW_OK)
		return rc;
	if (w->pend == NULL &&
	    (w->pend = calloc(PENDING_MAX, sizeof(*w->pend))) == NULL)
		return MW_ENOMEM;
	p = &w->pend[w->npend];
	p->uid = uid;
	p->key = strdup(key);
	p->val = malloc(len + 1);
	if (p->key == NULL || p->val == NULL) {
		free(p->key);
		free(p->val);
		return MW_ENOMEM;
	}
	memcpy(p->val, val, len);
	p->val[len] = '\0';
	p->len = len;
	w->npend++;
	return MW_OK;
}

enum mw_err
wp_option_get(struct wpstore *w, const char *name, char **val, size_t *len)
{
	struct arg a[1] = {CSTR(name)};

	return wps_run_str(
		w, "SELECT option_value FROM {B}options WHERE option_name = ?",
		a, 1, val, len);
}

enum mw_err
wp_meta_sample(struct wpstore *w, const char *key, char **val, size_t *len)
{
	struct arg a[1] = {CSTR(key)};

	return wps_run_str(
		w,
		"SELECT meta_value FROM {P}usermeta WHERE meta_key = ? LIMIT 1",
		a, 1, val, len);
}

enum mw_err
wp_option_lock(struct wpstore *w, const char *name, char **val, size_t *len)
{
	struct arg a[1] = {CSTR(name)};

	return wps_run_str(
		w,
		"SELECT option_value FROM {B}options WHERE option_name = ? FOR UPDATE",
		a, 1, val, len);
}

enum mw_err
wp_option_create(struct wpstore *w, const char *name, const char *val,
		 const char *autoload)
{
	struct arg a[3] = {CSTR(name), CSTR(val), CSTR(autoload)};
	struct result res;

	memset(&res, 0, sizeof(res));
	/* A no-op on an existing row, which it locks all the same. */
	return wps_run(
		w,
		"INSERT INTO {B}options (option_name, option_value, autoload) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE option_name = option_name",
		a, 3, &res);
}

enum mw_err
wp_option_update(struct wpstore *w, const char *name, const char *val,
		 size_t len)
{
	struct arg a[2] = {STR(val, len), CSTR(name)};
	struct result res;

	memset(&res, 0, sizeof(res));
	return wps_run(
		w,
		"UPDATE {B}options SET option_value = ? WHERE option_name = ?",
		a, 2, &res);
}

/* Rows of wp_options_get(): each value to the slot of its name. */
struct opts_ctx {
	const char *const *names;
	char **vals;
	size_t *lens;
	size_t n;
};

static enum mw_err
option_row(void *ctx, char **col, unsigned long *len, unsigned n)
{
	struct opts_ctx *o = ctx;
	size_t i;

	if (n < 2 || col[0] == NULL)
		return MW_EINTERNAL;
	for (i = 0; i < o->n; i++) {
		if (o->vals[i] != NULL || strlen(o->names[i]) != len[0] ||
		    memcmp(o->names[i], col[0], len[0]) != 0)
			continue;
		if ((o->vals[i] = malloc(len[1] + 1)) == NULL)
			return MW_ENOMEM;
		if (len[1] > 0)
			memcpy(o->vals[i], col[1], len[1]);
		o->vals[i][len[1]] = '\0';
		o->lens[i] = len[1];
	}
	return MW_OK;
}

enum mw_err
wp_options_get(struct wpstore *w, const char *const *names, size_t n,
	       char **vals, size_t *lens)
{
	struct opts_ctx o = {names, vals, lens, n};
	struct arg *a;
	size_t i;
	enum mw_err rc = MW_ENOMEM;

	for (i = 0; i < n; i++) {
		vals[i] = NULL;
		lens[i] = 0;
	}
	a = calloc(n + 1, sizeof(*a));
	if (a == NULL)
		return MW_ENOMEM;
	for (i = 0; i < n; i++)
		a[i] = CSTR(names[i]);
	rc = wps_query_in(w,
			  "SELECT option_name, option_value FROM {B}options "
			  "WHERE option_name IN (",
			  n, ")", a, n, option_row, &o);
	if (rc != MW_OK)
		for (i = 0; i < n; i++) {
			free(vals[i]);
			vals[i] = NULL;
		}
	free(a);
	return rc;
}

enum mw_err
wp_user_count_refresh(struct wpstore *w, const char *autoload)
{
	struct arg a[1] = {CSTR(autoload)};

	/* wp_maybe_update_user_counts() counts live only on a site that is
	 * not large (wp_is_large_user_count(): over 10,000 users); a large
	 * site's count is refreshed by WP-Cron twice a day.  The condition
	 * keeps the COUNT() from running on such a site. */
	return wps_update_or_insert(
		w,
		"UPDATE {P}options SET option_value = (SELECT COUNT(ID) FROM {P}users) WHERE option_name = 'user_count' AND CAST(option_value AS UNSIGNED) <= 10000",
		NULL, 0,
		"INSERT INTO {P}options (option_name, option_value, autoload) SELECT 'user_count', (SELECT COUNT(ID) FROM {P}users), ? FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM {P}options WHERE option_name = 'user_count')",
		a, 1);
}

enum mw_err
wp_network_user_count_refresh(struct wpstore *w)
{
	struct arg u[1] = {U64(w->cfg->blog_id)};
	struct arg i[1] = {U64(w->cfg->blog_id)};

	/* wp_maybe_update_user_counts() on a network: the network option
	 * user_count (wp_sitemeta of the blog's network) counts the users
	 * neither spam nor deleted, live only while it is at most 10,000. */
	return wps_update_or_insert(
		w,
		"UPDATE {P}sitemeta SET meta_value = (SELECT COUNT(ID) FROM {P}users WHERE spam = '0' AND deleted = '0') WHERE site_id = (SELECT site_id FROM {P}blogs WHERE blog_id = ?) AND meta_key = 'user_count' AND CAST(meta_value AS SIGNED) <= 10000",
		u, 1,
		"INSERT INTO {P}sitemeta (site_id, meta_key, meta_value) SELECT b.site_id, 'user_count', (SELECT COUNT(ID) FROM {P}users WHERE spam = '0' AND deleted = '0') FROM {P}blogs b WHERE b.blog_id = ? AND NOT EXISTS (SELECT 1 FROM {P}sitemeta m WHERE m.site_id = b.site_id AND m.meta_key = 'user_count')",
		i, 1);
}

enum mw_err
wp_user_registered(struct wpstore *w, uint64_t uid, char **val)
{
	struct arg a[1] = {U64(uid)};
	size_t len;

	*val = NULL;
	return wps_run_str(w,
			   "SELECT user_registered FROM {P}users WHERE ID = ?",
			   a, 1, val, &len);
}

enum mw_err
wp_blog_domain(struct wpstore *w, uint64_t blog_id, char **domain)
{
	struct arg a[1] = {U64(blog_id)};
	size_t len;

	*domain = NULL;
	return wps_run_str(w, "SELECT domain FROM {P}blogs WHERE blog_id = ?",
			   a, 1, domain, &len);
}

/* ---- the lock rows ---------------------------------------------------- */

#define LOCK_KEY_MAX 180 /* bytes of a key (the column holds 191 chars) */

/* The table, as sql/mautic-wp-locks.sql has it.  The key's collation is
 * utf8mb4's default (case-insensitive), so two spellings of one e-mail
 * address share a row.  Galera certifies by primary key and replicates
 * only InnoDB. */
static const char locks_ddl[] =
	"CREATE TABLE IF NOT EXISTS {P}mautic_wp_locks ("
	"lock_key varchar(191) NOT NULL, "
	"taken bigint(20) unsigned NOT NULL DEFAULT 0, "
	"PRIMARY KEY (lock_key)"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

static int
cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One INSERT for every key: a new row, or taken + 1 on an existing one
 * (a row that did not change would give Galera nothing to certify). */
static enum mw_err
lock_rows(struct wpstore *w, const char **keys, size_t n)
{
	struct buf sql;
	struct arg *a;
	size_t i;
	enum mw_err rc = MW_ENOMEM;

	a = calloc(n, sizeof(*a));
	if (a == NULL)
		return MW_ENOMEM;
	buf_init(&sql, SQL_MAX * 4);
	buf_addstr(&sql,
		   "INSERT INTO {P}mautic_wp_locks (lock_key, taken) VALUES ");
	for (i = 0; i < n; i++) {
		buf_addstr(&sql, i ? ", (?, 1)" : "(?, 1)");
		a[i] = STR(keys[i], strnlen(keys[i], LOCK_KEY_MAX));
	}
	buf_addstr(&sql, " ON DUPLICATE KEY UPDATE taken = taken + 1");
	rc = buf_error(&sql);
	if (rc == MW_OK) {
		w->quiet_errno = ER_NO_SUCH_TABLE;
		rc = wps_query(w, sql.p, a, n, NULL, NULL, NULL);
		w->quiet_errno = 0;
	}
	buf_free(&sql);
	free(a);
	return rc;
}

enum mw_err
wp_lock_keys(struct wpstore *w, const char *const *keys, size_t n)
{
	const char **k;
	size_t i, m = 0;
	enum mw_err rc;

	if (n == 0)
		return MW_OK;
	k = calloc(n, sizeof(*k));
	if (k == NULL)
		return MW_ENOMEM;
	memcpy(k, keys, n * sizeof(*k));
	qsort(k, n, sizeof(*k), cmp_key);
	for (i = 0; i < n; i++)
		if (m == 0 || strcmp(k[i], k[m - 1]) != 0)
			k[m++] = k[i];
	rc = lock_rows(w, k, m);
	/* Only as the transaction's first statement: the CREATE below ends
	 * the transaction, which must not have written anything. */
	if (rc != MW_OK && w->last_errno == ER_NO_SUCH_TABLE &&
	    w->queries - w->tx_queries > 1)
		log_err("wpstore: %smautic_wp_locks is missing: load sql/mautic-wp-locks.sql",
			w->cfg->table_prefix);
	else if (rc != MW_OK && w->last_errno == ER_NO_SUCH_TABLE) {
		/* CREATE TABLE ends the open transaction (nothing is written
		 * yet): begin it again around the first lock. */
		log_info("wpstore: creating %smautic_wp_locks",
			 w->cfg->table_prefix);
		wp_rollback(w);
		rc = wps_simple_tmpl(w, locks_ddl);
		if (rc == MW_OK)
			rc = wp_begin(w);
		if (rc == MW_OK)
			rc = lock_rows(w, k, m);
		if (rc != MW_OK && w->last_errno != ER_LOCK_DEADLOCK)
			log_err("wpstore: %smautic_wp_locks is missing and could not be created: grant CREATE on the database, or load sql/mautic-wp-locks.sql",
				w->cfg->table_prefix);
	}
	free(k);
	return rc;
}

enum mw_err
wp_locks_present(struct wpstore *w, bool *present)
{
	enum mw_err rc;

	w->quiet_errno = ER_NO_SUCH_TABLE;
	rc = wps_query(w, "SELECT 1 FROM {P}mautic_wp_locks LIMIT 0", NULL, 0,
		       NULL, NULL, NULL);
	w->quiet_errno = 0;
	*present = rc == MW_OK;
	if (rc != MW_OK && w->last_errno == ER_NO_SUCH_TABLE)
		rc = MW_OK;
	return rc;
}

#define WPFLOG_RECHECK_MS (10 * 60 * 1000) /* absent: try again after */

bool
wp_wpflog_maybe(struct wpstore *w)
{
	return w->wpflog != 0 || mw_now_ms() - w->wpflog_at > WPFLOG_RECHECK_MS;
}

enum mw_err
wp_wpflog_add(struct wpstore *w, unsigned level, uint64_t uid,
	      const char *message, const char *context)
{
	struct arg a[4] = {U64(level), U64(uid), CSTR(message),
			   CSTR(context ? context : "")};
	enum mw_err rc;

	/* No question first: the insert itself says whether the table is
	 * there, and the answer is kept for the connection. */
	w->quiet_errno = ER_NO_SUCH_TABLE;
	rc = wps_query(
		w,
		context != NULL
			? "INSERT INTO {P}wpf_logging (timestamp, level, user, source, message, context) VALUES (UTC_TIMESTAMP(), ?, ?, 'api', ?, ?)"
			: "INSERT INTO {P}wpf_logging (timestamp, level, user, source, message, context) VALUES (UTC_TIMESTAMP(), ?, ?, 'api', ?, NULL)",
		a, context != NULL ? 4 : 3, NULL, NULL, NULL);
	w->quiet_errno = 0;
	if (rc == MW_OK) {
		w->wpflog = 1;
	} else if (w->last_errno == ER_NO_SUCH_TABLE) {
		w->wpflog = 0;
		w->wpflog_at = mw_now_ms();
		rc = MW_OK;
	}
	return rc;
}

/* The rows of the batched contact lookup, lowest user first. */
struct batch_ctx {
	char (*txt)[24]; /* the contact ids as text */
	uint64_t *uids;
	size_t n;
};

static enum mw_err
batch_row(void *ctx, char **col, unsigned long *len, unsigned n)
{
	struct batch_ctx *b = ctx;
	uint64_t uid;
	size_t j;

	if (n < 2 || col[0] == NULL || col[1] == NULL ||
	    str_u64(col[1], len[1], 1, UINT64_MAX, &uid) != MW_OK)
		return MW_EINTERNAL;
	/* The first row of a contact wins, as wp_user_by_contact() picks. */
	for (j = 0; j < b->n; j++)
		if (b->uids[j] == 0 && strlen(b->txt[j]) == len[0] &&
		    memcmp(b->txt[j], col[0], len[0]) == 0)
			b->uids[j] = uid;
	return MW_OK;
}

enum mw_err
wp_users_by_contacts(struct wpstore *w, const uint64_t *cids, size_t n,
		     uint64_t *uids)
{
	struct arg *a;
	struct batch_ctx b = {NULL, uids, n};
	enum mw_err rc = MW_ENOMEM;
	size_t i;

	memset(uids, 0, n * sizeof(*uids));
	if (n == 0)
		return MW_OK;
	a = calloc(n + 2, sizeof(*a));
	b.txt = calloc(n, sizeof(*b.txt));
	if (a == NULL || b.txt == NULL)
		goto out;
	a[0] = CSTR(w->cfg->wpf.contact_key);
	a[1] = U64(WP_PSEUDO_USER_MIN);
	for (i = 0; i < n; i++) {
		snprintf(b.txt[i], sizeof(b.txt[i]), "%llu",
			 (unsigned long long)cids[i]);
		a[i + 2] = CSTR(b.txt[i]);
	}
	/* Only links of users that exist, the lowest first: what
	 * wp_user_by_contact() picks, for every contact at once. */
	rc = wps_query_in(
		w,
		"SELECT m.meta_value, m.user_id FROM {P}usermeta m JOIN {P}users u ON u.ID = m.user_id WHERE m.meta_key = ? AND m.user_id < ? AND m.meta_value IN (",
		n, ") ORDER BY m.user_id ASC", a, n + 2, batch_row, &b);
out:
	free(a);
	free(b.txt);
	return rc;
}
