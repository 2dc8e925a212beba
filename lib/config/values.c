/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * values.c - the parsers behind the key table of config.c, run once when
 * the configuration is loaded: paths, URLs, the sender address, and the
 * [cache] redis URL, redis://[[user]:password@]host[:port][/db] as Redis's
 * own clients write it or unix:[//]/path[?db=N&password=P].
 */
#include "config/values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "base/strparse.h"

#define REDIS_URL_MAX 512	 /* longest URL we accept */
#define REDIS_PORT_DEFAULT 6379u /* redis:// without a port */
#define REDIS_DB_MAX 2147483647u /* SELECT index (Redis: an int) */

/* The URL's parts while parsing; wiped after (the password is a secret). */
struct target {
	bool unix_sock;		  /* path, not host:port */
	char host[REDIS_URL_MAX]; /* host name or address, or path */
	unsigned port;		  /* TCP port */
	uint64_t db;		  /* SELECT index, 0 = none */
	char user[REDIS_URL_MAX]; /* ACL user name, "" = default */
	char pass[REDIS_URL_MAX]; /* password, "" = no AUTH */
};

/* Percent-decode s[0..len) into out (outsz bytes, NUL-terminated).  False
 * on a bad escape, %00, or when it does not fit. */
static bool
pct_decode(const char *s, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%') {
			if (len - i < 3)
				return false;
			hi = str_hexval(s[i + 1]);
			lo = str_hexval(s[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return false;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (o + 1 >= outsz)
			return false;
		out[o++] = c;
	}
	out[o] = '\0';
	return true;
}

/* userinfo "user:pass" or ":pass" (redis://[[user]:password@]...). */
static bool
parse_userinfo(const char *s, size_t len, struct target *t)
{
	const char *colon = memchr(s, ':', len);

	if (colon == NULL)
		return false; /* a user name alone gives nothing to AUTH with */
	return pct_decode(s, (size_t)(colon - s), t->user, sizeof(t->user)) &&
	       pct_decode(colon + 1, len - (size_t)(colon - s) - 1, t->pass,
			  sizeof(t->pass)) &&
	       t->pass[0] != '\0';
}

/* host, [v6] or either with :port, into t. */
static bool
parse_hostport(const char *s, size_t len, struct target *t)
{
	const char *end = s + len, *hend, *port = NULL;
	uint64_t v;

	if (len > 0 && s[0] == '[') {
		hend = memchr(s, ']', len);
		if (hend == NULL)
			return false;
		s++;
		if (hend + 1 < end) {
			if (hend[1] != ':')
				return false;
			port = hend + 2;
		}
	} else {
		hend = memchr(s, ':', len);
		if (hend != NULL)
			port = hend + 1;
		else
			hend = end;
	}
	if (hend == s || (size_t)(hend - s) >= sizeof(t->host) ||
	    memchr(s, '@', (size_t)(hend - s)) != NULL)
		return false;
	memcpy(t->host, s, (size_t)(hend - s));
	t->host[hend - s] = '\0';
	t->port = REDIS_PORT_DEFAULT;
	if (port == NULL)
		return true;
	if (str_u64(port, (size_t)(end - port), 1, 65535, &v) != MW_OK)
		return false;
	t->port = (unsigned)v;
	return true;
}

/* redis://[[user]:password@]host[:port][/db] */
static bool
parse_tcp(const char *s, struct target *t)
{
	size_t alen = strcspn(s, "/?#");
	const char *at = NULL, *p, *rest = s + alen;

	for (p = s; p < s + alen; p++)
		if (*p == '@')
			at = p;
	if (at != NULL && !parse_userinfo(s, (size_t)(at - s), t))
		return false;
	p = at != NULL ? at + 1 : s;
	if (!parse_hostport(p, (size_t)(s + alen - p), t))
		return false;
	if (*rest == '\0' || strcmp(rest, "/") == 0)
		return true;
	if (*rest != '/')
		return false;
	return str_u64(rest + 1, strlen(rest + 1), 0, REDIS_DB_MAX, &t->db) ==
	       MW_OK;
}

/* unix:///path or unix:/path, then ?db=N&password=P in any order. */
static bool
parse_unix(const char *s, struct target *t)
{
	size_t plen, vlen;
	const char *q, *v;

	if (strncmp(s, "//", 2) == 0)
		s += 2;
	plen = strcspn(s, "?#");
	if (s[0] != '/' || plen >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return false;
	memcpy(t->host, s, plen);
	t->host[plen] = '\0';
	t->unix_sock = true;
	for (q = s + plen; *q == '?' || *q == '&'; q = v + vlen) {
		v = strchr(q, '=');
		if (v == NULL)
			return false;
		v++;
		vlen = strcspn(v, "&#");
		if (strncmp(q + 1, "db=", 3) == 0) {
			if (str_u64(v, vlen, 0, REDIS_DB_MAX, &t->db) != MW_OK)
				return false;
		} else if (strncmp(q + 1, "password=", 9) == 0) {
			if (!pct_decode(v, vlen, t->pass, sizeof(t->pass)))
				return false;
		} else {
			return false;
		}
	}
	return *q == '\0';
}

/* Parse the URL into *t.  False on anything we do not understand. */
static bool
parse_url(const char *url, struct target *t)
{
	memset(t, 0, sizeof(*t));
	if (strlen(url) >= REDIS_URL_MAX)
		return false;
	if (strncasecmp(url, "redis://", 8) == 0)
		return parse_tcp(url + 8, t);
	if (strncasecmp(url, "unix:", 5) == 0)
		return parse_unix(url + 5, t);
	return false;
}

/* An allocated copy of s, or NULL for "" (and *ok false when out of
 * memory). */
static char *
dup_or_null(const char *s, bool *ok)
{
	char *p;

	if (s[0] == '\0')
		return NULL;
	if ((p = strdup(s)) == NULL)
		*ok = false;
	return p;
}

enum mw_err
cfg_redis_parse(const char *url, struct cfg_redis *out)
{
	struct target t;
	struct cfg_redis r;
	bool ok = true;

	memset(&r, 0, sizeof(r));
	if (url == NULL || !parse_url(url, &t)) {
		explicit_bzero(&t, sizeof(t));
		return MW_EINPUT;
	}
	r.unix_sock = t.unix_sock;
	r.port = t.port;
	r.db = t.db;
	r.host = dup_or_null(t.host, &ok);
	r.user = dup_or_null(t.user, &ok);
	r.pass = dup_or_null(t.pass, &ok);
	explicit_bzero(&t, sizeof(t));
	if (!ok || r.host == NULL) {
		cfg_redis_free(&r);
		return MW_ENOMEM;
	}
	*out = r;
	return MW_OK;
}

void
cfg_redis_free(struct cfg_redis *r)
{
	if (r == NULL)
		return;
	if (r->pass != NULL)
		explicit_bzero(r->pass, strlen(r->pass));
	free(r->host);
	free(r->user);
	free(r->pass);
	memset(r, 0, sizeof(*r));
}

/* ---- the key table's parsers ------------------------------------- */

/* [cache] redis into cfg->redis_url. */
enum mw_err
cfg_value_redis(struct cfg *cfg, const char *value)
{
	cfg_redis_free(&cfg->redis_url);
	return cfg_redis_parse(value, &cfg->redis_url);
}

/* A file the CGI opens or runs: absolute, since a web server picks the
 * working directory. */
enum mw_err
cfg_value_path(struct cfg *cfg, const char *value)
{
	(void)cfg;
	return value[0] == '/' ? MW_OK : MW_EINPUT;
}

/* MW_OK when value starts with scheme s1 or s2 ("smtp://", any case)
 * and a host follows. */
static enum mw_err
url_with_host(const char *value, const char *s1, const char *s2)
{
	size_t n = strlen(value), l1 = strlen(s1), l2 = strlen(s2);

	if (n > l1 && str_ieq(value, l1, s1))
		value += l1;
	else if (n > l2 && str_ieq(value, l2, s2))
		value += l2;
	else
		return MW_EINPUT;
	return strcspn(value, ":/?#@ ") > 0 || value[0] == '[' ? MW_OK
							       : MW_EINPUT;
}

/* [wordpress] site_url: the links in mails and the default sender. */
enum mw_err
cfg_value_http_url(struct cfg *cfg, const char *value)
{
	(void)cfg;
	return url_with_host(value, "http://", "https://");
}

/* [mail] smtp_url: the schemes the SMTP transport lets curl use. */
enum mw_err
cfg_value_smtp_url(struct cfg *cfg, const char *value)
{
	(void)cfg;
	return url_with_host(value, "smtp://", "smtps://");
}

/* [mail] from: "addr" or "Name <addr>", addr with an @ and no blanks. */
enum mw_err
cfg_value_mail_from(struct cfg *cfg, const char *value)
{
	const char *lt = strrchr(value, '<'), *addr = lt ? lt + 1 : value;
	size_t n = lt ? strcspn(addr, ">") : strlen(addr);
	const char *at = memchr(addr, '@', n);

	(void)cfg;
	if (lt != NULL && (addr[n] != '>' || addr[n + 1] != '\0'))
		return MW_EINPUT;
	if (at == NULL || at == addr || at == addr + n - 1)
		return MW_EINPUT;
	for (; n > 0; n--, addr++)
		if (*addr == ' ' || *addr == '<' || *addr == '>' ||
		    *addr == '"' || *addr == ',')
			return MW_EINPUT;
	return MW_OK;
}

/* ---- [wordpress] db_host: one server or several ----------------------- */

/* One entry "host", "host:port", "[v6]" or "[v6]:port" into h. */
static bool
db_host_entry(const char *s, size_t len, unsigned defport,
	      struct cfg_db_host *h)
{
	const char *end = s + len, *hend, *port = NULL;
	uint64_t v;

	if (len > 0 && s[0] == '[') {
		hend = memchr(s, ']', len);
		if (hend == NULL)
			return false;
		s++;
		if (hend + 1 < end) {
			if (hend[1] != ':')
				return false;
			port = hend + 2;
		}
	} else {
		hend = memchr(s, ':', len);
		if (hend != NULL)
			port = hend + 1;
		else
			hend = end;
	}
	if (hend == s || (size_t)(hend - s) > CFG_DB_HOST_LEN ||
	    memchr(s, '@', (size_t)(hend - s)) != NULL ||
	    memchr(s, '/', (size_t)(hend - s)) != NULL)
		return false;
	memcpy(h->host, s, (size_t)(hend - s));
	h->host[hend - s] = '\0';
	h->port = defport;
	if (port == NULL)
		return true;
	if (str_u64(port, (size_t)(end - port), 1, 65535, &v) != MW_OK)
		return false;
	h->port = (unsigned)v;
	return true;
}

enum mw_err
cfg_db_hosts(const struct cfg *cfg, struct cfg_db_host *out, size_t max,
	     size_t *n)
{
	const char *p = cfg->db_host != NULL ? cfg->db_host : "localhost";
	size_t len, k = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		len = strcspn(p, ",");
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (k == max ||
		    !db_host_entry(p, len, (unsigned)cfg->db_port, &out[k]))
			return MW_EINPUT;
		k++;
		p += strcspn(p, ",");
		if (*p == '\0')
			break;
		p++;
	}
	*n = k;
	return MW_OK;
}
