package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"dobot"
	"dobot/commands"
	"dobot/internal/config"
	"dobot/store"
)

// auditCommand runs "bot audit …" against the store named by BOT_DB.
func auditCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: bot audit verify | bot audit export --format csv|json [--since DURATION]")
	}
	path := getenv("BOT_DB")
	if path == "" {
		path = config.DefaultDBPath
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no database at %s (set BOT_DB to the bot's SQLite file): %w", path, err)
	}
	db, err := store.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	defer db.Close()
	switch args[0] {
	case "verify":
		n, err := db.VerifyAudit(ctx)
		if err != nil {
			return fmt.Errorf("audit trail is broken after %d good rows: %w", n, err)
		}
		fmt.Fprintf(stdout, "audit trail intact: %d rows verified\n", n)
		return nil
	case "export":
		return exportAudit(ctx, db, args[1:], stdout)
	}
	return fmt.Errorf("unknown audit command %q; use verify or export", args[0])
}

// exportAudit writes every audit row since a time, oldest first, as CSV or
// JSON lines.
func exportAudit(ctx context.Context, db *store.DB, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "csv", "")
	sinceText := fs.String("since", "", "")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("audit export: %v (usage: bot audit export --format csv|json [--since 24h|7d])", err)
	}
	var since time.Time
	if *sinceText != "" {
		var err error
		if since, err = commands.ParseSince(*sinceText, time.Now()); err != nil {
			return err
		}
	}
	header := []string{"id", "time", "user_id", "user_name", "channel", "command", "action", "target", "decision", "outcome", "error", "details", "prev_hash", "hash"}
	row := func(e dobot.AuditEntry) []string {
		return []string{strconv.FormatInt(e.ID, 10), e.Time.UTC().Format(time.RFC3339Nano), e.UserID, e.UserName, e.Channel, e.CommandText,
			e.Action, e.Target, e.Decision, e.Outcome, e.Error, e.Details, e.PrevHash, e.Hash}
	}
	switch *format {
	case "csv":
		w := csv.NewWriter(stdout)
		if err := w.Write(header); err != nil {
			return err
		}
		if err := db.AuditAll(ctx, since, func(e dobot.AuditEntry) error { return w.Write(row(e)) }); err != nil {
			return fmt.Errorf("export audit: %w", err)
		}
		w.Flush()
		return w.Error()
	case "json":
		enc := json.NewEncoder(stdout)
		return db.AuditAll(ctx, since, func(e dobot.AuditEntry) error {
			obj := map[string]string{}
			for i, v := range row(e) {
				obj[header[i]] = v
			}
			return enc.Encode(obj)
		})
	}
	return fmt.Errorf("audit export: --format must be csv or json, not %q", *format)
}
