package commands_test

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/commands"
	"dobot/deploy"
	"dobot/internal/golden"
	"dobot/slackbot"
)

var update = flag.Bool("update", false, "rewrite the Block Kit golden files in testdata/blocks")

// TestBlockKitGolden holds the Block Kit JSON of each kind of message in
// testdata/blocks, so a change to what people see shows up in review.
// Regenerate with `go test ./commands -run TestBlockKitGolden -update`.
func TestBlockKitGolden(t *testing.T) {
	at := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	op := dobot.Operation{ID: 12, Action: "launch", App: "web", Requester: "U0DEV", Approval: dobot.Approval{ExpiresAt: at.Add(time.Hour)}, Sent: dobot.Sent{ResourceID: "4f6c71e2-1e90-45a3-a9a4-1b0a1c1d1e1f"}, Stamps: dobot.Stamps{CreatedAt: at}}
	args := deploy.LaunchArgs{Name: "web", Image: "ghcr.io/acme/web:1.2.3", Region: "nyc", Sizing: deploy.Sizing{Size: "apps-s-1vcpu-1gb", Instances: 2, MonthlyCents: 2400},
		Port: 8080, Found: deploy.Found{Check: commands.Preflight{Port: 8080, PortFrom: "from the image", Digest: "sha256:" + strings.Repeat("ab", 32)}}}
	unchecked := args
	unchecked.Check = commands.Preflight{Port: 8080, PortFrom: "App Platform default; the image was not checked", Warning: "Could not check ghcr.io/acme/web:1.2.3 before deploying: the registry did not answer in time. Going ahead without the check."}
	approved := op
	approved.Decider, approved.DecidedAt, approved.State = "U0RAJ", at.Add(5*time.Minute), dobot.OpRunning
	denied := op
	denied.Action, denied.Decider, denied.DecidedAt, denied.State, denied.Error = "teardown", "U0RAJ", at.Add(5*time.Minute), dobot.OpCanceled, "not during the freeze"
	expired := op
	expired.Action, expired.State = "teardown", dobot.OpExpired
	teardownOp := op
	teardownOp.Action, teardownOp.Reason = "teardown", "load test finished"
	app := dobot.App{Name: "web", ResourceID: "4f6c71e2-1e90-45a3-a9a4-1b0a1c1d1e1f", Image: "nginx:1.27", Region: "nyc", Owner: "U0DEV", CreatedAt: at}
	fields := []commands.Field{{Label: "App", Value: "web"}, {Label: "Deletes", Value: "the App Platform app and all its deployments"}}

	cases := map[string]commands.Message{
		"launch-building":  commands.LaunchCard(op, args, commands.LaunchState{Phase: "BUILDING", Progress: &commands.Progress{Done: 2, Total: 6}, DeploymentID: "d1"}),
		"launch-live":      commands.LaunchCard(approved, args, commands.LaunchState{Phase: "ACTIVE", Progress: &commands.Progress{Done: 6, Total: 6}, URL: "https://web-abc12.ondigitalocean.app"}),
		"launch-failed":    commands.LaunchCard(op, args, commands.LaunchState{Phase: "ERROR", Failure: "step `build › web` failed: exit status 1 (BuildJobExitNonZero)"}),
		"launch-unchecked": commands.LaunchCard(op, unchecked, commands.LaunchState{Phase: "PENDING_BUILD"}),
		"approval-pending": commands.ApprovalCard(teardownOp, fields, true),
		"approval-denied":  commands.ApprovalCard(denied, fields, false),
		"approval-expired": commands.ApprovalCard(expired, fields, false),
		"teardown-done":    commands.TeardownCard(teardownOp, app, chat.IconDelete+" Tore down", ""),
		"redeploy-live": commands.ChangeCard(dobot.Operation{ID: 13, Action: "redeploy", App: "web", Requester: "U0DEV"},
			deploy.ChangeArgs{Name: "web", Image: "nginx:1.28", From: "nginx:1.27"}, commands.LaunchState{Phase: "ACTIVE", URL: "https://web-abc12.ondigitalocean.app"}),
		"registry-gc":    commands.RegistryHead(dobot.Operation{ID: 14, Action: "registry.gc", Requester: "U0ANA", Args: `{"Name":"acme"}`}),
		"droplet-reboot": commands.DropletActionHead(dobot.Operation{ID: 15, Action: "droplet", Requester: "U0DEV", Args: `{"Name":"box","Type":"reboot"}`}),
		"error":          commands.ErrorMessage("`launch` needs the deployer role and you have no role. Ask an admin (" + chat.Mention("U0ANA") + ") to run `/do grant @you deployer`."),
	}
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(map[string]any{"text": slackbot.MessageText(m), "blocks": slackbot.Blocks(m)}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			if golden.Check(t, filepath.Join("testdata", "blocks", name+".json"), "Block Kit for "+name, got, *update) {
				return
			}
			var blocks struct {
				Blocks []map[string]any `json:"blocks"`
			}
			if err := json.Unmarshal(got, &blocks); err != nil || len(blocks.Blocks) == 0 || len(blocks.Blocks) > 50 {
				t.Errorf("%s renders %d blocks (err %v); Slack takes 1 to 50", name, len(blocks.Blocks), err)
			}
		})
	}
}
