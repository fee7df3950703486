package diff

import (
	"hash/maphash"
	"math"
)

// probeBatch is how many rows hashBatch hashes at a time.
const probeBatch = 16

// hashBatch stores the key hash of each of rows in hashes, then loads the
// first index slot of each. For a large table nearly every slot load
// misses the cache. Issuing the loads of a batch back to back lets the
// processor wait for those misses together, and findOrInsert then finds
// the slots in the cache.
func (c *comparison) hashBatch(rows []Row, hashes *[probeBatch]uint64) {
	for k := range rows {
		hashes[k] = c.keyHash(&rows[k])
	}
	var probed uint64
	for k := range rows {
		probed |= c.index.slots[hashes[k]&c.index.mask]
	}
	c.probed = probed
}

// keyHash returns the hash of the key of r.
func (c *comparison) keyHash(r *Row) uint64 {
	byID := r.OwnerID != ""
	var ownerHash uint64
	if byID {
		ownerHash = maphash.String(c.index.seed, r.OwnerID)
	} else if email := trimSpace(r.Email); needsLower(email) {
		c.key = appendLower(c.key[:0], email)
		ownerHash = maphash.Bytes(c.index.seed, c.key)
	} else {
		// maphash.String and maphash.Bytes agree on equal content.
		ownerHash = maphash.String(c.index.seed, email)
	}
	return c.index.hash(r.Period, ownerHash, r.Field, byID)
}

// findOrInsert returns the reference of the row that has the key of r,
// whose hash is h. When no row has that key yet, it stores ref for it and
// returns false.
func (c *comparison) findOrInsert(r *Row, h uint64, ref uint32) (uint32, bool) {
	pos, fingerprint := c.index.start(h)
	for {
		slot := c.index.slots[pos]
		if slot == 0 {
			c.index.slots[pos] = fingerprint | uint64(ref+1)
			return 0, false
		}
		if slot&^math.MaxUint32 == fingerprint {
			other := uint32(slot) - 1
			if c.sameKey(c.rowAt(other), r) {
				return other, true
			}
		}
		pos = c.index.next(pos)
	}
}

// sameKey reports whether rows o and r have the same key.
func (c *comparison) sameKey(o, r *Row) bool {
	byID := r.OwnerID != ""
	if o.Field != r.Field || o.Period != r.Period || (o.OwnerID != "") != byID {
		return false
	}
	if byID {
		return o.OwnerID == r.OwnerID
	}
	if o.Email == r.Email {
		return true
	}
	c.key = appendOwnerEmail(c.key[:0], r.Email)
	c.otherKey = appendOwnerEmail(c.otherKey[:0], o.Email)
	return string(c.key) == string(c.otherKey)
}

// rowAt returns the row that ref refers to.
func (c *comparison) rowAt(ref uint32) *Row {
	if int(ref) < len(c.previous) {
		return &c.previous[ref]
	}
	return &c.current[int(ref)-len(c.previous)]
}
