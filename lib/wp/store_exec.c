/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_exec.c - how one statement goes to the server: as text with every
 * value escaped by the client library (a CGI process sends each statement
 * once), or as a prepared statement kept per connection and only executed
 * again (persistent mode).  wps_query() in store.c picks the way.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/strparse.h"
#include "wp/store_int.h"

/* ---- the statement cache ---------------------------------------------- */

void
wps_cache_clear(struct wpstore *w)
{
	size_t i;

	for (i = 0; i < STMT_CACHE; i++) {
		if (w->cache[i].st != NULL)
			mysql_stmt_close(w->cache[i].st);
		free(w->cache[i].sql);
		w->cache[i].st = NULL;
		w->cache[i].sql = NULL;
	}
}

/* ---- the text protocol ---------------------------------------------- */

/* Replace each '?' of sql (templates carry no '?' of their own) by the
 * argument as a literal: a number, or a quoted string escaped for the
 * connection's character set.  An argument that does not fit is
 * MW_ETOOBIG. */
enum mw_err
wps_literals(struct wpstore *w, const char *sql, struct arg *args, size_t nargs,
	     struct buf *out)
{
	size_t k = 0;
	char *esc;

	for (; *sql != '\0'; sql++) {
		if (*sql != '?') {
			buf_add(out, sql, 1);
			continue;
		}
		if (k == nargs)
			return MW_EINTERNAL;
		if (args[k].type == A_U64) {
			buf_printf(out, "%llu", (unsigned long long)args[k].u);
		} else if (args[k].len > WP_META_MAX) {
			return MW_ETOOBIG;
		} else if ((esc = malloc(2 * args[k].len + 1)) == NULL) {
			return MW_ENOMEM;
		} else {
			unsigned long n = mysql_real_escape_string(
				w->db, esc, args[k].s, args[k].len);

			buf_add(out, "'", 1);
			buf_add(out, esc, n);
			buf_add(out, "'", 1);
			explicit_bzero(esc, n);
			free(esc);
		}
		k++;
	}
	return k == nargs ? buf_error(out) : MW_EINTERNAL;
}

enum mw_err
wps_text_query(struct wpstore *w, const char *sql, size_t sqllen, row_fn fn,
	       void *ctx, uint64_t *affected)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	unsigned long *len;
	unsigned n;
	enum mw_err rc = MW_OK;

	w->queries++;
	w->round_trips++;
	if (mysql_real_query(w->db, sql, sqllen) != 0)
		return wps_error(w, mysql_errno(w->db), "statement",
				 mysql_error(w->db));
	res = mysql_use_result(w->db);
	if (res == NULL) {
		if (mysql_field_count(w->db) != 0)
			return wps_error(w, mysql_errno(w->db), "result",
					 mysql_error(w->db));
		if (affected != NULL)
			*affected = mysql_affected_rows(w->db);
		return MW_OK;
	}
	n = mysql_num_fields(res);
	/* Every row is read, also after fn has had enough: the connection
	 * must be free for the next statement. */
	while ((row = mysql_fetch_row(res)) != NULL) {
		len = mysql_fetch_lengths(res);
		if (rc == MW_OK && fn != NULL)
			rc = fn(ctx, row, len, n);
	}
	if (mysql_errno(w->db) != 0 && rc == MW_OK)
		rc = wps_error(w, mysql_errno(w->db), "fetch",
			       mysql_error(w->db));
	mysql_free_result(res);
	return rc;
}

/* ---- prepared statements (persistent mode) ---------------------------- */

static void
bind_args(MYSQL_BIND *b, struct arg *args, size_t n)
{
	size_t i;

	memset(b, 0, n * sizeof(*b));
	for (i = 0; i < n; i++) {
		if (args[i].type == A_U64) {
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &args[i].u;
			b[i].is_unsigned = 1;
		} else {
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(uintptr_t)args[i].s;
			b[i].buffer_length = args[i].len;
			b[i].length = &args[i].len;
		}
	}
}

/* The kept statement for sql, prepared now when it is new (the least
 * recently used one makes room).  NULL after an error (logged). */
static MYSQL_STMT *
cached(struct wpstore *w, const char *sql, size_t sqllen, enum mw_err *rc)
{
	struct cached_stmt *c, *old = &w->cache[0];
	size_t i;

	for (i = 0; i < STMT_CACHE; i++) {
		c = &w->cache[i];
		if (c->sql != NULL && strcmp(c->sql, sql) == 0) {
			c->used = ++w->uses;
			return c->st;
		}
		if (c->sql == NULL || c->used < old->used)
			old = c;
	}
	if (old->st != NULL)
		mysql_stmt_close(old->st);
	free(old->sql);
	old->st = NULL;
	old->sql = strdup(sql);
	if (old->sql == NULL || (old->st = mysql_stmt_init(w->db)) == NULL) {
		free(old->sql);
		old->sql = NULL;
		*rc = MW_ENOMEM;
		return NULL;
	}
	w->round_trips++;
	if (mysql_stmt_prepare(old->st, sql, sqllen) != 0) {
		*rc = wps_error(w, mysql_stmt_errno(old->st), "prepare",
				mysql_stmt_error(old->st));
		mysql_stmt_close(old->st);
		free(old->sql);
		old->st = NULL;
		old->sql = NULL;
		return NULL;
	}
	old->used = ++w->uses;
	return old->st;
}

/* Forget a kept statement after it failed (the server may have dropped
 * it: a table changed, a reconnect). */
static void
uncache(struct wpstore *w, MYSQL_STMT *st)
{
	size_t i;

	for (i = 0; i < STMT_CACHE; i++)
		if (w->cache[i].st == st) {
			mysql_stmt_close(st);
			free(w->cache[i].sql);
			w->cache[i].st = NULL;
			w->cache[i].sql = NULL;
		}
}

/* Every row of an executed statement, as text, to fn. */
static enum mw_err
stmt_rows(struct wpstore *w, MYSQL_STMT *st, row_fn fn, void *ctx)
{
	MYSQL_RES *meta = mysql_stmt_result_metadata(st);
	MYSQL_BIND *rb = NULL;
	unsigned long *len = NULL;
	my_bool *isnull = NULL;
	char **col = NULL;
	unsigned n, i;
	int f = 0;
	enum mw_err rc = MW_ENOMEM;

	if (meta == NULL)
		return MW_OK;
	n = mysql_num_fields(meta);
	mysql_free_result(meta);
	rb = calloc(n, sizeof(*rb));
	len = calloc(n, sizeof(*len));
	isnull = calloc(n, sizeof(*isnull));
	col = calloc(n, sizeof(*col));
	if (rb == NULL || len == NULL || isnull == NULL || col == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		rb[i].buffer_type = MYSQL_TYPE_STRING;
		rb[i].length = &len[i];
		rb[i].is_null = &isnull[i];
	}
	rc = MW_OK;
	if (mysql_stmt_bind_result(st, rb) != 0)
		rc = wps_error(w, mysql_stmt_errno(st), "bind result",
			       mysql_stmt_error(st));
	while (rc == MW_OK &&
	       ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED)) {
		for (i = 0; rc == MW_OK && i < n; i++) {
			if (isnull[i])
				continue;
			if (len[i] > WP_META_MAX ||
			    (col[i] = malloc(len[i] + 1)) == NULL) {
				rc = MW_ENOMEM;
				break;
			}
			rb[i].buffer = col[i];
			rb[i].buffer_length = len[i];
			if (len[i] > 0 &&
			    mysql_stmt_fetch_column(st, &rb[i], i, 0) != 0)
				rc = wps_error(w, mysql_stmt_errno(st),
					       "fetch column",
					       mysql_stmt_error(st));
			col[i][len[i]] = '\0';
			rb[i].buffer = NULL;
			rb[i].buffer_length = 0;
		}
		if (rc == MW_OK && fn != NULL)
			rc = fn(ctx, col, len, n);
		for (i = 0; i < n; i++) {
			free(col[i]);
			col[i] = NULL;
		}
	}
	/* An error sent in the middle of the rows (a cluster node aborting
	 * the transaction for a conflicting commit) may be left on the
	 * connection rather than on the statement. */
	if (rc == MW_OK && f == 1 && mysql_stmt_errno(st) != 0)
		rc = wps_error(w, mysql_stmt_errno(st), "fetch",
			       mysql_stmt_error(st));
	else if (rc == MW_OK && f == 1)
		rc = wps_error(w, mysql_errno(w->db), "fetch",
			       mysql_error(w->db));
	mysql_stmt_free_result(st);
out:
	free(rb);
	free(len);
	free(isnull);
	free(col);
	return rc;
}

enum mw_err
wps_stmt_query(struct wpstore *w, const char *sql, size_t sqllen,
	       struct arg *args, size_t nargs, row_fn fn, void *ctx,
	       uint64_t *affected)
{
	MYSQL_BIND *b;
	MYSQL_STMT *st;
	enum mw_err rc = MW_OK;

	st = cached(w, sql, sqllen, &rc);
	if (st == NULL)
		return rc;
	b = calloc(nargs ? nargs : 1, sizeof(*b));
	if (b == NULL)
		return MW_ENOMEM;
	bind_args(b, args, nargs);
	w->queries++;
	w->round_trips++;
	if ((nargs > 0 && mysql_stmt_bind_param(st, b) != 0) ||
	    mysql_stmt_execute(st) != 0) {
		rc = wps_error(w, mysql_stmt_errno(st), "statement",
			       mysql_stmt_error(st));
		uncache(w, st);
	} else {
		if (affected != NULL)
			*affected = mysql_stmt_affected_rows(st);
		rc = stmt_rows(w, st, fn, ctx);
	}
	free(b);
	return rc;
}
