#!/usr/bin/env bash
# Builds kube-apiserver and etcd for the test cluster from the Go module proxy.
# Binaries go to a cache outside the repo, keyed by version; nothing is committed.
# If KUBEBUILDER_ASSETS names a folder with both binaries, they are used instead.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
K8S="${SLUICE_K8S_VERSION:-v1.36.3}"
STG="v0.${K8S#v1.}"
MINOR="$(echo "$K8S" | cut -d. -f2)"
BIN="${K8S_TEST_BIN:-$HOME/.cache/sluice/k8s-test-bin/$K8S}"
log() { printf '[test-cluster build] %s\n' "$*" >&2; }

if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/kube-apiserver" ] && [ -x "$KUBEBUILDER_ASSETS/etcd" ]; then
  log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi
if [ -x "$BIN/kube-apiserver" ] && [ -x "$BIN/etcd" ] \
  && "$BIN/kube-apiserver" --version 2>/dev/null | grep -q "Kubernetes $K8S" \
  && "$BIN/etcd" --version 2>/dev/null | grep -q 'etcd Version: 3\.'; then
  log "reusing $BIN ($K8S)"
  echo "$BIN"
  exit 0
fi
command -v go >/dev/null || { log "ERROR: Go is not installed and KUBEBUILDER_ASSETS is not set; cannot build kube-apiserver/etcd"; exit 1; }
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
mkdir -p "$BIN"
cd "$here"
start=$(date +%s)
log "step 1/3: downloading modules for k8s.io/kubernetes $K8S (first time: ~1 GB, a few minutes)"
go mod download
log "step 2/3: building kube-apiserver $K8S (first time: 10-25 min on 2 cores; progress below)"
V=k8s.io/component-base/version
LDF="-s -w -X $V.gitVersion=$K8S -X $V.gitMajor=1 -X $V.gitMinor=$MINOR"
# Print a heartbeat so a long compile is not mistaken for a hang.
( while sleep 60; do log "  ... still compiling ($(( $(date +%s) - start ))s elapsed)"; done ) &
hb=$!
trap 'kill $hb 2>/dev/null || true' EXIT
go build -trimpath -ldflags "$LDF" -o "$BIN/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
mv "$BIN/kube-apiserver.tmp" "$BIN/kube-apiserver"
log "step 3/3: building etcd (same module graph)"
go build -trimpath -ldflags "-s -w" -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3
mv "$BIN/etcd.tmp" "$BIN/etcd"
log "done in $(( $(date +%s) - start ))s: $("$BIN/kube-apiserver" --version), $("$BIN/etcd" --version | head -1)"
echo "$BIN"
