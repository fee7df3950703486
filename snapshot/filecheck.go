package snapshot

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/crc32"
)

// fileMeta is the metadata that a snapshot file stores as JSON: the Meta,
// whose fields encoding/json promotes to the top level, and the checksum
// that Get and View check the body against.
type fileMeta struct {
	Meta
	// BodyCRC32 is the CRC-32 (IEEE polynomial) of the body as 8
	// lower-case hex digits. It is empty in files written before the
	// field existed, whose body is checked against Meta.SHA256 instead.
	BodyCRC32 string `json:"body_crc32,omitempty"`
}

// formatCRC32 returns sum as fileMeta.BodyCRC32 stores it.
func formatCRC32(sum uint32) string {
	return fmt.Sprintf("%08x", sum)
}

// validCRC32 reports whether s has the form that formatCRC32 returns.
func validCRC32(s string) bool {
	if len(s) != 8 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// checkBody returns a *CorruptError unless body has the CRC-32 recorded in
// m or, when m records none, the SHA-256 digest. readMeta has already
// checked the size, and decodeMeta the form of m.BodyCRC32.
func (s *FileStore) checkBody(body []byte, name string, m fileMeta) error {
	if m.BodyCRC32 != "" {
		if sum := formatCRC32(crc32.ChecksumIEEE(body)); sum != m.BodyCRC32 {
			return s.corrupt(m.ID, name, fmt.Sprintf(
				"body has CRC-32 %s, but the metadata records %s", sum, m.BodyCRC32))
		}
		return nil
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != m.SHA256 {
		return s.corrupt(m.ID, name, fmt.Sprintf(
			"body has SHA-256 %x, but the metadata records %s", sum, m.SHA256))
	}
	return nil
}
