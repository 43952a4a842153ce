#!/usr/bin/env bash
# Offline checks of the AWS SAM template: cfn-lint, `sam validate --lint`, and `sam build` (esbuild bundles of
# aws/src/handlers/*.ts), then a smoke import of every bundle. Exits non-zero on the first failure.
#
# Needs: python3 (>= 3.9) with venv, and `npm ci` already run at the repo root (sam build uses the repo's esbuild
# from node_modules/.bin, found through samconfig.toml's build_in_source, and esbuild resolves zod from the root
# node_modules; nothing is `npm install`ed by SAM
# because aws/src has no package.json — see docs/decisions/0003-local-api-gateway.md and aws/template.yaml).
# Neither tool needs Docker or AWS credentials for these commands; the only network use is pip reaching PyPI.
set -euo pipefail

# Versions are pinned in .ci/requirements.txt (and .ci/requirements-deploy.txt, which the deploy pipeline uses).
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.ci/.venv"

# Keep the SAM CLI quiet and local: no usage telemetry, no AWS SDK Node-version nag from the smoke import.
export SAM_CLI_TELEMETRY=0
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
# sam validate/build read the region only to pick partitions; pin it so a machine without AWS config behaves the same.
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-ap-northeast-1}"

step() { printf '\n== %s\n' "$*"; }

step "Python tools (.ci/requirements.txt) in .ci/.venv"
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$repo_root/.ci/requirements.txt"
"$venv/bin/cfn-lint" --version
"$venv/bin/sam" --version

step "cfn-lint aws/template.yaml aws/bootstrap.yaml"
# Informational checks (I*) included: the templates are expected to be clean at every level.
"$venv/bin/cfn-lint" --include-checks I --regions ap-northeast-1 -- "$repo_root/aws/template.yaml" "$repo_root/aws/bootstrap.yaml"
echo "cfn-lint: no findings"

cd "$repo_root/aws"

step "sam validate --lint"
"$venv/bin/sam" validate --lint --template template.yaml

step "sam build (esbuild from the repo's node_modules)"
if [[ ! -x "$repo_root/node_modules/.bin/esbuild" ]]; then
  echo "node_modules/.bin/esbuild is missing: run 'npm ci' at the repo root first" >&2
  exit 1
fi
# No PATH edit: samconfig.toml's build_in_source makes SAM find the repo's esbuild (as an owner's plain `sam build` does).
rm -rf .aws-sam/build
"$venv/bin/sam" build

step "Smoke import of every bundle"
# Each bundle must load as ESM on Node and export `handler`; this is what catches a missing createRequire banner
# or a dependency that should have been bundled. @aws-sdk/* (and sharp, which the processing function takes from
# SharpLayer) stay external and resolve from the repo's node_modules; the layer is checked for its arm64 binaries.
# The environment mirrors what the template gives a deployed function, in case a module reads it at load time.
# shellcheck disable=SC2016  # JavaScript in single quotes: its ${…} are JS, not shell
ENV=stag TABLE_NAME=shop-stag-orders BUCKET_NAME=shop-stag-content-000000000000 ECPAY_PARAMETER_PATH=/shop/stag/ecpay \
ECPAY_GATEWAY_URL=https://payment-stage.ecpay.com.tw STOREFRONT_URL=https://stag.shop.example.tw APP_VERSION=dev \
AWS_REGION=ap-northeast-1 AWS_LAMBDA_FUNCTION_NAME=sam-checks-smoke-import \
node --input-type=module -e '
  import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
  import { join, resolve } from "node:path";
  import { pathToFileURL } from "node:url";
  const buildDir = resolve(".aws-sam/build");
  let count = 0;
  for (const fn of readdirSync(buildDir)) {
    const dir = join(buildDir, fn);
    if (!statSync(dir).isDirectory()) continue;
    if (existsSync(join(dir, "nodejs"))) {
      // A layer (SharpLayer): sharp with the arm64 Linux binaries Lambda needs, whatever this machine is.
      const sharp = JSON.parse(readFileSync(join(dir, "nodejs/node_modules/sharp/package.json"), "utf8"));
      if (!existsSync(join(dir, "nodejs/node_modules/@img/sharp-linux-arm64"))) throw new Error(`${fn}: no arm64 sharp`);
      console.log(`ok ${fn}: sharp ${sharp.version} for linux-arm64`);
      continue;
    }
    const bundles = readdirSync(dir).filter((f) => f.endsWith(".mjs"));
    if (bundles.length !== 1) throw new Error(`${fn}: expected one .mjs bundle, found ${bundles.join(", ") || "none"}`);
    const mod = await import(pathToFileURL(join(dir, bundles[0])).href);
    if (typeof mod.handler !== "function") throw new Error(`${fn}/${bundles[0]} does not export handler`);
    const kb = Math.round(statSync(join(dir, bundles[0])).size / 1024);
    console.log(`ok ${fn}/${bundles[0]} (${kb} KiB)`);
    count++;
  }
  if (count === 0) throw new Error("no bundles were built");
  console.log(`${count} bundles load and export handler`);
'

step "SAM checks passed"
