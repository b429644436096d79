package cmdline

import (
	"reflect"
	"testing"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"launch", "launch", 0}, {"lauch", "launch", 1}, {"luanch", "launch", 2},
		{"", "ab", 2}, {"abc", "", 3}, {"xyzzy", "launch", 3}, {"kitten", "sitting", 3},
		{"ünï", "uni", 2},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, 2); got != min(tt.want, 3) {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tt.a, tt.b, got, min(tt.want, 3))
		}
	}
}

// FuzzEditDistance: the distance is symmetric, zero only for equal words,
// and capped at max+1.
func FuzzEditDistance(f *testing.F) {
	f.Add("lauch", "launch")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, a, b string) {
		d := editDistance(a, b, 2)
		if d != editDistance(b, a, 2) || d > 3 || (d == 0) != (string([]rune(a)) == string([]rune(b))) {
			t.Fatalf("editDistance(%q, %q) = %d, reversed %d", a, b, d, editDistance(b, a, 2))
		}
	})
}

func TestNearest(t *testing.T) {
	names := []string{"launch", "watch", "status", "logs", "lock"}
	tests := []struct {
		word string
		max  int
		want []string
	}{
		{"lauch", 1, []string{"launch"}},
		{"lauch", 2, []string{"launch", "watch"}}, // closest first
		{"lok", 2, []string{"lock", "logs"}},      // equally near: by name
		{"frobnicate", 2, []string{}},
	}
	for _, tt := range tests {
		if got := Nearest(tt.word, names, tt.max); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Nearest(%q, %d) = %q; want %q", tt.word, tt.max, got, tt.want)
		}
	}
}

func TestOrList(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"launch"}, "`/do launch`"},
		{[]string{"lock", "logs"}, "`/do lock` or `/do logs`"},
		{[]string{"a", "b", "c"}, "`/do a`, `/do b` or `/do c`"},
	}
	for _, tt := range tests {
		if got := OrList(tt.in); got != tt.want {
			t.Errorf("OrList(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
