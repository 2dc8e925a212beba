/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shell.c - mautic-wp.cgi --action from a shell: the arguments become a
 * webhook's query, which runs the same code path as a webhook.
 */
#include "action/shell.h"

#include <stdlib.h>
#include <string.h>

#include "action/action_int.h"
#include "base/buf.h"
#include "base/strparse.h"
#include "config/config.h"
#include "request/request.h"
#include "wp/index.h"
#include "wp/store.h"

/* Append name=urlencoded(value) to q. */
static enum mw_err
add_param(struct buf *q, const char *name, const char *value)
{
	if (value == NULL)
		return MW_OK;
	buf_printf(q, "%s%s=", q->len ? "&" : "", name);
	return str_urlencode(q, value, strlen(value));
}

int
shell_action(const struct shell_args *a, FILE *out)
{
	struct cfg cfg;
	struct action_conn conn = {NULL, NULL, false};
	struct req_env env;
	struct action_answer ans;
	struct buf q;
	char err[CFG_ERRMSG_MAX];
	int fd = -1; /* no body: a GET */
	enum mw_err rc;

	if (action_config(a->config ? a->config : cfg_default_path(), &cfg,
			  &conn, err, sizeof(err)) != MW_OK) {
		fprintf(stderr, "mautic-wp: %s\n", err);
		cfg_free(&cfg);
		return 2;
	}
	buf_init(&q, MW_QUERY_MAX);
	rc = add_param(&q, "wpf_action", a->action);
	if (rc == MW_OK)
		rc = add_param(&q, "contact_id", a->contact);
	if (rc == MW_OK)
		rc = add_param(&q, "role", a->role);
	if (rc == MW_OK && a->dry_run)
		rc = add_param(&q, "dry_run", "1");
	if (rc == MW_OK && a->notify)
		rc = add_param(&q, "send_notification", "true");
	if (rc != MW_OK) {
		fprintf(stderr, "mautic-wp: arguments too long\n");
		buf_free(&q);
		action_conn_close(&conn);
		cfg_free(&cfg);
		return 2;
	}
	/* Whoever can read the config holds the key anyway. */
	memset(&env, 0, sizeof(env));
	env.method = "GET";
	env.query = q.p;
	env.access_key = cfg.access_key;
	action_run(&cfg, &conn, &env, req_read_fd, &fd, &ans);
	fprintf(out, "%s\n", ans.body);
	rc = ans.status == 200 ? MW_OK : MW_EINPUT;
	action_answer_free(&ans);
	buf_free(&q);
	action_conn_close(&conn);
	cfg_free(&cfg);
	return rc == MW_OK ? 0 : 1;
}

int
shell_index(const char *config, bool install, FILE *out)
{
	struct cfg cfg;
	struct action_conn conn = {NULL, NULL, false};
	struct wp_index_state st;
	char err[CFG_ERRMSG_MAX];
	bool done = false;
	enum mw_err rc;

	if (action_config(config ? config : cfg_default_path(), &cfg, &conn,
			  err, sizeof(err)) != MW_OK) {
		fprintf(stderr, "mautic-wp: %s\n", err);
		cfg_free(&cfg);
		return 2;
	}
	action_conn_close(&conn); /* use_wpf_options opened one */
	rc = wp_open_admin(&cfg, &conn.wp);
	if (rc != MW_OK) {
		fprintf(stderr,
			"mautic-wp: cannot connect to the database (%s): mautic-wp.cgi --check says why\n",
			mw_strerror(rc));
		cfg_free(&cfg);
		return 1;
	}
	rc = install ? wp_index_install(conn.wp, &done)
		     : wp_index_remove(conn.wp, &done);
	if (rc == MW_OK)
		rc = wp_index_state(conn.wp, &st);
	if (rc != MW_OK) {
		fprintf(stderr,
			"mautic-wp: %s the index failed (%s): the database user needs the ALTER privilege on %susermeta\n",
			install ? "creating" : "dropping", mw_strerror(rc),
			cfg.table_prefix);
	} else {
		fprintf(out,
			"%s; %s%s; a contact lookup takes %.2f ms over %llu linked users\n",
			install ? (done ? "index " WP_INDEX_NAME " created"
					: "an index was already there")
				: (done ? "index " WP_INDEX_NAME " dropped"
					: "no index of ours to drop"),
			st.present ? "lookups use index " : "no contact index",
			st.present ? st.name : "", st.lookup_ms,
			(unsigned long long)st.links);
	}
	action_conn_close(&conn);
	cfg_free(&cfg);
	return rc == MW_OK ? 0 : 1;
}
