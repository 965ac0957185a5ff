# syntax=docker/dockerfile:1
# The cutover-controller image: a release build with the Swift runtime linked in statically, on a
# slim Debian that carries only the shared libraries the binary links (see docs/install.md).
#
#   docker build -t cutover-controller:dev .
#
# No Docker engine runs on the development machines: hack/image-check.sh runs the build RUN line
# below verbatim and checks `ldd` of the result against the runtime stage's package list.

FROM swift:6.3-bookworm AS build
WORKDIR /src
COPY . .
ARG SCRATCH=/src/.build
ARG OUT=/out
# Swift 6.3.1 needs the Foundation support libraries named on the link line when the stdlib is
# static (CoreFoundation and _FoundationICU because KubeAPI's Yams pulls in full Foundation).
RUN swift build -c release --product cutover-controller --scratch-path "$SCRATCH" \
        --static-swift-stdlib \
        -Xlinker -l_FoundationCollections -Xlinker -l_FoundationCShims \
        -Xlinker -lCoreFoundation -Xlinker -l_FoundationICU \
    && mkdir -p "$OUT" \
    && cp "$SCRATCH/release/cutover-controller" "$OUT/cutover-controller" \
    && strip "$OUT/cutover-controller"

FROM debian:bookworm-slim
# Exactly the packages behind the binary's `ldd` (libc/libm, libgcc_s, libstdc++, and libz for
# async-http-client's decompression; all are in the base image already, named here so that
# hack/image-check.sh checks the list) plus CA roots for an HTTPS Prometheus.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libc6 libgcc-s1 libstdc++6 zlib1g ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/cutover-controller /usr/local/bin/cutover-controller
# A numeric non-root user, so Kubernetes' runAsNonRoot can verify it without /etc/passwd.
USER 65532:65532
# 8080: Prometheus metrics (--metrics-address), 8081: /healthz and /readyz (--health-address).
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/cutover-controller"]
