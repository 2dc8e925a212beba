/* SPDX-License-Identifier: GPL-2.0-or-later */
/* outbox.c - the outbox table, the drain key, housekeeping (outbox.h). */
#include "wp/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "base/buf.h"
#include "base/hmac.h"
#include "base/strparse.h"
#include "wp/store_int.h"

#define ROWS_PER_INSERT 32
#define PRUNE_ROWS 1000
#define WARN_OPTION "mautic_wp_outbox_warned"
#define WARN_EVERY_S 86400

/* The same table as sql/mautic-wp-events.sql. */
static const char create_sql[] =
	"CREATE TABLE IF NOT EXISTS {B}mautic_wp_events ("
	"id bigint(20) unsigned NOT NULL auto_increment, "
	"user_id bigint(20) unsigned NOT NULL, "
	"contact_id bigint(20) unsigned NOT NULL default '0', "
	"request_id varchar(32) NOT NULL default '', "
	"created bigint(20) unsigned NOT NULL default '0', "
	"payload longtext NOT NULL, "
	"tries smallint(5) unsigned NOT NULL default '0', "
	"next_try bigint(20) unsigned NOT NULL default '0', "
	"lease varchar(32) NOT NULL default '', "
	"lease_until bigint(20) unsigned NOT NULL default '0', "
	"parked tinyint(1) unsigned NOT NULL default '0', "
	"error varchar(255) NOT NULL default '', "
	"PRIMARY KEY (id), KEY user_pending (user_id, parked, id), "
	"KEY pending (parked, id)"
	") ENGINE=InnoDB DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci";

static enum mw_err
add_chunk(struct wpstore *w, const struct wp_event *ev, size_t n, bool *missing)
{
	struct buf sql;
	struct arg a[4 * ROWS_PER_INSERT];
	size_t i;
	enum mw_err rc;

	buf_init(&sql, SQL_MAX);
	buf_addstr(
		&sql,
		"INSERT INTO {B}mautic_wp_events (user_id, contact_id, request_id, created, payload) VALUES ");
	for (i = 0; i < n; i++) {
		buf_addstr(&sql, i ? ", (?, ?, ?, UNIX_TIMESTAMP(), ?)"
				   : "(?, ?, ?, UNIX_TIMESTAMP(), ?)");
		a[4 * i] = U64(ev[i].uid);
		a[4 * i + 1] = U64(ev[i].contact_id);
		a[4 * i + 2] = CSTR(ev[i].request_id);
		a[4 * i + 3] = CSTR(ev[i].payload);
	}
	rc = buf_error(&sql);
	if (rc == MW_OK) {
		/* No question first: the insert says whether the table is
		 * there. */
		w->quiet_errno = ER_NO_SUCH_TABLE;
		rc = wps_query(w, sql.p, a, 4 * n, NULL, NULL, NULL);
		w->quiet_errno = 0;
		if (rc != MW_OK && w->last_errno == ER_NO_SUCH_TABLE) {
			*missing = true;
			rc = MW_EDB;
		}
	}
	buf_free(&sql);
	return rc;
}

enum mw_err
wp_outbox_add(struct wpstore *w, const struct wp_event *ev, size_t n,
	      bool *missing, uint64_t *first_id)
{
	enum mw_err rc = MW_OK;
	size_t i, k;

	*missing = false;
	*first_id = 0;
	for (i = 0; rc == MW_OK && i < n; i += k) {
		k = n - i < ROWS_PER_INSERT ? n - i : ROWS_PER_INSERT;
		rc = add_chunk(w, ev + i, k, missing);
		if (rc == MW_OK && i == 0)
			*first_id = wps_insert_id(w);
	}
	return rc;
}

enum mw_err
wp_outbox_create(struct wpstore *w)
{
	struct buf sql;
	enum mw_err rc;

	if (w->in_tx)
		return MW_EINTERNAL;
	buf_init(&sql, SQL_MAX);
	buf_addstr(&sql, create_sql);
	rc = buf_error(&sql);
	if (rc == MW_OK)
		rc = wps_query(w, sql.p, NULL, 0, NULL, NULL, NULL);
	buf_free(&sql);
	return rc;
}

static bool
key_ok(const char *k, size_t len)
{
	size_t i;

	if (len != WP_DRAIN_KEY_HEX)
		return false;
	for (i = 0; i < len; i++)
		if (!((k[i] >= '0' && k[i] <= '9') ||
		      (k[i] >= 'a' && k[i] <= 'f')))
			return false;
	return true;
}

enum mw_err
wp_drain_key(struct wpstore *w, const char *autoload, char *out)
{
	char fresh[WP_DRAIN_KEY_HEX + 1], *val = NULL;
	size_t len = 0;
	enum mw_err rc;
	int pass;

	out[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		rc = wp_option_get(w, WP_DRAIN_KEY_OPTION, &val, &len);
		if (rc != MW_OK)
			return rc;
		if (val != NULL) {
			rc = key_ok(val, len) ? MW_OK : MW_EINPUT;
			if (rc == MW_OK)
				memcpy(out, val, len + 1);
			explicit_bzero(val, len);
			free(val);
			return rc;
		}
		if (pass > 0)
			break;
		/* Whoever comes first makes it; the other side reads it. */
		rc = mw_random_hex(WP_DRAIN_KEY_HEX / 2, fresh);
		if (rc == MW_OK) {
			struct arg a[2] = {CSTR(fresh), CSTR(autoload)};

			rc = wps_query(
				w,
				"INSERT IGNORE INTO {B}options (option_name, option_value, autoload) VALUES ('" WP_DRAIN_KEY_OPTION
				"', ?, ?)",
				a, 2, NULL, NULL, NULL);
		}
		explicit_bzero(fresh, sizeof(fresh));
		if (rc != MW_OK)
			return rc;
	}
	return MW_EINTERNAL;
}

static enum mw_err
stats_row(void *ctx, char **col, unsigned long *len, unsigned n)
{
	struct wp_outbox_stats *st = ctx;
	uint64_t v[4] = {0, 0, 0, 0};
	unsigned i;

	if (n < 5)
		return MW_EINTERNAL;
	for (i = 0; i < 4; i++)
		if (col[i] != NULL &&
		    str_u64(col[i], len[i], 0, UINT64_MAX, &v[i]) != MW_OK)
			return MW_EINTERNAL;
	st->pending = v[0];
	st->parked = v[1];
	st->oldest_age_s = v[2] >= v[3] || v[3] == 0 ? 0 : v[2] - v[3];
	if (col[4] != NULL)
		snprintf(st->last_error, sizeof(st->last_error), "%.*s",
			 (int)len[4], col[4]);
	return MW_OK;
}

static enum mw_err
age_row(void *ctx, char **col, unsigned long *len, unsigned n)
{
	uint64_t *age = ctx;

	if (n < 1 || col[0] == NULL)
		return MW_OK;
	return str_u64(col[0], len[0], 0, UINT64_MAX, age);
}

enum mw_err
wp_outbox_stats(struct wpstore *w, struct wp_outbox_stats *st)
{
	enum mw_err rc;

	memset(st, 0, sizeof(*st));
	st->pings_age_s = UINT64_MAX;
	w->quiet_errno = ER_NO_SUCH_TABLE;
	rc = wps_query(
		w,
		"SELECT SUM(parked = 0), SUM(parked = 1), UNIX_TIMESTAMP(), MIN(IF(parked = 0, created, NULL)), "
		"(SELECT error FROM {B}mautic_wp_events WHERE parked = 1 ORDER BY id DESC LIMIT 1) FROM {B}mautic_wp_events",
		NULL, 0, stats_row, st, NULL);
	if (rc == MW_OK) {
		st->exists = true;
		rc = wps_query(
			w,
			"SELECT UNIX_TIMESTAMP() - MAX(at) FROM {B}mautic_wp_pings HAVING MAX(at) IS NOT NULL",
			NULL, 0, age_row, &st->pings_age_s, NULL);
	}
	w->quiet_errno = 0;
	if (rc != MW_OK && w->last_errno == ER_NO_SUCH_TABLE)
		rc = MW_OK;
	return rc;
}

enum mw_err
wp_outbox_prune(struct wpstore *w, uint64_t max_age_s, const char *autoload,
		uint64_t *deleted, bool *warn)
{
	struct arg a[2] = {U64(max_age_s), U64(PRUNE_ROWS)};
	struct arg b[3] = {U64(WARN_EVERY_S), CSTR(autoload)};
	uint64_t n = 0, changed = 0;
	enum mw_err rc;

	*deleted = 0;
	*warn = false;
	rc = wps_query(
		w,
		"DELETE FROM {B}mautic_wp_events WHERE created < UNIX_TIMESTAMP() - ? ORDER BY id LIMIT ?",
		a, 2, NULL, NULL, &n);
	if (rc != MW_OK || n == 0)
		return rc;
	*deleted = n;
	/* One warning a day, whichever process comes first. */
	rc = wps_query(
		w,
		"UPDATE {B}options SET option_value = UNIX_TIMESTAMP() WHERE option_name = '" WARN_OPTION
		"' AND CAST(option_value AS UNSIGNED) < UNIX_TIMESTAMP() - ?",
		b, 1, NULL, NULL, &changed);
	if (rc == MW_OK && changed == 0) {
		b[0] = CSTR(autoload);
		rc = wps_query(
			w,
			"INSERT IGNORE INTO {B}options (option_name, option_value, autoload) VALUES ('" WARN_OPTION
			"', UNIX_TIMESTAMP(), ?)",
			b, 1, NULL, NULL, &changed);
	}
	*warn = rc == MW_OK && changed > 0;
	return rc;
}
