#!/usr/bin/env bash
# Regenerates the Go type table of corev1.PodTemplateSpec (shared/core/model/go-pod-template.generated.ts) and the
# vectors Go computes for tests (tests/fixtures/go-json/vectors.json: Quantity texts, Go's JSON of pod templates
# and Argo's own ComputePodTemplateHash) from tests/fixtures/go-json/cases.json, with the k8s.io/api and Argo
# Rollouts versions of this module (then run `npm run -s format`: vectors.json is committed as prettier prints it).
# With an argument, writes both files into that folder instead (the drift test).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-}"
table="${out:+$out/go-pod-template.generated.ts}"
vectors="${out:+$out/vectors.json}"
table="${table:-$root/shared/core/model/go-pod-template.generated.ts}"
vectors="${vectors:-$root/tests/fixtures/go-json/vectors.json}"
command -v go >/dev/null || { echo 'gojson.sh: Go is not installed' >&2; exit 1; }
cd "$here"
GOFLAGS="${GOFLAGS:--buildvcs=false}" CGO_ENABLED=0 go run ./gojson "$table" "$vectors" < "$root/tests/fixtures/go-json/cases.json"
