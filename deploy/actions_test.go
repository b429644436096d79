package deploy_test

import (
	"testing"

	"dobot"
	"dobot/deploy"
)

// TestDefaultPolicies pins each action's default policy: who may run it
// and whether a second person must approve. The first rows are
// DECISIONS.md's "Default policies" and "Who may lock"; teardown's
// approval and the rest are the bot's own defaults, pinned so that no
// change to them goes unnoticed.
func TestDefaultPolicies(t *testing.T) {
	want := map[string]dobot.Policy{
		deploy.ActionRedeploy:       {Role: dobot.RoleDeployer},
		deploy.ActionRollback:       {Role: dobot.RoleDeployer},
		deploy.ActionDroplet:        {Role: dobot.RoleDeployer},
		deploy.ActionRegistryCreate: {Role: dobot.RoleAdmin},
		deploy.ActionRegistryDelete: {Role: dobot.RoleAdmin, NeedsApproval: true},
		deploy.ActionLock:           {Role: dobot.RoleDeployer},
		deploy.ActionUnlock:         {Role: dobot.RoleDeployer},
		deploy.ActionFreeze:         {Role: dobot.RoleAdmin},
		deploy.ActionUnfreeze:       {Role: dobot.RoleAdmin},

		deploy.ActionTeardown:     {Role: dobot.RoleDeployer, NeedsApproval: true},
		deploy.ActionLaunch:       {Role: dobot.RoleDeployer},
		deploy.ActionRegistryGC:   {Role: dobot.RoleAdmin},
		deploy.ActionScale:        {Role: dobot.RoleDeployer},
		deploy.ActionRestart:      {Role: dobot.RoleDeployer},
		deploy.ActionEnv:          {Role: dobot.RoleDeployer},
		deploy.ActionDomains:      {Role: dobot.RoleDeployer},
		deploy.ActionDomainFollow: {Role: dobot.RoleDeployer},
	}
	seen := map[string]bool{}
	for _, a := range deploy.Actions() {
		seen[a.Name] = true
		t.Run(a.Name, func(t *testing.T) {
			w, ok := want[a.Name]
			if !ok {
				t.Fatalf("action %q has no row here: add its default policy to this table", a.Name)
			}
			if a.Policy.Action != a.Name {
				t.Errorf("%s: policy is for action %q; want %q", a.Name, a.Policy.Action, a.Name)
			}
			if a.Policy.Role != w.Role || a.Policy.NeedsApproval != w.NeedsApproval {
				t.Errorf("%s: default policy = role %s, needs approval %v; want role %s, needs approval %v",
					a.Name, a.Policy.Role, a.Policy.NeedsApproval, w.Role, w.NeedsApproval)
			}
		})
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("deploy.Actions() has no action %q", name)
		}
	}
}
