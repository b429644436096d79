# Build a static binary, then ship it alone on distroless (CA certificates,
# no shell, non-root). The database lives on the /data volume.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/bot ./cmd/bot && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bot /bot
# A fresh volume takes this directory's owner, so the non-root user can write.
COPY --from=build --chown=65532:65532 /out/data /data
ENV BOT_DB=/data/dobot.db
VOLUME ["/data"]
USER nonroot:nonroot
EXPOSE 8080
# No shell in the image: the binary probes its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["/bot", "healthcheck"]
ENTRYPOINT ["/bot"]
