package commands

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
)

var listCommand = &Command{
	Name:        "list",
	Usage:       "list",
	Description: "Everything the bot manages, with owner, age, monthly cost and TTL, and the total; launches in progress and waiting for approval too.",
	Examples:    []string{"list"},
	MinRole:     dobot.RoleViewer,
	Parse:       noArgs("list"),
	Run:         runList,
}

func runList(ctx context.Context, b *Bot, inv *Invocation) error {
	apps, err := b.store.Apps(ctx)
	if err != nil {
		return fmt.Errorf("list managed apps: %w", err)
	}
	launching, err := b.launchesInFlight(ctx)
	if err != nil {
		return err
	}
	holds, err := b.Holds(ctx)
	if err != nil {
		return fmt.Errorf("read locks and freezes: %w", err)
	}
	if len(apps) == 0 && len(launching) == 0 {
		text := "The bot manages nothing yet. Launch with `/do launch NAME --image REF`."
		if lines := holds.Lines(); len(lines) > 0 {
			text += "\n" + strings.Join(lines, "\n")
		}
		b.tell(ctx, inv.Req, infoMessage(text))
		return nil
	}
	gone, err := b.goneApps(ctx, apps)
	if err != nil {
		return err
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].Name < apps[j].Name })
	var sb strings.Builder
	var total int64
	if len(apps) > 0 {
		fmt.Fprintf(&sb, "*%d managed by the bot*\n", len(apps))
	}
	for _, f := range holds.Freezes {
		sb.WriteString(FreezeLine(f) + "\n")
	}
	for _, a := range apps {
		fmt.Fprintf(&sb, "• *%s* (%s) — %s — %s old", a.Name, kindWord(a.Kind), chat.Mention(a.Owner), ageText(b.now().Sub(a.CreatedAt)))
		if gone[a.Name] {
			fmt.Fprintf(&sb, " — %s deleted outside the bot, not counted; `/do forget %s` drops it\n", chat.IconUnknown, a.Name)
			continue
		}
		fmt.Fprintf(&sb, " — %s/month", money(a.MonthlyCents))
		if !a.ExpiresAt.IsZero() {
			fmt.Fprintf(&sb, " — expires in %s", ageText(a.ExpiresAt.Sub(b.now())))
		}
		if a.Adopted {
			sb.WriteString(" — adopted")
		}
		if lock, _ := holds.On(a.Name); lock != nil {
			fmt.Fprintf(&sb, " — %s %s", chat.IconLock, lockedText(*lock))
		}
		if holder, err := b.store.ActiveOperation(ctx, a.Name); err == nil {
			fmt.Fprintf(&sb, " — %s %s (%s): %s", chat.IconLock, opRef(holder), Escape(opWhat(holder)), b.opPhase(ctx, holder))
		}
		if line := b.launchThreadLine(ctx, a, "launch thread"); line != "" {
			fmt.Fprintf(&sb, " — %s", line)
		}
		sb.WriteString("\n")
		total += a.MonthlyCents
	}
	sb.WriteString(b.launchingLines(ctx, launching))
	sb.WriteString(unmanagedLocks(holds, apps))
	fmt.Fprintf(&sb, "*Total: %s/month*", money(total))
	b.tell(ctx, inv.Req, infoMessage(sb.String()))
	return nil
}

// kindWord is how list names a kind of resource.
func kindWord(kind string) string {
	if kind == kindDroplet {
		return "droplet"
	}
	return "app"
}

// goneApps names the managed apps DigitalOcean no longer has: App Platform
// apps from one listing, droplets one by one.
func (b *Bot) goneApps(ctx context.Context, apps []dobot.App) (map[string]bool, error) {
	gone := map[string]bool{}
	var live map[string]bool
	for _, a := range apps {
		if a.Kind == kindDroplet {
			g, err := b.plan.GoneFromDO(ctx, a)
			if err != nil {
				return nil, err
			}
			gone[a.Name] = g
			continue
		}
		if live == nil {
			byID, err := docloud.AppsByID(ctx, b.cloud.Apps)
			if err != nil {
				return nil, err
			}
			live = map[string]bool{}
			for id := range byID {
				live[id] = true
			}
		}
		gone[a.Name] = !live[a.ResourceID]
	}
	return gone, nil
}

// launchingLines lists launches of apps not recorded yet, with their id
// and phase, under a heading; "" when there are none.
func (b *Bot) launchingLines(ctx context.Context, launching []dobot.Operation) string {
	if len(launching) == 0 {
		return ""
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Being launched (%d)*, not counted yet\n", len(launching))
	for _, op := range launching {
		fmt.Fprintf(&sb, "• *%s* — %s by %s — %s\n", op.App, opRef(op), chat.Mention(op.Requester), b.opPhase(ctx, op))
	}
	return sb.String()
}
