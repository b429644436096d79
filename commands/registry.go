package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/digitalocean/godo"

	"dobot"
)

// Registry actions and their policies (admins manage the registry; deleting
// it needs a second person).
const (
	ActionRegistryCreate = "registry.create"
	ActionRegistryDelete = "registry.delete"
	ActionRegistryGC     = "registry.gc"
	// registryLock is the operation "app" that serialises registry changes.
	registryLock = "registry"
)

var registryNamePattern = regexp.MustCompile(`^[a-z0-9-]{1,63}$`)

func init() {
	DefaultPolicies[ActionRegistryCreate] = dobot.Policy{Action: ActionRegistryCreate, Role: dobot.RoleAdmin}
	DefaultPolicies[ActionRegistryDelete] = dobot.Policy{Action: ActionRegistryDelete, Role: dobot.RoleAdmin, NeedsApproval: true}
	DefaultPolicies[ActionRegistryGC] = dobot.Policy{Action: ActionRegistryGC, Role: dobot.RoleAdmin}
	executors[ActionRegistryCreate] = &executor{head: registryHead, run: runRegistryCreate}
	executors[ActionRegistryDelete] = &executor{head: registryHead, run: runRegistryDelete}
	executors[ActionRegistryGC] = &executor{head: registryHead, run: runRegistryGC}
}

// RegistryArgs are the arguments of the registry commands.
type RegistryArgs struct {
	Name   string `json:",omitempty"`
	Tier   string `json:",omitempty"`
	Region string `json:",omitempty"`
	Repo   string `json:",omitempty"`
	Reason string `json:",omitempty"`
}

func (a RegistryArgs) target() string { return registryLock }

var registryCommand = &Command{
	Name:        "registry",
	Usage:       "registry",
	Description: "Show the container registry: name, region, tier and storage used.",
	Examples:    []string{"registry"},
	MinRole:     dobot.RoleViewer,
	Parse:       noArgs("registry"),
	Run:         runRegistryShow,
	Subcommands: []*Command{
		{
			Name:        "registry create",
			Usage:       "registry create NAME [--tier starter|basic|professional] [--region SLUG]",
			Description: "Create the account's container registry (starter tier and DO_REGION unless told otherwise).",
			Examples:    []string{"registry create acme", "registry create acme --tier basic --region ams3"},
			Action:      ActionRegistryCreate,
			Parse:       parseRegistryCreate,
			Prepare:     prepareRegistryCreate,
		},
		{
			Name:        "registry delete",
			Usage:       "registry delete [--reason TEXT]",
			Description: "Delete the container registry and every image in it.",
			Examples:    []string{"registry delete --reason 'moving to ghcr'"},
			Action:      ActionRegistryDelete,
			Parse:       parseReasonOnly("registry delete"),
			Prepare:     prepareRegistryDelete,
		},
		{
			Name:        "registry repos",
			Usage:       "registry repos [REPO]",
			Description: "List the registry's repositories, or one repository's tags.",
			Examples:    []string{"registry repos", "registry repos web"},
			MinRole:     dobot.RoleViewer,
			Parse: func(words []string, _ Config) (any, error) {
				if len(words) > 1 {
					return nil, userErrorf("registry repos takes at most one repository name")
				}
				args := RegistryArgs{}
				if len(words) == 1 {
					args.Repo = words[0]
					for _, part := range strings.Split(args.Repo, "/") {
						if !pathComponent.MatchString(part) {
							return nil, userErrorf("%q is not a repository name", args.Repo)
						}
					}
				}
				return args, nil
			},
			Run: runRegistryRepos,
		},
		{
			Name:        "registry gc",
			Usage:       "registry gc",
			Description: "Start garbage collection of unreferenced blobs and watch it to the end.",
			Examples:    []string{"registry gc"},
			Action:      ActionRegistryGC,
			Parse:       parseReasonOnly("registry gc"),
			Prepare:     prepareRegistryGC,
		},
	},
}

func parseReasonOnly(name string) func([]string, Config) (any, error) {
	return func(words []string, _ Config) (any, error) {
		fs := newFlagSet(name)
		reason := fs.String("reason", "", "")
		pos, err := parseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) > 0 {
			return nil, userErrorf("%s takes no names, only --reason; see `/do help %s`", name, name)
		}
		return RegistryArgs{Reason: strings.TrimSpace(*reason)}, nil
	}
}

func parseRegistryCreate(words []string, cfg Config) (any, error) {
	fs := newFlagSet("registry create")
	tier := fs.String("tier", "starter", "")
	region := fs.String("region", "", "")
	pos, err := parseFlags(fs, words)
	if err != nil {
		return nil, err
	}
	if len(pos) != 1 {
		return nil, userErrorf("registry create takes one name, like `/do registry create acme`")
	}
	if !registryNamePattern.MatchString(pos[0]) {
		return nil, userErrorf("bad registry name %q: use up to 63 lowercase letters, digits and dashes", pos[0])
	}
	switch *tier {
	case "starter", "basic", "professional":
	default:
		return nil, userErrorf("--tier takes starter, basic or professional, not %q", *tier)
	}
	if *region != "" && !regionPattern.MatchString(*region) {
		return nil, userErrorf("bad --region %q: use a region slug like nyc3 or ams3", *region)
	}
	return RegistryArgs{Name: pos[0], Tier: *tier, Region: *region}, nil
}

// registryOf returns the account's registry, or nil when there is none.
func (b *Bot) registryOf(ctx context.Context) (*godo.Registry, error) {
	reg, _, err := b.cloud.Registry.Get(ctx)
	if isDONotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get registry: %w", err)
	}
	return reg, nil
}

func runRegistryShow(ctx context.Context, b *Bot, inv *Invocation) error {
	reg, err := b.registryOf(ctx)
	if err != nil {
		return err
	}
	if reg == nil {
		b.tell(ctx, inv.Req, infoMessage("This account has no container registry. An admin can create one with `/do registry create NAME`."))
		return nil
	}
	tier := "unknown"
	if sub, _, err := b.cloud.Registry.GetSubscription(ctx); err == nil && sub != nil && sub.Tier != nil {
		tier = sub.Tier.Name
		if sub.Tier.MonthlyPriceInCents > 0 {
			tier += fmt.Sprintf(" (%s/month)", money(int64(sub.Tier.MonthlyPriceInCents)))
		}
	}
	b.tell(ctx, inv.Req, Message{
		Text:   fmt.Sprintf("Registry %s in %s, %s tier, %s used", Escape(reg.Name), Escape(reg.Region), Escape(tier), bytesText(reg.StorageUsageBytes)),
		Title:  ":package: Container registry " + reg.Name,
		Fields: []Field{{"Name", Escape(reg.Name)}, {"Region", Escape(reg.Region)}, {"Tier", Escape(tier)}, {"Storage used", bytesText(reg.StorageUsageBytes)}},
		Footer: "Images deploy as registry.digitalocean.com/" + reg.Name + "/REPO:TAG",
	})
	return nil
}

func bytesText(n uint64) string {
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

func prepareRegistryCreate(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args := inv.Args.(RegistryArgs)
	if reg, err := b.registryOf(ctx); err != nil {
		return nil, err
	} else if reg != nil {
		return nil, userErrorf("this account already has a registry, %s (an account has one).", reg.Name)
	}
	opts, _, err := b.cloud.Registry.GetOptions(ctx)
	if err != nil {
		return nil, fmt.Errorf("registry options: %w", err)
	}
	offered := opts.AvailableRegions
	if args.Region != "" && !contains(offered, args.Region) {
		return nil, userErrorf("the registry is not offered in %s; it is in %s", args.Region, strings.Join(offered, ", "))
	}
	if args.Region == "" && contains(offered, b.cfg.Region) {
		args.Region = b.cfg.Region
	}
	price := ""
	for _, t := range opts.SubscriptionTiers {
		if t.Slug == args.Tier {
			if !t.Eligible {
				return nil, userErrorf("the %s tier is not available to this account", args.Tier)
			}
			price = money(int64(t.MonthlyPriceInCents)) + "/month"
		}
	}
	raw, _ := json.Marshal(args)
	fields := []Field{{"Registry", args.Name}, {"Tier", args.Tier}, {"Region", orDefaultText(args.Region, "DigitalOcean's default")}}
	if price != "" {
		fields = append(fields, Field{"Cost", price})
	}
	return &Plan{Op: dobot.Operation{Action: ActionRegistryCreate, App: registryLock, Args: string(raw)},
		Summary: "create registry " + args.Name, Fields: fields}, nil
}

func orDefaultText(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func contains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

func prepareRegistryDelete(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args := inv.Args.(RegistryArgs)
	reg, err := b.registryOf(ctx)
	if err != nil {
		return nil, err
	}
	if reg == nil {
		return nil, userErrorf("this account has no container registry to delete.")
	}
	args.Name = reg.Name
	raw, _ := json.Marshal(args)
	return &Plan{Op: dobot.Operation{Action: ActionRegistryDelete, App: registryLock, Args: string(raw), Reason: args.Reason},
		Summary: "delete registry " + reg.Name,
		Fields:  []Field{{"Registry", reg.Name}, {"Deletes", "the registry and every image in it"}, {"Storage", bytesText(reg.StorageUsageBytes)}}}, nil
}

func prepareRegistryGC(ctx context.Context, b *Bot, inv *Invocation) (*Plan, error) {
	args := inv.Args.(RegistryArgs)
	reg, err := b.registryOf(ctx)
	if err != nil {
		return nil, err
	}
	if reg == nil {
		return nil, userErrorf("this account has no container registry.")
	}
	args.Name = reg.Name
	raw, _ := json.Marshal(args)
	return &Plan{Op: dobot.Operation{Action: ActionRegistryGC, App: registryLock, Args: string(raw), Reason: args.Reason},
		Summary: "garbage-collect registry " + reg.Name,
		Fields:  []Field{{"Registry", reg.Name}, {"Note", "the registry is read-only while garbage collection runs"}}}, nil
}

func decodeRegistry(op dobot.Operation) RegistryArgs {
	var args RegistryArgs
	_ = json.Unmarshal([]byte(op.Args), &args)
	return args
}

func registryHead(op dobot.Operation) Message {
	args := decodeRegistry(op)
	what := map[string]string{ActionRegistryCreate: "Creating", ActionRegistryDelete: "Deleting", ActionRegistryGC: "Garbage-collecting"}[op.Action]
	return Message{
		Text:   fmt.Sprintf("<@%s>: %s registry %s", op.Requester, strings.ToLower(what), args.Name),
		Title:  fmt.Sprintf(":package: %s registry %s", what, args.Name),
		Footer: opFooter(op),
	}
}

// registryAudit records a registry call and its outcome.
func (b *Bot) registryAudit(ctx context.Context, op dobot.Operation, action string, err error, details string) {
	e := dobot.AuditEntry{UserID: op.Requester, UserName: op.RequesterName, Channel: op.Channel, CommandText: op.CommandText,
		Action: action, Target: registryLock, Decision: "allowed", Outcome: "ok", Details: details}
	if err != nil {
		e.Outcome, e.Error = "error", describeError(err, fmt.Sprintf("op-%d", op.ID))
	}
	b.audit(ctx, b.log, e)
}

func runRegistryCreate(ctx context.Context, b *Bot, op dobot.Operation, rep *reporter) {
	args := decodeRegistry(op)
	reg, _, err := b.cloud.Registry.Create(ctx, &godo.RegistryCreateRequest{Name: args.Name, SubscriptionTierSlug: args.Tier, Region: args.Region})
	if isDOConflict(err) {
		// A retried or resumed create may meet the registry its first try
		// made: that is success.
		if existing, gerr := b.registryOf(ctx); gerr == nil && existing != nil && existing.Name == args.Name {
			reg, err = existing, nil
		}
	}
	b.registryAudit(ctx, op, "do.create_registry", err, "name="+args.Name)
	if err != nil {
		b.failOp(ctx, op, rep, err)
		return
	}
	b.finish(ctx, &op, dobot.OpSucceeded, "")
	rep.final(ctx, infoMessage(fmt.Sprintf(":white_check_mark: Created registry %s in %s. Push to registry.digitalocean.com/%s/REPO:TAG.", Escape(reg.Name), Escape(reg.Region), Escape(reg.Name))))
}

func runRegistryDelete(ctx context.Context, b *Bot, op dobot.Operation, rep *reporter) {
	args := decodeRegistry(op)
	// Delete takes no name: make sure the registry is still the one that
	// was asked for and approved.
	reg, err := b.registryOf(ctx)
	if err != nil {
		b.failOp(ctx, op, rep, err)
		return
	}
	if reg != nil && reg.Name != args.Name {
		b.failOp(ctx, op, rep, userErrorf("the account's registry is now %s, not %s as approved; nothing was deleted.", reg.Name, args.Name))
		return
	}
	if reg != nil {
		_, err = b.cloud.Registry.Delete(ctx)
	}
	if isDONotFound(err) {
		err = nil // already gone: the goal is reached
	}
	b.registryAudit(ctx, op, "do.delete_registry", err, "name="+args.Name)
	if err != nil {
		b.failOp(ctx, op, rep, err)
		return
	}
	b.finish(ctx, &op, dobot.OpSucceeded, "")
	rep.final(ctx, infoMessage(fmt.Sprintf(":wastebasket: Deleted registry %s.", args.Name)))
}

// gcPoll is how often a garbage collection is checked.
var gcPoll = 3 * time.Second

func runRegistryGC(ctx context.Context, b *Bot, op dobot.Operation, rep *reporter) {
	args := decodeRegistry(op)
	gc, _, err := b.cloud.Registry.StartGarbageCollection(ctx, args.Name)
	if err != nil && !isDOConflict(err) {
		b.registryAudit(ctx, op, "do.start_gc", err, "registry="+args.Name)
		b.failOp(ctx, op, rep, err)
		return
	}
	if gc == nil {
		// One was already running: watch that one.
		if gc, _, err = b.cloud.Registry.GetGarbageCollection(ctx, args.Name); err != nil {
			b.failOp(ctx, op, rep, err)
			return
		}
	}
	b.registryAudit(ctx, op, "do.start_gc", nil, "registry="+args.Name+" gc="+gc.UUID)
	last := ""
	for {
		if gc.Status != last {
			last = gc.Status
			if gcFinal(gc.Status) {
				break
			}
			rep.reply(ctx, infoMessage(":broom: Garbage collection: "+gc.Status))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(gcPoll):
		}
		cur, _, err := b.cloud.Registry.GetGarbageCollection(ctx, args.Name)
		switch {
		case isDONotFound(err):
			// No active collection any more: find how it ended.
			cur = b.lastGC(ctx, args.Name, gc.UUID)
			if cur == nil {
				cur = &godo.GarbageCollection{UUID: gc.UUID, Status: "succeeded"}
			}
		case err != nil:
			b.log.Warn("poll garbage collection", "op", op.ID, "err", err)
			continue
		}
		gc = cur
	}
	if gc.Status == "succeeded" {
		b.finish(ctx, &op, dobot.OpSucceeded, "")
		rep.final(ctx, infoMessage(fmt.Sprintf(":white_check_mark: Garbage collection of %s finished: %d blobs deleted, %s freed.", args.Name, gc.BlobsDeleted, bytesText(gc.FreedBytes))))
		return
	}
	b.finish(ctx, &op, dobot.OpFailed, "garbage collection "+gc.Status)
	rep.final(ctx, errorMessage(fmt.Sprintf("Garbage collection of %s ended: %s.", args.Name, Escape(gc.Status))))
}

func gcFinal(status string) bool {
	switch status {
	case "succeeded", "failed", "cancelled", "canceled":
		return true
	}
	return false
}

// lastGC finds a finished garbage collection by id.
func (b *Bot) lastGC(ctx context.Context, registry, id string) *godo.GarbageCollection {
	gcs, _, err := b.cloud.Registry.ListGarbageCollections(ctx, registry, &godo.ListOptions{Page: 1, PerPage: 20})
	if err != nil {
		return nil
	}
	for _, gc := range gcs {
		if gc.UUID == id {
			return gc
		}
	}
	return nil
}
