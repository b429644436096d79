package commands

import (
	"context"
	"time"

	"dobot"
	"dobot/ops/ttl"
)

// Expiring environments (package ttl): a launch with --ttl is torn down
// when its time is up, after a reminder with Extend and Destroy-now
// buttons.
const (
	defaultExtend = ttl.DefaultExtend
	clickExtend   = ttl.ClickExtend
	clickDestroy  = ttl.ClickDestroy
)

// ttlCheck is how often expiries are checked.
const ttlCheck = time.Second

// ExtendArgs are extend's parsed arguments: package ttl's.
type ExtendArgs = ttl.ExtendArgs

var extendCommand = &Command{
	Name:        "extend",
	Usage:       "extend NAME DURATION",
	Description: "Push back the expiry of an app launched with --ttl, as the reminder's Extend button does. The app's owner, an approver or an admin may; BOT_MAX_TTL caps the whole lifetime from launch.",
	Examples:    []string{"extend demo 2h", "extend demo 2d"},
	MinRole:     dobot.RoleDeployer,
	Mutating:    true,
	Parse:       func(words []string, cfg Config) (any, error) { return ttl.ParseExtend(words, cfg.maxTTL()) },
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[ExtendArgs](inv)
		if err != nil {
			return err
		}
		who := ttl.Who{UserID: inv.Req.UserID, UserName: inv.Req.UserName, Channel: inv.Req.ChannelID, CommandText: commandText(inv.Req), Role: inv.Role}
		m, err := b.svc.ops.ttl.Extend(ctx, who, args.Name, args.By)
		if m != nil {
			b.tell(ctx, inv.Req, *m)
		}
		return err
	},
}
