# Shared by scripts/quickstart and scripts/test: system packages and build flags.
# Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Install the Debian packages the build needs, only when something is missing (idempotent, fast).
APT_PACKAGES="libhdf5-dev libopenblas-dev liblapacke-dev pkg-config libsnappy-dev libzstd-dev zlib1g-dev"
ensure_apt() {
    local missing=()
    for p in $APT_PACKAGES "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing: ${missing[*]}" >&2
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi
}

# Build flags: a Haswell (x86-64-v3: AVX2, BMI2, FMA) baseline when the CPU has it; portable code otherwise.
swift_flags() {
    if [ "$(uname -m)" = "x86_64" ] && grep -qw avx2 /proc/cpuinfo 2>/dev/null && grep -qw bmi2 /proc/cpuinfo; then
        echo "-Xswiftc -target-cpu -Xswiftc haswell -Xcc -march=haswell"
    fi
}

# The two release configurations, each shared by everything that needs it, so that no script
# rebuilds what another built: the user's binary (quickstart, notebook, the CLI benchmarks
# measure what users run) and the test build (-enable-testing: the tests import internals).
build_release() {
    # shellcheck disable=SC2046
    swift build -c release $(swift_flags) "$@"
}
build_tests() {
    # shellcheck disable=SC2046
    swift build -c release $(swift_flags) -Xswiftc -enable-testing "$@"
}

# The benchmark-hook binary (Sources/workbench-bench) for bench/*: WORKBENCH_BENCH_BINARY when set
# (e.g. the test build's), else the release build's, built here. Prints its path.
workbench_bench_binary() {
    if [ -n "${WORKBENCH_BENCH_BINARY:-}" ]; then echo "$WORKBENCH_BENCH_BINARY"; return; fi
    build_release --product workbench-bench >&2
    echo "$(build_release --show-bin-path)/workbench-bench"
}
