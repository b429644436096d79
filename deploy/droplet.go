package deploy

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/chat"
	"dobot/docloud"
	"dobot/progress"
)

// cloudInit is the droplet's user data for a launch: the container of
// args, pinned to the digest the pre-flight check read, so that the droplet
// runs exactly the image the card shows even if the tag moves before it
// boots.
func cloudInit(args LaunchArgs, dockerConfig []byte) string {
	ref := args.Ref
	if args.Check.Digest != "" {
		ref.Tag, ref.Digest = "", args.Check.Digest
	}
	return docloud.CloudInit(docloud.Container{Name: args.Name, Image: ref.String(), Port: args.Port, Env: args.Env, DockerConfig: dockerConfig})
}

// executeDropletLaunch creates the droplet (unless an earlier run did) and
// follows it until it is active with a public IP.
func (b *Executor) executeDropletLaunch(ctx context.Context, op dobot.Operation, args LaunchArgs, rep *progress.Reporter) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.OpTimeout)
	defer cancel()
	defer b.follow.GiveUpIfTimedOut(ctx, &op, args.Name, rep)
	if op.ResourceID == "" {
		if d := b.findOwnDroplet(ctx, op, args); d != nil {
			op.ResourceID, op.Step = strconv.Itoa(d.ID), dobot.StepSent
		} else if err := b.createDroplet(ctx, &op, args); err != nil {
			if ctx.Err() != nil {
				return
			}
			msg := describeError(err, fmt.Sprintf("op-%d", op.ID))
			b.finish(ctx, &op, dobot.OpFailed, err.Error())
			rep.Update(ctx, LaunchCard(op, args, LaunchState{Phase: "ERROR", Failure: msg}))
			rep.Final(ctx, errorMessage("Could not create droplet "+args.Name+": "+msg))
			return
		}
		ScrubSecrets(&op) // the droplet has its user data; keep no secret
		if err := b.store.RecordCreation(ctx, op, args.managedDroplet(&op, b.now())); err != nil {
			b.reportNotRecorded(ctx, op, &notRecordedError{kind: "droplet", name: args.Name, id: op.ResourceID, err: err}, rep)
			return
		}
		rep.Note(ctx, infoMessage(fmt.Sprintf(chat.IconWork+" Created droplet %s (id `%s`). Waiting for it to boot.", args.Name, op.ResourceID)))
	}
	b.assignToProject(ctx, op, true, rep)
	id, _ := strconv.Atoi(op.ResourceID)
	last := ""
	for {
		d, _, err := b.cloud.Droplets.Get(ctx, id)
		switch {
		case docloud.IsNotFound(err):
			b.finish(ctx, &op, dobot.OpFailed, "droplet deleted while booting")
			_ = b.store.DeleteApp(ctx, args.Name)
			rep.Final(ctx, errorMessage(fmt.Sprintf("Droplet %s disappeared before it was up; it was deleted outside the bot.", args.Name)))
			return
		case err != nil:
			b.log.Warn("poll droplet", "op", op.ID, "err", err)
		case d.Status != last:
			last = d.Status
			ip, _ := d.PublicIPv4()
			st := LaunchState{Phase: docloud.DropletPhase(d.Status), URL: DropletURL(ip)}
			up := d.Status == "active" && ip != ""
			if up {
				// Finished before the card says so: see follow.Follower.Deployment.
				b.finish(ctx, &op, dobot.OpSucceeded, "")
			}
			rep.Update(ctx, LaunchCard(op, args, st))
			if up {
				b.audit(ctx, b.log, dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel,
					CommandText: op.CommandText, Action: "do.droplet_active", Target: args.Name, Decision: "allowed", Outcome: "live",
					Details: fmt.Sprintf("droplet_id=%d ip=%s", d.ID, ip)})
				rep.Final(ctx, infoMessage(fmt.Sprintf(chat.IconOK+" %s: droplet active, container start not checked. Droplet `%d` is up at %s (public IP %s); the container starts once Docker has pulled %s, and the bot does not check that it did.", args.Name, d.ID, DropletURL(ip), ip, args.Image)))
				return
			}
			rep.Reply(ctx, infoMessage(PhaseName(st.Phase)))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(b.watcher.Interval(b.now().Sub(op.CreatedAt))):
		}
	}
}

func DropletURL(ip string) string {
	if ip == "" {
		return ""
	}
	return "http://" + ip
}

// createDroplet sends the create and records the id before anything else.
func (b *Executor) createDroplet(ctx context.Context, op *dobot.Operation, args LaunchArgs) error {
	args, err := openLaunch(b.vault, args)
	if err != nil {
		return err
	}
	var dockerConfig []byte
	if args.Ref.Host == dobot.HostDOCR {
		// Fresh, read-only and short-lived: these credentials go only into
		// the droplet's user data, never into the store, a log or a
		// message.
		creds, err := docloud.PullCredentials(ctx, b.cloud.Registry)
		if err != nil {
			return userErrorf("could not get read-only credentials for registry.digitalocean.com to pull %s (%s); no droplet was created. The token needs the registry:read scope.",
				args.Image, describeError(err, fmt.Sprintf("op-%d", op.ID)))
		}
		dockerConfig = creds
	}
	image := args.DropletImage
	if image == "" {
		image = docloud.PreferredDropletImage // an operation stored before images were chosen
	}
	req := &godo.DropletCreateRequest{
		Name: args.Name, Region: args.DropletRegion, Size: args.Size,
		Image:      godo.DropletCreateImage{Slug: image},
		UserData:   cloudInit(args, dockerConfig),
		Tags:       []string{docloud.TagManaged, docloud.OwnerTag(op.Requester)},
		SSHKeys:    []godo.DropletCreateSSHKey{}, // godo sends null for nil, which the API rejects
		Monitoring: true,
	}
	d, err := b.createDropletOnce(ctx, op, args, req)
	entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel,
		CommandText: op.CommandText, Action: "do.create_droplet", Target: args.Name, Decision: "allowed"}
	if err != nil {
		entry.Outcome, entry.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
		b.audit(ctx, b.log, entry)
		return fmt.Errorf("create droplet %q: %w", args.Name, err)
	}
	op.ResourceID, op.Step = strconv.Itoa(d.ID), dobot.StepSent
	entry.Outcome, entry.Details = "ok", "droplet_id="+op.ResourceID
	b.audit(ctx, b.log, entry)
	return nil
}

// findOwnDroplet finds a droplet this launch already created, by its name
// and the bot's tags, for a launch resumed after a restart.
func (b *Executor) findOwnDroplet(ctx context.Context, op dobot.Operation, args LaunchArgs) *godo.Droplet {
	return docloud.FindOwnDroplet(ctx, b.cloud.Droplets, op.Requester, args.Name, op.CreatedAt.Add(-adoptSlack))
}

// managedDroplet is the store's record of a launched droplet.
func (a LaunchArgs) managedDroplet(op *dobot.Operation, now time.Time) dobot.App {
	app := dobot.App{Name: a.Name, Kind: KindDroplet, ResourceID: op.ResourceID, Region: a.DropletRegion, Image: a.Image,
		Owner: op.Requester, Channel: op.Channel, ThreadTS: op.MessageTS, CreatedAt: now, Size: a.Size, MonthlyCents: a.MonthlyCents}
	if a.TTL > 0 {
		app.ExpiresAt = now.Add(a.TTL)
	}
	return app
}

// DropletActionArgs name a droplet and what to do to it.
type DropletActionArgs struct {
	Name   string
	Type   string // reboot, power_off or power_on
	Reason string `json:",omitempty"`
}

func (a DropletActionArgs) Target() string { return a.Name }

func DropletActionHead(op dobot.Operation) chat.Message {
	args, _ := decodeArgs[DropletActionArgs](op) // a bad decode fails the run
	what := strings.ReplaceAll(args.Type, "_", " ")
	return chat.Message{
		Text:   fmt.Sprintf("%s: %s droplet %s", chat.Mention(op.Requester), what, args.Name),
		Title:  fmt.Sprintf(chat.IconSettings+" %s: %s", args.Name, what),
		Footer: opFooter(op),
	}
}

func RunDropletAction(ctx context.Context, b *Executor, op dobot.Operation, rep *progress.Reporter) {
	args, err := decodeArgs[DropletActionArgs](op)
	if err != nil {
		b.FailOp(ctx, op, rep, err)
		return
	}
	id, _ := strconv.Atoi(op.ResourceID)
	var action *godo.Action
	switch op.Step {
	case dobot.StepSending:
		// The bot stopped while sending the action: it may or may not have
		// run, and a second reboot or power cycle is not harmless.
		b.FailOp(ctx, op, rep, userErrorf("the bot restarted while sending the %s; check `/do status %s` and run it again if needed", strings.ReplaceAll(args.Type, "_", " "), args.Name))
		return
	case dobot.StepSent: // resumed: watch the action already sent
		aid, _ := strconv.Atoi(op.ExternalID)
		action, _, err = b.cloud.DropletActions.Get(ctx, id, aid)
	default:
		if _, err := b.markSending(ctx, &op); err != nil {
			b.FailOp(ctx, op, rep, err)
			return
		}
	}
	if op.Step == dobot.StepSending {
		switch args.Type {
		case "reboot":
			action, _, err = b.cloud.DropletActions.Reboot(ctx, id)
		case "power_off":
			action, _, err = b.cloud.DropletActions.PowerOff(ctx, id)
		case "power_on":
			action, _, err = b.cloud.DropletActions.PowerOn(ctx, id)
		default:
			err = fmt.Errorf("unknown droplet action %q", args.Type)
		}
		entry := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
			Action: "do.droplet_" + args.Type, Target: args.Name, Decision: "allowed", Outcome: "ok"}
		if err != nil {
			entry.Outcome, entry.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
		} else {
			entry.Details = fmt.Sprintf("droplet_id=%d action_id=%d", id, action.ID)
			op.ExternalID, op.Step = strconv.Itoa(action.ID), dobot.StepSent
			if uerr := b.store.UpdateOperation(ctx, op); uerr != nil {
				b.log.Error("record action id", "op", op.ID, "err", uerr)
			}
		}
		b.audit(ctx, b.log, entry)
	}
	if err != nil {
		b.FailOp(ctx, op, rep, err)
		return
	}
	polls := b.newPoller(ctx, &op, rep)
	defer polls.Stop()
	for action.Status == godo.ActionInProgress {
		if !polls.Wait(b.watcher.Interval(b.now().Sub(op.CreatedAt))) {
			return
		}
		cur, _, err := b.cloud.DropletActions.Get(polls.Ctx, id, action.ID)
		if !polls.OK(err) {
			return
		}
		if err == nil {
			action = cur
		}
	}
	what := strings.ReplaceAll(args.Type, "_", " ")
	// The card says how it ended, not only what was asked.
	card := DropletActionHead(op)
	if action.Status == godo.ActionCompleted {
		b.finish(ctx, &op, dobot.OpSucceeded, "")
		card.Title = fmt.Sprintf(chat.IconOK+" %s: %s completed", args.Name, what)
		rep.Update(ctx, card)
		rep.Final(ctx, infoMessage(fmt.Sprintf(chat.IconOK+" %s of %s completed.", what, args.Name)))
		return
	}
	b.finish(ctx, &op, dobot.OpFailed, "action "+action.Status)
	card.Title = fmt.Sprintf(chat.IconFailed+" %s: %s ended %s", args.Name, what, action.Status)
	rep.Update(ctx, card)
	rep.Final(ctx, errorMessage(fmt.Sprintf("%s of %s ended %s.", what, args.Name, action.Status)))
}

// createDropletOnce sends a droplet create, retrying a 429, a 5xx or a lost
// answer only after checking that the earlier try made no droplet.
func (b *Executor) createDropletOnce(ctx context.Context, op *dobot.Operation, args LaunchArgs, req *godo.DropletCreateRequest) (*godo.Droplet, error) {
	svc := b.cloud.DropletCreates
	if svc == nil {
		svc = b.cloud.Droplets
	}
	const attempts = 4
	var err error
	for i := 1; ; i++ {
		var d *godo.Droplet
		d, _, err = svc.Create(ctx, req)
		if err == nil || !docloud.Retryable(err) || i == attempts {
			return d, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(i) * time.Second):
		}
		if own := b.findOwnDroplet(ctx, *op, args); own != nil {
			return own, nil
		}
	}
}
