package commands

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
)

// Audit listing limits: a Slack answer holds at most maxAuditRows rows, sent
// in pages of auditPageRows; bigger listings are for `bot audit export`.
const (
	defaultAuditRows = 20
	maxAuditRows     = 200
	auditPageRows    = 40
)

var actionPattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,40}$`)

// AuditArgs select audit rows.
type AuditArgs struct {
	Filter    dobot.AuditFilter
	sinceText string // resolved against the bot's clock when run
}

var auditCommand = &Command{
	Name:        "audit",
	Usage:       "audit [--user @u] [--app NAME] [--action A] [--since 24h|7d] [--limit N]",
	Description: "List audit rows, newest first: who did what, when, who approved it and what DigitalOcean answered.",
	Examples:    []string{"audit --app web --since 7d", "audit --user @ana --limit 50"},
	MinRole:     dobot.RoleApprover,
	Parse:       parseAudit,
	Run:         runAudit,
}

// ParseSince reads a --since value: a duration as dobot.ParseDuration
// reads it (90m, 24h, 7d, 1d12h), at most 100 years back.
func ParseSince(s string, now time.Time) (time.Time, error) {
	d, err := dobot.ParseDuration(s)
	if err != nil || d <= 0 || d > 36500*dobot.Day {
		return time.Time{}, fmt.Errorf("--since %q: use a duration like 24h, 90m, 7d or 1d12h", s)
	}
	return now.Add(-d), nil
}

func parseAudit(words []string, _ Config) (any, error) {
	fs := cmdline.NewFlagSet("audit")
	user := fs.String("user", "", "")
	app := fs.String("app", "", "")
	action := fs.String("action", "", "")
	since := fs.String("since", "", "")
	limit := &cmdline.IntFlag{Name: "limit", Min: 1, Max: maxAuditRows, Value: defaultAuditRows}
	fs.Var(limit, "limit", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, userErrorf("audit takes only flags, not %q; see `/do help audit`", strings.Join(pos, " "))
	}
	args := AuditArgs{Filter: dobot.AuditFilter{Limit: limit.Value}}
	if *user != "" {
		if args.Filter.UserID, err = ParseUser(*user); err != nil {
			return nil, err
		}
	}
	if *app != "" {
		if err := ValidAppName(*app); err != nil {
			return nil, err
		}
		args.Filter.Target = *app
	}
	if *action != "" {
		if !actionPattern.MatchString(*action) {
			return nil, userErrorf("bad --action %q: use an action name like launch, teardown or approval.decision", *action)
		}
		args.Filter.Action = *action
	}
	if *since != "" {
		// The time is fixed when the command runs; here only check it.
		if _, err := ParseSince(*since, time.Now()); err != nil {
			return nil, userErrorf("%v", err)
		}
		args.sinceText = *since
	}
	return args, nil
}

func runAudit(ctx context.Context, b *Bot, inv *Invocation) error {
	args, err := argsOf[AuditArgs](inv)
	if err != nil {
		return err
	}
	f := args.Filter
	if args.sinceText != "" {
		f.Since, _ = ParseSince(args.sinceText, b.now())
	}
	// Ask for one more row than shown, to know whether there are more.
	want := f.Limit
	f.Limit = want + 1
	rows, err := b.store.Audit(ctx, f)
	if err != nil {
		return fmt.Errorf("read audit: %w", err)
	}
	more := len(rows) > want
	if more {
		rows = rows[:want]
	}
	if len(rows) == 0 {
		b.tell(ctx, inv.Req, infoMessage("No audit rows match."))
		return nil
	}
	pages := (len(rows) + auditPageRows - 1) / auditPageRows
	for p := 0; p < pages; p++ {
		part := rows[p*auditPageRows : min((p+1)*auditPageRows, len(rows))]
		var sb strings.Builder
		fmt.Fprintf(&sb, "*Audit, newest first* (rows %d–%d", p*auditPageRows+1, p*auditPageRows+len(part))
		if pages > 1 {
			fmt.Fprintf(&sb, ", page %d of %d", p+1, pages)
		}
		sb.WriteString(")\n")
		for _, e := range part {
			sb.WriteString(auditLine(e))
			sb.WriteString("\n")
		}
		if p == pages-1 && more {
			fmt.Fprintf(&sb, "_More rows match: raise --limit (up to %d), narrow with --since, or run `bot audit export` for everything._", maxAuditRows)
		}
		b.tell(ctx, inv.Req, infoMessage(sb.String()))
	}
	return nil
}

// auditLine is one audit row as one readable line.
func auditLine(e dobot.AuditEntry) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "`%s` %s %s", e.Time.UTC().Format("2006-01-02 15:04:05"), userMention(e.UserID), Escape(e.Action))
	if e.Target != "" {
		fmt.Fprintf(&sb, " *%s*", Escape(e.Target))
	}
	if e.Decision != "" {
		fmt.Fprintf(&sb, " · %s", Escape(e.Decision))
	}
	if e.Outcome != "" {
		fmt.Fprintf(&sb, " · %s", Escape(e.Outcome))
	}
	if e.Details != "" {
		fmt.Fprintf(&sb, " · %s", Escape(e.Details))
	}
	if e.Error != "" {
		fmt.Fprintf(&sb, " · _%s_", Escape(clipText(e.Error, 200)))
	}
	return sb.String()
}

// auditMirrorLine is a row as the audit channel shows it, led by the row's
// id and hash prefix ("#1234 · 3f9a1c2b"): the channel then holds a copy of
// the chain outside the database, and `bot audit verify --head` checks the
// database against its latest line.
func auditMirrorLine(e dobot.AuditEntry) string {
	return "`" + e.Ref() + "` " + mirrorLine(e)
}

// mirrorLine is the audit channel's line for a row. A refused command
// shows only who tried which command: its text and error may be anything
// a person with no role typed, and never reach the channel verbatim.
func mirrorLine(e dobot.AuditEntry) string {
	if e.Decision != "refused" {
		return auditLine(e)
	}
	action := e.Action
	if !actionPattern.MatchString(action) {
		action = "a command"
	}
	target := ""
	if dobot.IsAppName(e.Target) {
		target = " on *" + e.Target + "*"
	}
	why := ""
	if outcomeWords.MatchString(e.Outcome) { // the bot's own words: "not permitted", "bad input"
		why = ": " + e.Outcome
	}
	return fmt.Sprintf("`%s` %s tried `%s`%s (refused%s)", e.Time.UTC().Format("2006-01-02 15:04:05"), userMention(e.UserID), action, target, why)
}

var outcomeWords = regexp.MustCompile(`^[a-z][a-z ]{0,29}$`)

// userMention mentions a user by id, or shows the text when it is not a
// user id (the bot itself, a stored oddity).
func userMention(id string) string { return chat.Mention(id) }

// auditWorthMirroring picks the rows the audit channel shows: every change
// and every decision, but not reads or the "started" half of a command.
func auditWorthMirroring(e dobot.AuditEntry) bool {
	if e.Outcome == "started" {
		return false
	}
	switch e.Decision {
	case "approved", "denied", "expired", "pending":
		return true
	}
	if strings.HasPrefix(e.Action, "do.") || strings.HasPrefix(e.Action, "approval.") || strings.HasPrefix(e.Action, "policy") {
		return true
	}
	switch e.Action {
	case ActionLaunch, ActionTeardown, "grant", "revoke", "cancel", "lock", "unlock", "freeze", "unfreeze", "watch", "break-glass":
		return true
	}
	return false
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
