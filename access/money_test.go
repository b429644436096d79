package access

import "testing"

func TestParseMonthlyUSD(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		bad  bool
	}{
		{"50", 5000, false}, {"$49.99", 4999, false}, {"0", 0, false}, {"0.5", 50, false},
		{"-1", 0, true}, {"fifty", 0, true}, {"1e3", 0, true}, {"NaN", 0, true}, {"2000000", 0, true}, {"", 0, true},
	} {
		got, err := parseMonthlyUSD(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseMonthlyUSD(%q) = %d, %v; want %d, bad=%v", c.in, got, err, c.want, c.bad)
		}
	}
}

// FuzzParseMonthlyUSD: --approval-above never panics, and what it accepts
// is a whole number of cents from 0 to the cap.
func FuzzParseMonthlyUSD(f *testing.F) {
	for _, s := range []string{"50", "$49.99", "0", "-1", "1e3", "NaN", "Inf", "0x10", "999999.995", "$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cents, err := parseMonthlyUSD(s)
		if err == nil && (cents < 0 || cents > 1_000_000*100) {
			t.Errorf("ParseMonthlyUSD(%q) = %d; want 0 to 100000000 cents", s, cents)
		}
		if err != nil && cents != 0 {
			t.Errorf("ParseMonthlyUSD(%q) = %d with error %v", s, cents, err)
		}
	})
}
