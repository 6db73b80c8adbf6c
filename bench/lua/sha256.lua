-- Pure-Lua SHA-256 and HMAC-SHA256 for wrk's LuaJIT (which has no crypto), using LuaJIT's `bit`
-- library. Payrail's merchant auth is hex HMAC-SHA256(secret, timestamp .. body-or-target), and the
-- benchmark must sign every request itself so that auth cost is part of what is measured.
-- `hmac_signer(key)` precomputes the inner and outer pad states once per key, so one signature of
-- a short message costs two compressions (plus one per extra 64 bytes). `bench/run` checks the
-- output against openssl and Python before any load is driven.
local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local rshift, lshift, ror, tobit, tohex = bit.rshift, bit.lshift, bit.ror, bit.tobit, bit.tohex
local byte, char, rep, sub = string.byte, string.char, string.rep, string.sub
local floor, concat = math.floor, table.concat

local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}
for i = 1, 64 do K[i] = tobit(K[i]) end
local IV = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 }
for i = 1, 8 do IV[i] = tobit(IV[i]) end

-- The message schedule as an FFI array: LuaJIT compiles its loads and stores to plain machine
-- ones, where a table's (with W[0] in its hash part) cost about a fifth of each compression.
local ffi = require("ffi")
local W = ffi.new("int32_t[64]")

-- One 64-byte block of `s` starting at byte `off` (0-based) into state H (8 words, in place).
local function compress(H, s, off)
  for i = 0, 15 do
    local p = off + i * 4 + 1
    local a, b, c, d = byte(s, p, p + 3)
    W[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
  end
  for i = 16, 63 do
    local w15, w2 = W[i - 15], W[i - 2]
    local s0 = bxor(ror(w15, 7), ror(w15, 18), rshift(w15, 3))
    local s1 = bxor(ror(w2, 17), ror(w2, 19), rshift(w2, 10))
    W[i] = tobit(W[i - 16] + s0 + W[i - 7] + s1)
  end
  local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
  for i = 0, 63 do
    local S1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
    local ch = bxor(band(e, f), band(bnot(e), g))
    local t1 = tobit(h + S1 + ch + K[i + 1] + W[i])
    local S0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
    local maj = bxor(band(a, b), band(a, c), band(b, c))
    h, g, f, e, d, c, b = g, f, e, tobit(d + t1), c, b, a
    a = tobit(t1 + S0 + maj)
  end
  H[1], H[2], H[3], H[4] = tobit(H[1] + a), tobit(H[2] + b), tobit(H[3] + c), tobit(H[4] + d)
  H[5], H[6], H[7], H[8] = tobit(H[5] + e), tobit(H[6] + f), tobit(H[7] + g), tobit(H[8] + h)
end

-- Finishes a hash whose state `init` has already absorbed `prefix_len` bytes (a multiple of 64).
local function finish(init, prefix_len, msg)
  local H = { init[1], init[2], init[3], init[4], init[5], init[6], init[7], init[8] }
  local bits = (prefix_len + #msg) * 8
  local hi, lo = floor(bits / 4294967296), bits % 4294967296
  local padded = msg .. "\128" .. rep("\0", (55 - #msg) % 64)
    .. char(band(rshift(hi, 24), 255), band(rshift(hi, 16), 255), band(rshift(hi, 8), 255), band(hi, 255))
    .. char(band(rshift(lo, 24), 255), band(rshift(lo, 16), 255), band(rshift(lo, 8), 255), band(lo, 255))
  for off = 0, #padded - 1, 64 do compress(H, padded, off) end
  return H
end

local function raw(H)
  local out = {}
  for i = 1, 8 do
    local w = H[i]
    out[i] = char(band(rshift(w, 24), 255), band(rshift(w, 16), 255), band(rshift(w, 8), 255), band(w, 255))
  end
  return concat(out)
end

local function hex(H)
  local out = {}
  for i = 1, 8 do out[i] = tohex(H[i], 8) end
  return concat(out)
end

local M = {}

function M.sha256_hex(msg) return hex(finish(IV, 0, msg)) end

-- Returns a function msg -> lowercase hex HMAC-SHA256(key, msg).
function M.hmac_signer(key)
  if #key > 64 then key = raw(finish(IV, 0, key)) end
  key = key .. rep("\0", 64 - #key)
  local ipad, opad = {}, {}
  for i = 1, 64 do
    local k = byte(key, i)
    ipad[i] = char(bxor(k, 0x36))
    opad[i] = char(bxor(k, 0x5c))
  end
  local inner = { unpack(IV) }
  local outer = { unpack(IV) }
  compress(inner, concat(ipad), 0)
  compress(outer, concat(opad), 0)
  return function(msg)
    return hex(finish(outer, 64, raw(finish(inner, 64, msg))))
  end
end

return M
