package commands_test

import (
	"context"
	"strings"
	"testing"

	"dobot"
	"dobot/commands"
)

// specValues are a launch form's values with an app spec and nothing the
// spec sets.
func specValues(name, spec string) map[string]string {
	return map[string]string{"name": name, "image": "", "spec": spec, "size": "", "region": "ams", "instances": "", "port": "",
		"env": "", "secrets": "", "ttl": "", "reason": ""}
}

const formSpec = "name: shop\nservices:\n- name: web\n  image: {registry_type: DOCKER_HUB, registry: library, repository: nginx, tag: \"1.27\"}\n  http_port: 80\n" +
	"  envs:\n  - {key: DB_PASSWORD, value: pw-form-spec-unit}\n- name: admin\n  image: {registry_type: DOCKER_HUB, registry: library, repository: nginx, tag: \"1.27\"}\n  http_port: 80\n  routes:\n  - path: /admin\n"

func TestLaunchFormSpecShowsMistakesOnItsFields(t *testing.T) {
	h, _ := newViewsHarness(t, commands.Config{})
	h.grant(t, "UDEV", dobot.RoleDeployer)
	cases := []struct {
		name          string
		set           map[string]string
		field, want   string
		alsoField     string
		alsoFieldWant string
	}{
		{"image with a spec", map[string]string{"image": "nginx"}, "image", "Leave this empty", "spec", "clear Image"},
		{"size, instances, port and env with a spec", map[string]string{"size": "apps-s-1vcpu-1gb", "instances": "2", "port": "80", "env": "A=1", "secrets": "B=2"},
			"spec", "clear Size, Instances, Port, Environment variables, Secret variables", "port", "Leave this empty"},
		{"not YAML", map[string]string{"spec": "name: [shop"}, "spec", "neither JSON nor YAML", "", ""},
		{"unknown field", map[string]string{"spec": "name: shop\nservces:\n- name: web\n"}, "spec", "servces", "", ""},
		{"no components", map[string]string{"spec": "name: shop\n"}, "spec", "has no services", "", ""},
		{"propose refuses", map[string]string{"spec": strings.ReplaceAll(formSpec, "name: admin", "name: web")}, "spec", "App Platform refused the spec", "", ""},
		{"bad name override", map[string]string{"name": "Shop!"}, "name", "bad app name", "", ""},
		{"bad ttl", map[string]string{"ttl": "soon"}, "ttl", "Tear down after takes a duration", "", ""},
		{"too long", map[string]string{"spec": formSpec + "# " + strings.Repeat("x", 3000)}, "spec", "the form takes 3000", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := specValues("", formSpec)
			for k, x := range c.set {
				v[k] = x
			}
			r := submitLaunch(h, "UDEV", v)
			if !strings.Contains(r.Errors[c.field], c.want) {
				t.Errorf("errors = %v; want %q under %s", r.Errors, c.want, c.field)
			}
			if c.alsoField != "" && !strings.Contains(r.Errors[c.alsoField], c.alsoFieldWant) {
				t.Errorf("errors = %v; want %q under %s", r.Errors, c.alsoFieldWant, c.alsoField)
			}
			for _, msg := range r.Errors {
				if strings.Contains(msg, "pw-form-spec-unit") {
					t.Errorf("an error shows the spec's secret: %q", msg)
				}
			}
		})
	}
	if ops, _ := h.db.UnfinishedOperations(context.Background()); len(ops) != 0 {
		t.Errorf("a refused form started %d operations", len(ops))
	}
	// Without a spec, the name and the image are needed.
	r := submitLaunch(h, "UDEV", specValues("", ""))
	if !strings.Contains(r.Errors["name"], "or paste an app spec") || !strings.Contains(r.Errors["image"], "or paste an app spec") {
		t.Errorf("empty form: errors = %v; want name and image asked for", r.Errors)
	}
	// A name already taken, the spec's or the typed one, is refused on the form.
	if err := h.db.PutApp(context.Background(), dobot.App{Name: "shop", Kind: "app", ResourceID: "x", Owner: "UDEV"}); err != nil {
		t.Fatal(err)
	}
	if r := submitLaunch(h, "UDEV", specValues("", formSpec)); !strings.Contains(r.Errors["spec"], "already exists") {
		t.Errorf("spec's name taken: errors = %v", r.Errors)
	}
	if r := submitLaunch(h, "UDEV", specValues("shop", formSpec)); !strings.Contains(r.Errors["name"], "already exists") {
		t.Errorf("typed name taken: errors = %v", r.Errors)
	}
}

func TestLaunchFormSpecRunsTheTypedPath(t *testing.T) {
	h, _ := newViewsHarness(t, commands.Config{DefaultApp: "demo", DefaultImage: "nginx"})
	h.grant(t, "UDEV", dobot.RoleDeployer)
	v := specValues("review-1", "```yaml\n"+formSpec+"```")
	v["reason"] = "review --instances 9"
	v["ttl"] = "2h"
	if r := submitLaunch(h, "UDEV", v); len(r.Errors) > 0 {
		t.Fatalf("valid spec form refused: %v", r.Errors)
	}
	var op dobot.Operation
	waitFor(t, "the launch operation", func() bool {
		var err error
		op, err = h.db.ActiveOperation(context.Background(), "review-1")
		return err == nil
	})
	if op.Reason != "review --instances 9" || op.Requester != "UDEV" || op.Channel != "C1" {
		t.Errorf("operation = reason %q requester %s channel %s; want the form's", op.Reason, op.Requester, op.Channel)
	}
	if !strings.HasPrefix(op.CommandText, "/do launch review-1 --spec ") || !strings.Contains(op.CommandText, "value: "+dobot.Masked) {
		t.Errorf("command text = %q; want the typed command, name first, the spec's secret masked", op.CommandText)
	}
	for _, want := range []string{`"SpecName":"shop"`, `"Name":"review-1"`, `"DB_PASSWORD"`} {
		if !strings.Contains(op.Args, want) {
			t.Errorf("args lack %s: %s", want, op.Args)
		}
	}
	if strings.Contains(op.CommandText+op.Args, "pw-form-spec-unit") {
		t.Errorf("the operation stores the spec's secret in clear: %q %q", op.CommandText, op.Args)
	}
	rows, err := h.db.Audit(context.Background(), dobot.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if strings.Contains(r.CommandText+r.Details+r.Error, "pw-form-spec-unit") {
			t.Errorf("audit row %s holds the secret", r.Action)
		}
	}
}
