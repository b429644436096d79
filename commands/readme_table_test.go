package commands_test

import (
	"os"
	"strings"
	"testing"
)

// The README's command table has a row for every command and for each
// sub-command (issue 15: "the README's command table and the help cover
// every new command"); the help covers them by TestHelpGroupedByTask.
func TestREADMECommandTableCoversEveryCommand(t *testing.T) {
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "| `") {
			rows = append(rows, line)
		}
	}
	// has reports whether a row starts with the command, or names the
	// sub-command (word) in a row of its command, as "`env set NAME" or
	// "`droplet reboot\|power-off NAME`" do.
	has := func(command, word string) bool {
		for _, r := range rows {
			if !strings.Contains(r, "`"+command+" ") && !strings.Contains(r, "`"+command+"`") {
				continue
			}
			if word == "" || strings.Contains(r, "`"+command+" "+word) || strings.Contains(r, "|"+word) || strings.Contains(r, " "+command+" "+word+" ") {
				return true
			}
		}
		return false
	}
	h := newHarness(t)
	for _, c := range h.bot.Table().Sorted() {
		if !has(c.Name, "") {
			t.Errorf("the README's command table has no row for %s", c.Name)
		}
		for _, sub := range c.Subcommands {
			word := strings.TrimSpace(strings.TrimPrefix(sub.Name, c.Name))
			if !has(c.Name, word) {
				t.Errorf("the README's command table has no row for %s %s", c.Name, word)
			}
		}
	}
}
