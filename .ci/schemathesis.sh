#!/usr/bin/env bash
# Fuzzes the order API with schemathesis against docs/openapi.json (generated from the zod contract by
# scripts/openapi.ts): a local stack (aws/local/serve-api.ts: dynalite, s3rver, ECPay sandbox, the local HTTP API
# running the real handlers with SigV4 and IAM enforced) on a free port, requests signed by .ci/schemathesis_hooks.py
# as the IAM user each route belongs to. Checks (.ci/schemathesis.toml): no 5xx, status codes, content types and bodies
# as documented, invalid input rejected, and auth not ignored. Exits non-zero on any failure.
#
# Needs python3 with venv and `npm ci` done. Usage: bash .ci/schemathesis.sh
#   SCHEMATHESIS_MAX_EXAMPLES (default 100 per operation), SCHEMATHESIS_SEED (default random) tune a run.
set -euo pipefail

SCHEMATHESIS_VERSION="4.32.5"
BOTOCORE_VERSION="1.43.127" # only installed when the venv has none (aws-sam-cli normally brings it)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
venv="$repo_root/.ci/.venv"
out="$repo_root/.ci/results/schemathesis"
rm -rf "$out" && mkdir -p "$out"
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true LOG_LEVEL=silent

echo "== schemathesis $SCHEMATHESIS_VERSION in .ci/.venv"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
"$venv/bin/python" -c "import botocore" 2>/dev/null ||
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "botocore==$BOTOCORE_VERSION"
"$venv/bin/schemathesis" --version

echo "== docs/openapi.json is current"
npx tsx scripts/openapi.ts --check

echo "== local stack"
# One node process (tsx as a loader, not the tsx CLI, which would leave its child running when killed).
node --import tsx aws/local/serve-api.ts --ready-file "$out/ready.json" >"$out/api.log" 2>&1 &
api_pid=$!
trap 'kill $api_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  [[ -s "$out/ready.json" ]] && break
  kill -0 $api_pid 2>/dev/null || { cat "$out/api.log"; exit 1; }
  sleep 0.2
done
api_url=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).apiUrl)' "$out/ready.json")
echo "order API at $api_url"

echo "== schemathesis run"
seed_args=()
[[ -n "${SCHEMATHESIS_SEED:-}" ]] && seed_args=(--seed "$SCHEMATHESIS_SEED")
status=0
PYTHONPATH="$repo_root/.ci" SCHEMATHESIS_HOOKS=schemathesis_hooks \
  "$venv/bin/schemathesis" --config-file "$repo_root/.ci/schemathesis.toml" run docs/openapi.json \
  --url "$api_url" \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}" \
  "${seed_args[@]}" \
  --workers 1 \
  --request-timeout 30 \
  --report junit,har --report-dir "$out" || status=$?

kill $api_pid 2>/dev/null || true
wait $api_pid 2>/dev/null || true
if [[ $status -ne 0 ]]; then
  echo "schemathesis found problems (exit $status); handler logs: $out/api.log, requests: $out/*.har" >&2
fi
exit $status
