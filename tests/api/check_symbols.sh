#!/usr/bin/env bash
# The symbols libllbmp.so exports against the list in libllbmp/libllbmp.symbols:
# fails on any symbol exported and not listed, or listed and not exported.
#   check_symbols.sh LIBRARY SYMBOLS_FILE           compare
#   check_symbols.sh --update LIBRARY SYMBOLS_FILE  rewrite the list from the library
# The list holds mangled names, which carry the parameter types (a changed
# signature is a changed line), each followed by its demangled form for the
# reader; only the first word of a line is compared.
set -euo pipefail
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
[ $# = 2 ] || { echo "usage: $0 [--update] LIBRARY SYMBOLS_FILE" >&2; exit 2; }
lib=$1 list=$2
[ -f "$lib" ] || { echo "FAIL: no library $lib" >&2; exit 1; }

exported=$(nm -D --defined-only --format=posix "$lib" | awk '{print $1}' | LC_ALL=C sort -u)
[ -n "$exported" ] || { echo "FAIL: nm -D found no defined symbol in $lib" >&2; exit 1; }

if [ $update = 1 ]; then
  {
    echo "# The symbols libllbmp.so exports: the API of include/llbmp/ (LLBMP_API)."
    echo "# One mangled name a line, then its demangled form. tests/api/check_symbols.sh"
    echo "# compares it with nm -D of the built library; regenerate it with"
    echo "#   bash tests/api/check_symbols.sh --update build/libllbmp/libllbmp.so libllbmp/libllbmp.symbols"
    echo "# and follow the SOVERSION rule of ARCHITECTURE.md when a line goes or changes."
    while read -r sym; do printf '%s  # %s\n' "$sym" "$(c++filt "$sym")"; done <<<"$exported"
  } >"$list"
  echo "wrote $(wc -l <<<"$exported") symbols to $list"
  exit 0
fi

[ -f "$list" ] || { echo "FAIL: no symbols file $list" >&2; exit 1; }
listed=$(grep -v '^#' "$list" | awk 'NF {print $1}' | LC_ALL=C sort -u)
added=$(LC_ALL=C comm -13 <(echo "$listed") <(echo "$exported"))
missing=$(LC_ALL=C comm -23 <(echo "$listed") <(echo "$exported"))
if [ -z "$added" ] && [ -z "$missing" ]; then
  echo "$(wc -l <<<"$exported") exported symbols, as listed in $list"
  exit 0
fi
show() { while read -r sym; do [ -n "$sym" ] && echo "  $sym  ($(c++filt "$sym"))"; done <<<"$1"; }
if [ -n "$added" ]; then echo "FAIL: exported by $lib but not listed in $list:"; show "$added"; fi
if [ -n "$missing" ]; then echo "FAIL: listed in $list but not exported by $lib:"; show "$missing"; fi
cat <<MSG
The exported symbols are the API: only a declaration of include/llbmp/ marked
LLBMP_API is exported. If the change is meant, regenerate the list and commit it:
  bash tests/api/check_symbols.sh --update $lib $list
A symbol removed or changed breaks programs built against the previous library:
see the SOVERSION rule in ARCHITECTURE.md ("The public API").
MSG
exit 1
