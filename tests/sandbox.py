#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The sandbox walk-through behind tests/sandbox.sh: Mautic (the emulator)
sends campaign and global webhooks to mautic-wp.cgi behind Apache and nginx;
after each one we print the answer and what changed in WordPress."""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "integration"))
import mw  # noqa: E402

t = mw.Stack(mw.load_env())
t.emu_reset()
t.clear_token_cache()
t.clear_mails()
t.config(webhook__secret=mw.WEBHOOK_SECRET,
         webhook__return_password_field="wp_password")
t.emu("POST", "/_emu/fields", {"alias": "wp_password", "type": "text", "group": "core",
                               "label": "WordPress password"})
t.contact(42, tags=["customer", "wp-member"], email="jane.doe@example.com",
          firstname="Jane", lastname="Doe")
t.contact(43, tags=["trial"], email="bob@example.com", firstname="Bob", lastname="Smith")


def show(title, answer):
    print(f"--- {title}")
    print(f"    HTTP {answer['status']}: {answer['body'].strip()}")


def users():
    for uid, login, email, disp in t.sql("SELECT ID, user_login, user_email, display_name"
                                         " FROM wp_users ORDER BY ID"):
        meta = dict(t.sql("SELECT meta_key, meta_value FROM wp_usermeta WHERE user_id=%s"
                          " AND meta_key IN ('wp_capabilities', 'mautic_contact_id',"
                          " 'mautic_tags')", (uid,)))
        print(f"    user {uid} {login} <{email}> \"{disp}\" caps={meta.get('wp_capabilities')}"
              f" contact={meta.get('mautic_contact_id')} tags={meta.get('mautic_tags')}")


def campaign(url, action, cid, **data):
    d = {"wpf_action": action, "contact_id": "{contactfield=id}"}
    d.update(data)
    return t.emu("POST", "/_emu/send_campaign", {
        "url": url, "method": "get", "headers": {"X-Access-Key": mw.ACCESS_KEY},
        "data": d, "contact_id": cid})


apache, nginx = t.urls["apache"], t.urls["nginx"]
print(f"mautic-wp sandbox: Mautic emulator {t.mautic_url}, CGI {apache} (Apache) and "
      f"{nginx} (nginx)\n")
print("WordPress users before:")
users()
print()
show("campaign webhook: test (Apache)", campaign(apache, "test", 42))
show("campaign webhook: add contact 42 with a welcome e-mail (Apache)",
     campaign(apache, "add", 42, send_notification="true"))
mails = t.mails()
if mails:
    subject = [ln for ln in mails[-1]["data"].splitlines() if ln.startswith("Subject:")]
    print(f"    mail to {mails[-1]['rcpt_tos'][0]}: {subject[0] if subject else '?'}")
pw = t.emu("GET", "/_emu/contacts/42")["fields"].get("wp_password")
print(f"    generated password returned to Mautic's wp_password field: "
      f"{'yes (' + str(len(pw)) + ' characters)' if pw else 'no'}")
show("campaign webhook: add contact 43 as author (nginx)",
     campaign(nginx, "add", 43, role="author"))
t.contact(42, tags=["customer", "wp-member", "course-101"], email="jane.doe@example.com",
          firstname="Jane", lastname="Doe", wp_password=pw)
show("campaign webhook: update_tags for 42 after Mautic added course-101 (nginx)",
     campaign(nginx, "update_tags", 42))
show("campaign webhook: update_tags again, nothing changed (Apache)",
     campaign(apache, "update_tags", 42))
t.contact(43, tags=["customer"], email="bob@example.com", firstname="Robert",
          lastname="Smith")
hook = t.emu("POST", "/_emu/send_webhook", {
    "url": apache + "?wpf_action=update&access_key=" + mw.ACCESS_KEY,
    "secret": mw.WEBHOOK_SECRET,
    "events": [{"type": "mautic.lead_post_save_update", "contact_id": 42},
               {"type": "mautic.lead_post_save_update", "contact_id": 43}]})
show("global webhook, signed batch of 2 contacts: update (Apache)", hook)
bad = t.emu("POST", "/_emu/send_webhook", {
    "url": apache + "?wpf_action=update&access_key=" + mw.ACCESS_KEY,
    "secret": "not-the-secret",
    "events": [{"type": "mautic.lead_post_save_update", "contact_id": 42}]})
show("global webhook with a wrong signature (Apache)", bad)
show("campaign webhook with a wrong key (nginx)", t.emu("POST", "/_emu/send_campaign", {
    "url": nginx, "method": "get", "headers": {"X-Access-Key": "guess"},
    "data": {"wpf_action": "update_tags", "contact_id": "{contactfield=id}"},
    "contact_id": 42}))
print("\nWordPress users after:")
users()
calls = t.emu_log()
print(f"\nMautic API calls made by mautic-wp: {len(calls)} "
      f"({', '.join(sorted(set(r['method'] + ' ' + r['path'] for r in calls)))})")
print(f"Log lines: tail {t.logs['apache']} {t.logs['nginx']}")
print("Stop the sandbox with tests/stack/down.sh")
