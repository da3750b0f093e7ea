# llbitmap simulate: blkparse text and fio iologs worked by hand (256 MiB,
# 64 KiB chunks), --compare-chunks, --synthetic, JSON, and bad input.
source "$TESTLIB"

cat >t.blk <<'T'
  8,0    3        1     0.000000000   697  Q  WS 0 + 8 [dd]
  8,0    3        2     0.000001000   697  G  WS 0 + 8 [dd]
  8,0    3        3     1.000000000   697  Q   R 4096 + 8 [cat]
  8,0    3        4     2.000000000   697  Q  WS 131072 + 8 [dd]
  8,0    3        5    35.000000000   697  Q  WS 128 + 8 [dd]
CPU3 (8,0):
 Reads Queued:           1,        4KiB
T
# Chunk 0 and chunk 1024 Dirty (two block writes); the daemon at 30 s cleans
# them in memory; chunk 1 at 35 s writes chunk 0's Clean block back.
run "$LLBITMAP" simulate --size 256M --crash-at 40 --format json t.blk
expect_rc 0
[ "$(json_get "$OUT" 'j[0]["metadata_writes"]')" = 3 ] || fail "metadata writes: $OUT"
[ "$(json_get "$OUT" 'j[0]["dirty_in_memory"]')" = 1 ] || fail "dirty in memory: $OUT"
[ "$(json_get "$OUT" 'j[0]["dirty_on_disk"]')" = 2 ] || fail "dirty on disk: $OUT"
[ "$(json_get "$OUT" 'j[0]["resync_bytes"]')" = 131072 ] || fail "resync bytes: $OUT"
run "$LLBITMAP" simulate --size 256M --crash-at 10 t.blk
expect_rc 0; expect_out "2 events, crash at 10.000 s"

# One row per chunk size; the events are read once.
run "$LLBITMAP" simulate --size 256M --compare-chunks 64K,1M,8M --format json t.blk
[ "$(json_get "$OUT" 'len(j)')" = 3 ] || fail "compare rows"
[ "$(json_get "$OUT" 'j[2]["chunk_bytes"]')" = 8388608 ] || fail "compare chunk size"
run "$LLBITMAP" simulate --size 256M --compare-chunks 64K,1M t.blk
expect_out "64.0 KiB"; expect_out "1.00 MiB"

# The room: a row the kernel could not have is marked, with the room it needs;
# the kernel's chunk for the size and room is named and simulated as a row.
# 1 TiB in 256 sectors: 64 KiB chunks (16777216) are impossible; the kernel
# chooses 8 MiB (131072 chunks: its test passes, 1024 + 131072 > 131072 does
# not); 16 MiB truly fits.
run "$LLBITMAP" simulate --synthetic random --count 2000 --size 1T --compare-chunks 64K,16M --format json
expect_rc 0
[ "$(json_get "$OUT" 'len(j)')" = 3 ] || fail "kernel row not added: $OUT"
[ "$(json_get "$OUT" '[r["room_fit"] for r in j]')" = "['impossible', 'fits', 'kernel_only']" ] || fail "room fit: $OUT"
[ "$(json_get "$OUT" '[r["kernel_choice"] for r in j]')" = "[False, False, True]" ] || fail "kernel choice: $OUT"
[ "$(json_get "$OUT" 'j[2]["chunk_bytes"]')" = 8388608 ] || fail "kernel chunk: $OUT"
[ "$(json_get "$OUT" 'j[0]["sectors_reserved_needed"]')" = 32770 ] || fail "room needed: $OUT"
[ "$(json_get "$OUT" 'j[2]["sectors_reserved_needed"]')" = 258 ] || fail "room needed (kernel row): $OUT"
[ "$(json_get "$OUT" 'j[1]["sectors_reserved"]')" = 256 ] || fail "room: $OUT"
run "$LLBITMAP" simulate --synthetic random --count 2000 --size 1T --compare-chunks 64K,16M
expect_rc 0
expect_out "the kernel chooses 8.00 MiB chunks (131072 of them) for 1.00 TiB with 256 sectors reserved"
expect_out "the smallest chunk that fits is 16.00 MiB"
expect_out "IMPOSSIBLE: needs 32770 sectors reserved"
expect_out "kernel's test only: needs 258 sectors reserved (the kernel's choice)"
[ "$(grep -c '  fits$' <<<"$OUT")" = 1 ] || fail "one row fits: $OUT"
# Without a chunk size the only row is the kernel's; --reserved models a bigger room.
run "$LLBITMAP" simulate --synthetic random --count 2000 --size 1T --format json
[ "$(json_get "$OUT" '[(r["chunk_bytes"], r["kernel_choice"]) for r in j]')" = "[(8388608, True)]" ] || fail "default row: $OUT"
run "$LLBITMAP" simulate --synthetic random --count 2000 --size 1T --reserved 32770 --chunk-size 64K --format json
[ "$(json_get "$OUT" '[(r["chunk_bytes"], r["room_fit"], r["kernel_choice"]) for r in j]')" = "[(65536, 'fits', True)]" ] ||
  fail "bigger room: $OUT"
run "$LLBITMAP" simulate --synthetic random --count 2000 --size 1T --reserved 0
expect_rc 2; expect_one_err_line; expect_err "--reserved"
run "$LLBITMAP" simulate --synthetic random --count 2000 --size 1T --chunk-size 8M --compare-chunks 16M
expect_rc 2; expect_one_err_line

# fio iolog v2 and v3 (auto-detected, from stdin too).
printf 'fio version 2 iolog\n/dev/sdb add\n/dev/sdb open\n/dev/sdb write 0 4096\n/dev/sdb read 0 4096\n/dev/sdb close\n' >v2.log
run "$LLBITMAP" simulate --size 256M --format json v2.log
[ "$(json_get "$OUT" 'j[0]["events"]')" = 1 ] || fail "fio v2 events"
printf 'fio version 3 iolog\n0 /dev/sdb add\n1000000000 /dev/sdb write 0 4096\n2000000000 /dev/sdb trim 0 1048576\n' >v3.log
run "$LLBITMAP" simulate --size 256M --format json - <v3.log
[ "$(json_get "$OUT" 'j[0]["events"]')" = 2 ] || fail "fio v3 events"
[ "$(json_get "$OUT" 'j[0]["dirty_in_memory"]')" = 0 ] || fail "trim did not discard"

# --kernel: a trim of [0, 96K) after a write of chunks 0-1 (64K chunks) leaves
# chunk 1 Dirty on 7.3 (whole chunks only) and clears it on 6.18 and 7.2
# (the write coalesced its block: 512 chunks Dirty before the trim).
printf 'fio version 3 iolog\n0 /dev/sdb write 0 131072\n1000000000 /dev/sdb trim 0 98304\n' >trim.log
for k in 6.18:510 7.2:510 7.3:511; do
  run "$LLBITMAP" simulate --size 256M --chunk-size 64K --kernel "${k%%:*}" --format json trim.log
  expect_rc 0
  [ "$(json_get "$OUT" 'j[0]["dirty_in_memory"]')" = "${k##*:}" ] || fail "--kernel ${k%%:*}: trim left $(json_get "$OUT" 'j[0]["dirty_in_memory"]') dirty"
  [ "$(json_get "$OUT" 'j[0]["kernel"]')" = "${k%%:*}" ] || fail "--kernel ${k%%:*} not in the JSON"
done
run "$LLBITMAP" simulate --size 256M --chunk-size 64K --kernel 7.3 trim.log
expect_out "modelled on Linux 7.3 (discards clear whole chunks only)"
run "$LLBITMAP" simulate --size 256M --kernel 8.0 trim.log
expect_rc 2; expect_one_err_line; expect_err "--kernel '8.0'"

# Synthetic, seeded: the same seed gives the same figures.
a=$("$LLBITMAP" simulate --synthetic random --seed 3 --count 20000 --size 1G --format json)
b=$("$LLBITMAP" simulate --synthetic random --seed 3 --count 20000 --size 1G --format json)
[ "$a" = "$b" ] || fail "synthetic random not reproducible"
run "$LLBITMAP" simulate --synthetic sequential --count 1000 --size 1G
expect_rc 0; expect_out "1000 events"

# Bad input: one line naming the trace line, exit 1; usage errors exit 2.
printf '  8,0 3 1 0.0 1 Q WS 0 + 8 [a]\n  8,0 3 2 bad 1 Q WS 0 + 8 [a]\n' >bad.blk
run "$LLBITMAP" simulate --size 256M bad.blk
expect_rc 1; expect_one_err_line; expect_err "llbitmap simulate: bad.blk: line=2"
printf '  8,0 3 1 0.0 1 Q WS 600000 + 8 [a]\n' >past.blk
run "$LLBITMAP" simulate --size 256M past.blk
expect_rc 1; expect_one_err_line; expect_err "past.blk line 1"; expect_err "past the end"
run "$LLBITMAP" simulate --size 256M --input-format fio t.blk
expect_rc 1; expect_one_err_line
run "$LLBITMAP" simulate t.blk
expect_rc 2; expect_one_err_line; expect_err "llbitmap simulate: --size"
run "$LLBITMAP" simulate --size 256M --level 0 t.blk
expect_rc 2; expect_one_err_line
run "$LLBITMAP" simulate --size 256M
expect_rc 2; expect_one_err_line
run "$LLBITMAP" simulate --size 256M missing.blk
expect_rc 1; expect_one_err_line
echo "simulate ok"
