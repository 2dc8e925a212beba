# SPDX-License-Identifier: GPL-2.0-or-later
"""Mautic global webhooks (docs/webhooks.md): every event and item of a batch,
signatures, payload data used only when signed."""

import json

from mw import ACCESS_KEY, WEBHOOK_SECRET, php_json, php_strlist, signature

URLQ = {"access_key": ACCESS_KEY}


def post(t, server, body, action="update_tags", sig=True, secret=WEBHOOK_SECRET,
         ctype="application/json", headers=None):
    h = dict(headers or {})
    if sig is True:
        h["Webhook-Signature"] = signature(body, secret)
    elif sig:
        h["Webhook-Signature"] = sig
    q = f"wpf_action={action}&access_key={ACCESS_KEY}"
    return t.call(server, query=q, method="POST", body=body, ctype=ctype, headers=h)


def by_contact(a):
    return {r["contact_id"]: r for r in a.results}


def setup_users(t, n=12, linked=(1, 2, 3)):
    uids = {}
    for i in range(1, n + 1):
        t.contact(i, tags=[f"t{i}", "common"], email=f"c{i}@example.com")
        if i in linked:
            uids[i] = t.add_user(f"user{i}", f"c{i}@example.com", contact_id=i)
    return uids


def test_signed_batch_every_event_and_item_without_api_calls(t, server):
    t.config(webhook__secret=WEBHOOK_SECRET)
    uids = setup_users(t)
    events = [{"type": "mautic.lead_post_save_update", "contact_id": i} for i in range(1, 11)]
    events += [{"type": "mautic.lead_points_change", "contact_id": 11,
                "points": {"old_points": 1, "new_points": 2}},
               {"type": "mautic.lead_post_save_new", "contact_id": 12}]
    body = t.payload(events)
    a = post(t, server, body)
    assert a.status == 200, a
    res = by_contact(a)
    assert sorted(res) == list(range(1, 13)), a
    for i in range(1, 13):
        want = "updated" if i in uids else "no_user"
        assert res[i]["outcome"] == want, (i, a)
    for i, uid in uids.items():
        assert t.meta(uid, "mautic_tags") == php_strlist(sorted([f"t{i}", "common"]))
    assert t.emu_log() == [], "signed payloads carry the tags: no API call"


def test_signed_payload_data_is_used_unsigned_is_only_a_trigger(t, server):
    uids = setup_users(t, n=2, linked=(1, 2))
    body = t.payload([{"type": "mautic.lead_post_save_update", "contact_id": 1},
                      {"type": "mautic.lead_post_save_update", "contact_id": 2}])
    # Mautic changed since the payload was made.
    t.contact(1, tags=["newer"], email="c1@example.com")
    t.contact(2, tags=["newer2"], email="c2@example.com")
    # No secret configured: the payload is a trigger, the API has the truth.
    a = post(t, server, body, sig=None)
    assert a.status == 200, a
    assert t.meta(uids[1], "mautic_tags") == php_strlist(["newer"])
    assert len([r for r in t.emu_log() if r["method"] == "GET"]) == 2
    # With the secret: the signed payload is used as sent.
    t.config(webhook__secret=WEBHOOK_SECRET)
    t.emu_log_clear()
    a = post(t, server, body)
    assert a.status == 200, a
    assert t.meta(uids[1], "mautic_tags") == php_strlist(["common", "t1"])
    assert t.emu_log() == []


def test_missing_or_wrong_signature_is_403_and_nothing_parsed(t, server):
    t.config(webhook__secret=WEBHOOK_SECRET)
    uids = setup_users(t, n=2, linked=(1,))
    body = t.payload([{"type": "mautic.lead_post_save_update", "contact_id": 1}])
    before = t.checksum()
    reencoded = json.dumps(json.loads(body)).encode()   # \\/ and \\uXXXX change
    cases = [(body, None), (body, "x"), (body, signature(body, "other-secret")),
             (body + b" ", True and signature(body)), (reencoded, signature(body)),
             (b"{not json", None), (b"{not json", "bad"),
             (body, signature(body).lower()), (body, " " + signature(body)[1:])]
    for b, sig in cases:
        a = post(t, server, b, sig=sig if sig is not None else None)
        assert a.status == 403, (sig, a)
        assert a.json["error"] == "forbidden", a
    assert t.checksum() == before
    assert t.emu_log() == []
    # The same body correctly signed is accepted (and a trailing newline
    # would have to be signed too).
    assert post(t, server, body).status == 200
    assert t.meta(uids[1], "mautic_tags") == php_strlist(["common", "t1"])


def test_duplicate_contact_in_a_batch_is_handled_once_newest_wins(t, server):
    t.config(webhook__secret=WEBHOOK_SECRET)
    uid = t.add_user("ann", "ann@example.com", contact_id=7)
    t.contact(7, tags=["old"], email="ann@example.com")
    old = {"type": "mautic.lead_post_save_update", "contact_id": 7,
           "timestamp": "2024-05-02T08:30:01+00:00"}
    body_old = json.loads(t.payload([old]))
    t.contact(7, tags=["new"], email="ann@example.com")
    new = dict(old, timestamp="2024-05-02T09:30:01+02:00", type="mautic.lead_points_change")
    body_new = json.loads(t.payload([new]))
    # Newer event listed first, under another event key; the older one
    # comes later in the body.
    merged = {"mautic.lead_points_change": body_new["mautic.lead_points_change"],
              "mautic.lead_post_save_update": body_old["mautic.lead_post_save_update"] * 2}
    body = php_json(merged).encode()
    a = post(t, server, body)
    assert a.status == 200 and len(a.results) == 1, a
    # 09:30+02:00 is 07:30 UTC: older than 08:30 UTC, so "old" wins.
    assert t.meta(uid, "mautic_tags") == php_strlist(["old"]), t.meta(uid, "mautic_tags")


def test_mautic2_lead_key_fresh_variant_and_test_payload(t, server):
    t.config(webhook__secret=WEBHOOK_SECRET)
    uid1 = t.add_user("ann", "ann@example.com", contact_id=1)
    uid2 = t.add_user("bob", "bob@example.com", contact_id=2)
    t.contact(1, tags=["m2"], email="ann@example.com")
    t.contact(2, tags=["fresh"], email="bob@example.com")
    doc = json.loads(t.payload([{"type": "mautic.lead_post_save_update", "contact_id": 1}]))
    item = doc["mautic.lead_post_save_update"][0]
    item["lead"] = item.pop("contact")          # Mautic 2.x
    body = php_json(doc).encode()
    a = post(t, server, body)
    assert a.status == 200 and a.outcome == "updated", a
    assert t.meta(uid1, "mautic_tags") == php_strlist(["m2"])
    body = t.payload([{"type": "mautic.lead_post_save_new", "contact_id": 2,
                       "variant": "fresh"}], test_payload=True)
    assert b'"timestamp":' in body[-40:]
    a = post(t, server, body)
    assert a.status == 200 and by_contact(a)[2]["outcome"] == "updated", a
    assert t.meta(uid2, "mautic_tags") == php_strlist(["fresh"])


def test_delete_event_is_acknowledged_without_change(t, server):
    t.config(webhook__secret=WEBHOOK_SECRET)
    uid = t.add_user("ann", "ann@example.com", contact_id=57, tags=php_strlist(["keep"]))
    t.contact(57, tags=["gone"], email="ann@example.com")
    body = t.payload([{"type": "mautic.lead_post_delete", "contact_id": 57}])
    before = t.checksum()
    a = post(t, server, body)
    assert a.status == 200, a
    assert a.results == [{"contact_id": 57, "user_id": None, "outcome": "skipped",
                          "note": "contact deleted in Mautic; nothing changed"}], a
    assert t.checksum() == before and t.meta(uid, "mautic_tags") == php_strlist(["keep"])


def test_batch_with_a_contact_mautic_no_longer_has(t, server):
    uids = setup_users(t, n=3, linked=(1, 2, 3))
    body = t.payload([{"type": "mautic.lead_post_save_update", "contact_id": i}
                      for i in (1, 2, 3)])
    t.emu("DELETE", "/_emu/contacts/2")
    a = post(t, server, body, sig=None)   # unsigned: each contact from the API
    assert a.status == 200, a
    res = by_contact(a)
    assert res[1]["outcome"] == "updated" and res[3]["outcome"] == "updated", a
    assert res[2]["outcome"] == "skipped" and "no longer" in res[2]["note"], a
    assert t.meta(uids[2], "mautic_tags") is None


def test_signed_update_and_add_use_payload_fields(t, server):
    t.config(webhook__secret=WEBHOOK_SECRET)
    t.contact(8, tags=["x"], email="new@example.com", firstname="Nina", lastname="Payload")
    body = t.payload([{"type": "mautic.lead_post_save_new", "contact_id": 8}])
    a = post(t, server, body, action="add")
    assert a.status == 200 and a.outcome == "created", a
    uid = a.results[0]["user_id"]
    assert t.meta(uid, "first_name") == "Nina" and t.meta(uid, "last_name") == "Payload"
    assert t.emu_log() == []
    t.contact(8, tags=["x"], email="new@example.com", firstname="Nora", lastname="Payload")
    body = t.payload([{"type": "mautic.lead_post_save_update", "contact_id": 8}])
    a = post(t, server, body, action="update")
    assert a.outcome == "updated", a
    assert t.meta(uid, "first_name") == "Nora"
    assert t.emu_log() == []


def test_bad_json_and_content_types(t, server):
    t.add_user("ann", "ann@example.com", contact_id=1)
    before = t.checksum()
    for body, ctype, status in [
            (b"{", "application/json", 400),
            (b"[]", "application/json", 400),
            (b'"x"', "application/json", 400),
            (b'{"mautic.lead_post_save_update":[{"contact":{"id":1.5}}]}', "application/json", 400),
            (b'{"mautic.lead_post_save_update":[{"contact":{"id":"x"}}]}', "application/json", 400),
            (b"[" * 5000 + b"]" * 5000, "application/json", 400),
            (b'{"a":"\\u0000"}', "application/json", 400),
            (b'{"a":"\xff"}', "application/json", 400),
            (b"wpf_action=test", "text/plain", 400),
            (b"--b\r\nx\r\n--b--", "multipart/form-data; boundary=b", 400),
            (b"{}", "application/xml", 400)]:
        a = post(t, server, body, sig=None, ctype=ctype)
        assert a.status == status, (body[:40], ctype, a)
    a = post(t, server, b"{}", sig=None)
    assert a.status == 200 and a.results == [], a
    assert t.checksum() == before
