"""Schemathesis hooks for Payrail (loaded by scripts/fuzz through SCHEMATHESIS_HOOKS).

The admin API gets the bearer token; the merchant API is signed with the merchant's secret over
the exact bytes requests will send (a requests auth object sees the prepared request), with
signature v2, so each generated request carries a fresh, valid signature; the public endpoints
(gateway webhooks, customer return, ops) go as generated.
"""
import hashlib
import hmac
import os
import time

import requests
import schemathesis

MERCHANT_ID = os.environ["PAYRAIL_MERCHANT_ID"]
MERCHANT_SECRET = os.environ["PAYRAIL_MERCHANT_SECRET"]
ADMIN_TOKEN = os.environ["PAYRAIL_ADMIN_TOKEN"]


class SignV2(requests.auth.AuthBase):
    """Signs `timestamp \\n METHOD \\n target \\n Idempotency-Key \\n body` (docs/signing.md)."""

    def __call__(self, req):
        body = req.body or b""
        if isinstance(body, str):
            body = body.encode()
        ts = str(int(time.time()))
        key = req.headers.get("Idempotency-Key", "")
        message = f"{ts}\n{req.method}\n{req.path_url}\n{key}\n".encode() + body
        req.headers["X-Merchant-Id"] = MERCHANT_ID
        req.headers["X-Timestamp"] = ts
        req.headers["X-Signature-Version"] = "2"
        req.headers["X-HMAC-Signature"] = hmac.new(
            MERCHANT_SECRET.encode(), message, hashlib.sha256
        ).hexdigest()
        return req


@schemathesis.hook
def before_call(context, case, kwargs):
    path = case.operation.path
    if path.startswith("/v1/admin"):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {ADMIN_TOKEN}"}
    elif path.startswith("/v1/payments") or path.startswith("/v1/refunds"):
        kwargs["auth"] = SignV2()
