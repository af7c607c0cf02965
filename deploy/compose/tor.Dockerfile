# Tor from Debian's own package, running as Debian's unprivileged debian-tor user, configured by
# deploy/tor/torrc (mounted by compose.yaml). Build context: deploy/compose.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tor \
 && rm -rf /var/lib/apt/lists/* \
 && install -d -o debian-tor -g debian-tor -m 0700 /var/lib/tor
USER debian-tor
VOLUME /var/lib/tor
ENTRYPOINT ["tor", "-f", "/etc/tor/torrc"]
