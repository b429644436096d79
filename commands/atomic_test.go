package commands_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"dobot"
)

// TestAdminsRevokingEachOtherLeaveAnAdmin runs the race of two admins
// revoking each other at the same moment, 300 times: one may win, but the
// bot must never be left without an admin.
func TestAdminsRevokingEachOtherLeaveAnAdmin(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lost := 0
	for round := 0; round < 300; round++ {
		h.grant(t, "UADMINA", dobot.RoleAdmin)
		h.grant(t, "UADMINB", dobot.RoleAdmin)
		var wg sync.WaitGroup
		for _, c := range [][2]string{{"UADMINA", "revoke @UADMINB"}, {"UADMINB", "revoke @UADMINA"}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h.run(c[0], c[1])
			}()
		}
		wg.Wait()
		admins, err := h.db.UsersWithRole(ctx, dobot.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if len(admins) == 0 {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("two admins revoking each other left no admin in %d of 300 rounds", lost)
	}
}

// TestAppNamedRegistryDoesNotBlockTheRegistry holds an app called registry
// busy and changes the registry meanwhile: they are different things.
func TestAppNamedRegistryDoesNotBlockTheRegistry(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	h.grant(t, "UADMIN", dobot.RoleAdmin)
	if _, err := h.db.CreateOperation(ctx, dobot.Operation{Action: "launch", App: "registry", State: dobot.OpRunning, Requester: "UDEP"}); err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"registry create acme", "registry gc"} {
		answer := h.run("UADMIN", text)
		op, err := h.db.Operation(ctx, int64(2+i))
		if strings.Contains(answer, "busy") || err != nil || op.App != "registry" {
			t.Fatalf("%s while an app called registry is launching: answer %q, operation %+v, %v; want it to go ahead", text, answer, op, err)
		}
		waitFor(t, text+" to finish", func() bool {
			op, err := h.db.Operation(ctx, int64(2+i))
			return err == nil && op.State.Final()
		})
	}
}
