# zinit-ts as a container's init, with services.d/ as /etc/zinit.
# Build: docker build -t zinit-ts:0.1.0 .   Run: docker run --rm zinit-ts:0.1.0
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
COPY services.d ./services.d
COPY systemd ./systemd
COPY deploy ./deploy
COPY README.md ./
# The same package a user installs: compiled code only, built by prepack.
RUN npm pack --pack-destination /pkg

FROM node:24-bookworm-slim
COPY --from=build /pkg /pkg
# Optional dependencies stay: koffi's native binary comes with it. Its install script only checks that binary.
RUN npm install -g --no-audit --no-fund /pkg/zinit-ts-*.tgz && rm -rf /pkg && npm cache clean --force
COPY services.d /etc/zinit
ENV ZINIT_SOCKET=/run/zinit.sock
STOPSIGNAL SIGTERM
ENTRYPOINT ["zinit-ts", "init", "--container", "-c", "/etc/zinit"]
