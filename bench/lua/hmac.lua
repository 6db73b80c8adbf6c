-- The load generator's HMAC-SHA256 signer: OpenSSL's, through LuaJIT's FFI, when wrk's process
-- has libcrypto (Debian's wrk links it for TLS); the pure-Lua one (sha256.lua) otherwise.
--
-- Why: wrk shares the machine's two cores with Payrail and Postgres, so every microsecond it
-- spends signing is taken from what is measured. The pure-Lua signer costs about 3.4 µs per
-- request; OpenSSL's a tenth of that. The request bytes are the same either way, and bench/run's
-- self-check compares the signer in use against openssl and Python before any load is driven.
local M = {}

local function lua_signer(key)
  return require("sha256").hmac_signer(key)
end

local ok, ffi = pcall(require, "ffi")
local crypto
if ok then
  pcall(ffi.cdef, [[
    typedef struct evp_md_st EVP_MD;
    const EVP_MD *EVP_sha256(void);
    unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,
                        const unsigned char *d, size_t n, unsigned char *md,
                        unsigned int *md_len);
  ]])
  -- Symbols of the libraries wrk was linked with are visible through ffi.C.
  local found = pcall(function() return ffi.C.HMAC ~= nil and ffi.C.EVP_sha256 ~= nil end)
  if found then
    crypto = ffi.C
  else
    local loaded, lib = pcall(ffi.load, "crypto")
    if loaded then crypto = lib end
  end
end

local HEX = {}
for i = 0, 255 do HEX[i] = string.format("%02x", i) end

local function ffi_signer(key)
  local md = crypto.EVP_sha256()
  local out = ffi.new("unsigned char[32]")
  local out_len = ffi.new("unsigned int[1]")
  local parts = {}
  return function(msg)
    crypto.HMAC(md, key, #key, msg, #msg, out, out_len)
    for i = 0, 31 do parts[i + 1] = HEX[out[i]] end
    return table.concat(parts, "", 1, 32)
  end
end

-- Which signer `signer` returns: "openssl" or "lua".
M.backend = crypto and "openssl" or "lua"

-- signer(key) returns a function(message) giving the lower-case hex HMAC-SHA256.
function M.signer(key)
  if crypto then return ffi_signer(key) end
  return lua_signer(key)
end

return M
