#!/usr/bin/env python3
"""Create a payment with the seed's signing recipe, pay it at the sandbox, verify it.

Standard library only. Reads PAYRAIL_URL, PAYRAIL_MERCHANT_ID and PAYRAIL_MERCHANT_SECRET from the
environment, else from the file `payrail-sandbox.env` that `cargo run` writes in its data
directory (the current directory by default; another file with PAYRAIL_SANDBOX_ENV=path).
Exits non-zero unless the payment ends `completed`.
"""
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request


def load_env():
    env = {}
    path = os.environ.get("PAYRAIL_SANDBOX_ENV", "payrail-sandbox.env")
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                key, value = line.strip().split("=", 1)
                env[key] = value
    env.update({k: v for k, v in os.environ.items() if k.startswith("PAYRAIL_")})
    return env["PAYRAIL_URL"], env["PAYRAIL_MERCHANT_ID"], env["PAYRAIL_MERCHANT_SECRET"]


BASE, MERCHANT_ID, SECRET = load_env()


def call(method, path, body=""):
    """The seed recipe: hex HMAC-SHA256(secret, timestamp + body); bodyless requests sign the path."""
    timestamp = str(int(time.time()))
    payload = timestamp + (body if body else path)
    signature = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    request = urllib.request.Request(BASE + path, data=body.encode() or None, method=method, headers={
        "X-Merchant-Id": MERCHANT_ID,
        "X-Timestamp": timestamp,
        "X-HMAC-Signature": signature,
        "Content-Type": "application/json",
    })
    with urllib.request.urlopen(request) as response:
        return json.load(response)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


body = json.dumps({
    "amount": "25.00",
    "currency": "USD",
    "order_id": "QUICKSTART_%d" % time.time(),
    "provider": "paystablecoin",
    "return_url": "https://shop.example/thanks",
    "idempotency_key": "quickstart-%d" % time.time_ns(),
}, separators=(",", ":"))
payment = call("POST", "/v1/payments/", body)
print("created  ", payment["id"], payment["status"], payment["checkout_url"])

# The customer presses "pay" on the simulator's checkout page (a form POST). The simulator sends
# its signed webhook to Payrail before it answers.
opener = urllib.request.build_opener(NoRedirect)
try:
    opener.open(urllib.request.Request(payment["checkout_url"] + "/pay", data=b"", method="POST"))
except urllib.error.HTTPError as redirect:  # 303 back towards Payrail's return URL
    print("paid      simulator answered", redirect.code, "->", redirect.headers["Location"][:60] + "...")

verified = call("GET", "/v1/payments/%s/verify/" % payment["id"])
print("verified ", verified["id"], verified["status"])
sys.exit(0 if verified["status"] == "completed" else 1)
