package commands

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// trimScheme drops an http(s):// a person put before an image ref (or
// that their chat client added): the ref itself has no scheme.
func trimScheme(word string) string {
	for _, scheme := range []string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(word, scheme); ok {
			return rest
		}
	}
	return word
}

// newFlagSet returns a flag set that reports errors to the caller instead of
// printing them or exiting.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args with fs, allowing flags and positional words in any
// order ("launch web --image x" and "launch --image x web"). A lone "--"
// ends the flags. It returns the positional words.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
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
		return userErrorf("see `/do help %s` for what %s takes", cmd, cmd)
	case strings.HasPrefix(msg, "flag provided but not defined: "):
		name := dashes(strings.TrimPrefix(msg, "flag provided but not defined: "))
		return userErrorf("%s does not know the flag %s; see `/do help %s`", cmd, name, cmd)
	case strings.HasPrefix(msg, "flag needs an argument: "):
		name := dashes(strings.TrimPrefix(msg, "flag needs an argument: "))
		return userErrorf("the flag %s of %s needs a value, like %s VALUE; see `/do help %s`", name, cmd, name, cmd)
	case strings.HasPrefix(msg, "invalid value "):
		// "invalid value "x" for flag -n: <our own explanation>"; the
		// value may hold ": " (or anything), so cut after the last flag name.
		if i := strings.LastIndex(msg, " for flag -"); i >= 0 {
			if _, why, ok := strings.Cut(msg[i:], ": "); ok {
				return userErrorf("%s; see `/do help %s`", why, cmd)
			}
		}
	case strings.HasPrefix(msg, "invalid boolean value "):
		return userErrorf("%s: use true or false; see `/do help %s`", msg, cmd)
	}
	return userErrorf("bad flag for %s: %s; see `/do help %s`", cmd, msg, cmd)
}

// dashes writes a flag name the way the README does: --name.
func dashes(name string) string {
	return "--" + strings.TrimLeft(name, "-")
}

// intFlag is an int flag with an inclusive range, checked at parse time so
// the error names the flag.
type intFlag struct {
	name     string
	min, max int
	value    int
	set      bool
}

func (f *intFlag) String() string { return strconv.Itoa(f.value) }

func (f *intFlag) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < f.min || n > f.max {
		return fmt.Errorf("--%s must be a whole number from %d to %d, not %q", f.name, f.min, f.max, s)
	}
	f.value, f.set = n, true
	return nil
}

// envFlag collects repeated --env KEY=VALUE and --secret KEY=VALUE pairs
// in order. One envFlag serves both flags (see envFlag.as), so a key given
// twice, with either, is refused: which value was meant is a guess.
type envFlag struct {
	pairs  [][2]string
	secret map[string]bool // keys given with --secret
}

func (f *envFlag) String() string { return fmt.Sprintf("%d variables", len(f.pairs)) }

func (f *envFlag) Set(s string) error { return f.set("env", s) }

func (f *envFlag) repeatable() {}

// as returns the flag.Value for --name (env or secret) writing into f.
func (f *envFlag) as(name string) flag.Value { return envFlagAs{f, name} }

type envFlagAs struct {
	f    *envFlag
	name string
}

func (a envFlagAs) String() string     { return a.f.String() }
func (a envFlagAs) Set(s string) error { return a.f.set(a.name, s) }
func (a envFlagAs) repeatable()        {}

func (f *envFlag) set(name, s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok || !envKeyPattern.MatchString(key) {
		// Never echo the value: it may be a secret typed with a typo.
		return fmt.Errorf("--%s takes KEY=VALUE with KEY made of letters, digits and _ (not starting with a digit); %s", name, badKeyHint(key, ok))
	}
	for _, p := range f.pairs {
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
	f.pairs = append(f.pairs, [2]string{key, value})
	return nil
}

// badKeyHint says what was wrong with a --env or --secret word without
// showing its value.
func badKeyHint(key string, hadEquals bool) string {
	if !hadEquals {
		return "the word has no = (its text is not shown, in case it is a secret)"
	}
	return fmt.Sprintf("the key %q is not one", clipText(key, 40))
}

// secretKeys lists the keys of f to send as SECRET: those given with
// --secret and those whose name looks secret.
func (f *envFlag) secretKeys() []string {
	var keys []string
	for _, p := range f.pairs {
		if f.secret[p[0]] || SecretLooking(p[0]) {
			keys = append(keys, p[0])
		}
	}
	return keys
}
