/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_request.c - req_parse() on hostile CGI input.
 *
 * Input layout: byte 0 picks the variant, the rest is QUERY_STRING up to
 * the first NUL and the body after it (exact size, not NUL-terminated).
 * Variant bits:
 *   0x03  method: GET, POST, PUT, HEAD
 *   0x0c  CONTENT_TYPE: none, form, application/json, text/plain
 *   0x10  X-Access-Key header carries the right key
 *   0x20  Webhook-Signature is the right HMAC of the body (reaches the
 *         JSON parser while a secret is configured)
 *   0x40  no [webhook] secret configured
 *   0x80  signature header with blanks and a wrong value
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {"GET", "POST", "PUT", "HEAD"};
static const char *const ctypes[] = {
	NULL,
	"application/x-www-form-urlencoded",
	"application/json",
	"text/plain",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char key[] = "test-key-123";
	static char secret[] = "secret";
	struct cfg cfg;
	struct req_env env;
	struct request req;
	char msg[REQ_MSG_MAX], sig[64];
	const uint8_t *nul;
	char *query, *body;
	size_t qlen, blen;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	nul = memchr(data, 0, size);
	qlen = nul ? (size_t)(nul - data) : size;
	blen = nul ? size - qlen - 1 : 0;
	query = malloc(qlen + 1);
	body = malloc(blen ? blen : 1);
	if (query == NULL || body == NULL)
		goto out;
	memcpy(query, data, qlen);
	query[qlen] = '\0';
	if (blen > 0)
		memcpy(body, nul + 1, blen);

	memset(&cfg, 0, sizeof(cfg));
	cfg.access_key = key;
	cfg.secret = (sel & 0x40) ? NULL : secret;
	memset(&env, 0, sizeof(env));
	env.method = methods[sel & 3];
	env.query = query;
	env.content_type = ctypes[(sel >> 2) & 3];
	env.access_key = (sel & 0x10) ? key : NULL;
	if (sel & 0x20) {
		req_signature(secret, body, blen, sig);
		env.signature = sig;
	} else if (sel & 0x80) {
		env.signature =
			" Jwz3HIFd4swNARoMRGVoldnEUmAEBrKgV6V0Q5gtZaQ= ";
	}
	msg[0] = '\0';
	/* A refusal always says why; the text ends within msg. */
	if (req_parse(&env, blen ? body : NULL, blen, &cfg, &req, msg,
		      sizeof(msg)) != MW_OK &&
	    (msg[0] == '\0' || memchr(msg, '\0', sizeof(msg)) == NULL))
		abort();
	req_free(&req);
out:
	free(query);
	free(body);
	return 0;
}
