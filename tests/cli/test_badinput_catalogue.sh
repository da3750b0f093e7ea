# The bad-input catalogue (tests/badinput/cases.txt): every malformed input is
# made by mkfixture, run through the command of its row, and must give the
# expected exit status and stderr fragment, with the input unchanged (sha256).
# BADINPUT_SHOW=1 prints each case's exit status and stderr instead of checking.
source "$TESTLIB"
cases=$(dirname "$TESTLIB")/../badinput/cases.txt
[ -f "$cases" ] || fail "no catalogue at $cases"

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf '%s' "$s"; }

poke() {  # FILE OFFSET HEXBYTE...
  local file=$1 offset=$(($2)) byte
  shift 2
  for byte in "$@"; do
    printf "\\x$byte" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
    offset=$((offset + 1))
  done
}

size_arg() { [[ " $* " == *" --size-mib "* ]] || echo --size-mib 64; }

make_input() {  # NAME SETUP
  local name=$1 step
  local -a steps words
  IFS=';' read -ra steps <<<"$2"
  for step in "${steps[@]}"; do
    read -ra words <<<"$step"
    case ${words[0]} in
      mk) "$MKFIXTURE" "$name.img" $(size_arg "${words[@]:1}") "${words[@]:1}" ;;
      mk2) "$MKFIXTURE" "$name.2.img" --size-mib 64 "${words[@]:1}" ;;
      empty) : >"$name.img" ;;
      text) printf '%s\n' "${words[*]:1}" >"$name.img" ;;
      none) : ;;  # no input: the command (create) must not make one either
      truncate) truncate -s "${words[1]}" "$name.img" ;;
      poke) poke "$name.img" "${words[@]:1}" ;;
      *) fail "$name: unknown setup step '${words[0]}'" ;;
    esac
  done
}

count=0
while IFS='|' read -r name setup command status fragment; do
  name=$(trim "$name")
  [[ -z $name || $name == \#* ]] && continue
  setup=$(trim "$setup"); command=$(trim "$command"); status=$(trim "$status"); fragment=$(trim "$fragment")
  make_input "$name" "$setup"
  declare -A before=()
  for f in "$name".img "$name".2.img; do [ -f "$f" ] && before[$f]=$(sha "$f"); done
  read -ra args <<<"$command"
  for i in "${!args[@]}"; do
    case ${args[$i]} in @) args[$i]=$name.img ;; @[2-9]) args[$i]=$name.${args[$i]#@}.img ;; esac
  done
  run "$LLBITMAP" "${args[@]}"
  if [ "${BADINPUT_SHOW:-0}" = 1 ]; then
    printf '%s | rc %s | %s\n' "$name" "$RC" "$ERR"
  else
    [ "$RC" = "$status" ] || fail "$name: expected exit $status, got $RC; stderr: $ERR"
    grep -qF -- "$fragment" <<<"$ERR" || fail "$name: stderr lacks '$fragment': $ERR"
    if [ "$status" = 1 ]; then
      # One line per problem, each naming the command and the device.
      while IFS= read -r line; do
        [[ $line == "llbitmap ${args[0]}: "*"$name."* ]] || fail "$name: stderr line does not name the device: $line"
      done <<<"$ERR"
    fi
  fi
  for f in "${!before[@]}"; do [ "$(sha "$f")" = "${before[$f]}" ] || fail "$name: $f was modified"; done
  if [ "$setup" = none ] && [ "$status" != 0 ]; then
    ! ls "$name".*img >/dev/null 2>&1 || fail "$name: a refused command wrote $(ls "$name".*img)"
  fi
  unset before
  rm -f "$name".img "$name".[2-9].img
  count=$((count + 1))
done <"$cases"
((count >= 40)) || fail "only $count cases in the catalogue"
echo "test_badinput_catalogue: $count cases ok"
