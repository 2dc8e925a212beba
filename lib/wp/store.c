/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.c - the connection to WordPress's database and the statement
 * engine: one round trip per statement.  A CGI process sends each
 * statement once, so it goes as text with every value escaped by the
 * client library (mysql_real_escape_string for the connection's
 * utf8mb4); a persistent process prepares each statement once per
 * connection and then only executes it (both ways in store_exec.c).
 * The queries are in store_users.c, the contact index in index.c.
 */
#include "wp/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/strparse.h"
#include "wp/store_int.h"

enum mw_err
wps_error(struct wpstore *w, unsigned code, const char *what, const char *err)
{
	char clean[256];

	w->last_errno = code;
	log_sanitize(err, strlen(err), clean, sizeof(clean));
	/* A deadlock is retried by the caller: worth a warning only. */
	if (code == ER_LOCK_DEADLOCK)
		log_warn(
			"wpstore: %s: deadlock, the transaction was rolled back",
			what);
	else if (code != 0 && code == w->quiet_errno)
		log_debug("wpstore: %s: %u %s", what, code, clean);
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

/* Lock waits end well before Mautic (10 s) gives up on us.  With several
 * hosts (a cluster) they outlast the stall of every commit while the
 * cluster decides that a lost node is gone (5-6 s with Galera's default
 * evs.suspect_timeout of 5 s), so that a webhook queued behind a stalled
 * commit still succeeds. */
#define LOCK_WAIT_S 5
#define LOCK_WAIT_CLUSTER_S 8
/* A node that does not answer is given up quickly when others may. */
#define CONNECT_TIMEOUT_S 5
#define CONNECT_TIMEOUT_CLUSTER_S 2

/* The wsrep status of the connected server, one statement: no rows from
 * a server without Galera. */
static enum mw_err
read_node(struct wpstore *w, struct wp_node *n)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	uint64_t v;
	bool ready_on = false, provider = false;

	n->galera = false;
	n->ready = true;
	n->state[0] = n->status[0] = '\0';
	n->cluster_size = 0;
	w->queries++;
	w->round_trips++;
	if (mysql_query(
		    w->db,
		    "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state_comment', 'wsrep_cluster_size', 'wsrep_cluster_status', 'wsrep_provider_name')") !=
	    0)
		return wps_error(w, mysql_errno(w->db), "wsrep status",
				 mysql_error(w->db));
	res = mysql_store_result(w->db);
	if (res == NULL)
		return wps_error(w, mysql_errno(w->db), "wsrep status",
				 mysql_error(w->db));
	while ((row = mysql_fetch_row(res)) != NULL) {
		const char *k = row[0], *val = row[1] ? row[1] : "";

		if (k == NULL)
			continue;
		if (strcasecmp(k, "wsrep_ready") == 0)
			ready_on = strcasecmp(val, "ON") == 0;
		else if (strcasecmp(k, "wsrep_local_state_comment") == 0)
			snprintf(n->state, sizeof(n->state), "%s", val);
		else if (strcasecmp(k, "wsrep_cluster_status") == 0)
			snprintf(n->status, sizeof(n->status), "%s", val);
		else if (strcasecmp(k, "wsrep_cluster_size") == 0 &&
			 str_u64(val, strlen(val), 0, 1u << 20, &v) == MW_OK)
			n->cluster_size = (unsigned)v;
		else if (strcasecmp(k, "wsrep_provider_name") == 0)
			provider = val[0] != '\0';
	}
	mysql_free_result(res);
	/* A MariaDB built with wsrep but running without a provider reports
	 * the variables too: it is a plain server. */
	n->galera = provider;
	if (n->galera)
		n->ready = ready_on && strcmp(n->state, "Synced") == 0 &&
			   strcmp(n->status, "Primary") == 0;
	return MW_OK;
}

/* Connect to hosts[i] (the socket for a lone "localhost"). */
static enum mw_err
connect_host(struct wpstore *w, size_t i)
{
	const struct cfg *cfg = w->cfg;
	const struct cfg_db_host *h = &w->hosts[i];
	unsigned int timeout = w->nhosts > 1 ? CONNECT_TIMEOUT_CLUSTER_S
					     : CONNECT_TIMEOUT_S,
		     rw_timeout = w->admin ? 24 * 3600 : 10;
	bool socket = w->nhosts == 1 && strcmp(h->host, "localhost") == 0;

	w->db = mysql_init(NULL);
	if (w->db == NULL)
		return MW_ENOMEM;
	mysql_optionsv(w->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(w->db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_optionsv(w->db, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
	mysql_optionsv(w->db, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
	/* The TCP handshake and the authentication exchange. */
	w->round_trips += 2;
	if (mysql_real_connect(w->db, socket ? NULL : h->host, cfg->db_user,
			       cfg->db_password ? cfg->db_password : "",
			       cfg->db_name, socket ? 0 : h->port,
			       socket ? cfg->db_socket : NULL,
			       CLIENT_FOUND_ROWS) == NULL)
		return wps_error(w, mysql_errno(w->db), "connect",
				 mysql_error(w->db));
	w->node = i;
	w->mariadb = strstr(mysql_get_server_info(w->db), "MariaDB") != NULL;
	return MW_OK;
}

/* The session: lock waits (above); READ COMMITTED has no gap locks, so
 * concurrent webhooks for different users do not deadlock on usermeta's
 * indexes (duplicates are kept out by the lock rows instead); on a
 * Galera node, reads wait until the node has applied what the cluster
 * committed before them (wsrep_sync_wait), so a webhook sees what an
 * earlier one wrote through another node.  One statement: MariaDB and
 * MySQL name the isolation variable differently. */
static enum mw_err
set_session(struct wpstore *w)
{
	char sql[256];

	snprintf(
		sql, sizeof(sql),
		"SET SESSION innodb_lock_wait_timeout = %d, SESSION %s = 'READ-COMMITTED'%s",
		w->nhosts > 1 ? LOCK_WAIT_CLUSTER_S : LOCK_WAIT_S,
		w->mariadb ? "tx_isolation" : "transaction_isolation",
		w->galera ? ", SESSION wsrep_sync_wait = 1" : "");
	return wps_simple(w, sql);
}

/* Connect and set the session up.  With several hosts, each is tried in
 * the order given and a node that may not take writes (wsrep_ready OFF,
 * not Synced, not in the primary component) is skipped; a single host
 * pays no such check. */
static enum mw_err
db_connect(struct wpstore *w)
{
	struct wp_node n;
	enum mw_err rc = MW_EDB, first = MW_OK;
	size_t i;

	if (w->nhosts == 1) {
		rc = connect_host(w, 0);
		return rc == MW_OK ? set_session(w) : rc;
	}
	for (i = 0; i < w->nhosts; i++) {
		rc = connect_host(w, i);
		if (rc == MW_OK)
			rc = read_node(w, &n);
		if (rc == MW_OK && !n.ready) {
			log_warn(
				"wpstore: %s:%u is not ready (%s, %s): next host",
				w->hosts[i].host, w->hosts[i].port,
				n.state[0] ? n.state : "?",
				n.status[0] ? n.status : "?");
			rc = MW_EDB;
		} else if (rc == MW_OK) {
			w->galera = n.galera;
			rc = set_session(w);
			if (rc == MW_OK)
				return MW_OK;
		}
		/* Credentials refused are worth reporting over "away". */
		if (first == MW_OK || rc == MW_ECONFIG)
			first = rc;
		if (w->db != NULL)
			mysql_close(w->db);
		w->db = NULL;
	}
	return first != MW_OK ? first : rc;
}

static void
db_disconnect(struct wpstore *w)
{
	wps_cache_clear(w);
	if (w->db != NULL)
		mysql_close(w->db);
	w->db = NULL;
	w->in_tx = false;
}

/* wp_open() and wp_open_admin(). */
static enum mw_err
open_store(const struct cfg *cfg, bool admin, struct wpstore **out)
{
	struct wpstore *w;
	enum mw_err rc;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return MW_ENOMEM;
	w->cfg = cfg;
	w->admin = admin;
	w->wpflog = -1;
	if (cfg_db_hosts(cfg, w->hosts, CFG_DB_HOSTS_MAX, &w->nhosts) !=
	    MW_OK) {
		free(w);
		return MW_ECONFIG; /* cfg_load() refuses such a value */
	}
	rc = db_connect(w);
	if (rc != MW_OK) {
		wp_close(w);
		return rc;
	}
	*out = w;
	return MW_OK;
}

enum mw_err
wp_open(const struct cfg *cfg, struct wpstore **out)
{
	return open_store(cfg, false, out);
}

enum mw_err
wp_open_admin(const struct cfg *cfg, struct wpstore **out)
{
	return open_store(cfg, true, out);
}

void
wp_keep_statements(struct wpstore *w)
{
	w->prepared = true;
}

void
wp_reuse(struct wpstore *w)
{
	w->reused = true;
}

bool
wp_ping(struct wpstore *w)
{
	w->queries++;
	w->round_trips++;
	return mysql_ping(w->db) == 0;
}

void
wp_close(struct wpstore *w)
{
	if (w == NULL)
		return;
	wp_rollback(w);
	wps_drop_pending(w);
	free(w->pend);
	db_disconnect(w);
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

unsigned
wp_round_trips(const struct wpstore *w)
{
	return w->round_trips;
}

uint64_t
wps_insert_id(struct wpstore *w)
{
	return mysql_insert_id(w->db);
}

enum mw_err
wps_simple(struct wpstore *w, const char *sql)
{
	w->queries++;
	w->round_trips++;
	if (mysql_query(w->db, sql) != 0)
		return wps_error(w, mysql_errno(w->db), sql,
				 mysql_error(w->db));
	return MW_OK;
}

/* The connection's server is gone or has left the cluster: a statement
 * cannot go on there (several hosts: another node may take over). */
static bool
node_lost(unsigned code)
{
	switch (code) {
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case ER_UNKNOWN_COM_ERROR: /* 1047: WSREP has not yet prepared node */
	case ER_CONNECTION_KILLED:
	case ER_SERVER_SHUTDOWN:
		return true;
	default:
		return false;
	}
}

bool
wp_may_retry(struct wpstore *w)
{
	if (w == NULL)
		return false;
	/* Rolled back by InnoDB (deadlock) or by Galera (a certification
	 * conflict or a brute-force abort report the same error): nothing
	 * of the transaction is left, it may simply run again. */
	if (w->last_errno == ER_LOCK_DEADLOCK)
		return true;
	if (w->nhosts < 2 || !node_lost(w->last_errno))
		return false;
	/* The node died or left the primary component: the transaction was
	 * not committed there, or it was and the retry finds its work done.
	 * Another node of db_host takes the rest. */
	log_warn("wpstore: %s:%u lost (%u): trying the other hosts",
		 w->hosts[w->node].host, w->hosts[w->node].port, w->last_errno);
	wps_drop_pending(w);
	db_disconnect(w);
	w->last_errno = 0;
	return db_connect(w) == MW_OK;
}

void
wp_node_name(const struct wpstore *w, char *out, size_t outsz)
{
	const struct cfg_db_host *h = &w->hosts[w->node];

	if (w->nhosts == 1 && strcmp(h->host, "localhost") == 0)
		snprintf(out, outsz, "%s", w->cfg->db_socket);
	else
		snprintf(out, outsz, "%s:%u", h->host, h->port);
}

enum mw_err
wp_nodes(const struct cfg *cfg, struct wp_node *out, size_t max, size_t *n)
{
	struct wpstore w;
	size_t i;
	enum mw_err rc;

	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.wpflog = -1;
	if (cfg_db_hosts(cfg, w.hosts, CFG_DB_HOSTS_MAX, &w.nhosts) != MW_OK)
		return MW_ECONFIG;
	for (i = 0; i < w.nhosts && i < max; i++) {
		struct wp_node *o = &out[i];

		memset(o, 0, sizeof(*o));
		snprintf(o->addr, sizeof(o->addr), "%s:%u", w.hosts[i].host,
			 w.hosts[i].port);
		rc = connect_host(&w, i);
		o->up = rc == MW_OK;
		if (rc == MW_OK && read_node(&w, o) != MW_OK)
			o->up = false;
		if (!o->up)
			snprintf(o->error, sizeof(o->error), "%s",
				 w.db != NULL ? mysql_error(w.db)
					      : "no memory");
		if (w.db != NULL)
			mysql_close(w.db);
		w.db = NULL;
	}
	*n = i;
	return MW_OK;
}

enum mw_err
wp_begin(struct wpstore *w)
{
	enum mw_err rc;

	w->last_errno = 0;
	if (w->npend > 0 && (rc = wps_flush(w)) != MW_OK)
		return rc;
	rc = wps_simple(w, "START TRANSACTION");
	w->in_tx = rc == MW_OK;
	w->tx_queries = w->queries;
	return rc;
}

enum mw_err
wp_commit(struct wpstore *w)
{
	enum mw_err rc = w->npend > 0 ? wps_flush(w) : MW_OK;

	if (rc != MW_OK) {
		wp_rollback(w);
		return rc;
	}
	rc = wps_simple(w, "COMMIT");
	w->in_tx = false;
	return rc;
}

void
wp_rollback(struct wpstore *w)
{
	if (w == NULL)
		return;
	wps_drop_pending(w);
	if (!w->in_tx)
		return;
	w->in_tx = false;
	w->queries++;
	w->round_trips++;
	if (mysql_query(w->db, "ROLLBACK") != 0)
		log_warn("wpstore: ROLLBACK failed: %u", mysql_errno(w->db));
}

/* Expand "{P}" in tmpl to the table prefix and "{B}" to the blog's
 * prefix (the same for blog 1, "wp_2_" for blog 2) into out. */
static enum mw_err
expand(const struct wpstore *w, const char *tmpl, struct buf *out)
{
	char blog[64];
	const char *p;

	if (w->cfg->blog_id > 1)
		snprintf(blog, sizeof(blog), "%s%llu_", w->cfg->table_prefix,
			 (unsigned long long)w->cfg->blog_id);
	else
		snprintf(blog, sizeof(blog), "%s", w->cfg->table_prefix);
	for (; *tmpl != '\0'; tmpl++) {
		if (strncmp(tmpl, "{P}", 3) == 0 ||
		    strncmp(tmpl, "{B}", 3) == 0) {
			p = tmpl[1] == 'P' ? w->cfg->table_prefix : blog;
			buf_addstr(out, p);
			tmpl += 2;
			continue;
		}
		buf_add(out, tmpl, 1);
	}
	return buf_error(out);
}

enum mw_err
wps_simple_tmpl(struct wpstore *w, const char *tmpl)
{
	struct buf sql;
	enum mw_err rc;

	buf_init(&sql, SQL_MAX);
	rc = expand(w, tmpl, &sql);
	if (rc == MW_OK)
		rc = wps_simple(w, sql.p);
	buf_free(&sql);
	return rc;
}

/* ---- one statement, either way ---------------------------------------- */

/* A kept connection that went away (server restart, wait_timeout) is
 * reconnected once, before anything of this request was sent. */
static bool
reconnect(struct wpstore *w)
{
	unsigned code = w->last_errno;

	if (!w->reused || w->in_tx ||
	    (code != CR_SERVER_GONE_ERROR && code != CR_SERVER_LOST))
		return false;
	w->reused = false;
	log_info("wpstore: connection lost, reconnecting");
	db_disconnect(w);
	return db_connect(w) == MW_OK;
}

enum mw_err
wps_query(struct wpstore *w, const char *tmpl, struct arg *args, size_t nargs,
	  row_fn fn, void *ctx, uint64_t *affected)
{
	struct buf sql, lit;
	enum mw_err rc;
	bool retry;

	if (w->npend > 0 && (rc = wps_flush(w)) != MW_OK)
		return rc;
	buf_init(&sql, SQL_MAX * 4);
	buf_init(&lit, SQL_MAX * 4 + 2 * WP_META_MAX + 64);
	rc = expand(w, tmpl, &sql);
	do {
		retry = false;
		if (rc == MW_OK && w->prepared) {
			rc = wps_stmt_query(w, sql.p, sql.len, args, nargs, fn,
					    ctx, affected);
		} else if (rc == MW_OK) {
			buf_reset(&lit);
			rc = wps_literals(w, sql.p, args, nargs, &lit);
			if (rc == MW_OK)
				rc = wps_text_query(w, lit.p, lit.len, fn, ctx,
						    affected);
		}
		if (rc == MW_EDB && reconnect(w))
			retry = true, rc = MW_OK;
	} while (retry);
	w->reused = false;
	buf_free(&lit);
	buf_free(&sql);
	return rc;
}

enum mw_err
wps_query_in(struct wpstore *w, const char *head, size_t nmarks,
	     const char *tail, struct arg *args, size_t nargs, row_fn fn,
	     void *ctx)
{
	struct buf sql;
	size_t i;
	enum mw_err rc;

	buf_init(&sql, SQL_MAX * 4);
	buf_addstr(&sql, head);
	for (i = 0; i < nmarks; i++)
		buf_addstr(&sql, i ? ", ?" : "?");
	buf_addstr(&sql, tail);
	rc = buf_error(&sql);
	if (rc == MW_OK)
		rc = wps_query(w, sql.p, args, nargs, fn, ctx, NULL);
	buf_free(&sql);
	return rc;
}

/* Keep what res asks for of the first row. */
static enum mw_err
first_row(void *ctx, char **col, unsigned long *len, unsigned n)
{
	struct result *res = ctx;
	unsigned i;

	if (res->found)
		return MW_OK;
	res->found = true;
	if (res->want_u64 && n > 0 && col[0] != NULL &&
	    str_u64(col[0], len[0], 0, UINT64_MAX, &res->u) != MW_OK)
		return MW_EINTERNAL;
	if (res->want_str && n > 0 && col[0] != NULL) {
		if ((res->s = malloc(len[0] + 1)) == NULL)
			return MW_ENOMEM;
		memcpy(res->s, col[0], len[0]);
		res->s[len[0]] = '\0';
		res->slen = len[0];
	}
	for (i = 0; i < res->ncols && i < n; i++) {
		unsigned long l = col[i] != NULL ? len[i] : 0;

		if ((res->cols[i] = malloc(l + 1)) == NULL)
			return MW_ENOMEM;
		if (l > 0)
			memcpy(res->cols[i], col[i], l);
		res->cols[i][l] = '\0';
	}
	return MW_OK;
}

enum mw_err
wps_run(struct wpstore *w, const char *tmpl, struct arg *args, size_t nargs,
	struct result *res)
{
	return wps_query(w, tmpl, args, nargs, first_row, res, &res->affected);
}

enum mw_err
wps_run_u64(struct wpstore *w, const char *tmpl, struct arg *args, size_t nargs,
	    uint64_t *u, bool *found)
{
	struct result r = {.want_u64 = true};
	enum mw_err rc;

	rc = wps_run(w, tmpl, args, nargs, &r);
	if (rc != MW_OK)
		return rc;
	*u = r.found ? r.u : 0;
	if (found != NULL)
		*found = r.found;
	return MW_OK;
}

enum mw_err
wps_run_str(struct wpstore *w, const char *tmpl, struct arg *args, size_t nargs,
	    char **val, size_t *len)
{
	struct result r = {.want_str = true};
	enum mw_err rc;

	rc = wps_run(w, tmpl, args, nargs, &r);
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

enum mw_err
wps_update_or_insert(struct wpstore *w, const char *update, struct arg *uargs,
		     size_t nuargs, const char *insert, struct arg *iargs,
		     size_t niargs)
{
	uint64_t affected = 0;
	enum mw_err rc;

	rc = wps_query(w, update, uargs, nuargs, NULL, NULL, &affected);
	if (rc != MW_OK || affected > 0)
		return rc;
	return wps_query(w, insert, iargs, niargs, NULL, NULL, NULL);
}

/* ---- usermeta rows of a new user, in one INSERT -------------------- */

void
wps_drop_pending(struct wpstore *w)
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
enum mw_err
wps_flush(struct wpstore *w)
{
	struct buf sql;
	struct arg *a;
	size_t i, n = w->npend;
	enum mw_err rc = MW_ENOMEM;

	buf_init(&sql, SQL_MAX);
	a = calloc(3 * n, sizeof(*a));
	if (a != NULL) {
		buf_addstr(
			&sql,
			"INSERT INTO {P}usermeta (user_id, meta_key, meta_value) VALUES ");
		for (i = 0; i < n; i++) {
			buf_addstr(&sql, i ? ", (?, ?, ?)" : "(?, ?, ?)");
			a[3 * i] = U64(w->pend[i].uid);
			a[3 * i + 1] = CSTR(w->pend[i].key);
			a[3 * i + 2] = STR(w->pend[i].val, w->pend[i].len);
		}
		rc = buf_error(&sql);
	}
	w->npend = 0; /* the query must not flush again */
	if (rc == MW_OK)
		rc = wps_query(w, sql.p, a, 3 * n, NULL, NULL, NULL);
	w->npend = n;
	wps_drop_pending(w);
	free(a);
	buf_free(&sql);
	return rc;
}
