/*
 * wpstore.h - WordPress's tables: the only place with a MYSQL handle.
 *
 * Every statement is prepared with bound parameters; only the table prefix,
 * validated once by cfg_load(), is pasted into SQL text.
 */
#ifndef MW_WPSTORE_H
#define MW_WPSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

#define WP_PSEUDO_USER_MIN 100000000ull /* WP Fusion's auto-login users */
#define WP_META_MAX (16u << 20)		/* bytes of one meta value we read */

struct wpstore;

/* Connect with utf8mb4 (socket for db_host "localhost", TCP otherwise).
 * cfg is borrowed until wp_close().  MW_EDB when the server is away,
 * MW_ECONFIG when it refuses the credentials or the database. */
enum mw_err wp_open(const struct cfg *cfg, struct wpstore **out /* OUT */);

/* Roll back anything open and disconnect.  NULL is fine. */
void wp_close(struct wpstore *w);

/* Transactions: one per request.  wp_rollback never fails and does
 * nothing without an open transaction (or with w NULL). */
enum mw_err wp_begin(struct wpstore *w);
enum mw_err wp_commit(struct wpstore *w);
void wp_rollback(struct wpstore *w);

/* The user linked to a Mautic contact (usermeta mautic_contact_id, lowest
 * ID, WP Fusion's pseudo-users excluded); *uid 0 when there is none. */
enum mw_err wp_user_by_contact(struct wpstore *w, uint64_t contact_id,
			       uint64_t *uid /* OUT */);

/* The user with this e-mail (compared as the column's collation does);
 * *uid 0 when there is none. */
enum mw_err wp_user_by_email(struct wpstore *w, const char *email,
			     uint64_t *uid /* OUT */);

/* Lock the user's wp_users row until the transaction ends.  MW_EINPUT when
 * the user no longer exists. */
enum mw_err wp_user_lock(struct wpstore *w, uint64_t uid);

/* The first meta value of key for the user: allocated copy (caller frees)
 * and its length, or *val NULL when the row does not exist. */
enum mw_err wp_meta_get(struct wpstore *w, uint64_t uid, const char *key,
			char **val /* OUT */, size_t *len /* OUT */);

/* update_user_meta(): update every row of key, or insert one. */
enum mw_err wp_meta_set(struct wpstore *w, uint64_t uid, const char *key,
			const char *val, size_t len);

/* delete_user_meta(): remove every row of key. */
enum mw_err wp_meta_delete(struct wpstore *w, uint64_t uid, const char *key);

/* SQL statements sent so far (for the benchmark's round-trip count). */
unsigned wp_queries(const struct wpstore *w);

/* Release the client library's global state at process exit. */
void wp_library_end(void);

#endif
