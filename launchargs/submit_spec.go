package launchargs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"dobot/chatview"
	"dobot/deploy"
	"dobot/reply"
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

// submitSpec reads a launch form with an app spec as `/do launch [NAME]
// --spec` followed by the spec in a code block: the same parser, the same
// checks, the same secret handling. The spec's mistakes, and what propose
// refuses within the form's budget, show on the spec field.
func (f *Forms) submitSpec(ctx context.Context, v func(string) string) (Launch, map[string]string) {
	if errs := specFormErrors(v, f.cfg); len(errs) > 0 {
		return Launch{}, errs
	}
	var flags, name []string
	for _, id := range []string{fieldRegion, fieldTTL, FieldReason} {
		if v(id) != "" {
			flags = append(flags, "--"+id+"="+v(id))
		}
	}
	if v(fieldName) != "" {
		name = []string{v(fieldName)}
	}
	block := fenced(v(fieldSpec))
	words := func() []string { // the name after "--", so no value reads as a flag
		return append(append(append([]string{"--spec"}, flags...), "--"), append(name, BlockMark+block)...)
	}
	args, err := Parse(words(), f.cfg)
	if err != nil {
		return Launch{}, map[string]string{fieldSpec: err.Error()}
	}
	if errs := f.checkSpecNow(ctx, args, len(name) > 0); len(errs) > 0 {
		return Launch{}, errs
	}
	// The check planned with args: run with a fresh copy.
	if args, err = Parse(words(), f.cfg); err != nil {
		return Launch{}, map[string]string{fieldSpec: err.Error()}
	}
	// Shown and stored as the typed command would be, secrets masked.
	typed := CommandText("launch", append(append(name, "--spec"), flags...)) + "\n" + block
	return Launch{Args: args, Text: strings.TrimPrefix(secrets.StoredCommand(typed), "/do ")}, nil
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
		if err := validAppName(v(fieldName)); err != nil {
			errs[fieldName] = err.Error()
		}
	}
	if v(fieldRegion) != "" {
		if _, err := appRegion(v(fieldRegion)); err != nil {
			errs[fieldRegion] = err.Error()
		}
	}
	if v(fieldTTL) != "" {
		if _, err := ParseTTL(v(fieldTTL), cfg.MaxTTL, "Tear down after"); err != nil {
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
func (f *Forms) checkSpecNow(ctx context.Context, args deploy.LaunchArgs, named bool) map[string]string {
	nameField := fieldSpec
	if named {
		nameField = fieldName
	}
	if _, err := f.d.Apps.App(ctx, args.Name); err == nil {
		return map[string]string{nameField: fmt.Sprintf("An app named %s already exists; pick another name.", args.Name)}
	}
	if err := f.d.Planner.BeingLaunched(ctx, args.Name); err != nil {
		return map[string]string{nameField: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, preflightBudget)
	defer cancel()
	_, err := f.d.Planner.Launch(ctx, args)
	var ue *reply.UserError
	if err != nil && ctx.Err() == nil && errors.As(err, &ue) {
		return map[string]string{fieldSpec: ue.Msg}
	}
	return nil
}
