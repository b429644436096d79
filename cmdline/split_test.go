package cmdline

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"dobot/reply"
)

func TestSplitWordsReadsAutocorrectedDashes(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"launch web —image nginx", []string{"launch", "web", "--image", "nginx"}},
		{"launch web –image nginx", []string{"launch", "web", "--image", "nginx"}},
		{"launch web —image=nginx", []string{"launch", "web", "--image=nginx"}},
		{"launch web —-image nginx", []string{"launch", "web", "--image", "nginx"}},
		{"launch web —dry-run", []string{"launch", "web", "--dry-run"}},
		{"launch web --image nginx — web2", []string{"launch", "web", "--image", "nginx", "--", "web2"}},
		{`teardown web --reason "— done"`, []string{"teardown", "web", "--reason", "— done"}},
		{`teardown web --reason "a–b"`, []string{"teardown", "web", "--reason", "a–b"}},
		{"teardown web —5", []string{"teardown", "web", "—5"}},
		{"launch web --image nginx", []string{"launch", "web", "--image", "nginx"}},
	}
	for _, tt := range tests {
		got, err := SplitWords(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// FuzzUndash: reading autocorrected dashes never panics, only ever
// rewrites a word that starts with a dash, and keeps what follows.
func FuzzUndash(f *testing.F) {
	for _, s := range []string{"—image", "–", "—", "—-x", "a—b", "—5", "-—=", "\xe2\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		got := undash(w)
		if got == w {
			return
		}
		if !strings.HasPrefix(w, "—") && !strings.HasPrefix(w, "–") && !strings.HasPrefix(w, "-") {
			t.Fatalf("parse(%q) = %q; want it unchanged", w, got)
		}
		if !strings.HasPrefix(got, "--") || !strings.HasSuffix(w, strings.TrimPrefix(got, "--")) {
			t.Fatalf("parse(%q) = %q; want -- and the rest of the word", w, got)
		}
	})
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "launch web --image nginx", []string{"launch", "web", "--image", "nginx"}},
		{"double quotes", `launch web --env "GREETING=hello world"`, []string{"launch", "web", "--env", "GREETING=hello world"}},
		{"smart double quotes", "launch web --env \u201cA=b c\u201d", []string{"launch", "web", "--env", "A=b c"}},
		{"smart single quotes", "launch web --env \u2018A=b c\u2019", []string{"launch", "web", "--env", "A=b c"}},
		{"hash mid word", "launch web --env COLOR=#fff", []string{"launch", "web", "--env", "COLOR=#fff"}},
		{"hash starts word", "launch web #not-a-comment", []string{"launch", "web", "#not-a-comment"}},
		{"hash inside quotes", `launch web --env 'A=#b c'`, []string{"launch", "web", "--env", "A=#b c"}},
		{"entities are text", "launch web --env A=x&amp;y<z>", []string{"launch", "web", "--env", "A=x&amp;y<z>"}},
		{"mention kept", "grant @U123 deployer", []string{"grant", "@U123", "deployer"}},
		{"extra spaces", "  status   web  ", []string{"status", "web"}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitWords(tt.in)
			if err != nil {
				t.Fatalf("SplitWords(%q) error %v", tt.in, err)
			}
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitWords(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplitWordsErrors(t *testing.T) {
	for _, in := range []string{`launch web --env "A=b`, `launch 'web`, "launch web \\", "launch \uE000"} {
		_, err := SplitWords(in)
		var ue *reply.UserError
		if !errors.As(err, &ue) {
			t.Errorf("SplitWords(%q) error = %v; want a *reply.UserError", in, err)
		}
	}
}
