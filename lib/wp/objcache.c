/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * objcache.c - DEL the Redis Object Cache keys of the users a request
 * changed.  The keys are built first (objcache_keys, no I/O), then one
 * short-lived connection to the server cfg_load() parsed from [cache]
 * redis sends AUTH / SELECT when the URL asks for them and one DEL.  No
 * value is ever written: the plugin stores PHP serialize() or igbinary
 * blobs.
 */
#include "wp/objcache.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "base/log.h"
#include "base/strparse.h"

#define OC_TIMEOUT_S 1	      /* connect and per-command timeout */
#define OC_PORT_DEFAULT 6379u /* redis:// without a port */
#define OC_DB_MAX 2147483647u /* SELECT index (Redis: an int) */
#define OC_URL_MAX 512	      /* longest [cache] redis we accept */
#define OC_ID_MAX 24	      /* digits of a uint64_t plus NUL */
#define OC_PREFIX_TRIM "_-:$" /* Redis Object Cache trims the prefix */

/* The cache groups we touch.  Global groups are shared by every blog of a
 * multisite network (wp_start_object_cache). */
enum group {
	G_USERS,
	G_USER_META,
	G_USERLOGINS,
	G_USEREMAIL,
	G_USERSLUGS,
	G_OPTIONS,
	G_SITE_OPTIONS,
	G__MAX
};

static const struct {
	const char *name; /* group as WordPress names it */
	bool global;	  /* in wp_cache_add_global_groups() */
} groups[G__MAX] = {
	{"users", true},	/* G_USERS */
	{"user_meta", true},	/* G_USER_META */
	{"userlogins", true},	/* G_USERLOGINS */
	{"useremail", true},	/* G_USEREMAIL */
	{"userslugs", true},	/* G_USERSLUGS */
	{"options", false},	/* G_OPTIONS */
	{"site-options", true}, /* G_SITE_OPTIONS: network options */
};

/* The parts every key starts with, borrowed from cfg or held here. */
struct naming {
	const char *salt;	/* trimmed [cache] redis_prefix (borrowed) */
	size_t saltlen;		/* its length */
	const char *global;	/* prefix of global groups (borrowed) */
	size_t globallen;	/* its length */
	const char *blog;	/* prefix of blog groups (borrowed) */
	size_t bloglen;		/* its length */
	char blogid[OC_ID_MAX]; /* multisite: the blog id, blog points here */
};

/* A growing list of owned key strings. */
struct keyset {
	char **v;   /* owned strings, owned array */
	size_t n;   /* used */
	size_t cap; /* allocated */
};

/* ---- key names ------------------------------------------------------- */

/* A multisite network: MULTISITE in wp-config.php, or a blog above 1. */
static bool
multisite(const struct cfg *cfg)
{
	return cfg->wpf.multisite || cfg->blog_id > 1;
}

/* Salt and prefixes as Redis Object Cache's fast_build_key() computes
 * them: single site both prefixes are table_prefix; on any blog of a
 * multisite network, the main site (blog 1) included, global groups get
 * "" and blog groups the blog id. */
static void
naming_init(const struct cfg *cfg, struct naming *nm)
{
	nm->salt = cfg->redis_prefix != NULL ? cfg->redis_prefix : "";
	nm->saltlen = strlen(nm->salt);
	str_php_trim(&nm->salt, &nm->saltlen);
	if (multisite(cfg)) {
		nm->global = "";
		nm->globallen = 0;
		snprintf(nm->blogid, sizeof(nm->blogid), "%llu",
			 (unsigned long long)cfg->blog_id);
		nm->blog = nm->blogid;
		nm->bloglen = strlen(nm->blogid);
		return;
	}
	nm->global = cfg->table_prefix != NULL ? cfg->table_prefix : "";
	nm->globallen = strlen(nm->global);
	str_trim_set(&nm->global, &nm->globallen, OC_PREFIX_TRIM,
		     strlen(OC_PREFIX_TRIM));
	nm->blog = nm->global;
	nm->bloglen = nm->globallen;
}

/* Copy s[0..len) to out with ':' replaced by '-' (sanitize_key_part);
 * returns the end of the copy. */
static char *
put_part(char *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = s[i] == ':' ? '-' : s[i];
	return out + len;
}

/* Append "{salt}{prefix}:{group}:{key}" to ks.  A NULL or empty key adds
 * nothing (WordPress never caches under an empty login, e-mail or slug). */
static enum mw_err
add_key(struct keyset *ks, const struct naming *nm, enum group g,
	const char *key)
{
	const char *pre = groups[g].global ? nm->global : nm->blog;
	size_t prelen = groups[g].global ? nm->globallen : nm->bloglen;
	size_t glen = strlen(groups[g].name), klen, total;
	char *s, *p, **v;

	if (key == NULL || key[0] == '\0')
		return MW_OK;
	klen = strlen(key);
	if (klen > SIZE_MAX / 2)
		return MW_ENOMEM;
	total = nm->saltlen + prelen + 1 + glen + 1 + klen + 1;
	if (ks->n == ks->cap) {
		size_t cap = ks->cap != 0 ? ks->cap * 2 : 16;

		v = reallocarray(ks->v, cap, sizeof(*v));
		if (v == NULL)
			return MW_ENOMEM;
		ks->v = v;
		ks->cap = cap;
	}
	if ((s = malloc(total)) == NULL)
		return MW_ENOMEM;
	/* Salt and prefix go in as they are; only group and key are
	 * sanitized (fast_build_key, sanitize_key_part). */
	memcpy(s, nm->salt, nm->saltlen);
	memcpy(s + nm->saltlen, pre, prelen);
	p = s + nm->saltlen + prelen;
	*p++ = ':';
	p = put_part(p, groups[g].name, glen);
	*p++ = ':';
	p = put_part(p, key, klen);
	*p = '\0';
	ks->v[ks->n++] = s;
	return MW_OK;
}

/* The keys of one user, in a fixed order. */
static enum mw_err
add_user(struct keyset *ks, const struct naming *nm,
	 const struct objcache_user *u)
{
	char id[OC_ID_MAX] = "";
	enum mw_err rc = MW_OK;

	/* ID 0 is no user: only the name keys can be dropped. */
	if (u->id != 0)
		snprintf(id, sizeof(id), "%llu", (unsigned long long)u->id);
	if (rc == MW_OK)
		rc = add_key(ks, nm, G_USERS, id);
	if (rc == MW_OK)
		rc = add_key(ks, nm, G_USER_META, id);
	if (rc == MW_OK)
		rc = add_key(ks, nm, G_USERLOGINS, u->login);
	if (rc == MW_OK)
		rc = add_key(ks, nm, G_USEREMAIL, u->email);
	if (rc == MW_OK)
		rc = add_key(ks, nm, G_USEREMAIL, u->old_email);
	if (rc == MW_OK)
		rc = add_key(ks, nm, G_USERSLUGS, u->nicename);
	if (rc == MW_OK)
		rc = add_key(ks, nm, G_USERSLUGS, u->old_nicename);
	return rc;
}

/* A key and where it was made, for the sort in dedup(). */
struct ref {
	const char *s; /* borrowed from the keyset */
	size_t i;      /* its index */
};

static int
cmp_ref(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	if (c != 0)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Drop repeated keys, keeping each first occurrence in place.  Sorting
 * keeps this O(n log n) for a large batch of contacts. */
static enum mw_err
dedup(struct keyset *ks)
{
	struct ref *r;
	size_t i, o;

	if (ks->n < 2)
		return MW_OK;
	if ((r = reallocarray(NULL, ks->n, sizeof(*r))) == NULL)
		return MW_ENOMEM;
	for (i = 0; i < ks->n; i++) {
		r[i].s = ks->v[i];
		r[i].i = i;
	}
	qsort(r, ks->n, sizeof(*r), cmp_ref);
	for (i = 1; i < ks->n; i++) {
		if (strcmp(r[i].s, r[i - 1].s) == 0) {
			free(ks->v[r[i].i]);
			ks->v[r[i].i] = NULL;
			r[i].s = r[i - 1].s; /* freed: compare with the kept one
					      */
		}
	}
	free(r);
	for (i = o = 0; i < ks->n; i++)
		if (ks->v[i] != NULL)
			ks->v[o++] = ks->v[i];
	ks->n = o;
	return MW_OK;
}

static void
keyset_free(struct keyset *ks)
{
	size_t i;

	for (i = 0; i < ks->n; i++)
		free(ks->v[i]);
	free(ks->v);
	ks->v = NULL;
	ks->n = ks->cap = 0;
}

/* Per user: users:ID, user_meta:ID, userlogins:login, useremail:email and
 * the old e-mail, userslugs:nicename and the old one; then users:last_changed
 * (WordPress 6.3+ bumps it, which also retires user-queries and notuser:*),
 * and when a user was created options:user_count (autoload "no", so cached
 * alone, not in alloptions) and options:notoptions (we may have inserted
 * the option).  Duplicates are dropped, first occurrence kept. */
enum mw_err
objcache_keys(const struct cfg *cfg, const struct objcache_user *users,
	      size_t n, char ***keys, size_t *nkeys)
{
	struct keyset ks = {NULL, 0, 0};
	struct naming nm;
	enum mw_err rc = MW_OK;
	bool created = false;
	size_t i;

	if (n > 0 && users == NULL)
		return MW_EINTERNAL;
	naming_init(cfg, &nm);
	for (i = 0; rc == MW_OK && i < n; i++) {
		rc = add_user(&ks, &nm, &users[i]);
		created = created || users[i].created;
	}
	if (rc == MW_OK && n > 0)
		rc = add_key(&ks, &nm, G_USERS, "last_changed");
	/* A network keeps user_count as a network option of network 1:
	 * site-options:1:user_count (':' in a key part becomes '-'). */
	if (rc == MW_OK && created)
		rc = add_key(&ks, &nm,
			     multisite(cfg) ? G_SITE_OPTIONS : G_OPTIONS,
			     multisite(cfg) ? "1:user_count" : "user_count");
	if (rc == MW_OK && created)
		rc = add_key(&ks, &nm,
			     multisite(cfg) ? G_SITE_OPTIONS : G_OPTIONS,
			     multisite(cfg) ? "1:notoptions" : "notoptions");
	if (rc == MW_OK)
		rc = dedup(&ks);
	if (rc != MW_OK)
		goto out;
	*keys = ks.v;
	*nkeys = ks.n;
	ks.v = NULL;
	ks.n = 0;
out:
	keyset_free(&ks);
	return rc;
}

/* ---- talking to Redis ------------------------------------------------ */

/* Run one command and check its reply type.  On failure writes what went
 * wrong into err (with what, never the arguments) and returns
 * MW_EUPSTREAM.  *num gets an integer reply when num is not NULL. */
static enum mw_err
command(redisContext *c, const char *what, int argc, const char **argv,
	const size_t *argvlen, int want, long long *num, char *err,
	size_t errsz)
{
	char msg[160];
	redisReply *r = redisCommandArgv(c, argc, argv, argvlen);
	enum mw_err rc = MW_EUPSTREAM;

	if (r == NULL) {
		snprintf(err, errsz, "redis %s failed: %s", what,
			 log_sanitize(c->errstr, strlen(c->errstr), msg,
				      sizeof(msg)));
		return MW_EUPSTREAM;
	}
	if (r->type == REDIS_REPLY_ERROR)
		snprintf(err, errsz, "redis %s refused: %s", what,
			 log_sanitize(r->str, r->len, msg, sizeof(msg)));
	else if (r->type != want)
		snprintf(err, errsz, "redis %s: unexpected reply type %d", what,
			 r->type);
	else
		rc = MW_OK;
	if (rc == MW_OK && num != NULL)
		*num = r->integer;
	freeReplyObject(r);
	return rc;
}

/* AUTH [user] password, when the URL has a password. */
static enum mw_err
auth(redisContext *c, const struct cfg_redis *t, char *err, size_t errsz)
{
	const char *argv[3];
	size_t lens[3];
	int argc = 0;

	if (t->pass == NULL)
		return MW_OK;
	argv[argc] = "AUTH";
	lens[argc++] = 4;
	if (t->user != NULL) {
		argv[argc] = t->user;
		lens[argc++] = strlen(t->user);
	}
	argv[argc] = t->pass;
	lens[argc++] = strlen(t->pass);
	return command(c, "AUTH", argc, argv, lens, REDIS_REPLY_STATUS, NULL,
		       err, errsz);
}

/* SELECT db, when the URL names a database other than 0. */
static enum mw_err
select_db(redisContext *c, const struct cfg_redis *t, char *err, size_t errsz)
{
	char db[OC_ID_MAX];
	const char *argv[2] = {"SELECT", db};
	size_t lens[2] = {6, 0};

	if (t->db == 0)
		return MW_OK;
	snprintf(db, sizeof(db), "%llu", (unsigned long long)t->db);
	lens[1] = strlen(db);
	return command(c, "SELECT", 2, argv, lens, REDIS_REPLY_STATUS, NULL,
		       err, errsz);
}

/* Connect with the timeouts, then AUTH and SELECT as the URL says.  On
 * MW_OK *out is the connection (caller frees); else err says why. */
static enum mw_err
connect_to(const struct cfg_redis *t, redisContext **out, char *err,
	   size_t errsz)
{
	const struct timeval tv = {OC_TIMEOUT_S, 0};
	char msg[160];
	redisContext *c;
	enum mw_err rc = MW_OK;

	c = t->unix_sock ? redisConnectUnixWithTimeout(t->host, tv)
			 : redisConnectWithTimeout(t->host, (int)t->port, tv);
	if (c == NULL || c->err != 0) {
		snprintf(err, errsz, "cannot connect to redis: %s",
			 c == NULL ? "out of memory"
				   : log_sanitize(c->errstr, strlen(c->errstr),
						  msg, sizeof(msg)));
		redisFree(c);
		return MW_EUPSTREAM;
	}
	if (redisSetTimeout(c, tv) != REDIS_OK) {
		snprintf(err, errsz, "cannot set the redis timeout");
		rc = MW_EUPSTREAM;
	}
	if (rc == MW_OK)
		rc = auth(c, t, err, errsz);
	if (rc == MW_OK)
		rc = select_db(c, t, err, errsz);
	if (rc != MW_OK) {
		redisFree(c);
		return rc;
	}
	*out = c;
	return MW_OK;
}

/* One DEL with every key. */
static enum mw_err
del_keys(redisContext *c, char **keys, size_t nkeys, char *err, size_t errsz)
{
	const char **argv;
	size_t *lens, i;
	long long gone = 0;
	enum mw_err rc = MW_ENOMEM;

	if (nkeys >= INT32_MAX)
		return MW_EINTERNAL;
	argv = reallocarray(NULL, nkeys + 1, sizeof(*argv));
	lens = reallocarray(NULL, nkeys + 1, sizeof(*lens));
	if (argv == NULL || lens == NULL) {
		snprintf(err, errsz, "out of memory for %zu keys", nkeys);
		goto out;
	}
	argv[0] = "DEL";
	lens[0] = 3;
	for (i = 0; i < nkeys; i++) {
		argv[i + 1] = keys[i];
		lens[i + 1] = strlen(keys[i]);
	}
	rc = command(c, "DEL", (int)nkeys + 1, argv, lens, REDIS_REPLY_INTEGER,
		     &gone, err, errsz);
	if (rc == MW_OK)
		log_debug("objcache: %lld of %zu keys deleted", gone, nkeys);
out:
	free(argv);
	free(lens);
	return rc;
}

/* What a session with Redis does once connected. */
typedef enum mw_err session_fn(redisContext *c, void *arg, char *err,
			       size_t errsz);

/* Connect to the configured server, run fn, disconnect.  SIGPIPE is
 * ignored meanwhile (a server closing on us must not kill the CGI) and
 * restored. */
static enum mw_err
session(const struct cfg *cfg, session_fn *fn, void *arg, char *err,
	size_t errsz)
{
	struct sigaction ign, old;
	redisContext *c = NULL;
	enum mw_err rc;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old);
	rc = connect_to(&cfg->redis_url, &c, err, errsz);
	if (rc == MW_OK)
		rc = fn(c, arg, err, errsz);
	redisFree(c);
	sigaction(SIGPIPE, &old, NULL);
	return rc;
}

/* The keys to delete, for session(). */
struct keylist {
	char **v;
	size_t n;
};

static enum mw_err
del_session(redisContext *c, void *arg, char *err, size_t errsz)
{
	struct keylist *kl = arg;

	return del_keys(c, kl->v, kl->n, err, errsz);
}

/* Build the keys, connect, DEL; failures are logged here. */
enum mw_err
objcache_invalidate(const struct cfg *cfg, const struct objcache_user *users,
		    size_t n)
{
	struct keylist kl = {NULL, 0};
	char err[256] = "";
	size_t i;
	enum mw_err rc;

	if (cfg->redis_url.host == NULL || n == 0)
		return MW_OK;
	rc = objcache_keys(cfg, users, n, &kl.v, &kl.n);
	if (rc != MW_OK) {
		log_err("objcache: cannot build the keys: %s", mw_strerror(rc));
		return rc == MW_ENOMEM ? rc : MW_EUPSTREAM;
	}
	rc = session(cfg, del_session, &kl, err, sizeof(err));
	if (rc != MW_OK)
		log_err("objcache: %s", err);
	for (i = 0; i < kl.n; i++)
		free(kl.v[i]);
	free(kl.v);
	return rc == MW_OK || rc == MW_ENOMEM ? rc : MW_EUPSTREAM;
}

enum mw_err
objcache_invalidate_options(const struct cfg *cfg, const char *const *names,
			    size_t n)
{
	struct keyset ks = {NULL, 0, 0};
	struct keylist kl = {NULL, 0};
	struct naming nm;
	char err[256] = "";
	size_t i;
	enum mw_err rc = MW_OK;

	if (cfg->redis_url.host == NULL || n == 0)
		return MW_OK;
	naming_init(cfg, &nm);
	for (i = 0; rc == MW_OK && i < n; i++)
		rc = add_key(&ks, &nm, G_OPTIONS, names[i]);
	/* A new option may be in notoptions; a changed one in alloptions
	 * only when autoloaded, which these are not. */
	if (rc == MW_OK)
		rc = add_key(&ks, &nm, G_OPTIONS, "notoptions");
	if (rc == MW_OK) {
		kl.v = ks.v;
		kl.n = ks.n;
		rc = session(cfg, del_session, &kl, err, sizeof(err));
		if (rc != MW_OK)
			log_err("objcache: %s", err);
	}
	keyset_free(&ks);
	return rc == MW_OK || rc == MW_ENOMEM ? rc : MW_EUPSTREAM;
}

static enum mw_err
ping_session(redisContext *c, void *arg, char *err, size_t errsz)
{
	const char *argv[1] = {"PING"};
	size_t lens[1] = {4};

	(void)arg;
	return command(c, "PING", 1, argv, lens, REDIS_REPLY_STATUS, NULL, err,
		       errsz);
}

enum mw_err
objcache_ping(const struct cfg *cfg, char *err, size_t errsz)
{
	enum mw_err rc;

	if (errsz > 0)
		err[0] = '\0';
	if (cfg->redis_url.host == NULL)
		return MW_OK;
	rc = session(cfg, ping_session, NULL, err, errsz);
	return rc == MW_OK || rc == MW_ENOMEM ? rc : MW_EUPSTREAM;
}
