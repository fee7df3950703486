package diff_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/clariwatch/clariwatch/diff"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"0", "0"},
		{"-0", "0"},
		{"1250000", "1250000"},
		{"-12.5", "-12.5"},
		{"0.10", "0.1"},
		{"1.5e3", "1500"},
		{"1.5E+3", "1500"},
		{"1234.50", "1234.5"},
		{"1e-6", "0.000001"},
		{"100e-8", "0.000001"},
		{"1.50000000000000000000000", "1.5"},
		{"0e999999999999999999", "0"},
		{"+5", "5"},
		{".5", "0.5"},
		{"5.", "5"},
		{"00012", "12"},
		{"9223372036854.775807", "9223372036854.775807"},
		{"-9223372036854.775808", "-9223372036854.775808"},
		{"0.000000000000000000000000000000001e33", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := diff.ParseAmount(tt.in)
			if err != nil {
				t.Fatalf("ParseAmount(%q): %v", tt.in, err)
			}
			if got.String() != tt.want {
				t.Errorf("ParseAmount(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseAmountErrors(t *testing.T) {
	tests := []struct {
		in     string
		reason string
	}{
		{"", "not a decimal number"},
		{" 1", "not a decimal number"},
		{"1 ", "not a decimal number"},
		{"-", "not a decimal number"},
		{".", "not a decimal number"},
		{"1e", "not a decimal number"},
		{"1e+", "not a decimal number"},
		{"e5", "not a decimal number"},
		{"1.2.3", "not a decimal number"},
		{"NaN", "not a decimal number"},
		{"Infinity", "not a decimal number"},
		{"0x10", "not a decimal number"},
		{"1_000", "not a decimal number"},
		{"1e-7", "more than 6 decimal places"},
		{"0.0000001", "more than 6 decimal places"},
		{"1.00000000000000000001", "more than 6 decimal places"},
		{"9223372036854.775808", "out of range"},
		{"-9223372036854.775809", "out of range"},
		{"1e13", "out of range"},
		{"1e99999999999", "out of range"},
		{"123456789012345678901234", "out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := diff.ParseAmount(tt.in)
			if !errors.Is(err, diff.ErrAmount) {
				t.Fatalf("ParseAmount(%q) error = %v, want ErrAmount", tt.in, err)
			}
			if !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not say %q", err, tt.reason)
			}
			if !strings.Contains(err.Error(), `"`+tt.in+`"`) {
				t.Errorf("error %q does not name the value %q", err, tt.in)
			}
		})
	}
}

func TestParseAmountLongValueTruncated(t *testing.T) {
	in := strings.Repeat("9", 500)
	_, err := diff.ParseAmount(in)
	if err == nil {
		t.Fatal("ParseAmount accepted 500 nines")
	}
	if len(err.Error()) > 300 {
		t.Errorf("error is %d bytes long, want the value cut short", len(err.Error()))
	}
}

func TestNewAmount(t *testing.T) {
	tests := []struct {
		units int64
		scale int
		want  string
	}{
		{12345, 2, "123.45"},
		{5, -3, "5000"},
		{50, 7, "0.000005"},
		{0, 40, "0"},
		{-1, 6, "-0.000001"},
		{math.MaxInt64, 6, "9223372036854.775807"},
		{math.MinInt64, 6, "-9223372036854.775808"},
	}
	for _, tt := range tests {
		got, err := diff.NewAmount(tt.units, tt.scale)
		if err != nil {
			t.Errorf("NewAmount(%d, %d): %v", tt.units, tt.scale, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("NewAmount(%d, %d) = %s, want %s", tt.units, tt.scale, got, tt.want)
		}
	}
}

func TestNewAmountErrors(t *testing.T) {
	tests := []struct {
		units int64
		scale int
	}{
		{5, 7},
		{1, 30},
		{math.MaxInt64, 0},
		{1, -13},
		{1, -40},
	}
	for _, tt := range tests {
		if _, err := diff.NewAmount(tt.units, tt.scale); !errors.Is(err, diff.ErrAmount) {
			t.Errorf("NewAmount(%d, %d) error = %v, want ErrAmount", tt.units, tt.scale, err)
		}
	}
}

func TestAmountArithmetic(t *testing.T) {
	a, b := diff.MustParseAmount("1357.95"), diff.MustParseAmount("1234.50")
	d, err := a.Sub(b)
	if err != nil || d.String() != "123.45" {
		t.Errorf("1357.95 - 1234.50 = %s, %v; want 123.45", d, err)
	}
	if a.Cmp(b) != 1 || b.Cmp(a) != -1 || a.Cmp(a) != 0 {
		t.Errorf("Cmp is not an ordering")
	}
	neg := diff.MustParseAmount("-3")
	if neg.Sign() != -1 || a.Sign() != 1 || (diff.Amount{}).Sign() != 0 {
		t.Errorf("Sign is wrong")
	}
	if abs, err := neg.Abs(); err != nil || abs.String() != "3" {
		t.Errorf("Abs(-3) = %s, %v", abs, err)
	}
	minimum := diff.MustParseAmount("-9223372036854.775808")
	if _, err := minimum.Abs(); !errors.Is(err, diff.ErrAmount) {
		t.Errorf("Abs(min) error = %v, want ErrAmount", err)
	}
	maximum := diff.MustParseAmount("9223372036854.775807")
	if _, err := maximum.Sub(neg); !errors.Is(err, diff.ErrAmount) {
		t.Errorf("max - (-3) error = %v, want ErrAmount", err)
	}
	if _, err := minimum.Sub(a); !errors.Is(err, diff.ErrAmount) {
		t.Errorf("min - 1357.95 error = %v, want ErrAmount", err)
	}
	if f := diff.MustParseAmount("0.1").Float64(); f != 0.1 {
		t.Errorf("Float64(0.1) = %v", f)
	}
}

func TestAmountJSON(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{`1250000`, "1250000"},
		{`-12.50`, "-12.5"},
		{`1.5e3`, "1500"},
		{`"0.10"`, "0.1"},
		{`"1\u0030"`, "10"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var a diff.Amount
			if err := json.Unmarshal([]byte(tt.in), &a); err != nil {
				t.Fatalf("Unmarshal(%s): %v", tt.in, err)
			}
			if a.String() != tt.want {
				t.Errorf("Unmarshal(%s) = %s, want %s", tt.in, a, tt.want)
			}
			out, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("Marshal = %s, want %s", out, tt.want)
			}
		})
	}
}

func TestAmountJSONErrors(t *testing.T) {
	for _, in := range []string{`"x"`, `true`, `""`, `" 1"`, `"1e-9"`, `{}`} {
		var a diff.Amount
		if err := json.Unmarshal([]byte(in), &a); err == nil {
			t.Errorf("Unmarshal(%s) = %s, want an error", in, a)
		}
	}
}

func TestAmountJSONNull(t *testing.T) {
	var v struct {
		A *diff.Amount `json:"a"`
		B diff.Amount  `json:"b"`
	}
	v.B = diff.MustParseAmount("7")
	if err := json.Unmarshal([]byte(`{"a":null,"b":null}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != nil {
		t.Errorf("null decoded into *Amount = %s, want nil", v.A)
	}
	if v.B.String() != "7" {
		t.Errorf("null changed an Amount to %s, want it left at 7", v.B)
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0", "-12.5", "1.5e3", "1e-7", "9223372036854.775807", ".5", "1e99999", "-0.000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := diff.ParseAmount(s)
		if err != nil {
			if !errors.Is(err, diff.ErrAmount) {
				t.Fatalf("error %v does not match ErrAmount", err)
			}
			return
		}
		back, err := diff.ParseAmount(a.String())
		if err != nil || back != a {
			t.Fatalf("%q -> %s does not round-trip: %s, %v", s, a, back, err)
		}
		js, _ := json.Marshal(a)
		var fromJSON diff.Amount
		if err := json.Unmarshal(js, &fromJSON); err != nil || fromJSON != a {
			t.Fatalf("JSON %s does not round-trip: %s, %v", js, fromJSON, err)
		}
	})
}
