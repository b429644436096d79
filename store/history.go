package store

import (
	"context"
	"fmt"

	"dobot"
)

// OperationsOn lists every operation, finished or not, that acted on the
// DigitalOcean resource id, oldest first: the bot's side of an app's
// deployment history.
func (db *DB) OperationsOn(ctx context.Context, resourceID string) ([]dobot.Operation, error) {
	if resourceID == "" {
		return nil, nil
	}
	ops, err := db.queryOperations(ctx,
		`SELECT `+opColumns+` FROM operations WHERE resource_id = ? ORDER BY id`, resourceID)
	if err != nil {
		return nil, fmt.Errorf("operations on %s: %w", resourceID, err)
	}
	return ops, nil
}
