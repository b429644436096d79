package commands

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/chatview"
)

// The home page's own buttons.
const actionHomeLaunch = "home_launch"

// homeSettle gathers the changes of one moment (an approval, its card, its
// operation starting) into one republish.
const homeSettle = 300 * time.Millisecond

// homeViewerTTL is how long after opening their home page a person's page
// is kept current; opening it again publishes it afresh anyway.
const homeViewerTTL = 24 * time.Hour

// homeMaxApps bounds the apps and lines one section shows.
const homeMaxLines = 20

// viewSide is the bot's forms and home pages: the adapter's views, who
// looks at their home page, and the live URLs seen so far.
type viewSide struct {
	views chatview.Views // nil: no forms, no home pages

	mu      sync.Mutex
	viewers map[string]time.Time // by user: when they last opened their home page
	urls    map[string]string    // live URL by app id; an app's URL does not change
	pending bool                 // a republish is scheduled
}

// withViews sets up the bot's views and returns the store the bot should
// use: d.Store, told to republish home pages when operations and apps
// change.
func (b *Bot) withViews(d Deps) Store {
	b.ui = &viewSide{views: d.Views, viewers: map[string]time.Time{}, urls: map[string]string{}}
	if d.Views == nil {
		return d.Store
	}
	return changeNotifier{Store: d.Store, changed: b.homesChanged}
}

// HomeOpened publishes the person's home page (chatview.Handler) and keeps
// it current while they may be looking.
func (b *Bot) HomeOpened(ctx context.Context, userID string) {
	b.ui.mu.Lock()
	b.ui.viewers[userID] = b.now()
	b.ui.mu.Unlock()
	b.publishHome(ctx, userID)
}

// publishHome builds and publishes userID's home page. Every publish goes
// through here, so one place decides whether this process publishes.
func (b *Bot) publishHome(ctx context.Context, userID string) {
	if b.ui.views == nil {
		return
	}
	h, err := b.homeFor(ctx, userID)
	if err != nil {
		b.log.Error("build home page", "user", userID, "err", err)
		h = chatview.Home{Sections: []chatview.Section{{Title: "Something went wrong", Text: chat.IconWarning + " The bot could not read its records just now; open this tab again in a minute."}}}
	}
	b.ui.views.PublishHome(ctx, userID, h)
}

// homesChanged republishes, shortly, the home page of everyone who looked
// at theirs lately: what it shows (apps, operations, requests, spend) is
// shared, so any change may show on any of them.
func (b *Bot) homesChanged() {
	b.ui.mu.Lock()
	defer b.ui.mu.Unlock()
	if b.ui.pending || len(b.ui.viewers) == 0 {
		return
	}
	b.ui.pending = true
	time.AfterFunc(homeSettle, func() {
		b.ui.mu.Lock()
		b.ui.pending = false
		var users []string
		for u, at := range b.ui.viewers {
			if b.now().Sub(at) > homeViewerTTL {
				delete(b.ui.viewers, u)
				continue
			}
			users = append(users, u)
		}
		b.ui.mu.Unlock()
		b.background("home pages", func(ctx context.Context) {
			for _, u := range users {
				b.publishHome(ctx, u)
			}
		})
	})
}

// HandleViewClick handles a button on a home page or a form
// (chatview.Handler): Launch opens the launch form; Approve and Deny take
// the path of the card's buttons, answering in the request's channel.
func (b *Bot) HandleViewClick(ctx context.Context, c chatview.Click) {
	ref := fmt.Sprintf("home-%s-%d", c.UserID, b.now().UnixNano())
	if c.ActionID == actionHomeLaunch {
		b.openLaunchForm(ctx, Request{Ref: ref, UserID: c.UserID, UserName: c.UserName, ChannelID: c.UserID, TriggerID: c.TriggerID})
		return
	}
	click := Click{Ref: ref, UserID: c.UserID, UserName: c.UserName, ChannelID: c.UserID, ActionID: c.ActionID, Value: c.Value, TriggerID: c.TriggerID}
	if id, err := strconv.ParseInt(c.Value, 10, 64); err == nil && (c.ActionID == clickApprove || c.ActionID == clickDeny) {
		if op, err := b.store.Operation(ctx, id); err == nil && op.Channel != "" {
			click.ChannelID = op.Channel
		}
	}
	b.HandleClick(ctx, click)
	b.publishHome(ctx, c.UserID)
}

// homeFor is what userID sees on their home page.
func (b *Bot) homeFor(ctx context.Context, userID string) (chatview.Home, error) {
	role, err := b.store.Role(ctx, userID)
	if err != nil {
		return chatview.Home{}, err
	}
	if role == dobot.RoleNone {
		return b.noRoleHome(ctx), nil
	}
	apps, err := b.store.Apps(ctx)
	if err != nil {
		return chatview.Home{}, err
	}
	// Until /do ops lands its listing, the unfinished operations are read here.
	unfinished, err := b.store.UnfinishedOperations(ctx)
	if err != nil {
		return chatview.Home{}, err
	}
	return b.homeOf(ctx, userID, role, apps, unfinished, b.now()), nil
}

// homeOf lays out the home page of userID, who has role, from the records.
func (b *Bot) homeOf(ctx context.Context, userID string, role dobot.Role, apps []dobot.App, unfinished []dobot.Operation, now time.Time) chatview.Home {
	h := chatview.Home{Sections: []chatview.Section{b.appsSection(ctx, userID, role, apps, unfinished, now)}}
	if s, ok := requestsSection(userID, role, unfinished); ok {
		h.Sections = append(h.Sections, s)
	}
	h.Sections = append(h.Sections, runningSection(unfinished), spendSection(apps, now))
	return h
}

// noRoleHome explains how to get a role.
func (b *Bot) noRoleHome(ctx context.Context) chatview.Home {
	who := "an admin"
	if admins, _ := b.store.UsersWithRole(ctx, dobot.RoleAdmin); len(admins) > 0 {
		who = "an admin (" + mentionList(admins) + ")"
	}
	return chatview.Home{Sections: []chatview.Section{{
		Title: "Welcome to dobot",
		Text: "You have no role yet, so you can read help and prices (`/do help`, `/do sizes`) but not launch or decide anything.\n" +
			"Ask " + who + " for one: `/do grant @you deployer` lets you launch and manage your own apps; approver lets you decide requests too.",
	}}}
}

// mentionList mentions each user.
func mentionList(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = chat.Mention(id)
	}
	return strings.Join(out, ", ")
}

// appsSection lists the person's apps with phase, URL, cost and TTL, and
// offers the launch form to those who may launch.
func (b *Bot) appsSection(ctx context.Context, userID string, role dobot.Role, apps []dobot.App, unfinished []dobot.Operation, now time.Time) chatview.Section {
	s := chatview.Section{Title: "Your apps"}
	busy := map[string]dobot.Operation{}
	for _, op := range unfinished {
		busy[op.App] = op
	}
	for _, app := range apps {
		if app.Owner != userID {
			continue
		}
		if len(s.Lines) == homeMaxLines {
			s.Text = fmt.Sprintf("Showing %d; `/do list` shows them all.", homeMaxLines)
			break
		}
		s.Lines = append(s.Lines, chatview.Line{Text: b.appLine(ctx, app, busy, now)})
	}
	if len(s.Lines) == 0 {
		s.Text = "You have no apps running."
	}
	if role >= dobot.RoleDeployer {
		s.Buttons = []chatview.Button{{ActionID: actionHomeLaunch, Label: "Launch an app", Value: "launch", Style: "primary"}}
	}
	return s
}

// appLine is one app: name, phase, URL, cost and expiry.
func (b *Bot) appLine(ctx context.Context, app dobot.App, busy map[string]dobot.Operation, now time.Time) string {
	parts := []string{"*" + Escape(app.Name) + "*"}
	if op, ok := busy[app.Name]; ok {
		parts = append(parts, fmt.Sprintf("%s %s #%d %s", chat.IconWork, op.Action, op.ID, stateWords(op.State)))
	} else {
		parts = append(parts, chat.IconLive+" running")
	}
	if u := b.liveURL(ctx, app); u != "" {
		parts = append(parts, chat.Link(u, u))
	}
	if app.MonthlyCents > 0 {
		parts = append(parts, money(app.MonthlyCents)+"/month")
	}
	if !app.ExpiresAt.IsZero() {
		left := app.ExpiresAt.Sub(now).Round(time.Minute)
		parts = append(parts, fmt.Sprintf("expires %s (in %s)", app.ExpiresAt.UTC().Format(timeFormat), dobot.FormatDuration(max(left, 0))))
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

// liveURL is an App Platform app's live URL, asked of DigitalOcean once
// and then remembered; "" for droplets and apps not live yet.
func (b *Bot) liveURL(ctx context.Context, app dobot.App) string {
	if app.Kind == kindDroplet || app.ResourceID == "" {
		return ""
	}
	b.ui.mu.Lock()
	u, ok := b.ui.urls[app.ResourceID]
	b.ui.mu.Unlock()
	if ok {
		return u
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	got, _, err := b.apps.Get(ctx, app.ResourceID)
	if err != nil || got.LiveURL == "" {
		return ""
	}
	b.ui.mu.Lock()
	b.ui.urls[app.ResourceID] = got.LiveURL
	b.ui.mu.Unlock()
	return got.LiveURL
}

// requestsSection lists the requests waiting for userID's decision (for
// approvers, with Approve and Deny) and their own requests waiting for
// someone else's.
func requestsSection(userID string, role dobot.Role, unfinished []dobot.Operation) (chatview.Section, bool) {
	s := chatview.Section{Title: "Requests"}
	for _, op := range unfinished {
		if op.State != dobot.OpAwaitingApproval || len(s.Lines) == homeMaxLines {
			continue
		}
		expires := op.ExpiresAt.UTC().Format(timeFormat)
		switch {
		case op.Requester == userID:
			s.Lines = append(s.Lines, chatview.Line{Text: fmt.Sprintf("%s Your request #%d to %s %s waits for an approver (expires %s).",
				chat.IconWaiting, op.ID, op.Action, Escape(op.App), expires)})
		case role >= dobot.RoleApprover:
			id := strconv.FormatInt(op.ID, 10)
			s.Lines = append(s.Lines, chatview.Line{
				Text: fmt.Sprintf("%s Request #%d: %s asks to %s %s. Reason: %s. Expires %s.", chat.IconAsk, op.ID, chat.Mention(op.Requester),
					op.Action, Escape(op.App), reasonText(op.Reason), expires),
				Buttons: []chatview.Button{{ActionID: clickApprove, Label: "Approve", Value: id, Style: "primary"},
					{ActionID: clickDeny, Label: "Deny", Value: id, Style: "danger"}},
			})
		}
	}
	return s, len(s.Lines) > 0
}

// reasonText is a request's reason, escaped, or says there is none.
func reasonText(r string) string {
	if r = strings.TrimSpace(r); r == "" {
		return "none given"
	}
	return Escape(r)
}

// runningSection lists the operations running now, everyone's.
func runningSection(unfinished []dobot.Operation) chatview.Section {
	s := chatview.Section{Title: "Running now"}
	for _, op := range unfinished {
		if op.State != dobot.OpRunning || len(s.Lines) == homeMaxLines {
			continue
		}
		s.Lines = append(s.Lines, chatview.Line{Text: fmt.Sprintf("%s #%d %s %s, by %s since %s", chat.IconWork, op.ID, op.Action, Escape(op.App),
			chat.Mention(op.Requester), op.CreatedAt.UTC().Format(timeFormat))})
	}
	if len(s.Lines) == 0 {
		s.Text = "Nothing is running."
	}
	return s
}

// spendSection is this month's spend so far, by owner and in total: each
// app's monthly price from DigitalOcean's price list, for the share of the
// month it has run (from its launch or the 1st, to now).
func spendSection(apps []dobot.App, now time.Time) chatview.Section {
	now = now.UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	month := start.AddDate(0, 1, 0).Sub(start)
	byOwner := map[string]int64{}
	var total int64
	for _, app := range apps {
		c := monthSpend(app, start, now, month)
		byOwner[app.Owner] += c
		total += c
	}
	var lines []string
	owners := slices.Collect(maps.Keys(byOwner))
	sort.Slice(owners, func(i, j int) bool {
		if byOwner[owners[i]] != byOwner[owners[j]] {
			return byOwner[owners[i]] > byOwner[owners[j]]
		}
		return owners[i] < owners[j]
	})
	for _, o := range owners {
		lines = append(lines, fmt.Sprintf("%s: %s", chat.Mention(o), money(byOwner[o])))
	}
	lines = append(lines, fmt.Sprintf("*Total: %s* for %s, at DigitalOcean's list prices (apps torn down earlier this month are not counted).",
		money(total), now.Format("January 2006")))
	return chatview.Section{Title: "Spend this month", Text: strings.Join(lines, "\n")}
}

// monthSpend is what app has cost since start (the 1st of the month) until
// now, in cents.
func monthSpend(app dobot.App, start, now time.Time, month time.Duration) int64 {
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

// changeNotifier is the bot's store, telling homesChanged of every change
// a home page shows: operations created, decided or ended, apps recorded,
// changed or deleted. Progress of a running operation is not such a change.
type changeNotifier struct {
	Store
	changed func()
}

func (s changeNotifier) notify(err error) {
	if err == nil {
		s.changed()
	}
}

func (s changeNotifier) CreateOperation(ctx context.Context, op dobot.Operation) (dobot.Operation, error) {
	out, err := s.Store.CreateOperation(ctx, op)
	s.notify(err)
	return out, err
}

func (s changeNotifier) UpdateOperation(ctx context.Context, op dobot.Operation) error {
	err := s.Store.UpdateOperation(ctx, op)
	if op.State.Final() {
		s.notify(err)
	}
	return err
}

func (s changeNotifier) Transition(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation)) (dobot.Operation, bool, error) {
	op, ok, err := s.Store.Transition(ctx, id, from, to, mutate)
	if ok {
		s.notify(err)
	}
	return op, ok, err
}

func (s changeNotifier) Decide(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation),
	entry func(dobot.Operation) dobot.AuditEntry) (dobot.Operation, bool, dobot.AuditEntry, error) {
	op, ok, e, err := s.Store.Decide(ctx, id, from, to, mutate, entry)
	if ok {
		s.notify(err)
	}
	return op, ok, e, err
}

func (s changeNotifier) RecordCreation(ctx context.Context, op dobot.Operation, app dobot.App) error {
	err := s.Store.RecordCreation(ctx, op, app)
	s.notify(err)
	return err
}

func (s changeNotifier) PutApp(ctx context.Context, app dobot.App) error {
	err := s.Store.PutApp(ctx, app)
	s.notify(err)
	return err
}

func (s changeNotifier) DeleteApp(ctx context.Context, name string) error {
	err := s.Store.DeleteApp(ctx, name)
	s.notify(err)
	return err
}

func (s changeNotifier) UpdateAppExpiry(ctx context.Context, name string, from, to time.Time, reminded bool) (bool, error) {
	ok, err := s.Store.UpdateAppExpiry(ctx, name, from, to, reminded)
	if ok {
		s.notify(err)
	}
	return ok, err
}
