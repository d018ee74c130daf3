#!/usr/bin/env bash
# Soak: 1,000 websockets over 10 connections for about 5 minutes while a relay
# drops connections at random; prints one JSON line and fails on lost or
# duplicated messages, or on memory / file descriptors not coming back.
#   tests/soak/run_soak.sh [SECONDS] [CONNECTIONS] [WEBSOCKETS_PER_CONNECTION]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cmake --build build -j2 --target h2ws_soak >/dev/null
exec timeout 420 build/tests/soak/h2ws_soak "${1:-300}" "${2:-10}" "${3:-100}"
