# EdgeAgent container. Build: docker build -t edgeagent .
# Run:   docker run -v $PWD/config:/config:ro -v edgeagent-data:/data -p 1883:1883 edgeagent
# The test command (./test.sh) builds the same publish output (dotnet publish -c Release) that this file copies.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/EdgeAgent/EdgeAgent.csproj -c Release -o /app -nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# The figures of `spc analyze --plot/--report` draw their text in DejaVu (the image has no fonts of its own).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
# Serial gauges and RTU buses need the dialout group; the agent never runs as root.
RUN groupadd --system edgeagent && useradd --system --gid edgeagent --groups dialout --home-dir /data --no-create-home edgeagent \
    && mkdir -p /data /config && chown edgeagent:edgeagent /data
WORKDIR /app
COPY --from=build /app ./
COPY config/demo.yaml /config/edgeagent.yaml
USER edgeagent
VOLUME ["/data"]
ENV DOTNET_gcServer=0 EDGEAGENT_DATA=/data
# MQTT (embedded broker when outputs.mqtt is omitted) and Prometheus /metrics.
EXPOSE 1883 9464
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/app/edgeagent", "health", "--config", "/config/edgeagent.yaml"]
ENTRYPOINT ["/app/edgeagent"]
CMD ["run", "--config", "/config/edgeagent.yaml"]
