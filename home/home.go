// Package home lays out each person's home page (Slack's Home tab) from
// the bot's records: their apps with phase, URL, cost and expiry; the
// requests waiting for them or for others; what runs now; and this month's
// spend. It is pure: the caller reads the records, and publishes the page
// through chatview.Views.
package home

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/chatview"
	"dobot/ops"
)

// The action ids of a home page's buttons. Approve and Deny are the
// approval card's, so a press takes the card's path.
const (
	ActionLaunch  = "home_launch"
	ActionApprove = "approve"
	ActionDeny    = "deny"
)

// MaxLines bounds the lines one section shows.
const MaxLines = 20

// Input is what one person's home page is made of.
type Input struct {
	User       string
	Role       dobot.Role
	CanLaunch  bool
	Apps       []dobot.App       // every app the bot manages
	Unfinished []dobot.Operation // requests and operations not yet ended
	Holds      []string          // one line per lock and freeze in force, as neutral text
	Now        time.Time
	// URL is an app's live URL, or "" when unknown.
	URL func(dobot.App) string
	// Escape makes untrusted text (names, reasons) safe in a line.
	Escape func(string) string
}

// Page lays out in.User's home page.
func Page(in Input) chatview.Home {
	if in.Escape == nil {
		in.Escape = chat.Clean
	}
	if in.URL == nil {
		in.URL = func(dobot.App) string { return "" }
	}
	h := chatview.Home{Sections: []chatview.Section{appsSection(in)}}
	if len(in.Holds) > 0 {
		h.Sections = append(h.Sections, holdsSection(in.Holds))
	}
	if s, ok := requestsSection(in); ok {
		h.Sections = append(h.Sections, s)
	}
	h.Sections = append(h.Sections, runningSection(in), spendSection(in.Apps, in.Now))
	return h
}

// holdsSection lists the locks and freezes in force.
func holdsSection(lines []string) chatview.Section {
	s := chatview.Section{Title: "Locks and freezes"}
	for i, l := range lines {
		if i == MaxLines {
			s.Text = fmt.Sprintf("Showing %d; `/do list` shows them all.", MaxLines)
			break
		}
		s.Lines = append(s.Lines, chatview.Line{Text: l})
	}
	return s
}

// NoRole is the home page of someone without a role: how to get one.
func NoRole(admins []string) chatview.Home {
	who := "an admin"
	if len(admins) > 0 {
		who = "an admin (" + mentionList(admins) + ")"
	}
	return chatview.Home{Sections: []chatview.Section{{
		Title: "Welcome to dobot",
		Text: "You have no role yet, so you can read help and prices (`/do help`, `/do sizes`) but not launch or decide anything.\n" +
			"Ask " + who + " for one: `/do grant @you deployer` lets you launch and manage your own apps; approver lets you decide requests too.",
	}}}
}

// Trouble is the page shown when the records cannot be read.
func Trouble() chatview.Home {
	return chatview.Home{Sections: []chatview.Section{{Title: "Something went wrong",
		Text: chat.IconWarning + " The bot could not read its records just now; open this tab again in a minute."}}}
}

func mentionList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = chat.Mention(id)
	}
	return strings.Join(out, ", ")
}

// appsSection lists the person's apps, and offers the launch form to
// those who may launch.
func appsSection(in Input) chatview.Section {
	s := chatview.Section{Title: "Your apps"}
	busy := map[string]dobot.Operation{}
	for _, op := range in.Unfinished {
		busy[op.App] = op
	}
	for _, app := range in.Apps {
		if app.Owner != in.User {
			continue
		}
		if len(s.Lines) == MaxLines {
			s.Text = fmt.Sprintf("Showing %d; `/do list` shows them all.", MaxLines)
			break
		}
		s.Lines = append(s.Lines, chatview.Line{Text: appLine(in, app, busy)})
	}
	if len(s.Lines) == 0 {
		s.Text = "You have no apps running."
	}
	if in.CanLaunch {
		s.Buttons = []chatview.Button{{ActionID: ActionLaunch, Label: "Launch an app", Value: "launch", Style: "primary"}}
	}
	return s
}

// appLine is one app: name, phase, URL, cost and expiry.
func appLine(in Input, app dobot.App, busy map[string]dobot.Operation) string {
	parts := []string{"*" + in.Escape(app.Name) + "*"}
	if op, ok := busy[app.Name]; ok {
		parts = append(parts, fmt.Sprintf("%s %s #%d %s", chat.IconWork, op.Action, op.ID, stateWords(op.State)))
	} else {
		parts = append(parts, chat.IconLive+" running")
	}
	if u := in.URL(app); u != "" {
		parts = append(parts, chat.Link(u, u))
	}
	if app.MonthlyCents > 0 {
		parts = append(parts, money(app.MonthlyCents)+"/month")
	}
	if !app.ExpiresAt.IsZero() {
		left := app.ExpiresAt.Sub(in.Now).Round(time.Minute)
		parts = append(parts, fmt.Sprintf("expires %s (in %s)", app.ExpiresAt.UTC().Format(ops.TimeFormat), dobot.FormatDuration(max(left, 0))))
	}
	return strings.Join(parts, " · ")
}

// stateWords is an operation's state as words.
func stateWords(s dobot.OpState) string {
	if s == dobot.OpAwaitingApproval {
		return "waits for approval"
	}
	return strings.ReplaceAll(string(s), "_", " ")
}

// requestsSection lists the requests waiting for the person's decision
// (for approvers, with Approve and Deny) and their own requests waiting
// for someone else's.
func requestsSection(in Input) (chatview.Section, bool) {
	s := chatview.Section{Title: "Requests"}
	for _, op := range in.Unfinished {
		if op.State != dobot.OpAwaitingApproval || len(s.Lines) == MaxLines {
			continue
		}
		expires := op.ExpiresAt.UTC().Format(ops.TimeFormat)
		switch {
		case op.Requester == in.User:
			s.Lines = append(s.Lines, chatview.Line{Text: fmt.Sprintf("%s Your request #%d to %s %s waits for an approver (expires %s).",
				chat.IconWaiting, op.ID, op.Action, in.Escape(op.App), expires)})
		case in.Role >= dobot.RoleApprover:
			id := strconv.FormatInt(op.ID, 10)
			reason := strings.TrimSpace(op.Reason)
			if reason == "" {
				reason = "none given"
			} else {
				reason = in.Escape(reason)
			}
			s.Lines = append(s.Lines, chatview.Line{
				Text: fmt.Sprintf("%s Request #%d: %s asks to %s %s. Reason: %s. Expires %s.", chat.IconAsk, op.ID, chat.Mention(op.Requester),
					op.Action, in.Escape(op.App), reason, expires),
				Buttons: []chatview.Button{{ActionID: ActionApprove, Label: "Approve", Value: id, Style: "primary"},
					{ActionID: ActionDeny, Label: "Deny", Value: id, Style: "danger"}},
			})
		}
	}
	return s, len(s.Lines) > 0
}

// runningSection lists the operations running now, everyone's.
func runningSection(in Input) chatview.Section {
	s := chatview.Section{Title: "Running now"}
	for _, op := range in.Unfinished {
		if op.State != dobot.OpRunning || len(s.Lines) == MaxLines {
			continue
		}
		s.Lines = append(s.Lines, chatview.Line{Text: fmt.Sprintf("%s #%d %s %s, by %s since %s", chat.IconWork, op.ID, op.Action, in.Escape(op.App),
			chat.Mention(op.Requester), op.CreatedAt.UTC().Format(ops.TimeFormat))})
	}
	if len(s.Lines) == 0 {
		s.Text = "Nothing is running."
	}
	return s
}

// spendSection is this month's spend so far, by owner and in total: each
// app's monthly price from DigitalOcean's price list (recorded at launch),
// for the share of the month it has run, from its launch or the 1st.
func spendSection(apps []dobot.App, now time.Time) chatview.Section {
	now = now.UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	byOwner := map[string]int64{}
	var total int64
	for _, app := range apps {
		c := MonthSpend(app, now)
		byOwner[app.Owner] += c
		total += c
	}
	owners := slices.Collect(maps.Keys(byOwner))
	sort.Slice(owners, func(i, j int) bool {
		if byOwner[owners[i]] != byOwner[owners[j]] {
			return byOwner[owners[i]] > byOwner[owners[j]]
		}
		return owners[i] < owners[j]
	})
	var lines []string
	for _, o := range owners {
		lines = append(lines, fmt.Sprintf("%s: %s", chat.Mention(o), money(byOwner[o])))
	}
	lines = append(lines, fmt.Sprintf("*Total: %s* for %s, at DigitalOcean's list prices (apps torn down earlier this month are not counted).",
		money(total), start.Format("January 2006")))
	return chatview.Section{Title: "Spend this month", Text: strings.Join(lines, "\n")}
}

// MonthSpend is what app has cost this month until now, in cents: its
// monthly price for the share of the month (by the calendar) it has run,
// never more than the monthly price.
func MonthSpend(app dobot.App, now time.Time) int64 {
	now = now.UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	month := start.AddDate(0, 1, 0).Sub(start)
	from := app.CreatedAt
	if from.Before(start) {
		from = start
	}
	ran := now.Sub(from)
	if ran <= 0 || app.MonthlyCents <= 0 {
		return 0
	}
	return min(app.MonthlyCents, int64(float64(app.MonthlyCents)*float64(ran)/float64(month)+0.5))
}

// money writes cents as dollars.
func money(c int64) string { return dobot.Money(c) }
