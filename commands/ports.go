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

// Chat is how the commands talk to people. The Slack adapter implements it
// with the Web API; the console prints. A Chat wraps ErrCannotPost when the
// bot may not post in a channel.
type Chat interface {
	// Post starts a new message in channel and returns its ts.
	Post(ctx context.Context, channel string, m Message) (ts string, err error)
	// Reply posts m in the thread of the message threadTS.
	Reply(ctx context.Context, channel, threadTS string, m Message) (ts string, err error)
	// Update replaces the message ts with m.
	Update(ctx context.Context, channel, ts string, m Message) error
	// Ephemeral shows m to user only, in channel.
	Ephemeral(ctx context.Context, channel, user string, m Message) error
	// Respond answers through a command's response_url, which works even
	// where the bot is not a member.
	Respond(ctx context.Context, responseURL string, m Message) error
	// Upload posts text as a file snippet in the thread of threadTS.
	Upload(ctx context.Context, channel, threadTS, filename, title, content string) error
	// UploadDirect sends text as a file snippet to user alone, in the
	// bot's direct messages with them: for what is too long for a private
	// reply.
	UploadDirect(ctx context.Context, user, filename, title, content string) error
	// Permalink is a link to the message ts in channel that the adapter's
	// people can follow (a URL in Slack).
	Permalink(ctx context.Context, channel, ts string) (string, error)
}

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
