# journeyc in a container: `docker run --rm -v "$PWD:/work" ghcr.io/OWNER/journeyc check journeys/`
# Built by .github/workflows/release.yml for linux/amd64 and linux/arm64.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --locked --release --bin journeyc

FROM debian:bookworm-slim
# git: `journeyc diff REV:PATH` reads revisions with it; curl: CI jobs post comments with it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'
COPY --from=build /src/target/release/journeyc /usr/local/bin/journeyc
WORKDIR /work
ENTRYPOINT ["journeyc"]
