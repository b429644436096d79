// Package access is the admin side of who may do what: granting, revoking
// and listing roles, and showing and changing the policies (which role an
// action needs, whether a second person approves, and rules for app names
// matching a glob). It parses those commands' words, checks them, changes
// the store, records the change in the audit trail, and returns the answer
// as a chat message. Deciding whether a command is allowed stays with the
// commands' authorisation; this package only keeps the rules it reads.
package access

import (
	"context"

	"dobot/reply"

	"dobot"
)

// Roles is where roles are kept. SetRole and RevokeRole refuse, with
// dobot.ErrLastAdmin, a change that would leave no admin.
type Roles interface {
	SetRole(ctx context.Context, userID string, role dobot.Role, by string) error
	RevokeRole(ctx context.Context, userID string) (bool, error)
	Grants(ctx context.Context) ([]dobot.Grant, error)
	UsersWithRole(ctx context.Context, role dobot.Role) ([]string, error)
}

// Policies is where the stored policies are kept: each action's default
// (no glob) and the rules for app names matching a glob.
type Policies interface {
	Policies(ctx context.Context) ([]dobot.Policy, error)
	SetPolicy(ctx context.Context, p dobot.Policy) error
	DeletePolicy(ctx context.Context, action, glob string) (bool, error)
}

// Deps are the admin's collaborators.
type Deps struct {
	Roles    Roles
	Policies Policies
	// Default is the policy that applies to action on no app in particular:
	// the stored default, else the built-in one.
	Default func(ctx context.Context, action string) (dobot.Policy, error)
	// Record appends an audit row; a change is not made without its row.
	Record func(ctx context.Context, e dobot.AuditEntry) error
	// Rules are the actions with a policy; the policy command's answers
	// list them in this order.
	Rules Rules
}

// Admin answers the admin commands for roles and policies.
type Admin struct{ d Deps }

// New returns an admin.
func New(d Deps) *Admin { return &Admin{d: d} }

// Refusal explains a refused command, or a refused button when button is
// set: the role it needs and, for a command, who can grant it.
func (a *Admin) Refusal(ctx context.Context, button, cmd string, need, have dobot.Role) string {
	if button != "" {
		return reply.RefusedButton(button, need, have)
	}
	admins, _ := a.d.Roles.UsersWithRole(ctx, dobot.RoleAdmin)
	return reply.Refused(cmd, need, have, admins)
}

// Request is who asked for a change, and where, as the audit row records it.
type Request struct {
	UserID, UserName, Channel string
	Text                      string // the command as typed, after /do
}

// money writes cents as dollars.
func money(c int64) string { return dobot.Money(c) }

// withArticle puts "a" or "an" before a role name.
func withArticle(word string) string { return reply.WithArticle(word) }
