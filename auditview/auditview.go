// Package auditview shows the audit trail to people: the /do audit
// filter, its rows as readable lines in pages, the audit channel's mirror
// lines (which `bot audit verify --head` reads), and `bot audit export`.
// It reads rows through a one-method store and writes neutral message
// text (chat tokens, no markup).
package auditview

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/reply"
)

// Listing limits: an answer holds at most MaxRows rows, sent in pages of
// pageRows; bigger listings are for `bot audit export`.
const (
	defaultRows = 20
	// MaxRows is the most rows /do audit shows.
	MaxRows  = 200
	pageRows = 40
)

var actionPattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{0,40}$`)

// Args select audit rows.
type Args struct {
	Filter dobot.AuditFilter
	// Since is the --since text, resolved against the bot's clock when
	// the command runs (Rows), not when it is parsed.
	Since string
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

// Parse reads /do audit's flags.
func Parse(words []string) (Args, error) {
	fs := cmdline.NewFlagSet("audit")
	user := fs.String("user", "", "")
	app := fs.String("app", "", "")
	action := fs.String("action", "", "")
	since := fs.String("since", "", "")
	limit := &cmdline.IntFlag{Name: "limit", Min: 1, Max: MaxRows, Value: defaultRows}
	fs.Var(limit, "limit", "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return Args{}, err
	}
	if len(pos) > 0 {
		return Args{}, reply.Errorf("audit takes only flags, not %q; see `/do help audit`", strings.Join(pos, " "))
	}
	args := Args{Filter: dobot.AuditFilter{Limit: limit.Value}}
	if *user != "" {
		if args.Filter.UserID, err = cmdline.ParseUser(*user); err != nil {
			return Args{}, err
		}
	}
	if *app != "" {
		if err := reply.FromDomain(dobot.ValidAppName(*app)); err != nil {
			return Args{}, err
		}
		args.Filter.Target = *app
	}
	if *action != "" {
		if !actionPattern.MatchString(*action) {
			return Args{}, reply.Errorf("bad --action %q: use an action name like launch, teardown or approval.decision", *action)
		}
		args.Filter.Action = *action
	}
	if *since != "" {
		// The time is fixed when the command runs; here only check it.
		if _, err := ParseSince(*since, time.Now()); err != nil {
			return Args{}, reply.Errorf("%v", err)
		}
		args.Since = *since
	}
	return args, nil
}

// Store reads audit rows, newest first.
type Store interface {
	Audit(ctx context.Context, f dobot.AuditFilter) ([]dobot.AuditEntry, error)
}

// Pages are the rows args select as the messages that show them, newest
// first, in pages; one message when nothing matches. now resolves --since.
func Pages(ctx context.Context, st Store, args Args, now time.Time) ([]chat.Message, error) {
	f := args.Filter
	if args.Since != "" {
		f.Since, _ = ParseSince(args.Since, now)
	}
	// Ask for one more row than shown, to know whether there are more.
	want := f.Limit
	f.Limit = want + 1
	rows, err := st.Audit(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	more := len(rows) > want
	if more {
		rows = rows[:want]
	}
	if len(rows) == 0 {
		return []chat.Message{{Text: "No audit rows match."}}, nil
	}
	pages := (len(rows) + pageRows - 1) / pageRows
	out := make([]chat.Message, 0, pages)
	for p := 0; p < pages; p++ {
		part := rows[p*pageRows : min((p+1)*pageRows, len(rows))]
		var sb strings.Builder
		fmt.Fprintf(&sb, "*Audit, newest first* (rows %d–%d", p*pageRows+1, p*pageRows+len(part))
		if pages > 1 {
			fmt.Fprintf(&sb, ", page %d of %d", p+1, pages)
		}
		sb.WriteString(")\n")
		for _, e := range part {
			sb.WriteString(Line(e))
			sb.WriteString("\n")
		}
		if p == pages-1 && more {
			fmt.Fprintf(&sb, "_More rows match: raise --limit (up to %d), narrow with --since, or run `bot audit export` for everything._", MaxRows)
		}
		out = append(out, chat.Message{Text: sb.String()})
	}
	return out, nil
}

// Line is one audit row as one readable line.
func Line(e dobot.AuditEntry) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "`%s` %s %s", e.Time.UTC().Format("2006-01-02 15:04:05"), chat.Mention(e.UserID), reply.Escape(e.Action))
	if e.Target != "" {
		fmt.Fprintf(&sb, " *%s*", reply.Escape(e.Target))
	}
	if e.Decision != "" {
		fmt.Fprintf(&sb, " · %s", reply.Escape(e.Decision))
	}
	if e.Outcome != "" {
		fmt.Fprintf(&sb, " · %s", reply.Escape(e.Outcome))
	}
	if e.Details != "" {
		fmt.Fprintf(&sb, " · %s", reply.Escape(e.Details))
	}
	if e.Error != "" {
		fmt.Fprintf(&sb, " · _%s_", reply.Escape(clipText(e.Error, 200)))
	}
	return sb.String()
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
