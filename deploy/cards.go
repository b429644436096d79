package deploy

import (
	"fmt"

	"dobot"
	"dobot/chat"
)

// decisionLine says who decided a request and when.
func DecisionLine(op dobot.Operation) string {
	when := op.DecidedAt.UTC().Format(TimeFormat)
	switch {
	case op.State == dobot.OpCanceled && (op.Decider == "" || op.Decider == op.Requester):
		return fmt.Sprintf("Withdrawn by %s at %s", chat.Mention(op.Requester), when)
	case op.State == dobot.OpCanceled:
		line := fmt.Sprintf("Denied by %s at %s", chat.Mention(op.Decider), when)
		if op.Error != "" {
			line += " — " + Escape(op.Error)
		}
		return line
	case op.Decider != "":
		return fmt.Sprintf("Approved by %s at %s", chat.Mention(op.Decider), when)
	}
	return ""
}

// ThreadOf is the launch thread of an app the bot manages.
func ThreadOf(managed dobot.App) chat.Ref {
	return chat.Ref{Channel: managed.Channel, ID: managed.ThreadTS}
}
