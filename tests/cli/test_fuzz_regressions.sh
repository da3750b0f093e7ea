# Inputs the fuzz targets (tests/fuzz) found, rebuilt by mkfixture, kept as
# regression tests.
source "$TESTLIB"

# fuzz_member: an array name of bytes that are not UTF-8 made the JSON
# renderer throw (examine --format json aborted). JSON keeps the bytes
# (invalid UTF-8 as \udcXX, llbitmap(8) OUTPUT FORMATS), text shows \xNN.
"$MKFIXTURE" name.img --size-mib 64 --md-u32 32=0x1bfefdfc
before=$(sha name.img)
run "$LLBITMAP" examine --format json name.img
expect_rc 0
expect_no_err
[ "$(json_get "$OUT" 'j[0]["md_name"].encode("utf-8", "surrogateescape")[:4].hex()')" = fcfdfe1b ] || fail "md_name not kept: $OUT"
expect_out '"md_name": "\udcfc\udcfd\udcfe\u001b'
run "$LLBITMAP" examine name.img
expect_rc 0
expect_out 'name \xfc\xfd\xfe\x1b'
grep -q $'\x1b' <<<"$OUT" && fail "an escape byte reached the terminal"
[ "$(sha name.img)" = "$before" ] || fail "name.img was modified"

# fuzz_member: the same for the bitmap header's cluster_name, once examine's
# JSON showed it (found in CI the day the field was added).
"$MKFIXTURE" cluster.img --size-mib 64 --raw-area 72=0xff --raw-area 73=0x1b
run "$LLBITMAP" examine --format json cluster.img
expect_rc 0
expect_no_err
[ "$(json_get "$OUT" 'j[0]["bitmap"]["cluster_name"].encode("utf-8", "surrogateescape").hex()')" = ff1b ] || fail "cluster_name not kept: $OUT"
echo "test_fuzz_regressions: ok"
