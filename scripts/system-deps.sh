#!/usr/bin/env bash
# Install the Debian packages the tests need (Graphviz's dot, PostgreSQL's server binaries,
# Chromium to render the HTML reports headless; Node.js and npm to run xstate; for the documents:
# Pango and HarfBuzz for WeasyPrint, fonts it can embed, poppler-utils' pdftotext and pdftoppm,
# qpdf), only when they are missing. As root with apt-get it installs them; elsewhere it says what
# to install and the tests that need them skip with that reason, or fail (the document and
# interchange tests never skip, and under CI=true a missing package is an error).
set -euo pipefail

missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
# WeasyPrint loads these shared libraries at run time; dpkg knows whether they are there.
for package in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    missing+=(postgresql)
fi

if [ ${#missing[@]} -gt 0 ]; then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    if [ "${CI:-}" = "true" ] && ! command -v pdftotext >/dev/null 2>&1; then
        echo "error: installing ${missing[*]} did not bring pdftotext" >&2
        exit 1
    fi
else
    echo "note: missing ${missing[*]}; install them (for example: sudo apt-get install ${missing[*]})" >&2
    echo "note: the tests that need them will be skipped with that reason" >&2
    if [ "${CI:-}" = "true" ]; then
        echo "error: under CI=true these packages are required" >&2
        exit 1
    fi
fi
