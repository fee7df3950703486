package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"strconv"
)

// A snapshot file is the body, then the metadata (a fileMeta) as JSON,
// then a footer line of fixed length. The footer is footerMagic, the length of the JSON as 16 hex
// digits, a space, the SHA-256 of the JSON as 64 hex digits and a newline.
// The metadata comes last so that Put can stream the body while hashing it.
const (
	footerMagic   = "clariwatch-snapshot v1 "
	footerLen     = len(footerMagic) + 16 + 1 + 64 + 1
	maxMetaLen    = 64 << 10
	copyBufferLen = 1 << 20
)

// Put implements [Store.Put]. The body goes to a temporary file, which is
// fsynced and renamed to its final name under the stream lock, so a crash
// never leaves a partial snapshot under a real name.
func (s *FileStore) Put(ctx context.Context, m Meta, r io.Reader) (Meta, error) {
	if err := ctx.Err(); err != nil {
		return Meta{}, err
	}
	m, err := prepareMeta(m, s.now)
	if err != nil {
		return Meta{}, err
	}
	if err := s.ensureStream(m.Key); err != nil {
		return Meta{}, err
	}
	f, tmp, err := s.createTemp(streamPath(m.Key, snapshotsDir))
	if err != nil {
		return Meta{}, err
	}
	err = syncClose(f, func(w io.Writer) error {
		m, err = writeSnapshot(ctx, w, m, r)
		return err
	})
	if err != nil {
		s.root.Remove(tmp)
		return Meta{}, err
	}

	unlock, err := s.lock(ctx, m.Key)
	if err != nil {
		s.root.Remove(tmp)
		return Meta{}, err
	}
	defer unlock()
	// NOTE: the id is checked in every stream, but only this stream is
	// locked. The same new id put into two streams at once is not caught.
	if _, err := s.findSnapshot(m.ID); !errors.Is(err, ErrNotFound) {
		s.root.Remove(tmp)
		if err != nil {
			return Meta{}, err
		}
		return Meta{}, fmt.Errorf("%w: %q; use a new id", ErrExists, m.ID)
	}
	if err := s.publish(tmp, snapshotPath(m.Key, m.ID)); err != nil {
		return Meta{}, err
	}
	return m, nil
}

// writeSnapshot writes body, metadata and footer to w and returns the
// completed Meta. It computes the SHA-256 and the CRC-32 of the body in the
// pass that copies it.
func writeSnapshot(ctx context.Context, w io.Writer, m Meta, r io.Reader) (Meta, error) {
	sha := sha256.New()
	crc := crc32.NewIEEE()
	buf := make([]byte, copyBufferLen)
	n, err := io.CopyBuffer(io.MultiWriter(w, sha, crc), ctxReader{ctx, r}, buf)
	if err != nil {
		return Meta{}, fmt.Errorf("snapshot: write body of %q: %w", m.ID, err)
	}
	if m, err = completeMeta(m, hex.EncodeToString(sha.Sum(nil)), n); err != nil {
		return Meta{}, err
	}
	js, err := json.Marshal(fileMeta{Meta: m, BodyCRC32: formatCRC32(crc.Sum32())})
	if err != nil {
		return Meta{}, fmt.Errorf("snapshot: encode metadata of %q: %w", m.ID, err)
	}
	sum := sha256.Sum256(js)
	footer := fmt.Sprintf("%s%016x %x\n", footerMagic, len(js), sum)
	if _, err := w.Write(append(js, footer...)); err != nil {
		return Meta{}, fmt.Errorf("snapshot: write metadata of %q: %w", m.ID, err)
	}
	return m, nil
}

// ctxReader stops reading when ctx is done, so a slow Put can be cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func snapshotPath(k Key, id string) string {
	return streamPath(k, snapshotsDir, id+snapshotExt)
}

// findSnapshot returns the path of the snapshot id in any stream.
func (s *FileStore) findSnapshot(id string) (string, error) {
	streams, err := s.readDir(streamsDir)
	if err != nil {
		return "", err
	}
	for _, st := range streams {
		name := path.Join(streamsDir, st.Name(), snapshotsDir, id+snapshotExt)
		if _, err := s.root.Stat(name); err == nil {
			return name, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("snapshot: stat %s: %w", s.path(name), err)
		}
	}
	return "", fmt.Errorf("%w: snapshot %q", ErrNotFound, id)
}

// readDir lists the entries of dir that are not temporary files.
func (s *FileStore) readDir(dir string) ([]fs.DirEntry, error) {
	f, err := s.root.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot: open directory %s: %w", s.path(dir), err)
	}
	defer f.Close()
	all, err := f.ReadDir(-1)
	if err != nil {
		return nil, fmt.Errorf("snapshot: read directory %s: %w", s.path(dir), err)
	}
	entries := all[:0]
	for _, e := range all {
		if !isTemp(e.Name()) {
			entries = append(entries, e)
		}
	}
	return entries, nil
}

func isTemp(name string) bool { return len(name) > 0 && name[0] == '.' }

// Get implements [Store.Get]. It checks the body as the package doc
// describes under "Body checks": against the CRC-32 recorded in the file,
// or the SHA-256 digest in files without one.
func (s *FileStore) Get(ctx context.Context, id string) (Meta, []byte, error) {
	f, name, m, err := s.openSnapshot(ctx, id)
	if err != nil {
		return Meta{}, nil, err
	}
	defer f.Close()
	body, err := s.readBody(f, name, m)
	if err != nil {
		return Meta{}, nil, err
	}
	return m.Meta, body, nil
}

// openSnapshot finds snapshot id in any stream, opens its file and reads
// its checked metadata. It returns the open file and its name in the
// store. The caller closes the file.
func (s *FileStore) openSnapshot(ctx context.Context, id string) (*os.File, string, fileMeta, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", fileMeta{}, err
	}
	if err := ValidateID(id); err != nil {
		return nil, "", fileMeta{}, err
	}
	name, err := s.findSnapshot(id)
	if err != nil {
		return nil, "", fileMeta{}, err
	}
	f, err := s.root.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		// Prune removed the file after findSnapshot found it.
		return nil, "", fileMeta{}, fmt.Errorf("%w: snapshot %q", ErrNotFound, id)
	}
	if err != nil {
		return nil, "", fileMeta{}, fmt.Errorf("snapshot: open %s: %w", s.path(name), err)
	}
	m, err := s.readMeta(f, name, id)
	if err == nil && m.Size > math.MaxInt {
		err = fmt.Errorf("snapshot: body of %s has %d bytes, more than a slice can hold on this platform",
			s.path(name), m.Size)
	}
	if err != nil {
		f.Close()
		return nil, "", fileMeta{}, err
	}
	return f, name, m, nil
}

// readBody reads the body of the snapshot file f into new memory and
// checks it against m.
func (s *FileStore) readBody(f *os.File, name string, m fileMeta) ([]byte, error) {
	body := make([]byte, m.Size)
	if _, err := f.ReadAt(body, 0); err != nil {
		return nil, fmt.Errorf("snapshot: read %s: %w", s.path(name), err)
	}
	if err := s.checkBody(body, name, m); err != nil {
		return nil, err
	}
	return body, nil
}

func (s *FileStore) corrupt(id, name, reason string) error {
	return &CorruptError{ID: id, Path: s.path(name), Reason: reason}
}

// readMeta reads and checks the footer and metadata of the snapshot file f
// named name, which must hold snapshot id. It checks the file size against
// the recorded body size, not the body's checksum.
func (s *FileStore) readMeta(f *os.File, name, id string) (fileMeta, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileMeta{}, fmt.Errorf("snapshot: stat %s: %w", s.path(name), err)
	}
	size := fi.Size()
	if size < int64(footerLen) {
		return fileMeta{}, s.corrupt(id, name, fmt.Sprintf("file has %d bytes, less than a footer", size))
	}
	footer := make([]byte, footerLen)
	if _, err := f.ReadAt(footer, size-int64(footerLen)); err != nil {
		return fileMeta{}, fmt.Errorf("snapshot: read %s: %w", s.path(name), err)
	}
	metaLen, metaSum, ok := parseFooter(footer)
	if !ok || metaLen > size-int64(footerLen) {
		return fileMeta{}, s.corrupt(id, name, "footer is missing or damaged; the file may be truncated")
	}
	js := make([]byte, metaLen)
	if _, err := f.ReadAt(js, size-int64(footerLen)-metaLen); err != nil {
		return fileMeta{}, fmt.Errorf("snapshot: read %s: %w", s.path(name), err)
	}
	return s.decodeMeta(js, metaSum, size-int64(footerLen)-metaLen, name, id)
}

func (s *FileStore) decodeMeta(js []byte, metaSum []byte, bodyLen int64, name, id string) (fileMeta, error) {
	if sum := sha256.Sum256(js); !bytes.Equal(sum[:], metaSum) {
		return fileMeta{}, s.corrupt(id, name, "metadata does not match its SHA-256 in the footer")
	}
	var m fileMeta
	if err := json.Unmarshal(js, &m); err != nil {
		return fileMeta{}, s.corrupt(id, name, "metadata is not valid JSON: "+err.Error())
	}
	if m.ID != id {
		return fileMeta{}, s.corrupt(id, name, "metadata names id "+quoteCapped(m.ID))
	}
	if m.Size != bodyLen {
		return fileMeta{}, s.corrupt(id, name, fmt.Sprintf(
			"body has %d bytes, but the metadata records %d", bodyLen, m.Size))
	}
	if m.BodyCRC32 != "" && !validCRC32(m.BodyCRC32) {
		return fileMeta{}, s.corrupt(id, name, fmt.Sprintf(
			"metadata records body_crc32 %s; it must be 8 lower-case hex digits", quoteCapped(m.BodyCRC32)))
	}
	return m, nil
}

// parseFooter returns the metadata length and digest recorded in footer.
func parseFooter(footer []byte) (int64, []byte, bool) {
	rest, ok := bytes.CutPrefix(footer, []byte(footerMagic))
	if !ok || len(rest) != 16+1+64+1 || rest[16] != ' ' || rest[len(rest)-1] != '\n' {
		return 0, nil, false
	}
	n, err := strconv.ParseInt(string(rest[:16]), 16, 64)
	if err != nil || n < 2 || n > maxMetaLen {
		return 0, nil, false
	}
	sum, err := hex.DecodeString(string(rest[17:81]))
	if err != nil {
		return 0, nil, false
	}
	return n, sum, true
}

// openMeta reads the checked metadata of snapshot id in stream k.
func (s *FileStore) openMeta(k Key, id string) (Meta, error) {
	name := snapshotPath(k, id)
	f, err := s.root.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return Meta{}, fmt.Errorf("%w: no snapshot %q in stream %s", ErrNotFound, id, k)
	}
	if err != nil {
		return Meta{}, fmt.Errorf("snapshot: open %s: %w", s.path(name), err)
	}
	defer f.Close()
	m, err := s.readMeta(f, name, id)
	if err == nil && m.Key != k {
		err = s.corrupt(id, name, "metadata names key "+quoteCapped(m.Key.String()))
	}
	return m.Meta, err
}
