# man/: every page renders without a warning, one page per command that
# exists (and none for a command that does not), each page's OPTIONS list
# equals the command's --help option list, the examples use only options that
# exist, and the pages carry exit status, the eight states and SEE ALSO.
source "$TESTLIB"
: "${LLBITMAP_SOURCE_DIR:?}"
man=$LLBITMAP_SOURCE_DIR/man
command -v groff >/dev/null || { echo "SKIP: groff missing" >&2; exit 77; }

# Long and short options of a --help text (the Options: section only).
help_options() {
  awk '/^Options:/ {on=1; next} /^[A-Za-z]/ {on=0} on && /^  -/ {print $1}' | tr ',' '\n' | grep -E '^-' | sort -u
}
# Options named in the .TP headers of a page's OPTIONS section.
man_options() {
  awk '/^\.SH OPTIONS/ {on=1; next} /^\.SH/ {on=0} on && prev == ".TP" {print} {prev=$0}' "$1" |
    sed 's/\\-/-/g' | grep -oE '(^|[ "])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' "' | sort -u
}

commands=$("$LLBITMAP" --help | awk '/^Subcommands:/ {on=1; next} /^[A-Za-z]/ {on=0} on && /^  [a-z]/ {print $1}')
[ -n "$commands" ] || fail "no commands in llbitmap --help"

# One version string: what --version prints is what every page's .TH names.
version=$("$LLBITMAP" --version | sed -n 's/^llbitmap \([0-9][0-9.]*\)$/\1/p')
[ -n "$version" ] || fail "llbitmap --version prints no version"
version=${version//./\\.}

# Rendering: groff -ww reports every warning on stderr; mandoc -Tlint too when installed.
for page in "$man"/*.8; do
  warnings=$(groff -man -ww -z "$page" 2>&1) || fail "groff fails on $page: $warnings"
  [ -z "$warnings" ] || fail "groff warns on $(basename "$page"): $warnings"
  if command -v mandoc >/dev/null; then
    lint=$(mandoc -Tlint -Wwarning "$page" 2>&1) || fail "mandoc -Tlint on $(basename "$page"): $lint"
  fi
  grep -q "^\.TH .* \"llbitmap $version\"" "$page" || fail "$(basename "$page"): .TH should name llbitmap $version"
  for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    grep -q "^\.SH \"*$section" "$page" || fail "$(basename "$page") has no $section section"
  done
  grep -q '^\.BR mdadm (8)' "$page" || fail "$(basename "$page"): SEE ALSO lacks mdadm(8)"
  grep -q '^\.BR md (4)' "$page" || fail "$(basename "$page"): SEE ALSO lacks md(4)"
done

# Top level: the page lists every command, and its options are --help's.
diff <("$LLBITMAP" --help | help_options) <(man_options "$man/llbitmap.8") ||
  fail "llbitmap.8 options differ from llbitmap --help (< help, > man)"
for state in unwritten clean dirty need_sync syncing need_sync_unwritten syncing_unwritten clean_unwritten; do
  grep -qE "^\.BR [0-7] \" $state\"" "$man/llbitmap.8" || fail "llbitmap.8 does not explain state $state"
done
for code in 0 1 2; do
  awk '/^\.SH EXIT STATUS/ {on=1; next} /^\.SH/ {on=0} on' "$man/llbitmap.8" | grep -qx "\.B $code" ||
    fail "llbitmap.8 EXIT STATUS lacks $code"
done

# llbitmap --help lists the exit statuses too.
top_help=$("$LLBITMAP" --help)
grep -q '^Exit status:' <<<"$top_help" || fail "llbitmap --help lists no exit status"
for code in 0 1 2; do grep -qE "^  $code  [a-z]" <<<"$top_help" || fail "llbitmap --help does not explain exit status $code"; done

# The flags of edit: the ones --help lists (which come from the library) are the page's.
flag_list() { tr -d '\n' | sed 's/\\-/-/g; s/.*Set a flag: \([a-z_, ]*\).*/\1/' | tr -d ' ' | tr ',' '\n' | sort; }
help_flags=$("$LLBITMAP" edit --help | flag_list)
man_flags=$(awk '/^\.BI \\-\\-set\\-flag/ {on=1; next} on && /^\./ {on=0} on' "$man/llbitmap-edit.8" | flag_list)
[ "$(wc -l <<<"$help_flags")" -ge 7 ] || fail "edit --help lists too few flags: $help_flags"
[ "$help_flags" = "$man_flags" ] || fail "edit --set-flag: --help lists $(echo $help_flags), llbitmap-edit.8 $(echo $man_flags)"

# One page per command, nothing documented that does not exist.
for cmd in $commands; do
  page=$man/llbitmap-$cmd.8
  [ -f "$page" ] || fail "no man page for command $cmd: add man/llbitmap-$cmd.8 (man/llbitmap-dump.8 shows the layout) and list it in man/llbitmap.8"
  roff_cmd=${cmd//-/\\\\-}  # a dash in a page is written \-
  grep -q "^\.B $roff_cmd\$" "$man/llbitmap.8" || fail "llbitmap.8 COMMANDS lacks $cmd"
  grep -q "^\.BR llbitmap\\\\-$roff_cmd (8)" "$man/llbitmap.8" || fail "llbitmap.8 does not refer to llbitmap-$cmd(8)"
  help=$("$LLBITMAP" "$cmd" --help)
  grep -q '^Example' <<<"$help" || fail "$cmd --help shows no example"
  diff <(help_options <<<"$help") <(man_options "$page") ||
    fail "llbitmap-$cmd.8 options differ from llbitmap $cmd --help (< only in --help, > only in the page): document each option in the page's OPTIONS section as a .TP entry"
  # Every option an example uses exists.
  awk '/^\.EX/ {on=1; next} /^\.EE/ {on=0} on' "$page" | sed 's/\\-/-/g' | grep -o "llbitmap $cmd [^|)>;]*" |
    { grep -oE ' --?[a-zA-Z][a-zA-Z-]*' || true; } | tr -d ' ' | sort -u | while read -r opt; do
      help_options <<<"$help" | grep -qx -- "$opt" || fail "llbitmap-$cmd.8 example uses $opt, which $cmd does not have"
    done
done
for page in "$man"/llbitmap-*.8; do
  cmd=$(basename "$page" .8); cmd=${cmd#llbitmap-}
  grep -qx "$cmd" <<<"$commands" || fail "$(basename "$page") documents $cmd, which llbitmap does not have"
done
echo "man ok: $(echo $commands)"
