# Bad input: one clear line on stderr naming the device, the field and the
# value; exit 1; the input is never written.
source "$TESTLIB"

poke() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
area=8192   # 1.2 superblock at 4096, bitmap 8 sectors after it

check_bad() {  # FILE FIELD-FRAGMENT MESSAGE-FRAGMENT
  local before; before=$(sha "$1")
  for cmd in examine dump; do
    run "$LLBITMAP" $cmd "$1"
    expect_rc 1
    expect_one_err_line
    expect_err "llbitmap $cmd: $1"
    expect_err "$2"
    expect_err "$3"
  done
  [ "$(sha "$1")" = "$before" ] || fail "$1 was modified"
}

"$MKFIXTURE" good.img --size-mib 64

cp good.img trunc.img; truncate -s 6000 trunc.img
check_bad trunc.img "size=6000" "too small"

truncate -s 1M zero.img
check_bad zero.img "md.magic" "no md v1.0/1.1/1.2 superblock"

cp good.img csum.img; poke csum.img $((4096 + 216)) '\x01\x02\x03\x04'
check_bad csum.img "md.sb_csum=0x4030201" "checksum mismatch, expected"

"$MKFIXTURE" off.img --size-mib 64 --md-u32 96=0x7fffff00
check_bad off.img "md.bitmap_offset=2147483392" "outside the device"

"$MKFIXTURE" ver.img --size-mib 64 --raw-area 4=9
check_bad ver.img "bitmap.version=9" "unknown bitmap version"

"$MKFIXTURE" cs0.img --size-mib 64 --chunk 0 --raw-area 52=0 --raw-area 53=0
check_bad cs0.img "bitmap.chunksize=0" "power of two"

"$MKFIXTURE" cs3.img --size-mib 64 --raw-area 52=3 --raw-area 53=1
check_bad cs3.img "bitmap.chunksize=259" "power of two"

"$MKFIXTURE" sync.img --size-mib 64 --raw-area 47=0xff
check_bad sync.img "bitmap.sync_size=" "larger than the array's resync size"

"$MKFIXTURE" sync4.img --size-mib 64 --bitmap classic --raw-area 47=0xff
check_bad sync4.img "bitmap.sync_size=" "overflows"

"$MKFIXTURE" res0.img --size-mib 64 --raw-area 64=0 --raw-area 65=0
check_bad res0.img "bitmap.sectors_reserved=0" "needs a reserved area"

"$MKFIXTURE" resbig.img --size-mib 64 --raw-area 64=0 --raw-area 65=0x10
check_bad resbig.img "bitmap.sectors_reserved=4096" "runs past the room"

"$MKFIXTURE" uuid.img --size-mib 64 --raw-area 8=0xaa
check_bad uuid.img "bitmap.uuid=aa234567" "differs from the array uuid"

"$MKFIXTURE" magic.img --size-mib 64 --raw-area 0=0
check_bad magic.img "bitmap.magic=0x6d746900" "no bitmap superblock"

# Classic bitmaps carry sectors_reserved 0 and are valid (ERRATA).
"$MKFIXTURE" classic.img --size-mib 64 --bitmap classic
run "$LLBITMAP" examine classic.img
expect_rc 0
expect_no_err

# A missing file, a directory.
run "$LLBITMAP" examine nosuch.img
expect_rc 1
expect_err "llbitmap examine: nosuch.img: No such file or directory"
run "$LLBITMAP" examine "$TMP"
expect_rc 1
expect_err "not a block device or a regular file"
echo "test_bad_input: ok"
