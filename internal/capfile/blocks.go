// SPDX-License-Identifier: Apache-2.0

package capfile

import "fmt"

// Block types of the scap format.
const (
	BlockSHB       uint32 = 0x0A0D0D0A
	BlockMI        uint32 = 0x201
	BlockMIInt     uint32 = 0x8002ABCD
	BlockPLV1      uint32 = 0x202
	BlockPLV1Int   uint32 = 0x8000ABCD
	BlockPLV2      uint32 = 0x207
	BlockPLV2Int   uint32 = 0x8013ABCD
	BlockPLV3      uint32 = 0x209
	BlockPLV3Int   uint32 = 0x8014ABCD
	BlockPLV4      uint32 = 0x210
	BlockPLV5      uint32 = 0x211
	BlockPLV6      uint32 = 0x212
	BlockPLV7      uint32 = 0x213
	BlockPLV8      uint32 = 0x214
	BlockPLV9      uint32 = 0x215
	BlockFDL       uint32 = 0x203
	BlockFDLInt    uint32 = 0x8001ABCD
	BlockFDLV2     uint32 = 0x218
	BlockIL        uint32 = 0x205
	BlockILInt     uint32 = 0x8011ABCD
	BlockILV2      uint32 = 0x219
	BlockUL        uint32 = 0x206
	BlockULInt     uint32 = 0x8012ABCD
	BlockULV2      uint32 = 0x220
	BlockEV        uint32 = 0x204
	BlockEVInt     uint32 = 0x8010ABCD
	BlockEVF       uint32 = 0x208
	BlockEVV2      uint32 = 0x216
	BlockEVFV2     uint32 = 0x217
	BlockEVV2Large uint32 = 0x221
	BlockEVFV2Lrg  uint32 = 0x222
	// BlockML is ferret's mount list: the capturing machine's mount table.
	// Readers that do not know it (sysdig) skip it, as every unknown block
	// before the first event.
	BlockML uint32 = 0x8F00ABCD
	// BlockMNS is ferret's mount namespaces block: the mount list's
	// namespace, the tables of the other namespaces threads are in, and
	// those threads' namespaces. Like BlockML it precedes the events;
	// readers that do not know it skip it (they use the mount list for
	// every thread).
	BlockMNS uint32 = 0x8F01ABCD
)

// ByteOrderMagic is the SHB byte-order magic as read little-endian.
const ByteOrderMagic uint32 = 0x1A2B3C4D

// Version written by this package (sysdig 0.29.3 writes 1.2).
const (
	VersionMajor = 1
	VersionMinor = 2
)

const (
	shbLen = 28
	miBody = 180
	// maxSmallEvent is the largest block_total_length-8 of a non-LARGE event
	// block that sysdig 0.29.3 accepts.
	maxSmallEvent = 65536
	// maxBlock bounds any block's declared length; reads grow their buffer
	// in steps so a lying length on a short file cannot allocate it all.
	maxBlock = 256 << 20
)

// pad4 rounds n up to a multiple of 4.
func pad4(n int) int { return (n + 3) &^ 3 }

// isEventBlock reports whether t carries an event.
func isEventBlock(t uint32) bool {
	switch t {
	case BlockEV, BlockEVInt, BlockEVF, BlockEVV2, BlockEVFV2, BlockEVV2Large, BlockEVFV2Lrg:
		return true
	}
	return false
}

// BlockName returns a short name for a block type, for messages.
func BlockName(t uint32) string {
	switch t {
	case BlockSHB:
		return "section header"
	case BlockMI, BlockMIInt:
		return "machine info"
	case BlockPLV1, BlockPLV1Int, BlockPLV2, BlockPLV2Int, BlockPLV3, BlockPLV3Int,
		BlockPLV4, BlockPLV5, BlockPLV6, BlockPLV7, BlockPLV8, BlockPLV9:
		return "process list"
	case BlockFDL, BlockFDLInt, BlockFDLV2:
		return "fd list"
	case BlockML:
		return "mount list"
	case BlockMNS:
		return "mount namespaces"
	case BlockIL, BlockILInt, BlockILV2:
		return "interface list"
	case BlockUL, BlockULInt, BlockULV2:
		return "user list"
	}
	if isEventBlock(t) {
		return "event"
	}
	return fmt.Sprintf("unknown (0x%x)", t)
}
