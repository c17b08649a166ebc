#!/usr/bin/env python3
"""Load against a running Elkarlan while its PostgreSQL is stopped and started again.

Driven by scripts/pg-restart.sh, which starts a private PostgreSQL cluster and the server. Python 3
standard library only. Workers send signed-in reads and writes through the pages and the API
(bounded in count and time, loopback only); the driver stops PostgreSQL (`pg_ctl stop -m fast`,
then `-m immediate`), keeps the load going, starts it again and checks:

  * no response is a 500 (or any 5xx but 503), and every 503 carries Retry-After;
  * every response that ends while PostgreSQL is down is 503 with Retry-After, on pages and API;
  * after each start, requests succeed again without restarting Elkarlan;
  * creates sent with an Idempotency-Key and retried (during and after the outage) exist once:
    every answer for one key names the same record, and the people table grew by exactly the
    number of keys.
"""

import argparse
import http.client
import json
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

TIMEOUT = 20.0


class Result:
    __slots__ = ("kind", "status", "retry_after", "start", "end", "error")

    def __init__(self, kind, status, retry_after, start, end, error=None):
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.start = start
        self.end = end
        self.error = error


class Client:
    def __init__(self, host, port):
        self.host, self.port = host, port

    def request(self, method, path, body=None, headers=None):
        """One request on its own connection: (status, headers dict, body text)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            h = {"Host": f"{self.host}:{self.port}", "Connection": "close"}
            h.update(headers or {})
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read().decode("utf-8", "replace")
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data, r.msg
        finally:
            conn.close()


def letters(n):
    """A number as letters (names accept letters only)."""
    out = ""
    n = int(n)
    while True:
        out = "abcdefghijklmnopqrstuvwxyz"[n % 26] + out
        n //= 26
        if n == 0:
            return out


def sign_in(client, username, password):
    """Signs in through the login form; returns the Cookie header value."""
    status, headers, body, msg = client.request("GET", "/login")
    if status != 200:
        raise RuntimeError(f"GET /login: {status}")
    jar = cookies_from(msg)
    csrf = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode({"username": username, "password": password, "csrf": csrf})
    status, headers, body, msg = client.request(
        "POST",
        "/login",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"http://{client.host}:{client.port}",
            "Cookie": cookie_header(jar),
        },
    )
    if status != 303:
        raise RuntimeError(f"POST /login: {status} {body[:200]}")
    jar.update(cookies_from(msg))
    return cookie_header(jar)


def cookies_from(msg):
    jar = {}
    for line in msg.get_all("Set-Cookie") or []:
        name, _, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def cookie_header(jar):
    return "; ".join(f"{k}={v}" for k, v in jar.items() if v)


def token(client, username, password):
    status, _, body, _ = client.request(
        "POST",
        "/api/v1/auth/token",
        body=json.dumps({"username": username, "password": password}),
        headers={"Content-Type": "application/json"},
    )
    if status != 200:
        raise RuntimeError(f"token for {username}: {status} {body[:200]}")
    return json.loads(body)["access_token"]


class Load:
    def __init__(self, client, cookie, bearer, run_id):
        self.client = client
        self.cookie = cookie
        self.bearer = bearer
        self.run_id = run_id
        self.results = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        # Idempotency key -> list of person ids answered with 201.
        self.creates = {}
        self.unfinished = []
        # Creates refused for their content (a bug in this script, or in the server).
        self.rejected = []

    def record(self, kind, status, headers, start, error=None):
        ra = headers.get("retry-after") if headers else None
        with self.lock:
            self.results.append(Result(kind, status, ra, start, time.monotonic(), error))

    def call(self, kind, method, path, body=None, headers=None):
        start = time.monotonic()
        try:
            status, h, text, _ = self.client.request(method, path, body=body, headers=headers)
        except Exception as e:  # a refused or cut connection is a failure of the server
            self.record(kind, None, None, start, error=repr(e))
            return None, None, None
        self.record(kind, status, h, start)
        return status, h, text

    def page_reader(self, paths):
        i = 0
        while not self.stop.is_set():
            self.call("html", "GET", paths[i % len(paths)], headers={"Cookie": self.cookie})
            i += 1
            time.sleep(0.05)

    def api_reader(self, paths):
        i = 0
        while not self.stop.is_set():
            self.call(
                "api",
                "GET",
                paths[i % len(paths)],
                headers={"Authorization": f"Bearer {self.bearer}"},
            )
            i += 1
            time.sleep(0.05)

    def creator(self, worker):
        """Registers people, each with its own Idempotency-Key, retrying every failure with the
        same key and body; after a success, sends the same request once more (a client that
        did not see the answer) and expects the same person."""
        n = 0
        while not self.stop.is_set():
            n += 1
            key = f"{self.run_id}-{worker}-{n}"
            body = json.dumps(
                {
                    "person": {
                        "given_name": "Zq" + letters(worker) + "x" + letters(n),
                        "surname1": "Lasterketa" + letters(int(self.run_id[:6], 16)),
                        "birth_date": "1985-05-17",
                        "sex": "woman",
                        "languages": "es",
                        "preferred_lang": "es",
                        "phone": "600 000 001",
                    },
                    "confirmed_new": True,
                }
            )
            headers = {
                "Authorization": f"Bearer {self.bearer}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            }
            with self.lock:
                self.creates[key] = []
            successes = 0
            # Retried until it succeeds (for at most 40 s, also after the load stops).
            deadline = time.monotonic() + 40
            while successes < 2 and time.monotonic() < deadline:
                status, _, text = self.call("api-create", "POST", "/api/v1/people", body, headers)
                if status == 201:
                    with self.lock:
                        self.creates[key].append(json.loads(text)["person"])
                    successes += 1
                    if self.stop.is_set():
                        break
                elif status is not None and status < 500:
                    with self.lock:
                        self.rejected.append((key, status, text[:300]))
                    break
                time.sleep(0.3)
            if successes == 0:
                with self.lock:
                    self.unfinished.append(key)
            time.sleep(0.2)

    def window(self, a, b):
        """The answers that ended between a and b."""
        with self.lock:
            return [r for r in self.results if a <= r.end <= b]


def pg_ctl(args, mode):
    cmd = ["runuser", "-u", "postgres", "--", args.pg_ctl, "-D", args.pgdata, "-w", "-t", "60"]
    if mode == "start":
        cmd += ["-l", args.pg_log, "-o", args.pg_options, "start"]
    else:
        cmd += ["-m", mode, "stop"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def psql_scalar(args, sql):
    out = subprocess.run(
        ["runuser", "-u", "postgres", "--", args.psql, "-h", "127.0.0.1", "-p", str(args.pg_port),
         "-d", args.db, "-XAtq", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--pg-ctl", required=True)
    ap.add_argument("--psql", required=True)
    ap.add_argument("--pgdata", required=True)
    ap.add_argument("--pg-log", required=True)
    ap.add_argument("--pg-options", required=True)
    ap.add_argument("--pg-port", type=int, required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--outage", type=float, default=8.0)
    args = ap.parse_args()

    u = urllib.parse.urlparse(args.base)
    client = Client(u.hostname, u.port)
    run_id = uuid.uuid4().hex[:10]
    cookie = sign_in(client, "social", args.password)
    bearer = token(client, "social", args.password)
    people_before = psql_scalar(args, "SELECT count(*) FROM people")

    load = Load(client, cookie, bearer, run_id)
    html_paths = ["/home", "/people", "/cases", "/readyz"]
    api_paths = ["/api/v1/me", "/api/v1/referrals", "/api/v1/people?q=Etxeberria"]
    threads = [
        threading.Thread(target=load.page_reader, args=(html_paths[i:] + html_paths[:i],))
        for i in range(3)
    ]
    threads += [
        threading.Thread(target=load.api_reader, args=(api_paths[i:] + api_paths[:i],))
        for i in range(2)
    ]
    threads += [threading.Thread(target=load.creator, args=(i,)) for i in range(1, 3)]
    for t in threads:
        t.daemon = True
        t.start()

    failures = []
    phases = []
    began = time.monotonic()
    time.sleep(3)
    for mode in ("fast", "immediate"):
        pg_ctl(args, mode)
        down = time.monotonic()
        time.sleep(args.outage)
        up_started = time.monotonic()
        pg_ctl(args, "start")
        up = time.monotonic()
        # Back to service: a signed-in page and an API read answer 200 within 30 s.
        recovered = None
        while time.monotonic() < up + 30:
            s1, _, _, _ = client.request("GET", "/home", headers={"Cookie": cookie})
            s2, _, _, _ = client.request(
                "GET", "/api/v1/me", headers={"Authorization": f"Bearer {bearer}"}
            )
            if s1 == 200 and s2 == 200:
                recovered = time.monotonic()
                break
            time.sleep(0.25)
        if recovered is None:
            failures.append(f"{mode}: no 200 within 30 s after PostgreSQL started again")
            recovered = time.monotonic()
        phases.append((mode, down, up_started, up, recovered))
        time.sleep(3)

    load.stop.set()
    for t in threads:
        t.join(timeout=60)
    end = time.monotonic()

    # Checks over every response.
    results = load.results
    for r in results:
        if r.error is not None:
            failures.append(f"{r.kind}: no answer ({r.error})")
        elif r.status >= 500 and r.status != 503:
            failures.append(f"{r.kind}: {r.status}")
        elif r.status == 503 and not r.retry_after:
            failures.append(f"{r.kind}: 503 without Retry-After")
    for key, status, text in load.rejected:
        failures.append(f"create {key} refused with {status}: {text}")
    for r in results:
        if r.status is not None and 400 <= r.status < 500 and r.kind != "api-create":
            failures.append(f"{r.kind}: {r.status}")
    for mode, down, up_started, up, recovered in phases:
        # Half a second after pg_ctl returned: an answer whose database work ended just before
        # the stop may still be on its way out.
        during = load.window(down + 0.5, up_started)
        bad = [r for r in during if r.status != 503 or not r.retry_after]
        if bad:
            failures.append(
                f"{mode}: {len(bad)} of {len(during)} answers during the outage were not 503 "
                f"with Retry-After: {sorted({(r.kind, r.status) for r in bad})}"
            )
        kinds = {r.kind for r in during}
        for k in ("html", "api", "api-create"):
            if k not in kinds:
                failures.append(f"{mode}: no {k} answer ended during the outage (outage too short?)")
        after = [r for r in results if r.start >= recovered]
        ok_after = [r for r in after if r.status is not None and 200 <= r.status < 400]
        if not ok_after:
            failures.append(f"{mode}: no successful answer after recovery")
        print(
            f"pg_ctl stop -m {mode}: {len(during)} answers during the {up_started - down:.1f} s "
            f"outage, {sum(1 for r in during if r.status == 503)} were 503 with Retry-After; "
            f"service back {recovered - up:.1f} s after PostgreSQL started"
        )

    # Idempotent creates: one person per key.
    people_after = psql_scalar(args, "SELECT count(*) FROM people")
    finished = {k: v for k, v in load.creates.items() if v}
    for key, ids in finished.items():
        if len(set(ids)) != 1:
            failures.append(f"Idempotency-Key {key} answered different people: {ids}")
    retried_in_outage = 0
    for mode, down, up_started, _, _ in phases:
        retried_in_outage += sum(
            1 for r in load.window(down + 0.5, up_started) if r.kind == "api-create" and r.status == 503
        )
    grown = people_after - people_before
    # A key whose every attempt failed may still have written once (its answer lost): count
    # those apart, each at most once.
    if not (len(finished) <= grown <= len(finished) + len(load.unfinished)):
        failures.append(
            f"people grew by {grown} for {len(finished)} keys answered "
            f"(+{len(load.unfinished)} unanswered): a retry wrote twice or a create was lost"
        )
    replayed = sum(1 for v in finished.values() if len(v) >= 2)

    counts = {}
    for r in results:
        key = (r.kind, r.status)
        counts[key] = counts.get(key, 0) + 1
    print(f"{len(results)} requests in {end - began:.0f} s:")
    for (kind, status), n in sorted(counts.items(), key=lambda x: (x[0][0], x[0][1] or 0)):
        print(f"  {kind:10} {status}: {n}")
    print(
        f"creates: {len(finished)} keys answered 201 ({replayed} replayed), "
        f"{retried_in_outage} retries answered 503 during outages, people +{grown}"
    )
    n500 = sum(1 for r in results if r.status is not None and r.status >= 500 and r.status != 503)
    print(f"5xx other than 503: {n500}")
    if failures:
        print("FAILED:")
        for f in failures[:40]:
            print("  " + f)
        if len(failures) > 40:
            print(f"  ... and {len(failures) - 40} more")
        sys.exit(1)
    print("PostgreSQL restart under load: passed")


if __name__ == "__main__":
    main()
