#!/usr/bin/env python3
"""Write load and after-crash checks for scripts/crash-cycles.sh (standard library only).

  crash_load.py setup --base URL --state DIR --password PW
      API tokens for the demo accounts `social` and `lanbide`, the employment agency, and a
      programme to import referral lists to (created by `coordinator`).
  crash_load.py load --base URL --state DIR --cycle N
      Concurrent writers until the server stops answering: registrations (social), referrals
      from those cases to the employment agency (social), their transitions
      sent -> accepted -> in_progress -> completed (lanbide), case notes (social, two writers)
      and referral-list imports (lanbide). Every 2xx is appended to DIR/acked.jsonl with the
      identifier to look for afterwards; every import is announced in DIR/imports.jsonl before
      it is sent.
  crash_load.py check --db FILE --state DIR --cycle N
      With the server stopped: PRAGMA integrity_check, every acknowledged write present, every
      import whole or absent. Prints one JSON line of counts; exits 1 on any failure.
  crash_load.py summary --state DIR
      Adds up the per-cycle results (DIR/results.jsonl).

Only synthetic people; traffic goes to the loopback server given by --base.
"""

import argparse
import http.client
import json
import os
import random
import sqlite3
import sys
import threading
import time
import urllib.parse
import uuid

DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
GIVEN = ["Ane", "Iker", "Nerea", "Mikel", "Fatima", "Jon", "Ioana", "Amaia", "Koldo", "Khadija"]
SURNAMES = ["Etxeberria", "Goikoetxea", "Agirre", "Zubiri", "Uriarte", "Zabala", "Ibarra", "Olabarria"]
# The order a referral moves in; a stored status may be ahead of the last acknowledged one
# (a move committed whose answer the crash swallowed), never behind.
RANK = {"sent": 0, "accepted": 1, "in_progress": 2, "completed": 3}
NEXT = {"sent": "accepted", "accepted": "in_progress", "in_progress": "completed"}


def dni(n):
    return f"{n:08d}{DNI_LETTERS[n % 23]}"


class ServerGone(Exception):
    """The connection failed: the server was killed (or never answered)."""


class Client:
    def __init__(self, base, token=None):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.token = token
        self.conn = None

    def request(self, method, path, body=None, content_type="application/json", timeout=60):
        headers = {"accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            headers["content-type"] = content_type
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
            self.conn.request(method, path, body=data, headers=headers)
            r = self.conn.getresponse()
            raw = r.read()
        except (OSError, http.client.HTTPException) as e:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            raise ServerGone(str(e)) from e
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return r.status, parsed


def load_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def read_jsonl(path):
    out = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass  # never happens: the load generator is not the process killed
    except FileNotFoundError:
        pass
    return out


# ----------------------------------------------------------------------------------- setup


def token_of(base, username, password):
    status, body = Client(base).request(
        "POST", "/api/v1/auth/token", {"username": username, "password": password}
    )
    if status != 200 or not body or "access_token" not in body:
        sys.exit(f"crash: no token for {username}: {status} {body}")
    return body["access_token"]


def setup(a):
    tokens = {u: token_of(a.base, u, a.password) for u in ("social", "lanbide", "coordinator")}
    lanbide = Client(a.base, tokens["lanbide"])
    status, me = lanbide.request("GET", "/api/v1/me")
    if status != 200 or not me.get("agency"):
        sys.exit(f"crash: /api/v1/me as lanbide: {status} {me}")
    coordinator = Client(a.base, tokens["coordinator"])
    status, agencies = coordinator.request("GET", "/api/v1/agencies")
    items = agencies.get("items", agencies) if isinstance(agencies, dict) else agencies
    promoter = next(x["id"] for x in items if x.get("system") == "council")
    status, prog = coordinator.request(
        "POST",
        "/api/v1/programmes",
        {
            "name_eu": "Huts-proba",
            "name_es": "Prueba de caídas",
            "year": "2026",
            "status": "open",
            "promoter": promoter,
            "places": "100000",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
    )
    if status != 201 or not prog or "id" not in prog:
        sys.exit(f"crash: could not create the programme: {status} {prog}")
    state = {
        "tokens": tokens,
        "password": a.password,
        "employment_agency": me["agency"],
        "programme": prog["id"],
    }
    with open(os.path.join(a.state, "setup.json"), "w", encoding="utf-8") as f:
        json.dump(state, f)
    print(f"crash: programme {prog['id']}, employment agency {me['agency']}")


# ------------------------------------------------------------------------------------ load


class Journal:
    """Append-only, one line per event, flushed at once (the writer is not the killed process)."""

    def __init__(self, path):
        self.f = open(path, "a", encoding="utf-8")
        self.lock = threading.Lock()

    def write(self, rec):
        with self.lock:
            self.f.write(json.dumps(rec) + "\n")
            self.f.flush()


class Load:
    def __init__(self, a):
        self.a = a
        self.setup = load_json(os.path.join(a.state, "setup.json"))
        self.acked = Journal(os.path.join(a.state, "acked.jsonl"))
        self.imports = Journal(os.path.join(a.state, "imports.jsonl"))
        self.stop = threading.Event()
        self.lock = threading.Lock()
        # Cases acknowledged so far (earlier cycles too), to refer and to write notes on.
        self.cases = [r["case"] for r in read_jsonl(os.path.join(a.state, "acked.jsonl")) if r["kind"] == "person"]
        self.statuses = {}
        self.rng = random.Random(a.cycle * 7919 + os.getpid())

    def client(self, user):
        return Client(self.a.base, self.setup["tokens"][user])

    def count(self, status):
        with self.lock:
            self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1

    def call(self, c, user, method, path, body=None, **kw):
        status, parsed = c.request(method, path, body, **kw)
        if status == 401:
            # The token expired (8 h, or idle): a new one, once.
            c.token = token_of(self.a.base, user, self.setup["password"])
            self.setup["tokens"][user] = c.token
            status, parsed = c.request(method, path, body, **kw)
        self.count(status)
        return status, parsed

    def pick_case(self):
        with self.lock:
            return self.rng.choice(self.cases) if self.cases else None

    def run(self, name, fn):
        def loop():
            try:
                while not self.stop.is_set():
                    fn()
            except ServerGone:
                pass
            except Exception as e:  # a bug in this script: say so, and stop this writer
                print(f"crash: writer {name} failed: {e!r}", file=sys.stderr)
                self.count("script-error")

        t = threading.Thread(target=loop, name=name, daemon=True)
        t.start()
        return t

    # One writer each.

    def register(self, c, seq=[0]):
        seq[0] += 1
        n = 30_000_000 + self.a.cycle * 10_000 + seq[0]
        body = {
            "person": {
                "given_name": self.rng.choice(GIVEN),
                "surname1": self.rng.choice(SURNAMES),
                "surname2": self.rng.choice(SURNAMES),
                "birth_date": f"{self.rng.randint(1960, 2004)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}",
                "sex": self.rng.choice(["woman", "man"]),
                "languages": "es,eu",
                "preferred_lang": "es",
                "document_kind": "dni",
                "document_number": dni(n),
                "phone": f"6{self.rng.randint(10_000_000, 99_999_999)}",
            },
            "confirmed_new": True,
        }
        status, r = self.call(c, "social", "POST", "/api/v1/people", body)
        if status == 201:
            self.acked.write({"kind": "person", "cycle": self.a.cycle, "person": r["person"], "case": r["case"]})
            with self.lock:
                self.cases.append(r["case"])

    def refer(self, c):
        case = self.pick_case()
        if case is None:
            time.sleep(0.05)
            return
        body = {"to_agency": self.setup["employment_agency"], "reason": "Orientación laboral", "urgency": "routine"}
        status, r = self.call(c, "social", "POST", f"/api/v1/cases/{case}/referrals", body)
        if status == 201:
            self.acked.write({"kind": "referral", "cycle": self.a.cycle, "referral": r["id"]})

    def move(self, c):
        status, inbox = self.call(c, "lanbide", "GET", "/api/v1/referrals")
        if status != 200:
            time.sleep(0.05)
            return
        open_ = [
            i["referral"] for i in inbox.get("items", [])
            if i["referral"]["kind"] == "referral" and i["referral"]["status"] in NEXT
        ]
        if not open_:
            time.sleep(0.1)
            return
        for ref in self.rng.sample(open_, min(3, len(open_))):
            nxt = NEXT[ref["status"]]
            body = {"status": nxt, "version": ref["version"]}
            if nxt == "completed":
                body["outcome"] = "Atendida"
            status, _ = self.call(c, "lanbide", "POST", f"/api/v1/referrals/{ref['id']}/transitions", body)
            if status in (200, 204):
                self.acked.write({"kind": "move", "cycle": self.a.cycle, "referral": ref["id"], "status": nxt,
                                  "version": ref["version"] + 1})
            if self.stop.is_set():
                return

    def note(self, c):
        case = self.pick_case()
        if case is None:
            time.sleep(0.05)
            return
        tag = uuid.uuid4().hex[:12]
        body = {"body": f"Seguimiento {tag}: cita en el servicio de empleo", "confidentiality": "team"}
        status, r = self.call(c, "social", "POST", f"/api/v1/cases/{case}/notes", body)
        if status == 201:
            self.acked.write({"kind": "note", "cycle": self.a.cycle, "note": r["id"], "case": case})

    def import_list(self, c, seq=[0]):
        seq[0] += 1
        rows = self.rng.randint(self.a.import_min, self.a.import_max)
        prefix = f"CR{self.a.cycle:05d}I{seq[0]:03d}-"
        lines = [
            "Referencia;Nombre;Primer apellido;Segundo apellido;Tipo de documento;Nº documento;"
            "Fecha de nacimiento;Sexo;Fecha de derivación"
        ]
        for i in range(rows):
            n = 50_000_000 + self.a.cycle * 100_000 + seq[0] * 5_000 + i
            lines.append(
                f"{prefix}{i:05d};{self.rng.choice(GIVEN)};{self.rng.choice(SURNAMES)};{self.rng.choice(SURNAMES)};"
                f"DNI;{dni(n)};{self.rng.randint(1, 28):02d}/{self.rng.randint(1, 12):02d}/{self.rng.randint(1960, 2004)};"
                f"{self.rng.choice(['Mujer', 'Hombre'])};{self.rng.randint(1, 28):02d}/{self.rng.randint(1, 10):02d}/2026"
            )
        data = ("\n".join(lines) + "\n").encode()
        # Announced before it is sent: afterwards it must be found whole or not at all.
        self.imports.write({"cycle": self.a.cycle, "prefix": prefix, "rows": rows})
        path = f"/api/v1/programmes/{self.setup['programme']}/referral-imports?file_name={prefix}csv"
        status, r = self.call(c, "lanbide", "POST", path, data, content_type="text/csv", timeout=300)
        if status == 200 and r and r.get("imported"):
            self.acked.write({"kind": "import", "cycle": self.a.cycle, "prefix": prefix, "rows": rows})
        elif status not in (503,):
            print(f"crash: import answered {status}: {str(r)[:300]}", file=sys.stderr)
        # A pause, so the database does not grow by thousands of people a cycle.
        self.stop.wait(self.rng.uniform(0.5, 1.5))

    def main(self):
        writers = [
            ("register", "social", self.register),
            ("refer", "social", self.refer),
            ("move", "lanbide", self.move),
            ("note-1", "social", self.note),
            ("note-2", "social", self.note),
            ("import", "lanbide", self.import_list),
        ]
        threads = []
        for name, user, fn in writers:
            c = self.client(user)
            threads.append(self.run(name, lambda fn=fn, c=c: fn(c)))
        # The writers stop by themselves when the server is killed; this bound only guards
        # against a server that never dies.
        deadline = time.monotonic() + self.a.max_seconds
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self.stop.set()
        for t in threads:
            t.join(5)
        with open(os.path.join(self.a.state, f"statuses-{self.a.cycle}.json"), "w", encoding="utf-8") as f:
            json.dump(self.statuses, f)


# ----------------------------------------------------------------------------------- check


def b(u):
    return uuid.UUID(u).bytes


def check(a):
    acked = read_jsonl(os.path.join(a.state, "acked.jsonl"))
    imports = read_jsonl(os.path.join(a.state, "imports.jsonl"))
    setup_state = load_json(os.path.join(a.state, "setup.json"))
    statuses = load_json(os.path.join(a.state, f"statuses-{a.cycle}.json"), {})
    failures = []
    con = sqlite3.connect(f"file:{a.db}?mode=rw", uri=True, timeout=30)
    try:
        integrity = "; ".join(r[0] for r in con.execute("PRAGMA integrity_check"))
        if integrity != "ok":
            failures.append(f"integrity_check: {integrity[:500]}")
        lost = 0

        def present(sql, *args):
            return con.execute(sql, args).fetchone() is not None

        tenant = con.execute("SELECT tenant_id FROM people WHERE id = (SELECT min(id) FROM people)").fetchone()[0]

        def audited(action, entity_type, entity_id):
            return present(
                "SELECT 1 FROM audit_events WHERE tenant_id = ? AND entity_type = ? AND entity_id = ? AND action = ?",
                tenant, entity_type, entity_id, action)

        moves = {}
        unaudited = 0
        for r in acked:
            k = r["kind"]
            if k == "person":
                ok = present("SELECT 1 FROM people WHERE id = ?", b(r["person"])) and present(
                    "SELECT 1 FROM cases WHERE id = ? AND person_id = ?", b(r["case"]), b(r["person"]))
            elif k == "referral":
                ok = present("SELECT 1 FROM referrals WHERE id = ?", b(r["referral"]))
            elif k == "note":
                ok = present("SELECT 1 FROM case_notes WHERE id = ? AND case_id = ?", b(r["note"]), b(r["case"]))
            elif k == "move":
                prev = moves.get(r["referral"])
                if prev is None or r["version"] > prev["version"]:
                    moves[r["referral"]] = r
                continue
            elif k == "import":
                n = con.execute(
                    "SELECT count(*) FROM inbound_referrals WHERE programme_id = ? AND reference LIKE ?",
                    (b(setup_state["programme"]), r["prefix"] + "%"),
                ).fetchone()[0]
                ok = n == r["rows"]
            else:
                continue
            if not ok:
                lost += 1
                failures.append(f"acknowledged {k} not found: {json.dumps(r)}")
                continue
            # Its audit row, written in the same transaction (checked in the cycle it was made).
            if r.get("cycle") != a.cycle:
                continue
            if k == "person":
                ok = audited("person.create", "person", r["person"]) and audited("person.create", "case", r["case"])
            elif k == "referral":
                ok = audited("referral.send", "referral", r["referral"])
            elif k == "note":
                ok = audited("case.contribute", "case_note", r["note"])
            elif k == "import":
                # One row per imported row, named by its reference.
                ok = con.execute(
                    "SELECT count(*) FROM audit_events WHERE tenant_id = ? AND entity_type = 'inbound_referral'"
                    " AND entity_id BETWEEN ? AND ? AND action = 'referral_list.import'",
                    (tenant, r["prefix"], r["prefix"] + "~"),
                ).fetchone()[0] == r["rows"]
            if not ok:
                unaudited += 1
                failures.append(f"acknowledged {k} without its audit row: {json.dumps(r)}")
        for ref, r in moves.items():
            row = con.execute("SELECT status, version FROM referrals WHERE id = ?", (b(ref),)).fetchone()
            if row is None or RANK.get(row[0], -1) < RANK[r["status"]] or row[1] < r["version"]:
                lost += 1
                failures.append(f"acknowledged move lost: {json.dumps(r)} stored {row}")
            elif r.get("cycle") == a.cycle and con.execute(
                "SELECT count(*) FROM audit_events WHERE tenant_id = ? AND entity_type = 'referral' AND entity_id = ?"
                " AND action = 'referral.answer'",
                (tenant, ref),
            ).fetchone()[0] < RANK[r["status"]]:
                unaudited += 1
                failures.append(f"acknowledged move without its audit row: {json.dumps(r)}")
        # Every announced import: all of its rows or none.
        partial = 0
        whole = absent = 0
        for imp in imports:
            n = con.execute(
                "SELECT count(*) FROM inbound_referrals WHERE programme_id = ? AND reference LIKE ?",
                (b(setup_state["programme"]), imp["prefix"] + "%"),
            ).fetchone()[0]
            if n == imp["rows"]:
                whole += 1
            elif n == 0:
                absent += 1
            else:
                partial += 1
                failures.append(f"partial import {imp['prefix']}: {n} of {imp['rows']} rows")
        # And every import the database records agrees with its own rows.
        for imp_id, total, already, created, matched, got in con.execute(
            "SELECT i.id, i.rows_total, i.already_imported, i.people_created, i.people_matched,"
            " (SELECT count(*) FROM inbound_referrals r WHERE r.import_id = i.id) FROM referral_imports i"
        ):
            if got != total - already or created + matched != got:
                partial += 1
                failures.append(f"import {uuid.UUID(bytes=imp_id)} records {total - already} rows, has {got}")
        orphans = con.execute(
            "SELECT count(*) FROM inbound_referrals r WHERE NOT EXISTS"
            " (SELECT 1 FROM referral_imports i WHERE i.id = r.import_id)"
        ).fetchone()[0]
        if orphans:
            partial += 1
            failures.append(f"{orphans} imported rows without their import")
    finally:
        con.close()
    this_cycle = [r for r in acked if r.get("cycle") == a.cycle]
    server_errors = sum(v for k, v in statuses.items() if k.isdigit() and int(k) >= 500 and int(k) != 503)
    if server_errors:
        failures.append(f"{server_errors} answers 5xx other than 503 during the load: {statuses}")
    if statuses.get("script-error"):
        failures.append("a writer of the load generator failed (see above)")
    result = {
        "cycle": a.cycle,
        "integrity": "ok" if integrity == "ok" else "FAILED",
        "acked_this_cycle": len(this_cycle),
        "acked_total": len(acked),
        "by_kind": {k: sum(1 for r in this_cycle if r["kind"] == k) for k in ("person", "referral", "move", "note", "import")},
        "lost": lost,
        "unaudited": unaudited,
        "imports_whole": whole,
        "imports_absent": absent,
        "imports_partial": partial,
        "statuses": statuses,
        "failures": failures[:20],
    }
    with open(os.path.join(a.state, "results.jsonl"), "a", encoding="utf-8") as f:
        f.write(json.dumps(result) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "failures"}))
    for f_ in failures[:20]:
        print(f"crash: FAILURE: {f_}", file=sys.stderr)
    sys.exit(1 if failures else 0)


def summary(a):
    results = read_jsonl(os.path.join(a.state, "results.jsonl"))
    last = results[-1] if results else {}
    kinds = {}
    statuses = {}
    for r in results:
        for k, v in r["by_kind"].items():
            kinds[k] = kinds.get(k, 0) + v
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    out = {
        "cycles": len(results),
        "integrity_failures": sum(1 for r in results if r["integrity"] != "ok"),
        "acknowledged_writes": sum(r["acked_this_cycle"] for r in results),
        "by_kind": kinds,
        "acknowledged_writes_lost": sum(r["lost"] for r in results),
        "acknowledged_writes_without_audit_row": sum(r.get("unaudited", 0) for r in results),
        "imports_announced": last.get("imports_whole", 0) + last.get("imports_absent", 0) + last.get("imports_partial", 0),
        "imports_whole": last.get("imports_whole", 0),
        "imports_absent": last.get("imports_absent", 0),
        "partial_imports": sum(r["imports_partial"] for r in results),
        "http_statuses": dict(sorted(statuses.items())),
    }
    print(json.dumps(out, indent=2))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--base", required=True)
    s.add_argument("--state", required=True)
    s.add_argument("--password", required=True)
    s = sub.add_parser("load")
    s.add_argument("--base", required=True)
    s.add_argument("--state", required=True)
    s.add_argument("--cycle", type=int, required=True)
    s.add_argument("--max-seconds", type=float, default=60)
    s.add_argument("--import-min", type=int, default=100)
    s.add_argument("--import-max", type=int, default=800)
    s = sub.add_parser("check")
    s.add_argument("--db", required=True)
    s.add_argument("--state", required=True)
    s.add_argument("--cycle", type=int, required=True)
    s = sub.add_parser("summary")
    s.add_argument("--state", required=True)
    a = p.parse_args()
    {"setup": setup, "load": lambda a: Load(a).main(), "check": check, "summary": summary}[a.cmd](a)


if __name__ == "__main__":
    main()
