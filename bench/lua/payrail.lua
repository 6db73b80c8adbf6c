-- wrk script for Payrail's merchant API: signs every request itself with the merchant HMAC recipe
-- (docs/signing.md: hex HMAC-SHA256(secret, timestamp .. body), or timestamp .. request target for
-- a bodyless request), so the measured cost includes authentication exactly as a merchant pays it.
--
-- Configured by environment (bench/driver.py sets it):
--   BENCH_DIR        this folder (for sha256.lua and the data files)
--   BENCH_SCENARIO   selfcheck | verify | retrieve | list_first | list_deep | create | replay
--   BENCH_MERCHANT, BENCH_SECRET   the merchant id and its secret
--   BENCH_N, BENCH_START_MS, BENCH_STEP_MS   the seeded payments (verify, retrieve draw one of
--                    the N uniformly and rebuild its id as bench/sql/ids.sql does)
--   BENCH_CURSOR     keyset cursor for list_deep
--   BENCH_KEYS       file of idempotency keys made by an earlier `create` run (replay)
--   BENCH_TAG        run tag that makes create keys unique across runs
--   BENCH_DELAY_MS   optional mean pause per request per connection (the half-load run)
-- done() prints one line `BENCH_RESULT {json}` with throughput and latency percentiles (µs).
local dir = os.getenv("BENCH_DIR") or "."
package.path = dir .. "/?.lua;" .. package.path
local sha = require("sha256")
local hmac = require("hmac")

local scenario = os.getenv("BENCH_SCENARIO") or "verify"
local merchant = os.getenv("BENCH_MERCHANT") or ""
local sign = hmac.signer(os.getenv("BENCH_SECRET") or "")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "")
local tag = os.getenv("BENCH_TAG") or "t"

local function lines(path)
  local out = {}
  if not path then return out end
  local f = io.open(path, "r")
  if not f then return out end
  for l in f:lines() do if #l > 0 then out[#out + 1] = l end end
  f:close()
  return out
end

-- The create body is a function of the key alone, so `replay` can rebuild it byte for byte
-- (the idempotency fingerprint covers the body).
local function create_body(key)
  return '{"amount":"10.00","currency":"USD","order_id":"' .. key
    .. '","provider":"paystablecoin","idempotency_key":"' .. key .. '"}'
end

-- Seeded payment i's id, as bench.pay_id(i) in bench/sql/ids.sql: its time in ms, then i, then
-- a scramble of i, Crockford base32 (10 + 8 + 8 characters). Plain arithmetic: all below 2^53.
-- Two digits (10 bits) at a time from a table of all 1024 pairs: a request's id costs 13 look-ups
-- and a few concatenations, not 26 one-character strings (the load generator shares the machine).
local B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
local PAIR = {}
for v = 0, 1023 do
  local hi, lo = math.floor(v / 32), v % 32
  PAIR[v] = B32:sub(hi + 1, hi + 1) .. B32:sub(lo + 1, lo + 1)
end
-- The last eight (b32_8) or ten (b32_10) base32 digits of v, most significant first.
local function b32_8(v)
  local d = v % 1024; v = (v - d) / 1024
  local c = v % 1024; v = (v - c) / 1024
  local b = v % 1024; v = (v - b) / 1024
  return PAIR[v % 1024] .. PAIR[b] .. PAIR[c] .. PAIR[d]
end
local function b32_10(v)
  local e = v % 1024
  return b32_8((v - e) / 1024) .. PAIR[e]
end
local N = tonumber(os.getenv("BENCH_N") or "0")
local START_MS = tonumber(os.getenv("BENCH_START_MS") or "0")
local STEP_MS = tonumber(os.getenv("BENCH_STEP_MS") or "0")
local function pay_id(i)
  return "pay_" .. b32_10(START_MS + i * STEP_MS) .. b32_8(i) .. b32_8((i * 1000003) % 1099511627776)
end

local counter = 0
local thread_id = 0
local keys = {}

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function init(args)
  thread_id = tonumber(wrk.thread:get("thread_id")) or 0
  math.randomseed(os.time() * 1000 + thread_id)
  if scenario == "verify" or scenario == "retrieve" then
    assert(N > 0, "BENCH_N is not set")
  elseif scenario == "replay" then
    keys = lines(os.getenv("BENCH_KEYS"))
    assert(#keys > 0, "BENCH_KEYS is empty")
  elseif scenario == "selfcheck" and thread_id == 1 then
    -- Compared by the driver with openssl and Python's hmac.
    io.write("SELFCHECK sha256('abc') ", sha.sha256_hex("abc"), "\n")
    -- The signer the requests use (hmac.lua: OpenSSL through the FFI, or pure Lua).
    io.write("SELFCHECK signer ", hmac.backend, "\n")
    io.write("SELFCHECK hmac1 ", hmac.signer("himo_sk_test_123")('1714764000{"amount": "10.00"}'), "\n")
    io.write("SELFCHECK hmac2 ", hmac.signer(string.rep("k", 100))(string.rep("m", 200)), "\n")
    io.write("SELFCHECK hmac3 ", hmac.signer("prl_sk_x")("1714764000/v1/payments/"), "\n")
    if N > 0 then io.write("SELFCHECK pay_id ", pay_id(N - 1), "\n") end
    -- What signing costs the load generator per request (CPU it takes from the shared machine).
    local t0, n = os.clock(), 20000
    for k = 1, n do sign(tostring(1714764000 + k) .. "/v1/payments/pay_01KAQ3C4XW00000000A200000001/verify") end
    io.write("SELFCHECK sign_us ", string.format("%.2f", (os.clock() - t0) * 1e6 / n), "\n")
  end
end

local function signed(method, path, body)
  local ts = tostring(os.time())
  local headers = {
    ["X-Merchant-Id"] = merchant,
    ["X-Timestamp"] = ts,
    ["X-HMAC-Signature"] = sign(ts .. (body or path)),
  }
  if body then headers["Content-Type"] = "application/json" end
  return wrk.format(method, path, headers, body)
end

local cursor = os.getenv("BENCH_CURSOR") or ""
local seq = 0

function request()
  if scenario == "verify" then
    return signed("GET", "/v1/payments/" .. pay_id(math.random(0, N - 1)) .. "/verify")
  elseif scenario == "retrieve" then
    return signed("GET", "/v1/payments/" .. pay_id(math.random(0, N - 1)))
  elseif scenario == "list_first" then
    return signed("GET", "/v1/payments?limit=20")
  elseif scenario == "list_deep" then
    return signed("GET", "/v1/payments?limit=20&starting_after=" .. cursor)
  elseif scenario == "create" then
    seq = seq + 1
    return signed("POST", "/v1/payments", create_body("bk-" .. tag .. "-" .. thread_id .. "-" .. seq))
  elseif scenario == "replay" then
    return signed("POST", "/v1/payments", create_body(keys[math.random(#keys)]))
  end
  return signed("GET", "/healthz")
end

if delay_ms then
  -- wrk's delay is whole milliseconds: dither between floor and ceil to hit the mean.
  local base = math.floor(delay_ms)
  local frac = delay_ms - base
  function delay()
    if math.random() < frac then return base + 1 end
    return base
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
      .. '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
