# ingestd container image.
#   docker build -t ingestd:0.1.0 .
# Build stage: the project's own install script and `make build`, as on a developer machine.
# Runtime stage: the binary, the shared libraries it links (docker/runtime-packages.txt), the default
# config and taxonomy, a non-root user. No container engine runs in CI here: tests/helm/docker_image_test.sh
# checks what it can without one (docs/operations.md, "The container image").

FROM debian:bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive
WORKDIR /src
# Dependencies first, so that a source change does not reinstall them.
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN apt-get update \
 && bash scripts/install-deps.sh \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN make build BUILD=build JOBS=2 \
 && strip build/ingestd \
 && build/ingestd --version
# /etc/ingestd as the image ships it: the production config and, beside it, the taxonomy directory it
# names. check-config fails the build if the config needs anything the layout lacks.
RUN mkdir -p /out/etc/ingestd \
 && cp config/ingestd.yaml /out/etc/ingestd/ingestd.yaml \
 && if [ -d config/taxonomy ]; then cp -r config/taxonomy /out/etc/ingestd/taxonomy; fi \
 && cp -r config/boilerplate /out/etc/ingestd/boilerplate \
 && build/ingestd check-config --config /out/etc/ingestd/ingestd.yaml

FROM debian:bookworm-slim AS runtime
ENV DEBIAN_FRONTEND=noninteractive
COPY docker/runtime-packages.txt /tmp/runtime-packages.txt
RUN apt-get update \
 && sed -e 's/#.*//' /tmp/runtime-packages.txt | xargs apt-get install -y --no-install-recommends \
 && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt
RUN groupadd --system --gid 10001 ingestd \
 && useradd --system --uid 10001 --gid ingestd --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin ingestd
COPY --from=build /src/build/ingestd /usr/local/bin/ingestd
# The production config reads the brokers from INGESTD_KAFKA_BROKERS and finds the taxonomy beside it.
COPY --from=build /out/etc/ingestd/ /etc/ingestd/
# Countries generated at build time from iso-codes (docs/taxonomy.md); found beside the binary.
COPY --from=build /src/build/taxonomy/countries.yaml /usr/local/share/ingestd/taxonomy/countries.yaml
USER 10001:10001
EXPOSE 9464
# Plain bash, no curl in the image: GET /healthz on the admin port must answer 200.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9464 && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/usr/local/bin/ingestd"]
CMD ["run", "--config", "/etc/ingestd/ingestd.yaml"]
