package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"dobot"
	"dobot/internal/config"
	"dobot/store"
)

// openStore opens the bot's store with its audit chain keyed by
// BOT_AUDIT_KEY, or else by the key file beside the database, and says
// which at start: the file's path, never the key.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	opts := []store.Option{store.WithInstance(cfg.Instance)}
	if cfg.AuditKey != "" {
		opts = append(opts, store.WithAuditKey([]byte(cfg.AuditKey)))
	}
	db, err := store.Open(ctx, cfg.DBPath, opts...)
	if err != nil {
		return nil, err // it names the database, its password replaced
	}
	info := db.AuditKeyInfo()
	switch {
	case info.File == "":
		log.Info("audit chain keyed with BOT_AUDIT_KEY")
	case info.Created:
		log.Info("BOT_AUDIT_KEY is not set: generated an audit key file; keep it private and back it up apart from the database",
			"file", info.File)
	default:
		log.Info("BOT_AUDIT_KEY is not set: audit chain keyed with the key file", "file", info.File)
	}
	if info.Anchored > 0 {
		log.Info("audit rows from before the key keep their plain SHA-256 hashes; a keyed audit.keyed row now anchors them",
			"unkeyed_rows", info.Anchored)
	}
	if info.ForeignHead > 0 {
		log.Error("the audit trail's last row was not written with this audit key, so `bot audit verify` will report it: "+
			"give the bot the key that wrote it (BOT_AUDIT_KEY, or the key file beside the database)", "row", info.ForeignHead)
	}
	return db, nil
}

const storeUsage = "usage: bot store copy --from SOURCE --to TARGET (each a SQLite file or a postgres:// URL; the target must be empty)"

// storeCommand runs "bot store …".
func storeCommand(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "copy" {
		return usageError(errors.New(storeUsage))
	}
	fs := flag.NewFlagSet("store copy", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "")
	to := fs.String("to", "", "")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError(fmt.Errorf("store copy: %v\n%s", err, storeUsage))
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return usageError(errors.New(storeUsage))
	}
	return copyStore(ctx, *from, *to, getenv, stdout)
}

// copyStore copies every row from one store into an empty one, keeping the
// audit chain's ids and hashes, and verifies the chain on the target with
// the key that wrote it. The source is opened as the bot opens it, so a bot
// still running on a SQLite source stops the copy.
func copyStore(ctx context.Context, from, to string, getenv func(string) string, stdout io.Writer) error {
	if !store.IsPostgres(from) {
		if _, err := os.Stat(from); err != nil {
			return usageError(fmt.Errorf("store copy: no database at %s: %w", from, err))
		}
	}
	key, err := auditKey(from, getenv)
	if err != nil {
		return usageError(fmt.Errorf("store copy: %w", err))
	}
	src, err := store.Open(ctx, from, store.WithAuditKey(key))
	if err != nil {
		return fmt.Errorf("store copy: %w", err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, to, store.WithAuditKey(key))
	if err != nil {
		return fmt.Errorf("store copy: %w", err)
	}
	defer dst.Close()
	rep, err := store.Copy(ctx, src, dst)
	if err != nil {
		return fmt.Errorf("store copy from %s to %s: %w", store.RedactURL(from), store.RedactURL(to), err)
	}
	for _, t := range rep.Tables {
		fmt.Fprintf(stdout, "%-16s %d rows\n", t, rep.Rows[t])
	}
	vrep, err := dst.VerifyAuditTrail(ctx, nil)
	if err != nil {
		return fmt.Errorf("store copy: copied, but the audit trail does not verify on %s: %w", store.RedactURL(to), err)
	}
	fmt.Fprintf(stdout, "copied %s to %s; audit trail intact there: %d rows", store.RedactURL(from), store.RedactURL(to), vrep.Rows)
	if vrep.Rows > 0 {
		fmt.Fprintf(stdout, ", head %s", dobot.AuditEntry{ID: vrep.HeadID, Hash: vrep.HeadHash}.Ref())
	}
	fmt.Fprintln(stdout)
	if strings.TrimSpace(getenv("BOT_AUDIT_KEY")) == "" && store.IsPostgres(to) {
		fmt.Fprintf(stdout, "the trail is keyed with the key file %s: run the bot on %s with BOT_AUDIT_KEY set to that file's contents\n",
			store.AuditKeyPath(from), store.RedactURL(to))
	}
	return nil
}
