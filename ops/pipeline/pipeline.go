// Package pipeline runs a prepared command as a durable operation and
// applies the decisions on requests: the holds checked, the plan priced
// against the policy's cost limit, the operation routed, opened under its
// lock and either put up for approval or started; an Approve or Deny
// checked against the holds, applied once and shown. It knows the command
// table only through funcs, and the chat only through the desk, the
// reporters and Tell.
package pipeline

import (
	"context"
	"errors"
	"fmt"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/holds"
	"dobot/ops"
	"dobot/plan"
	"dobot/progress"
	"dobot/reply"
	"dobot/requests"
)

// Store is what the pipeline reads and writes of the records directly.
type Store interface {
	UpdateOperation(ctx context.Context, op dobot.Operation) error
	Role(ctx context.Context, userID string) (dobot.Role, error)
}

// Holds is the guard: the break-glass over a lock or a freeze audited and
// announced, and the holds checked again when a request is approved
// (holds.Service).
type Holds interface {
	RecordBreach(ctx context.Context, op dobot.Operation, br *holds.Breach, outcome string) error
	AnnounceBreach(ctx context.Context, op dobot.Operation, br *holds.Breach)
	AtDecision(ctx context.Context, id int64) (*holds.Breach, error)
}

// Desk puts requests up for decision and applies and shows decisions
// (requests.Desk).
type Desk interface {
	Post(ctx context.Context, op dobot.Operation, fields []chat.Field, summary string) (dobot.Operation, error)
	Apply(ctx context.Context, d requests.Decision) (dobot.Operation, error)
	Announce(ctx context.Context, d requests.Decision, decided dobot.Operation)
}

// Binder binds a request to what it asks for, and voids an approval
// when that changed (binding.Binder).
type Binder interface {
	Bind(ctx context.Context, op dobot.Operation) error
	VoidIfChanged(ctx context.Context, op dobot.Operation, who requests.Who) bool
}

// Deps are a Pipeline's collaborators.
type Deps struct {
	Store  Store
	Holds  Holds
	Desk   Desk
	Binder Binder
	// Open stores an operation under its lock (ops.Engine.Open); Finish
	// ends one (deploy.Executor.Finish).
	Open   func(ctx context.Context, op dobot.Operation, needsApproval bool) (dobot.Operation, error)
	Finish func(ctx context.Context, op *dobot.Operation, state dobot.OpState, why string)
	// Policy is the policy in force for action on app.
	Policy func(ctx context.Context, action, app string) (dobot.Policy, error)
	// Cost is the field saying why a plan's monthly cost needs approval,
	// or false when it does not.
	Cost func(ctx context.Context, p *plan.Plan) (chat.Field, bool, error)
	// Route sends a new operation's card to its app's route, returning
	// the note for the requester when it did (routes.Router.RouteOp).
	Route func(ctx context.Context, op *dobot.Operation) (chat.Message, bool)
	// Busy words who holds an app an operation could not lock.
	Busy func(busy *dobot.BusyError) string
	// Head is the card of op's action, false when the action has none.
	Head     func(op dobot.Operation) (chat.Message, bool)
	Reporter func(op dobot.Operation) *progress.Reporter
	// Start runs op's executor in the background under its lease.
	Start func(ref string, op dobot.Operation, rep *progress.Reporter)
	// Tell answers the person who asked, privately.
	Tell func(ctx context.Context, to Asker, m chat.Message)
}

// Pipeline runs operations and applies decisions.
type Pipeline struct{ d Deps }

// New returns a Pipeline.
func New(d Deps) *Pipeline { return &Pipeline{d: d} }

// Asker is the person who typed a command or pressed a button, and where.
type Asker struct {
	Ref, UserID, UserName, ChannelID, ResponseURL string
	// CommandText is the command as stored: masked, "(button)" for a click.
	CommandText string
}

// Job is one command to run as an operation.
type Job struct {
	From Asker
	// Check is the guard's answer for this command: a lock or a freeze
	// refuses it, a broken glass lets it through (holds.Service.Check).
	Check func(ctx context.Context) (*holds.Breach, error)
	// Prepare works out what the command would do.
	Prepare func(ctx context.Context) (*plan.Plan, error)
	// NeedsApproval is the policy's answer; a cost limit may add it.
	NeedsApproval bool
}

// Run stores the operation j plans and either starts it or asks for
// approval. A refusal is a user error.
func (p *Pipeline) Run(ctx context.Context, j Job) error {
	breach, err := j.Check(ctx) // a lock or a freeze stops it, unless the glass is broken
	if err != nil {
		return err
	}
	pl, err := j.Prepare(ctx)
	if err != nil {
		return err
	}
	if pl.DryRun != nil {
		m, err := pl.DryRun(ctx)
		if err != nil {
			return err
		}
		p.d.Tell(ctx, j.From, m)
		return nil
	}
	needsApproval := j.NeedsApproval
	if !needsApproval {
		why, costly, err := p.d.Cost(ctx, pl)
		if err != nil {
			return err
		}
		if costly {
			needsApproval = true
			pl.Fields = append([]chat.Field{why}, pl.Fields...)
		}
	}
	op, err := p.open(ctx, j.From, pl.Op, needsApproval)
	if err != nil {
		return err
	}
	if breach != nil {
		outcome := "override"
		if needsApproval {
			outcome = "requested"
		}
		if err := p.d.Holds.RecordBreach(ctx, op, breach, outcome); err != nil {
			p.d.Finish(ctx, &op, dobot.OpCanceled, "could not audit the break-glass")
			return err
		}
	}
	if needsApproval {
		if err := p.d.Binder.Bind(ctx, op); err != nil {
			p.d.Finish(ctx, &op, dobot.OpCanceled, "could not record what the request asks for")
			return err
		}
		if err := p.RequestApproval(ctx, j.From, op, pl); err != nil {
			return err
		}
		p.d.Holds.AnnounceBreach(ctx, op, breach)
		return nil
	}
	return p.start(ctx, j.From.Ref, op, breach)
}

// open fills in who asked and where, routes op and stores it under its
// lock: a lock someone holds is a user error naming them.
func (p *Pipeline) open(ctx context.Context, from Asker, op dobot.Operation, needsApproval bool) (dobot.Operation, error) {
	op.Requester, op.RequesterName = from.UserID, from.UserName
	op.Channel, op.ResponseURL = from.ChannelID, from.ResponseURL
	op.CommandText = from.CommandText
	if m, ok := p.d.Route(ctx, &op); ok {
		p.d.Tell(ctx, from, m)
	}
	op, err := p.d.Open(ctx, op, needsApproval)
	var busy *dobot.BusyError
	if errors.As(err, &busy) {
		return op, reply.Errorf("%s", reply.Markup(p.d.Busy(busy)))
	}
	if err != nil {
		return op, fmt.Errorf("store %s operation: %w", op.Action, err)
	}
	return op, nil
}

// start posts op's card, records it, and runs op's executor.
func (p *Pipeline) start(ctx context.Context, ref string, op dobot.Operation, breach *holds.Breach) error {
	head, ok := p.d.Head(op)
	if !ok {
		p.d.Finish(ctx, &op, dobot.OpFailed, "no executor for "+op.Action)
		return fmt.Errorf("no executor for action %q", op.Action)
	}
	rep := p.d.Reporter(op)
	if err := rep.Start(ctx, head); err != nil {
		p.d.Finish(ctx, &op, dobot.OpFailed, "could not post the first message: "+err.Error())
		return fmt.Errorf("post %s message: %w", op.Action, err)
	}
	op.MessageTS = rep.Head().ID
	if err := p.d.Store.UpdateOperation(ctx, op); err != nil {
		return fmt.Errorf("record %s message: %w", op.Action, err)
	}
	p.d.Holds.AnnounceBreach(ctx, op, breach)
	p.d.Start(ref, op, rep)
	return nil
}

// RequestApproval puts op up for decision and tells the requester
// privately that it waits for a second person.
func (p *Pipeline) RequestApproval(ctx context.Context, from Asker, op dobot.Operation, pl *plan.Plan) error {
	op, err := p.d.Desk.Post(ctx, op, pl.Fields, pl.Summary)
	if err != nil {
		return err
	}
	p.d.Tell(ctx, from, chat.Message{Text: fmt.Sprintf(chat.IconExpired+" Request #%d to %s needs approval by an approver or admin other than you. It expires at %s. `/do cancel %d` withdraws it.",
		op.ID, pl.Summary, op.ExpiresAt.UTC().Format(ops.TimeFormat), op.ID)})
	return nil
}

// Decide applies d, made by from, through the desk, and answers a typed
// decision privately (a click shows on its card).
func (p *Pipeline) Decide(ctx context.Context, from Asker, d requests.Decision) error {
	d.Who = requests.Who{Ref: from.Ref, UserID: from.UserID, UserName: from.UserName, ChannelID: from.ChannelID, CommandText: from.CommandText}
	// A lock or freeze holds an approval back unless it breaks the glass.
	var br *holds.Breach
	if d.Approve {
		var err error
		if br, err = p.d.Holds.AtDecision(ctx, d.RequestID); err != nil {
			return err
		}
	}
	op, err := p.d.Desk.Apply(ctx, d)
	if err != nil {
		return err
	}
	if d.Approve && p.d.Binder.VoidIfChanged(ctx, op, d.Who) {
		return nil
	}
	if br != nil {
		if err := p.d.Holds.RecordBreach(ctx, op, br, "override"); err != nil {
			p.d.Finish(ctx, &op, dobot.OpCanceled, "could not audit the break-glass")
			return err
		}
		defer p.d.Holds.AnnounceBreach(ctx, op, br)
	}
	p.d.Desk.Announce(ctx, d, op)
	if d.Card != "" {
		return nil
	}
	done := "denied"
	if d.Approve {
		done = "approved"
	}
	p.d.Tell(ctx, from, chat.Message{Text: fmt.Sprintf("You %s request #%d (%s).", done, op.ID, reply.Escape(deploy.What(op)))})
	return nil
}

// RequesterAllowed checks, at decision time, that the requester still has
// the role the action's policy asks for: a role revoked while the request
// waited must not be exercised through someone else's approval. It returns
// why not, as message markup, or "" when they may; err is a failure to
// find out, which is no refusal.
func (p *Pipeline) RequesterAllowed(ctx context.Context, op dobot.Operation) (why string, err error) {
	pol, err := p.d.Policy(ctx, op.Action, op.App)
	if err != nil {
		return "", err
	}
	role, err := p.d.Store.Role(ctx, op.Requester)
	if err != nil {
		return "", fmt.Errorf("load the role of %s: %w", op.Requester, err)
	}
	if role < pol.Role {
		return fmt.Sprintf("%s, who asked for request #%d, no longer has the %s role it needs, so it cannot be approved. Nothing was changed", chat.Mention(op.Requester), op.ID, pol.Role), nil
	}
	return "", nil
}
