// Command bareslack is the floor of the peer comparison: slack-go's Socket
// Mode client with nothing of dobot's, written as slack-go's own example
// is. It acks each `/do` at once and answers `/do status` privately with
// chat.postEphemeral, like bench/bolt/app.js. No store, no audit, no
// authorisation. `go test ./bench/ -args -full -peer bolt -ours slack-go`
// runs it against the Bolt peer, to show how much of a ratio the fixed
// stack alone reaches (BENCHMARKS.md). It is not a product.
//
// Environment: SLACK_BOT_TOKEN, SLACK_APP_TOKEN and SLACK_API_URL, as for
// the Bolt peer.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// noApps is dobot's answer to `/do status` on a bot that manages no apps.
const noApps = "The bot manages no apps yet. Launch one with `/do launch NAME --image REF`."

func main() {
	for _, name := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_API_URL"} {
		if os.Getenv(name) == "" {
			fmt.Fprintf(os.Stderr, "%s is not set\n", name)
			os.Exit(2)
		}
	}
	api := slack.New(os.Getenv("SLACK_BOT_TOKEN"), slack.OptionAppLevelToken(os.Getenv("SLACK_APP_TOKEN")),
		slack.OptionAPIURL(os.Getenv("SLACK_API_URL")))
	sm := socketmode.New(api)
	go func() {
		for evt := range sm.Events {
			if evt.Type != socketmode.EventTypeSlashCommand {
				continue
			}
			cmd, ok := evt.Data.(slack.SlashCommand)
			if !ok {
				continue
			}
			sm.Ack(*evt.Request)
			text := "This peer knows only `/do status`."
			if strings.TrimSpace(cmd.Text) == "status" {
				text = noApps
			}
			// A goroutine per command, so that a slow answer never holds
			// up the next ack (the reader hands events over one by one).
			go func() {
				if _, err := api.PostEphemeral(cmd.ChannelID, cmd.UserID, slack.MsgOptionText(text, false)); err != nil {
					fmt.Fprintf(os.Stderr, "chat.postEphemeral: %v\n", err)
				}
			}()
		}
	}()
	if err := sm.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "socket mode: %v\n", err)
		os.Exit(1)
	}
}
