# syntax=docker/dockerfile:1
#
# Payrail: a release build in a Rust builder, run from a slim Debian image as a non-root user.
#
#   docker build -t payrail .
#   docker run --rm -p 8080:8080 \
#     -e PAYRAIL__DATABASE__URL=postgres://… \
#     -e PAYRAIL__SECURITY__MASTER_KEY="$(openssl rand -base64 32)" \
#     -e PAYRAIL__ADMIN__TOKEN=… payrail            # serve (the default command)
#   docker run --rm -p 9100:9100 payrail sim --listen 0.0.0.0:9100

# ---- build -------------------------------------------------------------------------------------
FROM rust:1-bookworm AS builder
WORKDIR /app

# Everything the release binary is built from. `openapi.yaml` is compiled in (include_str! in
# src/http/ops.rs) and `migrations/` is embedded by sqlx::migrate!, so both must be present.
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY openapi.yaml ./openapi.yaml

# The cargo registry and target directory are BuildKit cache mounts (fast rebuilds); the binary
# is copied out of the cache within the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/app/target \
    cargo build --release --locked --bin payrail \
    && install -D -m 0755 target/release/payrail /out/payrail

# ---- run ---------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# ca-certificates: the system trust store (reqwest's rustls-tls bundles webpki roots, so this is
# belt and braces for TLS to the gateways and for curl).
# curl: only for the container health check on /readyz (the compose file uses it).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 payrail \
    && useradd --system --uid 10001 --gid payrail --home-dir /var/lib/payrail \
       --create-home --shell /usr/sbin/nologin payrail

COPY --from=builder /out/payrail /usr/local/bin/payrail

USER payrail:payrail
WORKDIR /var/lib/payrail

ENV PAYRAIL__SERVER__LISTEN=0.0.0.0:8080 \
    PAYRAIL__LOG__FORMAT=json \
    PAYRAIL__LOG__LEVEL=info

EXPOSE 8080

ENTRYPOINT ["payrail"]
CMD ["serve"]
