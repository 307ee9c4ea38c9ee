# syntax=docker/dockerfile:1

# sessiongraph as a static binary on distroless, running as a non-root user.
#
#   docker build -t sessiongraph .
#   docker run --rm -p 8080:8080 sessiongraph --demo
#   docker run --rm -p 8080:8080 -e DATABASE_URL='postgres://…' -e OS_SECURITY_KEY='…' sessiongraph
#
# docs/deployment.md explains the choices; deploy/kubernetes.yaml runs it.

ARG GO_VERSION=1.26

# The builder runs on the build machine's platform and cross-compiles for the
# target's (docker buildx build --platform linux/amd64,linux/arm64 .).
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules first, so that a change to the code does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS
ARG TARGETARCH
# CGO_ENABLED=0 gives a static binary; SQLite is served by a pure-Go driver.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/sessiongraph .

# distroless/static: CA certificates (for TLS to PostgreSQL), tzdata and a
# nonroot user; no shell, no package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sessiongraph /usr/local/bin/sessiongraph
# Every interface of the container; the binary alone listens on loopback.
ENV SESSIONGRAPH_ADDR=0.0.0.0:8080
EXPOSE 8080
# Numeric (distroless' nonroot), so that Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
# No HEALTHCHECK: distroless has no shell or curl to run one, and the binary
# has no probe command. Orchestrators probe GET /livez and GET /readyz.
ENTRYPOINT ["/usr/local/bin/sessiongraph"]
