#!/usr/bin/env bash
# run_doxygen.sh DOXYGEN OUTPUT_DIR: runs docs/Doxyfile (from the repository root) with its
# output in OUTPUT_DIR. Exits 77 (skip) when DOXYGEN is empty or not found.
set -euo pipefail
doxygen=${1:-}
out=$2
if [[ -z $doxygen || $doxygen == *NOTFOUND || ! -x $doxygen ]]; then
  echo "doxygen not found (Debian: apt-get install doxygen): skipped"
  exit 77
fi
mkdir -p "$out"
{ cat docs/Doxyfile; printf 'OUTPUT_DIRECTORY = %s\n' "$out"; } | "$doxygen" -
echo "API reference: $out/html/index.html"
