// Package secrets keeps secret values out of what the bot shows and
// stores: command text with every --env and --secret value masked, and a
// vault that seals secret values while an operation waits to send them.
package secrets

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"dobot"
	"dobot/cmdline"
	"dobot/reply"
)

// envValueFlags are the flags whose values MaskCommand hides.
var envValueFlags = map[string]bool{"env": true, "secret": true}

// MaskCommand returns command text with the value of every --env and
// --secret (and of any KEY=VALUE word whose key looks secret) replaced by
// dobot.Masked, in every form the parser accepts: "--env K=V", "-env K=V",
// "--env=K=V", quoted or with smart quotes. Text without such a value is
// returned unchanged; masked text is rebuilt from its words, quoted where
// needed. Text that cannot be split is masked from the first such flag on.
func MaskCommand(text string) string {
	words, err := cmdline.SplitWords(text)
	if err != nil {
		return maskRough(text)
	}
	changed, maskNext, bareKey := false, false, false
	envSet := isEnvSet(words)
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = w
		name, value, inline := flagWord(w)
		wasBare := bareKey
		bareKey = false
		switch {
		case maskNext:
			out[i], changed = maskPair(w), true
			bareKey = !strings.Contains(w, "=")
		case envValueFlags[name] && inline:
			out[i], changed = w[:len(w)-len(value)]+maskPair(value), true
			bareKey = !strings.Contains(value, "=")
		case wasBare && !strings.HasPrefix(w, "-"):
			// "--env DB_PASSWORD hunter2": the parser refuses the missing
			// "=", but the word after the key is still the value.
			out[i], changed = dobot.Masked, true
		case secretPair(w) || (envSet && setPair(i, w)):
			out[i], changed = maskPair(w), true
		}
		// The word after --env or --secret is its value, even when it
		// looks like a flag; and a flag-looking value that is itself
		// --env or --secret masks the word after it too.
		maskNext = envValueFlags[name] && !inline
	}
	if !changed {
		return text
	}
	for i, w := range out {
		out[i] = ShellQuote(w)
	}
	return strings.Join(out, " ")
}

// flagWord splits "--name=value", "-name=value", "--name" and "-name" the
// way the flag package reads them.
func flagWord(w string) (name, value string, inline bool) {
	if !strings.HasPrefix(w, "-") || w == "-" || w == "--" {
		return "", "", false
	}
	body := strings.TrimPrefix(strings.TrimPrefix(w, "-"), "-")
	name, value, inline = strings.Cut(body, "=")
	return name, value, inline
}

// maskPair masks the value of KEY=VALUE, or all of a word without a key.
func maskPair(s string) string {
	if key, _, ok := strings.Cut(s, "="); ok && envKeyPattern.MatchString(key) {
		return key + "=" + dobot.Masked
	}
	return dobot.Masked
}

// isEnvSet reports whether words are `env set …`: every KEY=VALUE of it
// is masked, secret-looking or not, since --secret may come after it.
func isEnvSet(words []string) bool {
	return len(words) >= 2 && strings.EqualFold(words[0], "env") && strings.EqualFold(words[1], "set")
}

// setPair reports whether w, the i-th word of `env set …`, is its
// KEY=VALUE.
func setPair(i int, w string) bool {
	return i >= 2 && !strings.HasPrefix(w, "-") && strings.Contains(w, "=")
}

// secretPair reports whether w is KEY=VALUE with a secret-looking key.
func secretPair(w string) bool {
	key, _, ok := strings.Cut(w, "=")
	return ok && envKeyPattern.MatchString(key) && dobot.SecretLooking(key)
}

var (
	roughFlag   = regexp.MustCompile(`(?i)(^|\s)-{1,2}(env|secret)(=|\s)`)
	roughEnvSet = regexp.MustCompile(`(?i)^\s*env\s+set\s+\S+\s+`)
	roughPair   = regexp.MustCompile(`(?i)([A-Za-z0-9_]*(PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL)[A-Za-z0-9_]*)=\S*`)
)

// maskRough masks text the parser cannot split (an unclosed quote): from
// the first --env or --secret on, everything goes.
func maskRough(text string) string {
	if loc := roughEnvSet.FindStringIndex(text); loc != nil {
		return text[:loc[1]] + dobot.Masked
	}
	if loc := roughFlag.FindStringIndex(text); loc != nil {
		return text[:loc[1]] + dobot.Masked
	}
	return roughPair.ReplaceAllString(text, "${1}="+dobot.Masked)
}

// ShellQuote quotes w so that SplitWords reads it back as one word.
func ShellQuote(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t\n\"'\\") {
		return w
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w) + `"`
}

// maskValuesIn replaces in msg every env or secret value typed in text, so
// that an error message quoting the command never shows one.
func maskValuesIn(msg, text string) string {
	words, err := cmdline.SplitWords(text)
	if err != nil {
		return msg
	}
	var values []string
	maskNext, envSet := false, isEnvSet(words)
	for i, w := range words {
		name, value, inline := flagWord(w)
		switch {
		case maskNext:
			values = append(values, pairValue(w))
		case envValueFlags[name] && inline:
			values = append(values, pairValue(value))
		case secretPair(w) || (envSet && setPair(i, w)):
			values = append(values, pairValue(w))
		}
		maskNext = envValueFlags[name] && !inline
	}
	for _, v := range values {
		if len(v) >= 3 { // shorter ones would mask ordinary words
			msg = strings.ReplaceAll(msg, v, dobot.Masked)
		}
	}
	return msg
}

func pairValue(s string) string {
	if _, v, ok := strings.Cut(s, "="); ok {
		return v
	}
	return s
}

// MaxCommandText is the longest command text the bot accepts or stores.
const MaxCommandText = 4000

// StoredCommand is command text as the bot stores and logs it: "/do "
// plus the text with every secret masked, cut to MaxCommandText
// characters with a marker saying how long it was.
func StoredCommand(text string) string {
	masked := MaskCommand(text)
	if head, block, ok := CutBlock(text); ok {
		masked = MaskCommand(head) + maskBlock(block)
	}
	if r := []rune(masked); len(r) > MaxCommandText {
		masked = string(r[:MaxCommandText]) + "…[cut: " + strconv.Itoa(len([]rune(text))) + " characters]"
	}
	return "/do " + masked
}

// MaskedError returns err with every env or secret value typed in text
// masked in its message. Only user errors quote the command.
func MaskedError(err error, text string) error {
	var ue *reply.UserError
	if !errors.As(err, &ue) {
		return err
	}
	if msg := maskValuesIn(ue.Msg, text); msg != ue.Msg {
		return &reply.UserError{Msg: msg}
	}
	return err
}

// envKeyPattern is the shape of an environment variable's name.
var envKeyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
