# Build a static binary, then run it as a non-root user in a minimal image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/scrapstore ./cmd/scrapstore

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/scrapstore /usr/local/bin/scrapstore
ENV SCRAPSTORE_DATA_DIR=/data \
    SCRAPSTORE_ADDR=:8080 \
    SCRAPSTORE_LOG_FORMAT=json
# /data holds the SQLite database, photos and kept reports; it must be writable by the
# nonroot user (uid 65532).
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["/usr/local/bin/scrapstore", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/scrapstore"]
CMD ["serve"]
