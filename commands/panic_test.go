package commands_test

import (
	"context"
	"strings"
	"testing"

	"dobot"
	"dobot/commands"
	"dobot/internal/storetest"
	"dobot/store"
)

// panickyStore is the real store, except that looking up one user's role
// panics, as a bug deep in a command might.
type panickyStore struct {
	*store.DB
}

func (s panickyStore) Role(ctx context.Context, user string) (dobot.Role, error) {
	if user == "UBOOM" {
		panic("boom")
	}
	return s.DB.Role(ctx, user)
}

// liveChat is the recording chat, except that a message sent with a
// context already cancelled is lost, as the Slack adapter's HTTP call would
// be.
type liveChat struct{ *recordingChat }

func (c liveChat) Ephemeral(ctx context.Context, ch, user string, m commands.Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.recordingChat.Ephemeral(ctx, ch, user, m)
}

func TestPanicIsReportedAndTheBotKeepsRunning(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	defer db.Close()
	chat := &recordingChat{}
	bot, err := commands.New(commands.Config{Region: "nyc3"}, commands.Deps{Store: panickyStore{db}, Chat: liveChat{chat}})
	if err != nil {
		t.Fatal(err)
	}
	bot.Handle(ctx, commands.Request{Ref: "env-1", UserID: "UBOOM", ChannelID: "C1", Text: "roles"})
	if got := chat.lastEphemeral("UBOOM"); !strings.Contains(got, "env-1") {
		t.Errorf("after a panic the person heard %q; want a message quoting the reference env-1", got)
	}
	bot.Handle(ctx, commands.Request{Ref: "env-2", UserID: "UOK", ChannelID: "C1", Text: "help"})
	if got := chat.lastEphemeral("UOK"); !strings.Contains(got, "Commands you can run") {
		t.Errorf("the next command got %q; want help, as the bot keeps running", got)
	}
}
