# syntax=docker/dockerfile:1
# The production image of Rapport's three services: compiled JavaScript, production
# dependencies only, a non-root user, a HEALTHCHECK on liveness. One image, the service by
# argument:  docker run rapport ingestor | projector | query-api
# (docker-compose.yml builds and runs it; without Docker, apps/platform-e2e's
# production-build test compiles the same output and starts each service from it.)

ARG NODE_IMAGE=node:22-bookworm-slim

# Build: every dependency, the TypeScript compiled to dist/ (infra/docker/build-dist.js).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 compiles where no prebuilt binary can be downloaded.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY apps/ingestor apps/ingestor
COPY apps/projector apps/projector
COPY apps/query-api apps/query-api
COPY libs libs
COPY infra/kafka infra/kafka
COPY infra/docker infra/docker
COPY apps/console apps/console
# The services into dist/, then the staff console (Vite) into dist/apps/console, where the
# compiled query API serves it from.
RUN node infra/docker/build-dist.js dist \
    && node apps/console/build-if-stale.cjs --force \
    && npm prune --omit=dev --no-audit --no-fund

# Run: the compiled services and production dependencies, as the unprivileged `node` user.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    RAPPORT_HOST=0.0.0.0 \
    RAPPORT_PORT=3000
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/package.json ./package.json
# Where the SQLite log lives when it is on a volume (docker-compose.yml): the node user's.
RUN mkdir /data && chown node:node /data
USER node
EXPOSE 3000
# Liveness, not readiness: a standby projector is alive and healthy, only not ready.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.RAPPORT_PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The heap flags of bin/rapport-service (a fixed 32 MB young generation, GC on one thread).
ENTRYPOINT ["node", "--max-semi-space-size=32", "--min-semi-space-size=32", "--single-threaded-gc", "dist/service.js"]
CMD ["query-api"]
