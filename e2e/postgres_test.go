package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"dobot"
	"dobot/internal/pgtest"
	"dobot/store"
)

// TestBotOnPostgres runs the real binary on PostgreSQL: a launch, a
// teardown that needs approval, and a restart, after which `bot audit
// verify` finds one intact chain whose rows name the instance.
func TestBotOnPostgres(t *testing.T) {
	ctx := context.Background()
	target := pgtest.Fresh(t)
	const key = "e2e-postgres-audit-key-0123456789abcdef"
	db, err := store.Open(ctx, target, store.WithAuditKey([]byte(key)))
	if err != nil {
		t.Fatal(err)
	}
	for user, role := range map[string]dobot.Role{deployer: dobot.RoleDeployer, approver: dobot.RoleApprover, viewer: dobot.RoleViewer} {
		if err := db.SetRole(ctx, user, role, "seed"); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	w := newWorld(t, withEnv("BOT_DB="+target, "BOT_AUDIT_KEY="+key, "BOT_INSTANCE=pg-1"))
	w.launchLive("web", "nginx")
	w.run(deployer, "teardown web")
	card := w.approvalCard("teardown web")
	w.click(approver, card, "approve")
	w.waitThread(card.TS, "Deleted web")
	w.stop(sigterm, stopBudget)
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 1 {
		t.Errorf("DELETEs = %d; want 1", n)
	}

	// A restart finds the same state in the database.
	w.start()
	w.run(viewer, "list")
	w.waitEphemeral(viewer, "The bot manages nothing yet")
	w.stop(sigterm, stopBudget)

	verify := exec.Command(botBinary, "audit", "verify")
	verify.Env = []string{"BOT_DB=" + target, "BOT_AUDIT_KEY=" + key}
	out, err := verify.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "audit trail intact") {
		t.Fatalf("bot audit verify on PostgreSQL = %v\n%s", err, out)
	}
	ro, err := store.OpenReadOnly(ctx, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	rows, err := ro.Audit(ctx, dobot.AuditFilter{Action: "do.delete_app"})
	if err != nil || len(rows) != 1 || rows[0].Instance != "pg-1" {
		t.Errorf("do.delete_app audit rows = %+v, %v; want one, by instance pg-1", rows, err)
	}
	if strings.Contains(w.logs.String(), key) {
		t.Error("the bot logged its audit key")
	}
}
