package clariwatch

import "testing"

func TestLeadingPeriod(t *testing.T) {
	tests := map[string]string{
		`{"period":"2026_Q4","entries":[]}`:             "2026_Q4",
		" \n{ \"period\" : \"2026_Q1\" , \"entries\":[": "2026_Q1",
		`{"entries":[],"period":"2026_Q4"}`:             "",
		`{"period":7}`:                                  "",
		`{"period":`:                                    "",
		`[]`:                                            "",
		``:                                              "",
		`{"period":"a\"b"}`:                             `a"b`,
	}
	for body, want := range tests {
		if got := leadingPeriod([]byte(body)); got != want {
			t.Errorf("leadingPeriod(%q) = %q, want %q", body, got, want)
		}
	}
}
