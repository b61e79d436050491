# syntax=docker/dockerfile:1.7
# One image per service, from the same Dockerfile:
#
#   docker build --build-arg SERVICE=contacts           --build-arg PORT=3001 -t quick-sales-crm/contacts:dev .
#   docker build --build-arg SERVICE=activities         --build-arg PORT=3002 -t quick-sales-crm/activities:dev .
#   docker build --build-arg SERVICE=adoption-analytics --build-arg PORT=3003 -t quick-sales-crm/adoption-analytics:dev .
#
# Stages: `build` installs every dependency (npm ci) and runs `nx build <service>`;
# `prod-deps` installs only production dependencies (native modules compiled for this base
# image); `runtime` holds those node_modules and the one service's bundle, runs as the
# unprivileged `node` user (uid 1000) and works with a read-only root filesystem (only /tmp
# needs to be writable). Health: GET /health/live and /health/ready, probed by
# docker-compose.yml and the Kubernetes manifests (deploy/k8s), so no HEALTHCHECK here.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS toolchain
# The npm that wrote package-lock.json (npm 11 honours package.json#allowScripts).
ARG NPM_VERSION=11.19.1
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    NX_SKIP_NX_CACHE=true \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
# python3/make/g++ only for a native module whose prebuilt binary is unavailable (better-sqlite3).
# Build-stage tools only (never in the runtime image), so the distribution's current ones do.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && npm install -g "npm@${NPM_VERSION}"
WORKDIR /app

FROM toolchain AS build
COPY package.json package-lock.json .npmrc ./
# npm ci applies them (postinstall: patch-package), see ADR 20.
COPY patches ./patches
RUN --mount=type=cache,target=/root/.npm npm ci
COPY . .
ARG SERVICE
RUN if [ -z "${SERVICE}" ]; then \
      echo "build with --build-arg SERVICE=<contacts|activities|adoption-analytics>" >&2; exit 1; \
    fi \
 && if [ ! -f "apps/${SERVICE}/project.json" ]; then echo "no app apps/${SERVICE}" >&2; exit 1; fi \
 && npx nx build "${SERVICE}" --output-style=static \
 && test -f "dist/apps/${SERVICE}/main.js"

FROM toolchain AS prod-deps
COPY package.json package-lock.json .npmrc ./
# npm ci applies them (postinstall: patch-package), see ADR 20.
COPY patches ./patches
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev \
 && node -e "require('better-sqlite3')" \
 && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ARG PORT=3001
LABEL org.opencontainers.image.title="quick-sales-crm-${SERVICE}" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    HOST=0.0.0.0 \
    PORT=${PORT} \
    DATA_DIR=/tmp/data
WORKDIR /app
COPY --from=prod-deps /app/package.json ./package.json
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/apps/${SERVICE} ./dist/apps/${SERVICE}
# The base image's `node` user, numerically, so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE ${PORT}
# `exec` makes node PID 1 so SIGTERM reaches it (graceful shutdown: readiness 503, drain, exit 0).
CMD ["/bin/sh", "-c", "exec node dist/apps/${SERVICE}/main.js"]
