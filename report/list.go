package report

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/holds"
	"dobot/reply"
)

// List is everything the bot manages, with owner, age, monthly cost and
// TTL, and the total; launches in progress and waiting for approval too.
func (r *Board) List(ctx context.Context) (chat.Message, error) {
	apps, err := r.d.Store.Apps(ctx)
	if err != nil {
		return chat.Message{}, fmt.Errorf("list managed apps: %w", err)
	}
	launching, err := r.launchesInFlight(ctx)
	if err != nil {
		return chat.Message{}, err
	}
	held, err := r.d.Holds.Holds(ctx)
	if err != nil {
		return chat.Message{}, fmt.Errorf("read locks and freezes: %w", err)
	}
	if len(apps) == 0 && len(launching) == 0 {
		text := "The bot manages nothing yet. Launch with `/do launch NAME --image REF`."
		if lines := held.Lines(); len(lines) > 0 {
			text += "\n" + strings.Join(lines, "\n")
		}
		return chat.Message{Text: text}, nil
	}
	gone, err := r.goneApps(ctx, apps)
	if err != nil {
		return chat.Message{}, err
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].Name < apps[j].Name })
	var sb strings.Builder
	var total int64
	if len(apps) > 0 {
		fmt.Fprintf(&sb, "*%d managed by the bot*\n", len(apps))
	}
	for _, f := range held.Freezes {
		sb.WriteString(holds.FreezeLine(f) + "\n")
	}
	for _, a := range apps {
		sb.WriteString(r.listLine(ctx, a, gone[a.Name], held))
		if !gone[a.Name] {
			total += a.MonthlyCents
		}
	}
	sb.WriteString(r.launchingLines(ctx, launching))
	sb.WriteString(held.Unmanaged(apps))
	fmt.Fprintf(&sb, "*Total: %s/month*", deploy.Money(total))
	return chat.Message{Text: sb.String()}, nil
}

// listLine is a's line in the list, ending in a newline.
func (r *Board) listLine(ctx context.Context, a dobot.App, gone bool, held holds.Holds) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "• *%s* (%s) — %s — %s old", a.Name, kindWord(a.Kind), chat.Mention(a.Owner), ageText(r.d.Now().Sub(a.CreatedAt)))
	if gone {
		fmt.Fprintf(&sb, " — %s deleted outside the bot, not counted; `/do forget %s` drops it\n", chat.IconUnknown, a.Name)
		return sb.String()
	}
	fmt.Fprintf(&sb, " — %s/month", deploy.Money(a.MonthlyCents))
	if !a.ExpiresAt.IsZero() {
		fmt.Fprintf(&sb, " — expires in %s", ageText(a.ExpiresAt.Sub(r.d.Now())))
	}
	if a.Adopted {
		sb.WriteString(" — adopted")
	}
	if lock, _ := held.On(a.Name); lock != nil {
		fmt.Fprintf(&sb, " — %s %s", chat.IconLock, holds.LockedText(*lock))
	}
	if holder, err := r.d.Store.ActiveOperation(ctx, a.Name); err == nil {
		fmt.Fprintf(&sb, " — %s %s (%s): %s", chat.IconLock, deploy.Ref(holder), reply.Escape(deploy.What(holder)), r.opPhase(ctx, holder))
	}
	if line := r.threadLine(ctx, a, "launch thread"); line != "" {
		fmt.Fprintf(&sb, " — %s", line)
	}
	sb.WriteString("\n")
	return sb.String()
}

// kindWord is how list names a kind of resource.
func kindWord(kind string) string {
	if kind == deploy.KindDroplet {
		return "droplet"
	}
	return "app"
}

// goneApps names the managed apps DigitalOcean no longer has: App Platform
// apps from one listing, droplets one by one.
func (r *Board) goneApps(ctx context.Context, apps []dobot.App) (map[string]bool, error) {
	gone := map[string]bool{}
	var live map[string]*godo.App
	for _, a := range apps {
		if a.Kind == deploy.KindDroplet {
			g, err := r.d.Plan.GoneFromDO(ctx, a)
			if err != nil {
				return nil, err
			}
			gone[a.Name] = g
			continue
		}
		if live == nil {
			byID, err := r.d.Plan.ListApps(ctx)
			if err != nil {
				return nil, err
			}
			live = byID
		}
		_, ok := live[a.ResourceID]
		gone[a.Name] = !ok
	}
	return gone, nil
}

// launchingLines lists launches of apps not recorded yet, with their id
// and phase, under a heading; "" when there are none.
func (r *Board) launchingLines(ctx context.Context, launching []dobot.Operation) string {
	if len(launching) == 0 {
		return ""
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "*Being launched (%d)*, not counted yet\n", len(launching))
	for _, op := range launching {
		fmt.Fprintf(&sb, "• *%s* — %s by %s — %s\n", op.App, deploy.Ref(op), chat.Mention(op.Requester), r.opPhase(ctx, op))
	}
	return sb.String()
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
