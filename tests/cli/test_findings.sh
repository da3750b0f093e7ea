# examine and check findings at the edges, over metadata 1.0/1.1/1.2 and
# raid1/5/6/10: a bitmap area over the data area or the md superblock, a
# header sync_size below the array's (7.2.13 against 7.3), the STALE wording
# (the kernel's Stale action, the same numbers as replay-resync), the field
# named when a header cannot be used, and duplicate members.
source "$TESTLIB"

jx() { json_get "$("$LLBITMAP" examine --format json "$1" 2>/dev/null || true)" "$2"; }
disks_of() { case $1 in 1) echo 2 ;; 5) echo 3 ;; *) echo 4 ;; esac; }
mk() {  # FILE META LEVEL MKFIXTURE-ARGS...
  local file=$1 meta=$2 level=$3; shift 3
  "$MKFIXTURE" "$file" --size-mib 64 --metadata "$meta" --level "$level" --raid-disks "$(disks_of "$level")" "$@"
}
expect_problem() {  # FILE FRAGMENT: examine text, JSON and check all report it as an error
  run "$LLBITMAP" examine "$1"; expect_rc 1; expect_out "$2"; expect_err "$2"
  grep -F -- "$2" <<<"$OUT" | grep -qF "error: " || fail "$1: '$2' is not an error: $OUT"
  grep -F -- "$2" <<<"$ERR" | grep -qF "llbitmap examine: $1: " || fail "$1: stderr does not name the device: $ERR"
  grep -qF "Problems : none" <<<"$OUT" && fail "$1: examine says no problems"
  json_get "$("$LLBITMAP" examine --format json "$1" 2>/dev/null || true)" "any(p.find(sys.argv[2]) >= 0 for p in j[0]['problems'])" "$2" \
    | grep -q True || fail "$1: JSON problems lack '$2'"
  run "$LLBITMAP" check "$1"; expect_rc 1
  grep -F -- "$2" <<<"$OUT" | grep -qF "error   $1: " || fail "$1: check does not report '$2' as an error: $OUT"
}
# json_get with an extra argument for the expression.
json_get() { python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$2" "${3:-}" <<<"$1"; }

for meta in 1.0 1.1 1.2; do
  for level in 1 5 6 10; do
    tag=$meta-raid$level
    # The default layouts have no placement finding.
    mk ok-$tag.img $meta $level
    run "$LLBITMAP" examine ok-$tag.img; expect_rc 0; expect_out "Problems : none"
    run "$LLBITMAP" check ok-$tag.img; expect_rc 0

    # The bitmap area over the data area and over the md superblock.
    if [ $meta = 1.0 ]; then
      # Data before the bitmap (area at sector 130800 of 64 MiB): a data_size reaching 8 sectors into it.
      mk data-$tag.img $meta $level --md-u32 136=130808
      expect_problem data-$tag.img "md.bitmap_offset=-256: the bitmap area (bytes 66969600..67100671) starts inside the data area (bytes 0..66973695, data_offset 0)"
      # An 8-sector area before the superblock whose ~4000 state bytes run into it.
      mk super-$tag.img $meta $level --reserved 8 --bitmap-offset -8 --chunk $([ $level = 10 ] && echo 64 || echo 32)
      expect_problem super-$tag.img "run past the reserved area into the md superblock (bytes 67100672..67101695)"
    else
      data=$([ $meta = 1.2 ] && echo 16 || echo 8)
      mk data-$tag.img $meta $level --data-offset $data
      expect_problem data-$tag.img "md.bitmap_offset=8: the bitmap area (bytes"
      expect_problem data-$tag.img "starts inside the data area (bytes $((data * 512))..67108863, data_offset $data): the kernel writes the bitmap over array data"
      mk far-$tag.img $meta $level --bitmap-offset 4000
      expect_problem far-$tag.img "md.bitmap_offset=4000: the bitmap area"
      mk super-$tag.img $meta $level --bitmap-offset 1
      expect_problem super-$tag.img "starts inside the md superblock"
      # The reserved area fits, the state bytes of 4000 chunks leave it into the data.
      mk states-$tag.img $meta $level --reserved 8 --data-offset $((data + 8)) --chunk $([ $level = 10 ] && echo 64 || echo 32)
      expect_problem states-$tag.img "run past the reserved area into the data area"
    fi

    # sync_size below the array's: a warning; chunks are the array's (7.2), 7.3's are said.
    mk sync-$tag.img $meta $level
    chunks=$(jx sync-$tag.img "j[0]['bitmap']['chunks']")
    array_sync=$(jx sync-$tag.img "j[0]['bitmap']['sync_size_sectors']")
    half=$((array_sync / 2))
    run "$LLBITMAP" edit --set sync_size=$half sync-$tag.img; expect_rc 1; expect_one_err_line
    expect_err "bitmap.sync_size=$half: smaller than the array's resync size ($array_sync sectors): a 7.3 kernel"
    run "$LLBITMAP" edit --force --set sync_size=$half sync-$tag.img; expect_rc 0
    chunk=$(jx sync-$tag.img "j[0]['bitmap']['chunksize_sectors']")
    m73=$(( (half + chunk - 1) / chunk ))
    run "$LLBITMAP" examine --kernel 7.2 sync-$tag.img; expect_rc 0
    expect_out "Bitmap : $chunks bits (chunks)"
    expect_out "Chunks on 7.3 : $m73 (from the header's sync_size; 7.2.13 covers all $chunks)"
    expect_out "warning: bitmap.sync_size=$half: smaller than the array's resync size ($array_sync sectors): Linux 7.2 ignores it, covers the whole array ($chunks chunks) and writes the array's sync_size at its first superblock update; 7.3 would cover only the first $m73 chunks"
    run "$LLBITMAP" examine --kernel 7.3 sync-$tag.img; expect_rc 0
    expect_out "warning: bitmap.sync_size=$half: smaller than the array's resync size ($array_sync sectors): Linux 7.3 covers only the first $m73 chunks (a grown array whose header was not updated, or a bitmap covering less): writes from sector $((m73 * chunk)) on set no bit"
    [ "$(jx sync-$tag.img "j[0]['bitmap']['chunks']")" = $chunks ] || fail "$tag: chunks not the array's"
    [ "$(jx sync-$tag.img "j[0]['bitmap']['chunks_7_3']")" = $m73 ] || fail "$tag: chunks_7_3"
    run "$LLBITMAP" check sync-$tag.img; expect_rc 1; expect_out "warning sync-$tag.img: bitmap.sync_size=$half"
    # 0 is the array's: said, no problem.
    run "$LLBITMAP" edit --set sync_size=0 sync-$tag.img; expect_rc 0
    run "$LLBITMAP" examine sync-$tag.img; expect_rc 0; expect_out "Notes : bitmap.sync_size=0: 0 stands for the array's resync size"
    [ "$(jx sync-$tag.img "j[0]['bitmap']['chunks']")" = $chunks ] || fail "$tag: sync_size 0 is not the array's"
    run "$LLBITMAP" check sync-$tag.img; expect_rc 0

    # STALE: the kernel's Stale action, with the numbers replay-resync computes.
    mk stale-$tag.img $meta $level --state 0-9=2 --state 10-11=7
    run "$LLBITMAP" edit --force --set-flag stale stale-$tag.img; expect_rc 0
    run "$LLBITMAP" replay-resync --format json stale-$tag.img; expect_rc 0
    need=$(json_get "$OUT" "j['counts']['after_load']['need_sync']"); unwritten=$(json_get "$OUT" "j['counts']['after_load']['unwritten']")
    # Chunks 0-11 share the first 512-byte block: the Stale action coalesces it whole.
    [ "$need" = 512 ] || fail "$tag: replay-resync after a stale load: $need need_sync"
    run "$LLBITMAP" examine stale-$tag.img; expect_rc 1
    expect_out "STALE flag set: the next assembly runs the kernel's Stale action: written chunks (Clean, Dirty, Syncing) become NeedSync and are resynced ($need chunks), the Unwritten kinds become or stay Unwritten and are skipped ($unwritten chunks)"
    grep -qi "resyncs everything" <<<"$OUT$ERR" && fail "$tag: examine says everything is resynced"
    run "$LLBITMAP" check stale-$tag.img; expect_rc 1; expect_out "Stale action"
  done
done

# The same through a loop device (the device's own logical block size).
loop=$(loop_attach data-1.2-raid5.img)
run "$LLBITMAP" examine "$loop"; expect_rc 1
expect_err "$loop: md.bitmap_offset=8: the bitmap area (bytes 8192..139263) starts inside the data area"
run "$LLBITMAP" check "$loop"; expect_rc 1; expect_out "error   $loop: md.bitmap_offset=8"
losetup -d "$loop"

# A lagging bitmap next to a fresher member: check words it the same way.
mk lag0.img 1.2 1 --events 5 --bitmap-events 5 --state 0-2=1
mk lag1.img 1.2 1 --role 1 --events 6 --bitmap-events 6 --state 0-2=1
run "$LLBITMAP" check lag0.img lag1.img; expect_rc 1
expect_out "bitmap.events=5: behind the freshest md events 6 (lag1.img): the bitmap is stale; the next assembly runs the kernel's Stale action"
grep -q "resyncs every" <<<"$OUT" && fail "check words a stale bitmap as a full resync"
# A classic bitmap is recovered whole.
mk classic.img 1.2 1 --bitmap classic --raw-area 48=2
run "$LLBITMAP" examine classic.img; expect_rc 1; expect_out "STALE flag set: the kernel recovers the whole array"

# The Chunksize line names the field that keeps the header from being used.
chunksize_line() {  # NAME EXPECTED MKFIXTURE-ARGS...
  local name=$1 want=$2; shift 2
  "$MKFIXTURE" $name.img --size-mib 64 "$@"
  run "$LLBITMAP" examine $name.img; expect_rc 1; expect_out "Chunksize : $want"
}
chunksize_line cs-sync "128 in the header, not used: bitmap.sync_size is invalid" --raw-area 47=0xff
chunksize_line cs-reserved "128 in the header, not used: bitmap.sectors_reserved is invalid" --raw-area 64=0 --raw-area 65=0
chunksize_line cs-version "128 in the header, not used: bitmap.version is invalid" --raw-area 4=7
chunksize_line cs-odd "invalid (259)" --raw-area 52=3 --raw-area 53=1
[ "$(jx cs-sync.img "j[0]['bitmap']['unusable_field']")" = bitmap.sync_size ] || fail "JSON unusable_field"
[ "$(jx ok-1.2-raid1.img "j[0]['bitmap']['unusable_field']")" = None ] || fail "JSON unusable_field of a good bitmap"

# Duplicate members: the same file twice, a copy (same device uuid and role).
mk d0.img 1.2 5; mk d1.img 1.2 5 --role 1; mk d2.img 1.2 5 --role 2
run "$LLBITMAP" examine d0.img d1.img d2.img; expect_rc 0; expect_out "Members agree : yes"
run "$LLBITMAP" examine d0.img d0.img; expect_rc 1; expect_out "Members agree : no"; expect_out "device=d0.img: given twice"
cp d0.img clone.img
run "$LLBITMAP" examine d0.img d1.img d2.img clone.img; expect_rc 1; expect_out "Members agree : no"
expect_out "md.device_uuid="; expect_out ": clone.img and d0.img have the same device uuid"
expect_out "md.role=0: clone.img and d0.img claim the same role"
expect_err "clone.img and d0.img claim the same role"
run "$LLBITMAP" examine --format export d0.img clone.img; expect_rc 1; expect_out "LLBITMAP_MEMBERS_AGREE=0"
run "$LLBITMAP" check d0.img d1.img d2.img clone.img; expect_rc 1
expect_out "error   clone.img: md.device_uuid="; expect_out "error   clone.img: md.role=0: clone.img and d0.img claim the same role"
run "$LLBITMAP" check d0.img d0.img; expect_rc 1; expect_out "error   d0.img: device=d0.img: given twice"
echo "findings ok"
