package access

import (
	"path"
	"strings"
	"testing"

	"dobot"
)

func TestCheckAppGlob(t *testing.T) {
	tests := []struct {
		glob string
		want string // in the error; "" means accepted
	}{
		{"prod-*", ""},
		{"*-test-*", ""},
		{"a?", ""},
		{"*", ""},
		{"a*" + strings.Repeat("?", 31), ""},
		{"?", "can never match"}, // names have two characters at least
		{"Prod-*", `use "prod-*"`},
		{"team/web", `contains "/"`},
		{"prod-", "can never match"},
		{"1*", "can never match"},
		{"a*" + strings.Repeat("?", 32), "can never match"},
		{strings.Repeat("a", 65), "keep it to 64"},
	}
	for _, tt := range tests {
		err := CheckAppGlob(tt.glob)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckAppGlob(%q) = %v; want accepted", tt.glob, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckAppGlob(%q) = %v; want an error with %q", tt.glob, err, tt.want)
		}
	}
}

// FuzzAppGlob checks that every glob policy accepts matches a valid app
// name, by asking for one and trying it.
func FuzzAppGlob(f *testing.F) {
	for _, s := range []string{"prod-*", "*-test-*", "?", "a?", "*-", "-*", "a*??", "Prod-*", "x/y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, glob string) {
		name, ok := appNameMatching(glob)
		if CheckAppGlob(glob) != nil {
			return
		}
		if !ok {
			t.Fatalf("accepted glob %q, but no app name matches it", glob)
		}
		if err := dobot.ValidAppName(name); err != nil {
			t.Fatalf("appNameMatching(%q) = %q, not a valid app name: %v", glob, name, err)
		}
		if m, err := path.Match(glob, name); err != nil || !m {
			t.Fatalf("appNameMatching(%q) = %q, which the glob does not match", glob, name)
		}
	})
}
