package commands

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"dobot/cmdline"
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
	near := cmdline.Nearest(strings.ToLower(typed), names, 1)
	if len(near) == 0 {
		near = cmdline.Nearest(strings.ToLower(typed), names, 2)
	}
	if len(near) > 0 {
		return userErrorf("unknown command %q. Did you mean %s? `/do help` lists the commands.", typed, Markup(cmdline.OrList(near)))
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
	near := cmdline.Nearest(strings.ToLower(typed), words, 2)
	if len(near) == 0 {
		return nil
	}
	for i, w := range near {
		near[i] = full[w]
	}
	return userErrorf("%s has no sub-command %q. Did you mean %s? `/do help %s` lists them.", cmd.Name, typed, Markup(cmdline.OrList(near)), cmd.Name)
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
