package main

import (
	"context"
	"errors"
	"fmt"
	"io"

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
	}
	return fmt.Errorf("unknown audit command %q; use verify or export", args[0])
}
