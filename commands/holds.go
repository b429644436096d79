package commands

import (
	"context"

	"dobot"
	"dobot/access"
	"dobot/deploy"
	"dobot/holds"
)

// HoldStore keeps what holds apps back (locks and freezes), where an app's
// messages go, and what each approval was asked for.
type HoldStore interface {
	holds.Store
	SetRoute(ctx context.Context, r dobot.Route) error
	DeleteRoute(ctx context.Context, app string) (bool, error)
	Route(ctx context.Context, app string) (dobot.Route, error)
	PutBinding(ctx context.Context, b dobot.Binding) error
	Binding(ctx context.Context, id int64) (dobot.Binding, error)
}

// breach is an admin's --break-glass over what held an action back.
type breach = holds.Breach

var lockCommand = &Command{
	Name:  "lock",
	Usage: "lock NAME --reason TEXT",
	Description: "Lock an app (or a name not launched yet): no launch, redeploy, rollback, teardown, droplet action or TTL expiry touches it until it is unlocked. " +
		"Everyone refused sees who holds the lock, since when and why; extend still works. An admin may override with --break-glass REASON.",
	Examples: []string{`lock web --reason "investigating incident 311"`},
	Action:   deploy.ActionLock,
	Mutating: true,
	Parse:    parsedBy(holds.ParseLock),
	Run:      announced((*holds.Service).Lock),
}

var unlockCommand = &Command{
	Name:        "unlock",
	Usage:       "unlock NAME",
	Description: "Lift the lock on an app. Whoever placed it may, whatever their role now; an admin may lift anyone's.",
	Examples:    []string{"unlock web"},
	// The lock's holder may always lift it, whatever their role and the
	// unlock policy (Own). Anyone else needs the unlock policy's role, then
	// to be an admin (holds.Service.Unlock), so only an admin lifts another's.
	Action:   deploy.ActionUnlock,
	Mutating: true,
	Parse:    parsedBy(holds.ParseUnlock),
	Own: func(ctx context.Context, b *Bot, userID string, args any) bool {
		a, ok := args.(holds.LockArgs)
		return ok && b.svc.holds.LockedBy(ctx, a.Name, userID)
	},
	Run: announced((*holds.Service).Unlock),
}

var freezeCommand = &Command{
	Name:  "freeze",
	Usage: "freeze [--app GLOB] DURATION --reason TEXT",
	Description: "Stop launches, redeploys and rollbacks of every app (or those matching --app) for DURATION. " +
		"Freezing the same glob again replaces its end and reason. An admin may still run one with --break-glass REASON.",
	Examples: []string{`freeze 2h --reason "release 4.2 going out"`, `freeze --app 'prod-*' 1d --reason "incident 311"`},
	Action:   deploy.ActionFreeze,
	Mutating: true,
	Parse:    func(words []string, _ Config) (any, error) { return holds.ParseFreeze(words, access.CheckAppGlob) },
	Run:      announced((*holds.Service).Freeze),
}

var unfreezeCommand = &Command{
	Name:        "unfreeze",
	Usage:       "unfreeze [--app GLOB]",
	Description: "End the freeze on every app (or the one on --app GLOB, as it was given to freeze).",
	Examples:    []string{"unfreeze", "unfreeze --app 'prod-*'"},
	Action:      deploy.ActionUnfreeze,
	Mutating:    true,
	Parse:       parsedBy(holds.ParseUnfreeze),
	Run:         announced((*holds.Service).Unfreeze),
}

// announced is the Run of a hold command: its step, then the step's
// notice announced where everyone sees it.
func announced[T any](step func(*holds.Service, context.Context, holds.Actor, T) (holds.Notice, error)) func(context.Context, *Bot, *Invocation) error {
	return func(ctx context.Context, b *Bot, inv *Invocation) error {
		args, err := argsOf[T](inv)
		if err != nil {
			return err
		}
		n, err := step(b.svc.holds, ctx, holds.Actor{ID: inv.Req.UserID, Name: inv.Req.UserName, Role: inv.Role}, args)
		if err != nil {
			return err
		}
		if !b.svc.routes.Announce(ctx, inv.Req.ChannelID, n.App, n.Message) {
			b.tell(ctx, inv.Req, n.Message)
		}
		return nil
	}
}

// checkHolds is the guardrail: it refuses an action a lock or a freeze
// stops, unless an admin broke the glass (see holds.Service.Check).
func (b *Bot) checkHolds(ctx context.Context, inv *Invocation) (*breach, error) {
	return b.svc.holds.Check(ctx, holds.Ask{Command: inv.Command.Name, Action: inv.Command.Action, App: targetOf(inv.Args),
		Glass: holds.GlassOf(inv.Args), Role: inv.Role, DryRun: dryRun(inv.Args)})
}

// dryRun reports whether args ask for a --dry-run.
func dryRun(args any) bool {
	switch a := args.(type) {
	case deploy.LaunchArgs:
		return a.DryRun
	case deploy.ChangeArgs:
		return a.DryRun
	}
	return false
}
