package commands

import (
	"context"
	"strings"
	"testing"

	"dobot"
	"dobot/deploy"
	"dobot/progress"
)

func TestNewTableChecksActionsAndButtons(t *testing.T) {
	head := func(dobot.Operation) Message { return Message{} }
	run := func(context.Context, *deploy.Executor, dobot.Operation, *progress.Reporter) {}
	good := func() *action {
		return &action{Name: ActionTeardown, Policy: dobot.Policy{Action: ActionTeardown, Role: dobot.RoleDeployer}, Head: head, Run: run}
	}
	click := func(id string) *clickRoute {
		return &clickRoute{id: id, command: "teardown", args: func(Click) (any, error) { return nil, nil }}
	}
	immediate := func() *action {
		return &action{Name: "lock", Policy: dobot.Policy{Action: "lock", Role: dobot.RoleDeployer}, Immediate: true}
	}
	immediateRun, immediateApproval := immediate(), immediate()
	immediateRun.Run = run
	immediateApproval.Policy.NeedsApproval = true
	runs := func(name, action string) *Command {
		return &Command{Name: name, Action: action, Parse: noArgs(name), Run: func(context.Context, *Bot, *Invocation) error { return nil }}
	}
	prepares := &Command{Name: "x", Action: "lock", Parse: noArgs("x"), Prepare: func(context.Context, *Bot, *Invocation) (*Plan, error) { return nil, nil }}
	noRun, noPolicy, noHead := good(), good(), good()
	noRun.Run = nil
	noHead.Head = nil
	noPolicy.Policy = dobot.Policy{}
	tests := []struct {
		name    string
		actions []*action
		clicks  []*clickRoute
		cmds    []*Command
		want    string // part of the error; "" for none
	}{
		{"ok", []*action{good()}, []*clickRoute{click("a")}, []*Command{teardownCommand}, ""},
		{"duplicate action", []*action{good(), good()}, nil, nil, "defined twice"},
		{"missing executor", []*action{noRun}, nil, nil, "no executor"},
		{"missing head", []*action{noHead}, nil, nil, "no executor"},
		{"missing policy", []*action{noPolicy}, nil, nil, "no default policy"},
		{"duplicate button", nil, []*clickRoute{click("a"), click("a")}, nil, "defined twice"},
		{"button without handler", nil, []*clickRoute{{id: "a"}}, nil, "no handler"},
		{"button running no command", []*action{good()}, []*clickRoute{click("a")}, nil, "does not exist"},
		{"command without its action", nil, nil, []*Command{teardownCommand}, "has no executor"},
		{"governed by an unknown action", []*action{good()}, nil, []*Command{{Name: "x", Action: "nope",
			Parse: noArgs("x"), Run: func(context.Context, *Bot, *Invocation) error { return nil }}}, "no policy"},
		{"duplicate command", []*action{good()}, nil, []*Command{teardownCommand, teardownCommand}, "defined twice"},
		{"immediate", []*action{immediate()}, nil, []*Command{runs("lock", "lock")}, ""},
		{"immediate with an executor", []*action{immediateRun}, nil, nil, "runs at once"},
		{"immediate with an approval", []*action{immediateApproval}, nil, nil, "runs at once"},
		{"preparing an immediate action", []*action{immediate()}, nil, []*Command{prepares}, "has no executor"},
		{"an operation run at once", []*action{good()}, nil, []*Command{runs("x", ActionTeardown)}, "needs Prepare"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newTable(tt.actions, tt.clicks, tt.cmds...)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("newTable = %v; want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("newTable = %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestStandardTableHasEveryPolicyOnce(t *testing.T) {
	table, err := NewTable(standardCommands()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ActionLaunch, ActionTeardown, ActionRedeploy, ActionRollback, ActionDroplet,
		ActionRegistryCreate, ActionRegistryDelete, ActionRegistryGC} {
		if a := table.actions[name]; a == nil || a.Policy.Action != name {
			t.Errorf("action %q = %+v; want it with its default policy", name, a)
		}
	}
	// The holds run at once, with DECISIONS.md's defaults.
	for name, role := range map[string]dobot.Role{deploy.ActionLock: dobot.RoleDeployer, deploy.ActionUnlock: dobot.RoleDeployer,
		deploy.ActionFreeze: dobot.RoleAdmin, deploy.ActionUnfreeze: dobot.RoleAdmin} {
		a := table.actions[name]
		if a == nil || !a.Immediate || a.Policy.Role != role || a.Policy.NeedsApproval || table.lookup(name).Action != name {
			t.Errorf("action %q = %+v; want it immediate, needing %s and no approval, governing its command", name, a, role)
		}
	}
	for _, id := range []string{clickApprove, clickDeny, clickExtend, clickDestroy} {
		if table.clicks[id] == nil {
			t.Errorf("button %q has no handler", id)
		}
	}
}

func TestArgsOfMismatchIsAnError(t *testing.T) {
	inv := &Invocation{Command: teardownCommand, Args: ExtendArgs{Name: "web"}}
	if _, err := argsOf[deploy.TeardownArgs](inv); err == nil || !strings.Contains(err.Error(), "ttl.ExtendArgs") {
		t.Errorf("argsOf with the wrong type = %v; want an error naming both types", err)
	}
	inv.Args = deploy.TeardownArgs{Name: "web"}
	if got, err := argsOf[deploy.TeardownArgs](inv); err != nil || got.Name != "web" {
		t.Errorf("argsOf = %+v, %v; want web", got, err)
	}
}
