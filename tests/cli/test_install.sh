# cmake --install into a temporary prefix: binary, libllbmp with its SONAME
# links, the public headers (include/llbmp/ and nothing else), libllbmp.pc,
# man pages and completions; then every public header compiles alone against
# the installed tree, and a tiny program builds against the installed library
# through pkg-config, loads and checks a member, catches an llbmp::Error.
source "$TESTLIB"
: "${LLBITMAP_BUILD_DIR:?}" "${LLBITMAP_SOURCE_DIR:?}"
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
# The installed headers are the public API: include/llbmp/*.hpp and the
# generated version.hpp, no layer's header.
installed=$(cd "$prefix/include" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
public=$( (cd "$LLBITMAP_SOURCE_DIR/libllbmp/include" && ls llbmp/*.hpp; echo llbmp/version.hpp) | LC_ALL=C sort)
[ "$installed" = "$public" ] || fail "installed headers differ from include/llbmp/: $(diff <(echo "$public") <(echo "$installed"))"
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
cflags=$(pkg-config --cflags libllbmp)
grep -qF -- "-I$prefix/include " <<<"$cflags " || fail "pkg-config --cflags lacks -I$prefix/include: $cflags"
! grep -qF "include/llbmp" <<<"$cflags" || fail "pkg-config --cflags reaches into include/llbmp: $cflags"
# Each public header alone, against nothing but the installed tree: it includes
# only public headers and the standard library, and is warning-clean.
for header in $public; do
  printf '#include <%s>\n' "$header" >one.cpp
  # shellcheck disable=SC2086
  c++ -std=c++20 -Wall -Wextra -Wpedantic -Wshadow -Werror -fsyntax-only $cflags one.cpp || fail "$header does not compile alone"
done
cat >demo.cpp <<'CPP'
#include <llbmp/llbmp.hpp>
#include <cstdio>
#include <string>
int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const llbmp::Member m = llbmp::load_member(argv[1]);
  std::printf("%s %s %s %s chunks=%llu dirty=%llu\n", llbmp::kVersion, llbmp::library_version(),
              m.md.metadata_name().c_str(), llbmp::level_name(m.md.level).c_str(),
              static_cast<unsigned long long>(m.chunks().value_or(0)),
              static_cast<unsigned long long>(m.dirty().value_or(0)));
  if (m.bitmap && m.bitmap->lockless) {
    const llbmp::StateCounts& counts = m.bitmap->lockless->counts;
    std::printf("%s=%llu total=%llu\n", std::string(llbmp::state_key(llbmp::State::Dirty)).c_str(),
                static_cast<unsigned long long>(counts.of(llbmp::State::Dirty)),
                static_cast<unsigned long long>(counts.total()));
  }
  for (const llbmp::Finding& f : m.findings)
    std::printf("finding %s %s\n", std::string(f.name()).c_str(), llbmp::severity_name(f.severity));
  const llbmp::CheckReport report = llbmp::check_members({m}, {});
  std::printf("check %s, kernel reads %s\n", report.consistent() ? "consistent" : "inconsistent",
              report.kernel_source.c_str());
  try {
    llbmp::load_member(argv[2]);
    std::printf("no error from %s\n", argv[2]);
    return 1;
  } catch (const llbmp::Error& e) {  // the library's type_info: caught by type
    std::printf("error from %s: %s\n", e.device().c_str(), e.message().c_str());
  }
  return m.ok() ? 0 : 1;
}
CPP
# shellcheck disable=SC2046
c++ -std=c++20 -o demo demo.cpp $(pkg-config --cflags --libs libllbmp) || fail "building against the installed library"
"$MKFIXTURE" member.img --metadata 1.2 --size-mib 64 --state 0-9=2
head -c 1048576 /dev/zero >zeros.img
run env LD_LIBRARY_PATH="$libdir" ./demo member.img zeros.img
expect_rc 0
version=$(pkg-config --modversion libllbmp)
expect_out "$version $version 1.2 raid1 chunks="
expect_out " dirty=10"
expect_out "dirty=10 total="
expect_out "check consistent, kernel reads member.img"
expect_out "error from zeros.img: "
# Captured first: under pipefail, grep -q closing the pipe early can fail ldd with SIGPIPE.
loaded=$(LD_LIBRARY_PATH="$libdir" ldd ./demo)
grep -qF "$libdir/$soname" <<<"$loaded" || fail "demo did not load the installed library: $loaded"
echo "install ok: $prefix"
