# examine and dump on generated llbitmap members: every state value, invalid
# bytes, all three metadata minors, text/json/export, several members.
source "$TESTLIB"

for meta in 1.0 1.1 1.2; do
  "$MKFIXTURE" m$meta.img --metadata $meta --size-mib 64 \
    --state 0-9=0 --state 10-29=1 --state 30-59=2 --state 60-99=3 --state 100-149=4 \
    --state 150-209=5 --state 210-279=6 --state 280-359=7 --state 360-361=0x7f
  run "$LLBITMAP" examine --format json m$meta.img
  expect_rc 1   # the invalid bytes are a problem
  [ "$(json_get "$OUT" "j[0]['metadata']")" = "$meta" ] || fail "metadata $meta"
  chunks=$(json_get "$OUT" "j[0]['bitmap']['chunks']")
  # 64 MiB member, 2048 sectors of data offset (1.1/1.2) or the bitmap before a 1.0 superblock
  for pair in unwritten:$((10 + chunks - 362)) clean:20 dirty:30 need_sync:40 syncing:50 \
              need_sync_unwritten:60 syncing_unwritten:70 clean_unwritten:80 invalid:2; do
    key=${pair%%:*}; want=${pair#*:}
    got=$(json_get "$OUT" "j[0]['bitmap']['states']['$key']")
    [ "$got" = "$want" ] || fail "$meta $key: got $got want $want"
  done
  dirty=$(json_get "$OUT" "j[0]['bitmap']['dirty']")
  [ "$dirty" = $((30 + 40 + 50 + 60 + 70 + 2)) ] || fail "$meta dirty $dirty"
  run "$LLBITMAP" examine m$meta.img
  expect_out "Bitmap : $chunks bits (chunks), $dirty dirty"
  # the mdadm-harness idiom keeps working
  [ "$(sed -n 's/.*Bitmap.* \([0-9]*\) dirty.*/\1/p' <<<"$OUT")" = "$dirty" ] || fail "sed idiom"
  expect_err "bitmap.states=0x7f"
  run "$LLBITMAP" examine --format export m$meta.img
  expect_out "LLBITMAP_STATE_NEED_SYNC_UNWRITTEN=60"
  expect_out "LLBITMAP_DIRTY=$dirty"
done

# A clean member: exit 0, nothing on stderr, in every format.
"$MKFIXTURE" clean.img --assume-clean
for fmt in text json export; do
  run "$LLBITMAP" examine --format $fmt clean.img
  expect_rc 0
  expect_no_err
done
expect_out "LLBITMAP_STATE_CLEAN=4080"

# dump ranges, csv, json, raw and --chunks
"$MKFIXTURE" d.img --state 0-99=2 --state 500=3
run "$LLBITMAP" dump d.img
expect_rc 0
[ "$OUT" = $'0-99 dirty\n100-499 unwritten\n500 need_sync\n501-4079 unwritten' ] || fail "ranges: $OUT"
run "$LLBITMAP" dump --chunks 90-510 --format csv d.img
expect_out "90,99,10,dirty,2"
expect_out "500,500,1,need_sync,3"
run "$LLBITMAP" dump --format raw d.img
[ "$(wc -c <"$TMP/.out")" = 4080 ] || fail "raw size"
[ "$(od -An -tu1 -j500 -N1 "$TMP/.out" | tr -d ' ')" = 3 ] || fail "raw byte 500"
run "$LLBITMAP" dump --format json d.img
[ "$(json_get "$OUT" "len(j['runs'])")" = 4 ] || fail "json runs"
run "$LLBITMAP" dump --map --no-color d.img
expect_rc 0
expect_out "legend:"
expect_out "N need_sync"
run "$LLBITMAP" dump --chunks 9999-10000 d.img
expect_rc 2

# Several members: agree, then disagree.
"$MKFIXTURE" r0.img --role 0 --state 5=2
"$MKFIXTURE" r1.img --role 1 --state 5=2
run "$LLBITMAP" examine r0.img r1.img
expect_rc 0
expect_out "Members agree : yes"
"$MKFIXTURE" r1.img --role 1 --state 6=2
run "$LLBITMAP" examine r0.img r1.img
expect_rc 1
expect_out "Members agree : no"
expect_err "differ in 2 chunk states (first at chunk 5)"

# FIRST_USE (what mdadm 4.6 writes): normal, said plainly, exit 0, no counts.
"$MKFIXTURE" fu.img --bitmap first-use --assume-clean
run "$LLBITMAP" examine fu.img
expect_rc 0
expect_out "not initialised yet"
expect_out "first_use, clean"
run "$LLBITMAP" dump fu.img
expect_rc 1
expect_err "not initialised yet"

# No bitmap at all.
"$MKFIXTURE" nb.img --bitmap none
run "$LLBITMAP" examine nb.img
expect_rc 0
expect_out "none (no bitmap)"

# The mdadm 4.6 layout: bad-block log at +16 sectors inside the 128 KiB area.
"$MKFIXTURE" bb.img --bblog 16 --bblog-size 8
run "$LLBITMAP" examine bb.img
expect_rc 0
expect_out "overlaps the state bytes"
"$MKFIXTURE" bb2.img --bblog 16 --bblog-size 8 --md-u32 8=9   # feature_map: bitmap + bad blocks recorded
run "$LLBITMAP" examine bb2.img
expect_rc 1
expect_err "bad blocks are recorded"

# Usage errors exit 2.
run "$LLBITMAP" examine
expect_rc 2
run "$LLBITMAP" examine --format yaml clean.img
expect_rc 2
run "$LLBITMAP" frobnicate
expect_rc 2

# --brief of an llbitmap: mdadm -X's lines and label width, its own facts.
"$MKFIXTURE" brief.img --state 0-99=2
run "$LLBITMAP" examine --brief brief.img
expect_rc 0
[ "$(sed 's/ : .*//; s/^ *//' <<<"$OUT" | tr '\n' ,)" = "Filename,Magic,Version,UUID,Events,Events Cleared,State,Chunksize,Daemon,Write Mode,Sync Size,Bitmap," ] ||
  fail "--brief lines: $OUT"
[ "$(grep -c '^.\{16\} : ' <<<"$OUT")" = 12 ] || fail "--brief labels are not 16 wide: $OUT"
expect_out "       Chunksize : 64 KB"
expect_out "          Bitmap : 4080 bits (chunks), 100 dirty (2.5%)"
echo "test_examine: ok"
