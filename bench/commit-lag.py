#!/usr/bin/env python3
"""Commit -> applied on every proxy: makes commits to a config repository and times each one from `git commit`
returning until every proxy's /actuator/mesh reports the new commit as its applied `version`.

    commit-lag.py --repo DIR --file config-repo/application.yml --template FILE --commits 20
                  [--webhook https://cp/mesh/v1/poll --webhook-ca ca.crt] --proxy gateway=http://127.0.0.1:8090/actuator/mesh ...

The template's text, with @COMMIT@ replaced by the commit's number, becomes the file of each commit. Polls every
proxy every 10 ms over keep-alive connections. Prints one line per commit (number, commit, per-proxy and all-proxy
milliseconds), then `summary <n> <p50> <p99> <max> <slowest proxy most often>` (nearest-rank percentiles).
With --webhook, POSTs to it right after the commit, as a Git host's push webhook would.
Exits 1 naming the proxy that did not apply a commit within --timeout seconds.
"""
import argparse
import hashlib
import hmac
import http.client
import json
import math
import random
import ssl
import subprocess
import sys
import time
import urllib.parse
from collections import Counter


class Proxy:
    def __init__(self, name, url):
        self.name = name
        self.url = urllib.parse.urlsplit(url)
        self.connection = None

    def version(self):
        """The applied version it reports, or None when it does not answer."""
        for _ in range(2):  # one retry on a fresh connection: a keep-alive connection may have been closed
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.url.hostname, self.url.port, timeout=5)
                self.connection.request("GET", self.url.path)
                response = self.connection.getresponse()
                body = response.read()
                if response.status != 200:
                    return None
                return json.loads(body).get("version")
            except (OSError, http.client.HTTPException, ValueError):
                if self.connection is not None:
                    self.connection.close()
                self.connection = None
        return None


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, "-c", "user.name=bench", "-c", "user.email=bench@local", *args],
                          check=True, capture_output=True, text=True).stdout.strip()


def percentile(values, q):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * q)) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--template", required=True)
    parser.add_argument("--commits", type=int, default=20)
    parser.add_argument("--webhook")
    parser.add_argument("--webhook-secret", default="")
    parser.add_argument("--webhook-ca", help="the control plane's CA root (PEM), for an https webhook")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--proxy", action="append", required=True, help="name=url of its /actuator/mesh")
    parser.add_argument("--start", type=int, default=1, help="number of the first commit (@COMMIT@)")
    args = parser.parse_args()
    proxies = [Proxy(*spec.split("=", 1)) for spec in args.proxy]
    with open(args.template) as f:
        template = f.read()
    path = f"{args.repo}/{args.file}"
    lags, slowest = [], Counter()
    for number in range(args.start, args.start + args.commits):
        # commits land at a random phase of the control plane's Git poll, as real ones do
        time.sleep(random.uniform(0.2, 1.2))
        with open(path, "w") as f:
            f.write(template.replace("@COMMIT@", str(number)))
        git(args.repo, "commit", "-qam", f"bench commit {number}")
        committed = time.monotonic()
        commit = git(args.repo, "rev-parse", "HEAD")
        if args.webhook:
            u = urllib.parse.urlsplit(args.webhook)
            if u.scheme == "https":
                c = http.client.HTTPSConnection(u.hostname, u.port, timeout=30,
                                                context=ssl.create_default_context(cafile=args.webhook_ca))
            else:
                c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            body = b"{}"
            signature = hmac.new(args.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
            c.request("POST", u.path, body=body,
                      headers={"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + signature})
            c.getresponse().read()
            c.close()
        applied = {}
        while len(applied) < len(proxies):
            now = time.monotonic()
            for proxy in proxies:
                if proxy.name not in applied and proxy.version() == commit:
                    applied[proxy.name] = (time.monotonic() - committed) * 1000
            if now - committed > args.timeout:
                late = [p for p in proxies if p.name not in applied]
                print(f"FAILED: commit {number} ({commit[:10]}) not applied within {args.timeout:.0f}s by "
                      + ", ".join(f"{p.name} (reports {p.version()})" for p in late), file=sys.stderr)
                sys.exit(1)
            time.sleep(0.01)
        lag = max(applied.values())
        lags.append(lag)
        slowest[max(applied, key=applied.get)] += 1
        print(f"commit {number} {commit[:10]} " + " ".join(f"{p.name}={applied[p.name]:.0f}" for p in proxies)
              + f" all={lag:.0f}", flush=True)
    print(f"summary {len(lags)} {percentile(lags, 0.5):.0f} {percentile(lags, 0.99):.0f} {max(lags):.0f} "
          f"{slowest.most_common(1)[0][0]}")


if __name__ == "__main__":
    main()
