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
