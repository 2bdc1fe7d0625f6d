#!/usr/bin/env bash
# Helpers for the media pipeline's tests (storage, processing). Source this
# file from .ci/run, then call the functions.

# build_minio builds the S3-compatible server the storage tests run against
# (tools/minio, its own module) into bin/minio. It takes a few minutes the
# first time; the storage tests start it on a free loopback port with a
# temporary directory and create a bucket per test.
build_minio() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if [ -x "$root/bin/minio" ] && [ "$root/bin/minio" -nt "$root/tools/minio/go.mod" ]; then
    return 0
  fi
  (cd "$root/tools/minio" && go build -o "$root/bin/minio" github.com/minio/minio)
}
