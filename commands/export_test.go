package commands

import (
	"dobot/auditview"
	"dobot/deploy"
	"dobot/reply"
	"dobot/requests"

	"github.com/digitalocean/godo"

	"dobot"
)

// Test-only views of the message builders, for the Block Kit golden tests.

// LaunchState mirrors deploy.LaunchState for tests.
type LaunchState struct {
	Phase        string
	Progress     *Progress
	DeploymentID string
	URL          string
	Failure      string
}

func LaunchCard(op dobot.Operation, args deploy.LaunchArgs, st LaunchState) Message {
	return deploy.LaunchCard(op, args, deploy.LaunchState{Phase: st.Phase, Progress: st.Progress, DeploymentID: st.DeploymentID, URL: st.URL, Failure: st.Failure})
}

func ChangeCard(op dobot.Operation, args deploy.ChangeArgs, st LaunchState) Message {
	return deploy.ChangeCard(op, args, deploy.LaunchState{Phase: st.Phase, Progress: st.Progress, URL: st.URL, Failure: st.Failure})
}

var (
	ApprovalCard      = requests.Card
	TeardownCard      = deploy.TeardownCard
	ErrorMessage      = reply.Warning
	RegistryHead      = deploy.RegistryHead
	DropletActionHead = deploy.DropletActionHead
)

// Test-only views of the builders that put user and DigitalOcean text in
// messages, for the escaping fuzz target.
var (
	AuditLine    = auditview.Line
	MirrorLine   = auditview.MirrorLine
	DecisionLine = deploy.DecisionLine
)

// UserErrorText is what a person sees for a user error quoting words.
func UserErrorText(words string) string {
	return reply.Describe(reply.Errorf("bad app name %q; got %s", words, words), "ref")
}

// DOErrorText is what a person sees for a DigitalOcean error message.
func DOErrorText(msg, requestID string) string {
	return reply.Describe(&godo.ErrorResponse{Message: msg, RequestID: requestID}, "test")
}

// DescribeError is reply.Describe, for tests of how DigitalOcean's documented
// answers read.
var DescribeError = reply.Describe

// Views of issue 13's helpers.
var (
	ReminderDue = requests.ReminderDue
	OpRef       = deploy.Ref
	OpWhat      = deploy.What
	NonEmpty    = deploy.NonEmpty
)
