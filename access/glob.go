package access

import (
	"strings"

	"dobot/reply"
)

// CheckAppGlob accepts an --app glob (of policy, and of freeze) only if it
// could match some app name: app names are lowercase, so a rule for
// "Prod-*" would never apply and would give a false sense of protection.
func CheckAppGlob(glob string) error {
	if len(glob) > 64 {
		return reply.Errorf("--app glob is %d characters long; keep it to 64", len(glob))
	}
	if strings.ToLower(glob) != glob {
		return reply.Errorf("--app %q has capital letters, and app names are lowercase, so it could never match; use %q", glob, strings.ToLower(glob))
	}
	for _, r := range glob {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '*' || r == '?') {
			return reply.Errorf("--app %q contains %q; a glob holds lowercase letters, digits, dashes and the wildcards * (any run) and ? (one character), like prod-*", glob, string(r))
		}
	}
	if _, ok := appNameMatching(glob); !ok {
		return reply.Errorf("--app %q can never match an app name (2 to 32 lowercase letters, digits and dashes, starting with a letter and not ending with a dash)", glob)
	}
	return nil
}

// appNameMatching returns an app name that glob, which holds only
// [a-z0-9-*?], matches, and false when there is none. It walks the glob and
// the name's rule together: a name is a letter, then letters, digits and
// dashes, ending in a letter or digit, 2 to 32 long.
func appNameMatching(glob string) (string, bool) {
	const maxLen = 32
	type state struct {
		i, n     int  // position in glob, characters produced
		lastDash bool // the last character produced was a dash
	}
	failed := map[state]bool{}
	var from func(s state) (string, bool)
	from = func(s state) (string, bool) {
		if failed[s] {
			return "", false
		}
		if s.i == len(glob) {
			if s.n >= 2 && !s.lastDash {
				return "", true
			}
			failed[s] = true
			return "", false
		}
		// next produces c (a letter, a digit or a dash) at position s.n and
		// goes on from glob position i.
		next := func(c byte, i int) (string, bool) {
			if s.n == maxLen || (s.n == 0 && (c < 'a' || c > 'z')) {
				return "", false
			}
			rest, ok := from(state{i: i, n: s.n + 1, lastDash: c == '-'})
			return string(c) + rest, ok
		}
		var tries []func() (string, bool)
		switch c := glob[s.i]; c {
		case '*':
			tries = append(tries, func() (string, bool) { return from(state{i: s.i + 1, n: s.n, lastDash: s.lastDash}) })
			for _, c := range []byte{'a', '0', '-'} {
				tries = append(tries, func() (string, bool) { return next(c, s.i) })
			}
		case '?':
			for _, c := range []byte{'a', '0', '-'} {
				tries = append(tries, func() (string, bool) { return next(c, s.i+1) })
			}
		default:
			tries = append(tries, func() (string, bool) { return next(c, s.i+1) })
		}
		for _, try := range tries {
			if name, ok := try(); ok {
				return name, true
			}
		}
		failed[s] = true
		return "", false
	}
	return from(state{})
}
