#!/usr/bin/env python3
"""Sign-in timing: unknown user against wrong password (security.md: medians under 5 ms apart).

Usage: login-timing.py BASE_URL KNOWN_USER [TRIES]

Each try is GET /login (the anonymous CSRF cookie and token) then a timed POST /login. The two
kinds alternate so that drift in the machine's load falls on both alike. Every try comes from its
own address through X-Forwarded-For (the server must trust 127.0.0.1 as a proxy) and unknown
names are all different, so the per-address throttle never applies; the per-account threshold
for the known name must be raised in the server's configuration (bench/login-timing.sh does).
"""

import http.client
import re
import statistics
import sys
import time
import urllib.parse


def main() -> int:
    base, known = sys.argv[1], sys.argv[2]
    tries = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)

    def attempt(username: str, n: int) -> float:
        client = f"198.18.{n // 250}.{n % 250 + 1}"
        conn.request("GET", "/login", headers={"X-Forwarded-For": client})
        res = conn.getresponse()
        page = res.read().decode("utf-8")
        cookies = [
            v.split(";", 1)[0] for k, v in res.getheaders() if k.lower() == "set-cookie"
        ]
        m = re.search(r'name="csrf" value="([^"]+)"', page)
        if not m:
            raise SystemExit("no csrf token on GET /login")
        body = urllib.parse.urlencode(
            {"username": username, "password": "not the password at all", "csrf": m.group(1)}
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": base,
            "Cookie": "; ".join(cookies),
            "X-Forwarded-For": client,
        }
        start = time.perf_counter()
        conn.request("POST", "/login", body=body, headers=headers)
        res = conn.getresponse()
        res.read()
        elapsed = (time.perf_counter() - start) * 1000.0
        if res.status != 422:
            raise SystemExit(f"POST /login as {username!r} answered {res.status}, not 422")
        return elapsed

    # A few unmeasured tries first (connection, caches, the hasher's first allocation).
    for i in range(5):
        attempt(f"warm-up-{i}", 10_000 + i)
        attempt(known, 10_100 + i)
    unknown, wrong = [], []
    for i in range(tries):
        unknown.append(attempt(f"nobody-{i:04d}", 2 * i))
        wrong.append(attempt(known, 2 * i + 1))
    mu, mw = statistics.median(unknown), statistics.median(wrong)
    print(f"tries: {tries} each")
    print(f"unknown user   median {mu:8.2f} ms  (p10 {quantile(unknown, 0.1):.2f}, p90 {quantile(unknown, 0.9):.2f})")
    print(f"wrong password median {mw:8.2f} ms  (p10 {quantile(wrong, 0.1):.2f}, p90 {quantile(wrong, 0.9):.2f})")
    diff = abs(mu - mw)
    print(f"difference of medians: {diff:.2f} ms (limit 5 ms): {'PASS' if diff < 5 else 'FAIL'}")
    return 0 if diff < 5 else 1


def quantile(xs: list, q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


if __name__ == "__main__":
    sys.exit(main())
