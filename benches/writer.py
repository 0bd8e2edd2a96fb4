#!/usr/bin/env python3
"""Posts donations at a steady rate while the readers load the server, and reports the writers'
latency percentiles and errors. Usage: writer.py URL TOKEN DONOR_ID RATE SECONDS [LATENCY_FILE]
With LATENCY_FILE, each latency (ms) is also appended to it, one per line, so that a whole
phase's percentiles can be taken over every run's samples."""
import http.client
import json
import sys
import time
import urllib.parse

url, token, donor_id, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
parsed = urllib.parse.urlparse(url)
conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
latencies, errors, sent = [], 0, 0
start = time.monotonic()
while time.monotonic() - start < seconds:
    due = start + sent / rate
    now = time.monotonic()
    if due > now:
        time.sleep(due - now)
    body = json.dumps({"donor_id": donor_id, "amount": "5.00", "memo": "bench"})
    began = time.monotonic()
    try:
        conn.request("POST", "/api/v1/admin/donations", body,
                     {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        if response.status != 201:
            errors += 1
    except Exception:  # a refused or reset connection is an error to report, not to hide
        errors += 1
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    latencies.append((time.monotonic() - began) * 1000)
    sent += 1
if len(sys.argv) > 6:
    with open(sys.argv[6], "a") as log:
        log.writelines(f"{ms:.3f}\n" for ms in latencies)
latencies.sort()
def pct(p):
    return latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else 0.0
print(f"{sent} {errors} {pct(0.5):.2f} {pct(0.99):.2f}")
