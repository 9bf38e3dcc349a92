# Image of the acr-cache-webhook server. Both stages come from Microsoft's
# registry, not from Docker Hub: an image whose job is to stop Docker Hub rate
# limits should not be subject to them itself.
#
#   az acr build -r myacr -t acr-cache-webhook:0.1.0 .
#   docker build -t myacr.azurecr.io/acr-cache-webhook:0.1.0 .

# --- build: JDK 17 + Maven -----------------------------------------------------
FROM mcr.microsoft.com/openjdk/jdk:17-ubuntu AS build

# Maven from Ubuntu's archive. The package depends on Ubuntu's default JRE, so
# note where the image's own JDK 17 is before installing it, and build with
# that one.
RUN dirname "$(dirname "$(readlink -f "$(command -v javac)")")" > /opt/jdk17-home \
 && apt-get update \
 && apt-get install -y --no-install-recommends maven \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Dependencies in their own layer: reused until pom.xml changes.
COPY pom.xml ./
RUN JAVA_HOME="$(cat /opt/jdk17-home)" mvn -B -ntp dependency:go-offline

COPY src ./src
RUN JAVA_HOME="$(cat /opt/jdk17-home)" mvn -B -ntp -DskipTests package

# --- runtime: distroless JDK 17, no shell, no package manager ------------------
FROM mcr.microsoft.com/openjdk/jdk:17-distroless

ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="acr-cache-webhook" \
      org.opencontainers.image.description="Mutating admission webhook that points Docker Hub images at an Azure Container Registry artifact cache" \
      org.opencontainers.image.version="${VERSION}"

COPY --from=build /build/target/acr-cache-webhook.jar /app/acr-cache-webhook.jar
# CycloneDX SBOM of the jar's contents (pom.xml: cyclonedx-maven-plugin), for scanners that look inside the image.
COPY --from=build /build/target/acr-cache-webhook-sbom.json /app/sbom/acr-cache-webhook-sbom.json

# Class-data sharing: a training run (the webhook starts on loopback with throwaway certificates, warms itself up
# over TLS, stops) records the classes a start loads in /app/acr-cache-webhook.jsa; with -XX:SharedArchiveFile the
# JVM maps them instead of reading and verifying them again, and gets ready sooner (docs/benchmarks.md). Made here,
# by this image's JDK from this jar, so that the archive matches both.
RUN ["java", "-XX:ArchiveClassesAtExit=/app/acr-cache-webhook.jsa", "-Xlog:cds=off", "-XX:+UseSerialGC", "-jar", "/app/acr-cache-webhook.jar", "train"]

# The chart's JVM flags, so that `docker run` behaves like the chart (its javaToolOptions value overrides
# this): the class-data archive above, SerialGC for the smallest footprint, a fixed 32 MiB young generation because the need comes from
# the allocation rate, not the memory limit (docs/benchmarks.md measures each flag).
ENV JAVA_TOOL_OPTIONS="-XX:SharedArchiveFile=/app/acr-cache-webhook.jsa -XX:MaxRAMPercentage=75 -XX:+UseSerialGC -Xmn32m -XX:+ExitOnOutOfMemoryError"

# Numeric, so that Kubernetes can check runAsNonRoot without a passwd entry.
USER 65532:65532

# 8443: admission (HTTPS); 9090: health, metrics, pull-failure report (HTTP).
EXPOSE 8443 9090

ENTRYPOINT ["java", "-jar", "/app/acr-cache-webhook.jar"]
CMD ["--config", "/etc/acr-cache-webhook/config.yaml"]
