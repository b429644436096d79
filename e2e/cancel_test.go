package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var operationIDPattern = regexp.MustCompile(`operation #(\d+)`)

func TestCancelRunningLaunchAndWaitingRequest(t *testing.T) {
	w := newWorld(t, withPhaseDelay(3*time.Second))
	w.run(deployer, "launch slow --image nginx")
	head := w.launchHead("slow")
	w.waitCount("POST /v2/apps", 1)
	m := operationIDPattern.FindStringSubmatch(head.Text + unescapeJSON(head.Blocks))
	if m == nil {
		t.Fatalf("launch card shows no operation id: %s", head.Blocks)
	}
	// Someone else may not cancel it; the requester may.
	w.run(viewer, "cancel "+m[1])
	w.waitEphemeral(viewer, "or an admin may cancel it")
	// Until the deployment exists the bot asks to try again in a moment.
	deadline := time.Now().Add(20 * time.Second)
	for {
		before := len(w.ephemeralsTo(deployer))
		w.run(deployer, "cancel "+m[1])
		for len(w.ephemeralsTo(deployer)) == before {
			if time.Now().After(deadline) {
				t.Fatalf("no answer to cancel\n%s", w.logs)
			}
			time.Sleep(10 * time.Millisecond)
		}
		answers := w.ephemeralsTo(deployer)
		reply := answers[len(answers)-1]
		if strings.Contains(reply.Text, "cancel the deployment") {
			break
		}
		if !strings.Contains(reply.Text, "still creating") || time.Now().After(deadline) {
			t.Fatalf("cancel answered %q", reply.Text)
		}
		time.Sleep(200 * time.Millisecond)
	}
	w.waitThread(head.TS, "was canceled")
	if n := w.do.Count("POST /v2/apps/{app_id}/deployments/{deployment_id}/cancel"); n != 1 {
		t.Errorf("cancel requests = %d; want 1", n)
	}

	w.run(deployer, "teardown slow")
	card := w.approvalCard("teardown slow")
	w.run(deployer, "cancel "+requestID(t, card))
	w.waitThread(card.TS, "canceled request")
	latest := w.waitCard(card, "Withdrawn by")
	if hasButtons(latest) {
		t.Errorf("withdrawn card still has buttons")
	}
	w.click(approver, card, "approve")
	w.waitEphemeral(approver, "no longer waiting")
	if n := w.do.Count("DELETE /v2/apps/{id}"); n != 0 {
		t.Errorf("withdrawn teardown ran")
	}
}

// ephemeralsTo lists the private answers to user so far.
func (w *world) ephemeralsTo(user string) []slacktestMessage {
	var out []slacktestMessage
	for _, m := range w.slack.Messages() {
		if m.Method == "chat.postEphemeral" && m.User == user {
			out = append(out, m)
		}
	}
	return out
}
