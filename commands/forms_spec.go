package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"dobot/chatview"
	"dobot/secrets"
)

// maxSpecField is the longest app spec the launch form takes: Slack's
// limit for a plain_text_input.
const maxSpecField = 3000

// specField asks for an app spec, the form's way to `/do launch --spec`.
func specField() chatview.Field {
	return chatview.Field{ID: fieldSpec, Label: "App spec (YAML or JSON)", Kind: chatview.Multiline, Optional: true, MaxLength: maxSpecField,
		Placeholder: "{name: web, services: [{name: web, image: {registry_type: DOCKER_HUB, repository: nginx}}]}",
		Hint:        "Instead of an image: an App Platform app spec, as `/do launch --spec` takes. Leave Image, Size, Instances, Port and the variables empty: the spec sets them."}
}

// specOnlyFields are the launch form's fields an app spec sets itself.
var specOnlyFields = []struct{ id, label string }{
	{fieldImage, "Image"}, {fieldSize, "Size"}, {fieldInstances, "Instances"}, {fieldPort, "Port"},
	{fieldEnv, "Environment variables"}, {fieldSecrets, "Secret variables"},
}

// submitSpecLaunch runs a launch form with an app spec as `/do launch
// [NAME] --spec` followed by the spec in a code block: the same parser,
// the same checks, the same secret handling. The spec's mistakes, and
// what propose refuses within the form's budget, show on the spec field.
func (b *Bot) submitSpecLaunch(ctx context.Context, req Request, v func(string) string) chatview.Reply {
	if errs := specFormErrors(v, b.cfg); len(errs) > 0 {
		return chatview.Reply{Errors: errs}
	}
	var flags, name []string
	for _, id := range []string{fieldRegion, fieldTTL, fieldReason} {
		if v(id) != "" {
			flags = append(flags, "--"+id+"="+v(id))
		}
	}
	if v(fieldName) != "" {
		name = []string{v(fieldName)}
	}
	block := fenced(v(fieldSpec))
	words := func() []string { // the name after "--", so no value reads as a flag
		return append(append(append([]string{"--spec"}, flags...), "--"), append(name, blockMark+block)...)
	}
	args, err := launchCommand.Parse(words(), b.cfg)
	if err != nil {
		return chatview.Reply{Errors: map[string]string{fieldSpec: err.Error()}}
	}
	if errs := b.checkSpecNow(ctx, args.(LaunchArgs), len(name) > 0); len(errs) > 0 {
		return chatview.Reply{Errors: errs}
	}
	// The check planned with args: run with a fresh copy.
	if args, err = launchCommand.Parse(words(), b.cfg); err != nil {
		return chatview.Reply{Errors: map[string]string{fieldSpec: err.Error()}}
	}
	// Shown and stored as the typed command would be, secrets masked.
	typed := wordsText("launch", append(append(name, "--spec"), flags...)) + "\n" + block
	req.Text = strings.TrimPrefix(secrets.StoredCommand(typed), "/do ")
	b.runSubmitted(req, launchCommand, args)
	return chatview.Reply{}
}

// specFormErrors checks the launch form's fields that go with an app
// spec: those the spec sets must be empty, the rest as launch takes them.
func specFormErrors(v func(string) string, cfg Config) map[string]string {
	errs := map[string]string{}
	if n := utf8.RuneCountInString(v(fieldSpec)); n > maxSpecField {
		errs[fieldSpec] = fmt.Sprintf("The spec is %d characters long; the form takes %d. Launch a longer one with `/do launch --spec` followed by the spec in a code block.", n, maxSpecField)
	}
	var set []string
	for _, f := range specOnlyFields {
		if v(f.id) != "" {
			errs[f.id] = "Leave this empty with an app spec: the spec sets it."
			set = append(set, f.label)
		}
	}
	if len(set) > 0 {
		errs[fieldSpec] = fmt.Sprintf("An app spec sets its own images, sizes, instances, ports and variables: clear %s, or clear the spec to launch an image.", strings.Join(set, ", "))
	}
	if v(fieldName) != "" {
		if err := ValidAppName(v(fieldName)); err != nil {
			errs[fieldName] = err.Error()
		}
	}
	if v(fieldRegion) != "" {
		if _, err := AppRegion(v(fieldRegion)); err != nil {
			errs[fieldRegion] = err.Error()
		}
	}
	if v(fieldTTL) != "" {
		if _, err := parseTTL(v(fieldTTL), cfg, "Tear down after"); err != nil {
			errs[fieldTTL] = err.Error()
		}
	}
	return errs
}

// fenced is a pasted spec as a code block, as it follows a typed command.
func fenced(spec string) string {
	if strings.Contains(spec, "```") {
		return spec
	}
	return "```\n" + spec + "\n```"
}

// checkSpecNow refuses, on the form, a spec launch that cannot go ahead:
// its name taken, or a spec propose refuses, when DigitalOcean answers
// within the budget. Anything slower is checked again on the command's
// usual path. named says whether the name came from the name field.
func (b *Bot) checkSpecNow(ctx context.Context, args LaunchArgs, named bool) map[string]string {
	nameField := fieldSpec
	if named {
		nameField = fieldName
	}
	if _, err := b.store.App(ctx, args.Name); err == nil {
		return map[string]string{nameField: fmt.Sprintf("An app named %s already exists; pick another name.", args.Name)}
	}
	if err := b.plan.BeingLaunched(ctx, args.Name); err != nil {
		return map[string]string{nameField: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, preflightBudget)
	defer cancel()
	_, err := b.plan.Launch(ctx, args)
	var ue *UserError
	if err != nil && ctx.Err() == nil && errors.As(err, &ue) {
		return map[string]string{fieldSpec: ue.Msg}
	}
	return nil
}
