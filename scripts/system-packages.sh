#!/usr/bin/env bash
# Debian packages Tunnelview needs beyond Python: Pango, HarfBuzz's subsetter and a font for
# WeasyPrint (PDF reports), and with --with-browser Chromium, for the browser tests and for
# TUNNELVIEW_PDF_RENDERER=chromium (driven by Playwright; never `playwright install`). Installs only
# what is missing; `make demo` and `make test` call it.
set -euo pipefail

missing=()
libs="$(ldconfig -p 2>/dev/null || true)"
grep -q 'libpango-1.0.so.0' <<<"$libs" || missing+=(libpango-1.0-0)
grep -q 'libpangoft2-1.0.so.0' <<<"$libs" || missing+=(libpangoft2-1.0-0)
grep -q 'libharfbuzz-subset.so.0' <<<"$libs" || missing+=(libharfbuzz-subset0)
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
if [ "${1:-}" = "--with-browser" ] && ! [ -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing system packages: ${missing[*]}. Install them with your package manager (Debian: apt-get install ${missing[*]})." >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
