package commands

import (
	"fmt"

	"dobot/deploy"
)

// action is one kind of operation as one value: deploy's.
type action = deploy.Action

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
	byName, err := deploy.IndexActions(actions)
	if err != nil {
		return nil, nil, err
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
