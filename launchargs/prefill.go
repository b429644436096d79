package launchargs

import (
	"context"
	"dobot"
	"flag"
	"slices"
	"strconv"
	"strings"

	"dobot/chatview"
	"dobot/cmdline"
	"dobot/reply"
	"dobot/secrets"
)

// Prefill is what the launch form opens with: the settings' app name,
// image and region, or what was typed with `/do launch --form`.
type Prefill struct {
	Name, Image, Region, Size, Instances, Port, Env, TTL, Reason string
}

// Launch's flags that the form has no field for: typed with --form they
// are refused rather than dropped, for the form would launch something
// other than what was typed. A secret is typed in the form itself, whose
// secret field cannot be prefilled.
var (
	boolsNotInForm  = []string{"droplet", "dry-run", "deploy-on-push", "spec"}
	valuesNotInForm = []string{"git", "branch", "dir", "secret", "break-glass"}
)

// LaunchFormFor is the launch form for the command text typed (`launch
// web --image nginx --form`; "" from a button): prefilled with the name,
// image and flags typed, each checked as a typed launch checks it, and
// with the settings' app name, image and region where nothing is typed.
// What the form could not carry, or a launch would refuse, is a user
// error, and no form opens.
func (f *Forms) LaunchFormFor(ctx context.Context, text string, meta Meta) (chatview.Form, error) {
	p, err := f.prefill(text)
	if err != nil {
		return chatview.Form{}, secrets.MaskedError(err, text) // it may quote a value typed
	}
	form := f.launchForm(ctx, meta, p)
	for _, fd := range form.Fields {
		if fd.ID == fieldSize && p.Size != "" && fd.Kind == chatview.Select && !slices.ContainsFunc(fd.Options, func(o chatview.Option) bool { return o.Value == p.Size }) {
			return chatview.Form{}, reply.Errorf("App Platform offers no instance size %q; `/do sizes` lists them. No form was opened.", p.Size)
		}
	}
	return form, nil
}

// prefill reads the words of `launch … --form …` into the form's values.
func (f *Forms) prefill(text string) (Prefill, error) {
	p := Prefill{Name: f.cfg.DefaultApp, Image: f.cfg.DefaultImage, Region: f.cfg.Region}
	words, err := cmdline.SplitWords(text)
	if err != nil || len(words) == 0 {
		return p, err
	}
	fs := cmdline.NewFlagSet("launch")
	fs.Bool("form", false, "")
	image, region, size := fs.String("image", p.Image, ""), fs.String("region", p.Region, ""), fs.String("size", "", "")
	ttl, reason := fs.String("ttl", "", ""), fs.String("reason", "", "")
	instances := &cmdline.IntFlag{Name: "instances", Min: 1, Max: 250}
	port := &cmdline.IntFlag{Name: "port", Min: 1, Max: 65535}
	env := &cmdline.EnvFlag{}
	fs.Var(instances, "instances", "")
	fs.Var(port, "port", "")
	fs.Var(env.As("env"), "env", "")
	for _, name := range boolsNotInForm {
		fs.Bool(name, false, "")
	}
	for _, name := range valuesNotInForm {
		fs.String(name, "", "")
	}
	pos, err := cmdline.ParseFlags(fs, words[1:])
	if err != nil {
		return Prefill{}, err
	}
	var unfit []string
	fs.Visit(func(fl *flag.Flag) {
		if slices.Contains(boolsNotInForm, fl.Name) || slices.Contains(valuesNotInForm, fl.Name) {
			unfit = append(unfit, "--"+fl.Name)
		}
	})
	if len(unfit) > 0 {
		return Prefill{}, reply.Errorf("the launch form has no field for %s: type the launch without --form, or open the form with `/do launch --form` alone and fill it in. Nothing was launched.", strings.Join(unfit, ", "))
	}
	switch len(pos) {
	case 0:
	case 1:
		if err := validAppName(pos[0]); err != nil {
			return Prefill{}, err
		}
		p.Name = pos[0]
	default:
		return Prefill{}, reply.Errorf("launch takes one app name, got %d words (%s); put flags after --, like --image REF", len(pos), strings.Join(pos, " "))
	}
	p.Image, p.Region, p.Size, p.TTL, p.Reason = cmdline.TrimScheme(strings.TrimSpace(*image)), *region, *size, *ttl, strings.TrimSpace(*reason)
	if instances.IsSet {
		p.Instances = strconv.Itoa(instances.Value)
	}
	if port.IsSet {
		p.Port = strconv.Itoa(port.Value)
	}
	for _, kv := range env.Pairs {
		// The form would show the value in clear, in a view Slack keeps.
		if dobot.SecretLooking(kv[0]) {
			return Prefill{}, reply.Errorf("--env %s looks secret, and the form would show its value: type the launch without --form, or open the form and put it in the secret variables field. Nothing was launched.", kv[0])
		}
		p.Env += kv[0] + "=" + kv[1] + "\n"
	}
	p.Env = strings.TrimSuffix(p.Env, "\n")
	return p, p.check(fs, f.cfg)
}

// check refuses a typed value that a typed launch would refuse.
func (p Prefill) check(fs *flag.FlagSet, cfg Config) error {
	if flagSet(fs, "image") {
		if _, err := parseImageRef(p.Image); err != nil {
			return err
		}
	}
	if flagSet(fs, "region") {
		if _, err := appRegion(p.Region); err != nil {
			return err
		}
	}
	if p.Size != "" && !sizeSlugPattern.MatchString(p.Size) {
		return reply.Errorf("bad --size %q: use an instance size slug like apps-s-1vcpu-1gb", p.Size)
	}
	if n := len([]rune(p.Reason)); n > maxReason {
		return reply.Errorf("--reason is %d characters; the form takes at most %d. Shorten it, or type the launch without --form. Nothing was launched.", n, maxReason)
	}
	if p.TTL != "" {
		if _, err := ParseTTL(p.TTL, cfg.MaxTTL, "--ttl"); err != nil {
			return err
		}
	}
	return nil
}
