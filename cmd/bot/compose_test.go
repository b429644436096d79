package main

import (
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"dobot/internal/config"
	"dobot/store"
)

// composeFile is the part of docker-compose.yml the test checks.
type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Environment map[string]string `yaml:"environment"`
		DependsOn   map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
		Healthcheck *struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
	} `yaml:"services"`
}

// interpolation is Compose's ${VAR}, ${VAR:?message} and ${VAR:-default}.
var interpolation = regexp.MustCompile(`\$\{([A-Z_][A-Z0-9_]*)(?::[?-][^}]*)?\}`)

// TestComposeFileRunsReplicas reads docker-compose.yml as Compose would
// (anchors merged, variables filled in) and checks it describes at least
// two replicas that the bot accepts, sharing one PostgreSQL database, one
// audit key and the tokens, each with its own instance id, started once
// the database is healthy.
func TestComposeFileRunsReplicas(t *testing.T) {
	raw, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("docker-compose.yml does not parse: %v", err)
	}
	vars := map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-compose", "SLACK_APP_TOKEN": "xapp-compose", "DO_API_TOKEN": "dop_v1_compose",
		"BOT_ADMINS": "U0ADMIN1", "BOT_AUDIT_KEY": strings.Repeat("k", 40), "POSTGRES_PASSWORD": "pw",
	}
	fill := func(v string) string {
		return interpolation.ReplaceAllStringFunc(v, func(m string) string {
			name := interpolation.FindStringSubmatch(m)[1]
			val, ok := vars[name]
			if !ok {
				t.Errorf("docker-compose.yml uses ${%s}, which the header does not ask for", name)
			}
			return val
		})
	}
	db, ok := f.Services["postgres"]
	if !ok {
		t.Fatal("no postgres service")
	}
	if major, _ := strconv.Atoi(strings.TrimPrefix(strings.SplitN(db.Image, ".", 2)[0], "postgres:")); major < 14 {
		t.Errorf("postgres image %q; the bot needs PostgreSQL 14 or later", db.Image)
	}
	if db.Healthcheck == nil || len(db.Healthcheck.Test) == 0 {
		t.Error("the postgres service has no health check for the replicas to wait on")
	}
	shared := map[string]string{}
	instances := map[string]bool{}
	replicas := 0
	for name, svc := range f.Services {
		if name == "postgres" {
			continue
		}
		replicas++
		if svc.Build == nil || svc.DependsOn["postgres"].Condition != "service_healthy" {
			t.Errorf("%s: build %v, depends_on %+v; want it built here and started once postgres is healthy", name, svc.Build, svc.DependsOn)
		}
		env := map[string]string{}
		for k, v := range svc.Environment {
			env[k] = fill(v)
		}
		cfg, err := config.Load(func(k string) string { return env[k] })
		if err != nil {
			t.Errorf("%s: the bot refuses its settings: %v", name, err)
			continue
		}
		if !store.IsPostgres(cfg.DBPath) {
			t.Errorf("%s: BOT_DB is not a PostgreSQL URL", name)
		} else if u, err := url.Parse(cfg.DBPath); err != nil || u.Hostname() != "postgres" {
			t.Errorf("%s: BOT_DB does not point at the postgres service", name)
		}
		if instances[cfg.Instance] {
			t.Errorf("%s: BOT_INSTANCE %q is another replica's too", name, cfg.Instance)
		}
		instances[cfg.Instance] = env["BOT_INSTANCE"] != ""
		for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DO_API_TOKEN", "BOT_AUDIT_KEY", "BOT_DB", "BOT_ADMINS"} {
			if prev, seen := shared[k]; seen && prev != env[k] {
				t.Errorf("%s: %s differs from another replica's; every replica must share it", name, k)
			}
			shared[k] = env[k]
		}
	}
	if replicas < 2 {
		t.Errorf("%d replicas; want at least 2", replicas)
	}
	for id, set := range instances {
		if !set {
			t.Errorf("instance %q comes from the host name; give each replica its own BOT_INSTANCE", id)
		}
	}
}
