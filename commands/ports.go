package commands

import (
	"context"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/ops"
)

// Store is what the commands need from persistence, by role: each part is
// a narrow interface that code needing only that part can take instead.
// store.DB implements it.
type Store interface {
	RoleStore
	AppStore
	AuditStore
	OperationStore
	PolicyStore
	HistoryStore
	HoldStore
	HomeStore
}

// HistoryStore answers what the bot did to a resource and keeps the
// one-time facts of timers (a reminder sent), so that they survive a
// restart and happen once.
type HistoryStore interface {
	OperationsOn(ctx context.Context, resourceID string) ([]dobot.Operation, error)
	// MarkHandled records key and reports whether it was new.
	MarkHandled(ctx context.Context, key string) (first bool, err error)
}

// RoleStore keeps who has which role.
type RoleStore interface {
	Role(ctx context.Context, userID string) (dobot.Role, error)
	SetRole(ctx context.Context, userID string, role dobot.Role, by string) error
	RevokeRole(ctx context.Context, userID string) (existed bool, err error)
	Grants(ctx context.Context) ([]dobot.Grant, error)
	UsersWithRole(ctx context.Context, role dobot.Role) ([]string, error)
}

// AppStore keeps the apps and droplets the bot manages.
type AppStore interface {
	PutApp(ctx context.Context, app dobot.App) error
	App(ctx context.Context, name string) (dobot.App, error)
	Apps(ctx context.Context) ([]dobot.App, error)
	DeleteApp(ctx context.Context, name string) error
	UpdateAppExpiry(ctx context.Context, name string, from, to time.Time, reminded bool) (bool, error)
	SetAppImage(ctx context.Context, name, image, digest string) error
}

// AuditStore keeps the append-only audit trail.
type AuditStore interface {
	AppendAudit(ctx context.Context, e dobot.AuditEntry) (dobot.AuditEntry, error)
	Audit(ctx context.Context, f dobot.AuditFilter) ([]dobot.AuditEntry, error)
}

// OperationStore keeps durable operations and the locks they hold.
type OperationStore interface {
	ops.Store
	CreateOperation(ctx context.Context, op dobot.Operation) (dobot.Operation, error)
	UpdateOperation(ctx context.Context, op dobot.Operation) error
	Transition(ctx context.Context, id int64, from []dobot.OpState, to dobot.OpState, mutate func(*dobot.Operation)) (dobot.Operation, bool, error)
	CardShown(ctx context.Context, id int64) error
	PendingCards(ctx context.Context) ([]dobot.Operation, error)
	RecordCreation(ctx context.Context, op dobot.Operation, app dobot.App) error
	UnfinishedOperations(ctx context.Context) ([]dobot.Operation, error)
	ActiveOperation(ctx context.Context, app string) (dobot.Operation, error)
	ExpiredApprovals(ctx context.Context, now time.Time) ([]dobot.Operation, error)
}

// PolicyStore keeps the stored policies.
type PolicyStore interface {
	Policies(ctx context.Context) ([]dobot.Policy, error)
	SetPolicy(ctx context.Context, p dobot.Policy) error
	DeletePolicy(ctx context.Context, action, glob string) (bool, error)
}

// Chat is how the commands talk to people: package chat's port.
type Chat = chat.Chat

// The message types are package chat's: the neutral message every adapter
// renders its own way.
type (
	Message  = chat.Message
	Field    = chat.Field
	Progress = chat.Progress
	Button   = chat.Button
)

// Request is one /do command as a person typed it.
type Request struct {
	Ref         string // envelope id or similar, quoted in logs and internal errors
	UserID      string
	UserName    string
	ChannelID   string
	Text        string // everything after "/do"
	ResponseURL string
	// Button, for a command run by pressing a button, is the button's
	// label; Text is then empty.
	Button string
	// TriggerID lets the adapter open a form for the person
	// (chatview.Views.OpenForm): once, within 3 seconds.
	TriggerID string
}

// Click is one press of a button on a bot message.
type Click struct {
	Ref         string
	UserID      string
	UserName    string
	ChannelID   string
	MessageTS   string
	ActionID    string
	Value       string
	ResponseURL string
	// TriggerID lets the adapter open a form in answer, e.g. to ask for a
	// reason (chatview.Views.OpenForm): once, within 3 seconds.
	TriggerID string
}
