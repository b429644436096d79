package answer_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"dobot/answer"
	"dobot/chat"
)

// fakeChat records where an answer went; each way may fail.
type fakeChat struct {
	ephemeralErr, respondErr error
	got                      []string
}

func (f *fakeChat) Ephemeral(_ context.Context, channel, user string, m chat.Message) error {
	if f.ephemeralErr != nil {
		return f.ephemeralErr
	}
	f.got = append(f.got, "ephemeral "+channel+" "+user+" "+m.Text)
	return nil
}

func (f *fakeChat) Respond(_ context.Context, url string, m chat.Message) error {
	if f.respondErr != nil {
		return f.respondErr
	}
	f.got = append(f.got, "respond "+url+" "+m.Text)
	return nil
}

func TestPrivately(t *testing.T) {
	cannot := errors.New("not_in_channel")
	tests := []struct {
		name        string
		chat        fakeChat
		responseURL string
		want        string // what was sent, "" for nothing
		wantLog     bool
	}{
		{name: "ephemeral", want: "ephemeral C1 U1 hi"},
		{name: "not in channel, response_url", chat: fakeChat{ephemeralErr: cannot}, responseURL: "https://hook", want: "respond https://hook hi"},
		{name: "not in channel, no response_url", chat: fakeChat{ephemeralErr: cannot}, wantLog: true},
		{name: "both fail", chat: fakeChat{ephemeralErr: cannot, respondErr: errors.New("expired_url")}, responseURL: "https://hook", wantLog: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logged, nil))
			c := tt.chat
			answer.Privately(context.Background(), &c, log, answer.To{Channel: "C1", User: "U1", ResponseURL: tt.responseURL, Ref: "ref-1"}, chat.Message{Text: "hi"})
			if got := strings.Join(c.got, "|"); got != tt.want {
				t.Errorf("sent %q; want %q", got, tt.want)
			}
			if tt.wantLog != strings.Contains(logged.String(), "could not answer") || (tt.wantLog && !strings.Contains(logged.String(), "ref-1")) {
				t.Errorf("log = %q; want a failure logged with the ref: %v", logged.String(), tt.wantLog)
			}
		})
	}
	// Both errors are kept for the log.
	var logged bytes.Buffer
	c := fakeChat{ephemeralErr: cannot, respondErr: errors.New("expired_url")}
	answer.Privately(context.Background(), &c, slog.New(slog.NewTextHandler(&logged, nil)), answer.To{ResponseURL: "u"}, chat.Message{})
	if !strings.Contains(logged.String(), "not_in_channel") || !strings.Contains(logged.String(), "expired_url") {
		t.Errorf("log = %q; want both errors", logged.String())
	}
}
