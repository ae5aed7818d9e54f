#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The README's demo: trace the bundled demo program, then prove the shadow
# of its address space exact against the kernel's /proc/<pid>/maps.
set -eu
cd "$(dirname "$0")/.."
py=/usr/bin/python3  # Debian's (installed by .ci/install-deps), not a version-manager shim
echo "\$ maptrace trace -- $py tests/demo.py"
./maptrace trace -- "$py" tests/demo.py
echo
echo "\$ maptrace verify -- $py tests/demo.py"
./maptrace verify -- "$py" tests/demo.py
