# Sourced by the project's scripts: picks the Rust toolchain that has wasm32.
# rustup's when it has the wasm32 target, otherwise Debian's rustc-web
# (/usr/bin) with the wasm32 sysroot that scripts/setup.sh builds.
WMWH_STATE="${XDG_CACHE_HOME:-$HOME/.cache}/walkme-webhooks"
mkdir -p "$WMWH_STATE"
export PATH="$HOME/.cargo/bin:$PATH"
_wmwh_has_wasm() { ls "$("$1" --print sysroot 2>/dev/null)"/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib >/dev/null 2>&1; }
if [ "${WMWH_FORCE_DEBIAN_RUST:-}" = 1 ]; then
  # Force the Debian route (to check it on a machine where rustup works).
  touch "$WMWH_STATE/use-debian-rust"
fi
if [ -f "$WMWH_STATE/use-debian-rust" ] && [ "${WMWH_FORCE_DEBIAN_RUST:-}" = 1 ]; then
  WMWH_TOOLCHAIN=debian
  export PATH="/usr/bin:$PATH"
elif command -v rustup >/dev/null 2>&1 && _wmwh_has_wasm "$HOME/.cargo/bin/rustc"; then
  WMWH_TOOLCHAIN=rustup
elif [ -f "$WMWH_STATE/use-debian-rust" ] || _wmwh_has_wasm /usr/bin/rustc || ! command -v rustup >/dev/null 2>&1; then
  WMWH_TOOLCHAIN=debian
  # Debian's cargo, rustc and clippy first; wasm-pack and wasm-bindgen stay reachable in ~/.cargo/bin.
  export PATH="/usr/bin:$PATH"
else
  WMWH_TOOLCHAIN=rustup
fi
WMWH_CARGO="$(command -v cargo || echo /usr/bin/cargo)"
WMWH_RUSTC="$(command -v rustc || echo /usr/bin/rustc)"
export WMWH_STATE WMWH_TOOLCHAIN WMWH_CARGO WMWH_RUSTC
