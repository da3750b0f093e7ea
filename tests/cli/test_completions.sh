# completions/: each loads in its shell and completes commands, options,
# option values and devices; bash completes `llbitmap ex` to `examine`.
source "$TESTLIB"
: "${LLBITMAP_SOURCE_DIR:?}"
comp=$LLBITMAP_SOURCE_DIR/completions
export PATH=$(dirname "$LLBITMAP"):$PATH
skipped=()
# has LINE: stdin holds LINE (reads everything, so no SIGPIPE under pipefail).
has() { local all; all=$(cat); grep -qxF -- "$1" <<<"$all"; }
touch image-one.img

# bash: source it, set COMP_WORDS/COMP_CWORD, call the function, read COMPREPLY.
bash -n "$comp/llbitmap.bash" || fail "llbitmap.bash has a syntax error"
bash_complete() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
           complete -p llbitmap >/dev/null || exit 3
           _llbitmap; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp/llbitmap.bash" "$@"
}
[ "$(bash_complete llbitmap ex)" = examine ] || fail "bash: 'llbitmap ex' completes to '$(bash_complete llbitmap ex)'"
bash_complete llbitmap "" | has dump || fail "bash: no dump among the commands"
bash_complete llbitmap --v | has --version || fail "bash: --version"
[ "$(bash_complete llbitmap examine --fo)" = --format ] || fail "bash: examine --fo"
bash_complete llbitmap examine --format "" | has prometheus || fail "bash: examine --format values"
[ "$(bash_complete llbitmap dump -f c)" = csv ] || fail "bash: dump -f c"
bash_complete llbitmap dump --svg image- | has image-one.img || fail "bash: --svg FILE completes files"
bash_complete llbitmap dump image- | has image-one.img || fail "bash: image files as devices"
if [ -n "$(ls /sys/class/block 2>/dev/null)" ]; then
  first=/dev/$(ls /sys/class/block | head -1)
  bash_complete llbitmap examine /dev/ | has "$first" || fail "bash: block device $first not offered"
fi
# Every command's options are offered.
for cmd in $(bash_complete llbitmap ""); do
  for opt in $("$LLBITMAP" "$cmd" --help | awk '/^Options:/ {on=1; next} /^[A-Za-z]/ {on=0} on && /^  -/ {print $1}' | tr ',' ' '); do
    bash_complete llbitmap "$cmd" - | has "$opt" || fail "bash: $cmd $opt not offered"
  done
done

# zsh: parses, autoloads through compinit, and builds the specs from --help.
if command -v zsh >/dev/null; then
  zsh -n "$comp/_llbitmap" || fail "_llbitmap has a syntax error"
  out=$(zsh -fc 'fpath=("$1" $fpath); autoload -Uz compinit && compinit -u -D -d "$2"
                 [[ $_comps[llbitmap] == _llbitmap ]] || { print "not registered"; exit 1 }
                 source "$1/_llbitmap"
                 _llbitmap_commands llbitmap; _llbitmap_option_specs llbitmap examine' _ "$comp" "$TMP/zcompdump" 2>&1) ||
    fail "zsh: loading _llbitmap: $out"
  grep -q '^examine:Show' <<<"$out" || fail "zsh: no examine command: $out"
  grep -qF -- '--format[Output format]:format:(text json export prometheus)' <<<"$out" || fail "zsh: --format values: $out"
  grep -qF -- '--scan[' <<<"$out" || fail "zsh: --scan: $out"
else
  skipped+=(zsh)
fi

# fish: parses, and `complete -C` gives commands, options and values.
if command -v fish >/dev/null; then
  fish --no-execute "$comp/llbitmap.fish" || fail "llbitmap.fish has a syntax error"
  fish_complete() { fish --no-config -c "source '$comp/llbitmap.fish'; complete -C'$1'" | cut -f1; }
  [ "$(fish_complete "llbitmap ex")" = examine ] || fail "fish: 'llbitmap ex' gives '$(fish_complete "llbitmap ex")'"
  fish_complete "llbitmap examine --format " | has prometheus || fail "fish: examine --format values"
  fish_complete "llbitmap dump --sv" | has --svg || fail "fish: dump --sv"
  fish_complete "llbitmap dump image-" | has image-one.img || fail "fish: image files"
else
  skipped+=(fish)
fi

if ((${#skipped[@]})); then
  echo "SKIP: ${skipped[*]} not installed (bash checked)" >&2
  exit 77
fi
echo "completions ok"
