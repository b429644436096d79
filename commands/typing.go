package commands

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Typing traps: what Slack clients and tired fingers do to a command, and
// how the parser meets them.

// wantsHelp reports whether words, a command's words after its name, ask
// for its help: --help or -h before any lone "--".
func wantsHelp(words []string) bool {
	for _, w := range words {
		switch w {
		case "--":
			return false
		case "--help", "-help", "-h", "--h":
			return true
		}
	}
	return false
}

// helpFor is the help command asked about cmd, for `/do CMD --help`: it
// goes through the same path as `/do help CMD`.
func (t Table) helpFor(cmd *Command) (*Command, any, error) {
	help, ok := t.commands["help"]
	if !ok {
		return cmd, nil, userErrorf("there is no help for %s here", cmd.Name)
	}
	return help, helpArgs{command: cmd.Name}, nil
}

// unknownCommand is the error for a command name the table lacks, offering
// the nearest names within two edits ("lauch" → launch).
func (t Table) unknownCommand(typed string) error {
	names := make([]string, 0, len(t.commands))
	for name := range t.commands {
		names = append(names, name)
	}
	// One edit away beats two: "lauch" is launch, not watch as well.
	near := nearest(strings.ToLower(typed), names, 1)
	if len(near) == 0 {
		near = nearest(strings.ToLower(typed), names, 2)
	}
	if len(near) > 0 {
		return userErrorf("unknown command %q. Did you mean %s? `/do help` lists the commands.", typed, Markup(orList(near)))
	}
	return userErrorf("unknown command %q. Try `/do help` for the list of commands.", typed)
}

// unknownSubcommand answers a refused command whose first word is within
// two edits of one of its sub-commands ("registry delte" → registry
// delete), or is nil when none is near.
func unknownSubcommand(cmd *Command, typed string) error {
	full := map[string]string{}
	var words []string
	for _, sub := range cmd.Subcommands {
		w := sub.Name[strings.LastIndex(sub.Name, " ")+1:]
		full[w] = sub.Name
		words = append(words, w)
	}
	near := nearest(strings.ToLower(typed), words, 2)
	if len(near) == 0 {
		return nil
	}
	for i, w := range near {
		near[i] = full[w]
	}
	return userErrorf("%s has no sub-command %q. Did you mean %s? `/do help %s` lists them.", cmd.Name, typed, Markup(orList(near)), cmd.Name)
}

// orList writes names as "`/do a`", "`/do a` or `/do b`", ….
func orList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`/do " + n + "`"
	}
	if len(quoted) == 1 {
		return quoted[0]
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// nearest returns the names within max edits of word, closest first, then
// by name.
func nearest(word string, names []string, max int) []string {
	type cand struct {
		name string
		d    int
	}
	var found []cand
	for _, n := range names {
		if d := editDistance(word, n, max); d <= max {
			found = append(found, cand{n, d})
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].d != found[j].d {
			return found[i].d < found[j].d
		}
		return found[i].name < found[j].name
	})
	out := make([]string, len(found))
	for i, c := range found {
		out[i] = c.name
	}
	return out
}

// editDistance is the Levenshtein distance between a and b in runes, or
// max+1 as soon as it must exceed max (so a long typed word costs little).
func editDistance(a, b string, max int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > max || -d > max {
		return max + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], max+1)
}

// namedFor makes a parse error of cmd name the command typed, so that
// "bad app name" reads as an answer to `/do logs`, not to something else.
// Errors that already name it are left as they are.
func namedFor(cmd *Command, err error) error {
	var ue *UserError
	if cmd == nil || !errors.As(err, &ue) || containsWord(ue.Msg, cmd.Name) {
		return err
	}
	return &UserError{Msg: fmt.Sprintf("%s: %s", cmd.Name, ue.Msg)}
}

// containsWord reports whether name appears in msg as a whole word (or
// words): "launch" in "launch takes…" but not in "launched".
func containsWord(msg, name string) bool {
	for i := 0; ; {
		j := strings.Index(msg[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		before, _ := utf8.DecodeLastRuneInString(msg[:start])
		after, _ := utf8.DecodeRuneInString(msg[end:])
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		i = start + 1
	}
}

func isWordRune(r rune) bool {
	return r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
