package commands

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"dobot"
	"dobot/chat"
	"dobot/deploy"
	"dobot/docloud"
	"dobot/docloud/daytwo"
)

// An approval is bound to what was approved. When a request is made, the
// bot records the digest its image tag resolved to and a hash of what the
// executor will send; when the approval arrives it resolves the tag again
// and recomputes the hash. If either differs (the tag was pushed again, the
// app's spec was changed elsewhere), the request is void: nothing is sent,
// the card says why, and a new request asks again.

// bindRequest records what request op asks to be approved.
func (b *Bot) bindRequest(ctx context.Context, op dobot.Operation) error {
	image, digest := imageOf(op)
	hash, err := b.specHash(ctx, op)
	if err != nil {
		return err
	}
	return b.store.PutBinding(ctx, dobot.Binding{OperationID: op.ID, Image: image, Digest: digest, SpecHash: hash})
}

// imageOf is the image a launch or redeploy request names and the digest
// it was pinned to, or "" for other actions.
func imageOf(op dobot.Operation) (image, digest string) {
	if op.Action != ActionLaunch && op.Action != ActionRedeploy {
		return "", ""
	}
	var a struct {
		Image string
		Check struct{ Digest string }
	}
	if json.Unmarshal([]byte(op.Args), &a) != nil {
		return "", ""
	}
	return a.Image, a.Check.Digest
}

// specHash is a stable hash of what op's executor will send: its stored
// arguments (the launch's spec and pinned digest, the redeploy's new
// spec) and, for a change to an existing app, the app's spec on
// DigitalOcean that the change was worked out from.
func (b *Bot) specHash(ctx context.Context, op dobot.Operation) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00", op.Action, op.App, op.ResourceID, op.Args)
	if slices.Contains(specChangeActions, op.Action) && op.ResourceID != "" {
		app, _, err := b.cloud.Apps.Get(ctx, op.ResourceID)
		if err != nil {
			return "", fmt.Errorf("read app %s for the request's binding: %w", op.ResourceID, err)
		}
		// The app's spec now, and the spec the change will send (its
		// secrets sealed as stored): either changing voids the request.
		fmt.Fprintf(h, "%s\x00%s", daytwo.SpecHash(app.Spec), sentSpecHash(op))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// bindingChange says why approving op now would not approve what was asked
// for, or "" when it still would. tagMoved is set when the reason is that
// the image's tag now names another digest: then a new request can ask
// again for the same command.
func (b *Bot) bindingChange(ctx context.Context, op dobot.Operation) (why string, tagMoved bool) {
	bound, err := b.store.Binding(ctx, op.ID)
	if err != nil {
		return "", false // no binding (a request from before bindings): nothing to compare
	}
	if bound.Digest != "" {
		if ref, err := ParseImageRef(bound.Image); err == nil {
			pf, err := b.plan.Preflight(ctx, ref, 0)
			switch {
			case err != nil:
				return fmt.Sprintf("the image %s could not be checked again: %s", Escape(bound.Image), describeError(err, fmt.Sprintf("request-%d", op.ID))), false
			case pf.Digest == "":
				// The registry did not answer (or no checker is set): what
				// runs is still the pinned digest that was approved.
				b.log.Warn("could not resolve a request's image again", "request", op.ID, "image", bound.Image)
			case pf.Digest != bound.Digest:
				return fmt.Sprintf("the tag %s was pushed again: it now names %s, not %s as when the request was made", Escape(bound.Image), pf.Digest, bound.Digest), true
			}
		}
	}
	hash, err := b.specHash(ctx, op)
	if err != nil {
		b.log.Warn("recompute a request's binding", "request", op.ID, "err", err)
		return "the app could not be read back from DigitalOcean to confirm it is unchanged", false
	}
	if hash != bound.SpecHash {
		return "what it would send changed since the request (the app's spec on DigitalOcean was changed meanwhile)", false
	}
	return "", false
}

// voidIfChanged checks an approved request against what was asked for, and
// voids it when it changed: the request is canceled before anything is
// sent, its card and thread say why, and when only the tag moved a new
// request asks again for the new digest. It reports whether it voided op.
func (b *Bot) voidIfChanged(ctx context.Context, op dobot.Operation, who Request) bool {
	why, tagMoved := b.bindingChange(ctx, op)
	if why == "" {
		return false
	}
	var again *rebound
	if tagMoved {
		var err error
		if again, err = b.rebind(ctx, op); err != nil {
			b.log.Warn("prepare the request asking again", "request", op.ID, "err", err)
		}
	}
	voided, ok, err := b.store.Transition(ctx, op.ID, []dobot.OpState{dobot.OpRunning}, dobot.OpCanceled, func(o *dobot.Operation) {
		o.Error = "void: " + why
		deploy.ScrubSecrets(o) // it will never be sent
	})
	if err != nil || !ok {
		b.log.Error("void a changed request", "request", op.ID, "err", err)
		return true // not ours to run either way
	}
	if err := b.store.CardShown(ctx, op.ID); err != nil {
		b.log.Warn("record card shown", "request", op.ID, "err", err)
	}
	b.audit(ctx, b.log, dobot.AuditEntry{UserID: who.UserID, UserName: who.UserName, Channel: who.ChannelID, CommandText: commandText(who),
		Action: "approval.void", Target: op.App, Decision: "void", Outcome: "canceled", Details: fmt.Sprintf("request=%d action=%s why=%q", op.ID, op.Action, why)})
	next := ""
	if again != nil {
		if nop, err := b.askAgain(ctx, voided, again); err != nil {
			b.log.Warn("ask again after a void request", "request", op.ID, "err", err)
		} else {
			next = fmt.Sprintf(" Request #%d asks again, for what the tag names now.", nop.ID)
		}
	}
	if next == "" {
		next = fmt.Sprintf(" %s, ask again if it is still needed.", chat.Mention(op.Requester))
	}
	title := fmt.Sprintf("%s Request #%d void: %s %s", chat.IconDenied, op.ID, Escape(op.Action), Escape(op.App))
	text := fmt.Sprintf("Request #%d to %s %s was approved by %s, but it is void: %s. Nothing was sent.%s",
		op.ID, Escape(op.Action), Escape(op.App), chat.Mention(who.UserID), why, next)
	if op.MessageTS != "" {
		if err := b.chat.Update(ctx, chat.Ref{Channel: op.Channel, ID: op.MessageTS}, Message{Title: title, Text: text, Footer: "Void: approved something that has changed since"}); err != nil {
			b.log.Warn("update a void card", "request", op.ID, "err", err)
		}
	}
	b.reporterFor(voided).Final(ctx, Message{Text: chat.IconDenied + " " + text})
	return true
}

// rebound is a request's arguments worked out again for what its image tag
// names now, with the card's facts.
type rebound struct {
	args    string
	summary string
	fields  []Field
}

// rebind works op's arguments out again with a fresh pre-flight check of
// its image: the new digest (and for a redeploy, the spec that names it).
// Secret values stay sealed as they were.
func (b *Bot) rebind(ctx context.Context, op dobot.Operation) (*rebound, error) {
	switch op.Action {
	case ActionLaunch:
		args, err := decodeArgs[LaunchArgs](op)
		if err != nil {
			return nil, err
		}
		if args.From != nil { // no image to check again
			return &rebound{args: op.Args, summary: fmt.Sprintf("launch %s (%s) in %s", args.Name, args.From.Describe(), args.Region), fields: deploy.LaunchFields(args)}, nil
		}
		if args.Check, err = b.plan.Preflight(ctx, args.Ref, args.Port); err != nil {
			return nil, err
		}
		args.Port = args.Check.Port
		raw, err := json.Marshal(args)
		if err != nil {
			return nil, err
		}
		return &rebound{args: string(raw), summary: fmt.Sprintf("launch %s (%s) in %s", args.Name, args.Image, args.Region), fields: deploy.LaunchFields(args)}, nil
	case ActionRedeploy:
		args, err := decodeArgs[ChangeArgs](op)
		if err != nil {
			return nil, err
		}
		ref, err := ParseImageRef(args.Image)
		if err != nil {
			return nil, err
		}
		if args.Check, err = b.plan.Preflight(ctx, ref, 0); err != nil {
			return nil, err
		}
		args.Spec, args.PortNote = docloud.WithImage(args.Spec, ref, docloud.Preflight(args.Check))
		if args.Spec == nil {
			return nil, fmt.Errorf("redeploy %s: no spec to change", args.Name)
		}
		raw, err := json.Marshal(args)
		if err != nil {
			return nil, err
		}
		fields := []Field{{Label: "App", Value: args.Name}, {Label: "Now running", Value: args.From},
			{Label: "New image", Value: deploy.ImageWithDigest(args.Image, args.Check.Digest)}}
		if args.PortNote != "" {
			fields = append(fields, Field{Label: "Port", Value: args.PortNote})
		}
		return &rebound{args: string(raw), summary: "redeploy " + args.Name, fields: fields}, nil
	}
	return nil, fmt.Errorf("%s requests are not asked again", op.Action)
}

// askAgain opens and posts a new request for what void (a request just
// voided) asked for, with its arguments worked out again, in the same
// channel and for the same requester.
func (b *Bot) askAgain(ctx context.Context, void dobot.Operation, again *rebound) (dobot.Operation, error) {
	op := dobot.Operation{
		Action:        void.Action,
		App:           void.App,
		Args:          again.args,
		Reason:        void.Reason,
		Requester:     void.Requester,
		RequesterName: void.RequesterName,
		CommandText:   void.CommandText,
		Card:          dobot.Card{Channel: void.Channel, ResponseURL: void.ResponseURL},
		Sent:          dobot.Sent{ResourceID: void.ResourceID},
	}
	op, err := b.eng.ops.Open(ctx, op, true)
	if err != nil {
		return op, err
	}
	if err := b.bindRequest(ctx, op); err != nil {
		b.exec.Finish(ctx, &op, dobot.OpCanceled, "could not record what the request asks for")
		return op, err
	}
	req := Request{Ref: fmt.Sprintf("request-%d", void.ID), UserID: void.Requester, UserName: void.RequesterName, ChannelID: void.Channel, ResponseURL: void.ResponseURL}
	if err := b.requestApproval(ctx, &Invocation{Req: req}, op, &Plan{Op: op, Summary: again.summary, Fields: again.fields}); err != nil {
		return op, err
	}
	return op, nil
}
