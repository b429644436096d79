package commands

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"dobot/chat"
	"dobot/internal/storetest"
	"dobot/reply"
)

// answers records private answers; everything else goes nowhere.
type answers struct {
	mu   sync.Mutex
	text []string
}

func (a *answers) Post(_ context.Context, ch string, _ Message) (chat.Ref, error) {
	return chat.Ref{Channel: ch, ID: "1.1"}, nil
}
func (a *answers) Reply(_ context.Context, p chat.Ref, _ Message) (chat.Ref, error) {
	return chat.Ref{Channel: p.Channel, ID: "1.2"}, nil
}
func (a *answers) Update(context.Context, chat.Ref, Message) error                    { return nil }
func (a *answers) Respond(context.Context, string, Message) error                     { return nil }
func (a *answers) UploadDirect(context.Context, string, string, string, string) error { return nil }
func (a *answers) Permalink(context.Context, chat.Ref) (string, error)                { return "", nil }
func (a *answers) Upload(context.Context, chat.Ref, string, string, string) error {
	return nil
}
func (a *answers) Ephemeral(_ context.Context, _, _ string, m Message) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.text = append(a.text, m.Text)
	return nil
}

// A user error a button's command wraps is still the person's to fix: it
// is shown as such and not logged as the bot's failure.
func TestWrappedUserErrorFromAButton(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	defer db.Close()
	var logs bytes.Buffer
	chat := &answers{}
	b, err := New(Config{}, Deps{Store: db, Chat: chat, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	poke := &Command{Name: "poke", Parse: noArgs("poke"), Run: func(context.Context, *Bot, *Invocation) error {
		return fmt.Errorf("poke: %w", reply.Errorf("not now, try later"))
	}}
	b.table, err = newTable(nil, []*clickRoute{{id: "poke", label: "Poke", command: "poke", args: func(Click) (any, error) { return nil, nil }}}, poke)
	if err != nil {
		t.Fatal(err)
	}
	b.HandleClick(ctx, Click{Ref: "r1", UserID: "U1", ChannelID: "C1", ActionID: "poke"})
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a wrapped user error was logged as a failure:\n%s", logs.String())
	}
	chat.mu.Lock()
	defer chat.mu.Unlock()
	if len(chat.text) != 1 || !strings.Contains(chat.text[0], "not now, try later") {
		t.Errorf("answers = %q; want the user error", chat.text)
	}
}
