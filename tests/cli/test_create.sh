# llbitmap create: member images for every level and metadata version (mdadm
# --examine accepts them), a fresh llbitmap on existing members (placement
# after a bad-block log, --first-use, --force, --dry-run) and the refusals.
source "$TESTLIB"
UUID=0badc0de:12345678:9abcdef0:0f1e2d3c
have_mdadm() { command -v mdadm >/dev/null; }

# json FILE EXPR: a field of examine --format json of one member.
jx() { json_get "$("$LLBITMAP" examine --format json "$1")" "$2"; }
sums() { sha256sum "$@"; }

# Member images: levels, metadata versions, states, mdadm acceptance.
for meta in 1.0 1.1 1.2; do
  for level in 1 5 6 10; do
    disks=4
    rm -f m?.img
    run "$LLBITMAP" create --level $level --raid-disks $disks --size 64M --metadata $meta --uuid $UUID \
      --states 0-9:dirty,20:need_sync m0.img m1.img m2.img m3.img
    expect_rc 0
    js=$("$LLBITMAP" examine --format json m0.img m1.img m2.img m3.img)
    python3 -c 'import json,sys; j=json.loads(sys.argv[1]); b=[m["bitmap"] for m in j]
assert all(x["version"] == 6 and x["dirty"] == 11 for x in b), b' "$js" || fail "$meta raid$level: not 11 dirty llbitmap chunks"
    if have_mdadm; then
      run mdadm --examine m3.img; expect_rc 0
      expect_out "Array UUID : $UUID"; expect_out "Internal Bitmap"
      grep -q "Checksum : .* - correct" <<<"$OUT" || fail "mdadm: checksum not correct on $meta raid$level"
    fi
    run "$LLBITMAP" examine m0.img m1.img m2.img m3.img; expect_rc 0
  done
done

# Classic and FIRST_USE images, degraded.
rm -f m?.img
run "$LLBITMAP" create --level 1 --raid-disks 3 --size 64M --classic --chunk-size 1M --assume-clean --degraded --states 0:dirty,3:need_sync m0.img m1.img
expect_rc 0
[ "$(jx m0.img "j[0]['bitmap']['version']")" = 4 ] || fail "--classic: not version 4"
[ "$(jx m0.img "j[0]['bitmap']['dirty']")" = 2 ] || fail "--classic --states: dirty bits"
if have_mdadm; then run mdadm --examine m1.img; expect_rc 0; expect_out "Internal Bitmap"; expect_out "AA."; fi
rm -f m?.img
run "$LLBITMAP" create --level 5 --raid-disks 3 --size 64M --first-use --assume-clean --missing 1 m0.img m2.img
expect_rc 0
[ "$(jx m2.img "j[0]['bitmap']['first_use']")" = True ] || fail "--first-use image not FIRST_USE"
[ "$(jx m2.img "j[0]['bitmap']['state_flags']")" = "['first_use', 'clean']" ] || fail "--first-use --assume-clean flags"
if have_mdadm; then run mdadm --examine m2.img; expect_rc 0; expect_out "A.A"; fi

# mdadm's spelling of the member count is accepted too.
rm -f rd0.img rd1.img
run "$LLBITMAP" create --level 1 --raid-devices 2 --size 64M rd0.img rd1.img; expect_rc 0
[ "$(jx rd1.img "j[0]['raid_disks']")" = 2 ] || fail "--raid-devices 2: raid_disks is not 2"

# Usage: wrong number of files, existing files.
run "$LLBITMAP" create --level 1 --raid-disks 2 --size 64M only.img; expect_rc 2; expect_one_err_line; expect_err "devices 1: 1 output files"
[ ! -e only.img ] || fail "a partial set of images was written"
run "$LLBITMAP" create --level 1 --raid-disks 2 --size 64M m0.img new.img; expect_rc 1; expect_err "exists already"
run "$LLBITMAP" create --level 1 --raid-disks 2 --size 64M --states 0-99999:dirty x.img y.img; expect_rc 2; expect_err "--states 0-99999: range ends past the last chunk"
run "$LLBITMAP" create --level 1 --raid-disks 2 --size 64M --states 0-9:filthy x.img y.img; expect_rc 2; expect_err "--states 0-9:filthy: unknown state"
run "$LLBITMAP" create --first-use --states 0:dirty m0.img; expect_rc 2

# Image form: what the kernel refuses or examine calls an error is refused,
# one line naming the first file and the field, exit 1, no file written, with
# and without --dry-run; for every metadata version and raid1/5/6/10.
refuse_images() {  # EXPECTED-STDERR CREATE-ARGS... (files r0.img r1.img ...)
  local want=$1 dry; shift
  for dry in "" --dry-run; do
    rm -f r?.img
    run "$LLBITMAP" create $dry "$@"; expect_rc 1; expect_one_err_line; expect_err "$want"
    ! ls r?.img >/dev/null 2>&1 || fail "refused create $* wrote $(ls r?.img)"
  done
}
for meta in 1.0 1.1 1.2; do
  for level in 1 5 6 10; do
    files="r0.img r1.img r2.img r3.img"
    base="--level $level --raid-disks 4 --metadata $meta"
    small="$base --size 64M"
    run "$LLBITMAP" create $small --chunk-size 3s $files; expect_rc 2; expect_one_err_line; expect_err "--chunk-size 3s: not a power of two"
    refuse_images "r0.img: bitmap.chunksize=2: " $base --size 1G --chunk-size 1K $files
    for first_use in "" --first-use; do
      run "$LLBITMAP" create $small $first_use --reserved 0 $files; expect_rc 2; expect_one_err_line; expect_err "--reserved 0: out of range"
      ! ls r?.img >/dev/null 2>&1 || fail "refused create --reserved 0 wrote $(ls r?.img)"
    done
    refuse_images "r0.img: bitmap.chunksize=256: classic chunk size (bytes) must" $small --classic --chunk-size 256B $files
    mkdir -p sub
    refuse_images "sub/../r0.img: device=sub/../r0.img: the same file as r0.img" $small r0.img r1.img r2.img sub/../r0.img
    if [ $meta != 1.0 ]; then
      refuse_images "r0.img: bitmap.sectors_reserved=99999: the reserved area" $small --reserved 99999 $files
      refuse_images "r0.img: md.bitmap_offset=4000: the bitmap area (bytes " $small --offset 4000 $files
      refuse_images "starts inside the data area" $small --offset 4000 $files
      refuse_images "r0.img: md.bitmap_offset=1: the bitmap area (bytes " $small --offset 1 $files
      refuse_images "starts inside the md superblock" $small --offset 1 $files
      data=$([ $meta = 1.2 ] && echo 16 || echo 8)
      refuse_images "r0.img: md.bitmap_offset=8: the bitmap area (bytes " $small --data-offset $data $files
    fi
  done
done
refuse_images "r0.img: md.level=raid0: md keeps no bitmap on raid0 or linear arrays" --level 0 --raid-disks 2 --size 64M r0.img r1.img
refuse_images "r0.img: md.level=linear: md keeps no bitmap" --level linear --raid-disks 2 --size 64M r0.img r1.img
refuse_images "r0.img: md.level=raid0: md keeps no bitmap" --level 0 --raid-disks 2 --size 64M --classic r0.img r1.img
refuse_images "r0.img: md.raid_disks=3: raid6 needs at least 4 devices" --level 6 --raid-disks 3 --size 64M r0.img r1.img r2.img
refuse_images "r0.img: md.raid_disks=1: raid5 needs at least 2 devices" --level 5 --raid-disks 1 --size 64M r0.img
refuse_images "r0.img: md.raid_disks=1: raid10 layout 0x102 keeps 2 copies" --level 10 --raid-disks 1 --size 64M r0.img
refuse_images "r0.img: device=r0.img: the same file as r0.img" --level 1 --raid-disks 2 --size 64M r0.img r0.img
refuse_images "./r0.img: device=./r0.img: the same file as r0.img" --level 1 --raid-disks 2 --size 64M r0.img ./r0.img
ln -s r0.img link.img
refuse_images "link.img: device=link.img: exists already" --level 1 --raid-disks 2 --size 64M link.img r0.img
rm -f link.img r?.img
run "$LLBITMAP" create --level 0 --raid-disks 2 --size 64M --no-bitmap r0.img r1.img; expect_rc 0
run "$LLBITMAP" create --level 5 --raid-disks 2 --size 64M r2.img r3.img; expect_rc 0
run "$LLBITMAP" examine r2.img r3.img; expect_rc 0
rm -f r?.img

# create on members without a bitmap, laid out as mdadm --bitmap=none does:
# the bad-block log at +16 leaves +8 too small, so the bitmap goes to +24.
"$LLBITMAP" create --level 5 --raid-disks 3 --size 64M --no-bitmap --bad-block-log --uuid $UUID n0 n1 n2 >/dev/null
sums n0 n1 n2 >before.sum
run "$LLBITMAP" create --dry-run n0 n1 n2; expect_rc 0; expect_out "dry run: nothing written"; expect_out "offset +24"
expect_out "phase 3 (point the md superblock at the bitmap)"
sha256sum --quiet -c before.sum || fail "--dry-run wrote"
run "$LLBITMAP" create n0 n1 n2; expect_rc 0
for f in n0 n1 n2; do
  [ "$(jx $f "j[0]['bitmap_offset_sectors']")" = 24 ] || fail "$f: bitmap not after the bad-block log"
  [ "$(jx $f "j[0]['bitmap']['chunks']")" = "$(jx $f "j[0]['bitmap']['states']['unwritten']")" ] || fail "$f: not all unwritten"
  [ "$(jx $f "j[0]['bitmap']['events']")" = "$(jx $f "j[0]['md_events']")" ] || fail "$f: events differ from md"
  if have_mdadm; then run mdadm --examine $f; expect_rc 0; expect_out "Internal Bitmap : 24 sectors"; expect_out "Array UUID : $UUID"; fi
done
run "$LLBITMAP" examine n0 n1 n2; expect_rc 0

# An existing bitmap is refused without --force; --force replaces it.
sums n0 n1 n2 >before.sum
run "$LLBITMAP" create n0 n1 n2; expect_rc 1; expect_one_err_line; expect_err "--force"
sha256sum --quiet -c before.sum || fail "a refused create wrote"
run "$LLBITMAP" create --force --assume-clean --chunk-size 1M --daemon-sleep 7 n0 n1 n2; expect_rc 0
[ "$(jx n1 "j[0]['bitmap']['chunksize_sectors']")" = 2048 ] || fail "--chunk-size 1M"
[ "$(jx n1 "j[0]['bitmap']['daemon_sleep']")" = 7 ] || fail "--daemon-sleep"
[ "$(jx n1 "j[0]['bitmap']['states']['clean']")" = "$(jx n1 "j[0]['bitmap']['chunks']")" ] || fail "--assume-clean"
run "$LLBITMAP" create --force --first-use n0 n1 n2; expect_rc 0
[ "$(jx n0 "j[0]['bitmap']['first_use']")" = True ] || fail "--force --first-use"
run "$LLBITMAP" create --force --states 5-6:need_sync --reserved 64 n0 n1 n2; expect_rc 0
[ "$(jx n0 "j[0]['bitmap']['sectors_reserved']")" = 64 ] || fail "--reserved"
[ "$(jx n0 "j[0]['bitmap']['dirty']")" = 2 ] || fail "--states on create"

# Too little room: a bad-block log at +16 and data at +64; nothing written.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 64M --no-bitmap --bad-block-log --data-offset 72 s0 s1 >/dev/null
sums s0 s1 >before.sum
run "$LLBITMAP" create s0 s1; expect_rc 1; expect_one_err_line; expect_err "no room for a 256-sector bitmap area"
expect_err "bad-block log at +16..+23"
run "$LLBITMAP" create --offset 8 --reserved 16 s0 s1; expect_rc 1; expect_one_err_line
sha256sum --quiet -c before.sum || fail "a refused create wrote"
run "$LLBITMAP" create --reserved 32 s0 s1; expect_rc 0; expect_out "offset +24"

# Mismatched members: nothing written on any.
"$LLBITMAP" create --level 1 --raid-disks 2 --size 64M --no-bitmap o0 o1 >/dev/null
"$LLBITMAP" create --level 1 --raid-disks 2 --size 64M --no-bitmap p0 p1 >/dev/null
sums o0 p1 >before.sum
run "$LLBITMAP" create o0 p1; expect_rc 1; expect_one_err_line; expect_err "not a member of the same array"
run "$LLBITMAP" create o0 o0; expect_rc 1; expect_err "given twice"
sha256sum --quiet -c before.sum || fail "a refused create wrote"

# Loop devices: create through the block device; an O_EXCL holder is refused.
cp o0 l0; cp o1 l1
dev0=$(loop_attach l0); dev1=$(loop_attach l1)
python3 -c 'import os,sys,time; fd=os.open(sys.argv[1], os.O_RDONLY|os.O_EXCL); print("held", flush=True); time.sleep(30)' "$dev1" >held.txt &
holder=$!
for _ in $(seq 50); do grep -q held held.txt 2>/dev/null && break; sleep 0.1; done
sums l0 l1 >before.sum
run "$LLBITMAP" create "$dev0" "$dev1"; expect_rc 1; expect_one_err_line; expect_err "$dev1"
[ -z "$OUT" ] || fail "create printed what it wrote before the refusal: $OUT"
kill "$holder"; wait "$holder" 2>/dev/null || true
sync; sha256sum --quiet -c before.sum || fail "create wrote while a member was held"
run "$LLBITMAP" create "$dev0" "$dev1"; expect_rc 0
run "$LLBITMAP" examine "$dev0" "$dev1"; expect_rc 0; expect_out "Version : 6 (llbitmap)"
if have_mdadm; then run mdadm --examine "$dev0"; expect_rc 0; expect_out "Internal Bitmap : 8 sectors"; fi

# Member images are all made or none: a file that cannot be written takes the others with it.
run "$LLBITMAP" create --level 1 --raid-disks 2 --size 64M n0.img no-such-dir/n1.img; expect_rc 1; expect_one_err_line
[ ! -e n0.img ] || fail "a failed create --level left n0.img behind"
[ -z "$OUT" ] || fail "a failed create --level printed success: $OUT"
echo "create ok"
