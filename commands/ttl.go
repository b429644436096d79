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

// ExtendArgs are extend's parsed arguments.
type ExtendArgs struct {
	Name string
	By   time.Duration
}

func (a ExtendArgs) Target() string { return a.Name }

var extendCommand = &Command{
	Name:        "extend",
	Usage:       "extend NAME DURATION",
	Description: "Push back the expiry of an app launched with --ttl, as the reminder's Extend button does. The app's owner, an approver or an admin may; BOT_MAX_TTL caps the whole lifetime from launch.",
	Examples:    []string{"extend demo 2h", "extend demo 2d"},
	MinRole:     dobot.RoleDeployer,
	Mutating:    true,
	Parse: func(words []string, cfg Config) (any, error) {
		if len(words) != 2 {
			return nil, userErrorf("extend takes an app name and a duration, like `/do extend demo 2h`")
		}
		if err := ValidAppName(words[0]); err != nil {
			return nil, err
		}
		d, err := parseTTL(words[1], cfg, "extend")
		if err != nil {
			return nil, err
		}
		return ExtendArgs{Name: words[0], By: d}, nil
	},
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
