# cmake --install into a temporary prefix: binary, libllbmp with its SONAME
# links, public headers, libllbmp.pc, man pages and completions; then a tiny
# program builds against the installed library through pkg-config and runs.
source "$TESTLIB"
: "${LLBITMAP_BUILD_DIR:?}"
command -v pkg-config >/dev/null || { echo "SKIP: pkg-config missing" >&2; exit 77; }

prefix=$TMP/prefix
cmake --install "$LLBITMAP_BUILD_DIR" --prefix "$prefix" >/dev/null || fail "cmake --install"

[ -x "$prefix/bin/llbitmap" ] || fail "no bin/llbitmap"
pc=$(find "$prefix" -name libllbmp.pc -path '*/pkgconfig/*')
[ -n "$pc" ] || fail "no libllbmp.pc"
libdir=$(dirname "$(dirname "$pc")")
so=$(find "$libdir" -maxdepth 1 -name 'libllbmp.so.*.*' -type f)
[ -n "$so" ] || fail "no versioned libllbmp.so in $libdir"
soname=$(objdump -p "$so" | awk '/SONAME/ {print $2}')
[ -L "$libdir/$soname" ] || fail "no SONAME link $soname"
[ -L "$libdir/libllbmp.so" ] || fail "no development link libllbmp.so"
[ -f "$prefix/include/llbmp/inspect/member.hpp" ] || fail "no public headers"
[ -f "$prefix/include/llbmp/version.hpp" ] || fail "no generated version.hpp"
for page in llbitmap.8 llbitmap-examine.8 llbitmap-dump.8; do
  [ -f "$prefix/share/man/man8/$page" ] || fail "no man page $page"
done
[ -f "$prefix/share/bash-completion/completions/llbitmap" ] || fail "no bash completion"
[ -f "$prefix/share/zsh/vendor-completions/_llbitmap" ] || fail "no zsh completion"
[ -f "$prefix/share/fish/vendor_completions.d/llbitmap.fish" ] || fail "no fish completion"

# The installed binary runs and finds the installed library.
run "$prefix/bin/llbitmap" --version
expect_rc 0
expect_out "llbitmap "

export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion libllbmp)" = "$(sed 's/llbitmap //' <<<"$OUT")" ] || fail "pkg-config version"
cat >demo.cpp <<'CPP'
#include <llbmp/inspect/member.hpp>
#include <llbmp/version.hpp>
#include <cstdio>
int main(int argc, char** argv) {
  if (argc != 2) return 2;
  const llbmp::Member m = llbmp::load_member(argv[1]);
  std::printf("%s %s chunks=%llu\n", llbmp::kVersion, m.md.metadata_name().c_str(),
              static_cast<unsigned long long>(m.chunks().value_or(0)));
  return m.ok() ? 0 : 1;
}
CPP
# shellcheck disable=SC2046
c++ -std=c++20 -o demo demo.cpp $(pkg-config --cflags --libs libllbmp) || fail "building against the installed library"
"$MKFIXTURE" member.img --metadata 1.2 --size-mib 64 --state 0-9=2
run env LD_LIBRARY_PATH="$libdir" ./demo member.img
expect_rc 0
expect_out " 1.2 chunks="
# Captured first: under pipefail, grep -q closing the pipe early can fail ldd with SIGPIPE.
loaded=$(LD_LIBRARY_PATH="$libdir" ldd ./demo)
grep -qF "$libdir/$soname" <<<"$loaded" || fail "demo did not load the installed library: $loaded"
echo "install ok: $prefix"
