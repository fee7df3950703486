package clariwatch

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/clariwatch/clariwatch/clari"
	"github.com/clariwatch/clariwatch/snapshot"
)

// An order file keeps the row order of a per-owner export, from
// clari.OwnerTable.Order, so that reading the export as the next tick's
// head checks that order instead of sorting the rows. Its name holds the
// SHA-256 of the export. It is orderMagic, the number of rows n and the
// CRC-32 (IEEE) of the rows' indexes, both little-endian uint32, then the
// n indexes as little-endian uint32.
const (
	orderMagic      = "clariwatch row order 1\n"
	orderHeaderSize = len(orderMagic) + 8
	orderPrefix     = "order-"
	orderSuffix     = ".bin"
	orderTempPrefix = ".tmp-"
)

// orderCacheDir returns the directory of the order files of stream k.
func (m *Monitor) orderCacheDir(k snapshot.Key) string {
	return filepath.Join(m.cfg.CacheDir, k.DirName())
}

// orderFileName returns the name of the order file of the export whose
// SHA-256 is sha256, or "" when that is not a hex digest.
func orderFileName(sha256 string) string {
	if len(sha256) != 64 || strings.Trim(sha256, "0123456789abcdef") != "" {
		return ""
	}
	return orderPrefix + sha256 + orderSuffix
}

// loadOrder returns the cached row order of head, the head snapshot of
// stream k, or nil when there is none or it is damaged.
func (m *Monitor) loadOrder(ctx context.Context, k snapshot.Key, head snapshot.Meta) []uint32 {
	name := orderFileName(head.SHA256)
	if m.cfg.CacheDir == "" || name == "" || head.RowCount <= 0 {
		return nil
	}
	path := filepath.Join(m.orderCacheDir(k), name)
	var order []uint32
	b, err := readOrderFile(path, int64(orderHeaderSize)+4*int64(head.RowCount))
	if err == nil {
		order, err = decodeOrder(b)
	}
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			m.log.WarnContext(ctx, "cached row order ignored", "stream", k.String(), "path", path, "err", err)
		}
		return nil
	}
	return order
}

// readOrderFile reads the order file at path, which must be a regular
// file of size bytes. It opens the file without blocking and reads at
// most size bytes, so that a FIFO or a device in the cache can neither
// stall the tick, which holds the stream's lock, nor fill its memory.
func readOrderFile(path string, size int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlocking, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() || fi.Size() != size {
		return nil, fmt.Errorf("want a regular file of %d bytes for the head's rows, found %s of %d bytes",
			size, fi.Mode().Type(), fi.Size())
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, err
	}
	return b, nil
}

// decodeOrder decodes the contents of an order file.
func decodeOrder(b []byte) ([]uint32, error) {
	if len(b) < orderHeaderSize || string(b[:len(orderMagic)]) != orderMagic {
		return nil, errors.New("not an order file of this version")
	}
	n := binary.LittleEndian.Uint32(b[len(orderMagic):])
	sum := binary.LittleEndian.Uint32(b[len(orderMagic)+4:])
	data := b[orderHeaderSize:]
	if uint64(len(data)) != 4*uint64(n) {
		return nil, fmt.Errorf("the file has %d bytes of indexes for %d rows", len(data), n)
	}
	if crc32.ChecksumIEEE(data) != sum {
		return nil, errors.New("the indexes do not match their CRC-32")
	}
	order := make([]uint32, n)
	for i := range order {
		order[i] = binary.LittleEndian.Uint32(data[4*i:])
	}
	return order, nil
}

// encodeOrder returns the contents of the order file of order.
func encodeOrder(order []uint32) []byte {
	b := make([]byte, orderHeaderSize+4*len(order))
	copy(b, orderMagic)
	data := b[orderHeaderSize:]
	for i, v := range order {
		binary.LittleEndian.PutUint32(data[4*i:], v)
	}
	binary.LittleEndian.PutUint32(b[len(orderMagic):], uint32(len(order)))
	binary.LittleEndian.PutUint32(b[len(orderMagic)+4:], crc32.ChecksumIEEE(data))
	return b
}

// saveOrder caches the row order of the new export when it is a
// per-owner table, and removes the stream's other order files but the
// head's, and temporary files. A failure is logged, not returned, because the cache only saves
// time: the next tick then sorts the rows.
func (t *tick) saveOrder(ctx context.Context, headSHA256 string) {
	table, ok := t.cur.(*clari.OwnerTable)
	name := orderFileName(t.snap.SHA256)
	if !ok || t.m.cfg.CacheDir == "" || t.m.cfg.DryRun || name == "" {
		return
	}
	dir := t.m.orderCacheDir(t.res.Stream)
	if err := writeOrderFile(dir, name, encodeOrder(table.Order())); err != nil {
		t.log.WarnContext(ctx, "cache row order failed", "stream", t.res.Stream.String(),
			"snapshot_id", t.res.SnapshotID, "err", err)
		return
	}
	keep := map[string]bool{name: true, orderFileName(headSHA256): true}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	// The tick holds the stream's lock, so a temporary file of another
	// writer is one that a crash left.
	for _, e := range entries {
		n := e.Name()
		order := strings.HasPrefix(n, orderPrefix) && strings.HasSuffix(n, orderSuffix)
		if (order && !keep[n]) || strings.HasPrefix(n, orderTempPrefix) {
			os.Remove(filepath.Join(dir, n))
		}
	}
}

// writeOrderFile writes data to dir/name through a temporary file and a
// rename, so that a reader never sees a partial file. It does not fsync:
// a file lost in a crash is only a cache miss, and a damaged one fails
// its CRC-32.
func writeOrderFile(dir, name string, data []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, orderTempPrefix+name+"-*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// readOwnerTableCached reads a per-owner head body as a table, in order,
// its cached row order, when that is the order of its rows. inOrder
// reports whether it was.
func readOwnerTableCached(period string, body []byte, order []uint32) (table *clari.OwnerTable, inOrder, ok bool) {
	opts := clari.ReadOptions{Period: period}
	if order != nil {
		if table, ok := opts.ReadOwnerTableInOrder(body, order); ok {
			return table, true, true
		}
	}
	table, ok = opts.ReadOwnerTable(body)
	return table, false, ok
}
