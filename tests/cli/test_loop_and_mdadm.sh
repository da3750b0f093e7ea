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
echo "test_loop_and_mdadm: ok"
