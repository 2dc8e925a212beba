#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mautic-emu: a small HTTPS emulator of the Mautic 5 REST API, for tests.

Serves /api/contacts*, /api/fields/contact, /api/tags and /oauth/v2/token the
way Mautic 5.1 does (docs/mautic.md describes the formats), plus a
control API under /_emu/ (no auth) that tests use to seed contacts, inject
faults, read the request log and make the emulator send global and campaign
webhooks.  Standard library only; run with /usr/bin/python3.

  mautic-emu.py --host 127.0.0.1 --port P --cert F --key F [--pidfile F] [--log F]
  mautic-emu.py --self-test
"""
import argparse
import base64
import copy
import hashlib
import hmac
import html
import http.client
import json
import os
import re
import secrets
import signal
import ssl
import sys
import threading
import time
import traceback
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import (parse_qsl, quote_plus, unquote_to_bytes,
                          urljoin, urlsplit)

DEFAULT_CONFIG = {
    "api_enabled": True, "basic_auth_enabled": True,
    "users": {"apiuser": "apipass"}, "clients": {"1_testclient": "testsecret"},
    "token_lifetime": 3600, "drop_zero_on_patch": True, "version": "5.1.0",
    # Extensions (not in the brief's list, all off or neutral by default):
    "client_credentials_allowed": None,  # list of client ids, None = all
    "merge_on_unique": True,    # PATCH/POST with another contact's email merges
    "rate_limit": 0,            # API calls per hour per credential, 0 = off
    "site_url": None,           # X-Origin-Base-URL, default https://host:port
}

# ----------------------------------------------------------------------------
# 1. PHP-compatible encoders
# ----------------------------------------------------------------------------

def php_json(obj):
    """json_encode() with PHP's default flags: compact, \\/ and \\uXXXX."""
    s = json.dumps(obj, ensure_ascii=True, separators=(",", ":"))
    return s.replace("/", "\\/")


def php_float_str(f):
    """PHP (string)$float with serialize_precision -1."""
    if f == int(f) and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def php_serialize(v):
    """serialize() for dict/list/str/int/float/bool/None."""
    if v is None:
        return "N;"
    if isinstance(v, bool):
        return "b:%d;" % v
    if isinstance(v, int):
        return "i:%d;" % v
    if isinstance(v, float):
        return "d:%s;" % (repr(v) if v != int(v) else str(int(v)))
    if isinstance(v, str):
        return 's:%d:"%s";' % (len(v.encode()), v)
    items = list(v.items()) if isinstance(v, dict) else list(enumerate(v))
    out = []
    for k, val in items:
        if isinstance(k, int) or re.fullmatch(r"-?[1-9][0-9]*|0", str(k)):
            out.append("i:%d;" % int(k))
        else:
            out.append(php_serialize(str(k)))
        out.append(php_serialize(val))
    return "a:%d:{%s}" % (len(items), "".join(out))


def php_urlencode(s):
    """urlencode(): RFC 1738, space as '+', '~' encoded."""
    return quote_plus(s, safe="").replace("~", "%7E")


def php_build_query(d):
    return "&".join(php_urlencode(str(k)) + "=" + php_urlencode(str(v))
                    for k, v in d.items() if v is not None)


def php_rawurldecode(s):
    return unquote_to_bytes(s).decode("utf-8", "replace")


def php_empty(v):
    return v in (None, "", "0", 0, 0.0, False) or v == [] or v == {}


def php_numeric(v):
    """Return the float of a PHP is_numeric() value, else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str) and re.fullmatch(
            r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*", v):
        return float(v)
    return None


def php_parse_qs(qs):
    """parse_str(): a[]=1&a[]=2 -> list, w[0][col]=x -> nested."""
    root = {}
    for k, v in parse_qsl(qs, keep_blank_values=True):
        m = re.match(r"^([^\[]+)((?:\[[^\]]*\])*)$", k)
        if not m or not m.group(2):
            root[k] = v
            continue
        keys = [m.group(1)] + re.findall(r"\[([^\]]*)\]", m.group(2))
        cur = root
        for i, key in enumerate(keys):
            if key == "":
                key = str(len(cur))
            if i == len(keys) - 1:
                cur[key] = v
            else:
                if not isinstance(cur.get(key), dict):
                    cur[key] = {}
                cur = cur[key]
    return _listify(root)


def _listify(d):
    if not isinstance(d, dict):
        return d
    d = {k: _listify(v) for k, v in d.items()}
    if d and list(d.keys()) == [str(i) for i in range(len(d))]:
        return list(d.values())
    return d


def webhook_normalize(v):
    """json_decode(..., true) + json_encode(): {} -> [], 5.0 -> 5."""
    if isinstance(v, dict):
        return {k: webhook_normalize(x) for k, x in v.items()} if v else []
    if isinstance(v, list):
        return [webhook_normalize(x) for x in v]
    if isinstance(v, float) and v == int(v) and abs(v) < 1e15:
        return int(v)
    return v


def sign(body, secret):
    mac = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def now_iso():
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def sub_error(code, etype, message):
    """Error built by ApiSubscriber: keys message, code, type."""
    return php_json({"errors": [{"message": message, "code": code,
                                 "type": etype}]})


def ctl_error(code, message, details=None):
    """Error built by a controller: keys code, message, details, type."""
    return php_json({"errors": [{"code": code, "message": message,
                                 "details": details or [], "type": None}]})


DEFAULT_ERROR_MESSAGES = {
    400: "Bad request.", 403: "You do not have access to the requested area/action.",
    404: "Item was not found.", 405: "Method not allowed.",
    500: "Looks like I encountered an error (error code: 500). If I do it "
         "again, please report me to the system administrator!",
}


def default_error_body(status):
    if status == 401:
        return sub_error(401, "access_denied", "API authorization denied.")
    if status == 429:
        return ('{ "errors": [ { "code": 429, "message": "You exceeded the '
                'rate limit of 0 API calls per hour.", "details": [] } ]}')
    return ctl_error(status, DEFAULT_ERROR_MESSAGES.get(
        status, http.client.responses.get(status, "Error")))

# ----------------------------------------------------------------------------
# 2. Field catalog and value representation
# ----------------------------------------------------------------------------

_F = [  # id, alias, type, group, label, properties
    (1, "title", "lookup", "core", "Title", {"list": "Mr|Mrs|Miss"}),
    (2, "firstname", "text", "core", "First Name", {}),
    (3, "lastname", "text", "core", "Last Name", {}),
    (4, "company", "text", "core", "Primary company", {}),
    (5, "position", "text", "core", "Position", {}),
    (6, "email", "email", "core", "Email", {}),
    (7, "mobile", "tel", "core", "Mobile", {}),
    (8, "phone", "tel", "core", "Phone", {}),
    (9, "points", "number", "core", "Points", {}),
    (10, "fax", "tel", "core", "Fax", {}),
    (11, "address1", "text", "core", "Address Line 1", {}),
    (12, "address2", "text", "core", "Address Line 2", {}),
    (13, "city", "text", "core", "City", {}),
    (14, "state", "region", "core", "State", {}),
    (15, "zipcode", "text", "core", "Zip Code", {}),
    (16, "country", "country", "core", "Country", {}),
    (17, "preferred_locale", "locale", "core", "Preferred Locale", {}),
    (18, "timezone", "timezone", "core", "Preferred Timezone", {}),
    (19, "last_active", "datetime", "core", "Date Last Active", {}),
    (20, "attribution_date", "datetime", "core", "Attribution Date", {}),
    (21, "attribution", "number", "core", "Attribution",
     {"roundmode": 4, "scale": 2}),
    (22, "website", "url", "core", "Website", {}),
    (23, "facebook", "text", "social", "Facebook", {}),
    (24, "foursquare", "text", "social", "Foursquare", {}),
    (26, "instagram", "text", "social", "Instagram", {}),
    (27, "linkedin", "text", "social", "LinkedIn", {}),
    (28, "skype", "text", "social", "Skype", {}),
    (29, "twitter", "text", "social", "Twitter", {}),
]
DEFAULT_FIELDS = [dict(id=i, alias=a, type=t, group=g, label=lb, properties=p,
                       order=n + 1, is_fixed=True, default_value=None)
                  for n, (i, a, t, g, lb, p) in enumerate(_F)]
GROUPS = ("core", "social", "personal", "professional")
TEXT_TYPES = {"text", "textarea", "email", "tel", "url", "lookup", "country",
              "region", "locale", "timezone", "html"}
LENGTH_191 = {"text", "lookup"}
SPECIAL_KEYS = {"tags", "owner", "stage", "ipAddress", "lastActive",
                "overwriteWithBlank", "doNotContact", "frequencyRules",
                "companies", "id"}
NOT_VALID = "This value is not valid."


def field_options(props):
    """FormFieldHelper::parseList: [(value, label), ...]."""
    lst = props.get("list") if isinstance(props, dict) else None
    if isinstance(lst, str):
        return [(x, x) for x in lst.split("|") if x != ""]
    if isinstance(lst, dict):
        return [(str(k), str(v)) for k, v in lst.items()]
    if isinstance(lst, list):
        return [(str(o.get("value")), str(o.get("label"))) if isinstance(o, dict)
                else (str(o), str(o)) for o in lst]
    return []


def parse_when(raw):
    """strtotime()-ish: ISO date/datetime (offset converted to UTC)."""
    s = str(raw).strip()
    if re.fullmatch(r"\d+", s):
        return datetime.fromtimestamp(int(s), timezone.utc).replace(tzinfo=None)
    if re.fullmatch(r"\d\d:\d\d(:\d\d)?", s):
        return datetime.combine(date.today(), datetime.strptime(
            s if len(s) == 8 else s + ":00", "%H:%M:%S").time())
    d = datetime.fromisoformat(s.replace("Z", "+00:00"))
    if d.tzinfo:
        d = d.astimezone(timezone.utc).replace(tzinfo=None)
    return d


def to_text(raw):
    if isinstance(raw, bool):
        return "1" if raw else ""
    if isinstance(raw, float):
        return php_float_str(raw)
    if isinstance(raw, (int, str)):
        return str(raw)
    return None


def convert(f, raw, api=True):
    """Request value -> stored value.  Returns (value, error message)."""
    t, props = f["type"], f["properties"]
    if raw is None or raw == "":
        return None, None
    if t == "number":
        n = php_numeric(raw) if not isinstance(raw, bool) else float(raw)
        return (n, None) if n is not None else (None, NOT_VALID)
    if t == "boolean":
        if isinstance(raw, (bool, int, float)):
            return int(bool(raw)), None
        s, p = str(raw).strip().lower(), props if isinstance(props, dict) else {}
        labels = {str(p.get("yes") or "yes").lower(): 1,
                  str(p.get("no") or "no").lower(): 0}
        return labels.get(s, int(s in ("1", "true", "on", "yes"))), None
    if t in ("date", "datetime", "time"):
        try:
            d = parse_when(raw)
        except (ValueError, TypeError, OverflowError):
            return None, NOT_VALID
        fmt = {"date": "%Y-%m-%d", "time": "%H:%M:%S",
               "datetime": "%Y-%m-%d %H:%M:00" if api else "%Y-%m-%d %H:%M:%S"}
        return d.strftime(fmt[t]), None
    opts = [v for v, _ in field_options(props)]
    if t == "multiselect":
        items = raw if isinstance(raw, list) else str(raw).split("|")
        items = [to_text(x) for x in items]
        if None in items or (api and opts and any(x not in opts for x in items)):
            return None, NOT_VALID
        return "|".join(items) or None, None
    s = to_text(raw)
    if s is None or (t == "select" and api and opts and s not in opts):
        return None, NOT_VALID
    if api and t in LENGTH_191 and len(s) > 191:
        return None, ("This value is too long. It should have 191 characters"
                      " or less.")
    if api and t == "email" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", s):
        return None, "A valid email is required."
    return s, None


def rest_value(f, v):
    """fields.all[alias] / .value representation of a stored value."""
    if v is None:
        return None
    if f["type"] == "number":
        scale = f["properties"].get("scale") if isinstance(
            f["properties"], dict) else None
        return int(v) if php_empty(scale) else float(round(v, int(scale)))
    return v


def normalized_value(f, v):
    """CustomFieldValueHelper::normalize: labels, "" for null."""
    if v is None:
        return ""
    t, props = f["type"], f["properties"]
    if t == "boolean":
        p = props if isinstance(props, dict) else {}
        return p.get("yes", "Yes") if v else p.get("no", "No")
    if t in ("select", "multiselect"):
        labels = dict(field_options(props))
        return "|".join(labels.get(x, x) for x in str(v).split("|"))
    return v


def normalize_tag(t):
    """Section 6: trim, html_entity_decode, strip tags and NULs."""
    t = html.unescape(str(t).strip())
    t = re.sub(r"<(?=[A-Za-z/!?])[^>]*(>|$)", "", t).replace("\0", "")
    return t.strip()

# ----------------------------------------------------------------------------
# 3. State
# ----------------------------------------------------------------------------

ADMIN_OWNER = {"createdByUser": None, "modifiedByUser": None, "id": 1,
               "username": "admin", "firstName": "Admin", "lastName": "User"}
META_KEYS = ("dateAdded", "dateModified", "createdBy", "createdByUser",
             "modifiedBy", "modifiedByUser", "color", "lastActive", "stage",
             "dateIdentified", "preferredProfileImage")


class ApiError(Exception):
    def __init__(self, status, body, ctype="application/json", headers=()):
        super().__init__(status)
        self.status, self.body = status, body
        self.ctype, self.headers = ctype, list(headers)


class State:
    def __init__(self, fields=None):
        self.lock = threading.RLock()
        self.base_fields = copy.deepcopy(fields or DEFAULT_FIELDS)
        self.log_path = None
        self.reset()

    def reset(self):
        with self.lock:
            self.config = copy.deepcopy(DEFAULT_CONFIG)
            self.fields = copy.deepcopy(self.base_fields)
            self.contacts, self.tags, self.tokens = {}, {}, {}
            self.faults, self.log, self.rate = [], [], {}
            self.next_tag, self.next_ip, self.next_dnc = 1, 1, 1
        self.stats_reset()

    # -- concurrency counters (how many clients at once) --------------------
    def stats_reset(self):
        if not hasattr(self, "stats_lock"):
            self.stats_lock = threading.Lock()
            self.conns = self.inflight = 0
        with self.stats_lock:
            self.max_conns = self.conns
            self.max_inflight = self.inflight
            self.api_calls = 0

    def count(self, what, delta):
        with self.stats_lock:
            if what == "conns":
                self.conns += delta
                self.max_conns = max(self.max_conns, self.conns)
            else:
                self.inflight += delta
                self.max_inflight = max(self.max_inflight, self.inflight)
                if delta > 0:
                    self.api_calls += 1

    def stats(self):
        with self.stats_lock:
            return {"open_connections": self.conns,
                    "max_open_connections": self.max_conns,
                    "inflight": self.inflight, "max_inflight": self.max_inflight,
                    "api_calls": self.api_calls}

    # -- fields and tags ----------------------------------------------------
    def field(self, alias):
        return next((f for f in self.fields if f["alias"] == alias), None)

    def ordered_fields(self):
        return sorted(self.fields, key=lambda f: (GROUPS.index(f["group"]),
                                                  f["order"], f["id"]))

    def add_field(self, spec):
        alias = spec.get("alias", "")
        if not re.fullmatch(r"[a-z0-9_]+", alias) or self.field(alias):
            raise ValueError("bad or duplicate alias %r" % alias)
        if spec.get("group", "core") not in GROUPS:
            raise ValueError("bad group")
        f = dict(id=spec.get("id") or max([44] + [x["id"] for x in self.fields]) + 1,
                 alias=alias, type=spec.get("type", "text"),
                 group=spec.get("group", "core"),
                 label=spec.get("label") or alias,
                 properties=spec.get("properties") or {},
                 order=spec.get("order") or max(x["order"] for x in self.fields) + 1,
                 is_fixed=bool(spec.get("is_fixed", False)),
                 default_value=spec.get("default_value"))
        self.fields.append(f)
        return f

    def tag_id(self, name):
        if name not in self.tags:
            while self.next_tag in self.tags.values():
                self.next_tag += 1
            self.tags[name] = self.next_tag
        return self.tags[name]

    def modify_tags(self, c, tags):
        if isinstance(tags, str):
            tags = tags.split(",")
        if isinstance(tags, dict):
            tags = list(tags.values())
        for raw in tags or []:
            t = normalize_tag(raw)
            if t.startswith("-"):
                t = normalize_tag(t[1:])
                if t in c["tags"]:
                    c["tags"].remove(t)
            elif t and t not in c["tags"]:
                self.tag_id(t)
                c["tags"].append(t)

    # -- contacts -------------------------------------------------------------
    def new_contact(self, cid):
        now = now_iso()
        c = {"id": cid, "values": {}, "tags": [], "points": 0, "ips": [],
             "dnc": [], "owner": None, "meta": dict.fromkeys(META_KEYS)}
        c["meta"].update(dateAdded=now, dateModified=now,
                         preferredProfileImage="gravatar")
        return c

    def next_id(self):
        return max(self.contacts, default=0) + 1

    def add_ip(self, c, ip):
        if ip and ip not in [x for _, x in c["ips"]]:
            c["ips"].append((self.next_ip, ip))
            self.next_ip += 1

    def set_value(self, c, alias, v):
        if alias == "points":
            c["points"] = int(v or 0)
        else:
            c["values"][alias] = v

    def get_value(self, c, alias):
        return c["points"] if alias == "points" else c["values"].get(alias)

    def put_control(self, cid, spec):
        """PUT /_emu/contacts/{id}: create or replace (unlisted = null)."""
        c = self.new_contact(cid)
        for alias, raw in (spec.get("fields") or {}).items():
            f = self.field(alias)
            if f is None:
                raise ValueError("unknown field %r" % alias)
            v, err = convert(f, raw, api=False)
            if err:
                raise ValueError("%s: %s" % (alias, err))
            self.set_value(c, alias, v)
        if "points" in spec:
            c["points"] = int(spec["points"] or 0)
        self.modify_tags(c, spec.get("tags") or [])
        ips = spec.get("ip") or spec.get("ips") or []
        for ip in [ips] if isinstance(ips, str) else ips:
            self.add_ip(c, ip)
        owner = spec.get("owner")
        c["owner"] = ADMIN_OWNER if owner == 1 else owner
        for d in spec.get("dnc") or []:
            self.set_dnc(c, d)
        for k in META_KEYS:
            if k in spec:
                c["meta"][k] = spec[k]
        if c["values"].get("email") and "dateIdentified" not in spec:
            c["meta"]["dateIdentified"] = c["meta"]["dateAdded"]
        self.contacts[cid] = c
        return c

    def simple(self, c):
        vals = {f["alias"]: rest_value(f, self.get_value(c, f["alias"]))
                for f in self.ordered_fields()}
        return {"id": c["id"], "fields": {k: v for k, v in vals.items()
                                          if v is not None},
                "tags": list(c["tags"]), "points": c["points"],
                "ips": [ip for _, ip in c["ips"]], "dnc": c["dnc"],
                "owner": c["owner"], "meta": c["meta"]}

    def set_dnc(self, c, d):
        channel = d.get("channel", "email")
        c["dnc"] = [x for x in c["dnc"] if x["channel"] != channel]
        if int(d.get("reason", 3)) != 0:
            c["dnc"].append({"id": self.next_dnc, "dateAdded": now_iso(),
                             "reason": int(d.get("reason", 3)),
                             "comments": d.get("comments"), "channel": channel,
                             "channelId": d.get("channelId")})
            self.next_dnc += 1

    # -- rendering ------------------------------------------------------------
    def render(self, c, mode="rest"):
        """mode: rest | minimal | db (webhook) | fresh (webhook)."""
        groups, all_ = {g: {} for g in GROUPS}, {"id": c["id"]}
        for f in self.ordered_fields():
            v = rest_value(f, self.get_value(c, f["alias"]))
            props = f["properties"]
            if mode == "fresh":
                groups[f["group"]][f["alias"]] = {
                    "id": f["id"], "group": f["group"], "label": f["label"],
                    "alias": f["alias"], "type": f["type"],
                    "properties": props or [],
                    "value": "" if v is None else v,
                    "normalizedValue": normalized_value(f, v)}
            else:
                groups[f["group"]][f["alias"]] = {
                    "id": str(f["id"]), "label": f["label"], "alias": f["alias"],
                    "type": f["type"], "group": f["group"], "object": "lead",
                    "is_fixed": "1" if f["is_fixed"] else "0",
                    "properties": php_serialize(props or {}),
                    "default_value": f["default_value"], "value": v,
                    "normalizedValue": normalized_value(f, v)}
            all_[f["alias"]] = v
        fields = {g: (groups[g] or []) for g in GROUPS}
        if mode in ("rest", "minimal"):
            fields["all"] = all_
        m = c["meta"]
        doc = {"isPublished": True}
        for k in ("dateAdded", "dateModified", "createdBy", "createdByUser",
                  "modifiedBy", "modifiedByUser"):
            doc[k] = m[k]
        doc.update(id=c["id"], points=c["points"], color=m["color"],
                   fields=fields)
        if mode == "minimal":
            return doc
        doc.update(
            lastActive=m["lastActive"], owner=c["owner"],
            ipAddresses=[{"id": i, "ipAddress": ip, "ipDetails": dict.fromkeys(
                ("city", "region", "zipcode", "country", "latitude",
                 "longitude", "isp", "organization", "timezone", "extra"), "")}
                for i, ip in c["ips"]],
            tags=[{"id": self.tag_id(t), "tag": t, "description": None}
                  for t in sorted(c["tags"], key=lambda t: (t.lower(), t))],
            utmtags=[], stage=m["stage"], dateIdentified=m["dateIdentified"],
            preferredProfileImage=m["preferredProfileImage"],
            doNotContact=list(c["dnc"]), frequencyRules=[])
        return doc

    def contact_doc(self, c):
        return php_json({"contact": self.render(c)})

    # -- editing (PATCH / PUT / POST) -------------------------------------------
    def apply_params(self, c, params, mode):
        """Apply a request body to contact c.  mode: patch | put | post."""
        overwrite = mode == "put" or not php_empty(params.get("overwriteWithBlank"))
        drop_zero = mode != "put" and self.config.get("drop_zero_on_patch")
        updates, errors = {}, {}
        for alias, raw in params.items():
            f = None if alias in SPECIAL_KEYS else self.field(alias)
            if f is None:
                continue
            v, err = convert(f, raw)
            if err:
                errors[alias] = [err]
                continue
            n = php_numeric(v)
            if drop_zero and n is not None and int(n) == 0:
                continue
            if v is None and not overwrite:
                continue
            updates[alias] = v
        if errors:
            msg = ", ".join("%s: %s" % (k, v[0]) for k, v in errors.items())
            raise ApiError(400, ctl_error(400, msg, errors))
        if mode == "put":
            for f in self.fields:
                if f["alias"] not in params and f["alias"] != "points":
                    updates.setdefault(f["alias"], None)
        changed = any(self.get_value(c, a) != v for a, v in updates.items())
        for a, v in updates.items():
            self.set_value(c, a, v)
        before = (list(c["tags"]), len(c["ips"]), list(c["dnc"]))
        if "tags" in params:
            self.modify_tags(c, params["tags"])
        if params.get("ipAddress"):
            self.add_ip(c, str(params["ipAddress"]))
        if params.get("lastActive"):
            try:
                c["meta"]["lastActive"] = parse_when(params["lastActive"]).strftime(
                    "%Y-%m-%dT%H:%M:%S+00:00")
            except (ValueError, TypeError):
                pass
        if "owner" in params:
            c["owner"] = ADMIN_OWNER if str(params["owner"]) == "1" else None
        dnc = params.get("doNotContact")
        for d in (dnc if isinstance(dnc, list) else []):
            if isinstance(d, dict):
                self.set_dnc(c, d)
        if changed or before != (c["tags"], len(c["ips"]), c["dnc"]):
            c["meta"]["dateModified"] = now_iso()
        if c["values"].get("email") and not c["meta"]["dateIdentified"]:
            c["meta"]["dateIdentified"] = now_iso()

    def unique_match(self, c_id, params):
        """Another contact owning the e-mail in params (unique identifier)."""
        email = params.get("email")
        if not self.config.get("merge_on_unique") or not isinstance(email, str) \
                or not email:
            return None
        for other in self.contacts.values():
            if other["id"] != c_id and \
                    (other["values"].get("email") or "").lower() == email.lower():
                return other
        return None

    def merge(self, winner, loser):
        for a, v in loser["values"].items():
            if v is not None and winner["values"].get(a) is None:
                winner["values"][a] = v
        self.modify_tags(winner, loser["tags"])
        for _, ip in loser["ips"]:
            self.add_ip(winner, ip)
        del self.contacts[loser["id"]]

    # -- list / search ----------------------------------------------------------
    def search(self, q):
        cands = sorted(self.contacts.values(), key=lambda c: c["id"])
        for tok in re.findall(r'(?:[^\s"]+|"[^"]*")+', str(q.get("search", ""))):
            cands = [c for c in cands if self.search_token(c, tok)]
        where = q.get("where") or []
        for w in (where.values() if isinstance(where, dict) else where):
            if isinstance(w, dict):
                cands = [c for c in cands if self.where_match(c, w)]
        return cands

    def search_token(self, c, tok):
        neg = tok.startswith("!")
        m = re.match(r"^!?(\w+):(.*)$", tok)
        if m and m.group(1).lower() in ("email", "tag", "ids", "id"):
            cmd, val = m.group(1).lower(), m.group(2).strip('"')
            strict = val.startswith("+")
            val = val.lstrip("+").strip('"').lower()
            pat = val if strict else val + "%"
            if cmd == "email":
                hit = like(c["values"].get("email"), pat)
            elif cmd == "tag":
                hit = any(like(t, pat) for t in c["tags"])
            else:
                hit = str(c["id"]) in val.split(",")
        else:
            pat = "%" + tok.lstrip("!").strip('"').lower() + "%"
            hit = any(like(c["values"].get(a), pat) for a in (
                "firstname", "lastname", "email", "company", "city", "phone",
                "mobile"))
        return hit != neg

    def where_match(self, c, w):
        col, expr, val = w.get("col", ""), w.get("expr", "eq"), w.get("val")
        v = c["id"] if col == "id" else self.get_value(c, col)
        sv, sval = ("" if v is None else str(v)).lower(), str(val).lower()
        return {"eq": sv == sval and v is not None, "neq": sv != sval,
                "like": like(v, sval), "notLike": not like(v, sval),
                "isNull": v in (None, ""), "isNotNull": v not in (None, ""),
                "in": sv in [str(x).lower() for x in (
                    val if isinstance(val, list) else str(val).split(","))],
                }.get(expr, False)

    # -- oauth ----------------------------------------------------------------
    def issue_token(self, client):
        tok = base64.b64encode(secrets.token_hex(32).encode()).decode().rstrip("=")
        life = int(self.config.get("token_lifetime", 3600))
        self.tokens[tok] = {"client": client, "expires": time.time() + life}
        return tok, life

    # -- faults and log -----------------------------------------------------------
    def take_fault(self, method, path):
        with self.lock:
            for f in list(self.faults):
                if f["method"] and f["method"].upper() != method:
                    continue
                if not re.search(f["match"], path):
                    continue
                if f["times"] is not None and f["times"] <= 0:
                    self.faults.remove(f)
                    continue
                if f["times"] is not None:
                    f["times"] -= 1
                    if f["times"] <= 0:
                        self.faults.remove(f)
                return dict(f)
        return None

    def record(self, entry):
        with self.lock:
            self.log.append(entry)
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as fp:
                    fp.write(json.dumps(entry) + "\n")

    # -- global webhook payloads -----------------------------------------------------
    def webhook_payload(self, events, test_payload=False):
        out = {}
        for ev in events:
            etype = ev.get("type", "mautic.lead_post_save_update")
            cid = ev.get("contact_id")
            is_delete = etype == "mautic.lead_post_delete"
            if "contact" in ev:
                doc = ev["contact"]
            else:
                c = self.contacts.get(int(cid)) if cid is not None else None
                if c is None and not is_delete:
                    raise ValueError("no contact %r" % cid)
                doc = self.render(c or self.new_contact(None),
                                  "fresh" if ev.get("variant") == "fresh" else "db")
            if is_delete:
                doc["id"] = None
            item = {}
            if is_delete:
                item["id"] = ev.get("id", cid)
            if "added" in ev:
                item["added"] = ev["added"]
            item["contact"] = doc
            for k, v in ev.items():
                if k not in ("type", "contact_id", "variant", "timestamp", "id",
                             "added", "contact"):
                    item[k] = v
            item["timestamp"] = ev.get("timestamp") or now_iso()
            out.setdefault(etype, []).append(item)
        if test_payload:
            out["timestamp"] = test_payload if isinstance(test_payload, str) \
                else now_iso()
        return php_json(webhook_normalize(out)).encode()


def like(value, pattern):
    """SQL LIKE, case-insensitive (MySQL default collation)."""
    if value is None:
        return False
    rx = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch)
                 for ch in pattern)
    return re.fullmatch(rx, str(value), re.I | re.S) is not None

# ----------------------------------------------------------------------------
# 4. Outgoing HTTP: global webhooks and the campaign "Send a webhook" action
# ----------------------------------------------------------------------------

def http_send(method, url, headers, body, timeout, cafile=None):
    """One HTTP exchange.  headers: list of (name, value)."""
    u = urlsplit(url)
    if u.scheme == "https":
        ctx = ssl.create_default_context(cafile=cafile)
        if not cafile:
            ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=timeout,
                                           context=ctx)
    else:
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        target = (u.path or "/") + ("?" + u.query if u.query else "")
        conn.putrequest(method, target, skip_accept_encoding=True)
        names = {n.lower() for n, _ in headers}
        for n, v in headers:
            conn.putheader(n, v)
        if "user-agent" not in names:
            conn.putheader("User-Agent", "GuzzleHttp/7")
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.getheaders(), data
    finally:
        conn.close()


def token_values(state, c):
    vals = {"id": c["id"], "ipAddress": ",".join(ip for _, ip in c["ips"])}
    for f in state.fields:
        vals[f["alias"]] = rest_value(f, state.get_value(c, f["alias"]))
    return vals


def replace_tokens(s, vals):
    """Mautic's TokenHelper::findLeadTokens, then rawurldecode() of the
    result, as the campaign action does."""
    def one(m):
        alias, _, fallback = m.group(2).partition("|")
        enc = fallback == "true"
        v = vals.get(alias)
        if php_empty(v):
            v = "" if enc else fallback
        if isinstance(v, float):
            v = php_float_str(v)
        v = str(v)
        return php_urlencode(v) if enc else v
    s = re.sub(r"({|%7B)(?:leadfield|contactfield)=(.*?)(}|%7D)", one, str(s))
    return php_rawurldecode(s)


def flip_list(d):
    """value->label parse then array_flip: rows with equal values collapse."""
    by_value = {}
    for k, v in (d or {}).items():
        by_value[str(v)] = str(k)
    return {k: v for v, k in by_value.items()}


def build_campaign_request(state, spec):
    """Returns (method, url, headers list, body bytes|None)."""
    c = state.contacts.get(int(spec.get("contact_id", 0)))
    if c is None:
        raise ValueError("no contact %r" % spec.get("contact_id"))
    vals = token_values(state, c)
    method = str(spec.get("method", "get")).lower()
    url = replace_tokens(spec["url"], vals)
    headers = {k: replace_tokens(v, vals) for k, v in flip_list(
        spec.get("headers")).items()}
    data = {k: replace_tokens(v, vals) for k, v in flip_list(
        spec.get("data")).items()}
    if method == "get":
        url += ("&" if urlsplit(url).query else "?") + php_build_query(data)
        return "GET", url, list(headers.items()), None
    if method in ("post", "put", "patch"):
        headers = {k.lower(): v for k, v in headers.items()}
        if headers.get("content-type", "").lower() == "application/json":
            body = php_json(data if data else [])
        else:
            body = php_build_query(data)
            headers.setdefault("content-type", "application/x-www-form-urlencoded")
        return method.upper(), url, list(headers.items()), body.encode()
    if method == "delete":
        return "DELETE", url, list(headers.items()), None
    raise ValueError("HTTP method %r is not supported" % method)


def send_campaign(state, spec):
    with state.lock:
        method, url, headers, body = build_campaign_request(state, spec)
    res = {"url": url, "request": {"method": method, "headers": dict(headers),
                                   "body": body.decode() if body else None}}
    deadline = time.time() + spec.get("timeout_ms", 10000) / 1000.0
    cur, status, rbody = url, 0, b""
    try:
        for _ in range(6):
            status, rh, rbody = http_send(method, cur, headers, body,
                                          max(0.05, deadline - time.time()),
                                          spec.get("cafile"))
            loc = dict((k.lower(), v) for k, v in rh).get("location")
            if status not in (301, 302, 303, 307, 308) or not loc:
                break
            cur = urljoin(cur, loc)
            if status in (301, 302, 303):
                method, body = "GET", None
                headers = [(k, v) for k, v in headers if k.lower() not in (
                    "content-type", "content-length")]
        else:
            res["error"] = "too many redirects"
    except (OSError, http.client.HTTPException) as e:
        res["error"] = "%s: %s" % (type(e).__name__, e)
    res.update(status=status, body=rbody.decode("utf-8", "replace"),
               final_url=cur, success=status in (200, 201) and "error" not in res)
    return res


def send_webhook(state, spec, port):
    with state.lock:
        body = state.webhook_payload(spec.get("events") or [],
                                     spec.get("test_payload", False))
        origin = state.config.get("site_url") or "https://127.0.0.1:%d" % port
    headers = [("Content-Type", "application/json"),
               ("X-Origin-Base-URL", origin)]
    sig = sign(body, spec["secret"]) if spec.get("secret") is not None else None
    if "signature_override" in spec:
        sig = spec["signature_override"]
    if sig is not None:
        headers.append(("Webhook-Signature", sig))
    res = {"signature": sig, "payload": body.decode()}
    try:
        status, rh, rbody = http_send("POST", spec["url"], headers, body,
                                      spec.get("timeout_ms", 15000) / 1000.0,
                                      spec.get("cafile"))
        res.update(status=status, body=rbody.decode("utf-8", "replace"),
                   headers={k.lower(): v for k, v in rh})
    except (OSError, http.client.HTTPException) as e:
        res.update(status=0, body="", headers={},
                   error="%s: %s" % (type(e).__name__, e))
    return res

# ----------------------------------------------------------------------------
# 5. HTTP server
# ----------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes: without TCP_NODELAY,
        # Nagle's algorithm and the client's delayed ACK add 40 ms to every
        # answer, which no real Mautic behind nginx/Apache does.
        import socket
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    server_version = "Apache"
    sys_version = ""
    timeout = 60

    def log_message(self, *args):
        pass

    def version_string(self):
        return self.server_version

    def do_GET(self):
        self.dispatch()
    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    @property
    def state(self):
        return self.server.state

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            out = b""
            while True:
                n = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def send(self, status, body, ctype="application/json", headers=(),
             truncate=False):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        clen = len(body) + max(16, len(body)) if truncate else len(body)
        self.send_header("Content-Length", str(clen))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body[:len(body) // 2] if truncate else body)
        if truncate:
            self.wfile.flush()
            self.close_connection = True

    def dispatch(self):
        try:
            u = urlsplit(self.path)
            path = re.sub(r"^/index\.php(?=/)", "", u.path)
            body = self.read_body()
            if path.startswith("/_emu/"):
                self.control(path, u.query, body)
            else:
                self.api(path, u.query, body)
        except (ConnectionError, TimeoutError, ssl.SSLError):
            self.close_connection = True
        except Exception:  # an emulator bug: say so loudly
            traceback.print_exc()
            self.send(500, json.dumps({"errors": [{"code": 500, "message":
                      "emulator error: " + traceback.format_exc(limit=1)}]}))

    # -- /api and /oauth ---------------------------------------------------------
    def api(self, path, query, body):
        hdrs = {k.lower(): v for k, v in self.headers.items()}
        entry = {"t": time.time(), "method": self.command, "path": path,
                 "query": query, "headers": hdrs,
                 "auth": describe_auth(hdrs, php_parse_qs(query)),
                 "body": body.decode("utf-8", "replace"), "status": 0}
        is_api = path.startswith("/api")
        extra = [("Mautic-Version", self.state.config.get("version", "5.1.0"))] \
            if is_api else []
        # Connections and requests at once, as Mautic would see them: only
        # connections that carry API requests (not the tests' control
        # connection), and a request from its arrival until its answer
        # starts going out.
        if not getattr(self.connection, "mw_counted", False):
            self.connection.mw_counted = True
            self.state.count("conns", 1)
        self.inflight = True
        self.state.count("inflight", 1)
        try:
            self.api_counted(path, query, body, hdrs, entry, extra)
        finally:
            self.uncount()

    def uncount(self):
        if getattr(self, "inflight", False):
            self.inflight = False
            self.state.count("inflight", -1)

    def api_counted(self, path, query, body, hdrs, entry, extra):
        # The delay knob: every API answer takes at least this long, as a
        # real Mautic's PHP does (50-300 ms).
        delay = int(self.state.config.get("api_delay_ms") or 0)
        if delay:
            time.sleep(delay / 1000.0)
        fault = self.state.take_fault(self.command, path) or {}
        truncate = bool(fault.get("truncate"))

        def reply(status, rbody, ctype, headers):
            # Log before answering, so a test that reads /_emu/log right
            # after getting the response always finds this request.
            entry["status"] = status
            self.state.record(entry)
            self.uncount()
            self.send(status, rbody, ctype, extra + headers, truncate=truncate)

        if fault:
            entry["fault"] = {k: fault[k] for k in ("match", "status", "drop",
                                                    "truncate", "delay_ms")}
            if fault.get("delay_ms"):
                time.sleep(fault["delay_ms"] / 1000.0)
            if fault.get("drop"):
                self.state.record(entry)
                self.close_connection = True
                return
            if fault.get("status") is not None or fault.get("body") is not None:
                code = int(fault.get("status") or 200)
                fb = fault["body"] if fault.get("body") is not None \
                    else default_error_body(code)
                return reply(code, fb, fault.get("content_type") or
                             "application/json",
                             [tuple(h) for h in fault.get("headers") or []])
        try:
            with self.state.lock:
                try:
                    resp = self.route(path, query, body, hdrs)
                except ApiError as e:
                    resp = (e.status, e.body, e.headers, e.ctype)
        except Exception:
            entry["status"] = 500
            self.state.record(entry)
            raise
        reply(resp[0], resp[1], resp[3], resp[2])

    def route(self, path, query, body, hdrs):
        st = self.state
        cfg = st.config
        q = php_parse_qs(query)
        params = parse_body(body, hdrs.get("content-type", ""))
        if not cfg.get("api_enabled"):
            raise ApiError(403, sub_error(403, "api_disabled", "API disabled. You "
                           "need to enable the API in the API settings of "
                           "Mautic's Configuration."))
        if re.fullmatch(r"/oauth/v2/token", path) and self.command in ("GET", "POST"):
            return self.oauth_token(dict(q, **params), hdrs)
        m = re.fullmatch(r"/api/contacts(?:/([^/]+)(?:/(edit))?)?|"
                         r"/api/(fields/contact|tags)", path)
        route = None
        if m:
            cid, edit, other = m.groups()
            if other:
                route = other if self.command == "GET" else None
            elif cid == "new" and not edit:
                route = "new" if self.command == "POST" else None
            elif cid is None:
                route = "list" if self.command == "GET" else None
            elif edit:
                route = "edit" if self.command in ("PUT", "PATCH") else None
            else:
                route = "get" if self.command == "GET" else None
        if route is None or (cid is not None and cid != "new"
                             and not re.fullmatch(r"[0-9]+", cid)):
            raise ApiError(404, ctl_error(404, "Item was not found."))
        headers = self.authenticate(hdrs, q, params, body)
        ok = lambda doc, code=200: (code, doc, headers, "application/json")
        if route == "fields/contact":
            return ok(php_json(fields_list(st)))
        if route == "tags":
            tags = [{"id": i, "tag": t, "description": None}
                    for t, i in sorted(st.tags.items(), key=lambda x: x[1])]
            return ok(php_json({"total": len(tags), "tags": tags}))
        if route == "list":
            found = st.search(q)
            start, limit = int(q.get("start") or 0), int(q.get("limit") or 30)
            mode = "rest" if php_empty(q.get("minimal")) or \
                q.get("minimal") == "false" else "minimal"
            page = {str(c["id"]): st.render(c, mode)
                    for c in found[start:start + limit]}
            return ok(php_json({"total": str(len(found)), "contacts": page}))
        if route == "new":
            other = st.unique_match(None, params)
            c = other or st.new_contact(st.next_id())
            for f in st.fields:
                if f["default_value"] is not None and f["alias"] not in params:
                    params[f["alias"]] = f["default_value"]
            st.apply_params(c, params, "post")
            st.contacts[c["id"]] = c
            return ok(st.contact_doc(c), 200 if other else 201)
        c = st.contacts.get(int(cid))
        if route == "get":
            if c is None:
                raise ApiError(404, ctl_error(404, "Item was not found."))
            return ok(st.contact_doc(c))
        # edit
        if c is None:
            if self.command == "PATCH":
                raise ApiError(404, ctl_error(404, "Item was not found."))
            c = st.new_contact(st.next_id())
            st.apply_params(c, params, "post")
            st.contacts[c["id"]] = c
            return 201, st.contact_doc(c), headers + [("Location", "https://%s"
                    "/api/contacts/%d" % (hdrs.get("host", ""), c["id"]))], \
                "application/json"
        other = st.unique_match(c["id"], params)
        if other:
            st.merge(other, c)
            c = other
        st.apply_params(c, params, "put" if self.command == "PUT" else "patch")
        return ok(st.contact_doc(c))

    def authenticate(self, hdrs, q, params, body):
        """Returns extra response headers (rate limit) or raises ApiError."""
        st, cfg = self.state, self.state.config
        auth = hdrs.get("authorization", "")
        who = None
        if auth[:5].lower() == "basic":
            if not cfg.get("basic_auth_enabled"):
                raise ApiError(403, sub_error(403, "access_denied", "Basic Auth "
                               "disabled. You need to enable HTTP basic auth in "
                               "the API settings of Mautic's Configuration."))
            user, _, pw = b64_pair(auth[5:].strip())
            if user is None or cfg.get("users", {}).get(user) != pw:
                raise ApiError(401, sub_error(401, "access_denied", "Authorization "
                               "denied, invalid credentials."))
            who = "basic:" + user
        else:
            found = []
            mb = re.match(r"Bearer\s+(\S+)", auth, re.I)
            if mb:
                found.append(mb.group(1))
            for src in (q, params):
                if isinstance(src.get("access_token"), str):
                    found.append(src["access_token"])
            if len(found) > 1:
                raise ApiError(400, sub_error(400, "invalid_request", "Only one "
                               "method may be used to authenticate at a time "
                               "(Auth header, GET or POST)."))
            if not found:
                raise ApiError(401, sub_error(401, "access_denied",
                                              "API authorization denied."))
            tok = st.tokens.get(found[0])
            if tok is None:
                raise ApiError(401, sub_error(401, "invalid_grant", "The access "
                               "token provided is invalid."))
            if tok["expires"] <= time.time():
                raise ApiError(401, sub_error(401, "invalid_grant", "The access "
                               "token provided has expired."))
            who = "bearer:" + found[0]
        limit = int(cfg.get("rate_limit") or 0)
        if not limit:
            return []
        win = st.rate.get(who)
        if win is None or win[0] <= time.time():
            win = st.rate[who] = [int(time.time()) + 3600, 0]
        win[1] += 1
        headers = [("X-RateLimit-Limit", str(limit)), ("X-RateLimit-Remaining",
                   str(max(0, limit - win[1]))), ("X-RateLimit-Reset", str(win[0]))]
        if win[1] > limit:
            raise ApiError(429, '{ "errors": [ { "code": 429, "message": "You '
                           'exceeded the rate limit of %d API calls per hour.", '
                           '"details": [] } ]}' % limit,
                           "text/html; charset=UTF-8", headers)
        return headers

    def oauth_token(self, p, hdrs):
        cfg = self.state.config
        grant = p.get("grant_type")
        if not grant:
            raise ApiError(400, sub_error(400, "invalid_request", "Invalid "
                           "grant_type parameter or parameter missing"))
        cid, csec = p.get("client_id"), p.get("client_secret")
        auth = hdrs.get("authorization", "")
        if auth[:5].lower() == "basic" and not cid:
            cid, _, csec = b64_pair(auth[5:].strip())
        if not cid:
            raise ApiError(400, sub_error(400, "invalid_client", "Client id was "
                           "not found in the headers or body"))
        if cfg.get("clients", {}).get(cid) is None or \
                cfg["clients"][cid] != csec:
            raise ApiError(400, sub_error(400, "invalid_client",
                                          "The client credentials are invalid"))
        allowed = cfg.get("client_credentials_allowed")
        if grant not in ("client_credentials", "authorization_code",
                         "refresh_token", "password"):
            raise ApiError(400, sub_error(400, "unsupported_grant_type", "Invalid "
                           "grant_type parameter or parameter missing"))
        if grant != "client_credentials" or (allowed is not None
                                             and cid not in allowed):
            if grant == "refresh_token":
                raise ApiError(400, sub_error(400, "invalid_grant",
                                              "Invalid refresh token"))
            raise ApiError(400, sub_error(400, "unauthorized_client", "The grant "
                           "type is unauthorized for this client_id"))
        tok, life = self.state.issue_token(cid)
        return (200, php_json({"access_token": tok, "expires_in": life,
                               "token_type": "bearer", "scope": None}),
                [("Cache-Control", "no-store"), ("Pragma", "no-cache")],
                "application/json")

    # -- /_emu control API -----------------------------------------------------
    def control(self, path, query, body):
        st, cmd = self.state, self.command
        try:
            spec = json.loads(body) if body.strip() else {}
        except ValueError:
            return self.send(400, json.dumps({"ok": False, "error": "bad JSON"}))
        ok = lambda obj=None: self.send(200, json.dumps(
            obj if obj is not None else {"ok": True}))
        m = re.fullmatch(r"/_emu/contacts/([0-9]+)", path)
        try:
            if path == "/_emu/health":
                return ok()
            if path == "/_emu/reset" and cmd == "POST":
                st.reset()
                return ok()
            if path == "/_emu/config":
                with st.lock:
                    if cmd == "POST":
                        st.config.update(spec)
                    return ok(st.config)
            if m:
                cid = int(m.group(1))
                with st.lock:
                    if cmd == "PUT":
                        return ok(st.simple(st.put_control(cid, spec)))
                    if cmd == "DELETE":
                        st.contacts.pop(cid, None)
                        return ok()
                    c = st.contacts.get(cid)
                    if c is None:
                        return self.send(404, json.dumps(
                            {"ok": False, "error": "no such contact"}))
                    return ok(st.simple(c))
            if path == "/_emu/contacts" and cmd == "POST":
                # Bulk seeding: {"contacts": [{"id": N, "fields": ..., "tags": ...}]}
                with st.lock:
                    for one in spec.get("contacts") or []:
                        st.put_control(int(one["id"]), one)
                    return ok({"ok": True, "count": len(spec.get("contacts") or [])})
            if path == "/_emu/contacts":
                with st.lock:
                    return ok({"contacts": [st.simple(c) for c in sorted(
                        st.contacts.values(), key=lambda c: c["id"])]})
            if path == "/_emu/fields" and cmd == "POST":
                with st.lock:
                    return ok(st.add_field(spec))
            if path == "/_emu/tags" and cmd == "POST":
                with st.lock:
                    st.tags[spec["tag"]] = int(spec.get("id") or st.tag_id(spec["tag"]))
                    return ok(st.tags)
            if path == "/_emu/faults":
                with st.lock:
                    if cmd == "DELETE":
                        st.faults.clear()
                    elif cmd == "POST":
                        re.compile(spec.get("match", ""))
                        f = {"match": "", "method": None, "status": None,
                             "body": None, "content_type": None, "delay_ms": 0,
                             "drop": False, "truncate": False, "times": None,
                             "headers": []}
                        f.update(spec)
                        st.faults.append(f)
                    return ok({"faults": st.faults})
            if path == "/_emu/expire_tokens" and cmd == "POST":
                with st.lock:
                    for t in st.tokens.values():
                        t["expires"] = time.time() - 1
                return ok()
            if path == "/_emu/stats":
                if cmd == "POST":
                    st.stats_reset()
                return ok(st.stats())
            if path == "/_emu/log":
                with st.lock:
                    if cmd == "DELETE":
                        st.log.clear()
                        return ok()
                    return ok({"requests": list(st.log)})
            if path == "/_emu/webhook_payload" and cmd == "POST":
                with st.lock:
                    payload = st.webhook_payload(spec.get("events") or [],
                                                 spec.get("test_payload", False))
                return self.send(200, payload)
            if path == "/_emu/send_webhook" and cmd == "POST":
                return ok(send_webhook(st, spec, self.server.server_address[1]))
            if path == "/_emu/send_campaign" and cmd == "POST":
                return ok(send_campaign(st, spec))
        except (ValueError, KeyError, TypeError, re.error) as e:
            return self.send(400, json.dumps({"ok": False, "error": "%s: %s" % (
                type(e).__name__, e)}))
        return self.send(404, json.dumps({"ok": False, "error": "unknown " + path}))


def b64_pair(s):
    try:
        user, sep, pw = base64.b64decode(s, validate=True).decode().partition(":")
        return (user, sep, pw) if sep else (None, "", None)
    except (ValueError, UnicodeDecodeError):
        return None, "", None


def describe_auth(hdrs, q):
    auth = hdrs.get("authorization", "")
    if auth[:5].lower() == "basic":
        return "basic:%s" % (b64_pair(auth[5:].strip())[0] or "?")
    mb = re.match(r"Bearer\s+(\S+)", auth, re.I)
    if mb:
        return "bearer:" + mb.group(1)
    tok = q.get("access_token")
    return "bearer:" + tok if isinstance(tok, str) else "none"


def parse_body(body, ctype):
    if not body:
        return {}
    if "json" in ctype.lower():
        try:
            v = json.loads(body)
        except ValueError:
            raise ApiError(400, ctl_error(400, "Invalid json message received"))
        return v if isinstance(v, dict) else {}
    return php_parse_qs(body.decode("utf-8", "replace"))


def fields_list(st):
    out = []
    for f in sorted(st.fields, key=lambda f: (f["order"], f["id"])):
        out.append({"id": f["id"], "isPublished": True, "label": f["label"],
                    "alias": f["alias"], "type": f["type"], "group": f["group"],
                    "order": f["order"], "object": "lead",
                    "defaultValue": f["default_value"], "isRequired": False,
                    "isFixed": f["is_fixed"],
                    "isUniqueIdentifier": f["alias"] == "email",
                    "properties": f["properties"] or []})
    return {"total": len(out), "fields": out}


class EmuServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, ctx, state):
        super().__init__(addr, Handler)
        self.ctx, self.state = ctx, state

    def finish_request(self, request, client_address):
        # TLS handshake in the worker thread, so a slow client can't stall accept.
        request.settimeout(10)
        try:
            conn = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            Handler(conn, client_address, self)
        except (ConnectionError, TimeoutError, ssl.SSLError):
            pass
        finally:
            if getattr(conn, "mw_counted", False):
                self.state.count("conns", -1)
            conn.close()

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError,
                                              ssl.SSLError)):
            traceback.print_exc()

# ----------------------------------------------------------------------------
# 6. Self-test and main
# ----------------------------------------------------------------------------

VECTOR_A = (b'{"mautic.lead_post_delete":[{"id":7,"contact":{"id":null},'
            b'"timestamp":"2024-01-01T00:00:00+00:00"}]}')


def self_test():
    fails = []

    def check(name, got, want):
        if got != want:
            fails.append(name)
            print("FAIL %s\n  got:  %r\n  want: %r" % (name, got, want))

    check("vector A", sign(VECTOR_A, "secret"),
          "Jwz3HIFd4swNARoMRGVoldnEUmAEBrKgV6V0Q5gtZaQ=")
    # Vector B, rebuilt from the emulator's own state and renderer.
    f = [dict(DEFAULT_FIELDS[5], order=1), dict(DEFAULT_FIELDS[1], order=2)]
    st = State(fields=f)
    st.tags["wp-member"] = 3
    st.put_control(42, {"fields": {"email": "jane.doe@example.com",
                                   "firstname": "J\u00f6hn"},
                        "points": 5, "tags": ["wp-member"],
                        "dateAdded": "2024-05-01T10:00:00+00:00",
                        "dateModified": "2024-05-02T08:30:00+00:00",
                        "modifiedBy": 1, "modifiedByUser": "Admin User"})
    body = st.webhook_payload([{"type": "mautic.lead_post_save_update",
                                "contact_id": 42,
                                "timestamp": "2024-05-02T08:30:01+00:00"}])
    check("vector B length", len(body), 1060)
    check("vector B sha256", hashlib.sha256(body).hexdigest()[:8], "bdf844a4")
    check("vector B", sign(body, "9d1f938ef80b754ca89ac1e2a794e6882d8b51c2eb41dbc"
                       "39837664ef0eb28a5"),
          "StzuPLm8VzvxXnoWA9N0S8+nDh3PGpHkOYypusl8HF0=")
    check("serialize {}", php_serialize({}), "a:0:{}")
    check("serialize scale", php_serialize({"roundmode": "3", "scale": ""}),
          'a:2:{s:9:"roundmode";s:1:"3";s:5:"scale";s:0:"";}')
    check("serialize lookup", php_serialize({"list": "Mr|Mrs|Miss"}),
          'a:1:{s:4:"list";s:11:"Mr|Mrs|Miss";}')
    opts = [("News", "news"), ("Offers", "offers"), ("Events", "events")]
    check("serialize list", php_serialize(
        {"list": [{"label": lb, "value": v} for lb, v in opts]}),
        'a:1:{s:4:"list";a:3:{i:0;a:2:{s:5:"label";s:4:"News";s:5:"value";'
        's:4:"news";}i:1;a:2:{s:5:"label";s:6:"Offers";s:5:"value";s:6:"offers";'
        '}i:2;a:2:{s:5:"label";s:6:"Events";s:5:"value";s:6:"events";}}}')
    check("serialize misc", php_serialize([True, None, 5, "\u00e9"]),
          'a:4:{i:0;b:1;i:1;N;i:2;i:5;i:3;s:2:"\u00e9";}')
    # REST document shape (GET /api/contacts/{id}).
    st = State()
    st.add_field({"alias": "lifetime_value", "type": "number",
                  "properties": {"roundmode": "4", "scale": "2"}})
    st.add_field({"alias": "newsletter_optin", "type": "boolean",
                  "properties": {"no": "No", "yes": "Yes"}})
    st.add_field({"alias": "interests", "type": "multiselect", "properties":
                  {"list": [{"label": lb, "value": v} for lb, v in opts]}})
    c = st.put_control(42, {"fields": {"email": "a/b@example.com",
                                       "lifetime_value": 249.5,
                                       "newsletter_optin": True,
                                       "interests": ["news", "events"]},
                            "tags": ["wp-member", "customer"]})
    doc = json.loads(st.contact_doc(c))["contact"]
    check("keys", list(doc), ["isPublished", "dateAdded", "dateModified",
          "createdBy", "createdByUser", "modifiedBy", "modifiedByUser", "id",
          "points", "color", "fields", "lastActive", "owner", "ipAddresses",
          "tags", "utmtags", "stage", "dateIdentified", "preferredProfileImage",
          "doNotContact", "frequencyRules"])
    check("all", [list(doc["fields"]["all"])[0], doc["fields"]["all"]["points"],
                  doc["fields"]["all"]["lifetime_value"],
                  doc["fields"]["all"]["interests"]],
          ["id", 0, 249.5, "news|events"])
    check("groups", [doc["fields"]["personal"], doc["fields"]["core"]["title"]
                     ["normalizedValue"], doc["fields"]["core"]
                     ["newsletter_optin"]["value"]], [[], "", 1])
    check("tag order", [t["tag"] for t in doc["tags"]], ["customer", "wp-member"])
    check("escaping", '"a\\/b@example.com"' in st.contact_doc(c), True)
    check("tag normalize", normalize_tag("  <b>A &amp; B</b> "), "A & B")
    # Campaign webhook encoding (CampaignHelper: query, form or JSON).
    c = st.put_control(42, {"fields": {"email": "jane+test@example.com",
                                       "firstname": "Jane", "lastname": "Doe",
                                       "city": "S\u00e3o Paulo"}})
    spec = {"url": "https://wp.example.com/hook?src=mautic", "contact_id": 42,
            "data": {"email": "{contactfield=email}", "name": "{contactfield="
                     "firstname} {contactfield=lastname}", "id":
                     "{contactfield=id}", "city": "{contactfield=city}"}}
    check("campaign GET", build_campaign_request(st, spec)[1],
          "https://wp.example.com/hook?src=mautic&email=jane%2Btest%40example."
          "com&name=Jane+Doe&id=42&city=S%C3%A3o+Paulo")
    spec.update(method="post", headers={"Content-Type": "application/json"})
    check("campaign JSON", build_campaign_request(st, spec)[3],
          b'{"email":"jane+test@example.com","name":"Jane Doe","id":"42",'
          b'"city":"S\\u00e3o Paulo"}')
    print("self-test: %s" % ("FAILED: " + ", ".join(fails) if fails else "ok"))
    return 1 if fails else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8443)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--pidfile")
    ap.add_argument("--log")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    if not a.cert or not a.key:
        ap.error("--cert and --key are required")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.set_alpn_protocols(["http/1.1"])
    state = State()
    state.log_path = a.log
    server = EmuServer((a.host, a.port), ctx, state)

    def on_term(*_):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, on_term)
    if a.pidfile:  # atomically: a reader never sees an empty file
        with open(a.pidfile + ".tmp", "w") as fp:
            fp.write("%d\n" % os.getpid())
        os.replace(a.pidfile + ".tmp", a.pidfile)
    print("mautic-emu: listening on https://%s:%d" % (a.host,
          server.server_address[1]), file=sys.stderr, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if a.pidfile:
            try:
                os.unlink(a.pidfile)
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
