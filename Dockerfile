# zinit-ts as a container's init, with services.d/ as /etc/zinit.
# Build: docker build -t zinit-ts .   Run: docker run --rm zinit-ts
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
RUN npx tsc -p tsconfig.json

FROM node:20-bookworm-slim
WORKDIR /opt/zinit-ts
COPY package.json package-lock.json ./
# Optional dependencies stay: koffi's native binary comes from one (@koromix/koffi-linux-x64).
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist/src ./dist/src
COPY services.d /etc/zinit
RUN ln -s /opt/zinit-ts/dist/src/cli/main.js /usr/local/bin/zinit-ts && chmod +x dist/src/cli/main.js
ENV ZINIT_SOCKET=/run/zinit.sock
STOPSIGNAL SIGTERM
ENTRYPOINT ["zinit-ts", "init", "--container", "-c", "/etc/zinit"]
