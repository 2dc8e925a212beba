/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * store.h - WordPress's tables: the only place with a MYSQL handle.
 *
 * Every value reaches the server as a bound parameter (a kept prepared
 * statement in persistent mode) or as a literal escaped by the client
 * library for the connection's character set (the text protocol, one
 * round trip instead of two for a statement sent once); only the table
 * prefix, validated once by cfg_load(), is pasted into SQL text as is.
 */
#ifndef MW_WPSTORE_H
#define MW_WPSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "base/err.h"

#define WP_PSEUDO_USER_MIN 100000000ull /* WP Fusion's auto-login users */
#define WP_META_MAX (16u << 20)		/* bytes of one meta value we read */

struct wpstore;

/* Connect with utf8mb4 (socket for db_host "localhost", TCP otherwise).
 * cfg is borrowed until wp_close().  MW_EDB when the server is away,
 * MW_ECONFIG when it refuses the credentials or the database. */
enum mw_err wp_open(const struct cfg *cfg,
		    struct wpstore **out /* OUT */) MW_MUST_CHECK;

/* wp_open() for statements that may run long (an index built over
 * millions of rows): the read timeout is a day instead of 10 s. */
enum mw_err wp_open_admin(const struct cfg *cfg,
			  struct wpstore **out /* OUT */) MW_MUST_CHECK;

/* True when the connection still answers (mysql_ping: one round trip). */
bool wp_ping(struct wpstore *w);

/* Keep statements prepared for the connection's life (a persistent
 * process): each is then one round trip to execute.  Without it every
 * statement goes once, as text. */
void wp_keep_statements(struct wpstore *w);

/* The connection is kept from an earlier request: when its first
 * statement finds the server gone (restarted, wait_timeout), it
 * reconnects once and sends it again, instead of a ping per request. */
void wp_reuse(struct wpstore *w);

/* Roll back anything open and disconnect.  NULL is fine. */
void wp_close(struct wpstore *w);

/* Transactions: one per request.  wp_rollback never fails and does
 * nothing without an open transaction (or with w NULL). */
enum mw_err wp_begin(struct wpstore *w) MW_MUST_CHECK;
enum mw_err wp_commit(struct wpstore *w) MW_MUST_CHECK;
void wp_rollback(struct wpstore *w);

/* True when the failed transaction may simply run again: InnoDB rolled
 * it back after a deadlock, or Galera after a certification conflict
 * (both 1213); or, with several hosts in db_host, its server died or left
 * the cluster and another host is now connected (w reconnected). */
bool wp_may_retry(struct wpstore *w);

/* What --check shows of one host of db_host. */
struct wp_node {
	char addr[CFG_DB_HOST_LEN + 8]; /* host:port */
	bool up;			/* connected and answered */
	char error[128];		/* why not, when !up */
	bool galera;			/* a Galera node */
	bool ready;			/* may take writes (Galera: wsrep_ready
					 * ON, Synced, Primary) */
	char state[32];			/* wsrep_local_state_comment */
	char status[16];		/* wsrep_cluster_status */
	unsigned cluster_size;		/* wsrep_cluster_size */
};

/* Connect to every host of db_host in turn and read its state: out[i]
 * for the i-th host (up to max), *n of them. */
enum mw_err wp_nodes(const struct cfg *cfg, struct wp_node *out, size_t max,
		     size_t *n /* OUT */) MW_MUST_CHECK;

/* The host of db_host the connection uses ("host:port", or the socket's
 * path), for logs and --check. */
void wp_node_name(const struct wpstore *w, char *out, size_t outsz);

/* The user linked to a Mautic contact (usermeta mautic_contact_id, lowest
 * ID, WP Fusion's pseudo-users excluded); *uid 0 when there is none. */
enum mw_err wp_user_by_contact(struct wpstore *w, uint64_t contact_id,
			       uint64_t *uid /* OUT */) MW_MUST_CHECK;

/* wp_user_by_contact() for many contacts in one statement: uids[i] gets
 * the user of cids[i] (the lowest existing user linked to it), or 0. */
enum mw_err wp_users_by_contacts(struct wpstore *w, const uint64_t *cids,
				 size_t n,
				 uint64_t *uids /* OUT */) MW_MUST_CHECK;

/* The user with this e-mail (compared as the column's collation does);
 * *uid 0 when there is none. */
enum mw_err wp_user_by_email(struct wpstore *w, const char *email,
			     uint64_t *uid /* OUT */) MW_MUST_CHECK;

/* Lock the users' wp_users rows until the transaction ends, in ascending
 * ID order, in one statement; exists[i] says whether ids[i] is still
 * there. */
enum mw_err wp_users_lock(struct wpstore *w, const uint64_t *ids, size_t n,
			  bool *exists /* OUT */) MW_MUST_CHECK;

/* The first meta value of key for the user: allocated copy (caller frees)
 * and its length, or *val NULL when the row does not exist. */
enum mw_err wp_meta_get(struct wpstore *w, uint64_t uid, const char *key,
			char **val /* OUT */,
			size_t *len /* OUT */) MW_MUST_CHECK;

/* update_user_meta(): update every row of key, or insert one. */
enum mw_err wp_meta_set(struct wpstore *w, uint64_t uid, const char *key,
			const char *val, size_t len) MW_MUST_CHECK;

/* delete_user_meta(): remove every row of key. */
enum mw_err wp_meta_delete(struct wpstore *w, uint64_t uid,
			   const char *key) MW_MUST_CHECK;

/* The wp_users columns we read and write. */
enum wp_col {
	WP_COL_LOGIN,	     /* user_login */
	WP_COL_PASS,	     /* user_pass */
	WP_COL_NICENAME,     /* user_nicename */
	WP_COL_EMAIL,	     /* user_email */
	WP_COL_URL,	     /* user_url */
	WP_COL_ACTIVATION,   /* user_activation_key */
	WP_COL_DISPLAY_NAME, /* display_name */
	WP_COL__MAX
};

/* A wp_users row; every member owned (release with wp_user_free). */
struct wp_user {
	uint64_t id;
	char *col[WP_COL__MAX]; /* indexed by enum wp_col */
};

/* Load user uid.  MW_EINPUT when there is no such user. */
enum mw_err wp_user_get(struct wpstore *w, uint64_t uid,
			struct wp_user *out /* OUT */) MW_MUST_CHECK;

/* Release a row.  NULL is fine. */
void wp_user_free(struct wp_user *u);

/* The columns of a wp_users row to insert; every member borrowed, none
 * NULL. */
struct wp_new_user {
	const char *col[WP_COL__MAX]; /* indexed by enum wp_col */
};

/* INSERT a new wp_users row in wp_insert_user()'s column order, with
 * user_registered = UTC now.  u is borrowed for the call.  *uid gets the
 * new ID. */
enum mw_err wp_user_insert(struct wpstore *w, const struct wp_new_user *u,
			   uint64_t *uid /* OUT */) MW_MUST_CHECK;

/* UPDATE one column of a user. */
enum mw_err wp_user_set(struct wpstore *w, uint64_t uid, enum wp_col col,
			const char *val) MW_MUST_CHECK;

/* True in *taken when a user with this login exists (compared as the
 * column's collation does: case- and accent-insensitive). */
enum mw_err wp_login_taken(struct wpstore *w, const char *login,
			   bool *taken /* OUT */) MW_MUST_CHECK;

/* True in *taken when another login already uses this nicename. */
enum mw_err wp_nicename_taken(struct wpstore *w, const char *nicename,
			      const char *login,
			      bool *taken /* OUT */) MW_MUST_CHECK;

/* add_user_meta(): always INSERT one more row. */
enum mw_err wp_meta_add(struct wpstore *w, uint64_t uid, const char *key,
			const char *val, size_t len) MW_MUST_CHECK;

/* An option of the configured blog ({prefix}options for blog 1,
 * {prefix}N_options for blog N): allocated copy (caller frees) or *val
 * NULL.  Not MW_MUST_CHECK yet: two callers still drop its result. */
enum mw_err wp_option_get(struct wpstore *w, const char *name,
			  char **val /* OUT */,
			  size_t *len /* OUT */) MW_MUST_CHECK;

/* Several options of the configured blog in one statement: vals[i] an
 * allocated copy of names[i]'s value (caller frees) and lens[i] its
 * length, or NULL when the option does not exist. */
enum mw_err wp_options_get(struct wpstore *w, const char *const *names,
			   size_t n, char **vals /* OUT */,
			   size_t *lens /* OUT */) MW_MUST_CHECK;

/* Any one user's value of a meta key (for --check: what a key holds on
 * this site), or *val NULL when no user has it. */
enum mw_err wp_meta_sample(struct wpstore *w, const char *key,
			   char **val /* OUT */,
			   size_t *len /* OUT */) MW_MUST_CHECK;

/* An option of the configured blog read with its row locked until the
 * transaction ends (SELECT ... FOR UPDATE): an allocated copy, or *val
 * NULL when the option does not exist. */
enum mw_err wp_option_lock(struct wpstore *w, const char *name,
			   char **val /* OUT */,
			   size_t *len /* OUT */) MW_MUST_CHECK;

/* Insert an option of the configured blog unless it exists; either way
 * its row is locked until the transaction ends. */
enum mw_err wp_option_create(struct wpstore *w, const char *name,
			     const char *val,
			     const char *autoload) MW_MUST_CHECK;

/* Set the value of an existing option of the configured blog. */
enum mw_err wp_option_update(struct wpstore *w, const char *name,
			     const char *val, size_t len) MW_MUST_CHECK;

/* wp_maybe_update_user_counts(): user_count = COUNT(users), inserted with
 * the given autoload when the option does not exist yet. */
enum mw_err wp_user_count_refresh(struct wpstore *w,
				  const char *autoload) MW_MUST_CHECK;

/* wp_maybe_update_user_counts() on a multisite network: the network
 * option user_count in {prefix}sitemeta (of the configured blog's
 * network) = the users neither spam nor deleted; left alone above 10,000
 * (a large network, refreshed by WP-Cron); inserted when missing. */
enum mw_err wp_network_user_count_refresh(struct wpstore *w) MW_MUST_CHECK;

/* A user's user_registered ("2026-12-07 12:34:56", UTC), allocated, or
 * NULL when there is no such user. */
enum mw_err wp_user_registered(struct wpstore *w, uint64_t uid,
			       char **val /* OUT */) MW_MUST_CHECK;

/* The domain of a multisite blog ({prefix}blogs), allocated, or NULL. */
enum mw_err wp_blog_domain(struct wpstore *w, uint64_t blog_id,
			   char **domain /* OUT */) MW_MUST_CHECK;

/* The lock rows of keys ("c:<contact>", "e:<address>"): one row each in
 * {prefix}mautic_wp_locks, inserted or changed inside the transaction and
 * held until it ends.  Two transactions for the same key wait for each
 * other on one server; on two Galera nodes both change the same row, so
 * certification lets one commit and rolls the other back (1213, retried).
 * Keys are sorted so that two requests lock them in the same order; a key
 * is cut at 180 bytes.  The table is created when it is missing (the
 * database user needs CREATE, or sql/mautic-wp-locks.sql loaded once): the
 * open transaction, which must hold no writes yet, is then begun anew. */
enum mw_err wp_lock_keys(struct wpstore *w, const char *const *keys,
			 size_t n) MW_MUST_CHECK;

/* Whether {prefix}mautic_wp_locks exists (for --check). */
enum mw_err wp_locks_present(struct wpstore *w,
			     bool *present /* OUT */) MW_MUST_CHECK;

/* False when WP Fusion's activity log table {prefix}wpf_logging was found
 * missing on this connection in the last ten minutes (no query). */
bool wp_wpflog_maybe(struct wpstore *w);

/* One row of WP Fusion's activity log: UTC now, level (200 info, 300
 * notice, 500 error), user, source "api", an HTML message and a
 * serialized context (or NULL).  A missing table is not an error: it is
 * remembered (wp_wpflog_maybe) and MW_OK returned. */
enum mw_err wp_wpflog_add(struct wpstore *w, unsigned level, uint64_t uid,
			  const char *message,
			  const char *context) MW_MUST_CHECK;

/* SQL statements sent so far, and request-answer exchanges with the
 * server (a connection counts two: TCP and authentication; a statement
 * prepared for a persistent process counts its prepare once). */
unsigned wp_queries(const struct wpstore *w);
unsigned wp_round_trips(const struct wpstore *w);

/* Release the client library's global state at process exit. */
void wp_library_end(void);

#endif
