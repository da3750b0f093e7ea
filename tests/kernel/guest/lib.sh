# Helpers for guest scenarios (busy box sh).

# fresh_read: make later reads of members see the disk, not a stale cache.
fresh_read() {
  for d in /dev/vd?; do blockdev --flushbufs "$d" 2>/dev/null; done
  echo 3 >/proc/sys/vm/drop_caches
}

# kernel_bits MD: sysfs llbitmap bits as "KEY=count" lines (keys as our JSON keys).
kernel_bits() {
  sed 's/^\(.*\) \([0-9]*\)$/\1=\2/; s/ /_/g' "/sys/block/$1/md/llbitmap/bits"
}

# kernel_count MD KEY
kernel_count() { kernel_bits "$1" | sed -n "s/^$2=//p"; }

# our_count DEV KEY: llbitmap examine's count for a state key.
our_count() {
  key=$(echo "$2" | tr a-z A-Z)
  llbitmap examine --format export "$1" | sed -n "s/^LLBITMAP_STATE_$key=//p"
}

# check NAME OURS KERNEL: one comparison line the host collects.
check() {
  if [ "$2" = "$3" ]; then
    echo "@@CHECK ok $1 ours=$2 kernel=$3"
  else
    echo "@@CHECK FAIL $1 ours=$2 kernel=$3"
  fi
}

# fact NAME VALUE: a figure for the report.
fact() { echo "@@FACT $1=$2"; }

# compare_all MD DEV LABEL: every state count of DEV against sysfs bits.
compare_all() {
  fresh_read
  for key in unwritten clean dirty need_sync syncing need_sync_unwritten syncing_unwritten clean_unwritten; do
    check "$3:$key" "$(our_count "$2" "$key")" "$(kernel_count "$1" "$key")"
  done
}

# write_at MD OFFSET_KIB COUNT_KIB: direct writes of random data.
write_at() { dd if=/dev/urandom of="/dev/$1" bs=1k seek="$2" count="$3" oflag=direct conv=notrunc 2>/dev/null; }

# bitmap_type MD: the bitmap kind the kernel uses (sysfs marks it "[llbitmap]").
bitmap_type() { sed -n 's/.*\[\([a-z]*\)\].*/\1/p' "/sys/block/$1/md/bitmap_type"; }

# started_bits MD: kernel_bits once a held-back resync has sent its first
# requests (a chunk Syncing or Dirty, waited for at most 5 s), read a second
# later; no Endsync runs before daemon_sleep (30 s) in a held resync.
started_bits() {
  i=0
  while [ $i -lt 50 ]; do
    kernel_bits "$1" | grep -qE '^(syncing|dirty)=[1-9]' && break
    sleep 0.1
    i=$((i + 1))
  done
  sleep 1
  kernel_bits "$1"
}

# check_first_resync_chunk LABEL DIRTY: the Dirty count of started_bits when
# the resync's first out-of-sync chunk is not chunk 0. 7.2.13 ends the chunk
# of its first sync request before syncing it (Syncing -> Dirty: 1), 7.3 only
# the chunks below it (0); FINDINGS.md "The first chunk of a resync ...".
check_first_resync_chunk() {
  case $KERNEL_SERIES in
    7.2) want=1 ;;
    *) want=0 ;;
  esac
  check "$1-first-resync-chunk-dirty-on-$KERNEL_SERIES" "$want" "$2"
}

# nonzero_bytes DEV FROM TO: state bytes of chunks [FROM, TO) that are not 0
# (the state bytes start 1 KiB into the bitmap, at +8 sectors from the 1.2
# superblock at 4 KiB). Used by the resize scenarios with resize_stage
# LABEL PREVIOUS-CHUNKS (the kernel's view of md0 and our reading of vda)
# and resize_grow LABEL SIZE.
nonzero_bytes() {
  [ "$3" -gt "$2" ] || { echo 0; return; }
  dd if="$1" bs=1 skip=$((4096 + 4096 + 1024 + $2)) count=$(($3 - $2)) 2>/dev/null |
    od -An -tu1 -v | tr -s ' ' '\n' | grep -c '^[1-9]'
}
resize_stage() {  # LABEL PREVIOUS-CHUNKS: the kernel's view and our reading now
  mdadm --wait /dev/md0 2>/dev/null || true
  sleep 1
  fresh_read
  fact "$1_bits" "$(kernel_bits md0 | tr '\n' ' ')"
  fact "$1_metadata" "$(tr '\n' ' ' </sys/block/md0/md/llbitmap/metadata)"
  fact "$1_component_size" "$(cat /sys/block/md0/md/component_size)"
  chunks=$(sed -n 's/.*chunks \([0-9]*\).*/\1/p' /sys/block/md0/md/llbitmap/metadata)
  if [ "$2" -gt "$chunks" ]; then
    fact "$1_cut_nonzero" "$(nonzero_bytes /dev/vda "$chunks" "$2")"
  else
    fact "$1_new_nonzero" "$(nonzero_bytes /dev/vda "$2" "$chunks")"
  fi
  fact "$1_examine" "$(llbitmap examine --format json /dev/vda 2>&1 | tr -d '\n')"
  fact "$1_dump" "$(llbitmap dump --format json /dev/vda 2>&1 | tr -d '\n')"
  last_chunks=$chunks
}
resize_grow() {   # LABEL SIZE
  out=$(mdadm --grow /dev/md0 --size="$2" 2>&1)
  fact "$1_grow_status" "$?"
  fact "$1_grow" "$(echo "$out" | tr '\n' ' ')"
  resize_stage "$1" "$last_chunks"
}
