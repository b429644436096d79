package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/chatview"
	"dobot/cmdline"
	"dobot/docloud"
	"dobot/secrets"
)

// The forms the bot opens. A form's ID comes back with its submission.
const (
	formLaunch   = "launch"
	formDeny     = "deny"
	formTeardown = "teardown"
)

// The launch form's fields, by ID.
const (
	fieldName      = "name"
	fieldImage     = "image"
	fieldSize      = "size"
	fieldRegion    = "region"
	fieldInstances = "instances"
	fieldPort      = "port"
	fieldEnv       = "env"
	fieldSecrets   = "secrets"
	fieldTTL       = "ttl"
	fieldReason    = "reason"
	fieldSpec      = "spec"
)

// preflightBudget is how long a launch form's submission waits for the
// image check before it answers: the form must be answered within about
// two seconds, so a slower registry is checked after the form closes, on
// the command's usual path, which reports a missing image in the chat.
const preflightBudget = 1200 * time.Millisecond

// formMeta is what a form carries from where it was opened to its
// submission: where to answer, and what it acts on. Never a secret.
type formMeta struct {
	Channel     string `json:"c,omitempty"`
	ResponseURL string `json:"u,omitempty"`
	Card        string `json:"m,omitempty"` // the card whose button opened it
	Target      string `json:"t,omitempty"` // a request id or an app name
}

func (m formMeta) encode() string {
	raw, _ := json.Marshal(m)
	return string(raw)
}

func decodeMeta(s string) formMeta {
	var m formMeta
	_ = json.Unmarshal([]byte(s), &m) // a form of ours always has it; empty otherwise
	return m
}

// openLaunchFormFor opens the launch form for a bare `/do launch` (when
// DO_APP_NAME and DO_IMAGE are not both set) or `/do launch --form`, and
// reports whether req was such a command. Without views it is not: the
// command parses as typed and says what is missing.
func (b *Bot) openLaunchFormFor(ctx context.Context, req Request) bool {
	if b.svc.ui.views == nil || req.TriggerID == "" {
		return false
	}
	words, err := cmdline.SplitWords(req.Text)
	if err != nil || len(words) == 0 || !strings.EqualFold(words[0], "launch") {
		return false
	}
	bare := len(words) == 1 && (b.cfg.DefaultApp == "" || b.cfg.DefaultImage == "")
	if !bare && !(len(words) == 2 && words[1] == "--form") {
		return false
	}
	b.openLaunchForm(ctx, req)
	return true
}

// openLaunchForm opens the launch form for req's person, prefilled with
// the settings' app name and image. Someone who may not launch is told so
// instead: a form they could not submit helps nobody.
func (b *Bot) openLaunchForm(ctx context.Context, req Request) {
	role, err := b.store.Role(ctx, req.UserID)
	if err != nil {
		b.tell(ctx, req, errorMessage(describeError(err, req.Ref)))
		return
	}
	need, _, err := b.requiredRole(ctx, launchCommand, nil, b.cfg.DefaultApp)
	if err != nil {
		b.tell(ctx, req, errorMessage(describeError(err, req.Ref)))
		return
	}
	if role < need {
		b.tell(ctx, req, errorMessage(b.refusal(ctx, req, launchCommand.Name, need, role)))
		return
	}
	f := b.launchForm(ctx, formMeta{Channel: req.ChannelID, ResponseURL: req.ResponseURL})
	if _, err := b.svc.ui.views.OpenForm(ctx, req.TriggerID, f); err != nil {
		b.formFailed(ctx, req, err)
	}
}

// formFailed tells the person a form could not be opened.
func (b *Bot) formFailed(ctx context.Context, req Request, err error) {
	if errors.Is(err, chatview.ErrTriggerExpired) {
		b.tell(ctx, req, errorMessage("The form could not open in time; try again."))
		return
	}
	b.log.Error("open form", "ref", req.Ref, "err", err)
	b.tell(ctx, req, errorMessage(describeError(fmt.Errorf("open form: %w", err), req.Ref)))
}

// launchForm asks for everything `/do launch` takes but --droplet and
// --dry-run.
func (b *Bot) launchForm(ctx context.Context, meta formMeta) chatview.Form {
	region, _ := AppRegion(b.cfg.Region)
	return chatview.Form{
		ID: formLaunch, Title: "Launch an app", Submit: "Launch", Metadata: meta.encode(),
		Intro: "Runs a container image on App Platform, as `/do launch` does: the launch policy and any approval apply.",
		Fields: []chatview.Field{
			{ID: fieldName, Label: "App name", Kind: chatview.Text, Initial: b.cfg.DefaultApp, MaxLength: 32, Placeholder: "web", Optional: true,
				Hint: "2 to 32 lowercase letters, digits and dashes, starting with a letter. With an app spec, leave it empty to use the spec's name."},
			{ID: fieldImage, Label: "Image", Kind: chatview.Text, Initial: b.cfg.DefaultImage, MaxLength: 300, Placeholder: "ghcr.io/acme/web:1.2.3", Optional: true,
				Hint: "The container image to run. Leave it empty to launch from an app spec."},
			specField(),
			b.sizeField(ctx),
			{ID: fieldRegion, Label: "Region", Kind: chatview.Select, Options: regionOptions(), Initial: region},
			{ID: fieldInstances, Label: "Instances", Kind: chatview.Number, Optional: true, Placeholder: "1"},
			{ID: fieldPort, Label: "Port", Kind: chatview.Number, Optional: true, Hint: "Leave empty to use the port the image exposes."},
			{ID: fieldEnv, Label: "Environment variables", Kind: chatview.Multiline, Optional: true, Placeholder: "MODE=prod",
				Hint: "KEY=VALUE, one a line. Keys that look secret (PASSWORD, TOKEN, KEY…) are sent as secrets."},
			{ID: fieldSecrets, Label: "Secret variables", Kind: chatview.Secret, Optional: true, Placeholder: "DB_URL=postgres://… API_KEY=…",
				Hint: "KEY=VALUE pairs separated by spaces. Never shown again, never stored by the bot."},
			{ID: fieldTTL, Label: "Tear down after", Kind: chatview.Text, Optional: true, MaxLength: 20, Placeholder: "4h, 2d",
				Hint: "Leave empty to keep the app until someone tears it down."},
			{ID: fieldReason, Label: "Reason", Kind: chatview.Text, Optional: true, MaxLength: 300, Placeholder: "demo for the design review"},
		},
	}
}

// sizeField offers App Platform's sizes with their monthly price; when
// DigitalOcean does not answer, a slug is typed instead.
func (b *Bot) sizeField(ctx context.Context) chatview.Field {
	f := chatview.Field{ID: fieldSize, Label: "Size", Optional: true, Hint: "Monthly price per instance. Leave empty for App Platform's default."}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	sizes, err := b.plan.AppSizes(ctx)
	if err != nil || len(sizes) == 0 {
		b.log.Warn("list sizes for the launch form", "err", err)
		f.Kind, f.Placeholder, f.Hint = chatview.Text, "apps-s-1vcpu-1gb", "An instance size slug; `/do sizes` lists them with prices."
		return f
	}
	f.Kind = chatview.Select
	for _, s := range sizes {
		if s.DeprecationIntent || len(f.Options) == 100 {
			continue
		}
		label := fmt.Sprintf("%s · %s vCPU, %s · %s/month", s.Slug, s.CPUs, memText(s.MemoryBytes), money(docloud.Cents(s.USDPerMonth)))
		f.Options = append(f.Options, chatview.Option{Value: s.Slug, Label: label})
	}
	return f
}

// regionOptions are the region families App Platform runs in.
func regionOptions() []chatview.Option {
	var out []chatview.Option
	for _, r := range dobot.AppRegions() {
		out = append(out, chatview.Option{Value: r, Label: r})
	}
	return out
}

// SubmitForm answers a submitted form (chatview.Handler). It checks what
// it can within the chat service's budget, showing mistakes on the form's
// fields, then runs the command the form stands for on the usual path, in
// the background, and closes the form.
func (b *Bot) SubmitForm(ctx context.Context, s chatview.Submission) chatview.Reply {
	defer func() {
		if p := recover(); p != nil {
			b.log.Error("panic in a form submission", "form", s.FormID, "user", s.UserID, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	meta := decodeMeta(s.Metadata)
	req := Request{Ref: "form-" + s.FormRef, UserID: s.UserID, UserName: s.UserName, ChannelID: meta.Channel, ResponseURL: meta.ResponseURL}
	if req.ChannelID == "" {
		req.ChannelID = s.UserID // opened from the home page: answers go to the person's direct messages
	}
	switch s.FormID {
	case formLaunch:
		return b.submitLaunch(ctx, req, s.Values)
	case formDeny:
		return b.submitDeny(req, meta, s.Values[fieldReason])
	case formTeardown:
		return b.submitTeardown(req, meta, s.Values[fieldReason])
	}
	return chatview.Reply{Errors: map[string]string{"": "This form is not one the bot knows (it may be from an older version). Nothing was changed."}}
}

// FormClosed is told of a form closed unsubmitted (chatview.Handler). The
// bot's forms change nothing until submitted, so there is nothing to undo.
func (b *Bot) FormClosed(context.Context, chatview.Closed) {}

// submitLaunch checks the launch form field by field, then runs launch
// with arguments built from the values as words, never as text to split:
// a value can be one flag's value or the name, and nothing else.
func (b *Bot) submitLaunch(ctx context.Context, req Request, values map[string]string) chatview.Reply {
	v := func(id string) string { return strings.TrimSpace(values[id]) }
	if v(fieldSpec) != "" {
		return b.submitSpecLaunch(ctx, req, v)
	}
	words, errs := launchWords(v, b.cfg)
	if len(errs) > 0 {
		return chatview.Reply{Errors: errs}
	}
	args, err := launchCommand.Parse(words, b.cfg)
	if err != nil {
		return chatview.Reply{Errors: map[string]string{"": secrets.MaskedError(err, strings.Join(words, " ")).Error()}}
	}
	if errs := b.checkLaunchNow(ctx, args.(LaunchArgs)); len(errs) > 0 {
		return chatview.Reply{Errors: errs}
	}
	// Shown and stored as typed would be, name first, secrets masked.
	req.Text = MaskCommand(wordsText("launch", append([]string{words[len(words)-1]}, words[:len(words)-2]...)))
	b.runSubmitted(req, launchCommand, args)
	return chatview.Reply{}
}

// launchWords turns the launch form's values into launch's words, or
// says what is wrong with which field. Flags take their value after "="
// and the name comes after "--", so no value can be read as a flag.
func launchWords(v func(string) string, cfg Config) ([]string, map[string]string) {
	errs := map[string]string{}
	if err := ValidAppName(v(fieldName)); v(fieldName) == "" {
		errs[fieldName] = "Give the app a name, or paste an app spec that names it."
	} else if err != nil {
		errs[fieldName] = err.Error()
	}
	if _, err := ParseImageRef(v(fieldImage)); v(fieldImage) == "" {
		errs[fieldImage] = "Give the image to run, or paste an app spec instead."
	} else if err != nil {
		errs[fieldImage] = err.Error()
	}
	if v(fieldRegion) != "" {
		if _, err := AppRegion(v(fieldRegion)); err != nil {
			errs[fieldRegion] = err.Error()
		}
	}
	for _, f := range []struct {
		id       string
		min, max int
	}{{fieldInstances, 1, 250}, {fieldPort, 1, 65535}} {
		if n, err := strconv.Atoi(v(f.id)); v(f.id) != "" && (err != nil || n < f.min || n > f.max) {
			errs[f.id] = fmt.Sprintf("a whole number from %d to %d", f.min, f.max)
		}
	}
	if v(fieldTTL) != "" {
		if _, err := parseTTL(v(fieldTTL), cfg, "Tear down after"); err != nil {
			errs[fieldTTL] = err.Error()
		}
	}
	env := &cmdline.EnvFlag{}
	var vars []string
	for _, line := range strings.Split(v(fieldEnv), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if err := env.As("env").Set(line); err != nil && errs[fieldEnv] == "" {
			errs[fieldEnv] = strings.Replace(err.Error(), "--env takes", "each line takes", 1)
		}
		vars = append(vars, "--env="+line)
	}
	for _, pair := range secretPairs(v(fieldSecrets)) {
		if err := env.As("secret").Set(pair); err != nil && errs[fieldSecrets] == "" {
			errs[fieldSecrets] = strings.Replace(err.Error(), "--secret takes", "each pair takes", 1)
		}
		vars = append(vars, "--secret="+pair)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	words := []string{"--image=" + v(fieldImage)}
	for _, id := range []string{fieldRegion, fieldSize, fieldInstances, fieldPort, fieldTTL, fieldReason} {
		if v(id) != "" {
			words = append(words, "--"+id+"="+v(id))
		}
	}
	return append(append(words, vars...), "--", v(fieldName)), nil
}

// secretPairs splits the secret field's "K=V K2=V2" into pairs: a word
// that does not start a new KEY= belongs to the value before it, so a
// value may hold spaces.
func secretPairs(s string) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		key, _, ok := strings.Cut(w, "=")
		if len(out) > 0 && (!ok || !cmdline.EnvKeyPattern.MatchString(key)) {
			out[len(out)-1] += " " + w
			continue
		}
		out = append(out, w)
	}
	return out
}

// wordsText is the command the words stand for, as a person would type
// it: each word quoted so that it reads back as one.
func wordsText(name string, words []string) string {
	quoted := []string{name}
	for _, w := range words {
		quoted = append(quoted, secrets.ShellQuote(w))
	}
	return strings.Join(quoted, " ")
}

// checkLaunchNow refuses, on the form, a launch that cannot go ahead: a
// name already taken, or an image its registry does not have when the
// registry answers within the budget. Anything slower is checked again on
// the command's usual path.
func (b *Bot) checkLaunchNow(ctx context.Context, args LaunchArgs) map[string]string {
	if _, err := b.store.App(ctx, args.Name); err == nil {
		return map[string]string{fieldName: fmt.Sprintf("An app named %s already exists; pick another name.", args.Name)}
	}
	if err := b.plan.BeingLaunched(ctx, args.Name); err != nil {
		return map[string]string{fieldName: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, preflightBudget)
	defer cancel()
	err := b.plan.CheckDOCRRegistry(ctx, args.Ref)
	if err == nil {
		_, err = b.plan.Preflight(ctx, args.Ref, args.Port)
	}
	var ue *UserError
	if err != nil && ctx.Err() == nil && errors.As(err, &ue) {
		return map[string]string{fieldImage: ue.Msg}
	}
	return nil
}

// runSubmitted runs a form's command in the background on the path every
// typed command takes (dispatch: authorisation, policy, approval, audit),
// answering in the channel the form came from.
func (b *Bot) runSubmitted(req Request, cmd *Command, args any) {
	b.background("form "+cmd.Name, func(ctx context.Context) {
		log := b.log.With("ref", req.Ref, "user", req.UserID)
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic running a form's command", "panic", p, "stack", string(debug.Stack()))
				b.tell(ctx, req, errorMessage(describeError(errPanic, req.Ref)))
			}
		}()
		ctx, cancel := context.WithTimeout(ctx, b.cfg.CommandTimeout)
		defer cancel()
		entry := dobot.AuditEntry{UserID: req.UserID, UserName: req.UserName, Channel: req.ChannelID, CommandText: secrets.StoredCommand(req.Text)}
		b.dispatch(ctx, log, req, cmd, args, entry)
	})
}

// askReason opens a form asking for the reason of a Deny or a teardown
// pressed as a button (a card's, the ops list's, a reminder's Destroy
// now), and reports whether it did; the form's submission runs the
// command. Without views or a trigger, for a bad button value, or for
// someone the command would refuse, the button takes its usual path.
func (b *Bot) askReason(ctx context.Context, c Click, route *clickRoute) bool {
	if b.svc.ui.views == nil || c.TriggerID == "" || (route.command != denyCommand.Name && route.command != teardownCommand.Name) {
		return false
	}
	args, err := route.args(c)
	if err != nil {
		return false // the click path says what is wrong
	}
	meta := formMeta{Channel: c.ChannelID, ResponseURL: c.ResponseURL}
	var f chatview.Form
	switch a := args.(type) {
	case requestIDArgs:
		meta.Card, meta.Target = a.card, strconv.FormatInt(a.id, 10)
		f = chatview.Form{ID: formDeny, Title: fmt.Sprintf("Deny request #%d", a.id), Submit: "Deny",
			Intro: b.requestSummary(ctx, a.id), Fields: []chatview.Field{{ID: fieldReason, Label: "Why?", Kind: chatview.Multiline,
				Optional: true, MaxLength: 500, Hint: "The requester sees this on the card."}}}
	case TeardownArgs:
		meta.Target = a.Name
		f = chatview.Form{ID: formTeardown, Title: "Tear down " + a.Name, Submit: "Tear down",
			Intro:  fmt.Sprintf("Deletes %s on DigitalOcean, as `/do teardown %s` does: the teardown policy and any approval apply.", a.Name, a.Name),
			Fields: []chatview.Field{{ID: fieldReason, Label: "Reason", Kind: chatview.Text, Optional: true, MaxLength: 300, Initial: a.Reason}}}
	default:
		return false
	}
	if !b.mayRun(ctx, c.UserID, b.table.lookup(route.command), args) {
		return false // the click path refuses it, audited, and says who may
	}
	f.Metadata = meta.encode()
	if _, err := b.svc.ui.views.OpenForm(ctx, c.TriggerID, f); err != nil {
		// A late trigger must not lose the click: it acts without a reason.
		b.log.Warn("open the reason form; the button acts without one", "ref", c.Ref, "action", c.ActionID, "err", err)
		return false
	}
	return true
}

// mayRun reports whether userID may run cmd with args now, as dispatch
// would decide: a form is only worth opening for someone whose submission
// would not be refused.
func (b *Bot) mayRun(ctx context.Context, userID string, cmd *Command, args any) bool {
	role, err := b.store.Role(ctx, userID)
	if err != nil {
		return false
	}
	need, _, err := b.requiredRole(ctx, cmd, args, targetOf(args))
	if err != nil {
		return false
	}
	return role >= need || (cmd.Own != nil && cmd.Own(ctx, b, userID, args))
}

// requestSummary is one line on what request id asks for.
func (b *Bot) requestSummary(ctx context.Context, id int64) string {
	op, err := b.store.Operation(ctx, id)
	if err != nil {
		return fmt.Sprintf("Request #%d.", id)
	}
	return fmt.Sprintf("Request #%d: %s asks to %s %s.", op.ID, chat.Mention(op.Requester), op.Action, Escape(op.App))
}

// submitDeny runs deny with the form's reason, as the card's button would
// have without one.
func (b *Bot) submitDeny(req Request, meta formMeta, reason string) chatview.Reply {
	reason = strings.TrimSpace(reason)
	id, err := strconv.ParseInt(meta.Target, 10, 64)
	if err != nil || id <= 0 {
		return chatview.Reply{Errors: map[string]string{fieldReason: "This form names no request. Nothing was changed."}}
	}
	req.Button = "Deny"
	req.Text = wordsText("deny", []string{meta.Target, reason})
	b.runSubmitted(req, denyCommand, requestIDArgs{id: id, reason: reason, card: meta.Card})
	return chatview.Reply{}
}

// submitTeardown runs teardown with the form's reason.
func (b *Bot) submitTeardown(req Request, meta formMeta, reason string) chatview.Reply {
	words := []string{"--reason=" + strings.TrimSpace(reason), "--", meta.Target}
	args, err := teardownCommand.Parse(words, b.cfg)
	if err != nil {
		return chatview.Reply{Errors: map[string]string{fieldReason: err.Error()}}
	}
	req.Button = "Destroy now"
	req.Text = wordsText("teardown", []string{meta.Target, "--reason", strings.TrimSpace(reason)})
	b.runSubmitted(req, teardownCommand, args)
	return chatview.Reply{}
}
