package secrets

import (
	"regexp"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot"
	"dobot/docloud"
	"dobot/docloud/appspec"
)

var fuzzSecret = regexp.MustCompile(`^[A-Za-z0-9]{6,}$`)

// FuzzMaskBlock: whatever spec is pasted, a SECRET value (or the value of
// a secret-looking key) never survives into the stored command text.
func FuzzMaskBlock(f *testing.F) {
	f.Add("name: web\nservices:\n- name: web\n  envs:\n  - {key: A, value: %s, type: SECRET}\n", "hunter2x")
	f.Add(`{"name":"web","services":[{"name":"web","envs":[{"key":"A","value":"%s","type":"SECRET"}]}]}`, "pqr123")
	f.Add("spec:\n  name: web\n  envs:\n  - key: DB_PASSWORD\n    value: >-\n      %s\n", "abcdef")
	f.Add("name: web\nenvs:\n- key: API_TOKEN\n  value: \"%s\"\n", "Zm9vYmFy")
	f.Fuzz(func(t *testing.T, tmpl, secret string) {
		if !fuzzSecret.MatchString(secret) || strings.Count(tmpl, "%s") != 1 || strings.Contains(tmpl, secret) {
			return
		}
		body := strings.Replace(tmpl, "%s", secret, 1)
		spec, err := appspec.ParseSpec(body)
		if err != nil {
			return
		}
		has := false
		docloud.ForEachEnv(spec, func(v *godo.AppVariableDefinition) {
			has = has || (v.Value == secret && (v.Type == godo.AppVariableType_Secret || dobot.SecretLooking(v.Key)))
		})
		if !has {
			return
		}
		text := "launch --spec\n```\n" + body + "\n```"
		if stored := StoredCommand(text); strings.Contains(stored, secret) {
			t.Fatalf("stored command %q keeps the secret %q", stored, secret)
		}
	})
}
