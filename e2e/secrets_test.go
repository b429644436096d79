package e2e

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// slackTraffic is everything the bot sent to Slack: every Web API call
// (messages, updates, ephemerals, uploads with their file bodies) and every
// response_url post, as text.
func (w *world) slackTraffic() string {
	var sb strings.Builder
	for _, c := range w.slack.Calls() {
		for k, vs := range c.Form {
			for _, v := range vs {
				sb.WriteString(k + "=" + v + "\n")
			}
		}
		sb.Write(c.Body)
		sb.Write(c.Content)
		sb.WriteString("\n")
	}
	for _, m := range w.slack.Messages() {
		sb.WriteString(m.Text + "\n")
		sb.WriteString(unescapeJSON(m.Blocks) + "\n")
	}
	return sb.String()
}

func TestSecretValuesReachDigitalOceanOnlyAsSecret(t *testing.T) {
	const auditChannel = "CAUDIT1"
	secrets := []string{"hunter2-pw-e2e", "quoted secret e2e", "inline-tok-e2e", "fresh-secret-e2e"}
	const general = "general-mode-e2e" // an ordinary variable: DigitalOcean shows it, the bot does not
	w := newWorld(t, withEnv("BOT_AUDIT_CHANNEL="+auditChannel))

	w.run(deployer, "launch web --image nginx --env DB_PASSWORD=hunter2-pw-e2e --secret \u201cBLOB=quoted secret e2e\u201d --env=API_TOKEN=inline-tok-e2e --env MODE="+general)
	head := w.launchHead("web")
	w.waitThread(head.TS, "is live at https://")
	if !strings.Contains(unescapeJSON(head.Blocks), "DB_PASSWORD (secret)") {
		t.Errorf("launch card does not mark DB_PASSWORD as secret: %s", head.Blocks)
	}

	// Another deployer's dry run shows the live spec: keys, never values.
	w.run(approver, "redeploy web --dry-run")
	dry := w.waitEphemeral(approver, "Dry run of redeploy web")
	if strings.Contains(dry.Text, general) || !strings.Contains(dry.Text, "MODE") {
		t.Errorf("dry run shows an existing value or hides the keys:\n%s", dry.Text)
	}

	w.run(deployer, "redeploy web --secret NEW_ONE=fresh-secret-e2e")
	w.waitLiveReplies(2)

	// A command that fails to parse must not echo the value either.
	w.run(deployer, "launch web2 --image nginx --env DB_PASSWORD=hunter2-pw-e2e stray-word")
	w.waitEphemeral(deployer, "launch takes one app name")

	// DigitalOcean received every secret, typed SECRET.
	create := w.requestBodies("POST /v2/apps")
	if len(create) != 1 {
		t.Fatalf("create bodies = %d; want 1", len(create))
	}
	var req struct {
		Spec struct {
			Services []struct {
				Envs []struct{ Key, Value, Type string }
			}
		}
	}
	if err := json.Unmarshal([]byte(create[0]), &req); err != nil || len(req.Spec.Services) != 1 {
		t.Fatalf("create body %s: %v", create[0], err)
	}
	want := map[string][2]string{"DB_PASSWORD": {"hunter2-pw-e2e", "SECRET"}, "BLOB": {"quoted secret e2e", "SECRET"},
		"API_TOKEN": {"inline-tok-e2e", "SECRET"}, "MODE": {general, "GENERAL"}}
	for _, e := range req.Spec.Services[0].Envs {
		if w, ok := want[e.Key]; !ok || w != [2]string{e.Value, e.Type} {
			t.Errorf("DigitalOcean got %s=%q as %s; want %v", e.Key, e.Value, e.Type, w)
		}
		delete(want, e.Key)
	}
	if len(want) > 0 {
		t.Errorf("DigitalOcean never got %v", want)
	}
	put := w.requestBodies("PUT /v2/apps/{id}")
	if len(put) != 1 || !strings.Contains(put[0], `"key":"NEW_ONE","value":"fresh-secret-e2e","scope":"RUN_TIME","type":"SECRET"`) {
		t.Errorf("update bodies = %v; want NEW_ONE as SECRET", put)
	}
	if len(put) == 1 && !strings.Contains(put[0], `"value":"EV[1:`) {
		t.Errorf("update did not send the sealed secrets back as DigitalOcean served them: %s", put[0])
	}

	w.waitMessage("audit line of the update", func(m slacktestMessage) bool {
		return m.Channel == auditChannel && strings.Contains(m.Text, "do.update_app")
	})
	// The database while the bot runs, WAL included.
	live := readFile(t, w.dbPath)
	if !strings.Contains(live, "DB_PASSWORD=•••") {
		t.Errorf("the stored command text does not mask DB_PASSWORD")
	}
	if err := w.stop(sigterm, stopBudget); err != nil {
		t.Fatalf("stop: %v", err)
	}
	export := exec.Command(botBinary, "audit", "export", "--format", "csv")
	export.Env = []string{"BOT_DB=" + w.dbPath}
	out, err := export.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "BLOB=•••") {
		t.Errorf("audit export = %v; want rows with BLOB=•••\n%s", err, out)
	}
	places := map[string]string{
		"database (WAL included) while running": live,
		"database after stopping":               readFile(t, w.dbPath),
		"audit export":                          string(out),
		"Slack":                                 w.slackTraffic(),
		"bot log":                               w.logs.String(),
	}
	for where, text := range places {
		for _, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s contains the secret %q", where, s)
			}
		}
	}
	if strings.Contains(places["Slack"], general) {
		t.Errorf("Slack shows the value of MODE")
	}
}
