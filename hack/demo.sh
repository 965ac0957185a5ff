#!/usr/bin/env bash
# The Cutover demo on one machine: KubeSim (a local Kubernetes API server with a simulated cluster),
# a real Prometheus scraping the simulated traffic, and cutover-controller, driven with kubectl.
#
#   hack/demo.sh          narrated, with the example's real pauses (about 5 minutes)
#   hack/demo.sh --ci     short pauses and hold window (about 1–2 minutes); CI runs this
#
# It deploys payment 1.4.2, releases 1.4.3 (healthy: canary 20% → 50% → cutover → hold → blue at 0)
# and then 1.5.0, whose pods answer 20% of requests with errors: the analysis breaches and the
# controller reverts to blue by itself. Then a release group of three services, one of them bad:
# all three revert. Everything it starts is stopped on exit or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

fast=0
[ "${1:-}" = "--ci" ] && fast=1
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { echo "hack/demo.sh: $*" >&2; exit 1; }

command -v kubectl >/dev/null || die "kubectl is missing; install kubectl v1.30 or newer"
if ! command -v prometheus >/dev/null; then
    if command -v apt-get >/dev/null && [ "$(id -u)" -eq 0 ]; then
        say "installing Debian's prometheus"
        apt-get update -qq && env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
    else
        die "prometheus is missing: install Debian's 'prometheus' package (or Prometheus 2.x on PATH)"
    fi
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

say "building kube-sim and cutover-controller (the first build takes several minutes)"
swift build --product kube-sim 2>&1 | grep -E "error|Build" | tail -2
swift build --product cutover-controller 2>&1 | grep -E "error|Build" | tail -2
swift build --product kubectl-cutover 2>&1 | grep -E "error|Build" | tail -2
bin=$(swift build --show-bin-path)
export PATH="$bin:$PATH"   # so `kubectl cutover` finds the plugin

say "starting KubeSim (HTTPS, bearer token, the Rollout CRD from crds/)"
sim_port=$(free_port)
"$bin/kube-sim" --port "$sim_port" --kubeconfig-out "$work/kubeconfig" --crds crds > "$work/kube-sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
[ -s "$work/kubeconfig" ] || { cat "$work/kube-sim.log" >&2; die "kube-sim did not start"; }
export KUBECONFIG="$work/kubeconfig"

say "starting Prometheus, scraping KubeSim's simulated traffic every second"
prom_port=$(free_port)
cat > "$work/prometheus.yml" <<YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: kube-sim
    scheme: https
    tls_config: {insecure_skip_verify: true}
    static_configs: [{targets: ["127.0.0.1:$sim_port"]}]
YAML
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$prom_port" > "$work/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null || { tail "$work/prometheus.log" >&2; die "prometheus did not start"; }

say "starting cutover-controller"
"$bin/cutover-controller" --kubeconfig "$work/kubeconfig" --leader-elect off --health-address "127.0.0.1:0" --metrics-address "127.0.0.1:0" \
    > "$work/controller.log" 2>&1 &
pids+=($!)

# The examples, pointed at this Prometheus; with --ci, short pauses and hold window.
manifest() {
    sed -e "s#http://127.0.0.1:9090#http://127.0.0.1:$prom_port#" "$1" |
        if [ "$fast" = 1 ]; then sed -e 's/pause: 30s/pause: 5s/g; s/holdWindow: 1m/holdWindow: 5s/; s/interval: 10s/interval: 4s/'; else cat; fi
}

# Prints the object's line whenever it changes, like `kubectl get -w`, until its phase is one of
# the given ones (or the deadline passes). `follow 600 Healthy` follows rollout/payment.
follow() { follow_object rollout/payment "$@"; }
follow_object() {
    local object=$1 deadline=$((SECONDS + $2)); shift 2
    local last="" line phase
    while [ $SECONDS -lt $deadline ]; do
        line=$(kubectl -n demo get "$object" -o wide --no-headers 2>/dev/null | tr -s ' ' || true)
        # Print only real changes (the last column, AGE, ticks every second).
        if [ -n "$line" ] && [ "${line% *}" != "$last" ]; then echo "    $line"; last=${line% *}; fi
        phase=$(kubectl -n demo get "$object" -o jsonpath='{.status.phase}' 2>/dev/null || true)
        for want in "$@"; do [ "$phase" = "$want" ] && return 0; done
        sleep 0.5
    done
    echo "    (gave up waiting for ${*})"
    kubectl -n demo get "$object" -o jsonpath='{.status}{"\n"}' >&2 || true
    tail -20 "$work/controller.log" >&2; return 1
}

say "first deploy: payment 1.4.2 (no analysis: nothing to compare with yet)"
kubectl create namespace demo >/dev/null
kubectl apply -f manifests/examples/payment-services.yaml
manifest manifests/examples/payment-rollout.yaml | kubectl apply -f -
echo "    $(kubectl -n demo get rollout payment -o wide | head -1 | tr -s ' ')"
follow 120 Healthy

say "a good release: payment 1.4.3 — canary 20% → 50% with analysis, cutover, hold window, blue to 0"
manifest manifests/examples/payment-rollout.yaml | sed 's/payment:1.4.2/payment:1.4.3/' | kubectl apply -f -
follow 600 Progressing Canary
follow 600 Healthy RolledBack
kubectl -n demo get rollout payment -o jsonpath='{.status.phase}' | grep -qx Healthy || die "the good release did not become Healthy"
kubectl -n demo get deployments

say "a bad release: payment 1.5.0 answers 20% of requests with errors"
manifest manifests/examples/payment-rollout-bad.yaml | kubectl apply -f -
follow 600 RolledBack Healthy
kubectl -n demo get rollout payment -o jsonpath='{.status.phase}' | grep -qx RolledBack || die "the bad release was not reverted"
echo "    why: $(kubectl -n demo get rollout payment -o jsonpath='{.status.abort}')"
kubectl -n demo get service payment -o jsonpath='    active Service selector: {.spec.selector}{"\n"}'
kubectl -n demo get events --field-selector involvedObject.name=payment 2>/dev/null | tail -5 | sed 's/^/    /'

say "the same, through the plugin: kubectl cutover get / history / report"
kubectl cutover get payment -n demo | sed 's/^/    /'
kubectl cutover history payment -n demo | sed 's/^/    /'
kubectl cutover report payment -n demo | sed 's/^/    /'

say "a release group: cart, catalog and checkout released as one (manifests/examples/shop-group.yaml)"
manifest manifests/examples/shop-group.yaml | kubectl apply -f - >/dev/null
for member in cart catalog checkout; do follow_object "rollout/$member" 120 Healthy >/dev/null; done
kubectl -n demo get releasegroup shop | sed 's/^/    /'

say "all three at 1.1.0, and checkout 1.1.0 answers 20% of requests with errors: the whole group reverts"
manifest manifests/examples/shop-group.yaml |
    sed -e 's/:1\.0\.0/:1.1.0/; s/error-rate: "0.0"/error-rate: "0.2"/' | kubectl apply -f - >/dev/null
follow_object releasegroup/shop 600 RolledBack Healthy
kubectl -n demo get releasegroup shop -o jsonpath='{.status.phase}' | grep -qx RolledBack || die "the group was not reverted"
echo "    why: $(kubectl -n demo get releasegroup shop -o jsonpath='{.status.abort.message}')"
for member in cart catalog checkout; do
    echo "    $member: $(kubectl -n demo get rollout "$member" -o jsonpath='{.status.phase} {.status.abort.reason}'), active Service selects $(kubectl -n demo get service "$member" -o jsonpath='{.spec.selector.cutover\.dev/revision}')"
done
kubectl cutover get group shop -n demo 2>/dev/null | sed 's/^/    /' || true

say "done: the good release was promoted, the bad one reverted by itself, and the group reverted as one"
