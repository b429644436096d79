package commands

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"dobot"
	"dobot/docloud"
)

// Masked stands for a value the bot will not show or store (dobot.Masked).
const Masked = dobot.Masked

// secretWords are the parts of a variable name that make it secret.
var secretWords = []string{"PASSWORD", "SECRET", "TOKEN", "KEY", "CREDENTIAL"}

// SecretLooking reports whether an environment variable named key is sent
// as SECRET even without --secret: its name contains PASSWORD, SECRET,
// TOKEN, KEY or CREDENTIAL, in any case (API_KEY, db_password).
func SecretLooking(key string) bool {
	up := strings.ToUpper(key)
	for _, w := range secretWords {
		if strings.Contains(up, w) {
			return true
		}
	}
	return false
}

// envValueFlags are the flags whose values MaskCommand hides.
var envValueFlags = map[string]bool{"env": true, "secret": true}

// MaskCommand returns command text with the value of every --env and
// --secret (and of any KEY=VALUE word whose key looks secret) replaced by
// Masked, in every form the parser accepts: "--env K=V", "-env K=V",
// "--env=K=V", quoted or with smart quotes. Text without such a value is
// returned unchanged; masked text is rebuilt from its words, quoted where
// needed. Text that cannot be split is masked from the first such flag on.
func MaskCommand(text string) string {
	words, err := SplitWords(text)
	if err != nil {
		return maskRough(text)
	}
	changed, maskNext, bareKey := false, false, false
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
			out[i], changed = Masked, true
		case secretPair(w):
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
		out[i] = shellQuote(w)
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
		return key + "=" + Masked
	}
	return Masked
}

// secretPair reports whether w is KEY=VALUE with a secret-looking key.
func secretPair(w string) bool {
	key, _, ok := strings.Cut(w, "=")
	return ok && envKeyPattern.MatchString(key) && SecretLooking(key)
}

var (
	roughFlag = regexp.MustCompile(`(?i)(^|\s)-{1,2}(env|secret)(=|\s)`)
	roughPair = regexp.MustCompile(`(?i)([A-Za-z0-9_]*(PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL)[A-Za-z0-9_]*)=\S*`)
)

// maskRough masks text the parser cannot split (an unclosed quote): from
// the first --env or --secret on, everything goes.
func maskRough(text string) string {
	if loc := roughFlag.FindStringIndex(text); loc != nil {
		return text[:loc[1]] + Masked
	}
	return roughPair.ReplaceAllString(text, "${1}="+Masked)
}

// shellQuote quotes w so that SplitWords reads it back as one word.
func shellQuote(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t\n\"'\\") {
		return w
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(w) + `"`
}

// maskValuesIn replaces in msg every env or secret value typed in text, so
// that an error message quoting the command never shows one.
func maskValuesIn(msg, text string) string {
	words, err := SplitWords(text)
	if err != nil {
		return msg
	}
	var values []string
	maskNext := false
	for _, w := range words {
		name, value, inline := flagWord(w)
		switch {
		case maskNext:
			values = append(values, pairValue(w))
		case envValueFlags[name] && inline:
			values = append(values, pairValue(value))
		case secretPair(w):
			values = append(values, pairValue(w))
		}
		maskNext = envValueFlags[name] && !inline
	}
	for _, v := range values {
		if len(v) >= 3 { // shorter ones would mask ordinary words
			msg = strings.ReplaceAll(msg, v, Masked)
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

// storedCommand is command text as the bot stores and logs it: "/do "
// plus the text with every secret masked, cut to MaxCommandText
// characters with a marker saying how long it was.
func storedCommand(text string) string {
	masked := MaskCommand(text)
	if head, block, ok := cutBlock(text); ok {
		masked = MaskCommand(head) + maskBlock(block)
	}
	if r := []rune(masked); len(r) > MaxCommandText {
		masked = string(r[:MaxCommandText]) + "…[cut: " + strconv.Itoa(len([]rune(text))) + " characters]"
	}
	return "/do " + masked
}

// scrubSecrets removes from op's stored arguments every secret value. It
// runs in the same store update that records a create or update as sent,
// and when an operation ends: nothing after the send needs the value.
func scrubSecrets(op *dobot.Operation) {
	var raw []byte
	switch op.Action {
	case ActionLaunch:
		args, err := decodeArgs[LaunchArgs](*op)
		if err != nil || !args.scrub() {
			return
		}
		raw, err = json.Marshal(args)
		if err != nil {
			return
		}
	case ActionRedeploy, ActionRollback:
		args, err := decodeArgs[ChangeArgs](*op)
		if err != nil || !docloud.ScrubSpec(args.Spec) {
			return
		}
		raw, err = json.Marshal(args)
		if err != nil {
			return
		}
	default:
		return
	}
	op.Args = string(raw)
}

// scrub blanks the values of a's secret variables; it reports whether
// any was set.
func (a *LaunchArgs) scrub() bool {
	changed := a.From != nil && a.From.Spec != nil && docloud.ScrubSpec(a.From.Spec)
	for i, kv := range a.Env {
		if a.isSecret(kv[0]) && kv[1] != "" {
			a.Env[i][1], changed = "", true
		}
	}
	return changed
}

// isSecret reports whether the variable key of a launch is sent as SECRET.
func (a LaunchArgs) isSecret(key string) bool {
	for _, k := range a.SecretKeys {
		if k == key {
			return true
		}
	}
	return SecretLooking(key)
}

// envKeysText lists variable keys for a card, marking secret ones:
// "MODE, DB_PASSWORD (secret)".
func envKeysText(keys []string, secret func(string) bool) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k
		if secret(k) {
			out[i] += " (secret)"
		}
	}
	return strings.Join(out, ", ")
}

// maskedError returns err with every env or secret value typed in text
// masked in its message. Only user errors quote the command.
func maskedError(err error, text string) error {
	var ue *UserError
	if !errors.As(err, &ue) {
		return err
	}
	if msg := maskValuesIn(ue.Msg, text); msg != ue.Msg {
		return &UserError{Msg: msg}
	}
	return err
}
