package commands_test

import (
	"context"
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
		for _, c := range [][2]string{{"UADMINA", "revoke <@UADMINB>"}, {"UADMINB", "revoke <@UADMINA>"}} {
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
