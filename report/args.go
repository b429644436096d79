package report

import (
	"dobot"
	"dobot/reply"
)

// AppArgs name the app status or history is about; "" for status is
// every app.
type AppArgs struct{ Name string }

// Target is the app asked about.
func (a AppArgs) Target() string { return a.Name }

// ParseStatus reads status's words: at most one app name.
func ParseStatus(words []string) (AppArgs, error) {
	switch len(words) {
	case 0:
		return AppArgs{}, nil
	case 1:
		if err := reply.FromDomain(dobot.ValidAppName(words[0])); err != nil {
			return AppArgs{}, err
		}
		return AppArgs{Name: words[0]}, nil
	}
	return AppArgs{}, reply.Errorf("status takes at most one app name, like `/do status web`")
}

// ParseHistory reads history's words: one app name.
func ParseHistory(words []string) (AppArgs, error) {
	if len(words) != 1 {
		return AppArgs{}, reply.Errorf("history takes one app name, like `/do history web`")
	}
	if err := reply.FromDomain(dobot.ValidAppName(words[0])); err != nil {
		return AppArgs{}, err
	}
	return AppArgs{Name: words[0]}, nil
}
