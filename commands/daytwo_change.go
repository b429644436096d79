package commands

import (
	"encoding/json"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/deploy"
	"dobot/docloud/daytwo"
)

// The day-two actions (package deploy runs them).
const (
	ActionScale        = deploy.ActionScale
	ActionRestart      = deploy.ActionRestart
	ActionEnv          = deploy.ActionEnv
	ActionDomains      = deploy.ActionDomains
	ActionDomainFollow = deploy.ActionDomainFollow
)

// DayTwo are the day-two parts of a change's arguments.
type DayTwo = deploy.DayTwo

// specChangeActions send a new spec worked out from the app's spec at
// request time; an approval is bound to that spec (binding.go).
var specChangeActions = []string{ActionRedeploy, ActionRollback, ActionScale, ActionEnv, ActionDomains}

// sentSpecHash is the hash of the spec a change will send, as stored
// (secrets sealed), or "" when it sends none.
func sentSpecHash(op dobot.Operation) string {
	var a struct{ Spec *godo.AppSpec }
	if json.Unmarshal([]byte(op.Args), &a) != nil {
		return ""
	}
	return daytwo.SpecHash(a.Spec)
}
