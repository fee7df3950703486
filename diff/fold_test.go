package diff

import (
	"strings"
	"testing"
)

// foldCases are emails whose owner key takes care to build: ASCII of
// every length around the 8-byte blocks, Unicode whitespace, runes that
// lower to ASCII or change length, and invalid UTF-8.
var foldCases = []string{
	"",
	" ",
	"a",
	"Ann@X.com",
	"  ann@x.COM ",
	"ABCDEFGH",
	"ABCDEFGHI",
	"@[`{AZaz09",
	"Rep123@Example.com",
	"\u00a0Ann@x.com\u3000",
	"\u212Aate@x.com", // KELVIN SIGN lowers to ASCII k
	"\u0130nci@x.com", // I WITH DOT ABOVE lowers to ASCII i
	"\u023Aa@x.com",   // Ⱥ grows from 2 to 3 bytes when lowered
	"JOSÉ@x.com",
	"josé@x.com",
	"ÀÉÎÕÜ-long-enough-for-blocks@EXAMPLE.COM",
	"bad\xffbyte@X.com",
	"\xff",
	"\xe2\x82",
	"ABCDEFG\xc3\x89",
}

func TestAppendOwnerEmail(t *testing.T) {
	for _, email := range foldCases {
		t.Run(email, func(t *testing.T) {
			want := strings.ToLower(strings.TrimSpace(email))
			got := appendOwnerEmail([]byte("prefix"), email)
			if string(got) != "prefix"+want {
				t.Errorf("appendOwnerEmail(%q) = %q, want %q", email, got[len("prefix"):], want)
			}
		})
	}
}

func TestCompareOwnerEmails(t *testing.T) {
	for _, a := range foldCases {
		for _, b := range foldCases {
			want := strings.Compare(strings.ToLower(strings.TrimSpace(a)), strings.ToLower(strings.TrimSpace(b)))
			if got := compareOwnerEmails(a, b); got != want {
				t.Errorf("compareOwnerEmails(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestNeedsLower(t *testing.T) {
	for _, email := range foldCases {
		s := strings.TrimSpace(email)
		if needsLower(s) {
			continue
		}
		if want := strings.ToLower(s); s != want {
			t.Errorf("needsLower(%q) = false, but strings.ToLower gives %q", s, want)
		}
	}
	for _, s := range []string{"ann@x.com", "abcdefgh", "abcdefghij@x", "1234567"} {
		if needsLower(s) {
			t.Errorf("needsLower(%q) = true, want false", s)
		}
	}
	for _, s := range []string{"annA@x.com", "abcdefghijkL", "Zbcdefghijkl", "x\u00e9", "abcdefghijk\u00e9"} {
		if !needsLower(s) {
			t.Errorf("needsLower(%q) = false, want true", s)
		}
	}
}

func TestKeyHashFoldsCase(t *testing.T) {
	c := newComparison(Rows(nil), Rows(nil), rules{})
	c.index = newKeyIndex(0)
	plain := Row{Period: "Q1", Email: "ann@example.com", Field: "commit"}
	for _, email := range []string{" ann@example.com", "Ann@Example.com", "ANN@EXAMPLE.COM\t"} {
		r := plain
		r.Email = email
		if got, want := c.keyHash(&r), c.keyHash(&plain); got != want {
			t.Errorf("keyHash with email %q = %#x, want %#x as for %q", email, got, want, plain.Email)
		}
	}
}

func FuzzOwnerEmail(f *testing.F) {
	for i, email := range foldCases {
		f.Add(email, foldCases[(i+1)%len(foldCases)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		lowerA := strings.ToLower(strings.TrimSpace(a))
		lowerB := strings.ToLower(strings.TrimSpace(b))
		if got := appendOwnerEmail(nil, a); string(got) != lowerA {
			t.Fatalf("appendOwnerEmail(%q) = %q, want %q", a, got, lowerA)
		}
		if trimmed := strings.TrimSpace(a); !needsLower(trimmed) && trimmed != lowerA {
			t.Fatalf("needsLower(%q) = false, but strings.ToLower gives %q", trimmed, lowerA)
		}
		want := strings.Compare(lowerA, lowerB)
		if got := compareOwnerEmails(a, b); got != want {
			t.Fatalf("compareOwnerEmails(%q, %q) = %d, want %d", a, b, got, want)
		}
	})
}
