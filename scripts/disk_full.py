#!/usr/bin/env python3
"""Probes for scripts/disk-full.sh (standard library only). Uses the tokens and programme that
`crash_load.py setup` wrote to DIR/setup.json.

  disk_full.py prepare --base URL --state DIR
      Registers a person (while there is room) whose case the probes write notes on.
  disk_full.py counts --db FILE
      Rows that a write adds (people, cases, case notes, imported referrals, audit rows), read
      from the database file; one JSON line.
  disk_full.py import --base URL --state DIR --rows N --prefix P
      Sends a referral list of N rows; prints the status and the problem's type.
  disk_full.py full --base URL --state DIR
      With no room left: a registration, a case note and a sign-in through the login form each
      answer 503, as a problem document (API) or an error page (browser) in Basque, Spanish and
      English with the messages of crates/templates/locales, and Retry-After.
  disk_full.py room --base URL --state DIR
      Once there is room again: the same registration, note and sign-in succeed.
Exits 1 with the reasons when an expectation fails.
"""

import argparse
import html
import json
import os
import re
import sqlite3
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crash_load import Client, dni  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANGS = ("eu", "es", "en")


def message(lang, key):
    """The text of `key` in `lang`, from the project's translation files."""
    path = os.path.join(REPO, "crates", "templates", "locales", lang, "main.ftl")
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith(key + " ="):
                return line.split("=", 1)[1].strip()
    sys.exit(f"disk-full: no message {key} for {lang}")


def setup_state(a):
    with open(os.path.join(a.state, "setup.json"), encoding="utf-8") as f:
        return json.load(f)


class Failures(list):
    def check(self, ok, what):
        print(("ok:   " if ok else "FAIL: ") + what)
        if not ok:
            self.append(what)


def raw(base, method, path, body=None, headers=None):
    """One request; returns (status, headers as a dict of lists, body text)."""
    import http.client

    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    c.request(method, path, body=body, headers=headers or {})
    r = c.getresponse()
    hs = {}
    for k, v in r.getheaders():
        hs.setdefault(k.lower(), []).append(v)
    text = r.read().decode("utf-8", "replace")
    c.close()
    return r.status, hs, text


def register_body(n):
    return {
        "person": {
            "given_name": "Leire",
            "surname1": "Aranburu",
            "birth_date": "1984-05-06",
            "sex": "woman",
            "languages": "eu,es",
            "preferred_lang": "eu",
            "document_kind": "dni",
            "document_number": dni(n),
        },
        "confirmed_new": True,
    }


def api(base, token, method, path, body, lang):
    headers = {
        "authorization": f"Bearer {token}",
        "content-type": "application/json",
        "accept-language": lang,
    }
    return raw(base, method, path, json.dumps(body).encode(), headers)


def sign_in(base, st, lang):
    """The login form as a browser sends it: the page (its CSRF cookie and field), then the post."""
    headers = {"accept-language": lang, "accept": "text/html"}
    status, hs, page = raw(base, "GET", "/login", headers=headers)
    if status != 200:
        return status, hs, page
    cookies = "; ".join(c.split(";", 1)[0] for c in hs.get("set-cookie", []))
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    form = urllib.parse.urlencode(
        {"username": "social", "password": st["password"], "csrf": html.unescape(m.group(1)) if m else ""}
    )
    headers.update({
        "cookie": cookies,
        "content-type": "application/x-www-form-urlencoded",
        "origin": base,
        "sec-fetch-site": "same-origin",
    })
    return raw(base, "POST", "/login", form.encode(), headers)


def prepare(a):
    """Registers a person (while there is room) whose case the probes write notes on."""
    st = setup_state(a)
    status, _, text = api(a.base, st["tokens"]["social"], "POST", "/api/v1/people", register_body(40_000_200), "es")
    if status != 201:
        sys.exit(f"disk-full: could not register the probe's person: {status} {text[:200]}")
    with open(os.path.join(a.state, "case.txt"), "w", encoding="utf-8") as f:
        f.write(json.loads(text)["case"])


def first_case(a, st):
    """The case `prepare` opened."""
    with open(os.path.join(a.state, "case.txt"), encoding="utf-8") as f:
        return f.read().strip()


def counts(a):
    con = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True, timeout=30)
    out = {
        t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("people", "cases", "case_notes", "inbound_referrals", "referral_imports", "sessions", "audit_events")
    }
    out["integrity"] = "; ".join(r[0] for r in con.execute("PRAGMA integrity_check"))
    con.close()
    print(json.dumps(out))


def import_list(a):
    st = setup_state(a)
    lines = ["Referencia;Nombre;Primer apellido;Tipo de documento;Nº documento;Fecha de nacimiento;Sexo;Fecha de derivación"]
    for i in range(a.rows):
        lines.append(f"{a.prefix}{i:05d};Garazi;Etxebarria;DNI;{dni(70_000_000 + a.offset + i)};"
                     f"{i % 28 + 1:02d}/{i % 12 + 1:02d}/1980;Mujer;05/03/2026")
    data = ("\n".join(lines) + "\n").encode()
    path = f"/api/v1/programmes/{st['programme']}/referral-imports?file_name={a.prefix}csv"
    status, hs, text = raw(a.base, "POST", path, data, {
        "authorization": f"Bearer {st['tokens']['lanbide']}",
        "content-type": "text/csv",
        "accept-language": "es",
    })
    try:
        body = json.loads(text)
    except ValueError:
        body = {}
    print(json.dumps({"status": status, "type": body.get("type"), "imported": body.get("imported"),
                      "retry_after": hs.get("retry-after", [None])[0]}))


def full(a):
    st = setup_state(a)
    case = first_case(a, st)
    f = Failures()
    for i, lang in enumerate(LANGS):
        title = message(lang, "problem-storage-full")
        status, hs, text = api(a.base, st["tokens"]["social"], "POST", "/api/v1/people", register_body(40_000_000 + i), lang)
        body = json.loads(text) if text.startswith("{") else {}
        f.check(status == 503, f"[{lang}] registration on a full disk answers {status} (503 expected)")
        f.check(hs.get("content-type", [""])[0].startswith("application/problem+json"), f"[{lang}] as a problem document")
        f.check(body.get("type") == "/api/docs#problem-storage-full" and body.get("title") == title,
                f"[{lang}] type {body.get('type')}, title {body.get('title')!r}")
        f.check(hs.get("retry-after", [""])[0].isdigit(), f"[{lang}] Retry-After: {hs.get('retry-after')}")
        status, hs, text = api(a.base, st["tokens"]["social"], "POST", f"/api/v1/cases/{case}/notes",
                               {"body": f"Disk full probe {lang}", "confidentiality": "team"}, lang)
        f.check(status == 503 and "problem-storage-full" in text, f"[{lang}] case note answers {status} {text[:120]}")
        status, hs, page = sign_in(a.base, st, lang)
        want_title = html.escape(message(lang, "error-storage-title"), quote=False)
        want_body = message(lang, "error-storage-body")
        f.check(status == 503, f"[{lang}] sign-in form on a full disk answers {status} (503 expected)")
        f.check(hs.get("content-type", [""])[0].startswith("text/html"), f"[{lang}] as an HTML page")
        f.check(want_title in page and want_body in html.unescape(page),
                f"[{lang}] the page says: {message(lang, 'error-storage-title')!r}")
        f.check(hs.get("retry-after", [""])[0].isdigit(), f"[{lang}] page Retry-After: {hs.get('retry-after')}")
    sys.exit(1 if f else 0)


def room(a):
    st = setup_state(a)
    case = first_case(a, st)
    f = Failures()
    status, _, text = api(a.base, st["tokens"]["social"], "POST", "/api/v1/people", register_body(40_000_100), "eu")
    f.check(status == 201, f"registration with room again answers {status} {text[:160]}")
    status, _, text = api(a.base, st["tokens"]["social"], "POST", f"/api/v1/cases/{case}/notes",
                          {"body": "Disk full probe: room again", "confidentiality": "team"}, "eu")
    f.check(status == 201, f"case note with room again answers {status} {text[:160]}")
    status, hs, _ = sign_in(a.base, st, "eu")
    f.check(status == 303 and hs.get("location", [""])[0] in ("/home", "/login/totp", "/account/totp"),
            f"sign-in with room again answers {status} to {hs.get('location')}")
    sys.exit(1 if f else 0)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("counts")
    s.add_argument("--db", required=True)
    s = sub.add_parser("import")
    s.add_argument("--base", required=True)
    s.add_argument("--state", required=True)
    s.add_argument("--rows", type=int, required=True)
    s.add_argument("--prefix", required=True)
    s.add_argument("--offset", type=int, default=0)
    for name in ("prepare", "full", "room"):
        s = sub.add_parser(name)
        s.add_argument("--base", required=True)
        s.add_argument("--state", required=True)
    a = p.parse_args()
    {"counts": counts, "import": import_list, "prepare": prepare, "full": full, "room": room}[a.cmd](a)


if __name__ == "__main__":
    main()
