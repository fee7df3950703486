package clari

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode checks that decoding never panics, that the streaming and the
// in-memory decoders agree, and that on every input that encoding/json
// decodes into the same types, Decode succeeds with the same result.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"export.json", "owners.json"} {
		f.Add(readTestdataF(f, name))
	}
	for _, s := range []string{
		`{}`, `null`, `{"timePeriods":[],"users":null}`, `{"entries":[{"forecastValue":"1.5e3","userId":12}]}`,
		`{"users":[{"name":"\ud83d\ude00\ud800\u0041"}]}`, "{\"users\":[{\"name\":\"\xff\"}]}",
		`{"Entries":[{"USERID":"a"}],"entries":[]}`, `{"data":{"entries":[]}}`,
		`{"timePeriods":[{"year":2025}]}`, `{"entries":[{"updatedOn":"17"}]}`,
		`{"entries":[{"currency":{"a":[true,null,-1.5E+3]}}]}`, `{"x":[[[[]]]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := DecodeBytes(data)
		streamed, serr := Decode(iotest.OneByteReader(bytes.NewReader(data)))
		if errString(err) != errString(serr) {
			t.Fatalf("DecodeBytes error %v, Decode error %v", err, serr)
		}
		if d := cmp.Diff(got, streamed, cmpAmount); d != "" {
			t.Fatalf("Decode differs from DecodeBytes (-bytes +stream):\n%s", d)
		}
		if err == nil {
			if _, err := got.Rows(); err != nil && !strings.HasPrefix(err.Error(), "clari: ") {
				t.Fatalf("Rows error without prefix: %v", err)
			}
		}
		if e, err := Read(bytes.NewReader(data)); err == nil {
			_, _ = e.Rows()
		}
		compareWithEncodingJSON(t, data, got, err)
	})
}

func readTestdataF(f *testing.F, name string) []byte {
	f.Helper()
	b, err := io.ReadAll(mustOpen(f, "testdata/"+name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// compareWithEncodingJSON checks Decode against json.Unmarshal, except on
// inputs where the two differ on purpose: a top-level null (Decode wants
// an object), a "data" wrapper (Decode unwraps it) and repeated keys
// (encoding/json merges repeated arrays into the old elements).
func compareWithEncodingJSON(t *testing.T, data []byte, got *Export, err error) {
	var want Export
	if json.Unmarshal(data, &want) != nil {
		return
	}
	if string(bytes.TrimSpace(data)) == "null" ||
		bytes.Contains(bytes.ToLower(data), []byte("data")) || hasRepeatedKeys(data) {
		return
	}
	if err != nil {
		t.Fatalf("encoding/json accepts %q but Decode fails: %v", data, err)
	}
	if d := cmp.Diff(&want, got, cmpAmount); d != "" {
		t.Fatalf("Decode differs from encoding/json on %q (-json +Decode):\n%s", data, d)
	}
}

// hasRepeatedKeys reports whether an object in data repeats a key, compared
// as encoding/json matches keys, without regard to case. It reports true
// for input that it cannot tokenize.
func hasRepeatedKeys(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object  bool
		keys    []string
		wantKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false
		}
		if err != nil {
			return true
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if key, ok := tok.(string); ok {
				for _, k := range top.keys {
					if strings.EqualFold(k, key) {
						return true
					}
				}
				top.keys = append(top.keys, key)
				top.wantKey = false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].wantKey = true
		}
	}
}
