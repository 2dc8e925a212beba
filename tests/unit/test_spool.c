/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_spool.c - the local queue's files and its journal: what goes in
 * comes out, in arrival order wherever it is, a full spool refuses the
 * whole batch and leaves nothing, damaged and hostile files and slots are
 * refused with a reason, dead letters go back with --requeue.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "queue/spool.h"

static char dir[256];

static void
job(struct spool_job *j, uint64_t cid, const char *action)
{
	memset(j, 0, sizeof(*j));
	snprintf(j->action, sizeof(j->action), "%s", action);
	j->contact_id = cid;
	snprintf(j->role, sizeof(j->role), "author");
	j->notify = true;
	j->received_ms = 1700000000123;
	snprintf(j->reqid, sizeof(j->reqid), "0123456789abcdef");
}

static size_t
count(const char *sub)
{
	char p[512];
	size_t n = 0;
	FILE *f;

	snprintf(p, sizeof(p), "ls -A %s/%s | wc -l", dir, sub);
	f = popen(p, "r");
	if (f == NULL || fscanf(f, "%zu", &n) != 1)
		n = (size_t)-1;
	if (f != NULL)
		pclose(f);
	return n;
}

static void
write_file(const char *sub, const char *name, const void *data, size_t len,
	   mode_t mode)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s/%s", dir, sub, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, data, len) == (ssize_t)len);
	close(fd);
	chmod(p, mode);
}

static void
test_roundtrip(void)
{
	struct spool_job in[2], out;
	char **names = NULL, why[128];
	size_t n = 0;

	job(&in[0], 42, "update_tags");
	job(&in[1], 7, "add");
	snprintf(in[1].email, sizeof(in[1].email), "a@example.com");
	CHECK(spool_put(dir, 100, false, in, 2) == MW_OK);
	CHECK(count("new") == 2);
	CHECK(count("tmp") == 0);
	CHECK(spool_list(dir, &names, &n) == MW_OK);
	CHECK(n == 2);
	if (n == 2) {
		/* Sorted by arrival. */
		CHECK_STR(names[0], in[0].name);
		CHECK(spool_load(dir, names[1], &out, why, sizeof(why)) ==
		      MW_OK);
		CHECK_STR(out.action, "add");
		CHECK(out.contact_id == 7);
		CHECK_STR(out.email, "a@example.com");
		CHECK_STR(out.role, "author");
		CHECK(out.notify);
		CHECK(out.received_ms == 1700000000123);
		CHECK_STR(out.name, names[1]);
		out.attempts = 3;
		out.next_ms = 99;
		snprintf(out.error, sizeof(out.error), "mautic_timeout");
		CHECK(spool_update(dir, &out) == MW_OK);
		CHECK(spool_load(dir, names[1], &out, why, sizeof(why)) ==
		      MW_OK);
		CHECK(out.attempts == 3 && out.next_ms == 99);
		CHECK_STR(out.error, "mautic_timeout");
		CHECK(spool_remove(dir, names[0]) == MW_OK);
		CHECK(spool_remove(dir, names[1]) == MW_OK);
		CHECK(spool_remove(dir, names[1]) == MW_OK); /* gone is ok */
	}
	spool_names_free(names, n);
	CHECK(count("new") == 0);
}

static void
test_full(void)
{
	struct spool_job in[3];
	size_t i;

	for (i = 0; i < 3; i++)
		job(&in[i], 100 + i, "update");
	CHECK(spool_put(dir, 3, false, in, 2) == MW_OK);
	/* Two more would make four: the whole call is refused. */
	CHECK(spool_put(dir, 3, false, in, 2) == MW_EFULL);
	CHECK(count("new") == 2);
	CHECK(count("tmp") == 0);
	CHECK(spool_put(dir, 3, false, in, 1) == MW_OK);
	CHECK(count("new") == 3);
	/* The first job was put again under a new name. */
	CHECK(spool_remove(dir, in[0].name) == MW_OK);
	CHECK(spool_remove(dir, in[1].name) == MW_OK);
	CHECK(count("new") == 1);
	CHECK(system("rm -f /tmp/mw-test-spool-*/new/*") == 0);
}

/* Every damaged or hostile file is refused (MW_EINPUT) with a reason. */
static void
test_hostile(void)
{
	struct spool_job j, out;
	char good[SPOOL_FILE_MAX], why[128], p[512];
	size_t len;

	job(&j, 5, "update");
	len = spool_encode(&j, good, sizeof(good));
	CHECK(len > 0);

	write_file("new", "truncated.job", good, len - 3, 0600);
	CHECK(spool_load(dir, "truncated.job", &out, why, sizeof(why)) ==
	      MW_EINPUT);
	CHECK(strstr(why, "truncated") != NULL);

	write_file("new", "garbage.job", "\x01\x02garbage", 9, 0600);
	CHECK(spool_load(dir, "garbage.job", &out, why, sizeof(why)) ==
	      MW_EINPUT);
	CHECK(strstr(why, "header") != NULL);

	good[len - 2] ^= 1; /* one bit of the payload */
	write_file("new", "flipped.job", good, len, 0600);
	good[len - 2] ^= 1;
	CHECK(spool_load(dir, "flipped.job", &out, why, sizeof(why)) ==
	      MW_EINPUT);
	CHECK(strstr(why, "checksum") != NULL);

	write_file("new", "open.job", good, len, 0644);
	CHECK(spool_load(dir, "open.job", &out, why, sizeof(why)) == MW_EINPUT);
	CHECK(strstr(why, "other users") != NULL);

	snprintf(p, sizeof(p), "%s/new/link.job", dir);
	CHECK(symlink("/etc/passwd", p) == 0);
	CHECK(spool_load(dir, "link.job", &out, why, sizeof(why)) == MW_EINPUT);
	CHECK(strstr(why, "symlink") != NULL);

	snprintf(p, sizeof(p), "%s/new/dir.job", dir);
	CHECK(mkdir(p, 0700) == 0);
	CHECK(spool_load(dir, "dir.job", &out, why, sizeof(why)) == MW_EINPUT);

	write_file("new", "ok.job", good, len, 0600);
	CHECK(spool_load(dir, "ok.job", &out, why, sizeof(why)) == MW_OK);

	/* A vanished file is not hostile: try later. */
	CHECK(spool_load(dir, "none.job", &out, why, sizeof(why)) ==
	      MW_EINTERNAL);

	/* Into dead/, each with its reason; the symlink itself moves. */
	CHECK(spool_bury(dir, "truncated.job", "truncated") == MW_OK);
	CHECK(spool_bury(dir, "garbage.job", "garbage") == MW_OK);
	CHECK(spool_bury(dir, "link.job", "a symlink") == MW_OK);
	CHECK(spool_bury(dir, "ok.job", "contact 5 deleted in Mautic") ==
	      MW_OK);
	CHECK(count("dead") == 8);
	CHECK(access("/etc/passwd", F_OK) == 0);
}

static void
test_requeue_stats(void)
{
	size_t moved = 0, left = 0, depth = 9, dead = 9;
	long long oldest = -1;

	CHECK(system("rm -rf /tmp/mw-test-spool-*/new/*") == 0);
	CHECK(spool_stats(dir, &depth, &oldest, &dead) == MW_OK);
	CHECK(depth == 0 && oldest == 0 && dead == 4);
	CHECK(spool_requeue(dir, &moved, &left) == MW_OK);
	/* Only the good one comes back; the damaged ones stay dead. */
	CHECK(moved == 1 && left == 3);
	CHECK(spool_stats(dir, &depth, &oldest, &dead) == MW_OK);
	CHECK(depth == 1 && dead == 3 && oldest > 0);
}

/* ---- the journal ---------------------------------------------------- */

#define SLOT 1024 /* bytes of a slot, as journal.c lays them out */

static unsigned
slot_of(const char *name)
{
	const char *d = strrchr(name, '.');

	return d != NULL && d[1] == 's' ? (unsigned)strtoul(d + 2, NULL, 10)
					: 99999u;
}

static size_t
listed(char ***names)
{
	size_t n = 0;

	*names = NULL;
	CHECK(spool_list(dir, names, &n) == MW_OK);
	return n;
}

/* Remove whatever is queued. */
static void
empty_queue(void)
{
	char **names;
	size_t i, n = listed(&names);

	for (i = 0; i < n; i++)
		CHECK(spool_remove(dir, names[i]) == MW_OK);
	spool_names_free(names, n);
}

static void
test_journal_roundtrip(void)
{
	struct spool_job in[2], out;
	char **names, why[128], p[512];
	struct stat st;
	size_t n;

	job(&in[0], 42, "update_tags");
	job(&in[1], 7, "add");
	CHECK(spool_put(dir, 100, true, in, 2) == MW_OK);
	/* Slots of the journal, no file. */
	CHECK(count("new") == 0 && count("tmp") == 0);
	snprintf(p, sizeof(p), "%s/journal", dir);
	CHECK(stat(p, &st) == 0 && st.st_size == SPOOL_JOURNAL_SLOTS * SLOT &&
	      (st.st_mode & 0777) == 0600);
	CHECK(slot_of(in[0].name) < SPOOL_JOURNAL_SLOTS);
	n = listed(&names);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(names[0], in[0].name);
		CHECK_STR(names[1], in[1].name);
		CHECK(spool_load(dir, names[1], &out, why, sizeof(why)) ==
		      MW_OK);
		CHECK_STR(out.action, "add");
		CHECK(out.contact_id == 7 && out.notify);
		out.attempts = 2;
		snprintf(out.error, sizeof(out.error), "mautic_unavailable");
		CHECK(spool_update(dir, &out) == MW_OK);
		CHECK(spool_load(dir, names[1], &out, why, sizeof(why)) ==
		      MW_OK);
		CHECK(out.attempts == 2);
		CHECK_STR(out.error, "mautic_unavailable");
		CHECK(spool_remove(dir, names[0]) == MW_OK);
		CHECK(spool_remove(dir, names[0]) == MW_OK); /* gone is ok */
		/* A removed job's name no longer loads. */
		CHECK(spool_load(dir, names[0], &out, why, sizeof(why)) ==
		      MW_EINTERNAL);
		CHECK(spool_remove(dir, names[1]) == MW_OK);
	}
	spool_names_free(names, n);
	n = listed(&names);
	CHECK(n == 0);
	spool_names_free(names, n);
}

/* Files and slots list together, by arrival. */
static void
test_journal_order_and_limit(void)
{
	struct spool_job a, b, c;
	char **names;
	size_t n, depth = 0, dead = 0;
	long long oldest = 0;

	job(&a, 1, "update");
	job(&b, 2, "update");
	job(&c, 3, "update");
	CHECK(spool_put(dir, 3, false, &a, 1) == MW_OK);
	CHECK(spool_put(dir, 3, true, &b, 1) == MW_OK);
	CHECK(spool_put(dir, 3, false, &c, 1) == MW_OK);
	n = listed(&names);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR(names[0], a.name);
		CHECK_STR(names[1], b.name);
		CHECK_STR(names[2], c.name);
	}
	spool_names_free(names, n);
	/* The slot counts toward max_jobs like a file. */
	CHECK(spool_put(dir, 3, true, &a, 1) == MW_EFULL);
	CHECK(spool_stats(dir, &depth, &oldest, &dead) == MW_OK);
	CHECK(depth == 3 && oldest > 0);
	CHECK(spool_remove(dir, a.name) == MW_OK);
	CHECK(spool_remove(dir, b.name) == MW_OK);
	CHECK(spool_remove(dir, c.name) == MW_OK);
}

static void
slot_bytes(unsigned slot, void *buf, bool write)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/journal", dir);
	fd = open(p, O_RDWR);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	if (write)
		CHECK(pwrite(fd, buf, SLOT, (off_t)slot * SLOT) == SLOT);
	else
		CHECK(pread(fd, buf, SLOT, (off_t)slot * SLOT) == SLOT);
	close(fd);
}

/* A damaged slot or a copied record is listed, refused with its reason
 * and buried with the slot's bytes; the slot is then free. */
static void
test_journal_damaged(void)
{
	struct spool_job j, out;
	unsigned char s[SLOT];
	char **names, why[160];
	size_t n, dead0 = count("dead");
	unsigned slot, other;

	job(&j, 9, "update");
	CHECK(spool_put(dir, 100, true, &j, 1) == MW_OK);
	slot = slot_of(j.name);
	other = (slot + 7) % SPOOL_JOURNAL_SLOTS;
	slot_bytes(slot, s, false);
	slot_bytes(other, s, true); /* the record in a slot not its own */
	s[200] ^= 1;		    /* one bit of the job */
	slot_bytes(slot, s, true);
	n = listed(&names);
	CHECK(n == 2);
	for (size_t i = 0; i < n; i++) {
		CHECK(strstr(names[i], "damaged") != NULL);
		CHECK(spool_load(dir, names[i], &out, why, sizeof(why)) ==
		      MW_EINPUT);
		CHECK(strstr(why, slot_of(names[i]) == slot
					  ? "checksum"
					  : "another slot") != NULL);
		CHECK(spool_bury(dir, names[i], why) == MW_OK);
	}
	spool_names_free(names, n);
	CHECK(count("dead") == dead0 + 4);
	n = listed(&names);
	CHECK(n == 0);
	spool_names_free(names, n);
}

/* A slot being written is skipped, not refused. */
static void
test_journal_busy(void)
{
	struct spool_job j, out;
	struct flock fl;
	char p[512], why[128];
	int fd;

	job(&j, 11, "update");
	CHECK(spool_put(dir, 100, true, &j, 1) == MW_OK);
	snprintf(p, sizeof(p), "%s/journal", dir);
	fd = open(p, O_RDWR);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)slot_of(j.name) * SLOT;
	fl.l_len = SLOT;
	CHECK(fd >= 0 && fcntl(fd, F_OFD_SETLK, &fl) == 0);
	CHECK(spool_load(dir, j.name, &out, why, sizeof(why)) == MW_EINTERNAL);
	close(fd);
	CHECK(spool_load(dir, j.name, &out, why, sizeof(why)) == MW_OK);
	CHECK(spool_remove(dir, j.name) == MW_OK);
}

/* A journal open to others is not used (files instead), and the worker's
 * listing moves it to dead/; the next job makes a new one. */
static void
test_journal_refused(void)
{
	struct spool_job j;
	char p[512], **names;
	size_t n, dead0 = count("dead");

	snprintf(p, sizeof(p), "%s/journal", dir);
	CHECK(chmod(p, 0644) == 0);
	job(&j, 12, "update");
	CHECK(spool_put(dir, 100, true, &j, 1) == MW_OK);
	CHECK(count("new") == 1 && slot_of(j.name) == 99999u);
	n = listed(&names);
	CHECK(n == 1);
	spool_names_free(names, n);
	CHECK(count("dead") == dead0 + 2);
	CHECK(access(p, F_OK) != 0);
	CHECK(spool_remove(dir, j.name) == MW_OK);
	CHECK(spool_put(dir, 100, true, &j, 1) == MW_OK);
	CHECK(count("new") == 0 && access(p, F_OK) == 0);
	CHECK(spool_remove(dir, j.name) == MW_OK);
}

static void
test_decode_rows(void)
{
	static const struct {
		const char *text;
		enum mw_err want;
	} rows[] = {
		{"", MW_EINPUT},
		{"MWQ1 ", MW_EINPUT},
		{"MWQ1 0 00000000\n", MW_EINPUT},
		{"MWQ2 3 00000000\nabc", MW_EINPUT},
		{"MWQ1 9999999 00000000\n", MW_EINPUT},
	};
	struct spool_job j;
	char buf[SPOOL_FILE_MAX], why[128];
	size_t i, len;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK_CASE(rows[i].text,
			   spool_decode(rows[i].text, strlen(rows[i].text), &j,
					why, sizeof(why)) == rows[i].want);
	/* A newline in a field cannot be encoded. */
	job(&j, 1, "update");
	snprintf(j.role, sizeof(j.role), "a\nb");
	CHECK(spool_encode(&j, buf, sizeof(buf)) == 0);
	job(&j, 1, "update");
	len = spool_encode(&j, buf, sizeof(buf));
	CHECK(spool_decode(buf, len, &j, why, sizeof(why)) == MW_OK);
	CHECK(spool_crc32("123456789", 9) == 0xcbf43926u);
}

int
main(void)
{
	char why[256];

	snprintf(dir, sizeof(dir), "/tmp/mw-test-spool-%d", (int)getpid());
	CHECK(spool_init(dir, why, sizeof(why)) == MW_OK);
	CHECK(spool_init("relative/dir", why, sizeof(why)) == MW_ECONFIG);
	test_roundtrip();
	test_full();
	test_hostile();
	test_requeue_stats();
	test_decode_rows();
	empty_queue();
	test_journal_roundtrip();
	test_journal_order_and_limit();
	test_journal_damaged();
	test_journal_busy();
	test_journal_refused();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK(system(cmd) == 0);
	}
	return CHECK_DONE();
}
