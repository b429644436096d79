package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/progress"
)

// RegistryArgs are the arguments of the registry commands.
type RegistryArgs struct {
	Name   string `json:",omitempty"`
	Tier   string `json:",omitempty"`
	Region string `json:",omitempty"`
	Repo   string `json:",omitempty"`
	Reason string `json:",omitempty"`
	// Another says the account had registries already, so the create goes
	// to the multi-registry API.
	Another bool `json:",omitempty"`
}

func (a RegistryArgs) Target() string { return RegistryTarget }

func BytesText(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func RegistryHead(op dobot.Operation) chat.Message {
	args, _ := decodeArgs[RegistryArgs](op) // a bad decode fails the run
	what := map[string]string{ActionRegistryCreate: "Creating", ActionRegistryDelete: "Deleting", ActionRegistryGC: "Garbage-collecting"}[op.Action]
	return chat.Message{
		Text:   fmt.Sprintf("%s: %s registry %s", chat.Mention(op.Requester), strings.ToLower(what), args.Name),
		Title:  fmt.Sprintf(chat.IconPackage+" %s registry %s", what, args.Name),
		Footer: opFooter(op),
	}
}

// registryAudit records a registry call and its outcome.
func (b *Executor) registryAudit(ctx context.Context, op dobot.Operation, action string, err error, details string) {
	e := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Action: action, Target: RegistryTarget, Decision: "allowed", Outcome: "ok", Details: details}
	if err != nil {
		e.Outcome, e.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
	}
	b.audit(ctx, b.log, e)
}

func RunRegistryCreate(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	args, err := decodeArgs[RegistryArgs](op)
	if err != nil {
		b.FailOp(ctx, op, rep, err)
		return
	}
	req := &godo.RegistryCreateRequest{Name: args.Name, SubscriptionTierSlug: args.Tier, Region: args.Region}
	var reg *godo.Registry
	if args.Another {
		reg, _, err = b.cloud.Registries.Create(ctx, req)
	} else {
		reg, _, err = b.cloud.Registry.Create(ctx, req)
	}
	if docloud.IsConflict(err) {
		// A retried or resumed create may meet the registry its first try
		// made: that is success.
		if existing, _, gerr := b.cloud.Registries.Get(ctx, args.Name); gerr == nil && existing != nil {
			reg, err = existing, nil
		}
	}
	b.registryAudit(ctx, op, "do.create_registry", err, "name="+args.Name)
	if err != nil {
		b.FailOp(ctx, op, rep, err)
		return
	}
	b.finish(ctx, &op, dobot.OpSucceeded, "")
	rep.Final(ctx, infoMessage(fmt.Sprintf(chat.IconOK+" Created registry %s in %s. Push to registry.digitalocean.com/%s/REPO:TAG.", Escape(reg.Name), Escape(reg.Region), Escape(reg.Name))))
}

func RunRegistryDelete(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	args, err := decodeArgs[RegistryArgs](op)
	if err != nil {
		b.FailOp(ctx, op, rep, err)
		return
	}
	// Delete by name, so that only the registry that was approved goes,
	// whatever else the account has by now.
	_, err = b.cloud.Registries.Delete(ctx, args.Name)
	if docloud.IsNotFound(err) {
		err = nil // already gone: the goal is reached
	}
	b.registryAudit(ctx, op, "do.delete_registry", err, "name="+args.Name)
	if err != nil {
		b.FailOp(ctx, op, rep, err)
		return
	}
	b.finish(ctx, &op, dobot.OpSucceeded, "")
	rep.Final(ctx, infoMessage(fmt.Sprintf(chat.IconDelete+" Deleted registry %s.", args.Name)))
}

// gcPoll is how often a garbage collection is checked.
var gcPoll = 3 * time.Second

func RunRegistryGC(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	args, err := decodeArgs[RegistryArgs](op)
	if err != nil {
		b.FailOp(ctx, op, rep, err)
		return
	}
	// Untagged manifests too: a tag pushed again leaves its old manifest
	// untagged, and those are most of what a registry can free.
	gc, _, err := b.cloud.Registry.StartGarbageCollection(ctx, args.Name,
		&godo.StartGarbageCollectionRequest{Type: godo.GCTypeUntaggedManifestsAndUnreferencedBlobs})
	if err != nil && !docloud.IsConflict(err) {
		b.registryAudit(ctx, op, "do.start_gc", err, "registry="+args.Name)
		b.FailOp(ctx, op, rep, err)
		return
	}
	if gc == nil {
		// One was already running: watch that one.
		if gc, _, err = b.cloud.Registry.GetGarbageCollection(ctx, args.Name); err != nil {
			b.FailOp(ctx, op, rep, err)
			return
		}
	}
	b.registryAudit(ctx, op, "do.start_gc", nil, "registry="+args.Name+" gc="+gc.UUID)
	polls := b.newPoller(ctx, &op, rep)
	defer polls.Stop()
	last := ""
	for {
		if gc.Status != last {
			last = gc.Status
			if gcFinal(gc.Status) {
				break
			}
			rep.Reply(ctx, infoMessage(chat.IconClean+" Garbage collection: "+gc.Status))
		}
		if !polls.Wait(gcPoll) {
			return
		}
		cur, _, err := b.cloud.Registry.GetGarbageCollection(polls.Ctx, args.Name)
		if docloud.IsNotFound(err) {
			// No active collection any more: find how it ended.
			cur, err = docloud.FindGC(polls.Ctx, b.cloud.Registry, args.Name, gc.UUID), nil
			if cur == nil {
				cur = &godo.GarbageCollection{UUID: gc.UUID, Status: "succeeded"}
			}
		}
		if !polls.OK(err) {
			return
		}
		if err == nil {
			gc = cur
		}
	}
	if gc.Status == "succeeded" {
		b.finish(ctx, &op, dobot.OpSucceeded, "")
		rep.Final(ctx, infoMessage(fmt.Sprintf(chat.IconOK+" Garbage collection of %s finished: %d blobs deleted, %s freed.", args.Name, gc.BlobsDeleted, BytesText(gc.FreedBytes))))
		return
	}
	b.finish(ctx, &op, dobot.OpFailed, "garbage collection "+gc.Status)
	rep.Final(ctx, errorMessage(fmt.Sprintf("Garbage collection of %s ended: %s.", args.Name, Escape(gc.Status))))
}

func gcFinal(status string) bool {
	switch status {
	case "succeeded", "failed", "cancelled", "canceled":
		return true
	}
	return false
}
