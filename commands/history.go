package commands

import (
	"context"
	"strings"

	"dobot"
	"dobot/deploy"
	"dobot/reply"
	"dobot/report"
)

var historyCommand = &Command{
	Name:        "history",
	Usage:       "history NAME",
	Description: "An app's deployments, newest first: image and digest, who, when and how (launch, redeploy, rollback, or outside the bot), each with a button to roll back to it.",
	Examples:    []string{"history web"},
	MinRole:     dobot.RoleViewer,
	Parse: func(words []string, _ Config) (any, error) {
		if len(words) != 1 {
			return nil, reply.Errorf("history takes one app name, like `/do history web`")
		}
		if err := ValidAppName(words[0]); err != nil {
			return nil, err
		}
		return statusArgs{name: words[0]}, nil
	},
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[statusArgs](inv)
		if err != nil {
			return err
		}
		m, err := b.svc.board.History(ctx, args.name)
		if err != nil {
			return err
		}
		b.tell(ctx, inv.Req, m)
		return nil
	},
}

// historyClicks is the history's button, as the rollback it stands for.
func historyClicks() []*clickRoute {
	return []*clickRoute{{id: report.ClickHistoryRollback, label: "Roll back to this", command: "rollback", args: func(c Click) (any, error) {
		name, dep, ok := strings.Cut(c.Value, " ")
		if !ok || ValidAppName(name) != nil || !deploymentIDPattern.MatchString(dep) {
			return nil, reply.Errorf("That button does not name an app and a deployment. Nothing was changed.")
		}
		return deploy.ChangeArgs{Name: name, RollbackTo: deploy.RollbackTo{DeploymentID: dep}, Reason: "Roll back to this, from the history"}, nil
	}}}
}
