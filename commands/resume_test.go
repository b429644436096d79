package commands_test

import (
	"context"
	"strings"
	"testing"

	"dobot"
	"dobot/commands"
)

const dropletActionsRoute = "POST /v2/droplets/{droplet_id}/actions"

// A droplet action records its action id as the external id, not as a
// deployment; resumed once sent, it watches that action and sends nothing.
func TestResumedDropletActionWatchesWhatWasSent(t *testing.T) {
	h := dropletHarness(t, "")
	launchBox(t, h)
	h.run("UDEP", "droplet reboot box")
	sent := h.waitOp(t, 2)
	if sent.State != dobot.OpSucceeded || sent.Step != dobot.StepSent || sent.ExternalID == "" || sent.DeploymentID != "" {
		t.Fatalf("reboot = %+v; want it sent, with the action id as external id and no deployment", sent)
	}
	if n := h.do.Count(dropletActionsRoute); n != 1 {
		t.Fatalf("actions sent = %d; want 1", n)
	}
	// As if the bot had stopped after sending it.
	again := sent
	again.State, again.MessageTS = dobot.OpRunning, ""
	again, err := h.db.CreateOperation(context.Background(), again)
	if err != nil {
		t.Fatal(err)
	}
	startBot(t, h.db, h.do, nil)
	if op := h.waitOp(t, again.ID); op.State != dobot.OpSucceeded {
		t.Errorf("resumed reboot = %+v; want it watched to the end", op)
	}
	if n := h.do.Count(dropletActionsRoute); n != 1 {
		t.Errorf("actions sent after the resume = %d; want still 1", n)
	}
}

// A droplet action resumed while its request may have been in flight is
// not sent again: a second reboot is not harmless.
func TestResumedDropletActionInFlightIsNotResent(t *testing.T) {
	h := dropletHarness(t, "")
	launchBox(t, h)
	box, err := h.db.App(context.Background(), "box")
	if err != nil {
		t.Fatal(err)
	}
	op, err := h.db.CreateOperation(context.Background(), dobot.Operation{
		Action:    commands.ActionDroplet,
		App:       "box",
		State:     dobot.OpRunning,
		Args:      `{"Name":"box","Type":"reboot"}`,
		Requester: "UDEP",
		Card:      dobot.Card{Channel: "C1"},
		Sent:      dobot.Sent{Step: dobot.StepSending, ResourceID: box.ResourceID},
	})
	if err != nil {
		t.Fatal(err)
	}
	startBot(t, h.db, h.do, nil)
	got := h.waitOp(t, op.ID)
	if got.State != dobot.OpFailed || !strings.Contains(got.Error, "restarted while sending") {
		t.Errorf("resumed in-flight reboot = %+v; want it failed, asking the person to check", got)
	}
	if n := h.do.Count(dropletActionsRoute); n != 0 {
		t.Errorf("actions sent = %d; want none", n)
	}
}
