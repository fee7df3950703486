package snapshot

import "context"

// View implements [Viewer]. It checks the body as Get does. On Unix it
// maps the body of the snapshot file into memory read-only, with
// MAP_POPULATE on Linux, instead of reading it into a new buffer. On
// other systems it reads the body as Get does. When fn returns nil but
// removing the mapping fails, View returns that error.
//
// On Unix, View checks the body and calls fn with the runtime's
// panic-on-fault setting on. A memory fault in the mapping, such as a read
// of a page that another process truncated away, then becomes an error
// instead of a crash. That error names the file and states that it was
// truncated or could not be read while it was viewed. The setting covers
// only the goroutine that called View: a fault in a goroutine that fn
// starts still crashes the process.
func (s *FileStore) View(ctx context.Context, id string, fn func(m Meta, body []byte) error) error {
	f, name, m, err := s.openSnapshot(ctx, id)
	if err != nil {
		return err
	}
	defer f.Close()
	return s.viewBody(f, name, m, fn)
}
