package diff

import (
	"fmt"
	"math"
	"strings"
)

// rowKey identifies a row within a table. byID keeps owner ids and
// normalised emails apart, so an id never matches an email by accident.
type rowKey struct {
	period, owner, field string
	byID                 bool
}

// keyOf returns the key of r.
func keyOf(r *Row) rowKey {
	return rowKey{period: r.Period, owner: ownerOf(r), field: r.Field, byID: r.OwnerID != ""}
}

// comparison is the state of one Compute or ComputeTables call.
type comparison struct {
	// prevTable and curTable are the two tables. previous and current
	// are the same rows as slices, set only for the hash index.
	prevTable, curTable Table
	previous, current   []Row
	rules               rules
	periods             periodFilter
	// copyStrings makes the report copy the strings it takes from the
	// rows, whose storage the caller may reuse.
	copyStrings bool
	// checkOrder makes mergeSorted check that both tables are sorted,
	// as it reads them, and return errUnsorted when they are not.
	checkOrder bool

	// index maps each key to a row reference: ref < len(previous) is
	// previous[ref], any other is current[ref-len(previous)], a key that
	// only the current table has.
	index   keyIndex
	matched []bool // matched[i] is true once previous[i] met its current row

	// key and otherKey hold the lowered owner emails being hashed or
	// compared. Both are reused, so lowering an email allocates only
	// when it is longer than any before.
	key, otherKey []byte
	// probed keeps the slots that hashBatch loads, so that the compiler
	// cannot drop the loads.
	probed uint64

	summary   Summary
	entries   []entry
	shown     []Row // the row that each entry shows, see entry.shown
	duplicate duplicateCounter
}

// maxRows is the largest table Compute accepts, because the index and
// the change entries store row references in 32 bits.
const maxRows = math.MaxInt32 - 1

func newComparison(previous, current Table, r rules) *comparison {
	c := &comparison{prevTable: previous, curTable: current, rules: r}
	c.periods = newPeriodFilter(distinctPeriods(previous), distinctPeriods(current), previous.Len(), current.Len())
	c.init()
	return c
}

// init allocates the state that every comparison needs.
func (c *comparison) init() {
	c.matched = make([]bool, c.prevTable.Len())
	c.key = make([]byte, 0, 64)
	c.otherKey = make([]byte, 0, 64)
}

// ownerOf returns the owner key of r: OwnerID when it is set, else Email
// trimmed and lower-cased. It allocates for a mixed-case email, so the
// comparison itself uses appendOwnerEmail, and ownerOf only builds
// errors.
func ownerOf(r *Row) string {
	if r.OwnerID != "" {
		return r.OwnerID
	}
	return strings.ToLower(strings.TrimSpace(r.Email))
}

// matchIndexed pairs the rows of c.previous and c.current, in any order,
// through a hash index, which also finds duplicated keys, and classifies
// each current row.
func (c *comparison) matchIndexed() error {
	c.index = newKeyIndex(len(c.previous) + len(c.current))
	if err := c.indexPrevious(); err != nil {
		return err
	}
	return c.matchCurrent()
}

// indexPrevious adds every previous row to the index and returns a
// *DuplicateKeyError when two rows share a key.
func (c *comparison) indexPrevious() error {
	var hashes [probeBatch]uint64
	for start := 0; start < len(c.previous); start += probeBatch {
		batch := c.previous[start:min(start+probeBatch, len(c.previous))]
		c.hashBatch(batch, &hashes)
		for k := range batch {
			r := &batch[k]
			if _, dup := c.findOrInsert(r, hashes[k], uint32(start+k)); dup {
				c.duplicate.add(keyOf(r))
			}
		}
	}
	return c.duplicate.err("previous")
}

// matchCurrent looks up every current row and classifies it, as a change
// of a previous row or as added.
func (c *comparison) matchCurrent() error {
	var hashes [probeBatch]uint64
	for start := 0; start < len(c.current); start += probeBatch {
		batch := c.current[start:min(start+probeBatch, len(c.current))]
		c.hashBatch(batch, &hashes)
		for k := range batch {
			if err := c.matchRow(&batch[k], hashes[k], uint32(len(c.previous)+start+k)); err != nil {
				return err
			}
		}
	}
	return c.duplicate.err("current")
}

// matchRow looks up the current row r, whose key hash is h and whose
// reference is ref, and classifies it.
func (c *comparison) matchRow(r *Row, h uint64, ref uint32) error {
	i, found := c.findOrInsert(r, h, ref)
	j := int(ref) - len(c.previous)
	switch {
	case !found:
		c.classifyAdded(r, j)
	case int(i) >= len(c.previous) || c.matched[i]:
		c.duplicate.add(keyOf(r))
	default:
		c.matched[i] = true
		return c.classifyPair(&c.previous[i], r, int(i), j)
	}
	return nil
}

// sweepRemoved classifies the previous rows that no current row matched.
func (c *comparison) sweepRemoved() error {
	for i, ok := range c.matched {
		if ok {
			continue
		}
		prev := c.prevTable.Row(i)
		if err := c.classifyRemoved(&prev, i); err != nil {
			return err
		}
	}
	return nil
}

// checkSize rejects tables too large to index.
func checkSize(previous, current int) error {
	for _, t := range []struct {
		name string
		n    int
	}{{"previous", previous}, {"current", current}} {
		if t.n > maxRows {
			return fmt.Errorf("diff: the %s table has %d rows, more than the %d a comparison takes; split it by period",
				t.name, t.n, maxRows)
		}
	}
	return nil
}
