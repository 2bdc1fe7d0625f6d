#!/usr/bin/env bash
# Media tools for the processing target (internal/processing). Source this
# file from .ci/run, then call ensure_media_tools: it installs the Debian
# packages ffmpeg (ffmpeg, ffprobe) and poppler-utils (pdfinfo, pdftoppm,
# pdftotext) when any of their binaries is missing. prlimit (util-linux,
# part of every Debian base image) bounds the tools' memory when present.

ensure_media_tools() {
  local missing=()
  local bin
  for bin in ffmpeg ffprobe; do
    command -v "$bin" >/dev/null 2>&1 || { missing+=(ffmpeg); break; }
  done
  for bin in pdfinfo pdftoppm pdftotext; do
    command -v "$bin" >/dev/null 2>&1 || { missing+=(poppler-utils); break; }
  done
  if [ "${#missing[@]}" -eq 0 ]; then return 0; fi
  echo "installing ${missing[*]}" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
