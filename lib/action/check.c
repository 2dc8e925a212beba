/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * check.c - mautic-wp.cgi --check: one line per diagnostic of the
 * configuration, the database and the site, Mautic's API and the mail
 * transport, each with what to fix.
 */
#include "action/shell.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action/action_int.h"
#include "base/log.h"
#include "config/config.h"
#include "mail/mail.h"
#include "mautic/mautic.h"
#include "queue/spool.h"
#include "wp/index.h"
#include "wp/objcache.h"
#include "wp/outbox.h"
#include "wp/site.h"
#include "wp/store.h"

struct checker {
	FILE *out;
	int failed;
	bool warn; /* the next ok line is a warning (not a failure) */
};

static void line(struct checker *c, bool ok, const char *what, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

static void
line(struct checker *c, bool ok, const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(c->out, "%-4s %-9s ", ok ? (c->warn ? "warn" : "ok") : "FAIL",
		what);
	va_start(ap, fmt);
	vfprintf(c->out, fmt, ap);
	va_end(ap);
	fputc('\n', c->out);
	if (!ok)
		c->failed++;
	c->warn = false;
}

/* A line that needs attention but does not fail the check. */
#define WARN(c, what, ...)                                                     \
	do {                                                                   \
		(c)->warn = true;                                              \
		line((c), true, (what), __VA_ARGS__);                          \
	} while (0)

/* WordPress release of a db_version (wp-includes/version.php history). */
static const char *
wp_release(uint64_t v)
{
	static const struct {
		uint64_t db;
		const char *name;
	} known[] = {
		{60421, "6.8 or later"}, {58975, "6.7"},
		{57155, "6.6"},		 {56657, "6.4-6.5"},
		{55853, "6.3"},		 {53496, "6.1-6.2"},
		{51917, "5.9-6.0"},	 {0, "older than 5.9"},
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (v >= known[i].db)
			return known[i].name;
	return "unknown";
}

static void
check_site(struct checker *c, const struct cfg *cfg, struct wpstore *w)
{
	struct wp_site s;
	char list[512] = "";
	const struct role *def;
	size_t i, o = 0;

	memset(&s, 0, sizeof(s));
	if (wp_site_read(cfg, w, &s) != MW_OK) {
		line(c, false, "wordpress",
		     "no role table %suser_roles: is table_prefix right, is WordPress installed?",
		     cfg->table_prefix);
		wp_site_free(&s);
		return;
	}
	line(c, true, "wordpress",
	     "db_version %llu (WordPress %s): new passwords hashed with %s",
	     (unsigned long long)s.db_version, wp_release(s.db_version),
	     s.scheme == PWHASH_WP_BCRYPT ? "$wp$2y$ bcrypt" : "$P$ phpass");
	def = s.default_role ? roles_find(&s.roles, s.default_role) : NULL;
	for (i = 0; i < s.roles.n; i++)
		if (roles_assignable(cfg->allowed_roles, &s.roles.v[i]) &&
		    o < sizeof(list))
			o += (size_t)snprintf(list + o, sizeof(list) - o,
					      "%s%s", o ? ", " : "",
					      s.roles.v[i].slug);
	if (def == NULL)
		line(c, false, "roles",
		     "default_role option names no registered role: set it in Settings > General");
	else if (def->admin_level && !roles_assignable(cfg->allowed_roles, def))
		line(c, false, "roles",
		     "default_role %s has admin-level capabilities: no webhook may create users with it",
		     def->slug);
	else
		line(c, true, "roles",
		     "default_role %s; a webhook may assign: %s", def->slug,
		     list[0] ? list : "(none)");
	wp_site_free(&s);
}

/* The contact index: present, or what its absence costs (a note, not a
 * failure: small sites do not need it). */
static void
check_index(struct checker *c, struct wpstore *w)
{
	struct wp_index_state st;

	if (wp_index_state(w, &st) != MW_OK) {
		line(c, false, "index", "cannot read the indexes of usermeta");
		return;
	}
	if (st.present)
		line(c, true, "index",
		     "contact lookups use index %s: %.2f ms over %llu linked users",
		     st.name, st.lookup_ms, (unsigned long long)st.links);
	else
		line(c, true, "index",
		     "no contact index: a contact lookup reads all %llu links (%.2f ms); mautic-wp.cgi --install-index makes it one index read",
		     (unsigned long long)st.links, st.lookup_ms);
}

/* WP Fusion's settings that decide where data goes: a staging copy, the
 * usermeta keys, and who owns each mapped field. */
static void
check_wpf(struct checker *c, const struct cfg *cfg, struct wpstore *w)
{
	char list[1024] = "", acf[CFG_META_KEY_MAX + 2], *v = NULL;
	const char *owner;
	size_t i, o = 0, len;

	if (cfg->wpf.staging)
		WARN(c, "staging",
		     "this site is a staging copy (%s): webhooks are answered \"skipped\", Mautic is never called and nothing is written",
		     cfg->wpf.staging_why);
	else if (!cfg->use_wpf_options && cfg->wpf.const_staging != 0)
		line(c, true, "staging",
		     "not a staging copy by WPF_STAGING_MODE; WP Fusion's staging_mode and duplicate-site lock are read only with use_wpf_options");
	else
		line(c, true, "staging", "not a staging copy");
	line(c, true, "keys", "contact ids in %s, tags in %s%s",
	     cfg->wpf.contact_key, cfg->wpf.tags_key,
	     cfg->wpf.prefix_keys ? " (multisite_prefix_keys)" : "");
	for (i = 0; i < cfg->nfields; i++) {
		const struct cfg_field *f = &cfg->fields[i];
		enum field_class k = user_field_class(f->wp, &owner);

		if (k == FC_META && user_field_kind(f->wp) == FK_META) {
			/* ACF keeps "_name" = "field_..." beside a value. */
			snprintf(acf, sizeof(acf), "_%s", f->wp);
			if (wp_meta_sample(w, acf, &v, &len) == MW_OK &&
			    v != NULL && strncmp(v, "field_", 6) == 0)
				WARN(c, "field",
				     "%s is an ACF field: written as plain usermeta, which ACF reads, but ACF's own update filters do not run",
				     f->wp);
			free(v);
			v = NULL;
		}
		if (k == FC_PLUGIN)
			WARN(c, "field",
			     "%s belongs to %s, not to usermeta: it is not written (WP Fusion sets it through that plugin)",
			     f->wp, owner);
		if (o < sizeof(list))
			o += (size_t)snprintf(
				list + o, sizeof(list) - o, "%s%s (%s)",
				o ? ", " : "", f->wp,
				k == FC_META && user_field_kind(f->wp) ==
							FK_META
					? (f->type == CFG_FT_RAW
						   ? "usermeta, raw"
						   : "usermeta")
				: k == FC_META ? "WordPress user field"
				: k == FC_PSEUDO || f->pseudo
					? "sent to Mautic only"
				: k == FC_WPF	? "WP Fusion's own key"
				: k == FC_ROLES ? "role"
						: "plugin");
	}
	line(c, true, "fieldmap", "%s", o ? list : "(no fields mapped)");
}

/* With several hosts in db_host: one line per node, its cluster state. */
static void
check_nodes(struct checker *c, const struct cfg *cfg)
{
	struct wp_node nodes[CFG_DB_HOSTS_MAX];
	size_t i, n = 0;

	if (wp_nodes(cfg, nodes, CFG_DB_HOSTS_MAX, &n) != MW_OK || n < 2)
		return;
	for (i = 0; i < n; i++) {
		const struct wp_node *d = &nodes[i];

		if (!d->up)
			line(c, false, "node",
			     "%s: cannot connect (%s); the other hosts take its webhooks",
			     d->addr, d->error);
		else if (!d->galera)
			line(c, true, "node", "%s: up (not a Galera node)",
			     d->addr);
		else
			line(c, d->ready, "node",
			     "%s: %s, %s, cluster size %u%s", d->addr,
			     d->state[0] ? d->state : "?",
			     d->status[0] ? d->status : "?", d->cluster_size,
			     d->ready
				     ? ""
				     : ": not ready, skipped until it is Synced in the primary component");
	}
}

/* The lock rows' table: there, or created by the first add. */
static void
check_locks(struct checker *c, const struct cfg *cfg, struct wpstore *w)
{
	bool present = false;

	if (wp_locks_present(w, &present) != MW_OK)
		line(c, false, "locks", "cannot read %smautic_wp_locks",
		     cfg->table_prefix);
	else if (present)
		line(c, true, "locks", "%smautic_wp_locks is there",
		     cfg->table_prefix);
	else
		line(c, true, "locks",
		     "%smautic_wp_locks does not exist yet: the first add creates it (db_user needs CREATE; or load sql/mautic-wp-locks.sql)",
		     cfg->table_prefix);
}

/* Where the mu-plugin would be: wp-content/mu-plugins next to
 * [wordpress] wp_config (ABSPATH, or its parent, where WordPress also
 * looks for wp-config.php).  Writes "" when there is no wp_config; true
 * when the file is there. */
static bool
find_mu_plugin(const struct cfg *cfg, char *where, size_t wsz)
{
	static const char *const rel[] = {
		"/wp-content/mu-plugins/mautic-wp.php",
		"/../wp-content/mu-plugins/mautic-wp.php"};
	char dir[512], path[700];
	struct stat st;
	const char *slash;
	size_t i;

	where[0] = '\0';
	if (cfg->wp_config == NULL ||
	    (slash = strrchr(cfg->wp_config, '/')) == NULL ||
	    (size_t)(slash - cfg->wp_config) >= sizeof(dir))
		return false;
	memcpy(dir, cfg->wp_config, (size_t)(slash - cfg->wp_config));
	dir[slash - cfg->wp_config] = '\0';
	snprintf(where, wsz, "%s%s", dir, rel[0]);
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dir, rel[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			snprintf(where, wsz, "%s", path);
			return true;
		}
	}
	return false;
}

/* The outbox and its drain: the mu-plugin, the backlog, parked events. */
static void
check_events(struct checker *c, const struct cfg *cfg, struct wpstore *w)
{
	struct wp_outbox_stats st;
	char where[700];
	bool found = find_mu_plugin(cfg, where, sizeof(where));
	const char *url =
		cfg->events_ping_url ? cfg->events_ping_url : cfg->site_url;

	if (!cfg->events_outbox)
		return;
	if (wp_outbox_stats(w, &st) != MW_OK) {
		line(c, false, "events", "cannot read the outbox table");
		return;
	}
	if (found)
		line(c, true, "mu-plugin", "%s is installed%s", where,
		     st.pings_age_s != UINT64_MAX ? "; its drain answers pings"
						  : "");
	else if (st.pings_age_s != UINT64_MAX && st.pings_age_s < 86400)
		line(c, true, "mu-plugin",
		     "the drain accepted a signed ping %llu s ago",
		     (unsigned long long)st.pings_age_s);
	else
		/* Webhooks work without it: a warning, not a failure. */
		WARN(c, "mu-plugin",
		     "not installed%s%s (or its drain never answered): copy or link wordpress/mautic-wp.php (/usr/share/mautic-wp/mautic-wp.php) into wp-content/mu-plugins/; until then WordPress's hooks do not fire and events older than %llu days are deleted",
		     where[0] ? " in " : "", where,
		     (unsigned long long)cfg->events_max_age_days);
	if (url != NULL && strncmp(url, "https://", 8) == 0)
		line(c, true, "ping",
		     "%s is https: the drain is not pinged (plain HTTP only), WP-Cron drains every minute; set [events] ping_url to a plain-HTTP address of the site to ping it",
		     url);
	if (!st.exists)
		line(c, true, "events",
		     "no outbox table yet (made by the first webhook that records an event; needs the CREATE privilege)");
	else if (st.parked > 0)
		line(c, false, "events",
		     "%llu event(s) pending, oldest %llu s; %llu parked after failing listeners (last: %s): see the PHP error log, then UPDATE %smautic_wp_events SET parked = 0, tries = 0 to retry",
		     (unsigned long long)st.pending,
		     (unsigned long long)st.oldest_age_s,
		     (unsigned long long)st.parked, st.last_error,
		     cfg->table_prefix);
	else
		line(c, st.oldest_age_s < 3600, "events",
		     "%llu event(s) pending, oldest %llu s%s",
		     (unsigned long long)st.pending,
		     (unsigned long long)st.oldest_age_s,
		     st.oldest_age_s < 3600 ? ""
					    : ": the drain is not running");
}

static void
check_db(struct checker *c, const struct cfg *cfg)
{
	char node[CFG_DB_HOST_LEN + 8];
	struct wpstore *w = NULL;
	uint64_t uid;
	char *v = NULL;
	size_t len;
	enum mw_err rc;

	check_nodes(c, cfg);
	rc = wp_open(cfg, &w);
	if (rc != MW_OK) {
		line(c, false, "database",
		     rc == MW_ECONFIG
			     ? "the server refused db_user/db_password or db_name %s"
			     : "cannot reach the server (db_host, db_port, db_socket; is MariaDB running?) for %s",
		     cfg->db_name);
		return;
	}
	wp_node_name(w, node, sizeof(node));
	line(c, true, "database", "connected to %s as %s (%s)", cfg->db_name,
	     cfg->db_user, node);
	rc = wp_user_by_email(w, "check@mautic-wp.invalid", &uid);
	if (rc == MW_OK)
		rc = wp_meta_get(w, 0, "mautic_contact_id", &v, &len);
	free(v);
	if (rc == MW_OK)
		rc = wp_option_get(w, "siteurl", &v, &len);
	if (rc != MW_OK)
		line(c, false, "tables",
		     "%susers, %susermeta or %soptions missing: check table_prefix against $table_prefix in wp-config.php",
		     cfg->table_prefix, cfg->table_prefix, cfg->table_prefix);
	else
		line(c, true, "tables",
		     "%susers, %susermeta, %soptions (site %s)",
		     cfg->table_prefix, cfg->table_prefix, cfg->table_prefix,
		     v ? v : "?");
	free(v);
	if (rc == MW_OK)
		check_site(c, cfg, w);
	if (rc == MW_OK)
		check_index(c, w);
	if (rc == MW_OK)
		check_locks(c, cfg, w);
	if (rc == MW_OK)
		check_wpf(c, cfg, w);
	if (rc == MW_OK)
		check_events(c, cfg, w);
	wp_close(w);
}

static bool
has_alias(char **aliases, size_t n, const char *alias)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(aliases[i], alias) == 0)
			return true;
	return false;
}

static void
check_fields(struct checker *c, const struct cfg *cfg, struct mautic *m)
{
	char **aliases = NULL, missing[512] = "";
	size_t n = 0, i, o = 0;

	if (mautic_field_aliases(m, &aliases, &n) != MW_OK) {
		line(c, false, "fields",
		     "GET /api/fields/contact failed: does the API user have permission to view fields?");
		return;
	}
	for (i = 0; i < cfg->nfields; i++)
		if (!has_alias(aliases, n, cfg->fields[i].mautic) &&
		    o < sizeof(missing))
			o += (size_t)snprintf(missing + o, sizeof(missing) - o,
					      "%s%s (for %s)", o ? ", " : "",
					      cfg->fields[i].mautic,
					      cfg->fields[i].wp);
	if (cfg->return_password_field != NULL &&
	    !has_alias(aliases, n, cfg->return_password_field) &&
	    o < sizeof(missing))
		o += (size_t)snprintf(missing + o, sizeof(missing) - o,
				      "%s%s (return_password_field)",
				      o ? ", " : "",
				      cfg->return_password_field);
	if (o > 0)
		line(c, false, "fields",
		     "Mautic has no field %s: create it in Mautic or fix [fields]",
		     missing);
	else
		line(c, true, "fields", "all %zu mapped fields exist in Mautic",
		     cfg->nfields);
	for (i = 0; i < n; i++)
		free(aliases[i]);
	free(aliases);
}

static void
check_mautic(struct checker *c, const struct cfg *cfg)
{
	struct mautic *m = NULL;
	long st;

	if (mautic_open(cfg, &m) != MW_OK || mautic_ping(m) != MW_OK) {
		st = m ? mautic_last_status(m) : 0;
		if (st == 401)
			line(c, false, "mautic",
			     "%s refused the credentials: check username/password (basic) or client_id/client_secret (oauth2)",
			     cfg->mautic_url);
		else if (st == 403)
			line(c, false, "mautic",
			     "%s: API or HTTP basic auth disabled (Configuration > API Settings; clear Mautic's cache after enabling)",
			     cfg->mautic_url);
		else if (st != 0)
			line(c, false, "mautic",
			     "%s answered HTTP %ld: is url the Mautic base URL?",
			     cfg->mautic_url, st);
		else
			line(c, false, "mautic",
			     "cannot reach %s over verified HTTPS (DNS, firewall, certificate; ca_file for a private CA)",
			     cfg->mautic_url);
		mautic_close(m);
		return;
	}
	line(c, true, "mautic", "%s accepts our %s credentials",
	     cfg->mautic_url,
	     cfg->auth == CFG_AUTH_OAUTH2 ? "OAuth2" : "basic");
	check_fields(c, cfg, m);
	mautic_close(m);
}

static void
check_mail(struct checker *c, const struct cfg *cfg)
{
	char why[256];

	if (cfg->mail_transport == CFG_MAIL_WORDPRESS) {
		line(c, true, "mail",
		     "welcome mails are sent by WordPress (wp_new_user_notification) when the mu-plugin drains the outbox");
		return;
	}
	if (cfg->mail_transport == CFG_MAIL_SENDMAIL) {
		if (access(cfg->sendmail, X_OK) == 0)
			line(c, true, "mail", "sendmail %s is executable",
			     cfg->sendmail);
		else
			line(c, false, "mail",
			     "sendmail %s is missing or not executable: install an MTA or set [mail] transport = smtp",
			     cfg->sendmail);
		return;
	}
	if (mail_probe(cfg, why, sizeof(why)) == MW_OK)
		line(c, true, "mail", "SMTP server %s accepts connections",
		     cfg->smtp_url);
	else
		line(c, false, "mail", "SMTP server %s: %s (check smtp_url)",
		     cfg->smtp_url, why);
}

/* The Redis object cache, when [cache] redis is set: it must answer now,
 * or changed users would keep their old cached rows after a webhook. */
static void
check_cache(struct checker *c, const struct cfg *cfg)
{
	char why[256];

	if (cfg->redis_url.host == NULL)
		return;
	if (objcache_ping(cfg, why, sizeof(why)) == MW_OK)
		line(c, true, "cache",
		     "Redis answers; changed users' keys are deleted after each commit");
	else
		line(c, false, "cache", "Redis: %s (check [cache] redis)", why);
}

/* The local queue: the spool can be written, how much waits, how old the
 * oldest job is, and the dead letters (each with its reason). */
static void
check_queue(struct checker *c, const struct cfg *cfg)
{
	char why[256];
	size_t depth = 0, dead = 0, taken = 0;
	long long oldest = 0, age_s;

	struct stat st;
	bool needed =
		cfg->webhook_async != CFG_ASYNC_NEVER || cfg->queue_on_failure;

	/* --check may run as root: the directory is the web server user's,
	 * so it is looked at, not created. */
	if (lstat(cfg->queue_dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    (st.st_mode & 0077) != 0) {
		snprintf(
			why, sizeof(why), "%s",
			lstat(cfg->queue_dir, &st) != 0
				? "is missing: install -d -m 0700 -o www-data -g www-data it"
			: !S_ISDIR(st.st_mode)
				? "is not a directory"
				: "may be entered by others: chmod 0700 it");
		line(c, !needed, "queue", "%s %s%s", cfg->queue_dir, why,
		     needed ? " (async and on_failure need it)" : "");
		return;
	}
	if (spool_stats(cfg->queue_dir, &depth, &oldest, &dead) != MW_OK) {
		line(c, false, "queue", "%s cannot be read", cfg->queue_dir);
		return;
	}
	switch (spool_journal_state(cfg->queue_dir, &taken, why, sizeof(why))) {
	case MW_OK:
		line(c, true, "journal", "%zu of %u slot(s) taken%s", taken,
		     SPOOL_JOURNAL_SLOTS,
		     cfg->queue_journal ? "" : " ([queue] journal = no)");
		break;
	case MW_EINPUT:
		line(c, false, "journal",
		     "%s/journal is not used: %s (jobs go to files; the worker "
		     "moves it to dead/)",
		     cfg->queue_dir, why);
		break;
	default:
		line(c, true, "journal", "%s",
		     cfg->queue_journal
			     ? "not made yet (the first queued job makes it)"
			     : "off ([queue] journal = no)");
		break;
	}
	age_s = oldest > 0 ? (spool_wall_ms() - oldest) / 1000 : 0;
	line(c, age_s < 600, "queue",
	     "%s: %zu job(s) queued, the oldest %lld s old%s", cfg->queue_dir,
	     depth, age_s,
	     age_s < 600 ? "" : " (is mautic-wp-worker running?)");
	line(c, dead == 0, "dead", "%zu dead letter(s) in %s/dead%s", dead,
	     cfg->queue_dir,
	     dead == 0
		     ? ""
		     : " (the reason is beside each; --requeue puts them back)");
}

int
shell_check(const char *config, FILE *out)
{
	struct checker c = {out, 0, false};
	struct cfg cfg;
	struct action_conn conn = {NULL, NULL, false};
	char err[CFG_ERRMSG_MAX];
	const char *path = config ? config : cfg_default_path();

	log_mute(true);
	if (action_config(path, &cfg, &conn, err, sizeof(err)) != MW_OK) {
		line(&c, false, "config", "%s", err);
		cfg_free(&cfg);
		log_mute(false);
		return 1;
	}
	action_conn_close(&conn);
	line(&c, true, "config", "%s is readable and private%s", path,
	     cfg.use_wpf_options ? "; WP Fusion's wpf_options merged" : "");
	check_db(&c, &cfg);
	check_mautic(&c, &cfg);
	check_mail(&c, &cfg);
	check_cache(&c, &cfg);
	check_queue(&c, &cfg);
	fprintf(out, "%s\n",
		c.failed ? "some checks failed" : "all checks passed");
	cfg_free(&cfg);
	log_mute(false);
	return c.failed ? 1 : 0;
}
