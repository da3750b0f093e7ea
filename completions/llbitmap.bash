# bash completion for llbitmap(8): commands, options, option values (formats,
# levels, files) and block devices. The commands and options are read from
# `llbitmap --help` and `llbitmap COMMAND --help`, so they follow the binary.

# _llbitmap_commands PROG: one command per line.
_llbitmap_commands() {
  "$1" --help 2>/dev/null | awk '/^Subcommands:/ {on=1; next} /^[A-Za-z]/ {on=0} on && /^  [a-z]/ {print $1}'
}

# _llbitmap_options PROG CMD: "NAMES<TAB>TYPE" per option (TYPE empty for flags).
_llbitmap_options() {
  "$1" "$2" --help 2>/dev/null | awk '
    /^Options:/ {on=1; next}
    /^[A-Za-z]/ {on=0}
    on && /^  -/ {
      if (match($0, /^  [^ ]+ [^ ]/)) print $1 "\t" $2; else print $1 "\t"
    }'
}

# _llbitmap_block_devices: /dev/NAME for every block device of this machine.
_llbitmap_block_devices() {
  local d
  for d in /sys/class/block/*; do
    [ -e "$d" ] && printf '/dev/%s\n' "${d##*/}"
  done
}

# _llbitmap_values OPTION TYPE: the values an option takes.
_llbitmap_values() {
  local opt=$1 type=$2
  case $type in
    *'{'*'}'*) type=${type#*\{}; type=${type%%\}*}; printf '%s\n' ${type//,/ }; return ;;
  esac
  case $opt in
    --level) printf '%s\n' linear raid0 raid1 raid4 raid5 raid6 raid10 0 1 4 5 6 10 ;;
    --metadata) printf '%s\n' 1.0 1.1 1.2 ;;
    --kernel) printf '%s\n' 6.18 7.2 7.3 ;;
  esac
}

_llbitmap() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local prog=${COMP_WORDS[0]} cmd="" i
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      -*) ;;
      *) cmd=${COMP_WORDS[i]}; break ;;
    esac
  done
  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      mapfile -t COMPREPLY < <(compgen -W "--help --version" -- "$cur")
    else
      mapfile -t COMPREPLY < <(compgen -W "$(_llbitmap_commands "$prog")" -- "$cur")
    fi
    return 0
  fi

  local options names type name all=""
  options=$(_llbitmap_options "$prog" "$cmd")
  while IFS=$'\t' read -r names type; do
    all+=" ${names//,/ }"
    [[ -n $type ]] || continue
    for name in ${names//,/ }; do
      [[ $prev == "$name" ]] || continue
      local values
      values=$(_llbitmap_values "$name" "$type")
      if [[ -n $values ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$values" -- "$cur")
      elif [[ $type == FILE* || $name == *file* || $name == *trace* || $name == --save ]]; then
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      fi
      return 0
    done
  done <<<"$options"

  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$all" -- "$cur")
    return 0
  fi
  # Devices and image files.
  mapfile -t COMPREPLY < <(compgen -W "$(_llbitmap_block_devices)" -- "$cur")
  if [[ $cur != /dev/* ]]; then
    local -a files
    mapfile -t files < <(compgen -f -- "$cur")
    COMPREPLY+=("${files[@]}")
  fi
  return 0
}
complete -o filenames -F _llbitmap llbitmap
