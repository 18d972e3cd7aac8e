#!/usr/bin/env bash
# Makes the README's screenshots of the login, verification and failure pages (phone and desktop) from the browser
# tests, so that they show the pages as they are. Needs Chromium (apt-get install chromium, or CHROMIUM_PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
EID_SCREENSHOTS="$PWD/docs/screenshots" dotnet test tests/IcelandicEid.BrowserTests --filter "FullyQualifiedName~Screenshots_of_the_pages" -nologo
ls -l docs/screenshots
