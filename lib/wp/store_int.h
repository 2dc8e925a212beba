/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store_int.h - what the files of the store (store.c: the connection and
 * the statement engine; store_exec.c: a statement as text or prepared;
 * store_users.c: the queries; index.c: the contact index) share.  Included by
 * wp/store*.c and wp/index.c only.
 */
#ifndef MW_STORE_INT_H
#define MW_STORE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "wp/store.h"

#define SQL_MAX 4096   /* bytes of an expanded statement template */
#define PENDING_MAX 64 /* usermeta rows inserted in one statement */
#define STMT_CACHE 48  /* prepared statements a kept connection holds */

struct st_mysql;
struct st_mysql_stmt;

/* A prepared statement kept for the connection (persistent mode). */
struct cached_stmt {
	char *sql;		  /* owned: the expanded text, the key */
	struct st_mysql_stmt *st; /* owned */
	unsigned long long used;  /* last use, for eviction */
};

/* A usermeta row waiting to go out with others in one INSERT. */
struct pending {
	uint64_t uid;
	char *key; /* owned */
	char *val; /* owned, wiped */
	size_t len;
};

struct wpstore {
	const struct cfg *cfg;			    /* borrowed */
	struct st_mysql *db;			    /* connected handle */
	struct cfg_db_host hosts[CFG_DB_HOSTS_MAX]; /* db_host, in order */
	size_t nhosts;				    /* > 1: a cluster */
	size_t node;	      /* hosts[node] is the one connected */
	bool galera;	      /* that server is a Galera node */
	bool mariadb;	      /* the server is MariaDB (else MySQL) */
	bool admin;	      /* long statements: a read timeout of a day */
	bool in_tx;	      /* a transaction is open */
	bool prepared;	      /* keep prepared statements (persistent) */
	bool reused;	      /* kept since an earlier request, not used
			       * yet in this one: may reconnect once */
	unsigned last_errno;  /* server error of the last failure */
	unsigned queries;     /* statements sent */
	unsigned round_trips; /* request-answer exchanges with the server */
	unsigned tx_queries;  /* queries when the transaction began */
	struct pending *pend; /* wp_meta_add() rows not sent yet */
	size_t npend;
	int wpflog;	      /* wpf_logging: 1 there, 0 absent, -1 unknown */
	long long wpflog_at;  /* when it was found absent (mw_now_ms) */
	unsigned quiet_errno; /* a server error the caller expects: logged
			       * at debug level only */
	struct cached_stmt cache[STMT_CACHE]; /* with prepared */
	unsigned long long uses;	      /* cache clock */
};

/* One parameter of a statement.  Templates use '?' for each, in order;
 * "{P}" is the table prefix and "{B}" the blog's. */
struct arg {
	enum { A_U64, A_STR } type;
	uint64_t u;	   /* A_U64 */
	const char *s;	   /* A_STR, borrowed */
	unsigned long len; /* A_STR */
};

#define U64(v) ((struct arg){A_U64, (v), NULL, 0})
#define STR(v, n) ((struct arg){A_STR, 0, (v), (n)})
#define CSTR(v) STR((v), strlen(v))

/* What run() reads of the answer: the first row. */
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

/* Called for every row of an answer with its columns as text (a NULL
 * column is NULL, lengths in len); MW_OK to go on. */
typedef enum mw_err (*row_fn)(void *ctx, char **col, unsigned long *len,
			      unsigned ncols);

/* Map a server or client error to our codes, logging it once (at debug
 * level when it is w->quiet_errno). */
enum mw_err wps_error(struct wpstore *w, unsigned code, const char *what,
		      const char *err);

/* store_exec.c: the prepared statements kept for the connection closed
 * and forgotten. */
void wps_cache_clear(struct wpstore *w);

/* sql (expanded) with each '?' replaced by its argument as an escaped
 * literal, into out; MW_ETOOBIG when an argument does not fit. */
enum mw_err wps_literals(struct wpstore *w, const char *sql, struct arg *args,
			 size_t nargs, struct buf *out) MW_MUST_CHECK;

/* One statement as text (sqllen bytes): every row to fn (may be NULL),
 * *affected (may be NULL) for writes. */
enum mw_err wps_text_query(struct wpstore *w, const char *sql, size_t sqllen,
			   row_fn fn, void *ctx,
			   uint64_t *affected /* OUT */) MW_MUST_CHECK;

/* The same as a prepared statement, kept for the connection (prepared
 * once, then only executed). */
enum mw_err wps_stmt_query(struct wpstore *w, const char *sql, size_t sqllen,
			   struct arg *args, size_t nargs, row_fn fn, void *ctx,
			   uint64_t *affected /* OUT */) MW_MUST_CHECK;

/* Run one statement: the template expanded, the arguments bound (a kept
 * prepared statement in persistent mode, escaped literals in the text
 * protocol otherwise: one round trip either way), every row handed to fn
 * (may be NULL), *affected (may be NULL) set for writes.  Pending usermeta
 * rows go out first. */
enum mw_err wps_query(struct wpstore *w, const char *tmpl, struct arg *args,
		      size_t nargs, row_fn fn, void *ctx,
		      uint64_t *affected /* OUT */) MW_MUST_CHECK;

/* wps_query() of head, then nmarks markers "?, ?, ..." and tail: the IN
 * lists of the batched statements.  args holds every argument in order. */
enum mw_err wps_query_in(struct wpstore *w, const char *head, size_t nmarks,
			 const char *tail, struct arg *args, size_t nargs,
			 row_fn fn, void *ctx) MW_MUST_CHECK;

/* wps_query() reading what res asks for of the first row. */
enum mw_err wps_run(struct wpstore *w, const char *tmpl, struct arg *args,
		    size_t nargs, struct result *res) MW_MUST_CHECK;

/* wps_run() for one number: *u, or 0 without a row; *found (may be NULL)
 * says whether a row came. */
enum mw_err wps_run_u64(struct wpstore *w, const char *tmpl, struct arg *args,
			size_t nargs, uint64_t *u /* OUT */,
			bool *found /* OUT */) MW_MUST_CHECK;

/* wps_run() for one text value: an allocated copy (a NULL column reads as
 * "") and its length, or *val NULL without a row. */
enum mw_err wps_run_str(struct wpstore *w, const char *tmpl, struct arg *args,
			size_t nargs, char **val /* OUT */,
			size_t *len /* OUT */) MW_MUST_CHECK;

/* The UPDATE, then the INSERT when the UPDATE matched no row. */
enum mw_err wps_update_or_insert(struct wpstore *w, const char *update,
				 struct arg *uargs, size_t nuargs,
				 const char *insert, struct arg *iargs,
				 size_t niargs) MW_MUST_CHECK;

/* A statement without parameters or answer rows (DDL, START TRANSACTION),
 * always through the text protocol. */
enum mw_err wps_simple(struct wpstore *w, const char *sql) MW_MUST_CHECK;

/* wps_simple() of a template ("{P}" expanded). */
enum mw_err wps_simple_tmpl(struct wpstore *w, const char *tmpl) MW_MUST_CHECK;

/* Send the pending usermeta rows; forget them. */
enum mw_err wps_flush(struct wpstore *w) MW_MUST_CHECK;
void wps_drop_pending(struct wpstore *w);

/* The last statement's AUTO_INCREMENT value. */
uint64_t wps_insert_id(struct wpstore *w);

#endif
