// Package cmdline splits a /do command's text into words the way a shell
// does, meeting what chat clients and tired fingers do to it: smart
// quotes, a '#' that is no comment, and flags autocorrected to begin with
// an em dash.
package cmdline

import (
	"strings"
	"unicode/utf8"

	"github.com/google/shlex"

	"dobot/reply"
)

// hashStandIn replaces '#' while shlex splits, because shlex would start a
// comment at a word-initial '#', and in /do commands '#' is an ordinary
// character (a Slack channel name, a fragment, a colour).
const hashStandIn = '\uE000'

// smartQuotes are what Slack clients type for plain quotes.
var smartQuotes = strings.NewReplacer(
	"\u201c", `"`, "\u201d", `"`, "\u201e", `"`, "\u201f", `"`,
	"\u2018", "'", "\u2019", "'", "\u201a", "'", "\u201b", "'",
)

// SplitWords splits command text the way a shell does, after turning Slack's
// smart quotes into plain ones. '#' is kept as an ordinary character, and
// a flag that autocorrect began with an em or en dash (—image) reads as
// --image.
func SplitWords(text string) ([]string, error) {
	if strings.ContainsRune(text, hashStandIn) {
		return nil, reply.Errorf("the command contains an unsupported character (U+E000); retype it")
	}
	text = smartQuotes.Replace(text)
	text = strings.ReplaceAll(text, "#", string(hashStandIn))
	words, err := shlex.Split(text)
	if err != nil {
		return nil, reply.Errorf("could not split the command into words (%v); check that every quote is closed", err)
	}
	for i, w := range words {
		w = strings.ReplaceAll(w, string(hashStandIn), "#")
		words[i] = undash(w)
	}
	return words, nil
}

// dashFlag is a word that autocorrect turned from --name into —name or
// –name (Slack and macOS replace "--" with an em dash, sometimes an en
// dash). Only words shaped like a flag are read back, so a dash in a
// quoted reason stays as typed.
func undash(word string) string {
	rest := strings.TrimLeft(word, "—–-")
	if rest == word || !strings.ContainsAny(word[:len(word)-len(rest)], "—–") {
		return word // no leading em or en dash
	}
	if rest == "" {
		return "--" // a lone dash: the end of the flags
	}
	name, _, _ := strings.Cut(rest, "=")
	r, _ := utf8.DecodeRuneInString(name)
	if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') || strings.ContainsAny(name, " \t\n") {
		return word
	}
	return "--" + rest
}
