#!/bin/sh
# Writes METRICS_TOKEN to the file prometheus.yml names as the scrape credentials
# (Prometheus reads no environment in its config), then becomes Prometheus.
set -eu
token="${METRICS_TOKEN:-}"
if [ "${#token}" -lt 32 ]; then
    echo "METRICS_TOKEN must be set in .env (at least 32 characters) for the observability" \
         "profile: web and worker answer /metrics only with it." >&2
    exit 1
fi
umask 077
mkdir -p /run/planner-prometheus
printf '%s' "$token" > /run/planner-prometheus/metrics-token
unset METRICS_TOKEN
exec prometheus "$@"
