/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.h - the INI configuration, loaded once per process through
 * libinih and a declarative key table.  Every value is checked, and parsed
 * where it has a structure, by cfg_load(): a bad value is a configuration
 * error with its file, line and key, never a failure halfway through a
 * request.
 */
#ifndef MW_CONFIG_H
#define MW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define CFG_PREFIX_MAX 32  /* table_prefix: [A-Za-z0-9_]{1,32} */
#define CFG_FIELDS_MAX 64  /* entries in [fields] */
#define CFG_VALUE_MAX 190  /* longest value on one line */
#define CFG_ERRMSG_MAX 256 /* size of the caller's error buffer */
#define CFG_KEYS_MAX 64	   /* keys outside [fields] */

enum cfg_auth { CFG_AUTH_BASIC, CFG_AUTH_OAUTH2 };
enum cfg_hash { CFG_HASH_AUTO, CFG_HASH_PHPASS, CFG_HASH_BCRYPT };
enum cfg_uname { CFG_UNAME_EMAIL, CFG_UNAME_FLNAME, CFG_UNAME_FNAMENUM };
enum cfg_mail { CFG_MAIL_SENDMAIL, CFG_MAIL_SMTP, CFG_MAIL_WORDPRESS };
enum cfg_async { CFG_ASYNC_PARAM, CFG_ASYNC_ALWAYS, CFG_ASYNC_NEVER };

/* A field's type in WP Fusion's contact_fields: how its value is
 * imported.  Fields of [fields] in the file are text. */
enum cfg_ftype {
	CFG_FT_TEXT,  /* sanitize_text_field(); an empty value is skipped */
	CFG_FT_RAW,   /* as it comes; an empty value clears the meta */
	CFG_FT_DATE,  /* text on import; Y-m-d when sent to Mautic */
	CFG_FT_OTHER, /* any other type: imported as text */
};

/* One [fields] row: WordPress field or meta key <- Mautic field alias. */
struct cfg_field {
	char *wp;	     /* owned: user_email, first_name, any meta key */
	char *mautic;	     /* owned: Mautic contact field alias */
	enum cfg_ftype type; /* from WP Fusion's contact_fields */
	bool pseudo;	     /* never written (user_id, user_registered):
			      * only sent to Mautic */
};

#define CFG_META_KEY_MAX 96 /* a derived usermeta key, NUL included */

/* WP Fusion's settings that decide where data goes: from its wpf_options
 * row (use_wpf_options) and wp-config.php's constants (wp_config). */
struct cfg_wpf {
	int const_staging;	/* WPF_STAGING_MODE: -1 undefined, 0 false,
				 * 1 true */
	bool const_prefix_keys; /* WPF_MULTISITE_PREFIX_KEYS is true */
	char *wp_siteurl;	/* WP_SITEURL, owned, or NULL */
	bool multisite;		/* MULTISITE is true, or blog_id > 1 */
	bool staging;		/* a staging copy: no Mautic call, no write */
	char staging_why[200];	/* which signal said so */
	bool prefix_keys;	/* multisite_prefix_keys: blog-prefixed keys */
	char contact_key[CFG_META_KEY_MAX]; /* mautic_contact_id or
					     * wp_2_mautic_contact_id */
	char tags_key[CFG_META_KEY_MAX];    /* mautic_tags or wp_2_... */
	char *available_tags;		    /* wpf_available_tags as read with
					     * wpf_options (owned), or NULL */
	size_t available_tags_len;	    /* its length */
};

/* [cache] redis, parsed: where the object cache is.  Strings owned. */
struct cfg_redis {
	char *host;	/* host name or address, or the socket path; NULL
			 * when no cache is configured */
	bool unix_sock; /* host is a unix socket path */
	unsigned port;	/* TCP port */
	uint64_t db;	/* SELECT index, 0 = none */
	char *user;	/* ACL user for AUTH, NULL = the default user */
	char *pass;	/* AUTH password (a secret), NULL = no AUTH */
};

#define CFG_DB_HOSTS_MAX 8  /* hosts one db_host may list */
#define CFG_DB_HOST_LEN 255 /* bytes of one host name */

/* One database server of [wordpress] db_host. */
struct cfg_db_host {
	char host[CFG_DB_HOST_LEN + 1]; /* name or address; "localhost" alone
					 * means the socket */
	unsigned port;			/* TCP port (db_port by default) */
};

/* Every char * member is owned and NULL when the key is unset. */
struct cfg {
	char *path; /* the file this came from */

	/* [wordpress] */
	char *db_host;		     /* "localhost" means the socket; or
				      * host[:port], ... (cfg_db_hosts) */
	uint64_t db_port;	     /* TCP port */
	char *db_socket;	     /* unix socket path */
	char *db_name;		     /* database */
	char *db_user;		     /* user */
	char *db_password;	     /* secret */
	char *table_prefix;	     /* validated [A-Za-z0-9_]{1,32} */
	char *wp_config;	     /* optional path of wp-config.php */
	uint64_t blog_id;	     /* multisite blog a new user joins */
	enum cfg_hash password_hash; /* auto | phpass | bcrypt */
	char *site_url;		     /* for links in e-mails */
	char *site_name;	     /* for e-mail subjects */

	/* [mautic] */
	char *mautic_url;      /* base URL, no trailing slash */
	enum cfg_auth auth;    /* basic | oauth2 */
	char *username;	       /* basic */
	char *password;	       /* basic; secret */
	char *client_id;       /* oauth2 */
	char *client_secret;   /* oauth2; secret */
	char *token_cache;     /* oauth2 token file */
	char *ca_file;	       /* optional CA bundle */
	uint64_t timeout_ms;   /* budget for all Mautic calls */
	uint64_t max_parallel; /* Mautic requests at once, host-wide */

	/* [webhook] */
	char *access_key;    /* secret */
	char *secret;	     /* global webhook HMAC secret */
	char *allowed_roles; /* comma list, NULL = non-admin roles */
	enum cfg_uname username_format;
	char *return_password_field; /* Mautic alias or NULL */
	bool send_welcome_email;
	bool use_wpf_options;
	enum cfg_async webhook_async; /* param | always | never */

	/* [queue] */
	char *queue_dir;	     /* the spool directory */
	uint64_t queue_max_jobs;     /* jobs it may hold */
	bool queue_on_failure;	     /* queue transient failures */
	uint64_t queue_max_attempts; /* runs before a dead letter */
	bool queue_journal;	     /* jobs into the journal's slots */

	/* [fields] */
	struct cfg_field fields[CFG_FIELDS_MAX]; /* in file order */
	size_t nfields;

	/* [mail] */
	enum cfg_mail mail_transport;
	char *sendmail;
	char *smtp_url;
	char *mail_from;

	/* [cache] */
	char *redis;		    /* the URL as written (secret) */
	struct cfg_redis redis_url; /* the same, parsed */
	char *redis_prefix;	    /* WP_REDIS_PREFIX, the keys' salt */

	/* [events] */
	bool events_outbox;	      /* record each change in the outbox */
	bool events_unchanged;	      /* a tag load that changes nothing too */
	uint64_t events_max_age_days; /* undelivered events kept this long */
	char *events_ping_url;	      /* where the drain is pinged, or NULL:
				       * site_url's wp-cron.php */

	/* [log] */
	int log_level; /* enum log_level */

	/* WP Fusion's settings */
	struct cfg_wpf wpf;

	/* bookkeeping */
	bool set[CFG_KEYS_MAX]; /* key given in the file, by table row */
	bool fields_default;	/* [fields] absent: WP Fusion's defaults */
};

/* Load and validate the file at path into *cfg (release with cfg_free, also
 * on error).  Refuses a file that others can read or write, unknown,
 * duplicate, missing and out-of-range keys.  On failure returns MW_ECONFIG
 * and writes "file:line: key: problem" into errbuf (CFG_ERRMSG_MAX bytes). */
enum mw_err cfg_load(const char *path, struct cfg *cfg /* OUT */, char *errbuf,
		     size_t errsz) MW_MUST_CHECK;

/* True when the file itself set [section] name (not a default). */
bool cfg_is_set(const struct cfg *cfg, const char *section, const char *name);

/* The checks that need every source merged: the access key, the Mautic
 * URL and credentials.  cfg_load() runs them unless use_wpf_options
 * defers them until WP Fusion's settings are applied.  Normalises the
 * Mautic URL.  MW_ECONFIG with "file: key: problem" in err. */
enum mw_err cfg_complete(struct cfg *cfg, char *err,
			 size_t errsz) MW_MUST_CHECK;

/* Derive cfg->wpf's keys and multisite flag from the blog, the prefix
 * and the settings gathered so far; cfg_load() and wpfopts_apply() call
 * it last. */
void cfg_wpf_derive(struct cfg *cfg);

/* The path to use: MAUTIC_WP_CONFIG when set and non-empty, else the
 * compiled-in default.  Borrowed. */
const char *cfg_default_path(void);

/* The Mautic alias mapped to a WordPress key, or NULL.  Borrowed. */
const char *cfg_field_alias(const struct cfg *cfg, const char *wp_key);

/* Parse a [cache] redis URL: redis://[[user]:password@]host[:port][/db]
 * (user and password percent-decoded, port 6379 by default, db 0 = no
 * SELECT) or unix:[//]/path[?db=N&password=P].  On MW_OK *out owns the
 * parts (release with cfg_redis_free); MW_EINPUT for anything else, with
 * *out untouched, MW_ENOMEM. */
enum mw_err cfg_redis_parse(const char *url,
			    struct cfg_redis *out /* OUT */) MW_MUST_CHECK;

/* The servers of db_host in the order given: one "host" or "host:port"
 * (a port given wins over db_port), or several separated by commas, each
 * possibly "[v6-address]:port".  MW_EINPUT when an entry is empty or
 * malformed, a port is out of range, or there are more than max. */
enum mw_err cfg_db_hosts(const struct cfg *cfg, struct cfg_db_host *out,
			 size_t max, size_t *n /* OUT */) MW_MUST_CHECK;

/* Wipe the password and release.  NULL is fine. */
void cfg_redis_free(struct cfg_redis *r);

/* Wipe secrets and release everything.  NULL is fine. */
void cfg_free(struct cfg *cfg);

#endif
