package ops_test

import (
	"testing"

	"dobot"
	"dobot/ops"
)

func TestCanCancel(t *testing.T) {
	tests := []struct {
		name    string
		op      dobot.Operation
		deploys bool
		want    ops.Cancel
	}{
		{"waiting", dobot.Operation{State: dobot.OpAwaitingApproval}, true, ops.CancelWithdraw},
		{"deploying", dobot.Operation{State: dobot.OpRunning, Sent: dobot.Sent{ResourceID: "a", DeploymentID: "d"}}, true, ops.CancelDeployment},
		{"creating", dobot.Operation{State: dobot.OpRunning, Sent: dobot.Sent{Step: dobot.StepSending}}, true, ops.CancelNotYet},
		{"created, no deployment yet", dobot.Operation{State: dobot.OpRunning, Sent: dobot.Sent{ResourceID: "a"}}, true, ops.CancelNotYet},
		{"droplet launch", dobot.Operation{State: dobot.OpRunning, Sent: dobot.Sent{ResourceID: "1"}}, false, ops.CancelCannot},
		{"finished", dobot.Operation{State: dobot.OpSucceeded}, true, ops.CancelNothing},
		{"lost before its card", dobot.Operation{State: dobot.OpRequested}, true, ops.CancelNothing},
	}
	for _, tt := range tests {
		if got := ops.CanCancel(tt.op, tt.deploys); got != tt.want {
			t.Errorf("%s: CanCancel = %v; want %v", tt.name, got, tt.want)
		}
	}
}
