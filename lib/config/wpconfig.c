/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wpconfig.c - read the database settings from wp-config.php (see
 * wpconfig.h): the file is read, scanned (wpconfig_lex.c cuts it into
 * tokens, wpconfig_scan.c follows its structure and records what each key
 * becomes), and the result is moved into a struct wpconfig with DB_HOST
 * split and the reasons for unreadable keys worded.
 */
#include "config/wpconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/utf8.h"
#include "base/buf.h"
#include "base/strparse.h"
#include "config/wpconfig_int.h"

/* The keys in wp-config.php and in mautic-wp.conf. */
const struct keyname wpconfig_keys[WPCONFIG__MAX] = {
	{"DB_NAME", "db_name"},		   /* WPCONFIG_DB_NAME */
	{"DB_USER", "db_user"},		   /* WPCONFIG_DB_USER */
	{"DB_PASSWORD", "db_password"},	   /* WPCONFIG_DB_PASSWORD */
	{"DB_HOST", "db_host"},		   /* WPCONFIG_DB_HOST */
	{"$table_prefix", "table_prefix"}, /* WPCONFIG_TABLE_PREFIX */
	/* Optional: nothing in mautic-wp.conf stands in, the reason is only
	 * reported by --check. */
	{"WP_SITEURL", "nothing"},		  /* WPCONFIG_WP_SITEURL */
	{"MULTISITE", "nothing"},		  /* WPCONFIG_MULTISITE */
	{"WPF_STAGING_MODE", "nothing"},	  /* WPCONFIG_WPF_STAGING */
	{"WPF_MULTISITE_PREFIX_KEYS", "nothing"}, /* WPCONFIG_WPF_PREFIX_KEYS */
};

/* Write the reason why key k is unreadable; pos locates it. */
static void
set_why(struct parser *p, int k, enum why w, size_t pos)
{
	char *d = p->res->why[k];
	const char *n = wpconfig_keys[k].name, *c = wpconfig_keys[k].conf;
	size_t line = wpconfig_line_of(p->lx.s, p->lx.len, pos);

	switch (w) {
	case W_NONE:
		d[0] = '\0';
		break;
	case W_NOTLIT:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s at line %zu is not a literal string; set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_DQUOTE:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s at line %zu is a double-quoted string with $ or an escape other than \\\" \\\\ \\$ \\n \\t; use single quotes or set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_NUL:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s at line %zu contains a NUL byte; set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_COND:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s at line %zu is set under a condition; set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_INCLUDE:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s may be set by the file included at line %zu; point wp_config at that file or set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_EVAL:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s may be set by the eval() at line %zu; set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_COMPUTED:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s may be set by the define() with a computed name at line %zu; set %s in mautic-wp.conf",
			n, line, c);
		break;
	case W_HOST:
		snprintf(
			d, WPCONFIG_WHY_MAX,
			"%s at line %zu is not host, host:port, host:/socket, :/socket or [ipv6]:port; set db_host, db_port, db_socket in mautic-wp.conf",
			n, line);
		break;
	}
}

/* A byte of a host name or IPv4 address in DB_HOST. */
static bool
is_host_char(char c)
{
	return c > 0x20 && c < 0x7f && c != '/' && c != '[' && c != ']' &&
	       c != ':';
}

/* A byte of an IPv6 address (no IPv4 tail: wpdb's pattern stops at '.'). */
static bool
is_v6_char(char c)
{
	return (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') || c == ':';
}

/* Split DB_HOST into r->host, r->port, r->socket in the forms that
 * wpdb::parse_db_host() reads (host, host:port, host:/socket, :/socket,
 * ::1, [::1], [::1]:port), strictly: MW_EINPUT for anything else. */
static enum mw_err
split_host(const char *h, struct wpconfig *r)
{
	const char *sock = strstr(h, ":/"), *end, *a = h, *e, *q;
	bool v6 = false;
	uint64_t port = 0;

	end = sock != NULL ? sock : h + strlen(h);
	if (sock != NULL &&
	    !utf8_is_valid(sock + 1, strlen(sock + 1), UTF8_NO_CTRL))
		return MW_EINPUT;
	for (q = h; q < end && !v6; q++)
		v6 = *q == ':' && memchr(q + 1, ':', (size_t)(end - q - 1));
	if (v6) {
		a = h + (h[0] == '[');
		for (e = a; e < end && is_v6_char(*e); e++)
			;
		q = e;
		if (a != h && (q == end || *q++ != ']'))
			return MW_EINPUT;
		if (a == e || (a == h && q != end))
			return MW_EINPUT;
	} else {
		for (e = h; e < end && is_host_char(*e); e++)
			;
		q = e;
	}
	if (q < end && (*q != ':' || str_u64(q + 1, (size_t)(end - q - 1), 1,
					     65535, &port) != MW_OK))
		return MW_EINPUT;
	if (e > a && (r->host = strndup(a, (size_t)(e - a))) == NULL)
		return MW_ENOMEM;
	if (sock != NULL && (r->socket = strdup(sock + 1)) == NULL)
		return MW_ENOMEM;
	r->port = port;
	return MW_OK;
}

/* DB_HOST is in no form we read: drop it, keep the reason. */
static void
bad_host(struct parser *p)
{
	struct wpconfig *r = p->res;

	free(r->host);
	free(r->socket);
	free(r->db_host);
	r->host = r->socket = r->db_host = NULL;
	r->port = 0;
	p->why[WPCONFIG_DB_HOST] = W_HOST;
	p->wpos[WPCONFIG_DB_HOST] = p->vpos[WPCONFIG_DB_HOST];
}

/* Move the values and reasons into p->res; split DB_HOST. */
static bool
finish(struct parser *p)
{
	struct wpconfig *r = p->res;
	char **field[WPCONFIG__MAX] = {
		&r->db_name,   &r->db_user,	 &r->db_password,
		&r->db_host,   &r->table_prefix, &r->wp_siteurl,
		&r->multisite, &r->wpf_staging,	 &r->wpf_prefix_keys};
	enum mw_err rc;
	int k;

	for (k = 0; k < WPCONFIG__MAX; k++) {
		*field[k] = p->val[k];
		p->val[k] = NULL;
	}
	rc = r->db_host != NULL ? split_host(r->db_host, r) : MW_OK;
	if (rc == MW_EINPUT)
		bad_host(p);
	for (k = 0; k < WPCONFIG__MAX; k++)
		if (p->why[k] != W_NONE)
			set_why(p, k, p->why[k], p->wpos[k]);
	if (rc == MW_ENOMEM) {
		p->rc = MW_ENOMEM;
		return false;
	}
	return true;
}

enum mw_err
wpconfig_parse(const char *text, size_t len, struct wpconfig *out, char *err,
	       size_t errsz)
{
	struct wpconfig res = {0};
	struct parser p = {0};
	int k;

	if (text == NULL && len > 0) {
		snprintf(err, errsz, "no text");
		return MW_EINPUT;
	}
	if (len > WPCONFIG_MAX) {
		snprintf(err, errsz, "larger than %d bytes", WPCONFIG_MAX);
		return MW_ECONFIG;
	}
	p.lx.s = text != NULL ? text : "";
	p.lx.len = len;
	p.guard_pos = p.alt_pos = p.hdr_paren = NOPOS;
	p.res = &res;
	if (wpconfig_scan(&p) && finish(&p)) {
		*out = res;
		return MW_OK;
	}
	if (p.rc == MW_ENOMEM)
		snprintf(err, errsz, "out of memory");
	else
		snprintf(err, errsz, "%s at line %zu", p.fail,
			 wpconfig_line_of(p.lx.s, p.lx.len, p.failpos));
	for (k = 0; k < WPCONFIG__MAX; k++)
		wipe_free(p.val[k]);
	wpconfig_free(&res);
	return p.rc;
}

enum mw_err
wpconfig_read(const char *path, struct wpconfig *out, char *err, size_t errsz)
{
	enum mw_err rc = MW_ECONFIG;
	char chunk[4096];
	struct buf b;
	struct stat st;
	ssize_t n;
	int fd;

	buf_init(&b, WPCONFIG_MAX);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(err, errsz, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "not a regular file");
		goto out;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errsz, "cannot read: %s",
				 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		rc = buf_add(&b, chunk, (size_t)n);
		if (rc != MW_OK) {
			if (rc == MW_ETOOBIG)
				snprintf(err, errsz, "larger than %d bytes",
					 WPCONFIG_MAX);
			else
				snprintf(err, errsz, "out of memory");
			rc = rc == MW_ETOOBIG ? MW_ECONFIG : rc;
			goto out;
		}
	}
	rc = wpconfig_parse(b.p != NULL ? b.p : "", b.len, out, err, errsz);
out:
	explicit_bzero(chunk, sizeof(chunk));
	if (fd >= 0)
		close(fd);
	buf_free(&b);
	return rc;
}

enum mw_err
wpconfig_check(const struct wpconfig *c, unsigned need, char *err, size_t errsz)
{
	const char *val[WPCONFIG__MAX] = {
		c->db_name,   c->db_user,      c->db_password,
		c->db_host,   c->table_prefix, c->wp_siteurl,
		c->multisite, c->wpf_staging,  c->wpf_prefix_keys};
	int k;

	for (k = 0; k < WPCONFIG__MAX; k++) {
		if (!(need & WPCONFIG_NEED(k)) || val[k] != NULL)
			continue;
		if (c->why[k][0] != '\0')
			snprintf(err, errsz, "%s", c->why[k]);
		else
			snprintf(
				err, errsz,
				"%s is not %s in wp-config.php; set %s in mautic-wp.conf",
				wpconfig_keys[k].name,
				k == WPCONFIG_TABLE_PREFIX ? "set" : "defined",
				wpconfig_keys[k].conf);
		return MW_ECONFIG;
	}
	return MW_OK;
}

void
wpconfig_free(struct wpconfig *c)
{
	if (c == NULL)
		return;
	free(c->db_name);
	free(c->db_user);
	wipe_free(c->db_password);
	free(c->db_host);
	free(c->host);
	free(c->socket);
	free(c->table_prefix);
	free(c->wp_siteurl);
	free(c->multisite);
	free(c->wpf_staging);
	free(c->wpf_prefix_keys);
	memset(c, 0, sizeof(*c));
}
