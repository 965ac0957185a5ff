#!/usr/bin/env bash
# The Cutover demo on one machine: a local Kubernetes API server (KubeSim) with a simulated
# cluster, driven with the real kubectl.
#
#   hack/demo.sh          narrated, with short pauses
#   hack/demo.sh --ci     the same without pauses (CI runs it to keep this script true)
#
# What it shows today: the Rollout API (CRD, printer columns, schema validation with kubectl's
# own messages), a simulated Deployment becoming ready, and Service traffic split by replica ratio
# as Prometheus would scrape it. The controller that drives a release (cutover-controller) is not
# built yet, so nothing here promotes or reverts a release; the demo says so.
set -euo pipefail
cd "$(dirname "$0")/.."

pause=1
[ "${1:-}" = "--ci" ] && pause=0
say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
wait_a_bit() { [ "$pause" = 1 ] && sleep "${1:-2}" || true; }

command -v kubectl >/dev/null || { echo "hack/demo.sh: kubectl is missing; install kubectl v1.30 or newer" >&2; exit 1; }

work=$(mktemp -d)
sim_pid=""
cleanup() {
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

say "building kube-sim (the first build takes several minutes)"
swift build --product kube-sim 2>&1 | grep -E "error|Compiling|Build" | tail -3
bin=$(swift build --show-bin-path)

say "starting KubeSim: HTTPS on a free loopback port, bearer token, the Rollout CRD from crds/"
"$bin/kube-sim" --port 0 --kubeconfig-out "$work/kubeconfig" --crds crds > "$work/kube-sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
[ -s "$work/kubeconfig" ] || { cat "$work/kube-sim.log" >&2; exit 1; }
export KUBECONFIG="$work/kubeconfig"
kubectl version 2>/dev/null | grep Server
kubectl get crd rollouts.cutover.dev

say "kubectl apply: a namespace, the Services and a Rollout (manifests/examples/)"
kubectl create namespace demo
kubectl apply -f manifests/examples/payment-services.yaml
kubectl apply -f manifests/examples/payment-rollout.yaml
kubectl -n demo get rollouts
wait_a_bit

say "an invalid Rollout is refused by the schema, naming the field"
sed 's/replicas: 3/replicas: -1/; s/name: payment$/name: broken/' manifests/examples/payment-rollout.yaml > "$work/broken.yaml"
kubectl apply -f "$work/broken.yaml" 2>&1 | sed 's/^/    /' || true

say "the simulated cluster: a Deployment's pods become ready after the delay its template asks for"
kubectl apply -f - <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: payment-by-hand, namespace: demo}
spec:
  replicas: 3
  selector: {matchLabels: {app: payment, cutover.dev/revision: by-hand}}
  template:
    metadata:
      labels: {app: payment, cutover.dev/revision: by-hand}
      annotations: {sim.cutover.dev/ready-after: 2s}
    spec:
      containers: [{name: app, image: registry.example.com/payment:1.4.2}]
YAML
kubectl -n demo rollout status deployment/payment-by-hand --timeout=60s
kubectl -n demo get deployments,pods

say "traffic: the Service sends 200 requests/s to the ready pods it selects; KubeSim serves them as metrics"
server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
for _ in $(seq 1 50); do
    curl -sk "$server/metrics" | grep -q '^http_requests_total{namespace="demo"' && break
    sleep 0.2
done
curl -sk "$server/metrics" | grep '^http_requests_total{namespace="demo"' | head -3

say "what comes next"
echo "    cutover-controller (not built yet) would now bring up the green Deployment, shift 20% then 50%"
echo "    of the traffic to it, check Prometheus, and cut over or revert. See README.md, Status."
