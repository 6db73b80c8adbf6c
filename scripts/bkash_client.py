"""A third-party bKash client, unchanged, against Payrail's bKash simulator.

Runs the published client `bkash-pgw-tokenized` (1.0.0) through grant, create, the customer's
approval on the simulator's page, execute (twice: the second is refused as already done), status,
search, a partial refund and an over-refund, and a token refresh. Any answer the client could not
use, or that differs from bKash's contract, fails the run. Usage: bkash_client.py <base_url>,
where <base_url> is the simulator's `…/bkash/v1.2.0-beta`.
"""

import asyncio
import sys

import httpx
from bkash_pgw_tokenized import Bkash, MemoryTokenStore, describe_code, ensure_id_token

CONFIG = {
    "app_key": "bkash_sim_app_key",
    "app_secret": "bkash_sim_app_secret",
    "username": "sandboxTokenizedUser01",
    "password": "sandboxTokenizedUser01@12345",
    "sandbox": True,
}


def expect(answer, **fields):
    for name, want in fields.items():
        got = answer.get(name)
        if got != want:
            raise SystemExit(f"{name}: expected {want!r}, got {got!r} in {answer}")
    return answer


async def approve(bkash_url, payment_id):
    """The customer approves on the simulator's page; bKash redirects to the callback."""
    async with httpx.AsyncClient() as http:
        page = await http.post(f"{bkash_url}/authorise")
    if page.status_code != 303:
        raise SystemExit(f"the page answered {page.status_code}")
    location = page.headers["location"]
    want = f"https://shop.example/bkash/callback?paymentID={payment_id}&status=success"
    if location != want:
        raise SystemExit(f"redirected to {location}, expected {want}")


async def main(base_url):
    client = Bkash({**CONFIG, "base_url": base_url})
    store = MemoryTokenStore()
    token = await ensure_id_token(store, client)
    if await ensure_id_token(store, client) != token:
        raise SystemExit("the stored token was not reused")

    created = await client.create_payment(
        token,
        mode="0011",
        payer_reference="01770618575",
        callback_url="https://shop.example/bkash/callback",
        amount="100.00",
        currency="BDT",
        intent="sale",
        merchant_invoice_number="PY-INV-1",
    )
    expect(created, statusCode="0000", transactionStatus="Initiated", amount="100.00")
    payment_id = created["paymentID"]

    early = await client.execute_payment(token, payment_id)
    expect(early, statusCode="2060")
    await approve(created["bkashURL"], payment_id)
    approved = await client.payment_status(token, payment_id)
    expect(approved, transactionStatus="Initiated", userVerificationStatus="Complete")

    executed = await client.execute_payment(token, payment_id)
    expect(executed, statusCode="0000", transactionStatus="Completed", paymentID=payment_id)
    trx_id = executed["trxID"]
    again = await client.execute_payment(token, payment_id)
    expect(again, statusCode="2117")
    print("second execute:", describe_code(again["statusCode"]))
    expect(await client.payment_status(token, payment_id), transactionStatus="Completed", trxID=trx_id)

    found = await client.search_transaction(token, trx_id=trx_id)
    expect(found, statusCode="0000", transactionStatus="Completed", amount="100.00", trxID=trx_id)

    refund = await client.refund(
        token, payment_id=payment_id, trx_id=trx_id, amount="40.00", sku="sku-1", reason="Customer request"
    )
    expect(refund, statusCode="0000", transactionStatus="Completed", originalTrxID=trx_id, amount="40.00")
    over = await client.refund(
        token, payment_id=payment_id, trx_id=trx_id, amount="70.00", sku="sku-1", reason="Too much"
    )
    expect(over, statusCode="2026")

    state = await store.load()
    renewed = await client.refresh_token(state.refresh_token)
    expect(renewed, statusCode="0000")
    if renewed["id_token"] == token:
        raise SystemExit("the refresh issued the same token")
    expect(await client.payment_status(renewed["id_token"], payment_id), transactionStatus="Completed")
    print("bkash-pgw-tokenized against the simulator: grant, create, execute, status, search, refund, refresh: ok")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
