package cmdline

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"dobot"
	"dobot/reply"
)

// EnvKeyPattern is what an environment variable's name may be.
var EnvKeyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// TrimScheme drops an http(s):// a person put before an image ref (or
// that their chat client added): the ref itself has no scheme.
func TrimScheme(word string) string {
	for _, scheme := range []string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(word, scheme); ok {
			return rest
		}
	}
	return word
}

// NewFlagSet returns a flag set that reports errors to the caller instead of
// printing them or exiting.
func NewFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// ParseFlags parses args with fs, allowing flags and positional words in any
// order ("launch web --image x" and "launch --image x web"). A lone "--"
// ends the flags. Every flag that is not Repeatable refuses a second value.
// It returns the positional words.
func ParseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	singleValued(fs)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagError(fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// flag stops at the first non-flag word; a preceding "--" means
		// everything after is positional.
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// flagError turns the flag package's messages into a user error that names
// the command, the flag as people type it (--name) and the fix.
func flagError(cmd string, err error) error {
	msg := err.Error()
	switch {
	case err == flag.ErrHelp:
		// The table answers --help and -h before parsing; this is for a
		// parser called on its own.
		return reply.Errorf("see `/do help %s` for what %s takes", cmd, cmd)
	case strings.HasPrefix(msg, "flag provided but not defined: "):
		name := dashes(strings.TrimPrefix(msg, "flag provided but not defined: "))
		return reply.Errorf("%s does not know the flag %s; see `/do help %s`", cmd, name, cmd)
	case strings.HasPrefix(msg, "flag needs an argument: "):
		name := dashes(strings.TrimPrefix(msg, "flag needs an argument: "))
		return reply.Errorf("the flag %s of %s needs a value, like %s VALUE; see `/do help %s`", name, cmd, name, cmd)
	case strings.HasPrefix(msg, "invalid value "):
		// "invalid value "x" for flag -n: <our own explanation>"; the
		// value may hold ": " (or anything), so cut after the last flag name.
		if i := strings.LastIndex(msg, " for flag -"); i >= 0 {
			if _, why, ok := strings.Cut(msg[i:], ": "); ok {
				return reply.Errorf("%s; see `/do help %s`", why, cmd)
			}
		}
	case strings.HasPrefix(msg, "invalid boolean value "):
		return reply.Errorf("%s: use true or false; see `/do help %s`", msg, cmd)
	}
	return reply.Errorf("bad flag for %s: %s; see `/do help %s`", cmd, msg, cmd)
}

// dashes writes a flag name the way the README does: --name.
func dashes(name string) string {
	return "--" + strings.TrimLeft(name, "-")
}

// IntFlag is an int flag with an inclusive range, checked at parse time so
// the error names the flag.
type IntFlag struct {
	Name     string
	Min, Max int
	Value    int
	IsSet    bool
}

func (f *IntFlag) String() string { return strconv.Itoa(f.Value) }

func (f *IntFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < f.Min || n > f.Max {
		return fmt.Errorf("--%s must be a whole number from %d to %d, not %q", f.Name, f.Min, f.Max, s)
	}
	f.Value, f.IsSet = n, true
	return nil
}

// EnvFlag collects repeated --env KEY=VALUE and --secret KEY=VALUE pairs
// in order. One EnvFlag serves both flags (see EnvFlag.As), so a key given
// twice, with either, is refused: which value was meant is a guess.
type EnvFlag struct {
	Pairs  [][2]string
	secret map[string]bool // keys given with --secret
}

func (f *EnvFlag) String() string { return fmt.Sprintf("%d variables", len(f.Pairs)) }

func (f *EnvFlag) Set(s string) error { return f.set("env", s) }

func (f *EnvFlag) repeatable() {}

// As returns the flag.Value for --name (env or secret) writing into f.
func (f *EnvFlag) As(name string) flag.Value { return envFlagAs{f, name} }

type envFlagAs struct {
	f    *EnvFlag
	name string
}

func (a envFlagAs) String() string     { return a.f.String() }
func (a envFlagAs) Set(s string) error { return a.f.set(a.name, s) }
func (a envFlagAs) repeatable()        {}

func (f *EnvFlag) set(name, s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || !EnvKeyPattern.MatchString(key) {
		// Never echo the value: it may be a secret typed with a typo.
		return fmt.Errorf("--%s takes KEY=VALUE with KEY made of letters, digits and _ (not starting with a digit); %s", name, badKeyHint(key, ok))
	}
	for _, p := range f.Pairs {
		if p[0] == key {
			// Name the key only: its values may be secrets.
			return fmt.Errorf("the key %s was given twice (with --env or --secret); give each key once", key)
		}
	}
	if name == "secret" {
		if f.secret == nil {
			f.secret = map[string]bool{}
		}
		f.secret[key] = true
	}
	f.Pairs = append(f.Pairs, [2]string{key, value})
	return nil
}

// badKeyHint says what was wrong with a --env or --secret word without
// showing its value.
func badKeyHint(key string, hadEquals bool) string {
	if !hadEquals {
		return "the word has no = (its text is not shown, in case it is a secret)"
	}
	return fmt.Sprintf("the key %q is not one", clip(key, 40))
}

// SecretKeys lists the keys of f to send as SECRET: those given with
// --secret and those whose name looks secret.
func (f *EnvFlag) SecretKeys() []string {
	var keys []string
	for _, p := range f.Pairs {
		if f.secret[p[0]] || dobot.SecretLooking(p[0]) {
			keys = append(keys, p[0])
		}
	}
	return keys
}

// Repeatable marks a flag.Value that may be given more than once (--env).
type Repeatable interface{ repeatable() }

// onceValue refuses a second value for a single-value flag: silently
// keeping the last of `--image a --image b` deploys what someone did not
// mean.
type onceValue struct {
	flag.Value
	name string
	set  bool
}

func (v *onceValue) Set(s string) error {
	if v.set {
		return fmt.Errorf("--%s was given twice; give it once", v.name)
	}
	v.set = true
	return v.Value.Set(s)
}

// onceBool is onceValue for a boolean flag, which the flag package knows
// by its IsBoolFlag method.
type onceBool struct{ onceValue }

func (v *onceBool) IsBoolFlag() bool { return true }

// singleValued makes every flag of fs that is not repeatable refuse a
// second value. It wraps each flag once.
func singleValued(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		switch v := f.Value.(type) {
		case Repeatable, *onceValue, *onceBool:
			return
		case interface{ IsBoolFlag() bool }:
			if v.IsBoolFlag() {
				f.Value = &onceBool{onceValue{Value: f.Value, name: f.Name}}
				return
			}
		}
		f.Value = &onceValue{Value: f.Value, name: f.Name}
	})
}

// GlassFlag is --break-glass REASON: an admin's override of a lock or a
// freeze, with the reason the audit keeps. The reason is the flag's own
// value, so `--break-glass --reason x` (a flag where the reason belongs) is
// refused rather than read as the reason "--reason".
type GlassFlag struct{ Value string }

func (f *GlassFlag) String() string { return f.Value }

func (f *GlassFlag) Set(s string) error {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "—") || strings.HasPrefix(s, "–") {
		return fmt.Errorf(`--break-glass takes the reason as its value, like --break-glass "incident 311: hotfix"`)
	}
	f.Value = s
	return nil
}

// BreakGlass adds --break-glass to fs.
func BreakGlass(fs *flag.FlagSet) *GlassFlag {
	f := &GlassFlag{}
	fs.Var(f, "break-glass", "")
	return f
}

// clip shortens s to n runes, marking the cut with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
