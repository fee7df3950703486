package snapshot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"strings"
	"time"
)

// Names inside a FileStore directory; the package doc describes the layout.
const (
	streamsDir     = "streams"
	snapshotsDir   = "snapshots"
	keyFile        = "key.json"
	lockFileName   = "lock"
	headFile       = "HEAD"
	pendingFile    = "PENDING"
	snapshotExt    = ".snap"
	tempPrefix     = ".tmp-"
	fileMode       = 0o600
	dirMode        = 0o700
	defaultTempAge = time.Hour
)

// FileOptions configures a [FileStore]. A nil *FileOptions or a zero field
// means the default.
type FileOptions struct {
	// Logger receives a record for each stale temporary file removed and
	// each one that cannot be removed. Nil logs nothing.
	Logger *slog.Logger
	// TempMaxAge is the age after which a temporary file left by a crashed
	// writer is removed, by OpenFileStore and Prune. The default is one
	// hour. It must be longer than the slowest Put.
	TempMaxAge time.Duration
	// Now returns the current time, for TakenAt defaults and the age of
	// temporary files. The default is time.Now.
	Now func() time.Time
}

// FileStore is a [Store] in a directory. The package doc describes the
// layout, the crash guarantees and the locking. A FileStore is safe for
// concurrent use by goroutines and, on Unix, by processes that open the
// same directory.
type FileStore struct {
	root    *os.Root
	dir     string
	log     *slog.Logger
	tempAge time.Duration
	now     func() time.Time
}

var _ Store = (*FileStore)(nil)

// OpenFileStore opens the store in dir, creating dir with mode 0700 when it
// does not exist, and removes stale temporary files. Call Close when done.
func OpenFileStore(ctx context.Context, dir string, opts *FileOptions) (*FileStore, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &FileOptions{}
	}
	s := &FileStore{dir: dir, log: opts.Logger, tempAge: opts.TempMaxAge, now: opts.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.tempAge <= 0 {
		s.tempAge = defaultTempAge
	}
	if s.now == nil {
		s.now = time.Now
	}

	if err := createRootDir(dir); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("snapshot: open store directory %s: %w", dir, err)
	}
	s.root = root

	if err := s.mkdir(streamsDir); err != nil {
		root.Close()
		return nil, err
	}
	if err := s.sweepAll(ctx); err != nil {
		root.Close()
		return nil, err
	}
	return s, nil
}

// createRootDir creates dir with mode 0700 unless it exists.
func createRootDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("snapshot: store directory: %w", err)
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return fmt.Errorf("snapshot: create store directory: %w", err)
	}
	// Chmod sets the mode whatever the umask removed.
	if err := os.Chmod(dir, dirMode); err != nil {
		return fmt.Errorf("snapshot: set mode of store directory: %w", err)
	}
	return nil
}

// Close releases the directory handle. Calls after Close fail.
func (s *FileStore) Close() error {
	return s.root.Close()
}

// Dir returns the directory of the store.
func (s *FileStore) Dir() string { return s.dir }

// mkdir creates name with mode 0700 unless it exists. It fsyncs the
// parent directory after creating name, so that files later renamed into
// name do not outlive a power failure that loses name itself.
func (s *FileStore) mkdir(name string) error {
	err := s.root.Mkdir(name, dirMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err == nil {
		err = s.root.Chmod(name, dirMode)
	}
	if err == nil {
		err = syncDir(s.root, path.Dir(name))
	}
	if err != nil {
		return fmt.Errorf("snapshot: create directory %s: %w", s.path(name), err)
	}
	return nil
}

// path returns name joined to the store directory, for messages.
func (s *FileStore) path(name string) string {
	return s.dir + string(os.PathSeparator) + name
}

func streamPath(k Key, elem ...string) string {
	return path.Join(append([]string{streamsDir, k.DirName()}, elem...)...)
}

// ensureStream creates the stream's directories and key file.
func (s *FileStore) ensureStream(k Key) error {
	if err := s.mkdir(streamPath(k)); err != nil {
		return err
	}
	if err := s.mkdir(streamPath(k, snapshotsDir)); err != nil {
		return err
	}
	want, err := json.Marshal(k)
	if err != nil {
		return fmt.Errorf("snapshot: encode key %s: %w", k, err)
	}
	name := streamPath(k, keyFile)
	got, err := s.root.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return s.writeFileAtomic(name, append(want, '\n'))
	}
	if err != nil {
		return fmt.Errorf("snapshot: read key file: %w", err)
	}
	if strings.TrimSpace(string(got)) != string(want) {
		return fmt.Errorf("snapshot: key file %s contains %s, not key %s; "+
			"two keys map to one directory, so rename one of them",
			s.path(name), quoteCapped(string(got)), k)
	}
	return nil
}

// streamExists reports whether the stream's directory exists.
func (s *FileStore) streamExists(k Key) (bool, error) {
	_, err := s.root.Stat(streamPath(k))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("snapshot: stream %s: %w", k, err)
	}
	return true, nil
}

// createTemp creates a new temporary file with mode 0600 in dir.
func (s *FileStore) createTemp(dir string) (*os.File, string, error) {
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := path.Join(dir, tempPrefix+hex.EncodeToString(b[:]))
	f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return nil, "", fmt.Errorf("snapshot: create temporary file in %s: %w", s.path(dir), err)
	}
	// Chmod sets the mode whatever the umask removed.
	if err := f.Chmod(fileMode); err != nil {
		f.Close()
		s.root.Remove(name)
		return nil, "", fmt.Errorf("snapshot: set mode of %s: %w", s.path(name), err)
	}
	return f, name, nil
}

// writeFileAtomic replaces name with data: temporary file, fsync, rename,
// fsync of the directory. A crash leaves the old or the new file.
func (s *FileStore) writeFileAtomic(name string, data []byte) error {
	f, tmp, err := s.createTemp(path.Dir(name))
	if err != nil {
		return err
	}
	if err := syncClose(f, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
		s.root.Remove(tmp)
		return fmt.Errorf("snapshot: write %s: %w", s.path(name), err)
	}
	return s.publish(tmp, name)
}

// syncClose runs write on f, then fsyncs and closes f.
func syncClose(f *os.File, write func(io.Writer) error) error {
	err := write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// publish renames tmp to name and fsyncs their directory.
func (s *FileStore) publish(tmp, name string) error {
	if err := s.root.Rename(tmp, name); err != nil {
		s.root.Remove(tmp)
		return fmt.Errorf("snapshot: rename into %s: %w", s.path(name), err)
	}
	if err := syncDir(s.root, path.Dir(name)); err != nil {
		return fmt.Errorf("snapshot: sync directory %s: %w", s.path(path.Dir(name)), err)
	}
	return nil
}
