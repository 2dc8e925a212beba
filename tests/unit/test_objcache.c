/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_objcache.c - wp/objcache.c: the key names (one table, valid and
 * invalid rows), and objcache_invalidate() and objcache_ping() against a
 * fake Redis forked by this program, which records every command it is
 * sent (kcgi's regress tests: a full client/server exchange).  The URLs
 * come parsed, as cfg_load() leaves them (test_config.c has the URL
 * tables).  The failure paths: refused connection, silent server, error
 * replies.  No password or e-mail may reach the log or an error text.
 */
#include "wp/objcache.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "base/log.h"
#include "base/strparse.h"

#define FAKE_BUF 65536	  /* bytes a fake server buffers / records */
#define FAKE_ARGS 64	  /* arguments it looks at per command */
#define FAKE_WAIT_MS 5000 /* how long it waits for the client */
#define LOG_CAP 16384	  /* captured stderr per case */
#define BIG_USERS 2000	  /* users in the large batch */

/* ---- objcache_keys ---------------------------------------------------- */

struct keys_row {
	const char *name;
	const char *table_prefix;
	const char *salt; /* [cache] redis_prefix */
	uint64_t blog_id;
	const struct objcache_user *users;
	size_t n;
	enum mw_err want;
	const char *const *keys; /* NULL-terminated, in order */
};

#define U(...) ((const struct objcache_user[]){__VA_ARGS__})
#define K(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ALICE                                                                  \
	{                                                                      \
		42, "alice", "alice@example.test", NULL, "alice", NULL, false  \
	}
#define ALICE_KEYS(P)                                                          \
	P ":users:42", P ":user_meta:42", P ":userlogins:alice",               \
		P ":useremail:alice@example.test", P ":userslugs:alice"

static const struct keys_row keys_rows[] = {
	{"keys_single_site_default_prefix_wp_becomes_wp", "wp_", NULL, 1,
	 U(ALICE), 1, MW_OK, K(ALICE_KEYS("wp"), "wp:users:last_changed")},
	{"keys_custom_prefix_wp2_becomes_wp2", "wp2_", NULL, 1, U(ALICE), 1,
	 MW_OK, K(ALICE_KEYS("wp2"), "wp2:users:last_changed")},
	{"keys_prefix_trimmed_at_both_ends", "__wp__", NULL, 1, U(ALICE), 1,
	 MW_OK, K(ALICE_KEYS("wp"), "wp:users:last_changed")},
	{"keys_prefix_keeps_inner_underscore", "my_site_", NULL, 1, U(ALICE), 1,
	 MW_OK, K(ALICE_KEYS("my_site"), "my_site:users:last_changed")},
	{"keys_prefix_of_only_underscores_is_empty", "___", NULL, 1, U(ALICE),
	 1, MW_OK, K(ALICE_KEYS(""), ":users:last_changed")},
	{"keys_missing_table_prefix_is_empty", NULL, NULL, 1, U(ALICE), 1,
	 MW_OK, K(ALICE_KEYS(""), ":users:last_changed")},
	{"keys_salt_prepended_without_separator", "wp_", "mysite_", 1, U(ALICE),
	 1, MW_OK, K(ALICE_KEYS("mysite_wp"), "mysite_wp:users:last_changed")},
	{"keys_salt_is_php_trimmed", "wp_", " \tmysite_\n", 1, U(ALICE), 1,
	 MW_OK, K(ALICE_KEYS("mysite_wp"), "mysite_wp:users:last_changed")},
	{"keys_blank_salt_is_no_salt", "wp_", "   ", 1, U(ALICE), 1, MW_OK,
	 K(ALICE_KEYS("wp"), "wp:users:last_changed")},
	{"keys_empty_salt_is_no_salt", "wp_", "", 1, U(ALICE), 1, MW_OK,
	 K(ALICE_KEYS("wp"), "wp:users:last_changed")},
	{"keys_salt_colon_kept_verbatim", "wp_", "a:b", 1, U(ALICE), 1, MW_OK,
	 K(ALICE_KEYS("a:bwp"), "a:bwp:users:last_changed")},
	{"keys_blog_id_0_is_single_site", "wp_", NULL, 0, U(ALICE), 1, MW_OK,
	 K(ALICE_KEYS("wp"), "wp:users:last_changed")},
	{"keys_multisite_global_groups_have_empty_prefix", "wp_", NULL, 2,
	 U(ALICE), 1, MW_OK, K(ALICE_KEYS(""), ":users:last_changed")},
	{"keys_multisite_user_count_is_a_network_option", "wp_", NULL, 2,
	 U({7, "bob", "bob@example.test", NULL, "bob", NULL, true}), 1, MW_OK,
	 K(":users:7", ":user_meta:7", ":userlogins:bob",
	   ":useremail:bob@example.test", ":userslugs:bob",
	   ":users:last_changed", ":site-options:1-user_count",
	   ":site-options:1-notoptions")},
	{"keys_multisite_with_salt", "wp_", "s_", 13,
	 U({7, "bob", "bob@example.test", NULL, "bob", NULL, true}), 1, MW_OK,
	 K("s_:users:7", "s_:user_meta:7", "s_:userlogins:bob",
	   "s_:useremail:bob@example.test", "s_:userslugs:bob",
	   "s_:users:last_changed", "s_:site-options:1-user_count",
	   "s_:site-options:1-notoptions")},
	{"keys_created_user_drops_user_count_and_notoptions", "wp_", NULL, 1,
	 U({7, "bob", "bob@example.test", NULL, "bob", NULL, true}), 1, MW_OK,
	 K("wp:users:7", "wp:user_meta:7", "wp:userlogins:bob",
	   "wp:useremail:bob@example.test", "wp:userslugs:bob",
	   "wp:users:last_changed", "wp:options:user_count",
	   "wp:options:notoptions")},
	{"keys_old_email_and_old_nicename_dropped_too", "wp_", NULL, 1,
	 U({9, "carol", "new@example.test", "old@example.test", "carol-2",
	    "carol", false}),
	 1, MW_OK,
	 K("wp:users:9", "wp:user_meta:9", "wp:userlogins:carol",
	   "wp:useremail:new@example.test", "wp:useremail:old@example.test",
	   "wp:userslugs:carol-2", "wp:userslugs:carol",
	   "wp:users:last_changed")},
	{"keys_old_values_equal_to_new_deduplicated", "wp_", NULL, 1,
	 U({42, "alice", "alice@example.test", "alice@example.test", "alice",
	    "alice", false}),
	 1, MW_OK, K(ALICE_KEYS("wp"), "wp:users:last_changed")},
	{"keys_email_case_change_is_two_keys", "wp_", NULL, 1,
	 U({3, "ann", "Ann@Example.test", "ann@example.test", "ann", NULL,
	    false}),
	 1, MW_OK,
	 K("wp:users:3", "wp:user_meta:3", "wp:userlogins:ann",
	   "wp:useremail:Ann@Example.test", "wp:useremail:ann@example.test",
	   "wp:userslugs:ann", "wp:users:last_changed")},
	{"keys_colon_in_values_becomes_dash", "wp_", NULL, 1,
	 U({5, "a:b", "x:y@example.test", "::old@example.test", "n:1", NULL,
	    false}),
	 1, MW_OK,
	 K("wp:users:5", "wp:user_meta:5", "wp:userlogins:a-b",
	   "wp:useremail:x-y@example.test", "wp:useremail:--old@example.test",
	   "wp:userslugs:n-1", "wp:users:last_changed")},
	{"keys_utf8_and_spaces_kept_as_bytes", "wp_", NULL, 1,
	 U({6, "J\xc3\xbcrgen M", "j@example.test", NULL, "j%c3%bcrgen-m", NULL,
	    false}),
	 1, MW_OK,
	 K("wp:users:6", "wp:user_meta:6", "wp:userlogins:J\xc3\xbcrgen M",
	   "wp:useremail:j@example.test", "wp:userslugs:j%c3%bcrgen-m",
	   "wp:users:last_changed")},
	{"keys_two_users_share_last_changed_and_options", "wp_", NULL, 1,
	 U({7, "bob", "bob@example.test", NULL, "bob", NULL, true},
	   {8, "dan", "dan@example.test", NULL, "dan", NULL, true}),
	 2, MW_OK,
	 K("wp:users:7", "wp:user_meta:7", "wp:userlogins:bob",
	   "wp:useremail:bob@example.test", "wp:userslugs:bob", "wp:users:8",
	   "wp:user_meta:8", "wp:userlogins:dan",
	   "wp:useremail:dan@example.test", "wp:userslugs:dan",
	   "wp:users:last_changed", "wp:options:user_count",
	   "wp:options:notoptions")},
	{"keys_only_second_user_created_still_drops_options", "wp_", NULL, 1,
	 U(ALICE, {8, "dan", "dan@example.test", NULL, "dan", NULL, true}), 2,
	 MW_OK,
	 K(ALICE_KEYS("wp"), "wp:users:8", "wp:user_meta:8",
	   "wp:userlogins:dan", "wp:useremail:dan@example.test",
	   "wp:userslugs:dan", "wp:users:last_changed", "wp:options:user_count",
	   "wp:options:notoptions")},
	{"keys_same_user_twice_deduplicated", "wp_", NULL, 1, U(ALICE, ALICE),
	 2, MW_OK, K(ALICE_KEYS("wp"), "wp:users:last_changed")},
	{"keys_swapped_emails_deduplicated_first_kept", "wp_", NULL, 1,
	 U({1, "a", "a@example.test", "b@example.test", "a", NULL, false},
	   {2, "b", "b@example.test", "a@example.test", "b", NULL, false}),
	 2, MW_OK,
	 K("wp:users:1", "wp:user_meta:1", "wp:userlogins:a",
	   "wp:useremail:a@example.test", "wp:useremail:b@example.test",
	   "wp:userslugs:a", "wp:users:2", "wp:user_meta:2", "wp:userlogins:b",
	   "wp:userslugs:b", "wp:users:last_changed")},
	{"keys_null_and_empty_fields_skipped", "wp_", NULL, 1,
	 U({5, NULL, "", NULL, NULL, "", false}), 1, MW_OK,
	 K("wp:users:5", "wp:user_meta:5", "wp:users:last_changed")},
	{"keys_id_zero_has_no_id_keys", "wp_", NULL, 1,
	 U({0, "bob", "bob@example.test", NULL, NULL, NULL, false}), 1, MW_OK,
	 K("wp:userlogins:bob", "wp:useremail:bob@example.test",
	   "wp:users:last_changed")},
	{"keys_largest_id", "wp_", NULL, 1,
	 U({UINT64_MAX, NULL, NULL, NULL, NULL, NULL, false}), 1, MW_OK,
	 K("wp:users:18446744073709551615", "wp:user_meta:18446744073709551615",
	   "wp:users:last_changed")},
	{"keys_no_users_no_keys", "wp_", NULL, 1, U(ALICE), 0, MW_OK,
	 (const char *const[]){NULL}},
	{"keys_rejects_null_users_with_a_count", "wp_", NULL, 1, NULL, 1,
	 MW_EINTERNAL, NULL},
};

/* The main site of a network (MULTISITE, blog 1) names its keys as every
 * blog of the network does: "" for global groups, "1" for its own. */
static void
test_keys_network_main_site(void)
{
	static const char *const want[] = {
		":users:7",
		":user_meta:7",
		":userlogins:bob",
		":useremail:bob@example.test",
		":userslugs:bob",
		":users:last_changed",
		":site-options:1-user_count",
		":site-options:1-notoptions",
	};
	struct objcache_user u = {7,	"bob", "bob@example.test", NULL, "bob",
				  NULL, true};
	struct cfg cfg;
	char **keys = NULL;
	size_t got = 0, i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.table_prefix = (char *)(uintptr_t) "wp_";
	cfg.blog_id = 1;
	cfg.wpf.multisite = true;
	CHECK(objcache_keys(&cfg, &u, 1, &keys, &got) == MW_OK);
	CHECK(got == sizeof(want) / sizeof(want[0]));
	for (i = 0; i < got; i++) {
		if (i < sizeof(want) / sizeof(want[0]))
			CHECK_STR(keys[i], want[i]);
		free(keys[i]);
	}
	free(keys);
}

static void
test_keys_table(void)
{
	size_t r, i, got;
	char **keys;

	for (r = 0; r < sizeof(keys_rows) / sizeof(keys_rows[0]); r++) {
		const struct keys_row *row = &keys_rows[r];
		struct cfg cfg;
		char *sentinel = (char *)"untouched";
		enum mw_err rc;

		memset(&cfg, 0, sizeof(cfg));
		cfg.table_prefix = (char *)(uintptr_t)row->table_prefix;
		cfg.redis_prefix = (char *)(uintptr_t)row->salt;
		cfg.blog_id = row->blog_id;
		keys = &sentinel;
		got = 12345;
		rc = objcache_keys(&cfg, row->users, row->n, &keys, &got);
		CHECK_CASE(row->name, rc == row->want);
		if (rc != MW_OK || row->want != MW_OK) {
			/* OUT parameters are written only on success. */
			CHECK_CASE(row->name,
				   keys == &sentinel && got == 12345);
			continue;
		}
		for (i = 0; row->keys[i] != NULL; i++)
			;
		CHECK_CASE(row->name, got == i);
		for (i = 0; i < got && row->keys[i] != NULL; i++) {
			CHECK_CASE(row->name,
				   strcmp(keys[i], row->keys[i]) == 0);
			if (strcmp(keys[i], row->keys[i]) != 0)
				fprintf(stderr,
					"  [%zu] got \"%s\" want \"%s\"\n", i,
					keys[i], row->keys[i]);
		}
		for (i = 0; i < got; i++)
			free(keys[i]);
		free(keys);
	}
}

/* Many users, every one listed twice: each key once, in first order. */
static void
test_keys_large_batch(void)
{
	struct objcache_user *u = calloc(2 * BIG_USERS, sizeof(*u));
	char(*names)[32] = calloc(BIG_USERS, sizeof(*names));
	struct cfg cfg;
	char **keys = NULL, want[64];
	size_t nkeys = 0, i;
	enum mw_err rc;

	CHECK(u != NULL && names != NULL);
	if (u == NULL || names == NULL)
		goto out;
	memset(&cfg, 0, sizeof(cfg));
	cfg.table_prefix = (char *)(uintptr_t) "wp_";
	for (i = 0; i < BIG_USERS; i++) {
		snprintf(names[i], sizeof(names[i]), "user%zu", i);
		u[i].id = i + 1;
		u[i].login = names[i];
		u[i].nicename = names[i];
		u[i + BIG_USERS] = u[i];
	}
	rc = objcache_keys(&cfg, u, 2 * BIG_USERS, &keys, &nkeys);
	CHECK(rc == MW_OK);
	CHECK(nkeys == 4 * BIG_USERS + 1);
	if (rc != MW_OK || nkeys != 4 * BIG_USERS + 1)
		goto out;
	snprintf(want, sizeof(want), "wp:userslugs:user%d", BIG_USERS - 1);
	CHECK_STR(keys[4 * BIG_USERS - 1], want);
	CHECK_STR(keys[4], "wp:users:2");
	CHECK_STR(keys[4 * BIG_USERS], "wp:users:last_changed");
out:
	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(names);
	free(u);
}

/* ---- a fake Redis ------------------------------------------------------ */

/* Append s[0..len) to the transcript. */
static void
rec(char *log, size_t *loglen, const char *s, size_t len)
{
	if (*loglen + len + 1 >= FAKE_BUF)
		return;
	memcpy(log + *loglen, s, len);
	*loglen += len;
	log[*loglen] = '\0';
}

/* One RESP line "<c><number>\r\n" at p: the number, or -1 if incomplete
 * or malformed; *end gets the byte after it. */
static long
resp_num(const char *p, const char *lim, char c, const char **end)
{
	const char *cr;
	uint64_t v;

	if (p >= lim || *p != c)
		return -1;
	cr = memchr(p, '\r', (size_t)(lim - p));
	if (cr == NULL || cr + 1 >= lim ||
	    str_u64(p + 1, (size_t)(cr - p - 1), 0, FAKE_BUF, &v) != MW_OK)
		return -1;
	*end = cr + 2;
	return (long)v;
}

/* Parse one complete command from buf[0..have), record it, answer it.
 * Returns the bytes used, 0 when more are needed. */
static size_t
fake_command(const char *buf, size_t have, char *log, size_t *loglen, int fd)
{
	const char *p = buf, *lim = buf + have, *arg[FAKE_ARGS];
	size_t alen[FAKE_ARGS], reply_len;
	long argc, i, l;
	char reply[64];
	const char *rp;

	argc = resp_num(p, lim, '*', &p);
	if (argc < 1)
		return 0;
	for (i = 0; i < argc; i++) {
		l = resp_num(p, lim, '$', &p);
		if (l < 0 || (size_t)(lim - p) < (size_t)l + 2)
			return 0;
		if (i < FAKE_ARGS) {
			arg[i] = p;
			alen[i] = (size_t)l;
		}
		rec(log, loglen, i == 0 ? "" : " ", i == 0 ? 0 : 1);
		rec(log, loglen, p, (size_t)l);
		p += l + 2;
	}
	rec(log, loglen, "\n", 1);
	rp = "-ERR unknown command\r\n";
	if (alen[0] == 4 && memcmp(arg[0], "AUTH", 4) == 0)
		rp = alen[argc - 1] >= 3 && memcmp(arg[argc - 1], "bad", 3) == 0
			     ? "-WRONGPASS invalid username-password pair\r\n"
			     : "+OK\r\n";
	else if (alen[0] == 6 && memcmp(arg[0], "SELECT", 6) == 0)
		rp = alen[1] == 2 && memcmp(arg[1], "99", 2) == 0
			     ? "-ERR DB index is out of range\r\n"
			     : "+OK\r\n";
	else if (alen[0] == 4 && memcmp(arg[0], "PING", 4) == 0)
		rp = "+PONG\r\n";
	else if (alen[0] == 3 && memcmp(arg[0], "DEL", 3) == 0) {
		snprintf(reply, sizeof(reply), ":%ld\r\n", argc - 1);
		rp = reply;
		if (argc > 1 && alen[1] >= 9 &&
		    memcmp(arg[1], "wrongtype", 9) == 0)
			rp = "+OK\r\n";
	}
	reply_len = strlen(rp);
	if (write(fd, rp, reply_len) != (ssize_t)reply_len)
		return 0;
	return (size_t)(p - buf);
}

/* The child: accept one client, record and answer its commands until it
 * hangs up, write the transcript to out, exit. */
static void
fake_serve(int lfd, int out)
{
	static char buf[FAKE_BUF], log[FAKE_BUF];
	size_t have = 0, loglen = 0, used;
	struct pollfd pfd = {lfd, POLLIN, 0};
	ssize_t r;
	int c;

	log[0] = '\0';
	if (poll(&pfd, 1, FAKE_WAIT_MS) <= 0 ||
	    (c = accept(lfd, NULL, NULL)) < 0)
		_exit(2);
	while ((r = read(c, buf + have, sizeof(buf) - have)) > 0) {
		have += (size_t)r;
		while ((used = fake_command(buf, have, log, &loglen, c)) > 0) {
			memmove(buf, buf + used, have - used);
			have -= used;
		}
	}
	if (write(out, log, loglen) != (ssize_t)loglen)
		_exit(3);
	_exit(0);
}

struct fake {
	pid_t pid; /* the child */
	int rfd;   /* its transcript */
};

/* Fork a fake server on the listening socket lfd (closed here). */
static bool
fake_start(int lfd, struct fake *f)
{
	int p[2];

	if (pipe(p) != 0)
		return false;
	fflush(NULL);
	f->pid = fork();
	if (f->pid == 0) {
		close(p[0]);
		fake_serve(lfd, p[1]);
	}
	close(p[1]);
	close(lfd);
	f->rfd = p[0];
	return f->pid > 0;
}

/* Wait for the child and read what it recorded. */
static void
fake_finish(struct fake *f, char *out, size_t outsz)
{
	size_t n = 0;
	ssize_t r;
	int st;

	while (n + 1 < outsz && (r = read(f->rfd, out + n, outsz - n - 1)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(f->rfd);
	waitpid(f->pid, &st, 0);
}

static int
listen_tcp(unsigned *port)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(fd, 4) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static int
listen_unix(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(fd, 4) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* ---- stderr capture: what objcache logs -------------------------------- */

static int saved_stderr = -1;
static FILE *cap_file;

static void
cap_begin(void)
{
	fflush(stderr);
	cap_file = tmpfile();
	saved_stderr = dup(STDERR_FILENO);
	if (cap_file != NULL)
		dup2(fileno(cap_file), STDERR_FILENO);
}

static void
cap_end(char *out, size_t outsz)
{
	size_t n = 0;

	out[0] = '\0';
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	if (cap_file == NULL)
		return;
	rewind(cap_file);
	n = fread(out, 1, outsz - 1, cap_file);
	out[n] = '\0';
	fclose(cap_file);
	cap_file = NULL;
}

/* Replace PORT and SOCK in tmpl. */
static void
expand(const char *tmpl, unsigned port, const char *sock, char *out,
       size_t outsz)
{
	size_t o = 0;
	int n;

	out[0] = '\0';
	while (*tmpl != '\0' && o + 1 < outsz) {
		if (strncmp(tmpl, "PORT", 4) == 0) {
			n = snprintf(out + o, outsz - o, "%u", port);
			tmpl += 4;
		} else if (strncmp(tmpl, "SOCK", 4) == 0) {
			n = snprintf(out + o, outsz - o, "%s", sock);
			tmpl += 4;
		} else {
			out[o] = *tmpl++;
			n = 1;
		}
		o += n > 0 ? (size_t)n : 0;
		if (o >= outsz)
			o = outsz - 1;
		out[o] = '\0';
	}
}

/* ---- objcache_invalidate against the fake ----------------------------- */

static const struct objcache_user bob[] = {
	{2, "bob", "bob@example.test", "old@example.test", "bob", NULL, false},
};
#define BOB_KEYS(S)                                                            \
	S "wp:users:2 " S "wp:user_meta:2 " S "wp:userlogins:bob " S           \
	  "wp:useremail:bob@example.test " S                                   \
	  "wp:useremail:old@example.test " S "wp:userslugs:bob " S             \
	  "wp:users:last_changed"
#define DEL_BOB "DEL " BOB_KEYS("") "\n"

/* One session with the fake: objcache_invalidate() for bob, or with ping
 * objcache_ping(), which must log nothing and say why in its error text. */
struct live_row {
	const char *name;
	const char *url;  /* PORT and SOCK are replaced */
	const char *salt; /* [cache] redis_prefix */
	bool ping;	  /* objcache_ping() instead of a DEL */
	enum mw_err want;
	const char *transcript; /* what the server must have been sent */
	const char *secret;	/* must not be logged or in err, or NULL */
	const char *err;	/* ping: in the error text, or NULL */
};

static const struct live_row live_rows[] = {
	{"live_tcp_sends_one_del", "redis://127.0.0.1:PORT", NULL, false, MW_OK,
	 DEL_BOB, NULL, NULL},
	{"live_tcp_db_0_sends_no_select", "redis://127.0.0.1:PORT/0", NULL,
	 false, MW_OK, DEL_BOB, NULL, NULL},
	{"live_tcp_trailing_slash_is_db_0", "redis://127.0.0.1:PORT/", NULL,
	 false, MW_OK, DEL_BOB, NULL, NULL},
	{"live_scheme_case_ignored", "REDIS://127.0.0.1:PORT", NULL, false,
	 MW_OK, DEL_BOB, NULL, NULL},
	{"live_tcp_password_and_db_auth_then_select",
	 "redis://:s3cret-pw@127.0.0.1:PORT/3", NULL, false, MW_OK,
	 "AUTH s3cret-pw\nSELECT 3\n" DEL_BOB, "s3cret-pw", NULL},
	{"live_tcp_acl_user_and_password",
	 "redis://mw:s3cret-pw@127.0.0.1:PORT", NULL, false, MW_OK,
	 "AUTH mw s3cret-pw\n" DEL_BOB, "s3cret-pw", NULL},
	{"live_tcp_password_percent_decoded",
	 "redis://:p%40ss%2Fw@127.0.0.1:PORT", NULL, false, MW_OK,
	 "AUTH p@ss/w\n" DEL_BOB, "p@ss/w", NULL},
	{"live_tcp_password_with_at_sign_last_at_wins",
	 "redis://:a@b@127.0.0.1:PORT", NULL, false, MW_OK,
	 "AUTH a@b\n" DEL_BOB, "a@b", NULL},
	{"live_salt_in_every_key", "redis://127.0.0.1:PORT", "mysite_", false,
	 MW_OK, "DEL " BOB_KEYS("mysite_") "\n", NULL, NULL},
	{"live_unix_triple_slash_with_db", "unix://SOCK?db=2", NULL, false,
	 MW_OK, "SELECT 2\n" DEL_BOB, NULL, NULL},
	{"live_unix_single_slash", "unix:SOCK", NULL, false, MW_OK, DEL_BOB,
	 NULL, NULL},
	{"live_unix_password_query", "unix://SOCK?password=s3cret-pw&db=1",
	 NULL, false, MW_OK, "AUTH s3cret-pw\nSELECT 1\n" DEL_BOB, "s3cret-pw",
	 NULL},
	{"live_auth_refused_stops_before_del",
	 "redis://:bad-pw-77@127.0.0.1:PORT/4", NULL, false, MW_EUPSTREAM,
	 "AUTH bad-pw-77\n", "bad-pw-77", NULL},
	{"live_select_refused_stops_before_del", "redis://127.0.0.1:PORT/99",
	 NULL, false, MW_EUPSTREAM, "SELECT 99\n", NULL, NULL},
	{"live_del_with_wrong_reply_type_fails", "redis://127.0.0.1:PORT",
	 "wrongtype_", false, MW_EUPSTREAM, "DEL " BOB_KEYS("wrongtype_") "\n",
	 NULL, NULL},
	{"ping_tcp_sends_ping", "redis://127.0.0.1:PORT", NULL, true, MW_OK,
	 "PING\n", NULL, NULL},
	{"ping_auth_and_select_first", "redis://mw:s3cret-pw@127.0.0.1:PORT/7",
	 NULL, true, MW_OK, "AUTH mw s3cret-pw\nSELECT 7\nPING\n", "s3cret-pw",
	 NULL},
	{"ping_unix_socket", "unix://SOCK?db=2", NULL, true, MW_OK,
	 "SELECT 2\nPING\n", NULL, NULL},
	{"ping_auth_refused_is_upstream_error",
	 "redis://:bad-pw-77@127.0.0.1:PORT", NULL, true, MW_EUPSTREAM,
	 "AUTH bad-pw-77\n", "bad-pw-77", "redis AUTH refused: WRONGPASS"},
	{"ping_select_refused_is_upstream_error", "redis://127.0.0.1:PORT/99",
	 NULL, true, MW_EUPSTREAM, "SELECT 99\n", NULL, "redis SELECT refused"},
};

/* A cfg with the URL parsed as cfg_load() would; false if it is refused. */
static bool
cfg_with_url(struct cfg *cfg, const char *url, const char *salt)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->table_prefix = (char *)(uintptr_t) "wp_";
	cfg->redis_prefix = (char *)(uintptr_t)salt;
	return url == NULL || cfg_redis_parse(url, &cfg->redis_url) == MW_OK;
}

/* A fake server on a TCP port or on sockpath, for a URL template. */
static bool
fake_for(const char *tmpl, const char *sockpath, struct fake *f, char *url,
	 size_t urlsz)
{
	unsigned port = 0;
	int lfd = strncmp(tmpl, "unix:", 5) == 0 ? listen_unix(sockpath)
						 : listen_tcp(&port);

	if (lfd < 0 || !fake_start(lfd, f))
		return false;
	expand(tmpl, port, sockpath, url, urlsz);
	return true;
}

static void
test_live_table(const char *sockpath)
{
	static char got[FAKE_BUF], log[LOG_CAP];
	char url[600], err[256] = "";
	size_t r;

	for (r = 0; r < sizeof(live_rows) / sizeof(live_rows[0]); r++) {
		const struct live_row *row = &live_rows[r];
		struct fake f;
		struct cfg cfg;
		enum mw_err rc;

		if (!fake_for(row->url, sockpath, &f, url, sizeof(url))) {
			CHECK_CASE(row->name, false);
			continue;
		}
		CHECK_CASE(row->name, cfg_with_url(&cfg, url, row->salt));
		cap_begin();
		rc = row->ping ? objcache_ping(&cfg, err, sizeof(err))
			       : objcache_invalidate(&cfg, bob, 1);
		cap_end(log, sizeof(log));
		fake_finish(&f, got, sizeof(got));
		cfg_redis_free(&cfg.redis_url);
		CHECK_CASE(row->name, rc == row->want);
		CHECK_CASE(row->name, strcmp(got, row->transcript) == 0);
		CHECK_CASE(row->name, strstr(log, "@example") == NULL);
		CHECK_CASE(row->name,
			   row->secret == NULL ||
				   (strstr(log, row->secret) == NULL &&
				    strstr(err, row->secret) == NULL));
		if (row->ping) {
			CHECK_CASE(row->name, log[0] == '\0');
			CHECK_CASE(row->name,
				   (rc == MW_OK) == (err[0] == '\0'));
			CHECK_CASE(row->name,
				   row->err == NULL ||
					   strstr(err, row->err) != NULL);
		} else {
			CHECK_CASE(row->name,
				   (rc == MW_OK) ==
					   (strstr(log, "ERROR") == NULL));
		}
		if (rc != row->want || strcmp(got, row->transcript) != 0)
			fprintf(stderr,
				"  sent \"%s\"\n  want \"%s\"\n  log %s\n", got,
				row->transcript, row->ping ? err : log);
	}
	unlink(sockpath);
}

/* No cache configured: nothing to test, no connection. */
static void
ping_without_cache_is_ok(void)
{
	struct cfg cfg;
	char err[64] = "x";

	cfg_with_url(&cfg, NULL, NULL);
	CHECK(objcache_ping(&cfg, err, sizeof(err)) == MW_OK);
	CHECK(err[0] == '\0');
}

/* URLs that parse but reach nobody: a connect error, not a URL error. */
static const char *const unreachable_urls[] = {
	"redis://127.0.0.1:1",
	"redis://:pw@127.0.0.1:1/5",
	"redis://[::1]:1",
	"unix:///nonexistent/redis.sock?db=3",
};

static void
test_unreachable(void)
{
	static char log[LOG_CAP];
	char err[256];
	struct cfg cfg;
	size_t i;
	enum mw_err rc;

	for (i = 0; i < sizeof(unreachable_urls) / sizeof(unreachable_urls[0]);
	     i++) {
		const char *url = unreachable_urls[i];

		CHECK_CASE(url, cfg_with_url(&cfg, url, NULL));
		cap_begin();
		rc = objcache_invalidate(&cfg, bob, 1);
		cap_end(log, sizeof(log));
		CHECK_CASE(url, rc == MW_EUPSTREAM);
		CHECK_CASE(url, strstr(log, "cannot connect to redis") != NULL);
		CHECK_CASE(url, strstr(log, ":pw@") == NULL);
		rc = objcache_ping(&cfg, err, sizeof(err));
		CHECK_CASE(url, rc == MW_EUPSTREAM);
		CHECK_CASE(url, strstr(err, "cannot connect to redis") != NULL);
		cfg_redis_free(&cfg.redis_url);
	}
}

/* A server that accepts but never answers: the command timeout ends it. */
static void
invalidate_times_out_on_a_silent_server(void)
{
	static char log[LOG_CAP];
	struct cfg cfg;
	char url[64], err[256];
	unsigned port;
	enum mw_err rc;
	int lfd = listen_tcp(&port);

	CHECK(lfd >= 0);
	if (lfd < 0)
		return;
	snprintf(url, sizeof(url), "redis://127.0.0.1:%u", port);
	CHECK(cfg_with_url(&cfg, url, NULL));
	cap_begin();
	rc = objcache_invalidate(&cfg, bob, 1);
	cap_end(log, sizeof(log));
	CHECK(rc == MW_EUPSTREAM);
	CHECK(strstr(log, "redis DEL failed") != NULL);
	CHECK(objcache_ping(&cfg, err, sizeof(err)) == MW_EUPSTREAM);
	CHECK(strstr(err, "redis PING failed") != NULL);
	close(lfd);
	cfg_redis_free(&cfg.redis_url);
}

/* Nothing configured, or nothing changed: no connection, MW_OK. */
static void
invalidate_does_nothing_without_url_or_users(void)
{
	struct cfg cfg;

	cfg_with_url(&cfg, NULL, NULL);
	CHECK(objcache_invalidate(&cfg, bob, 1) == MW_OK);
	CHECK(cfg_with_url(&cfg, "redis://127.0.0.1:1", NULL));
	CHECK(objcache_invalidate(&cfg, bob, 0) == MW_OK);
	CHECK(objcache_invalidate(&cfg, NULL, 0) == MW_OK);
	cfg_redis_free(&cfg.redis_url);
}

/* SIGPIPE is ignored only while objcache talks to Redis. */
static void
invalidate_restores_sigpipe(void)
{
	struct sigaction sa;
	struct cfg cfg;
	char err[256];

	CHECK(cfg_with_url(&cfg, "redis://127.0.0.1:1", NULL));
	signal(SIGPIPE, SIG_DFL);
	cap_begin();
	CHECK(objcache_invalidate(&cfg, bob, 1) == MW_EUPSTREAM);
	cap_end((char[64]){0}, 64);
	CHECK(sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL);
	CHECK(objcache_ping(&cfg, err, sizeof(err)) == MW_EUPSTREAM);
	CHECK(sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL);
	cfg_redis_free(&cfg.redis_url);
}

int
main(void)
{
	char dir[] = "/tmp/test_objcache.XXXXXX", sock[64];

	log_set_level(LL_DEBUG);
	test_keys_table();
	test_keys_network_main_site();
	test_keys_large_batch();
	if (mkdtemp(dir) == NULL) {
		CHECK(false);
		return CHECK_DONE();
	}
	snprintf(sock, sizeof(sock), "%s/redis.sock", dir);
	test_live_table(sock);
	rmdir(dir);
	ping_without_cache_is_ok();
	test_unreachable();
	invalidate_times_out_on_a_silent_server();
	invalidate_does_nothing_without_url_or_users();
	invalidate_restores_sigpipe();
	return CHECK_DONE();
}
