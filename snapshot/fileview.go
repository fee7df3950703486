package snapshot

import "context"

// View implements [Viewer]. On Unix it maps the body of the snapshot file
// into memory read-only, with MAP_POPULATE on Linux, instead of reading it
// into a new buffer. On other systems it reads the body as Get does. When
// fn returns nil but removing the mapping fails, View returns that error.
func (s *FileStore) View(ctx context.Context, id string, fn func(m Meta, body []byte) error) error {
	f, name, m, err := s.openSnapshot(ctx, id)
	if err != nil {
		return err
	}
	defer f.Close()
	return s.viewBody(f, name, m, fn)
}
