#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this): installs what is missing
# (Debian's Chromium and a font, for the report's browser check; scripts/install-chromium.sh does
# nothing when they are there), then `mvn -B verify`: the fast tests (Surefire, `mvn test`), the
# job jar, then the slow ones tagged @Tag("slow") (Failsafe). Extra arguments go to Maven, e.g.
# scripts/test.sh -o (offline).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-chromium.sh
# the tests' JVMs run OpenBLAS's kernels as the job's launches do (OPENBLAS_CORETYPE, see there)
. scripts/java-flags.sh
exec mvn -B verify "$@"
