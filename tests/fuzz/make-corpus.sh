#!/bin/sh
# Writes the seed corpus of the fuzz target, tests/fuzz/corpus, from the
# byte listings below; run it from the source tree after changing the
# input format of tests/fuzz/fuzz_arena.c, and commit the result.
#
# An input is nine bytes of arena configuration, then operations: an
# opcode and its arguments (fuzz_arena.c documents both).  Opcodes:
#   00 create  01 push  02 push_zero  03 push_aligned  04 push_with_reserve
#   05 resize  06 save  07 restore  08 reset  09 trim  0a reserve
#   0b reserve_with_growth  0c memdup  0d strdup  0e printf  0f alloc_array
#   10 on_release  11 pool_create  12 pool_alloc  13 pool_free  14 pool_reset
#   15 stable (vmem_realloc)  16 region (SamrenaVmem)  17 NULL arguments
# Configuration: strategy (0 default, 2 chained, 4 virtual, 87 buffer: its
# size from the max_reserve bytes, 64 KiB units only up to 4 MiB, its
# offset from their top 6 bits, no buffer with commit size 7), flags (1 strict,
# 4 quiet), page size (0: 64 KiB, 7: 4 KiB), initial pages - 1, growth
# pages - 1, alignment (0 default, n: 2^(n-1)), max_reserve (two bytes,
# little-endian: low 6 bits in 64 KiB, the rest in 8 bytes), commit size.
set -e
dir="${1:-$(dirname "$0")/corpus}"
mkdir -p "$dir"

seed() {
  name=$1
  shift
  : > "$dir/$name"
  for byte in "$@"; do
    # shellcheck disable=SC2059 # the format is the byte, by design
    printf "\\$(printf '%03o' "0x$byte")" >> "$dir/$name"
  done
}

# Pushes of every kind on a chained arena of 4 KiB pages: plain, zeroed,
# aligned to 256, a block of its own (3000 > page), memdup, strdup,
# printf of 300 bytes, alloc_array and its overflow.
seed chained-pushes \
  02 04 07 00 00 00 00 00 00 \
  01 0a  01 64  02 32 00  03 18 09  01 8b b8  0c 28  0d 0c 00 \
  0e 2c 01  0f 10 01  0f 10 00

# A virtual arena of 64 KiB reserved, STRICT: the second push of 40000
# does not fit (OUT_OF_MEMORY), push_with_reserve neither, a small one does;
# reserve beyond the reservation (INVALID_PARAMETER) and trim.
seed virtual-exhaustion \
  04 05 07 00 00 00 01 00 00 \
  01 c0 40 9c  01 c0 40 9c  04 c0 40 9c  01 64  0a 03 01 00  09 00 00 00  01 10

# A buffer arena of 64 KiB + 384 bytes, 3 bytes into the fuzzer's buffer:
# the second push of 40000 does not fit (OUT_OF_MEMORY), push_with_reserve
# neither; a mark, a callback, a restore, a reset, reserve beyond the
# buffer (INVALID_PARAMETER), trim (nothing to give back).
seed buffer-exhaustion \
  87 04 07 00 00 00 01 0c 00 \
  01 c0 40 9c  01 c0 40 9c  04 c0 40 9c  06  10 01  01 64  07 00 00  08 \
  0a 03 01 00  09 00 00 00  01 10

# A buffer of 2 KiB: marks and callbacks take its far end until there is
# no room for them (OUT_OF_MEMORY), pushes its near end; then restores.
# Then creations refused: a buffer of 8 bytes (INVALID_SIZE), none at all
# (NULL_POINTER).
seed buffer-bookkeeping \
  87 04 07 00 00 00 00 40 00 \
  01 40  06  10 01  01 7f  06  10 01  06  01 7f  06  10 01  06  01 7f  06 \
  10 01  06  01 7f  06  10 01  06  01 7f  06  10 01  06  01 7f  06  10 01 \
  06  01 7f  06  10 01  06  01 7f  06  10 01  07 00 03  07 00 00  08 \
  00 87 04 07 00 00 00 40 00 00  00 87 04 07 00 00 00 01 00 07

# Resize: grow the last allocation in place, grow an older one (moves),
# shrink, resize NULL, and a size beyond PTRDIFF_MAX (OVERFLOW).
seed resize \
  00 04 07 00 00 00 00 00 00 \
  01 64  05 01 7f 00  01 0a  05 01 b0 00 00  05 01 05 00  05 00 20  05 01 fc 00 \
  05 01 00 00

# Marks: nested saves, a callback, restore of the inner mark (the callback
# runs), of the outer one, of the now stale inner one; a reset; restore of
# a made-up mark and of an altered one, then of a live one.
seed marks \
  04 04 07 00 00 00 04 00 00 \
  01 40  06  01 7f  06  10 01  01 b0 00  07 00 01  07 00 00  07 03 00 \
  06  08  07 03 00  06  01 20  07 05 00 01 02 03 04 05 06  07 04 00 05  07 00 00

# Owned pools: slots of 24 bytes, alloc, free, reset; 64 KiB + 4 KiB slots
# aligned to 16; a slot size of 0 and an alignment of 24 are refused.
seed pools \
  02 04 00 00 00 00 00 00 00 \
  11 00 01 17 00  12 00  12 00  12 00  13 00 01  12 00  14 00  12 00 \
  11 01 06 00 10 05  12 01  12 01  13 01 00  11 00 00 00  11 00 01 10 0e

# Stable blocks: 100 bytes with a 100-byte reservation (growth to 16 KiB
# fails, the block stays), one with 1 MiB reserved that grows to 32 KiB,
# size queries, frees, and one with the default 1 GiB reservation.
seed stable \
  02 04 00 00 00 00 00 00 00 \
  15 00 64 00 01  15 03 c0 00 40 00  15 00 64 00 03  15 03 c0 00 80 01 \
  15 02 00 00  15 01 00 00  15 00 20 00 00  15 03 7f 01  15 01 00 01

# A SamrenaVmem region: reserve 1025 bytes (a page), commit pieces until
# one does not fit, reset, resize, release; commit on the empty region,
# reserve 0, resize of the empty region; calls with NULL.
seed region \
  02 04 00 00 00 00 00 00 00 \
  16 00 01 10 00  16 01 64  16 01 87 d0  16 01 9f 40  16 02  16 01 20 \
  16 04 01 00 01  16 03  16 01 0a  16 00 00  16 04 01 10 00  16 01 30  17

# Configurations that break a rule: an unknown strategy first, then a page
# of 96 bytes, alignment 3, max_reserve of 8 bytes below a first block of
# 32 KiB, a virtual
# commit size of 2^64 - 1, samrena_allocate(0); then a good one.
seed bad-configs \
  07 04 00 00 00 00 00 00 00 \
  00 00 04 0c 00 00 00 00 00 00 \
  00 00 04 00 00 00 12 00 00 00 \
  00 04 04 07 07 00 00 40 00 00 \
  00 04 04 00 00 00 00 00 00 07 \
  00 0f 04 00 03 00 00 00 00 00 \
  00 02 04 07 00 00 00 00 00 00  01 10

# Reserve and trim on a chained arena with 2-page growth: reserve 64 KiB,
# reserve_with_growth, pushes, reset, trim to 0 and to 2^64 - 1, a reserve
# no block can hold (OVERFLOW).
seed reserve-trim \
  02 04 07 00 01 00 00 00 00 \
  0a 00 00 10  0b 00 00 01 00 10  01 c0 00 20  01 c0 00 30  08  09 00 00 00 \
  09 03 00 00  0a 03 01 00  01 10

# Zeroed pushes reuse written memory: on a virtual arena, pushes written
# over, a reset, then push_zero must clear them; again after a restore.
seed virtual-zero \
  04 04 07 00 00 00 00 00 00 \
  02 7f 01  02 7f 01  01 c0 00 10  08  02 7f 00  02 c0 00 10 00  06  01 7f \
  07 00 00  02 7f 00

# Sizes and alignments no arena serves: 2^64 - 1 (OVERFLOW), alignment 0
# and 3 (INVALID_PARAMETER), 2^63, a virtual push of 2^62 (OUT_OF_MEMORY),
# memdup of 2^63 bytes from NULL.
seed huge \
  04 04 07 00 00 00 02 00 00 \
  01 fc  03 10 00  03 10 16  03 10 17  03 ff 01  03 10 18  0c fd  04 ff  01 10
