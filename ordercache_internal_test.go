package clariwatch

import (
	"slices"
	"testing"
)

// FuzzDecodeOrder checks that decodeOrder never panics and that what it
// takes encodes back to the same bytes.
func FuzzDecodeOrder(f *testing.F) {
	f.Add(encodeOrder([]uint32{2, 0, 1}))
	f.Add(encodeOrder(nil))
	f.Add([]byte(orderMagic))
	f.Add([]byte("not an order file"))
	f.Fuzz(func(t *testing.T, b []byte) {
		order, err := decodeOrder(b)
		if err != nil {
			return
		}
		if back := encodeOrder(order); !slices.Equal(back, b) {
			t.Fatalf("decodeOrder took %q, which encodes back as %q", b, back)
		}
	})
}

func TestOrderFileName(t *testing.T) {
	valid := "a4821716440fb813ab43bf2cb906f545d8b5f714d613d501247f73f8ad0f21fb"
	if got := orderFileName(valid); got != "order-"+valid+".bin" {
		t.Errorf("orderFileName(%q) = %q", valid, got)
	}
	for _, bad := range []string{"", "../x", valid[:63], valid + "0", "A4821716440fb813ab43bf2cb906f545d8b5f714d613d501247f73f8ad0f21fb"} {
		if got := orderFileName(bad); got != "" {
			t.Errorf("orderFileName(%q) = %q, want \"\"", bad, got)
		}
	}
}
