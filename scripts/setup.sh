#!/usr/bin/env bash
# Brings a Debian machine to a state where `npm start` and `npm test` work:
# a wasm32 Rust toolchain, wasm-bindgen-cli (pinned), wasm-pack, wasm-opt,
# Chromium + ChromeDriver, and the npm dev dependencies.
# Idempotent: a second run only checks and prints "ok" lines.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

say()  { printf '\033[1msetup:\033[0m %s\n' "$*"; }
fail() { printf '\033[31msetup: %s\033[0m\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

SUDO=""
if [ "$(id -u)" != 0 ]; then have sudo && SUDO="sudo" || true; fi
apt_missing() { local m=(); for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || m+=("$p"); done; echo "${m[@]:-}"; }
apt_install() {
  local missing; missing=$(apt_missing "$@")
  [ -z "$missing" ] && return 0
  have apt-get || fail "missing packages ($missing) and no apt-get on this machine: install them by hand"
  say "installing Debian packages: $missing"
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/tmp/walkme-webhooks-apt.log 2>&1; then
    $SUDO apt-get update -q >/tmp/walkme-webhooks-apt.log 2>&1 || fail "apt-get update failed (see /tmp/walkme-webhooks-apt.log)"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >>/tmp/walkme-webhooks-apt.log 2>&1 \
      || fail "apt-get install $missing failed (see /tmp/walkme-webhooks-apt.log)"
  fi
}

# 1. Browser and ChromeDriver from Debian (wasm-opt comes from npm's binaryen, step 4).
apt_install chromium chromium-driver
say "ok: $(/usr/bin/chromium --version 2>/dev/null | head -1)"

# 2. A Rust toolchain with the wasm32-unknown-unknown standard library.
wasm_ready() { [ -n "$(ls "$("$WMWH_RUSTC" --print sysroot)"/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib 2>/dev/null)" ]; }
if [ "$WMWH_TOOLCHAIN" = rustup ] && ! wasm_ready; then
  say "trying: rustup target add wasm32-unknown-unknown"
  timeout 60 rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
  if ! wasm_ready; then
    say "rustup cannot fetch the wasm32 standard library here; using Debian's rustc-web instead"
    touch "$WMWH_STATE/use-debian-rust"
    . scripts/env.sh
  fi
fi
if [ "$WMWH_TOOLCHAIN" = debian ]; then
  apt_install rustc-web cargo-web rust-web-src rust-web-clippy lld-22
  if ! wasm_ready; then
    say "building the wasm32 standard library from Debian's rust-web-src (about a minute, once)"
    sysroot_crate="$WMWH_STATE/sysroot-build"
    mkdir -p "$sysroot_crate/src"
    printf '[package]\nname = "wasm-sysroot"\nversion = "0.0.0"\nedition = "2021"\n[lib]\npath = "src/lib.rs"\n[workspace]\n' > "$sysroot_crate/Cargo.toml"
    echo '#![no_std]' > "$sysroot_crate/src/lib.rs"
    (cd "$sysroot_crate" && RUSTC_BOOTSTRAP=1 "$WMWH_CARGO" build -q --release --target wasm32-unknown-unknown \
        -Zbuild-std=std,panic_abort,panic_unwind,proc_macro,test) >"$WMWH_STATE/sysroot.log" 2>&1 \
      || fail "building the wasm32 sysroot failed (see $WMWH_STATE/sysroot.log)"
    dest="$(/usr/bin/rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown/lib"
    $SUDO mkdir -p "$dest"
    find "$sysroot_crate/target/wasm32-unknown-unknown/release/deps" -name '*.rlib' ! -name 'libwasm_sysroot-*' -exec $SUDO cp {} "$dest/" \;
    wasm_ready || fail "the wasm32 sysroot is still missing after the build"
  fi
fi
say "ok: $("$WMWH_RUSTC" --version) with wasm32-unknown-unknown ($WMWH_TOOLCHAIN)"

# 3. wasm-bindgen-cli at exactly the version Cargo.lock pins, and wasm-pack.
wb_version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
[ -n "$wb_version" ] || fail "Cargo.lock does not pin wasm-bindgen"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  say "installing wasm-bindgen-cli $wb_version (a few minutes, once)"
  cargo install -q --force wasm-bindgen-cli --version "$wb_version" || fail "cargo install wasm-bindgen-cli $wb_version failed"
fi
say "ok: wasm-bindgen $wb_version"
if ! have wasm-pack; then
  say "installing wasm-pack (a few minutes, once)"
  cargo install -q wasm-pack || fail "cargo install wasm-pack failed"
fi
say "ok: $(wasm-pack --version)"

# 4. npm dev dependencies (Playwright drives Debian's Chromium; it downloads no browser).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed"
fi
say "ok: npm dependencies"
touch "$WMWH_STATE/setup-done"
