#!/usr/bin/env bash
# The seed's release of several services, before ReleaseGroups: with every green Deployment up
# beside its blue, switch each Service's selector to green with kubectl, ask Prometheus every
# INTERVAL seconds for each green's error rate, and on the first one above MAX switch the Services
# back one by one. bench-group-revert measures a ReleaseGroup against it.
#
#   NAMESPACE=shop SERVICES="cart payment" BLUE=v1 GREEN=v2 PROMETHEUS=http://127.0.0.1:9090 \
#     INTERVAL=10 MAX=0.05 hack/benchmarks/seed-release.sh
#
# Service <s> selects cutover.dev/revision=<s>-<BLUE> before and <s>-<GREEN> after the switch.
# Exits 1 after a revert, 0 if no breach was seen within TIMEOUT seconds (default 300).
set -euo pipefail

# The same error-rate query the Rollouts' analysis asks (manifests/examples/payment-rollout.yaml).
error_rate_query() {
    printf '(sum(rate(http_requests_total{namespace="%s",revision="%s",code=~"5.."}[1m])) or vector(0)) / sum(rate(http_requests_total{namespace="%s",revision="%s"}[1m]))' \
        "$NAMESPACE" "$1" "$NAMESPACE" "$1"
}

select_revision() {
    kubectl -n "$NAMESPACE" patch service "$1" --type merge -p "{\"spec\":{\"selector\":{\"cutover.dev/revision\":\"$2\"}}}" >/dev/null
}

for service in $SERVICES; do select_revision "$service" "$service-$GREEN"; done
echo "seed-release: every Service selects green"

deadline=$((SECONDS + ${TIMEOUT:-300}))
while [ "$SECONDS" -lt "$deadline" ]; do
    sleep "$INTERVAL"
    for service in $SERVICES; do
        answer=$(curl -sf --data-urlencode "query=$(error_rate_query "$service-$GREEN")" "$PROMETHEUS/api/v1/query" || true)
        value=$(printf '%s' "$answer" | sed -n 's/.*"value":\[[^,]*,"\([^"]*\)"\].*/\1/p')
        if [ -n "$value" ] && awk -v value="$value" -v max="$MAX" 'BEGIN { exit !(value > max) }'; then
            echo "seed-release: $service error rate $value > $MAX, switching every Service back to blue"
            for back in $SERVICES; do select_revision "$back" "$back-$BLUE"; done
            exit 1
        fi
    done
done
echo "seed-release: no breach within ${TIMEOUT:-300} s"
