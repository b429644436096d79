package commands

import (
	"context"
	"fmt"

	"dobot"
	"dobot/deploy"
	"dobot/progress"
)

// action is one kind of operation as one value: the policy that applies
// when none is stored, and the executor that runs it. Every action is
// listed in standardActions, built in New and checked by NewTable together
// with the commands that prepare it.
type action struct {
	name string
	// policy is the default: who may run the action, and whether a second
	// person must approve, when the store holds no policy for it.
	policy dobot.Policy
	// head is the message that reports the operation when it starts
	// without an approval card.
	head func(op dobot.Operation) Message
	// run does the work and reports through rep; it finishes op. It works
	// from the stored operation alone, so the same code runs a fresh
	// command, an approved request and an operation resumed after a
	// restart.
	run func(ctx context.Context, x *deploy.Executor, op dobot.Operation, rep *progress.Reporter)
	// internal actions are started by the bot, never typed: no policy
	// command lists them.
	internal bool
}

// standardActions are the bot's operations. The default policies are those
// of DECISIONS.md.
func standardActions() []*action {
	deployer := func(name string) dobot.Policy { return dobot.Policy{Action: name, Role: dobot.RoleDeployer} }
	admin := func(name string) dobot.Policy { return dobot.Policy{Action: name, Role: dobot.RoleAdmin} }
	return []*action{
		{name: ActionLaunch, policy: deployer(ActionLaunch), head: deploy.LaunchHead, run: deploy.RunLaunch},
		{name: ActionTeardown, policy: dobot.Policy{Action: ActionTeardown, Role: dobot.RoleDeployer, NeedsApproval: true},
			head: deploy.TeardownHead, run: deploy.RunTeardown},
		{name: ActionRedeploy, policy: deployer(ActionRedeploy), head: deploy.ChangeHead, run: deploy.RunRedeploy},
		{name: ActionRollback, policy: deployer(ActionRollback), head: deploy.ChangeHead, run: deploy.RunRollback},
		{name: ActionDroplet, policy: deployer(ActionDroplet), head: deploy.DropletActionHead, run: deploy.RunDropletAction},
		{name: ActionRegistryCreate, policy: admin(ActionRegistryCreate), head: deploy.RegistryHead, run: deploy.RunRegistryCreate},
		{name: ActionRegistryDelete, policy: dobot.Policy{Action: ActionRegistryDelete, Role: dobot.RoleAdmin, NeedsApproval: true},
			head: deploy.RegistryHead, run: deploy.RunRegistryDelete},
		{name: ActionRegistryGC, policy: admin(ActionRegistryGC), head: deploy.RegistryHead, run: deploy.RunRegistryGC},
		{name: ActionScale, policy: deployer(ActionScale), head: deploy.DayTwoHead, run: deploy.RunSpecChange},
		{name: ActionRestart, policy: deployer(ActionRestart), head: deploy.DayTwoHead, run: deploy.RunRestart},
		{name: ActionEnv, policy: deployer(ActionEnv), head: deploy.DayTwoHead, run: deploy.RunSpecChange},
		{name: ActionDomains, policy: deployer(ActionDomains), head: deploy.DayTwoHead, run: deploy.RunSpecChange},
		// Started by the bot after a domain is added, never typed.
		{name: ActionDomainFollow, policy: deployer(ActionDomainFollow), head: deploy.DomainFollowHead, run: deploy.RunDomainFollow, internal: true},
	}
}

// clickRoute is a button as a command: pressing it runs the command it
// names with arguments taken from the button, through the same
// authorisation, policy and audit as typing it.
type clickRoute struct {
	id      string // the button's action id
	label   string // the button's label, for refusals
	command string // the full name of the command it runs
	// args builds the command's arguments from the click; a bad value is a
	// *reply.UserError.
	args func(c Click) (any, error)
}

// standardClicks are the buttons the bot puts on its messages.
func standardClicks() []*clickRoute {
	return []*clickRoute{
		{id: clickApprove, label: "Approve", command: "approve", args: clickedRequest},
		{id: clickDeny, label: "Deny", command: "deny", args: clickedRequest},
		{id: clickExtend, label: "Extend", command: "extend", args: func(c Click) (any, error) {
			if err := ValidAppName(c.Value); err != nil {
				return nil, err
			}
			return ExtendArgs{Name: c.Value, By: defaultExtend}, nil
		}},
		// The owner's own teardown: the teardown policy (and its approval)
		// applies.
		{id: clickDestroy, label: "Destroy now", command: "teardown", args: func(c Click) (any, error) {
			if err := ValidAppName(c.Value); err != nil {
				return nil, err
			}
			return deploy.TeardownArgs{Name: c.Value, Reason: "Destroy now, from the expiry reminder"}, nil
		}},
	}
}

// checkActions indexes actions and clicks, refusing a name given twice and
// an action without its executor or default policy, so that a mistake shows
// at start rather than as an operation that cannot run.
func checkActions(actions []*action, clicks []*clickRoute) (map[string]*action, map[string]*clickRoute, error) {
	byName := map[string]*action{}
	for _, a := range actions {
		switch {
		case a.name == "":
			return nil, nil, fmt.Errorf("an action has no name")
		case byName[a.name] != nil:
			return nil, nil, fmt.Errorf("action %q is defined twice", a.name)
		case a.run == nil || a.head == nil:
			return nil, nil, fmt.Errorf("action %q has no executor (run and head)", a.name)
		case a.policy.Action != a.name || a.policy.Role == dobot.RoleNone:
			return nil, nil, fmt.Errorf("action %q has no default policy", a.name)
		}
		byName[a.name] = a
	}
	byID := map[string]*clickRoute{}
	for _, c := range clicks {
		if c.id == "" || c.command == "" || c.args == nil {
			return nil, nil, fmt.Errorf("button %q has no handler", c.id)
		}
		if byID[c.id] != nil {
			return nil, nil, fmt.Errorf("button %q is defined twice", c.id)
		}
		byID[c.id] = c
	}
	return byName, byID, nil
}
