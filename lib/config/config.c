/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.c - INI configuration through libinih and one key table. */
#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "base/strparse.h"
#include "base/utf8.h"
#include "config/values.h"
#include "config/wpconfig.h"

enum ktype {
	K_STR,	  /* plain string */
	K_SECRET, /* string wiped on free */
	K_U64,	  /* decimal in [min, max] */
	K_ENUM,	  /* one of names[], stored as int index */
	K_BOOL,	  /* yes/no, true/false, on/off, 1/0 */
	K_IGNORED /* accepted for compatibility, not used */
};

/* Parses or checks a string value once stored (a default too):
 * MW_EINPUT when it is malformed, MW_ENOMEM. */
typedef enum mw_err parse_fn(struct cfg *cfg, const char *value);

struct key {
	const char *section;
	const char *name;
	enum ktype type;
	uint64_t min, max;	  /* K_U64 */
	const char *const *names; /* K_ENUM, NULL-terminated */
	const char *def;	  /* default as text, or NULL */
	size_t off;		  /* offsetof(struct cfg, member) */
	parse_fn *parse;	  /* K_STR, K_SECRET: or NULL */
	const char *expect;	  /* what parse wants, for the error */
};

static const char *const auth_names[] = {"basic", "oauth2", NULL};
static const char *const hash_names[] = {"auto", "phpass", "bcrypt", NULL};
static const char *const uname_names[] = {"email", "flname", "fnamenum", NULL};
static const char *const mail_names[] = {"sendmail", "smtp", "wordpress", NULL};
static const char *const async_names[] = {"param", "always", "never", NULL};
static const char *const level_names[] = {"error", "warn", "info", "debug",
					  NULL};

#define OFF(m) offsetof(struct cfg, m)

#define ABS_PATH "must be an absolute path"

/* One constructor per kind of row (redis createIntConfig and friends). */
#define ROW(sec, name, type, min, max, names, def, m, parse, expect)           \
	{                                                                      \
		sec, name, type, min, max, names, def, OFF(m), parse, expect   \
	}
#define KEY_STR(sec, name, def, m)                                             \
	ROW(sec, name, K_STR, 0, 0, NULL, def, m, NULL, NULL)
#define KEY_SECRET(sec, name, m)                                               \
	ROW(sec, name, K_SECRET, 0, 0, NULL, NULL, m, NULL, NULL)
#define KEY_U64(sec, name, min, max, def, m)                                   \
	ROW(sec, name, K_U64, min, max, NULL, def, m, NULL, NULL)
#define KEY_ENUM(sec, name, names, def, m)                                     \
	ROW(sec, name, K_ENUM, 0, 0, names, def, m, NULL, NULL)
#define KEY_BOOL(sec, name, def, m)                                            \
	ROW(sec, name, K_BOOL, 0, 0, NULL, def, m, NULL, NULL)
#define KEY_PARSED(sec, name, type, def, m, parse, expect)                     \
	ROW(sec, name, type, 0, 0, NULL, def, m, parse, expect)

static const struct key keys[] = {
	KEY_STR("wordpress", "db_host", "localhost", db_host),
	KEY_U64("wordpress", "db_port", 1, 65535, "3306", db_port),
	KEY_PARSED("wordpress", "db_socket", K_STR, "/run/mysqld/mysqld.sock",
		   db_socket, cfg_value_path, ABS_PATH),
	KEY_STR("wordpress", "db_name", NULL, db_name),
	KEY_STR("wordpress", "db_user", NULL, db_user),
	KEY_SECRET("wordpress", "db_password", db_password),
	KEY_STR("wordpress", "table_prefix", "wp_", table_prefix),
	KEY_PARSED("wordpress", "wp_config", K_STR, NULL, wp_config,
		   cfg_value_path, ABS_PATH),
	KEY_U64("wordpress", "blog_id", 1, 2147483647, "1", blog_id),
	KEY_ENUM("wordpress", "password_hash", hash_names, "auto",
		 password_hash),
	KEY_PARSED("wordpress", "site_url", K_STR, NULL, site_url,
		   cfg_value_http_url,
		   "must be an http:// or https:// URL with a host"),
	KEY_STR("wordpress", "site_name", NULL, site_name),
	KEY_STR("mautic", "url", NULL, mautic_url),
	KEY_ENUM("mautic", "auth", auth_names, "basic", auth),
	KEY_STR("mautic", "username", NULL, username),
	KEY_SECRET("mautic", "password", password),
	KEY_STR("mautic", "client_id", NULL, client_id),
	KEY_SECRET("mautic", "client_secret", client_secret),
	KEY_PARSED("mautic", "token_cache", K_STR, "/var/cache/mautic-wp/token",
		   token_cache, cfg_value_path, ABS_PATH),
	KEY_PARSED("mautic", "ca_file", K_STR, NULL, ca_file, cfg_value_path,
		   ABS_PATH),
	KEY_U64("mautic", "timeout_ms", 100, 60000, "8000", timeout_ms),
	KEY_U64("mautic", "max_parallel", 1, 256, "4", max_parallel),
	KEY_SECRET("webhook", "access_key", access_key),
	KEY_SECRET("webhook", "secret", secret),
	KEY_STR("webhook", "allowed_roles", NULL, allowed_roles),
	KEY_ENUM("webhook", "username_format", uname_names, "email",
		 username_format),
	KEY_STR("webhook", "return_password_field", NULL,
		return_password_field),
	KEY_BOOL("webhook", "send_welcome_email", "no", send_welcome_email),
	KEY_BOOL("webhook", "use_wpf_options", "no", use_wpf_options),
	KEY_ENUM("webhook", "async", async_names, "param", webhook_async),
	KEY_PARSED("queue", "dir", K_STR, "/var/spool/mautic-wp", queue_dir,
		   cfg_value_path, ABS_PATH),
	KEY_U64("queue", "max_jobs", 1, 10000000, "100000", queue_max_jobs),
	KEY_BOOL("queue", "on_failure", "yes", queue_on_failure),
	KEY_U64("queue", "max_attempts", 1, 1000, "50", queue_max_attempts),
	KEY_BOOL("queue", "journal", "yes", queue_journal),
	KEY_ENUM("mail", "transport", mail_names, "sendmail", mail_transport),
	KEY_PARSED("mail", "sendmail", K_STR, "/usr/sbin/sendmail", sendmail,
		   cfg_value_path, ABS_PATH),
	KEY_PARSED("mail", "smtp_url", K_STR, "smtp://127.0.0.1:25", smtp_url,
		   cfg_value_smtp_url,
		   "must be smtp:// or smtps:// and a host"),
	KEY_PARSED("mail", "from", K_STR, NULL, mail_from, cfg_value_mail_from,
		   "must be an address, or a name and <address>"),
	KEY_PARSED(
		"cache", "redis", K_SECRET, NULL, redis, cfg_value_redis,
		"must be redis://[[user]:password@]host[:port][/db] or unix:///path[?db=N]"),
	KEY_STR("cache", "redis_prefix", NULL, redis_prefix),
	KEY_BOOL("events", "outbox", "yes", events_outbox),
	KEY_BOOL("events", "unchanged", "yes", events_unchanged),
	KEY_U64("events", "max_age_days", 1, 3650, "7", events_max_age_days),
	KEY_PARSED("events", "ping_url", K_STR, NULL, events_ping_url,
		   cfg_value_http_url,
		   "must be an http:// or https:// URL with a host"),
	KEY_ENUM("log", "level", level_names, "info", log_level),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NKEYS <= CFG_KEYS_MAX, "raise CFG_KEYS_MAX");

/* WP Fusion's default mapping, used when the file has no [fields]. */
static const char *const default_fields[][2] = {
	{"user_email", "email"},
	{"first_name", "firstname"},
	{"last_name", "lastname"},
};

struct loader {
	struct cfg *cfg;
	FILE *fp;
	unsigned line;	  /* line being parsed */
	const char *bad;  /* reader refused the line: why */
	bool seen[NKEYS]; /* for duplicates */
	bool have_fields; /* a [fields] section exists */
	char *err;	  /* caller's buffer */
	size_t errsz;
	bool failed;
};

static void fail(struct loader *ld, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fail(struct loader *ld, const char *key, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (ld->failed)
		return;
	ld->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ld->line > 0)
		snprintf(ld->err, ld->errsz, "%s:%u: %s: %s", ld->cfg->path,
			 ld->line, key, msg);
	else
		snprintf(ld->err, ld->errsz, "%s: %s: %s", ld->cfg->path, key,
			 msg);
}

static char **
str_slot(struct cfg *cfg, const struct key *k)
{
	return (char **)(void *)((char *)cfg + k->off);
}

static bool
is_ident(const char *s, size_t max, const char *extra)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' ||
		      (extra != NULL && strchr(extra, c) != NULL)))
			return false;
	}
	return n >= 1 && n <= max;
}

static bool
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1", NULL};
	static const char *const no[] = {"no", "false", "off", "0", "", NULL};
	size_t i, len = strlen(v);

	for (i = 0; yes[i] != NULL; i++)
		if (str_ieq(v, len, yes[i])) {
			*out = true;
			return true;
		}
	for (i = 0; no[i] != NULL; i++)
		if (str_ieq(v, len, no[i])) {
			*out = false;
			return true;
		}
	return false;
}

/* "a, b, c" for an error message; static storage. */
static const char *
enum_list(const struct key *k)
{
	static char list[80];
	size_t i, o = 0;

	list[0] = '\0';
	for (i = 0; k->names[i] != NULL && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s",
				      i ? ", " : "", k->names[i]);
	return list;
}

/* Run k's parser on the value just stored; false after fail(). */
static bool
parse_value(struct loader *ld, const struct key *k, const char *v)
{
	enum mw_err rc;

	if (k->parse == NULL || v == NULL)
		return true;
	rc = k->parse(ld->cfg, v);
	if (rc == MW_OK)
		return true;
	fail(ld, k->name, "%s", rc == MW_ENOMEM ? "out of memory" : k->expect);
	return false;
}

/* Store one value of key k; returns false (after fail()) when invalid. */
static bool
set_value(struct loader *ld, const struct key *k, const char *v)
{
	struct cfg *cfg = ld->cfg;
	void *slot = (char *)cfg + k->off;
	size_t i;
	uint64_t u;
	bool b;

	switch (k->type) {
	case K_STR:
	case K_SECRET:
	case K_IGNORED:
		if (*str_slot(cfg, k) != NULL) {
			if (k->type == K_SECRET)
				explicit_bzero(*str_slot(cfg, k),
					       strlen(*str_slot(cfg, k)));
			free(*str_slot(cfg, k));
			*str_slot(cfg, k) = NULL;
		}
		if (v[0] == '\0' && k->def == NULL)
			return true;
		*str_slot(cfg, k) = strdup(v[0] != '\0' ? v : k->def);
		if (*str_slot(cfg, k) == NULL) {
			fail(ld, k->name, "out of memory");
			return false;
		}
		return parse_value(ld, k, *str_slot(cfg, k));
	case K_U64:
		if (str_u64(v, strlen(v), k->min, k->max, &u) != MW_OK) {
			fail(ld, k->name,
			     "must be a whole number from %llu to %llu",
			     (unsigned long long)k->min,
			     (unsigned long long)k->max);
			return false;
		}
		*(uint64_t *)slot = u;
		return true;
	case K_ENUM:
		for (i = 0; k->names[i] != NULL; i++)
			if (strcmp(v, k->names[i]) == 0) {
				*(int *)slot = (int)i;
				return true;
			}
		fail(ld, k->name, "unknown value (allowed: %s)", enum_list(k));
		return false;
	case K_BOOL:
		if (!parse_bool(v, &b)) {
			fail(ld, k->name, "must be yes or no");
			return false;
		}
		*(bool *)slot = b;
		return true;
	}
	return false;
}

static int
add_field(struct loader *ld, const char *name, const char *value)
{
	struct cfg *cfg = ld->cfg;
	size_t i;

	if (!is_ident(name, 64, "-")) {
		fail(ld, name,
		     "[fields] key must be a WordPress field or meta key ([A-Za-z0-9_-], at most 64)");
		return 0;
	}
	if (!is_ident(value, 64, NULL)) {
		fail(ld, name,
		     "value must be a Mautic field alias ([A-Za-z0-9_], at most 64)");
		return 0;
	}
	for (i = 0; i < cfg->nfields; i++)
		if (strcmp(cfg->fields[i].wp, name) == 0) {
			fail(ld, name, "duplicate key in [fields]");
			return 0;
		}
	if (cfg->nfields == CFG_FIELDS_MAX) {
		fail(ld, name, "too many [fields] (at most %d)",
		     CFG_FIELDS_MAX);
		return 0;
	}
	cfg->fields[cfg->nfields].wp = strdup(name);
	cfg->fields[cfg->nfields].mautic = strdup(value);
	cfg->nfields++;
	if (cfg->fields[cfg->nfields - 1].wp == NULL ||
	    cfg->fields[cfg->nfields - 1].mautic == NULL) {
		fail(ld, name, "out of memory");
		return 0;
	}
	return 1;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct loader *ld = user;
	size_t i;

	if (ld->failed)
		return 0;
	if (!utf8_is_valid(value, strlen(value), UTF8_NO_CTRL)) {
		fail(ld, name, "value has control characters or invalid UTF-8");
		return 0;
	}
	if (strcmp(section, "fields") == 0) {
		ld->have_fields = true;
		return add_field(ld, name, value);
	}
	for (i = 0; i < NKEYS; i++) {
		if (strcmp(keys[i].section, section) != 0 ||
		    strcmp(keys[i].name, name) != 0)
			continue;
		if (ld->seen[i]) {
			fail(ld, name, "duplicate key in [%s]", section);
			return 0;
		}
		ld->seen[i] = true;
		return set_value(ld, &keys[i], value) ? 1 : 0;
	}
	fail(ld, name, "unknown key in [%s]", section);
	return 0;
}

/* inih's line reader, stricter: counts lines, and stops at what inih would
 * misread: lines it would split (too long), NUL bytes, continuation lines
 * and section headers without "]". */
static char *
reader(char *str, int num, void *stream)
{
	struct loader *ld = stream;
	size_t n = 0, i;
	int c = EOF;

	if (ld->failed || ld->bad != NULL)
		return NULL;
	while (n + 1 < (size_t)num && (c = getc(ld->fp)) != EOF) {
		if (c == '\0') {
			ld->bad = "has a NUL byte";
			break;
		}
		str[n++] = (char)c;
		if (c == '\n')
			break;
	}
	if (n == 0 && c == EOF)
		return NULL;
	ld->line++;
	str[n] = '\0';
	if (ld->bad == NULL && n + 1 == (size_t)num && str[n - 1] != '\n' &&
	    (c = getc(ld->fp)) != EOF && c != '\n') {
		ungetc(c, ld->fp);
		ld->bad = "is too long";
	}
	for (i = 0; str[i] == ' ' || str[i] == '\t'; i++)
		;
	if (ld->bad == NULL && i > 0 && str[i] != '\0' && str[i] != '\n' &&
	    str[i] != '\r' && str[i] != ';' && str[i] != '#')
		ld->bad =
			"starts with blanks (continuation lines are not supported)";
	if (ld->bad == NULL && str[i] == '[' && strchr(str, ']') == NULL)
		ld->bad = "opens a [section] without ]";
	return ld->bad != NULL ? NULL : str;
}

static bool
apply_defaults(struct loader *ld)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (ld->seen[i] || keys[i].def == NULL)
			continue;
		if (!set_value(ld, &keys[i], keys[i].def))
			return false;
	}
	ld->cfg->fields_default = !ld->have_fields;
	if (!ld->have_fields) {
		for (i = 0;
		     i < sizeof(default_fields) / sizeof(default_fields[0]);
		     i++)
			if (!add_field(ld, default_fields[i][0],
				       default_fields[i][1]))
				return false;
	}
	return true;
}

static bool
require(struct loader *ld, const char *val, const char *section,
	const char *key, const char *why)
{
	if (val != NULL)
		return true;
	fail(ld, key, "required in [%s]%s", section, why);
	return false;
}

/* Replace a string key that the file did not set. */
static bool
take_str(struct loader *ld, const char *name, char **slot, const char *val)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0 && ld->seen[i])
			return true;
	if (val == NULL)
		return true;
	if (*slot != NULL) {
		explicit_bzero(*slot, strlen(*slot));
		free(*slot);
	}
	*slot = strdup(val);
	if (*slot == NULL) {
		fail(ld, name, "out of memory");
		return false;
	}
	return true;
}

static bool
file_set(const struct loader *ld, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, "wordpress") == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return ld->seen[i];
	return false;
}

/* [wordpress] wp_config: DB_NAME, DB_USER, DB_PASSWORD, DB_HOST and
 * $table_prefix from the site's own file, wherever this file is silent. */
static bool
merge_wp_config(struct loader *ld)
{
	struct cfg *c = ld->cfg;
	struct wpconfig w;
	char err[CFG_ERRMSG_MAX];
	unsigned need = 0;
	bool ok;

	if (wpconfig_read(c->wp_config, &w, err, sizeof(err)) != MW_OK) {
		fail(ld, "wp_config", "%s: %s", c->wp_config, err);
		return false;
	}
	if (!file_set(ld, "db_name"))
		need |= WPCONFIG_NEED(WPCONFIG_DB_NAME);
	if (!file_set(ld, "db_user"))
		need |= WPCONFIG_NEED(WPCONFIG_DB_USER);
	if (!file_set(ld, "db_password"))
		need |= WPCONFIG_NEED(WPCONFIG_DB_PASSWORD);
	/* Absent, DB_HOST and $table_prefix have WordPress's defaults; set
	 * in a form we cannot read, guessing would write to the wrong
	 * server or tables. */
	if (!file_set(ld, "db_host") && w.why[WPCONFIG_DB_HOST][0] != '\0')
		need |= WPCONFIG_NEED(WPCONFIG_DB_HOST);
	if (!file_set(ld, "table_prefix") &&
	    w.why[WPCONFIG_TABLE_PREFIX][0] != '\0')
		need |= WPCONFIG_NEED(WPCONFIG_TABLE_PREFIX);
	if (wpconfig_check(&w, need, err, sizeof(err)) != MW_OK) {
		fail(ld, "wp_config", "%s: %s", c->wp_config, err);
		wpconfig_free(&w);
		return false;
	}
	ok = take_str(ld, "db_name", &c->db_name, w.db_name) &&
	     take_str(ld, "db_user", &c->db_user, w.db_user) &&
	     take_str(ld, "db_password", &c->db_password, w.db_password) &&
	     take_str(ld, "table_prefix", &c->table_prefix, w.table_prefix);
	/* DB_HOST: host, host:port, host:/socket, :/socket. */
	if (ok && w.db_host != NULL && !file_set(ld, "db_host")) {
		ok = take_str(ld, "db_host", &c->db_host,
			      w.host != NULL && w.socket == NULL ? w.host
								 : "localhost");
		if (ok && w.socket != NULL)
			ok = take_str(ld, "db_socket", &c->db_socket, w.socket);
		if (w.port != 0 && !file_set(ld, "db_port"))
			c->db_port = w.port;
	}
	/* WP Fusion's constants and WordPress's own, when the file has them. */
	if (w.wpf_staging != NULL)
		c->wpf.const_staging = strcmp(w.wpf_staging, "true") == 0;
	c->wpf.const_prefix_keys = w.wpf_prefix_keys != NULL &&
				   strcmp(w.wpf_prefix_keys, "true") == 0;
	c->wpf.multisite =
		w.multisite != NULL && strcmp(w.multisite, "true") == 0;
	if (ok && w.wp_siteurl != NULL) {
		c->wpf.wp_siteurl = strdup(w.wp_siteurl);
		ok = c->wpf.wp_siteurl != NULL;
	}
	wpconfig_free(&w);
	return ok;
}

/* db_host lists servers we can parse (db_port gives the default port, so
 * this waits for the whole file). */
static bool
db_hosts_valid(const struct cfg *c)
{
	struct cfg_db_host h[CFG_DB_HOSTS_MAX];
	size_t n;

	return cfg_db_hosts(c, h, CFG_DB_HOSTS_MAX, &n) == MW_OK;
}

/* Checks that span several keys, after the whole file was read. */
static bool
validate(struct loader *ld)
{
	struct cfg *c = ld->cfg;

	ld->line = 0;
	if (c->wp_config != NULL && !merge_wp_config(ld))
		return false;
	if (!require(ld, c->db_name, "wordpress", "db_name", "") ||
	    !require(ld, c->db_user, "wordpress", "db_user", ""))
		return false;
	if (!is_ident(c->table_prefix, CFG_PREFIX_MAX, NULL)) {
		fail(ld, "table_prefix", "must match [A-Za-z0-9_]{1,32}");
		return false;
	}
	if (!db_hosts_valid(c)) {
		fail(ld, "db_host",
		     "must be host or host:port, or up to %d of them separated by commas",
		     CFG_DB_HOSTS_MAX);
		return false;
	}
	if (c->mail_transport == CFG_MAIL_WORDPRESS && !c->events_outbox) {
		fail(ld, "transport",
		     "wordpress needs [events] outbox = yes (the mu-plugin sends the mail)");
		return false;
	}
	cfg_wpf_derive(c);
	return c->use_wpf_options ||
	       cfg_complete(c, ld->err, ld->errsz) == MW_OK;
}

void
cfg_wpf_derive(struct cfg *c)
{
	struct cfg_wpf *f = &c->wpf;
	char prefix[CFG_PREFIX_MAX + 24];

	f->multisite = f->multisite || c->blog_id > 1;
	f->prefix_keys = f->prefix_keys || f->const_prefix_keys;
	/* WP Fusion prefixes with $wpdb->get_blog_prefix(): the base prefix
	 * for blog 1 (and on a single site), wp_N_ for blog N. */
	if (c->blog_id > 1)
		snprintf(prefix, sizeof(prefix), "%s%llu_", c->table_prefix,
			 (unsigned long long)c->blog_id);
	else
		snprintf(prefix, sizeof(prefix), "%s",
			 c->table_prefix != NULL ? c->table_prefix : "");
	snprintf(f->contact_key, sizeof(f->contact_key), "%smautic_contact_id",
		 f->prefix_keys ? prefix : "");
	snprintf(f->tags_key, sizeof(f->tags_key), "%smautic_tags",
		 f->prefix_keys ? prefix : "");
	if (f->const_staging == 1 && !f->staging) {
		f->staging = true;
		snprintf(f->staging_why, sizeof(f->staging_why),
			 "WPF_STAGING_MODE is true in wp-config.php");
	}
}

/* The error text of cfg_complete(). */
static enum mw_err
incomplete(const struct cfg *c, char *err, size_t errsz, const char *key,
	   const char *what)
{
	snprintf(
		err, errsz, "%s: %s: %s%s", c->path, key, what,
		c->use_wpf_options
			? " (neither in the file nor in WP Fusion's wpf_options)"
			: "");
	return MW_ECONFIG;
}

/* The credentials each [mautic] auth needs, by row of keys[]. */
static const struct {
	enum cfg_auth auth; /* when [mautic] auth is this */
	const char *name;   /* [mautic] key */
	size_t off;	    /* its char * in struct cfg */
} auth_needs[] = {
	{CFG_AUTH_BASIC, "username", OFF(username)},
	{CFG_AUTH_BASIC, "password", OFF(password)},
	{CFG_AUTH_OAUTH2, "client_id", OFF(client_id)},
	{CFG_AUTH_OAUTH2, "client_secret", OFF(client_secret)},
	{CFG_AUTH_OAUTH2, "token_cache", OFF(token_cache)},
};

enum mw_err
cfg_complete(struct cfg *c, char *err, size_t errsz)
{
	char why[80];
	size_t n, i;

	if (c->mautic_url == NULL)
		return incomplete(c, err, errsz, "url", "required in [mautic]");
	if (c->access_key == NULL)
		return incomplete(c, err, errsz, "access_key",
				  "required in [webhook]");
	if (strncmp(c->mautic_url, "https://", 8) != 0 ||
	    strcspn(c->mautic_url + 8, "/?#") == 0 ||
	    strpbrk(c->mautic_url, " \t\\") != NULL)
		return incomplete(c, err, errsz, "url",
				  "must be an https:// URL with a host");
	while ((n = strlen(c->mautic_url)) > 0 && c->mautic_url[n - 1] == '/')
		c->mautic_url[n - 1] = '\0';
	if (strlen(c->access_key) < 8)
		return incomplete(c, err, errsz, "access_key",
				  "must be at least 8 characters");
	for (i = 0; i < sizeof(auth_needs) / sizeof(auth_needs[0]); i++) {
		if (c->auth != auth_needs[i].auth ||
		    *(char **)(void *)((char *)c + auth_needs[i].off) != NULL)
			continue;
		snprintf(why, sizeof(why),
			 "required in [mautic] with auth = %s",
			 auth_names[c->auth]);
		return incomplete(c, err, errsz, auth_needs[i].name, why);
	}
	return MW_OK;
}

bool
cfg_is_set(const struct cfg *cfg, const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return cfg->set[i];
	return false;
}

/* Open the file and refuse one that others may read or write. */
static FILE *
open_private(struct loader *ld, const char *path)
{
	struct stat st;
	int fd;
	FILE *fp;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fail(ld, "file", "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fail(ld, "file", "not a regular file");
		close(fd);
		return NULL;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		fail(ld, "file",
		     "other users can read or write it (mode %04o); use chmod 0640 and chown root:www-data",
		     (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	fp = fdopen(fd, "r");
	if (fp == NULL) {
		fail(ld, "file", "cannot read: %s", strerror(errno));
		close(fd);
	}
	return fp;
}

enum mw_err
cfg_load(const char *path, struct cfg *cfg, char *errbuf, size_t errsz)
{
	struct loader ld;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	cfg->wpf.const_staging = -1;
	memset(&ld, 0, sizeof(ld));
	ld.cfg = cfg;
	ld.err = errbuf;
	ld.errsz = errsz;
	if (errsz > 0)
		errbuf[0] = '\0';
	cfg->path = strdup(path);
	if (cfg->path == NULL) {
		snprintf(errbuf, errsz, "%s: out of memory", path);
		return MW_ECONFIG;
	}
	ld.fp = open_private(&ld, path);
	if (ld.fp == NULL)
		return MW_ECONFIG;
	r = ini_parse_stream(reader, &ld, handler, &ld);
	fclose(ld.fp);
	if (ld.bad != NULL) {
		fail(&ld, "line", "%s (lines hold at most %d bytes)", ld.bad,
		     INI_MAX_LINE - 1);
	} else if (r > 0) {
		ld.line = (unsigned)r;
		fail(&ld, "line",
		     "syntax error (expected [section] or key = value)");
	} else if (r < 0)
		fail(&ld, "file", "cannot parse (error %d)", r);
	memcpy(cfg->set, ld.seen, sizeof(ld.seen));
	if (ld.failed || !apply_defaults(&ld) || !validate(&ld))
		return MW_ECONFIG;
	return MW_OK;
}

const char *
cfg_default_path(void)
{
	const char *p = getenv("MAUTIC_WP_CONFIG");

	return p != NULL && p[0] != '\0' ? p : MW_CONFIG_PATH;
}

const char *
cfg_field_alias(const struct cfg *cfg, const char *wp_key)
{
	size_t i;

	for (i = 0; i < cfg->nfields; i++)
		if (strcmp(cfg->fields[i].wp, wp_key) == 0)
			return cfg->fields[i].mautic;
	return NULL;
}

void
cfg_free(struct cfg *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		char **p;

		if (keys[i].type != K_STR && keys[i].type != K_SECRET &&
		    keys[i].type != K_IGNORED)
			continue;
		p = str_slot(cfg, &keys[i]);
		if (*p != NULL && keys[i].type == K_SECRET)
			explicit_bzero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
	for (i = 0; i < cfg->nfields; i++) {
		free(cfg->fields[i].wp);
		free(cfg->fields[i].mautic);
	}
	cfg_redis_free(&cfg->redis_url);
	free(cfg->wpf.wp_siteurl);
	free(cfg->wpf.available_tags);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}
