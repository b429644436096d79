// Package dobot holds the domain types shared by the bot's packages: roles,
// the apps the bot manages, durable operations and audit rows. It depends on
// nothing but the standard library, so every other package can import it.
package dobot

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotFound is returned by the store when a looked-up record does not exist.
var ErrNotFound = errors.New("not found")

// ErrLastAdmin is returned by the store for a role change that would leave
// nobody an admin: then nobody could grant roles again without a restart.
var ErrLastAdmin = errors.New("would leave no admin")

// ErrAlreadyHandled is returned by the store for the first audit row of a
// Slack envelope it has recorded before: Slack redelivered a command or
// click that already ran, and it must not run or be answered again.
var ErrAlreadyHandled = errors.New("envelope already handled")

// Role is a person's permission level. Higher roles include everything the
// lower ones may do, so roles compare with < and >=.
type Role int

// The roles, lowest first. RoleNone is a person the store does not know.
const (
	RoleNone Role = iota
	RoleViewer
	RoleDeployer
	RoleApprover
	RoleAdmin
)

var roleNames = []string{"none", "viewer", "deployer", "approver", "admin"}

// String returns the role's lowercase name, as users type it.
func (r Role) String() string {
	if r < 0 || int(r) >= len(roleNames) {
		return fmt.Sprintf("role(%d)", int(r))
	}
	return roleNames[r]
}

// ParseRole turns a role name into a Role. "none" is not accepted: revoke a
// role instead of granting none.
func ParseRole(s string) (Role, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, name := range roleNames {
		if i > 0 && name == s {
			return Role(i), nil
		}
	}
	return RoleNone, fmt.Errorf("unknown role %q; roles are viewer, deployer, approver, admin", s)
}

// Grant is one person's role as the store records it.
type Grant struct {
	UserID    string
	Role      Role
	GrantedBy string // Slack user id of the admin, or "BOT_ADMINS"
	GrantedAt time.Time
}

// App is something the bot launched and manages on DigitalOcean.
type App struct {
	Name       string // DigitalOcean app name, unique among live apps
	Kind       string // "app" (App Platform) or "droplet"
	ResourceID string // DigitalOcean id: app UUID or droplet id
	Region     string
	Image      string // image reference as the user typed it
	// ImageDigest is the digest Image's tag resolved to at launch or
	// redeploy ("sha256:…"), or "" when the registry did not answer.
	ImageDigest string
	Owner       string // Slack user id of the launcher
	Channel     string // channel of the launch message
	ThreadTS    string // ts of the launch message; replies go in its thread
	CreatedAt   time.Time

	Size         string // instance or droplet size slug
	Instances    int    // App Platform instance count; 0 means one
	MonthlyCents int64  // monthly price from DigitalOcean's price list
	Expiry
	Adopted bool // not created by the bot; an admin adopted it
}

// Expiry is when an app the bot launched with a TTL is torn down. It is
// embedded in App, so its fields read as the app's own.
type Expiry struct {
	ExpiresAt time.Time // when the bot tears it down; zero for never
	Reminded  bool      // the expiry reminder went out
}

// OpState is where a durable operation is in its life.
type OpState string

// Operation states. Requested and AwaitingApproval and Running are unfinished;
// the others are final.
const (
	OpRequested        OpState = "requested"
	OpAwaitingApproval OpState = "awaiting_approval"
	OpRunning          OpState = "running"
	OpSucceeded        OpState = "succeeded"
	OpFailed           OpState = "failed"
	OpExpired          OpState = "expired"
	OpCanceled         OpState = "canceled"
)

// Final reports whether no further transition can happen from s.
func (s OpState) Final() bool {
	switch s {
	case OpSucceeded, OpFailed, OpExpired, OpCanceled:
		return true
	}
	return false
}

// Operation is one mutating action (launch, teardown, …) recorded durably so
// that it survives a restart and is never run twice. Its ID is also the
// request id people see on approval cards ("Request #12").
//
// Its groups are embedded, so their fields read as the operation's own
// (op.Decider, op.MessageTS); only a literal names the group.
type Operation struct {
	ID            int64
	Action        string // "launch", "teardown", …
	App           string // app name the operation acts on
	State         OpState
	Requester     string // chat user id
	RequesterName string
	CommandText   string // the command as typed, for audit and display
	Args          string // JSON of the parsed arguments, to resume or run after approval
	Reason        string // --reason given by the requester
	Error         string // why it failed, for the final message
	// Lock is what the operation holds while unfinished: AppLock(App) when
	// empty, or another namespace such as RegistryLock, so that an app and
	// the registry can never be confused.
	Lock string
	Card
	Sent
	Approval
	Stamps
}

// Card is where an operation is reported: its channel, the message kept
// current there, and the fallback when the bot cannot post.
type Card struct {
	Channel     string // where progress is reported
	MessageTS   string // the adapter's id of the message kept current; its thread gets replies
	ResponseURL string // fallback when the bot cannot post in Channel
}

// Sent is how far an operation's work on DigitalOcean has gone and the
// ids it has there.
type Sent struct {
	ResourceID   string // DigitalOcean app or droplet id, once known
	DeploymentID string // DigitalOcean deployment id, once known
	// Step is how far the request that starts the work on DigitalOcean has
	// gone, so that a restart knows whether it may have been sent.
	Step OpStep
	// ExternalID is DigitalOcean's id of work that is not a deployment,
	// once sent: a droplet action's id.
	ExternalID string
}

// Approval is a request's deadline and, once decided, who decided and
// when.
type Approval struct {
	Decider   string // chat user id of the approver or denier
	DecidedAt time.Time
	ExpiresAt time.Time // approval deadline; zero when no approval is needed
}

// Stamps are when an operation was created and last changed.
type Stamps struct {
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OpStep is how far an operation's request to DigitalOcean has gone.
type OpStep string

// The steps, in order. An operation that never sends a request that could
// be lost (a teardown deletes by id, which is idempotent) stays created.
const (
	StepCreated OpStep = "created" // nothing sent yet
	StepSending OpStep = "sending" // the request may be in flight
	StepSent    OpStep = "sent"    // DigitalOcean answered; its ids are recorded
)

// RegistryLock is the lock of every registry operation: an account has one
// registry, so creating, deleting and collecting garbage take turns.
const RegistryLock = "registry:account"

// AppLock is the lock of an operation on the app or droplet called name.
func AppLock(name string) string {
	if name == "" {
		return ""
	}
	return "app:" + name
}

// AuditEntry is one append-only audit row. Hash is keyed with the audit key
// and covers ID, every other field and PrevHash, so editing any row breaks
// the chain from that row on, and only the key's holder can rebuild it.
type AuditEntry struct {
	ID          int64
	Time        time.Time
	UserID      string
	UserName    string
	Channel     string
	CommandText string
	Action      string // command or event name: "launch", "grant", "approval.request", "do.create_app", …
	Target      string // app name, user id, request id, …
	Decision    string // "allowed", "refused", "approved", "denied", "expired", or ""
	Outcome     string // "ok", "error", "started", …
	Error       string
	Details     string // ids DigitalOcean returned and other facts, as text
	PrevHash    string
	Hash        string
	// Instance is the process that wrote the row (BOT_INSTANCE), so that
	// with several replicas the trail says which one acted. The store
	// fills it in; rows from before it was recorded have "".
	Instance string
}

// AuditRefHashLen is how many hex digits of a row's hash its reference
// shows. The hash is keyed, so without the key even a short prefix cannot be
// matched by a forged row.
const AuditRefHashLen = 8

// Ref is how the audit channel names the row: its id and a prefix of its
// hash ("#1234 · 3f9a1c2b"), a checkpoint `bot audit verify --head` takes.
func (e AuditEntry) Ref() string {
	return fmt.Sprintf("#%d · %.*s", e.ID, AuditRefHashLen, e.Hash)
}

// AuditFilter selects audit rows. Zero fields match everything.
type AuditFilter struct {
	UserID string
	Target string
	Action string
	Since  time.Time
	Limit  int // 0 means the store's default
}

// BusyError says that an app already has an unfinished operation. Only one
// mutating operation may hold an app at a time.
type BusyError struct {
	Holder Operation
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("%s is busy: %s #%d by %s since %s is still %s",
		e.Holder.App, e.Holder.Action, e.Holder.ID, e.Holder.Requester,
		e.Holder.CreatedAt.UTC().Format("2006-01-02 15:04 MST"), e.Holder.State)
}

// Policy says which role an action needs and whether a second person must
// approve it. AppGlob narrows the policy to app names matching a path.Match
// pattern ("prod-*"); an empty glob is the action's default.
type Policy struct {
	Action        string
	AppGlob       string
	Role          Role
	NeedsApproval bool
	// ApprovalAboveCents, when above zero, asks for approval of an
	// operation whose monthly price (USD cents) is above it.
	ApprovalAboveCents int64
	UpdatedBy          string
	UpdatedAt          time.Time
}
