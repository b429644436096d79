package store

import (
	"context"
	"testing"

	"dobot"
)

// TestWritesGoThroughOneConnectionAndSurviveItsLoss: SQLite's writes use
// the store's writer connection, and a writer the driver has given up on is
// replaced, so the next write still goes through.
func TestWritesGoThroughOneConnectionAndSurviveItsLoss(t *testing.T) {
	db, _, _ := openTest(t)
	ctx := context.Background()
	if db.writer == nil {
		t.Fatal("a SQLite store has no writer connection")
	}
	if err := db.SetRole(ctx, "U1", dobot.RoleDeployer, "test"); err != nil {
		t.Fatal(err)
	}
	if err := db.writer.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.SetRole(ctx, "U2", dobot.RoleViewer, "test"); err != nil {
		t.Fatalf("write after the writer connection closed: %v", err)
	}
	if r, err := db.Role(ctx, "U2"); err != nil || r != dobot.RoleViewer {
		t.Errorf("Role(U2) = %v, %v; want viewer", r, err)
	}
}
