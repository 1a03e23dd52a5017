# Production image: Node 20 on Debian bookworm, the app run by tsx (see docs/decisions/0003).
FROM node:20-bookworm-slim AS deps
# argon2 is compiled from source at install (package.json allowScripts): the prebuilt binary it
# ships crashed on Debian 12 machines here (docs/decisions/0008).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/prisma-generate.mjs scripts/prisma-generate.mjs
COPY prisma/schema.prisma prisma/schema.prisma
# The install also prepares the empty embedded database that a first start copies (decision 0019).
COPY src/db/pglite-template.mjs src/db/pglite-template.mjs
# Dev dependencies are needed once, for `prisma generate`; they are pruned below.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0 DATA_DIR=/data
# As `npm start` (package.json): two malloc arenas, small V8 young generation, one V8 helper thread
# (decision 0019: about 60 MB less resident, same requests per second).
ENV MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY prisma ./prisma
COPY src ./src
COPY views ./views
COPY public ./public
# src/generated is produced by `prisma generate` in the deps stage.
COPY --from=deps /app/src/generated ./src/generated
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "--max-semi-space-size=4", "--v8-pool-size=1", "--import", "tsx", "src/server.ts"]
