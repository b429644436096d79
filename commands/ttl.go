package commands

import (
	"context"
	"fmt"
	"time"

	"dobot"
	"dobot/ops/ttl"
	"dobot/reply"
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
			return nil, reply.Errorf("extend takes an app name and a duration, like `/do extend demo 2h`")
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

// ageText is a duration rounded for people: 45s, 12m, 3h10m, 4d2h.
func ageText(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd%dh", int(d.Hours())/24, int(d.Hours())%24)
}
