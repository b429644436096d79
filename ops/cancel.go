package ops

import "dobot"

// Cancel is what cancelling an operation can do.
type Cancel int

// What cancelling can do, by the operation's state and step.
const (
	CancelNothing    Cancel = iota // finished, or not yet up for decision
	CancelWithdraw                 // a request waiting for a decision: withdraw it
	CancelDeployment               // a running deployment: ask DigitalOcean to cancel it
	CancelNotYet                   // its deployment has not started yet: try again shortly
	CancelCannot                   // under way, and it cannot be stopped part-way
)

// CanCancel says what cancelling op can do. deploys tells whether op's work
// is an App Platform deployment, which DigitalOcean can cancel; a droplet
// action, a droplet launch or a teardown cannot be stopped part-way.
func CanCancel(op dobot.Operation, deploys bool) Cancel {
	switch op.State {
	case dobot.OpAwaitingApproval:
		return CancelWithdraw
	case dobot.OpRunning:
		switch {
		case !deploys:
			return CancelCannot
		case op.ResourceID == "" || op.DeploymentID == "":
			return CancelNotYet
		}
		return CancelDeployment
	}
	return CancelNothing
}
