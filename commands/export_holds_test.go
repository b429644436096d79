package commands

import (
	"context"

	"dobot/holds"
)

// StandardCommandsForTest is the standard command table, for parse tests.
var StandardCommandsForTest = standardCommands

// HoldsForTest reads the locks and the freezes in force.
func (b *Bot) HoldsForTest(ctx context.Context) (holds.Holds, error) { return b.svc.holds.Holds(ctx) }
