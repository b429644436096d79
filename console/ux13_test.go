package console_test

import (
	"strings"
	"testing"
)

// /do ops lists a waiting request with the buttons the person may press,
// and pressing one by number approves it, as in Slack; /do history lists
// the deployments with a numbered "Roll back to this".
func TestOpsAndHistoryButtonsInTheConsole(t *testing.T) {
	h := start(t)
	out := h.run(t, strings.Join([]string{
		"/do launch demo --image nginx",
		"/wait",
		"/do redeploy demo",
		"/wait",
		"/do grant @UOTHER approver",
		"/do teardown demo",
		"/as @uother",
		"/do ops",
		"/do history demo",
		"/click 3",
		"/wait",
	}, "\n"))
	wantInOrder(t, out,
		"[#3] ✋ Request #3: tear down demo",
		"[1] Approve  [2] Deny",
		"UOTHER> /do ops",
		"request #3",
		"[3] Approve #3  [4] Deny #3",
		"UOTHER> /do history demo",
		"redeploy by @ULOCAL (operation #2)",
		"launch by @ULOCAL (operation #1)",
		"[5] Roll back to this (2)",
		"UOTHER> /click 3",
		"You approved request #3",
		"Deleted demo",
	)
}
