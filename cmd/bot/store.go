package main

import (
	"context"
	"fmt"
	"log/slog"

	"dobot/internal/config"
	"dobot/store"
)

// openStore opens the bot's store with its audit chain keyed by
// BOT_AUDIT_KEY, or else by the key file beside the database, and says
// which at start: the file's path, never the key.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.DB, error) {
	var opts []store.Option
	if cfg.AuditKey != "" {
		opts = append(opts, store.WithAuditKey([]byte(cfg.AuditKey)))
	}
	db, err := store.Open(ctx, cfg.DBPath, opts...)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", cfg.DBPath, err)
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
