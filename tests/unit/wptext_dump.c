/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wptext_dump.c - what lib/formats/wptext.c makes of each input of a cases
 * file, printed as tests/unit/wptext_parity.php prints WordPress's own
 * results, so that tests/parity_wptext.sh can compare the two byte for
 * byte.
 *
 *   wptext_dump CASES-FILE      "<case>\ttext\t<value>" lines
 *
 * Cases file: one input per line; \n \t \r \\ and \xNN are decoded; a line
 * starting with "# " is a comment.  Values are escaped as the PHP side
 * does (bytes < 0x20, 0x7f and '\' escaped; other bytes raw); a value we
 * refuse is "!ERR".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/wptext.h"

#define LINE_MAX_BYTES 65536

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Decode the escapes of s in place; returns the decoded length. */
static size_t
decode(char *s, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		if (s[i] != '\\' || i + 1 == n) {
			s[o++] = s[i++];
			continue;
		}
		switch (s[i + 1]) {
		case 'n':
			s[o++] = '\n';
			i += 2;
			break;
		case 't':
			s[o++] = '\t';
			i += 2;
			break;
		case 'r':
			s[o++] = '\r';
			i += 2;
			break;
		default:
			if (s[i + 1] == 'x' && i + 3 < n &&
			    hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0) {
				s[o++] = (char)(hexval(s[i + 2]) * 16 +
						hexval(s[i + 3]));
				i += 4;
				break;
			}
			/* any other escaped byte stands for itself */
			s[o++] = s[i + 1];
			i += 2;
			break;
		}
	}
	return o;
}

static void
put_escaped(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\')
			fputs("\\\\", stdout);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\t')
			fputs("\\t", stdout);
		else if (c == '\r')
			fputs("\\r", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

int
main(int argc, char **argv)
{
	static char line[LINE_MAX_BYTES], out[LINE_MAX_BYTES * 2];
	unsigned cs = 0;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: wptext_dump CASES-FILE\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (f == NULL) {
		perror(argv[1]);
		return 2;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strlen(line);

		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (strncmp(line, "# ", 2) == 0)
			continue;
		n = decode(line, n);
		printf("%u\ttext\t", cs++);
		/* An input with a NUL byte: PHP sees all of it, our API
		 * stops at the NUL (a Mautic value never holds one). */
		if (memchr(line, '\0', n) != NULL) {
			fputs("!NUL\n", stdout);
			continue;
		}
		line[n] = '\0';
		if (wptext_text_field(line, out, sizeof(out)) != MW_OK)
			fputs("!ERR", stdout);
		else
			put_escaped(out, strlen(out));
		putchar('\n');
	}
	fclose(f);
	return 0;
}
