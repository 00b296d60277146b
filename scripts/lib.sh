# Shared helpers for the scripts in this folder (sourced, not run).
export PATH="$PWD/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"   # npm wasm-opt first
export TRUNK_SKIP_VERSION_CHECK=true
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export CARGO_FUZZ_VERSION=0.13.2   # scripts/fuzz's, which `scripts/setup fuzz` installs

# The shipped wasm's wasm-opt flags, chosen by measurement. The widget's wasm-bindgen output on
# 2026-12-06 (brotli -11 is what a visitor downloads; raw and gzip for reference):
#   flags                                          raw      gzip    brotli
#   -Oz                                        912,342   373,195   290,173
#   -Oz --converge                             911,261   372,751   289,758
#   -O3                                        937,035   373,727   289,566
#   -Os --converge                             927,985   372,403   289,242
#   -Os                                        928,761   372,487   289,209
#   -Os --strip-producers --strip-target-features  928,496  372,275  289,077   <- chosen
# (-Os inlines a little more than -Oz: larger raw, but it compresses better. The two sections
# are read only at build time; the module has no name section to strip.)
# Then, on the package of 2026-12-07 (brotli, first load): --low-memory-unused 1.6 KB less (a
# constant added to an address folds into the load's or store's offset; the two differ only
# when the addition wraps past 4 GiB to the first KiB, which no Rust pointer here does);
# --ignore-implicit-traps with it 0.4 KB more. --traps-never-happen is not tried: it deletes
# code that leads to a trap, and so the bounds checks whose failure is a panic.
# (What Leptos's server functions exported to JS, wasm-streams' stream adapters, is no longer
# in the module: patches/server_fn leaves wasm-streams out. It was dropped here with
# --remove-exports before, which could not take their code: the function table held it.)
export WASM_OPT_FLAGS=${WASM_OPT_FLAGS:--Os --strip-producers --strip-target-features --low-memory-unused}

# For release builds of the wasm (scripts/package; Trunk's release build in scripts/bench): the
# dependencies' and this checkout's absolute paths, which panic locations carry into the binary,
# become relative (`leptos-0.8.23/src/…`). Smaller, and no build machine's paths ship. Only the
# wasm target: the servers and build scripts keep theirs.
# Symbols are mangled the v0 way: no name ships, but the linker lays the functions out in
# another order, which brotli compresses better. Measured on the package (2026-12-07, with
# erase_components): 3.5 KB off the wasm, brotli; the code itself is byte for byte as large.
# A choice by measurement, as the wasm-opt level is: remeasure when the toolchain changes.
release_rustflags() {
  local registry=${CARGO_HOME:-$HOME/.cargo}/registry/src
  local flags="-Csymbol-mangling-version=v0 --remap-path-prefix=$PWD/= --remap-path-prefix=$registry/="
  local index
  for index in "$registry"/*/; do flags+=" --remap-path-prefix=${index%/}/="; done
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS=$flags
}

# The widget's JS in DIR (a package or a Trunk release dist, the glue in DIR/core) made small:
# short wasm import names in the module and the glue (scripts/minify-imports.mjs), short ASCII
# strings from the wasm built without the TextDecoder (scripts/fast-strings.mjs), then terser on
# the glue (an ES module: import.meta.url and the named exports stay; so does the types pointer),
# its snippet, and a copy of the loader into DIR (its licence comment kept).
shrink_js() {
  local dir=$1
  node scripts/minify-imports.mjs "$dir/core/convo-widget_bg.wasm" "$dir/core/convo-widget.js"
  node scripts/fast-strings.mjs "$dir/core/convo-widget.js"
  terser "$dir/core/convo-widget.js" --module --compress --mangle --comments '/@ts-self-types/' \
    -o "$dir/core/convo-widget.js"
  find "$dir/core/snippets" -name '*.js' -exec terser {} --module --compress --mangle -o {} \;
  # A split build's loader of its split-off parts (scripts/package).
  if [[ -f $dir/core/__wasm_split.js ]]; then
    terser "$dir/core/__wasm_split.js" --module --compress --mangle -o "$dir/core/__wasm_split.js"
  fi
  terser js/convo-widget.js --compress --mangle --comments '/^!/' -o "$dir/convo-widget.js"
}

log() { printf '[%s] %s\n' "$(basename "$0")" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }
timed() { local t0=$SECONDS; "$@"; log "  $1 took $((SECONDS - t0))s"; }

# wait_for_line FILE PATTERN SECONDS PID: waits until FILE has a line matching PATTERN; fails
# early if PID dies. Prints the match.
wait_for_line() {
  local file=$1 pattern=$2 seconds=$3 pid=$4 i
  for ((i = 0; i < seconds * 10; i++)); do
    if grep -m1 -E "$pattern" "$file" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { tail -30 "$file" >&2; die "process $pid exited before printing '$pattern'"; }
    sleep 0.1
  done
  tail -30 "$file" >&2
  die "no '$pattern' in $file after ${seconds}s"
}
