package daytwocmd_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"dobot/daytwocmd"
	"dobot/deploy"
	"dobot/plan"
	"dobot/reply"
)

// parser is any of the package's parsers, its result as any.
type parser func([]string) (any, error)

func as[T any](parse func([]string) (T, error)) parser {
	return func(words []string) (any, error) { return parse(words) }
}

// parsers are the commands as typed, each with its parser.
var parsers = map[string]parser{
	"scale":            as(daytwocmd.ParseScale),
	"restart":          as(daytwocmd.ParseRestart),
	"redeploy":         as(daytwocmd.ParseRedeploy),
	"rollback":         as(daytwocmd.ParseRollback),
	"teardown":         as(daytwocmd.ParseTeardown),
	"env":              as(daytwocmd.ParseEnv),
	"env set":          as(daytwocmd.ParseEnvSet),
	"env unset":        as(daytwocmd.ParseEnvUnset),
	"domains":          as(daytwocmd.ParseDomains),
	"domains add":      as(daytwocmd.ParseDomainAdd),
	"domains remove":   as(daytwocmd.ParseDomainRemove),
	"droplet reboot":   as(daytwocmd.ParseDropletAction("reboot", "reboot")),
	"droplet power-on": as(daytwocmd.ParseDropletAction("power-on", "power_on")),
}

func TestParse(t *testing.T) {
	const dep = "3aa4d20e-5527-4c00-b496-601fbd22520a"
	tests := []struct {
		cmd, in string
		want    any
	}{
		{"scale", "web --instances 3 --component api --reason peak", deploy.ChangeArgs{Name: "web", Sizing: deploy.Sizing{Instances: 3},
			DayTwo: deploy.DayTwo{Component: "api"}, Reason: "peak"}},
		{"scale", "web --size apps-s-1vcpu-1gb", deploy.ChangeArgs{Name: "web", Sizing: deploy.Sizing{Size: "apps-s-1vcpu-1gb"}}},
		{"restart", "shop --component worker", deploy.ChangeArgs{Name: "shop", DayTwo: deploy.DayTwo{Component: "worker"}}},
		{"redeploy", "web", deploy.ChangeArgs{Name: "web"}},
		{"redeploy", "web --image https://ghcr.io/acme/web:2 --env MODE=prod --secret DB_URL=x --dry-run", deploy.ChangeArgs{Name: "web",
			Image: "ghcr.io/acme/web:2", DryRun: true, Variables: deploy.Variables{EnvKeys: []string{"MODE", "DB_URL"}, SecretKeys: []string{"DB_URL"},
				Env: [][2]string{{"MODE", "prod"}, {"DB_URL", "x"}}}}},
		{"rollback", "web", deploy.ChangeArgs{Name: "web"}},
		{"rollback", "web " + dep + " --break-glass incident-7", deploy.ChangeArgs{Name: "web", RollbackTo: deploy.RollbackTo{DeploymentID: dep}, BreakGlass: "incident-7"}},
		{"teardown", "web --reason done", deploy.TeardownArgs{Name: "web", Reason: "done"}},
		{"env", "web", daytwocmd.AppArgs{Name: "web"}},
		{"env set", "web LOG_LEVEL=debug", deploy.ChangeArgs{Name: "web", Variables: deploy.Variables{EnvKeys: []string{"LOG_LEVEL"}, Env: [][2]string{{"LOG_LEVEL", "debug"}}}}},
		{"env set", "web LOG_LEVEL=a=b --secret --component api", deploy.ChangeArgs{Name: "web", DayTwo: deploy.DayTwo{Component: "api"},
			Variables: deploy.Variables{EnvKeys: []string{"LOG_LEVEL"}, SecretKeys: []string{"LOG_LEVEL"}, Env: [][2]string{{"LOG_LEVEL", "a=b"}}}}},
		// A secret-looking key is SECRET without --secret.
		{"env set", "web api_token=t0k", deploy.ChangeArgs{Name: "web", Variables: deploy.Variables{EnvKeys: []string{"api_token"}, SecretKeys: []string{"api_token"},
			Env: [][2]string{{"api_token", "t0k"}}}}},
		{"env unset", "web LOG_LEVEL --reason quiet", deploy.ChangeArgs{Name: "web", Reason: "quiet", Variables: deploy.Variables{EnvKeys: []string{"LOG_LEVEL"}}}},
		{"domains", "web", daytwocmd.AppArgs{Name: "web"}},
		{"domains add", "web https://WWW.Example.com. --primary", plan.DomainArgs{ChangeArgs: deploy.ChangeArgs{Name: "web", DayTwo: deploy.DayTwo{Domain: "www.example.com"}}, Primary: true}},
		{"domains remove", "web old.example.com", plan.DomainArgs{ChangeArgs: deploy.ChangeArgs{Name: "web", DayTwo: deploy.DayTwo{Domain: "old.example.com"}}, Remove: true}},
		{"droplet reboot", "build-box --reason stuck", deploy.DropletActionArgs{Name: "build-box", Type: "reboot", Reason: "stuck"}},
		{"droplet power-on", "build-box", deploy.DropletActionArgs{Name: "build-box", Type: "power_on"}},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			got, err := parsers[tt.cmd](strings.Fields(tt.in))
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parse %s(%q) = %+v, %v; want %+v", tt.cmd, tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseRefusals(t *testing.T) {
	tests := []struct{ cmd, in, want string }{
		{"scale", "", "scale takes one app name"},
		{"scale", "web", "scale needs --instances N or --size SLUG (or both), like `/do scale web --instances 2`"},
		{"scale", "web --instances 0", "instances"},
		{"scale", "web --instances 251", "instances"},
		{"restart", "web api", "restart takes one app name"},
		{"redeploy", "web --image a&b", `"a&b"`},
		{"redeploy", "web --env 1X=y", "--env takes KEY=VALUE"},
		{"rollback", "", "rollback takes an app name and optionally a deployment id"},
		{"rollback", "web v2", "\"v2\" is not a deployment id; `/do status web` shows them"},
		{"teardown", "web api", "teardown takes exactly one app name"},
		{"teardown", "Web", "bad app name"},
		{"env", "web api", "env takes one app name"},
		{"env set", "web LOG_LEVEL", "env set needs KEY=VALUE"},
		{"env set", "web 9LIVES=yes", "env set needs KEY=VALUE"},
		{"env set", "web", "env set takes an app name and one KEY=VALUE"},
		{"env unset", "web BAD-KEY", `not "BAD-KEY"`},
		{"env unset", "web K=v", `not "K=v"`},
		{"domains", "", "domains takes one app name"},
		{"domains add", "web localhost", `"localhost" is not a domain name`},
		{"domains add", "web bad-.example.com", "not a domain name"},
		{"domains add", "web", "domains add takes an app name and a domain, like `/do domains add web example.com`"},
		{"domains remove", "web x.example.com --primary", "primary"},
		{"droplet reboot", "", "droplet reboot takes one droplet name, like `/do droplet reboot build-box`"},
	}
	for _, tt := range tests {
		_, err := parsers[tt.cmd](strings.Fields(tt.in))
		var ue *reply.UserError
		if !errors.As(err, &ue) || !strings.Contains(ue.Msg, tt.want) {
			t.Errorf("parse %s(%q) = %v; want a user error containing %q", tt.cmd, tt.in, err, tt.want)
		}
	}
	var ue *reply.UserError
	if err := daytwocmd.NeedsAction(); !errors.As(err, &ue) || !strings.Contains(ue.Msg, "`/do droplet power-off NAME`") {
		t.Errorf("NeedsAction() = %v; want a user error naming the actions", err)
	}
}

// TestRefusalsNeverEchoAValue: a value typed with a mistake may be a
// secret, so no refusal of env set or redeploy shows it.
func TestRefusalsNeverEchoAValue(t *testing.T) {
	const secret = "hunter2-sEcReT"
	for cmd, in := range map[string]string{
		"env set":  "web 9KEY=" + secret,
		"redeploy": "web --secret 9KEY=" + secret,
	} {
		_, err := parsers[cmd](strings.Fields(in))
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("parse %s(%q) = %v; want a refusal that does not show the value", cmd, in, err)
		}
	}
}

// FuzzParse: whatever is typed, each parser returns arguments or a user
// error with a message, and never panics.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"web --instances 2", "web K=v --secret", "web example.com --primary", "web --image nginx:1.27 --env A=b", "web 3aa4d20e-5527-4c00-b496-601fbd22520a", "web --reason", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for cmd, parse := range parsers {
			if _, err := parse(strings.Fields(text)); err != nil {
				var ue *reply.UserError
				if !errors.As(err, &ue) || ue.Msg == "" {
					t.Fatalf("parse %s(%q) error %v is not a user error with a message", cmd, text, err)
				}
			}
		}
	})
}
