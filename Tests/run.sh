#!/usr/bin/env bash
# The test command: installs what the tests need, then runs the format lint and every test.
#   Tests/run.sh                      # everything, as CI does (.ci/run calls this)
#   Tests/run.sh --filter SeedFlow    # arguments go to `swift test`
# The Debian packages of Tests/debian-packages.txt that are missing are installed with apt-get (as
# root; otherwise the script says what to install and stops). The Python packages of
# Tests/requirements.txt go into a virtual environment of the checkout's own, .build/test-venv
# (git-ignored), never into the system's Python; it is put first on PATH, so the tests' `python3`
# is its interpreter. `swift test` runs beside a throwaway PostgreSQL (.ci/postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=$(sed -e 's/#.*//' Tests/debian-packages.txt | tr -s ' \t' '\n' | sed '/^$/d')
missing=()
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "Tests/run.sh: missing Debian packages; as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    echo "Tests/run.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    # Another apt-get may hold dpkg's lock for a while: wait for it rather than fail.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi

# The virtual environment, made again whenever Tests/requirements.txt changes.
venv=$PWD/.build/test-venv
wanted=$(sha256sum Tests/requirements.txt | cut -d' ' -f1)
if [ "$(cat "$venv/requirements.sha256" 2>/dev/null)" != "$wanted" ]; then
    echo "Tests/run.sh: installing Tests/requirements.txt into $venv" >&2
    rm -rf "$venv"
    mkdir -p .build
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install -q -r Tests/requirements.txt
    echo "$wanted" >"$venv/requirements.sha256"
fi
export VIRTUAL_ENV=$venv
export PATH=$venv/bin:$PATH

swift --version
# The code as .swift-format says (`swift format format -i -r Sources Tests Plugins Benchmarks Fuzz
# Package.swift` applies it); a lint finding fails the run before the tests.
swift format lint --strict --recursive --parallel Sources Tests Plugins Benchmarks Fuzz Package.swift
# The PostgreSQL tests run against a throwaway cluster that postgres.sh starts and stops.
.ci/postgres.sh swift test "$@" 2>&1
