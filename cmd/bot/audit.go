package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"dobot"
	"dobot/auditview"
	"dobot/internal/config"
	"dobot/store"
)

const auditUsage = "usage: bot audit verify [--head ID:HASH] | bot audit export --format csv|json [--since DURATION]"

// auditCommand runs "bot audit …" against the store named by BOT_DB. Both
// subcommands open it read-only and apply no migrations: they must not
// change what they inspect, and must work on a copy nobody may write (on
// PostgreSQL, in read-only transactions).
func auditCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError(errors.New(auditUsage))
	}
	path := getenv("BOT_DB")
	if path == "" {
		path = config.DefaultDBPath
	}
	switch args[0] {
	case "verify":
		return verifyAudit(ctx, path, args[1:], getenv, stdout)
	case "export":
		if _, err := os.Stat(path); err != nil && !store.IsPostgres(path) {
			return fmt.Errorf("no database at %s (set BOT_DB to the bot's SQLite file): %w", path, err)
		}
		db, err := store.OpenReadOnly(ctx, path, nil)
		if err != nil {
			return err
		}
		defer db.Close()
		return exportAudit(ctx, db, args[1:], stdout)
	}
	return usageError(fmt.Errorf("unknown audit command %q; use verify or export\n%s", args[0], auditUsage))
}

// verifyAudit checks the audit trail and exits 0 when it is intact, 1 naming
// the first bad row, and 2 when it cannot check (usage, key, file).
func verifyAudit(ctx context.Context, path string, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	headText := fs.String("head", "", "")
	if err := fs.Parse(args); err != nil {
		return usageError(fmt.Errorf("audit verify: %v\n%s", err, auditUsage))
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Errorf("audit verify takes only --head, not %q\n%s", fs.Arg(0), auditUsage))
	}
	var head *store.AuditCheckpoint
	if *headText != "" {
		cp, err := store.ParseAuditCheckpoint(*headText)
		if err != nil {
			return usageError(fmt.Errorf("--head %w", err))
		}
		head = &cp
	}
	if _, err := os.Stat(path); err != nil && !store.IsPostgres(path) {
		return usageError(fmt.Errorf("no database at %s (set BOT_DB to the bot's SQLite file): %w", path, err))
	}
	key, err := auditKey(path, getenv)
	if err != nil {
		return usageError(err)
	}
	db, err := store.OpenReadOnly(ctx, path, key)
	if err != nil {
		return usageError(err)
	}
	defer db.Close()

	rep, err := db.VerifyAuditTrail(ctx, head)
	var brk *store.AuditBreak
	if errors.As(err, &brk) {
		return &exitError{code: 1, err: fmt.Errorf("audit trail broken at %v", brk)}
	}
	if err != nil {
		return usageError(err)
	}
	fmt.Fprintf(stdout, "audit trail intact: %d rows", rep.Rows)
	if rep.Rows > 0 {
		fmt.Fprintf(stdout, ", head %s", dobot.AuditEntry{ID: rep.HeadID, Hash: rep.HeadHash}.Ref())
	}
	if head != nil {
		fmt.Fprintf(stdout, ", matches checkpoint #%d · %s", head.ID, head.HashPrefix)
	}
	fmt.Fprintln(stdout)
	if rep.Unkeyed > 0 {
		fmt.Fprintf(stdout, "rows 1–%d are unkeyed: plain SHA-256 from before the audit key, checked, and anchored by keyed row %d\n",
			rep.Unkeyed, rep.Unkeyed+1)
	}
	if head == nil {
		fmt.Fprintln(stdout, "rows cut off the end are caught only against a checkpoint: run again with --head ID:HASH from the latest audit channel line")
	}
	return nil
}

// auditKey is BOT_AUDIT_KEY when set, else the key file the bot keeps beside
// a SQLite database. It is never printed.
func auditKey(dbPath string, getenv func(string) string) ([]byte, error) {
	if k := strings.TrimSpace(getenv("BOT_AUDIT_KEY")); k != "" {
		if err := store.CheckAuditKey([]byte(k)); err != nil {
			return nil, fmt.Errorf("BOT_AUDIT_KEY: %w", err)
		}
		return []byte(k), nil
	}
	if store.IsPostgres(dbPath) {
		return nil, errors.New("no audit key: set BOT_AUDIT_KEY to the key the bots on this PostgreSQL database share")
	}
	file := store.AuditKeyPath(dbPath)
	key, err := store.ReadAuditKeyFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no audit key: set BOT_AUDIT_KEY to the bot's key, or keep the bot's key file at %s", file)
	}
	return key, err
}

// exportAudit writes every audit row since a time, oldest first, as CSV or
// JSON lines.
func exportAudit(ctx context.Context, db *store.DB, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "csv", "")
	sinceText := fs.String("since", "", "")
	if err := fs.Parse(args); err != nil {
		return usageError(fmt.Errorf("audit export: %v (usage: bot audit export --format csv|json [--since 24h|7d])", err))
	}
	var since time.Time
	if *sinceText != "" {
		var err error
		if since, err = auditview.ParseSince(*sinceText, time.Now()); err != nil {
			return usageError(err)
		}
	}
	err := auditview.Export(ctx, db, *format, since, stdout)
	var ferr *auditview.FormatError
	if errors.As(err, &ferr) {
		return usageError(err)
	}
	return err
}
