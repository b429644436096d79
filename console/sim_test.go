package console

import (
	"strings"
	"testing"
)

func TestFenceGathersCodeBlocks(t *testing.T) {
	for _, c := range []struct {
		name  string
		lines []string
		want  []string // commands complete after the last line
		open  bool     // lines still pending
	}{
		{"plain line", []string{"/do status"}, []string{"/do status"}, false},
		{"not a command", []string{"```"}, []string{"```"}, false},
		{"block on the same line", []string{"/do launch --spec ```name: web```"}, []string{"/do launch --spec ```name: web```"}, false},
		{"block after --spec", []string{"/do launch --spec", "```", "name: web", "```"}, []string{"/do launch --spec\n```\nname: web\n```"}, false},
		{"block still open", []string{"/do launch --spec", "```yaml", "name: web"}, nil, true},
		{"--spec without a block", []string{"/do launch --spec", "/do status"}, []string{"/do launch --spec", "/do status"}, false},
		{"--spec then a block opener that is a command", []string{"/do launch --spec", "/do x ```"}, []string{"/do launch --spec"}, true},
	} {
		var pending, got []string
		for _, l := range c.lines {
			var texts []string
			pending, texts = fence(pending, l)
			got = texts
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") || (len(pending) > 0) != c.open {
			t.Errorf("%s: fence(%q) = %q, pending %q; want %q, open=%v", c.name, c.lines, got, pending, c.want, c.open)
		}
	}
}
