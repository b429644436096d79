package launchargs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"dobot/cmdline"
	"dobot/deploy"
	"dobot/reply"
	"dobot/secrets"
)

// Launch is a launch form's submission, checked: the arguments to run,
// and the command a person would have typed for them, secrets masked, to
// show and store.
type Launch struct {
	Args deploy.LaunchArgs
	Text string
}

// Submit checks the launch form's values field by field and returns the
// launch they ask for, or the mistakes by field ID ("" for the form as a
// whole). The values become launch's words, never text to split: a value
// can be one flag's value or the name, and nothing else. A name taken, or
// an image or spec DigitalOcean refuses within the form's budget, is a
// mistake too; anything slower is checked again on the command's path.
func (f *Forms) Submit(ctx context.Context, values map[string]string) (Launch, map[string]string) {
	v := func(id string) string { return strings.TrimSpace(values[id]) }
	if v(fieldSpec) != "" {
		return f.submitSpec(ctx, v)
	}
	words, errs := launchWords(v, f.cfg)
	if len(errs) > 0 {
		return Launch{}, errs
	}
	args, err := Parse(words, f.cfg)
	if err != nil {
		return Launch{}, map[string]string{"": secrets.MaskedError(err, strings.Join(words, " ")).Error()}
	}
	if errs := f.checkLaunchNow(ctx, args); len(errs) > 0 {
		return Launch{}, errs
	}
	// Shown and stored as typed would be, name first, secrets masked.
	text := secrets.MaskCommand(CommandText("launch", append([]string{words[len(words)-1]}, words[:len(words)-2]...)))
	return Launch{Args: args, Text: text}, nil
}

// launchWords turns the launch form's values into launch's words, or
// says what is wrong with which field. Flags take their value after "="
// and the name comes after "--", so no value can be read as a flag.
func launchWords(v func(string) string, cfg Config) ([]string, map[string]string) {
	errs := map[string]string{}
	if err := validAppName(v(fieldName)); v(fieldName) == "" {
		errs[fieldName] = "Give the app a name, or paste an app spec that names it."
	} else if err != nil {
		errs[fieldName] = err.Error()
	}
	if _, err := parseImageRef(v(fieldImage)); v(fieldImage) == "" {
		errs[fieldImage] = "Give the image to run, or paste an app spec instead."
	} else if err != nil {
		errs[fieldImage] = err.Error()
	}
	if v(fieldRegion) != "" {
		if _, err := appRegion(v(fieldRegion)); err != nil {
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
		if _, err := ParseTTL(v(fieldTTL), cfg.MaxTTL, "Tear down after"); err != nil {
			errs[fieldTTL] = err.Error()
		}
	}
	vars := variableWords(v, errs)
	if len(errs) > 0 {
		return nil, errs
	}
	words := []string{"--image=" + v(fieldImage)}
	for _, id := range []string{fieldRegion, fieldSize, fieldInstances, fieldPort, fieldTTL, FieldReason} {
		if v(id) != "" {
			words = append(words, "--"+id+"="+v(id))
		}
	}
	return append(append(words, vars...), "--", v(fieldName)), nil
}

// variableWords are the --env and --secret words of the form's variable
// fields; the first mistake in each goes into errs.
func variableWords(v func(string) string, errs map[string]string) []string {
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
	return vars
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

// CommandText is the command the words stand for, as a person would type
// it: each word quoted so that it reads back as one.
func CommandText(name string, words []string) string {
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
func (f *Forms) checkLaunchNow(ctx context.Context, args deploy.LaunchArgs) map[string]string {
	if _, err := f.d.Apps.App(ctx, args.Name); err == nil {
		return map[string]string{fieldName: fmt.Sprintf("An app named %s already exists; pick another name.", args.Name)}
	}
	if err := f.d.Planner.BeingLaunched(ctx, args.Name); err != nil {
		return map[string]string{fieldName: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, preflightBudget)
	defer cancel()
	err := f.d.Planner.CheckDOCRRegistry(ctx, args.Ref)
	if err == nil {
		_, err = f.d.Planner.Preflight(ctx, args.Ref, args.Port)
	}
	var ue *reply.UserError
	if err != nil && ctx.Err() == nil && errors.As(err, &ue) {
		return map[string]string{fieldImage: ue.Msg}
	}
	return nil
}
