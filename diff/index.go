package diff

import (
	"hash/maphash"
	"math/bits"
)

// keyIndex is an open-addressing hash index from row keys to row
// references, built for one comparison.
//
// A Go map keyed by a struct of three strings spends most of a large
// comparison hashing, probing 64-byte slots and clearing them. Here a slot
// is 8 bytes: the top 32 bits of the key's hash and the reference + 1, so
// 0 marks an empty slot. The table is at most half full, so a probe
// rarely reads more than one or two slots, and only a fingerprint match
// leads to comparing the key's strings. The hash seed is random per
// comparison, so crafted keys cannot force collisions.
type keyIndex struct {
	seed  maphash.Seed
	mask  uint64
	slots []uint64

	// Periods and fields repeat from row to row, so their hashes are
	// cached: the last period, and the last few fields.
	period    stringHash
	fields    [8]stringHash
	nextField int
}

// stringHash is a cached string hash. Its zero value, with hashed false,
// is an empty cache entry.
type stringHash struct {
	s      string
	h      uint64
	hashed bool
}

func newKeyIndex(n int) keyIndex {
	size := uint64(16)
	if n > 4 {
		// The next power of two at or above 2n. The index never holds
		// more than n keys, so it stays at most half full.
		size = 1 << bits.Len64(uint64(2*n-1))
	}
	return keyIndex{seed: maphash.MakeSeed(), mask: size - 1, slots: make([]uint64, size)}
}

// hash mixes the hashes of the parts of a key. ownerHash is the maphash
// of the owner key with x.seed.
func (x *keyIndex) hash(period string, ownerHash uint64, field string, byID bool) uint64 {
	h := ownerHash
	h ^= bits.RotateLeft64(x.fieldHash(field), 17) * 0x9e3779b97f4a7c15
	h ^= bits.RotateLeft64(x.periodHash(period), 41) * 0xc2b2ae3d27d4eb4f
	if byID {
		h = ^h
	}
	return h
}

// start returns the first slot to visit for hash h and the fingerprint
// that a slot holding h's key carries in its top 32 bits.
func (x *keyIndex) start(h uint64) (pos uint64, fingerprint uint64) {
	return h & x.mask, (h >> 32) << 32
}

// next returns the slot after pos.
func (x *keyIndex) next(pos uint64) uint64 { return (pos + 1) & x.mask }

func (x *keyIndex) periodHash(period string) uint64 {
	if !x.period.hashed || x.period.s != period {
		x.period = stringHash{s: period, h: maphash.String(x.seed, period), hashed: true}
	}
	return x.period.h
}

func (x *keyIndex) fieldHash(field string) uint64 {
	for i := range x.fields {
		if x.fields[i].hashed && x.fields[i].s == field {
			return x.fields[i].h
		}
	}
	e := stringHash{s: field, h: maphash.String(x.seed, field), hashed: true}
	x.fields[x.nextField] = e
	x.nextField = (x.nextField + 1) % len(x.fields)
	return e.h
}
