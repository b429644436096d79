// Package deploy runs the bot's operations on DigitalOcean: launching an
// app or a droplet, redeploying, rolling back, tearing down, droplet power
// actions and the container registry. Each executor works from the stored
// operation alone, so the same code runs a fresh command, an approved
// request and an operation resumed after a restart; it reports through a
// progress.Reporter and finishes the operation before its last word.
package deploy

import (
	"context"
	"fmt"

	"dobot"
	"dobot/chat"
	"dobot/progress"
)

// The actions, each governed by a policy.
const (
	ActionLaunch         = "launch"
	ActionTeardown       = "teardown"
	ActionRedeploy       = "redeploy"
	ActionRollback       = "rollback"
	ActionDroplet        = "droplet"
	ActionRegistryCreate = "registry.create"
	ActionRegistryDelete = "registry.delete"
	ActionRegistryGC     = "registry.gc"
)

// The actions that run at once, as their command's handler, rather than
// as an operation: placing and lifting holds (package holds). They have
// policies, so that an admin may change who runs them (DECISIONS.md: "by
// default"), but no executor, and never an approval: nothing of theirs
// waits for a decision, so a policy asking for one would not be kept.
const (
	ActionLock     = "lock"
	ActionUnlock   = "unlock"
	ActionFreeze   = "freeze"
	ActionUnfreeze = "unfreeze"
)

// RegistryTarget is what registry operations show as their app and audit
// target. Their lock is dobot.RegistryLock, apart from any app's.
const RegistryTarget = "registry"

// The kinds of thing the bot manages (dobot.App.Kind).
const (
	KindApp     = "app"
	KindDroplet = "droplet"
)

// Action is one kind of operation as one value: the policy that applies
// when none is stored, and the executor that runs it. Every action is
// listed in Actions; commands builds its table from them in New and checks
// them together with the commands that prepare them.
type Action struct {
	Name string
	// policy is the default: who may run the action, and whether a second
	// person must approve, when the store holds no policy for it.
	Policy dobot.Policy
	// head is the message that reports the operation when it starts
	// without an approval card.
	Head func(op dobot.Operation) chat.Message
	// run does the work and reports through rep; it finishes op. It works
	// from the stored operation alone, so the same code runs a fresh
	// command, an approved request and an operation resumed after a
	// restart.
	Run func(ctx context.Context, x *Executor, op dobot.Operation, rep *progress.Reporter)
	// internal actions are started by the bot, never typed: no policy
	// command lists them.
	Internal bool
	// Immediate actions run at once as their command's Run: they have a
	// policy but neither Head nor Run, and no approval (see ActionLock).
	Immediate bool
}

// Actions are the bot's operations, and the immediate actions that place
// and lift holds. The default policies are those of DECISIONS.md.
func Actions() []*Action {
	deployer := func(name string) dobot.Policy { return dobot.Policy{Action: name, Role: dobot.RoleDeployer} }
	admin := func(name string) dobot.Policy { return dobot.Policy{Action: name, Role: dobot.RoleAdmin} }
	return []*Action{
		{Name: ActionLaunch, Policy: deployer(ActionLaunch), Head: LaunchHead, Run: RunLaunch},
		{Name: ActionTeardown, Policy: dobot.Policy{Action: ActionTeardown, Role: dobot.RoleDeployer, NeedsApproval: true},
			Head: TeardownHead, Run: RunTeardown},
		{Name: ActionRedeploy, Policy: deployer(ActionRedeploy), Head: ChangeHead, Run: RunRedeploy},
		{Name: ActionRollback, Policy: deployer(ActionRollback), Head: ChangeHead, Run: RunRollback},
		{Name: ActionDroplet, Policy: deployer(ActionDroplet), Head: DropletActionHead, Run: RunDropletAction},
		{Name: ActionRegistryCreate, Policy: admin(ActionRegistryCreate), Head: RegistryHead, Run: RunRegistryCreate},
		{Name: ActionRegistryDelete, Policy: dobot.Policy{Action: ActionRegistryDelete, Role: dobot.RoleAdmin, NeedsApproval: true},
			Head: RegistryHead, Run: RunRegistryDelete},
		{Name: ActionRegistryGC, Policy: admin(ActionRegistryGC), Head: RegistryHead, Run: RunRegistryGC},
		{Name: ActionScale, Policy: deployer(ActionScale), Head: DayTwoHead, Run: RunSpecChange},
		{Name: ActionRestart, Policy: deployer(ActionRestart), Head: DayTwoHead, Run: RunRestart},
		{Name: ActionEnv, Policy: deployer(ActionEnv), Head: DayTwoHead, Run: RunSpecChange},
		{Name: ActionDomains, Policy: deployer(ActionDomains), Head: DayTwoHead, Run: RunSpecChange},
		// Started by the bot after a domain is added, never typed.
		{Name: ActionDomainFollow, Policy: deployer(ActionDomainFollow), Head: DomainFollowHead, Run: RunDomainFollow, Internal: true},
		{Name: ActionLock, Policy: deployer(ActionLock), Immediate: true},
		{Name: ActionUnlock, Policy: deployer(ActionUnlock), Immediate: true},
		{Name: ActionFreeze, Policy: admin(ActionFreeze), Immediate: true},
		{Name: ActionUnfreeze, Policy: admin(ActionUnfreeze), Immediate: true},
	}
}

// IndexActions indexes actions by name, refusing a name given twice, an
// action without its executor (or an immediate one with one, or with an
// approval) and one without its default policy.
func IndexActions(actions []*Action) (map[string]*Action, error) {
	byName := map[string]*Action{}
	for _, a := range actions {
		switch {
		case a.Name == "":
			return nil, fmt.Errorf("an action has no name")
		case byName[a.Name] != nil:
			return nil, fmt.Errorf("action %q is defined twice", a.Name)
		case a.Immediate && (a.Run != nil || a.Head != nil || a.Policy.NeedsApproval):
			return nil, fmt.Errorf("action %q runs at once: it takes no executor and no approval", a.Name)
		case !a.Immediate && (a.Run == nil || a.Head == nil):
			return nil, fmt.Errorf("action %q has no executor (run and head)", a.Name)
		case a.Policy.Action != a.Name || a.Policy.Role == dobot.RoleNone:
			return nil, fmt.Errorf("action %q has no default policy", a.Name)
		}
		byName[a.Name] = a
	}
	return byName, nil
}

// Immediate reports whether action runs at once, as a lock or a freeze
// does, so that no approval can hold it back.
func Immediate(action string) bool {
	for _, a := range Actions() {
		if a.Name == action {
			return a.Immediate
		}
	}
	return false
}

// Fleetwide reports whether action's policy is one rule for every use of
// it, taking no app glob: a freeze names the apps it covers by a glob of
// its own, so a rule for "apps matching prod-*" could not say which
// freezes it covers (a freeze of every app covers prod-* too).
func Fleetwide(action string) bool { return action == ActionFreeze || action == ActionUnfreeze }
