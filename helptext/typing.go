package helptext

import (
	"strings"

	"dobot/cmdline"
	"dobot/reply"
)

// What people mistype, and how help answers it.

// WantsHelp reports whether words, a command's words after its name, ask
// for its help: --help or -h before any lone "--".
func WantsHelp(words []string) bool {
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

// UnknownCommand is the error for a command name typed that is none of
// names, offering the nearest names within two edits ("lauch" → launch).
func UnknownCommand(typed string, names []string) error {
	// One edit away beats two: "lauch" is launch, not watch as well.
	near := cmdline.Nearest(strings.ToLower(typed), names, 1)
	if len(near) == 0 {
		near = cmdline.Nearest(strings.ToLower(typed), names, 2)
	}
	if len(near) > 0 {
		return reply.Errorf("unknown command %q. Did you mean %s? `/do help` lists the commands.", typed, reply.Markup(cmdline.OrList(near)))
	}
	return reply.Errorf("unknown command %q. Try `/do help` for the list of commands.", typed)
}

// UnknownSubcommand answers a refused command cmd whose first word typed
// is within two edits of one of its sub-commands subs, named in full
// ("registry delte" → registry delete), or is nil when none is near.
func UnknownSubcommand(cmd string, subs []string, typed string) error {
	full := map[string]string{}
	var words []string
	for _, sub := range subs {
		w := sub[strings.LastIndex(sub, " ")+1:]
		full[w] = sub
		words = append(words, w)
	}
	near := cmdline.Nearest(strings.ToLower(typed), words, 2)
	if len(near) == 0 {
		return nil
	}
	for i, w := range near {
		near[i] = full[w]
	}
	return reply.Errorf("%s has no sub-command %q. Did you mean %s? `/do help %s` lists them.", cmd, typed, reply.Markup(cmdline.OrList(near)), cmd)
}
