# examine on loop devices, and Debian's mdadm as a peer: `mdadm --examine`
# accepts our members and `mdadm -X` gives the same classic counts as we do.
source "$TESTLIB"

for meta in 1.0 1.1 1.2; do
  "$MKFIXTURE" ll$meta.img --metadata $meta --size-mib 64 --state 0-99=2 --state 200-299=3 --state 300=7
  dev=$(loop_attach ll$meta.img)
  run "$LLBITMAP" examine --format json "$dev"
  expect_rc 0
  expect_no_err
  [ "$(json_get "$OUT" "j[0]['bitmap']['states']['dirty']")" = 100 ] || fail "$meta dirty on $dev"
  [ "$(json_get "$OUT" "j[0]['bitmap']['states']['need_sync']")" = 100 ] || fail "$meta need_sync on $dev"
  [ "$(json_get "$OUT" "j[0]['bitmap']['states']['clean_unwritten']")" = 1 ] || fail "$meta clean_unwritten on $dev"
  run "$LLBITMAP" dump "$dev"
  expect_out "200-299 need_sync"
done

if ! command -v mdadm >/dev/null; then
  echo "SKIP: mdadm not installed" >&2
  exit 77
fi

# mdadm --examine accepts the members we generate.
for meta in 1.0 1.1 1.2; do
  run mdadm --examine ll$meta.img
  expect_rc 0
  expect_out "01234567:89abcdef:01234567:89abcdef"
  expect_out "Internal Bitmap"
  ! grep -q "expected" <<<"$OUT" || fail "mdadm reports a checksum problem: $OUT"
done

# Classic version 4 bitmaps: our totals and dirty counts equal mdadm -X's.
"$MKFIXTURE" c1.img --bitmap classic --chunk 65536 --bit 0-99 --bit 1000 --bit 4000-4079
"$MKFIXTURE" c2.img --bitmap classic --bit 1-2
"$MKFIXTURE" c3.img --bitmap classic --chunk 1048576 --assume-clean
for img in c1.img c2.img c3.img; do
  dev=$(loop_attach $img)
  run mdadm -X "$dev"
  expect_rc 0
  theirs=$(grep -E "Bitmap :" <<<"$OUT" | sed 's/^ *//')
  run "$LLBITMAP" examine --brief "$dev"
  expect_rc 0
  ours=$(grep -E "Bitmap :" <<<"$OUT" | sed 's/^ *//')
  [ -n "$theirs" ] && [ "$theirs" = "$ours" ] || fail "$img: mdadm says '$theirs', we say '$ours'"
  for field in "Chunksize" "Events" "Sync Size" "UUID"; do
    [ "$(mdadm -X "$dev" | grep -E "^ *$field :" | sed 's/^ *//')" = "$(grep -E "^ *$field :" <<<"$OUT" | sed 's/^ *//')" ] ||
      fail "$img: $field differs: $(mdadm -X "$dev" | grep -E "^ *$field :") vs $(grep -E "^ *$field :" <<<"$OUT")"
  done
done

# examine --brief prints exactly mdadm -X's lines for a classic bitmap (label
# width, names, values, nothing more), on every metadata minor, with dirty
# bits, write-behind, the states mdadm names ("Out of date", "Unknown") and a
# version 5 cluster bitmap (its per-node lines).
# Problems only add lines under the one label "Problems".
brief_cases=("--metadata 1.2 --chunk 65536 --bit 0-99 --bit 4000-4079" "--metadata 1.1 --chunk 1048576 --assume-clean"
             "--metadata 1.0 --bit 5-9" "--raw-area 60=4 --daemon-sleep 7" "--size-mib 4" "--size-mib 1536 --chunk 4194304"
             "--raw-area 48=2" "--raw-area 48=4"
             "--chunk 65536 --bit 0-9 --raw-area 4=5 --raw-area 68=2 --raw-area 72=0x63 --raw-area 73=0x6c")
for opts in "${brief_cases[@]}"; do
  # shellcheck disable=SC2086
  "$MKFIXTURE" brief.img --bitmap classic $opts
  dev=$(loop_attach brief.img)
  mdadm -X "$dev" >theirs.txt 2>/dev/null || true
  run "$LLBITMAP" examine --brief "$dev"
  printf '%s\n' "$OUT" >ours.txt
  case "$opts" in
    *48=*|*68=2*) # stale, write error, a second cluster node without a header: the mdadm lines, then "Problems"
      [ "$(grep -c '^ *Problems :' ours.txt)" = 1 ] || fail "$opts: one Problems label: $OUT"
      grep -v '^ *Problems :' ours.txt >ours-lines.txt
      diff theirs.txt ours-lines.txt >/dev/null || fail "$opts: examine --brief differs from mdadm -X: $(diff theirs.txt ours-lines.txt)" ;;
    *)
      expect_rc 0
      diff theirs.txt ours.txt >/dev/null || fail "$opts: examine --brief differs from mdadm -X: $(diff theirs.txt ours.txt)" ;;
  esac
  losetup -d "$dev"
done

# examine shows mdadm --examine's Device Role, Array State and Data Offset;
# "faulty" where mdadm says "spare" for a faulty role.
role_cases=("--role 0" "--raid-disks 3 --role 1 --missing 2" "--role 0 --md-u32 256=0x0001ffff"
            "--role 0 --md-u32 256=0x0001fffd" "--metadata 1.0 --level 5 --raid-disks 3 --role 2"
            "--metadata 1.1 --level 10 --raid-disks 4 --role 3 --missing 0" "--level 6 --raid-disks 4 --role 1 --md-u32 260=1")
for opts in "${role_cases[@]}"; do
  # shellcheck disable=SC2086
  "$MKFIXTURE" role.img $opts
  dev=$(loop_attach role.img)
  theirs=$(mdadm --examine "$dev")
  run "$LLBITMAP" examine "$dev"
  for label in "Device Role" "Array State" "Data Offset"; do
    want=$(sed -n "s/^ *$label : //p" <<<"$theirs")
    got=$(sed -n "s/^ *$label : //p" <<<"$OUT")
    [ -n "$got" ] || fail "$opts: examine has no $label line"
    [ -z "$want" ] || [ "$want" = "$got" ] || fail "$opts: $label: mdadm '$want', we '$got'"
  done
  state=$(sed -n "s/^ *Array State : \([A-Z.?]*\) .*/\1/p" <<<"$OUT")
  degraded=$(sed -n "s/^ *Degraded : //p" <<<"$OUT")
  case "$state" in *.*) [ "$degraded" = yes ] ;; *) [ "$degraded" = no ] ;; esac || fail "$opts: Degraded $degraded with $state"
  run "$LLBITMAP" examine --format json "$dev"
  [ "$(json_get "$OUT" "j[0]['array_state']")" = "$state" ] || fail "$opts: json array_state"
  [ "$(json_get "$OUT" "j[0]['degraded']")" = "$([ "$degraded" = yes ] && echo True || echo False)" ] || fail "$opts: json degraded"
  [ "$(json_get "$OUT" "j[0]['device_role']")" = "$(sed -n 's/^ *Device Role : //p' <<<"$theirs")" ] || fail "$opts: json device_role"
  run "$LLBITMAP" examine --format export "$dev"
  expect_out "LLBITMAP_ARRAY_STATE=$state"
  losetup -d "$dev"
done
"$MKFIXTURE" faulty.img --role 0 --md-u32 256=0x0001fffe
run "$LLBITMAP" examine faulty.img
expect_out "Device Role : faulty"
expect_out "Degraded : yes"
echo "test_loop_and_mdadm: ok"
