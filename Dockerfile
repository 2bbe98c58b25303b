# Meshgate images, one multi-stage build for all of them:
#
#   docker build --target control-plane -t meshgate/control-plane:local .
#   docker build --target gateway       -t meshgate/gateway:local .
#   docker build --target mesh-agent    -t meshgate/mesh-agent:local .
#   docker build --target examples      -t meshgate/examples:local .
#   docker build --target auth-server   -t meshgate/auth-server:local .
#
# docker-compose.yml builds these targets itself. The file uses no BuildKit-only syntax (no RUN --mount), so it
# also builds with the classic builder that docker-compose v1 uses by default.

# ---------------------------------------------------------------------------------------------------------------
# Build: the same `mvn -B -DskipTests package` as a local build. The image's Maven is used rather than ./mvnw so
# the wrapper does not download a second Maven distribution.
# ---------------------------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build

# The poms alone first: this layer (with the downloaded dependencies) stays cached until a pom changes.
COPY .mvn/ .mvn/
COPY pom.xml ./
COPY mesh-model/pom.xml mesh-model/
COPY mesh-client/pom.xml mesh-client/
COPY control-plane/pom.xml control-plane/
COPY gateway/pom.xml gateway/
COPY mesh-agent/pom.xml mesh-agent/
COPY examples/pom.xml examples/
COPY demo-auth-server/pom.xml demo-auth-server/
COPY e2e-tests/pom.xml e2e-tests/
# Best effort: go-offline cannot resolve the reactor's own modules and misses a few plugin dependencies, which the
# package step below then downloads. A failure here only costs cache, never the build.
RUN mvn -B -q dependency:go-offline || true

# Then the sources (.dockerignore keeps target/, .git/, config-repo/ and the like out of the context).
COPY . .
RUN mvn -B -DskipTests package
# The runnable jars under fixed names, so the stages below need no version (cp fails if a pattern matches twice).
RUN mkdir dist \
 && cp control-plane/target/control-plane-*-exec.jar dist/control-plane.jar \
 && cp gateway/target/gateway-*-exec.jar dist/gateway.jar \
 && cp mesh-agent/target/mesh-agent-*-exec.jar dist/mesh-agent.jar \
 && cp examples/target/examples-*.jar dist/examples.jar \
 && cp demo-auth-server/target/demo-auth-server-*-exec.jar dist/auth-server.jar

# ---------------------------------------------------------------------------------------------------------------
# Runtime base: a JRE, a non-root user, a data directory.
# ---------------------------------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre AS runtime

# The data directory is owned by the runtime user so that a named volume mounted on it starts out writable: Docker
# copies the ownership of an image directory into a new, empty named volume. The user gets a writable home too,
# where JGit keeps its user config (~/.config/jgit).
ENV MESHGATE_DATA_DIR=/var/lib/meshgate
RUN groupadd --system --gid 10001 meshgate \
 && useradd --system --uid 10001 --gid meshgate --create-home --home-dir /home/meshgate --shell /usr/sbin/nologin meshgate \
 && mkdir -p /app "$MESHGATE_DATA_DIR" \
 && chown meshgate:meshgate "$MESHGATE_DATA_DIR"
WORKDIR /app

# Health checks: eclipse-temurin's Ubuntu images ship curl (https://github.com/adoptium/containers/issues/255),
# so the HEALTHCHECKs below need no extra package. The examples image has none here because its port depends on
# its arguments; docker-compose.yml gives each demo container (orders, inventory, inventory-b) its own.
#
# JVM: Serial GC and 75 % of the container's memory limit suit these small single-purpose processes. Add flags
# with JAVA_TOOL_OPTIONS, which every JVM reads, without rewriting the entrypoint.

# ---------------------------------------------------------------------------------------------------------------
# Control plane: Spring Cloud Config Server and push channel; port 8888 (its API, TLS only) and 8889 (management).
# Needs the Git repository with config-repo/ (JGit, pure Java: no git binary in the image). Default: a checkout
# mounted at /meshgate-repo, e.g. `docker run -v "$PWD":/meshgate-repo:ro -p 8888:8888 meshgate/control-plane:local`.
# ---------------------------------------------------------------------------------------------------------------
FROM runtime AS control-plane
COPY --from=build /build/dist/control-plane.jar /app/app.jar
ENV MESHGATE_CONFIG_GIT_URI=/meshgate-repo
USER 10001:10001
EXPOSE 8888 8889
HEALTHCHECK --interval=5s --timeout=3s --start-period=90s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8889/actuator/health || exit 1
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/app.jar"]

# ---------------------------------------------------------------------------------------------------------------
# Gateway: Spring Cloud Gateway edge, port 8080 (traffic) and 8090 (management: health, prometheus, mesh).
# Set MESHGATE_CONTROL_PLANE_URI (and MESHGATE_PROFILES) for where it runs.
# ---------------------------------------------------------------------------------------------------------------
FROM runtime AS gateway
COPY --from=build /build/dist/gateway.jar /app/app.jar
USER 10001:10001
EXPOSE 8080 8090
HEALTHCHECK --interval=5s --timeout=3s --start-period=90s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8090/actuator/health || exit 1
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/app.jar"]

# ---------------------------------------------------------------------------------------------------------------
# Mesh agent: the per-node proxy, port 15000 (admin: health, prometheus, mesh), 15001 (outbound: the node's apps
# call the mesh through it) and 15006 (inbound: the gateway and other agents reach the node's workloads).
# Set MESHGATE_CONTROL_PLANE_URI, MESHGATE_AGENT_NODE, MESHGATE_AGENT_BIND=0.0.0.0 (the default 127.0.0.1 is only
# reachable inside the container) and MESHGATE_AGENT_ADVERTISE_HOST; the workloads are arguments:
#   --meshgate.agent.workloads.<service>=http://host:port
# The HEALTHCHECK assumes the default admin port (MESHGATE_AGENT_ADMIN_PORT=15000).
# ---------------------------------------------------------------------------------------------------------------
FROM runtime AS mesh-agent
COPY --from=build /build/dist/mesh-agent.jar /app/app.jar
USER 10001:10001
EXPOSE 15000 15001 15006
HEALTHCHECK --interval=5s --timeout=3s --start-period=90s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:15000/actuator/health || exit 1
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-XX:TrimNativeHeapInterval=5000", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/app.jar"]

# ---------------------------------------------------------------------------------------------------------------
# Demo services (orders, inventory): a plain jar on the JDK's HTTP server. The arguments choose which services run;
# the default CMD runs both in one container. docker-compose.yml runs one container per service instead.
# ---------------------------------------------------------------------------------------------------------------
FROM runtime AS examples
COPY --from=build /build/dist/examples.jar /app/app.jar
USER 10001:10001
EXPOSE 8181 8182
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/app.jar"]
CMD ["--bind=0.0.0.0", "orders:8181", "inventory:8182"]

# ---------------------------------------------------------------------------------------------------------------
# Demo auth server: a demo identity provider (Spring Authorization Server) on port 9000, client-credentials JWTs
# for the gateway's protected routes (POST /oauth2/token), its keys at /oauth2/jwks. Set
# MESHGATE_AUTH_SERVER_ADDRESS=0.0.0.0 (the default 127.0.0.1 is only reachable inside the container) and
# MESHGATE_AUTH_SERVER_ISSUER to the URL the gateway knows it by. The signing key lives in memory only: a new
# container, a new key (tokens signed with the old one no longer verify).
# ---------------------------------------------------------------------------------------------------------------
FROM runtime AS auth-server
COPY --from=build /build/dist/auth-server.jar /app/app.jar
USER 10001:10001
EXPOSE 9000
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:9000/oauth2/jwks || exit 1
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=75", "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/app.jar"]
