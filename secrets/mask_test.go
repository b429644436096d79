package secrets_test

import (
	"strconv"
	"strings"
	"testing"

	"dobot"
	"dobot/cmdline"
	"dobot/secrets"
)

func TestMaskCommand(t *testing.T) {
	cases := []struct{ in, want string }{
		{"launch web --image nginx", "launch web --image nginx"},
		{"launch web --env DB_PASSWORD=hunter2", "launch web --env DB_PASSWORD=•••"},
		{"launch web --env=MODE=prod", "launch web --env=MODE=•••"},
		{"launch web -env MODE=prod -secret=K=v", "launch web -env MODE=••• -secret=K=•••"},
		{`launch web --secret "K=a b" --reason "two words"`, `launch web --secret K=••• --reason "two words"`},
		{"launch web --env \u201cK=a b\u201d", "launch web --env K=•••"},
		{"launch web --env 'K=it''s'", "launch web --env K=•••"},
		{"launch web --env hunter2", "launch web --env •••"},
		{"launch web API_KEY=zzz9", "launch web API_KEY=•••"},
		{`launch web --env "K=a b`, "launch web --env •••"},
		{`launch web "oops DB_TOKEN=abc123`, `launch web "oops DB_TOKEN=•••`},
		{"redeploy web --secret NEW=x&amp;y", "redeploy web --secret NEW=•••"},
		{"launch w6 --image nginx --env DB_PASSWORD hunter2pqr", "launch w6 --image nginx --env ••• •••"},
		{"launch w6 --secret=TOKEN hunter2pqr --reason x", "launch w6 --secret=••• ••• --reason x"},
		{"launch w6 --env K --reason x", "launch w6 --env ••• --reason x"},
	}
	for _, c := range cases {
		if got := secrets.MaskCommand(c.in); got != c.want {
			t.Errorf("MaskCommand(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

func FuzzMaskCommand(f *testing.F) {
	f.Add("--image nginx", "hunter2")
	f.Add("--env", "a b c")
	f.Add("--reason x --env=Q=1", "p@ss&word#1")
	f.Add("--secret", "--env")
	f.Fuzz(func(t *testing.T, prefix, v string) {
		secretPart := " --secret " + strconv.Quote("K="+v)
		text := "launch web " + prefix + secretPart
		out := secrets.MaskCommand(text) // must not panic, whatever the text
		if _, err := cmdline.SplitWords(text); err != nil {
			return // masked roughly from the first flag on
		}
		words, _ := cmdline.SplitWords(secretPart)
		if len(words) != 2 || words[1] != "K="+v || strings.ContainsAny(prefix, "\"'\\") {
			return // v does not survive splitting as typed, or prefix reshapes the words
		}
		if len(v) < 4 || strings.Contains("launch web "+prefix, v) || strings.Contains(" --secret K="+dobot.Masked, v) {
			return
		}
		if strings.Contains(out, v) {
			t.Fatalf("MaskCommand(%q) = %q; still holds %q", text, out, v)
		}
	})
}
