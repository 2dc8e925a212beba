/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wpstore.c - WordPress tables through MariaDB Connector/C. */
#include "wp/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "base/buf.h"
#include "base/log.h"

#define SQL_MAX 4096
#define PENDING_MAX 64 /* usermeta rows inserted in one statement */

struct wpstore {
	const struct cfg *cfg; /* borrowed */
	MYSQL *db;	       /* connected handle */
	bool in_tx;	       /* a transaction is open */
	unsigned last_errno;   /* server error of the last failure */
	unsigned queries;      /* statements sent */
	struct pending *pend;  /* wp_meta_add() rows not sent yet */
	int wpflog;	       /* wpf_logging exists: -1 not asked yet */
	size_t npend;
};

/* A usermeta row waiting to go out with others in one INSERT. */
struct pending {
	uint64_t uid;
	char *key; /* owned */
	char *val; /* owned, wiped */
	size_t len;
};

static enum mw_err flush(struct wpstore *w);
static void drop_pending(struct wpstore *w);

/* One bound parameter or result column. */
struct arg {
	enum { A_U64, A_STR } type;
	uint64_t u;	   /* A_U64 */
	const char *s;	   /* A_STR, borrowed */
	unsigned long len; /* A_STR (MYSQL_BIND wants unsigned long) */
};

#define U64(v) ((struct arg){A_U64, (v), NULL, 0})
#define STR(v, n) ((struct arg){A_STR, 0, (v), (n)})
#define CSTR(v) STR((v), strlen(v))

/* Map a server or client error to our codes, logging it once. */
static enum mw_err
db_error(struct wpstore *w, unsigned code, const char *what, const char *err)
{
	char clean[256];

	w->last_errno = code;
	log_sanitize(err, strlen(err), clean, sizeof(clean));
	/* A deadlock is retried by the caller: worth a warning only. */
	if (code == ER_LOCK_DEADLOCK)
		log_warn(
			"wpstore: %s: deadlock, the transaction was rolled back",
			what);
	else
		log_err("wpstore: %s failed: %u %s", what, code, clean);
	switch (code) {
	case ER_ACCESS_DENIED_ERROR:
	case ER_DBACCESS_DENIED_ERROR:
	case ER_BAD_DB_ERROR:
	case ER_NO_SUCH_TABLE:
	case ER_TABLEACCESS_DENIED_ERROR:
		return MW_ECONFIG;
	default:
		break;
	}
	return MW_EDB;
}

enum mw_err
wp_open(const struct cfg *cfg, struct wpstore **out)
{
	struct wpstore *w;
	static const char *const session[2] = {
		"SET SESSION innodb_lock_wait_timeout = 5",
		"SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
	};
	unsigned int timeout = 5, rw_timeout = 10;
	bool socket = strcmp(cfg->db_host, "localhost") == 0;
	int i;
	enum mw_err rc;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return MW_ENOMEM;
	w->cfg = cfg;
	w->wpflog = -1;
	w->db = mysql_init(NULL);
	if (w->db == NULL) {
		free(w);
		return MW_ENOMEM;
	}
	mysql_optionsv(w->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(w->db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_optionsv(w->db, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
	mysql_optionsv(w->db, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
	if (mysql_real_connect(
		    w->db, socket ? NULL : cfg->db_host, cfg->db_user,
		    cfg->db_password ? cfg->db_password : "", cfg->db_name,
		    socket ? 0 : (unsigned)cfg->db_port,
		    socket ? cfg->db_socket : NULL,
		    CLIENT_FOUND_ROWS) == NULL) {
		rc = db_error(w, mysql_errno(w->db), "connect",
			      mysql_error(w->db));
		wp_close(w);
		return rc;
	}
	/* Lock waits end well before Mautic (10 s) gives up on us.  READ
	 * COMMITTED: no gap locks, so concurrent webhooks for different users
	 * do not deadlock on usermeta's indexes; duplicates are kept out by
	 * the named lock, not by gap locks.  Two statements: MySQL and
	 * MariaDB both take these forms. */
	for (i = 0; i < 2; i++) {
		w->queries++;
		if (mysql_query(w->db, session[i]) != 0) {
			rc = db_error(w, mysql_errno(w->db), "session setup",
				      mysql_error(w->db));
			wp_close(w);
			return rc;
		}
	}
	*out = w;
	return MW_OK;
}

bool
wp_ping(struct wpstore *w)
{
	w->queries++;
	return mysql_ping(w->db) == 0;
}

void
wp_close(struct wpstore *w)
{
	if (w == NULL)
		return;
	wp_rollback(w);
	free(w->pend);
	mysql_close(w->db);
	free(w);
}

void
wp_library_end(void)
{
	mysql_library_end();
}

unsigned
wp_queries(const struct wpstore *w)
{
	return w->queries;
}

static enum mw_err
simple(struct wpstore *w, const char *sql)
{
	w->queries++;
	if (mysql_query(w->db, sql) != 0)
		return db_error(w, mysql_errno(w->db), sql, mysql_error(w->db));
	return MW_OK;
}

bool
wp_deadlocked(const struct wpstore *w)
{
	return w != NULL && w->last_errno == ER_LOCK_DEADLOCK;
}

enum mw_err
wp_begin(struct wpstore *w)
{
	w->last_errno = 0;
	enum mw_err rc = simple(w, "START TRANSACTION");

	w->in_tx = rc == MW_OK;
	return rc;
}

enum mw_err
wp_commit(struct wpstore *w)
{
	enum mw_err rc = w->npend > 0 ? flush(w) : MW_OK;

	if (rc != MW_OK) {
		wp_rollback(w);
		return rc;
	}
	rc = simple(w, "COMMIT");

	w->in_tx = false;
	return rc;
}

void
wp_rollback(struct wpstore *w)
{
	if (w == NULL)
		return;
	drop_pending(w);
	if (!w->in_tx)
		return;
	w->in_tx = false;
	w->queries++;
	if (mysql_query(w->db, "ROLLBACK") != 0)
		log_warn("wpstore: ROLLBACK failed: %u", mysql_errno(w->db));
}

/* Expand "{P}" in tmpl to the table prefix and "{B}" to the blog's
 * prefix (the same for blog 1, "wp_2_" for blog 2). */
static bool
expand(const struct wpstore *w, const char *tmpl, char *out, size_t outsz)
{
	char blog[64];
	size_t o = 0, plen;
	const char *p;

	if (w->cfg->blog_id > 1)
		snprintf(blog, sizeof(blog), "%s%llu_", w->cfg->table_prefix,
			 (unsigned long long)w->cfg->blog_id);
	else
		snprintf(blog, sizeof(blog), "%s", w->cfg->table_prefix);
	while (*tmpl != '\0') {
		if (strncmp(tmpl, "{P}", 3) == 0 ||
		    strncmp(tmpl, "{B}", 3) == 0) {
			p = tmpl[1] == 'P' ? w->cfg->table_prefix : blog;
			plen = strlen(p);
			if (o + plen >= outsz)
				return false;
			memcpy(out + o, p, plen);
			o += plen;
			tmpl += 3;
			continue;
		}
		if (o + 1 >= outsz)
			return false;
		out[o++] = *tmpl++;
	}
	out[o] = '\0';
	return true;
}

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

/* Result of run(): the first row's first column, and the row counts. */
struct result {
	bool want_u64;	   /* read column 0 as a number */
	bool want_str;	   /* read column 0 as text (allocated) */
	bool found;	   /* a row came back */
	uint64_t u;	   /* column 0 as a number */
	char *s;	   /* column 0 as text, owned by the caller */
	size_t slen;	   /* its length */
	uint64_t affected; /* rows matched by a write */
	size_t ncols;	   /* > 0: read that many text columns into cols */
	char **cols; /* ncols allocated strings ("" for NULL), caller frees */
};

/* Bind rb to the result columns and fetch the first row; *found is
 * false when there is none. */
static enum mw_err
fetch_row(struct wpstore *w, MYSQL_STMT *st, MYSQL_BIND *rb,
	  bool *found /* OUT */)
{
	int r;

	*found = false;
	if (mysql_stmt_bind_result(st, rb) != 0)
		return db_error(w, mysql_stmt_errno(st), "bind result",
				mysql_stmt_error(st));
	r = mysql_stmt_fetch(st);
	if (r == MYSQL_NO_DATA)
		return MW_OK;
	if (r == 1)
		return db_error(w, mysql_stmt_errno(st), "fetch",
				mysql_stmt_error(st));
	*found = true;
	return MW_OK;
}

/* Column col (len bytes, bound as text by rb) of the fetched row into an
 * allocated, NUL-terminated *out (caller frees); *out NULL on error. */
static enum mw_err
fetch_text(struct wpstore *w, MYSQL_STMT *st, MYSQL_BIND *rb, unsigned col,
	   unsigned long len, char **out /* OUT */)
{
	*out = NULL;
	if (len > WP_META_MAX) {
		log_err("wpstore: a value of %lu bytes is over the limit", len);
		return MW_EINTERNAL;
	}
	if ((*out = malloc(len + 1)) == NULL)
		return MW_ENOMEM;
	rb->buffer = *out;
	rb->buffer_length = len;
	if (len > 0 && mysql_stmt_fetch_column(st, rb, col, 0) != 0) {
		free(*out);
		*out = NULL;
		return db_error(w, mysql_stmt_errno(st), "fetch column",
				mysql_stmt_error(st));
	}
	(*out)[len] = '\0';
	return MW_OK;
}

/* Every column of the first row as text (res->ncols of them). */
static enum mw_err
fetch_cols(struct wpstore *w, MYSQL_STMT *st, struct result *res)
{
	MYSQL_BIND rb[WP_COL__MAX];
	unsigned long len[WP_COL__MAX] = {0};
	my_bool isnull[WP_COL__MAX] = {0};
	char dummy[WP_COL__MAX][1];
	enum mw_err rc;
	size_t i;

	if (res->ncols > WP_COL__MAX)
		return MW_EINTERNAL;
	memset(rb, 0, sizeof(rb));
	for (i = 0; i < res->ncols; i++) {
		rb[i].buffer_type = MYSQL_TYPE_STRING;
		rb[i].buffer = dummy[i];
		rb[i].length = &len[i];
		rb[i].is_null = &isnull[i];
	}
	rc = fetch_row(w, st, rb, &res->found);
	for (i = 0; rc == MW_OK && res->found && i < res->ncols; i++)
		rc = fetch_text(w, st, &rb[i], (unsigned)i,
				isnull[i] ? 0 : len[i], &res->cols[i]);
	return rc;
}

/* The first column of the first row, as res->want_u64 or want_str say. */
static enum mw_err
fetch_first(struct wpstore *w, MYSQL_STMT *st, struct result *res)
{
	MYSQL_BIND rb;
	unsigned long len = 0;
	my_bool isnull = 0;
	char dummy[1];
	enum mw_err rc;

	memset(&rb, 0, sizeof(rb));
	if (res->want_u64) {
		rb.buffer_type = MYSQL_TYPE_LONGLONG;
		rb.buffer = &res->u;
		rb.is_unsigned = 1;
	} else {
		rb.buffer_type = MYSQL_TYPE_STRING;
		rb.buffer = dummy;
		rb.buffer_length = 0;
		rb.length = &len;
	}
	rb.is_null = &isnull;
	rc = fetch_row(w, st, &rb, &res->found);
	if (rc != MW_OK || !res->found || res->want_u64 || isnull)
		return rc;
	rc = fetch_text(w, st, &rb, 0, len, &res->s);
	if (rc == MW_OK)
		res->slen = len;
	return rc;
}

/* Send the pending rows (every statement must see them), then prepare
 * tmpl (sqlmax bytes at most once expanded), bind args and execute.  On
 * MW_OK *out is the executed statement (caller closes it). */
static enum mw_err
execute(struct wpstore *w, const char *tmpl, size_t sqlmax, struct arg *args,
	size_t nargs, MYSQL_STMT **out /* OUT */)
{
	char *sql;
	MYSQL_BIND *b;
	MYSQL_STMT *st = NULL;
	enum mw_err rc;

	if (w->npend > 0 && (rc = flush(w)) != MW_OK)
		return rc;
	rc = MW_ENOMEM;
	sql = malloc(sqlmax);
	b = calloc(nargs ? nargs : 1, sizeof(*b));
	if (sql == NULL || b == NULL)
		goto out;
	rc = MW_EINTERNAL;
	if (!expand(w, tmpl, sql, sqlmax))
		goto out;
	rc = MW_ENOMEM;
	if ((st = mysql_stmt_init(w->db)) == NULL)
		goto out;
	w->queries++;
	bind_args(b, args, nargs);
	rc = MW_OK;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0 ||
	    (nargs > 0 && mysql_stmt_bind_param(st, b) != 0) ||
	    mysql_stmt_execute(st) != 0) {
		rc = db_error(w, mysql_stmt_errno(st), "statement",
			      mysql_stmt_error(st));
		mysql_stmt_close(st);
		st = NULL;
	}
out:
	free(sql);
	free(b);
	if (rc == MW_OK)
		*out = st;
	return rc;
}

/* Prepare tmpl, bind args, execute, and read what res asks for. */
static enum mw_err
run(struct wpstore *w, const char *tmpl, struct arg *args, size_t nargs,
    struct result *res)
{
	MYSQL_STMT *st;
	enum mw_err rc;

	rc = execute(w, tmpl, SQL_MAX, args, nargs, &st);
	if (rc != MW_OK)
		return rc;
	res->affected = mysql_stmt_affected_rows(st);
	if (res->ncols > 0)
		rc = fetch_cols(w, st, res);
	else if (res->want_u64 || res->want_str)
		rc = fetch_first(w, st, res);
	mysql_stmt_close(st);
	return rc;
}

/* run() for a statement that reads one number: *u gets it, or 0 when no
 * row came back; *found (when not NULL) says whether one did. */
static enum mw_err
run_u64(struct wpstore *w, const char *tmpl, struct arg *args, size_t nargs,
	uint64_t *u /* OUT */, bool *found /* OUT */)
{
	struct result r = {.want_u64 = true};
	enum mw_err rc;

	rc = run(w, tmpl, args, nargs, &r);
	if (rc != MW_OK)
		return rc;
	*u = r.found ? r.u : 0;
	if (found != NULL)
		*found = r.found;
	return MW_OK;
}

/* run() for a statement that reads one text value: an allocated copy in
 * *val (a NULL column reads as "", as WordPress does) and its length, or
 * *val NULL when no row came back. */
static enum mw_err
run_str(struct wpstore *w, const char *tmpl, struct arg *args, size_t nargs,
	char **val /* OUT */, size_t *len /* OUT */)
{
	struct result r = {.want_str = true};
	enum mw_err rc;

	rc = run(w, tmpl, args, nargs, &r);
	if (rc == MW_OK && r.found && r.s == NULL && (r.s = strdup("")) == NULL)
		rc = MW_ENOMEM;
	if (rc != MW_OK) {
		free(r.s);
		return rc;
	}
	*val = r.s;
	*len = r.slen;
	return MW_OK;
}

/* The UPDATE, then the INSERT when the UPDATE matched no row. */
static enum mw_err
update_or_insert(struct wpstore *w, const char *update, struct arg *uargs,
		 size_t nuargs, const char *insert, struct arg *iargs,
		 size_t niargs)
{
	struct result r = {0};
	enum mw_err rc;

	rc = run(w, update, uargs, nuargs, &r);
	if (rc != MW_OK || r.affected > 0)
		return rc;
	return run(w, insert, iargs, niargs, &r);
}

static void
drop_pending(struct wpstore *w)
{
	size_t i;

	for (i = 0; i < w->npend; i++) {
		free(w->pend[i].key);
		explicit_bzero(w->pend[i].val, w->pend[i].len);
		free(w->pend[i].val);
	}
	w->npend = 0;
}

/* Send the pending usermeta rows as one multi-row INSERT (consecutive
 * umeta_ids in the order they were added, as row-by-row inserts give). */
static enum mw_err
flush(struct wpstore *w)
{
	struct buf sql;
	struct arg *a;
	struct result r = {0};
	size_t i, n = w->npend;
	enum mw_err rc;

	buf_init(&sql, SQL_MAX);
	a = calloc(3 * n, sizeof(*a));
	rc = a != NULL
		     ? buf_addstr(
			       &sql,
			       "INSERT INTO {P}usermeta (user_id, meta_key, meta_value) VALUES ")
		     : MW_ENOMEM;
	for (i = 0; rc == MW_OK && i < n; i++) {
		rc = buf_addstr(&sql, i ? ", (?, ?, ?)" : "(?, ?, ?)");
		a[3 * i] = U64(w->pend[i].uid);
		a[3 * i + 1] = CSTR(w->pend[i].key);
		a[3 * i + 2] = STR(w->pend[i].val, w->pend[i].len);
	}
	w->npend = 0; /* run() must not flush again */
	if (rc == MW_OK)
		rc = run(w, sql.p, a, 3 * n, &r);
	w->npend = n;
	drop_pending(w);
	free(a);
	buf_free(&sql);
	return rc;
}

enum mw_err
wp_user_by_contact(struct wpstore *w, uint64_t contact_id, uint64_t *uid)
{
	char cid[24];
	struct arg a[2];
	uint64_t low, id;
	bool exists;
	enum mw_err rc;

	snprintf(cid, sizeof(cid), "%llu", (unsigned long long)contact_id);
	a[0] = CSTR(cid);
	a[1] = U64(WP_PSEUDO_USER_MIN);
	/* MIN() over the meta_key index: a JOIN with ORDER BY makes the
	 * optimiser walk every user instead (66 ms against 10 ms at 10,000
	 * users, for every contact that has no user yet). */
	rc = run_u64(
		w,
		"SELECT MIN(user_id) FROM {P}usermeta WHERE meta_key = 'mautic_contact_id' AND meta_value = ? AND user_id < ?",
		a, 2, &low, NULL);
	if (rc != MW_OK || low == 0) {
		if (rc == MW_OK)
			*uid = 0;
		return rc;
	}
	a[0] = U64(low);
	rc = run_u64(w, "SELECT ID FROM {P}users WHERE ID = ?", a, 1, &id,
		     &exists);
	if (rc != MW_OK)
		return rc;
	if (exists) {
		*uid = low;
		return MW_OK;
	}
	/* The lowest link is left from a deleted user: the slow, exact form. */
	a[0] = CSTR(cid);
	return run_u64(
		w,
		"SELECT m.user_id FROM {P}usermeta m JOIN {P}users u ON u.ID = m.user_id WHERE m.meta_key = 'mautic_contact_id' AND m.meta_value = ? AND m.user_id < ? ORDER BY m.user_id ASC LIMIT 1",
		a, 2, uid, NULL);
}

enum mw_err
wp_user_by_email(struct wpstore *w, const char *email, uint64_t *uid)
{
	struct arg a[1] = {CSTR(email)};

	return run_u64(
		w,
		"SELECT ID FROM {P}users WHERE user_email = ? ORDER BY ID ASC LIMIT 1",
		a, 1, uid, NULL);
}

enum mw_err
wp_user_lock(struct wpstore *w, uint64_t uid)
{
	struct arg a[1] = {U64(uid)};
	struct result r = {.want_u64 = true};
	enum mw_err rc;

	rc = run(w, "SELECT ID FROM {P}users WHERE ID = ? FOR UPDATE", a, 1,
		 &r);
	if (rc == MW_OK && !r.found)
		return MW_EINPUT;
	return rc;
}

enum mw_err
wp_meta_get(struct wpstore *w, uint64_t uid, const char *key, char **val,
	    size_t *len)
{
	struct arg a[2] = {U64(uid), CSTR(key)};

	return run_str(
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

	return update_or_insert(
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

	return run(w,
		   "DELETE FROM {P}usermeta WHERE user_id = ? AND meta_key = ?",
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
	rc = run(
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

	rc = run(
		w,
		"INSERT INTO {P}users (user_pass, user_nicename, user_email, user_url, user_registered, user_activation_key, display_name, user_login) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(), ?, ?, ?)",
		a, 7, &r);
	if (rc == MW_OK)
		*uid = mysql_insert_id(w->db);
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
	return run(w, tmpl, a, 2, &r);
}

enum mw_err
wp_login_taken(struct wpstore *w, const char *login, bool *taken)
{
	struct arg a[1] = {CSTR(login)};
	uint64_t id;

	return run_u64(w,
		       "SELECT ID FROM {P}users WHERE user_login = ? LIMIT 1",
		       a, 1, &id, taken);
}

enum mw_err
wp_nicename_taken(struct wpstore *w, const char *nicename, const char *login,
		  bool *taken)
{
	struct arg a[2] = {CSTR(nicename), CSTR(login)};
	uint64_t id;

	return run_u64(
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

	if (w->npend == PENDING_MAX && (rc = flush(w)) != MW_OK)
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

	return run_str(
		w, "SELECT option_value FROM {B}options WHERE option_name = ?",
		a, 1, val, len);
}

enum mw_err
wp_user_count_refresh(struct wpstore *w, const char *autoload)
{
	struct arg a[1] = {CSTR(autoload)};

	return update_or_insert(
		w,
		"UPDATE {P}options SET option_value = (SELECT COUNT(ID) FROM {P}users) WHERE option_name = 'user_count'",
		NULL, 0,
		"INSERT INTO {P}options (option_name, option_value, autoload) SELECT 'user_count', COUNT(ID), ? FROM {P}users",
		a, 1);
}

enum mw_err
wp_blog_domain(struct wpstore *w, uint64_t blog_id, char **domain)
{
	struct arg a[1] = {U64(blog_id)};
	size_t len;

	*domain = NULL;
	return run_str(w, "SELECT domain FROM {P}blogs WHERE blog_id = ?", a, 1,
		       domain, &len);
}

enum mw_err
wp_lock(struct wpstore *w, const char *name, unsigned timeout_s)
{
	struct arg a[2] = {CSTR(name), U64(timeout_s)};
	struct result r = {.want_u64 = true};
	enum mw_err rc;

	rc = run(w, "SELECT GET_LOCK(?, ?)", a, 2, &r);
	if (rc != MW_OK)
		return rc;
	if (!r.found || r.u != 1) {
		log_err("wpstore: lock wait timed out after %u s", timeout_s);
		return MW_EDB;
	}
	return MW_OK;
}

void
wp_unlock(struct wpstore *w, const char *name)
{
	struct arg a[1] = {CSTR(name)};
	struct result r = {.want_u64 = true};

	if (run(w, "SELECT RELEASE_LOCK(?)", a, 1, &r) != MW_OK)
		log_warn("wpstore: RELEASE_LOCK failed");
}

enum mw_err
wp_wpflog_exists(struct wpstore *w, bool *exists)
{
	char table[64];
	struct arg a[1];
	struct result r = {.want_u64 = true};
	enum mw_err rc;

	/* A table found is remembered for the connection (a kept one serves
	 * many requests); a missing one is asked again next time, and a
	 * failed insert forgets it. */
	if (w->wpflog == 1) {
		*exists = true;
		return MW_OK;
	}
	snprintf(table, sizeof(table), "%swpf_logging", w->cfg->table_prefix);
	a[0] = CSTR(table);
	rc = run(
		w,
		"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
		a, 1, &r);
	if (rc == MW_OK) {
		*exists = r.found && r.u > 0;
		w->wpflog = *exists ? 1 : -1;
	}
	return rc;
}

enum mw_err
wp_wpflog_add(struct wpstore *w, unsigned level, uint64_t uid,
	      const char *message, const char *context)
{
	struct arg a[4] = {U64(level), U64(uid), CSTR(message),
			   CSTR(context ? context : "")};
	struct result r = {0};
	enum mw_err rc;

	rc = run(
		w,
		context != NULL
			? "INSERT INTO {P}wpf_logging (timestamp, level, user, source, message, context) VALUES (UTC_TIMESTAMP(), ?, ?, 'api', ?, ?)"
			: "INSERT INTO {P}wpf_logging (timestamp, level, user, source, message, context) VALUES (UTC_TIMESTAMP(), ?, ?, 'api', ?, NULL)",
		a, context != NULL ? 4 : 3, &r);
	if (rc != MW_OK)
		w->wpflog = -1; /* dropped meanwhile? ask again next time */
	return rc;
}

enum mw_err
wp_users_by_contacts(struct wpstore *w, const uint64_t *cids, size_t n,
		     uint64_t *uids)
{
	struct buf sql;
	struct arg *a;
	char(*txt)[24];
	MYSQL_BIND rb[2];
	MYSQL_STMT *st = NULL;
	char val[24];
	unsigned long vlen = 0;
	uint64_t uid = 0;
	enum mw_err rc = MW_ENOMEM;
	size_t i, j;

	memset(uids, 0, n * sizeof(*uids));
	if (n == 0)
		return MW_OK;
	buf_init(&sql, SQL_MAX * 4);
	a = calloc(n + 1, sizeof(*a));
	txt = calloc(n, sizeof(*txt));
	if (a == NULL || txt == NULL)
		goto out;
	buf_addstr(
		&sql,
		"SELECT meta_value, user_id FROM {P}usermeta WHERE meta_key = 'mautic_contact_id' AND user_id < ? AND meta_value IN (");
	a[0] = U64(WP_PSEUDO_USER_MIN);
	for (i = 0; i < n; i++) {
		snprintf(txt[i], sizeof(txt[i]), "%llu",
			 (unsigned long long)cids[i]);
		a[i + 1] = CSTR(txt[i]);
		buf_addstr(&sql, i ? ", ?" : "?");
	}
	buf_addstr(&sql, ") ORDER BY user_id ASC");
	if ((rc = buf_error(&sql)) != MW_OK)
		goto out;
	rc = execute(w, sql.p, SQL_MAX * 4, a, n + 1, &st);
	if (rc != MW_OK)
		goto out;
	memset(rb, 0, sizeof(rb));
	rb[0].buffer_type = MYSQL_TYPE_STRING;
	rb[0].buffer = val;
	rb[0].buffer_length = sizeof(val) - 1;
	rb[0].length = &vlen;
	rb[1].buffer_type = MYSQL_TYPE_LONGLONG;
	rb[1].buffer = &uid;
	rb[1].is_unsigned = 1;
	if (mysql_stmt_bind_result(st, rb) != 0) {
		rc = db_error(w, mysql_stmt_errno(st), "bind result",
			      mysql_stmt_error(st));
		goto out;
	}
	/* Rows come lowest user first: the first row of a contact wins, as
	 * wp_user_by_contact() picks. */
	for (;;) {
		int f = mysql_stmt_fetch(st);

		if (f == MYSQL_NO_DATA)
			break;
		if (f == 1) {
			rc = db_error(w, mysql_stmt_errno(st), "fetch",
				      mysql_stmt_error(st));
			goto out;
		}
		val[vlen < sizeof(val) ? vlen : sizeof(val) - 1] = '\0';
		for (j = 0; j < n; j++)
			if (uids[j] == 0 && strcmp(txt[j], val) == 0)
				uids[j] = uid;
	}
	rc = MW_OK;
out:
	if (st != NULL)
		mysql_stmt_close(st);
	free(a);
	free(txt);
	buf_free(&sql);
	return rc;
}
