package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readmeScopes is the custom-scope list the README gives, read from its
// paragraph that starts "With custom scopes".
func readmeScopes(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, para := range strings.Split(string(raw), "\n\n") {
		if !strings.HasPrefix(para, "With custom scopes") {
			continue
		}
		first, _, _ := strings.Cut(para, ". ") // the list is the first sentence
		var out []string
		for _, m := range regexp.MustCompile("`([a-z_]+:[a-z]+)`").FindAllStringSubmatch(first, -1) {
			out = append(out, m[1])
		}
		return out
	}
	t.Fatal(`README has no paragraph starting "With custom scopes"`)
	return nil
}

// The bot does everything the README shows with a token holding exactly
// the README's custom scopes: the test server answers 403, as DigitalOcean
// does, to any call those scopes do not cover.
func TestREADMEScopesAreEnough(t *testing.T) {
	scopes := readmeScopes(t)
	if len(scopes) < 10 {
		t.Fatalf("README scopes = %v; want the full list", scopes)
	}
	w := newWorld(t, withScopes(scopes))

	head := w.launchLive("web", "nginx")
	w.run(viewer, "logs web --lines 5")
	w.waitEphemeral(viewer, "web run logs")
	w.run(viewer, "status web")
	if st := w.waitEphemeral(viewer, "web: "); !strings.Contains(unescapeJSON(st.Blocks), permalinkOf(head.TS)) {
		t.Errorf("status answer = %s; want the launch thread's link", st.Blocks)
	}
	w.run(viewer, "sizes")
	w.waitEphemeral(viewer, "apps-s-1vcpu-1gb")
	w.run(viewer, "sizes --droplet")
	w.waitEphemeral(viewer, "s-1vcpu-2gb")
	w.run(deployer, "redeploy web --image nginx:1.27")
	w.waitLiveReplies(2)

	w.run(deployer, "launch box --droplet --image nginx")
	box := w.launchHead("box")
	w.waitThread(box.TS, "droplet active")
	w.run(deployer, "droplet reboot box")
	w.waitMessage("reboot completed", func(m slacktestMessage) bool { return strings.Contains(m.Text, "reboot of box completed") })

	w.run(admin, "registry create acme")
	w.waitMessage("registry created", func(m slacktestMessage) bool { return strings.Contains(m.Text, "Created registry acme") })
	w.pushDOCR("acme", "api", "1")
	w.run(viewer, "registry repos api")
	w.waitEphemeral(viewer, "`1`")
	w.run(deployer, "launch dbox --droplet --image registry.digitalocean.com/acme/api:1")
	dbox := w.launchHead("dbox")
	w.waitThread(dbox.TS, "droplet active")
	w.run(admin, "registry gc")
	w.waitMessage("gc finished", func(m slacktestMessage) bool { return strings.Contains(m.Text, "Garbage collection of acme finished") })

	w.run(deployer, "teardown box")
	card := w.approvalCard("teardown box")
	w.click(approver, card, "approve")
	w.waitThread(card.TS, "Deleted box")
	w.run(deployer, "teardown web")
	card = w.approvalCard("teardown web")
	w.click(approver, card, "approve")
	w.waitThread(card.TS, "Deleted web")

	// The droplet's registry credentials went only into its user data.
	secrets := w.do.DockerSecrets()
	if len(secrets) != 1 {
		t.Fatalf("docker credentials handed out = %d; want 1", len(secrets))
	}
	w.stop(sigterm, stopBudget)
	db, _ := os.ReadFile(w.dbPath)
	wal, _ := os.ReadFile(w.dbPath + "-wal")
	for where, text := range map[string]string{"the bot's output": w.logs.String(), "Slack": dumpMessages(w.slack.Messages()), "the database": string(db) + string(wal)} {
		if strings.Contains(text, secrets[0]) {
			t.Errorf("%s holds the droplet's registry credentials", where)
		}
	}
	for _, r := range w.do.Requests() {
		if r.Status == 403 {
			t.Errorf("%s %s was refused for a missing scope", r.Method, r.Path)
		}
	}
}
