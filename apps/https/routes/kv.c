/*
 * kv.c - an example microservice for the https application: a JSON
 * key-value store in fixed slots, registered through https.routes.
 *
 *   GET    /kv/          {"keys":["a","b"]}, in slot order
 *   GET    /kv/<key>     the stored JSON document, or 404
 *   PUT    /kv/<key>     store the body (a JSON document): 201 when new,
 *                        200 when replaced; 400 bad key or JSON, 413
 *                        over KV_VALUE_MAX, 507 when every slot is taken
 *   DELETE /kv/<key>     204, or 404
 *
 * Keys are 1..KV_KEY_MAX characters of [A-Za-z0-9._-]; values are checked
 * to be one JSON value (RFC 8259), at most KV_DEPTH_MAX deep, before they
 * are kept. Everything lives in a static table: KV_SLOTS x
 * (KV_KEY_MAX + KV_VALUE_MAX) bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "https.h"

#define KV_SLOTS     32
#define KV_KEY_MAX   64
#define KV_VALUE_MAX 1024
#define KV_DEPTH_MAX 16

struct kv_slot {
	bool used;
	uint8_t key_len;
	uint16_t value_len;
	char key[KV_KEY_MAX];
	char value[KV_VALUE_MAX];
};

static struct kv_slot kv_slots[KV_SLOTS];

void https_register_kv(void);

/* ---- a strict JSON checker (RFC 8259) ----------------------------------- */

struct kv_json {
	const uint8_t *p, *end;
	int depth;
};

static bool kv_json_value(struct kv_json *j);

static void kv_json_ws(struct kv_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
				 *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool kv_json_lit(struct kv_json *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	return true;
}

static bool kv_json_string(struct kv_json *j)
{
	if (j->p >= j->end || *j->p != '"')
		return false;
	for (j->p++; j->p < j->end; j->p++) {
		uint8_t c = *j->p;

		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		if (++j->p >= j->end)
			return false;
		if (*j->p == 'u') {
			for (int i = 0; i < 4; i++) {
				uint8_t h;

				if (++j->p >= j->end)
					return false;
				h = *j->p | 0x20;
				if (!((h >= '0' && h <= '9') ||
				      (h >= 'a' && h <= 'f')))
					return false;
			}
		} else if (!strchr("\"\\/bfnrt", *j->p) || *j->p == 0) {
			return false;
		}
	}
	return false;
}

static bool kv_json_digits(struct kv_json *j)
{
	const uint8_t *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool kv_json_number(struct kv_json *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!kv_json_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!kv_json_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!kv_json_digits(j))
			return false;
	}
	return true;
}

/* An object or array: members until `close`. */
static bool kv_json_container(struct kv_json *j, uint8_t close, bool obj)
{
	if (++j->depth > KV_DEPTH_MAX)
		return false;
	j->p++;
	kv_json_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return true;
	}
	for (;;) {
		if (obj) {
			if (!kv_json_string(j))
				return false;
			kv_json_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return false;
		}
		if (!kv_json_value(j))
			return false;
		if (j->p >= j->end)
			return false;
		if (*j->p == close) {
			j->p++;
			j->depth--;
			return true;
		}
		if (*j->p++ != ',')
			return false;
		kv_json_ws(j);
	}
}

static bool kv_json_value(struct kv_json *j)
{
	bool ok;

	kv_json_ws(j);
	if (j->p >= j->end)
		return false;
	switch (*j->p) {
	case '{': ok = kv_json_container(j, '}', true); break;
	case '[': ok = kv_json_container(j, ']', false); break;
	case '"': ok = kv_json_string(j); break;
	case 't': ok = kv_json_lit(j, "true"); break;
	case 'f': ok = kv_json_lit(j, "false"); break;
	case 'n': ok = kv_json_lit(j, "null"); break;
	default: ok = kv_json_number(j); break;
	}
	kv_json_ws(j);
	return ok;
}

static bool kv_json_valid(const uint8_t *p, size_t len)
{
	struct kv_json j = {p, p + len, 0};

	return kv_json_value(&j) && j.p == j.end;
}

/* ---- the store ------------------------------------------------------------- */

static bool kv_key_ok(const char *k, size_t len)
{
	if (len == 0 || len > KV_KEY_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = k[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

static struct kv_slot *kv_find(const char *k, size_t len)
{
	for (size_t i = 0; i < KV_SLOTS; i++)
		if (kv_slots[i].used && kv_slots[i].key_len == len &&
		    memcmp(kv_slots[i].key, k, len) == 0)
			return &kv_slots[i];
	return NULL;
}

static void kv_fail(struct https_response *res, int status, const char *why)
{
	res->status = status;
	res->len = 0;
	https_response_printf(res, "{\"error\":\"%s\"}\n", why);
}

static void kv_list(struct https_response *res)
{
	bool first = true;

	https_response_printf(res, "{\"keys\":[");
	for (size_t i = 0; i < KV_SLOTS; i++) {
		if (!kv_slots[i].used)
			continue;
		https_response_printf(res, "%s\"%.*s\"", first ? "" : ",",
				      (int)kv_slots[i].key_len,
				      kv_slots[i].key);
		first = false;
	}
	https_response_printf(res, "]}\n");
}

static void kv_put(const struct https_request *req, struct https_response *res,
		   struct kv_slot *s)
{
	bool created = !s;

	if (req->body_len > KV_VALUE_MAX) {
		kv_fail(res, 413, "value too large");
		return;
	}
	if (!kv_json_valid(req->body, req->body_len)) {
		kv_fail(res, 400, "body is not one JSON value");
		return;
	}
	for (size_t i = 0; !s && i < KV_SLOTS; i++)
		if (!kv_slots[i].used)
			s = &kv_slots[i];
	if (!s) {
		kv_fail(res, 507, "store full");
		return;
	}
	s->used = true;
	s->key_len = (uint8_t)req->rest_len;
	memcpy(s->key, req->rest, req->rest_len);
	s->value_len = (uint16_t)req->body_len;
	memcpy(s->value, req->body, req->body_len);
	res->status = created ? 201 : 200;
	https_response_printf(res, "{\"key\":\"%.*s\",\"bytes\":%zu}\n",
			      (int)req->rest_len, req->rest, req->body_len);
}

static void kv_handle(const struct https_request *req,
		      struct https_response *res)
{
	struct kv_slot *s;

	if (req->rest_len == 0 && req->method == HTTP_METHOD_GET) {
		kv_list(res);
		return;
	}
	if (!kv_key_ok(req->rest, req->rest_len)) {
		kv_fail(res, 400, "bad key");
		return;
	}
	s = kv_find(req->rest, req->rest_len);
	switch (req->method) {
	case HTTP_METHOD_GET:
		if (!s)
			kv_fail(res, 404, "no such key");
		else
			https_response_append(res, s->value, s->value_len);
		break;
	case HTTP_METHOD_PUT:
		kv_put(req, res, s);
		break;
	case HTTP_METHOD_DELETE:
		if (!s) {
			kv_fail(res, 404, "no such key");
		} else {
			s->used = false;
			res->status = 204;
		}
		break;
	default:
		kv_fail(res, 405, "method");
		break;
	}
}

void https_register_kv(void)
{
	https_route_add("/kv/*",
			HTTP_METHOD_BIT(HTTP_METHOD_GET) |
			    HTTP_METHOD_BIT(HTTP_METHOD_PUT) |
			    HTTP_METHOD_BIT(HTTP_METHOD_DELETE),
			kv_handle);
}
