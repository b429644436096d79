package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// homePublishes counts the views.publish calls for user so far.
func (r *replicas) homePublishes(user string) int {
	n := 0
	for _, c := range r.slack.Calls() {
		if c.Method == "views.publish" && c.Form.Get("user_id") == user {
			n++
		}
	}
	return n
}

// homeChanges reads the store's count of home page changes and the count
// republished.
func (r *replicas) homeChanges() (changes, published int64) {
	r.t.Helper()
	ctx := context.Background()
	db := r.openStore(ctx)
	defer db.Close()
	changes, published, err := db.HomeChanges(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	return changes, published
}

// TestHomeTabAcrossReplicas: a person opens their Home tab through one
// replica, and a launch is handled by the other. Their tab is republished
// showing the app, by one replica only: no more publishes than changes the
// store counted, where two replicas each republishing would send about
// twice as many.
func TestHomeTabAcrossReplicas(t *testing.T) {
	r := newReplicas(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	opened, err := r.slack.OpenHome(deployer)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := r.slack.WaitAck(ctx, opened)
	if err != nil {
		t.Fatal(err)
	}
	r.waitHome(deployer, []string{"You have no apps running"})
	settled := func(what string) int64 {
		var c, p int64
		r.waitUntil(what, func() bool { c, p = r.homeChanges(); return c == p })
		return c
	}
	before := settled("home pages republished before the launch")
	publishes := r.homePublishes(deployer)

	env, err := r.slack.SlashCommand(slack.SlashCommand{Command: "/do", Text: "launch web --image nginx", UserID: deployer,
		ChannelID: channel, ChannelName: "deploys"})
	if err != nil {
		t.Fatal(err)
	}
	launched, err := r.slack.WaitAck(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if launched.Connection == ack.Connection {
		t.Fatalf("the Home tab and the launch both went to connection %d; the test needs them on two replicas", ack.Connection)
	}
	r.waitUntil("the deployer's Home tab showing web live", func() bool {
		v, ok := r.slack.Home(deployer)
		text := unescapeJSON(v.Blocks)
		return ok && strings.Contains(text, "*web*") && strings.Contains(text, "https://") && !strings.Contains(text, "launch #")
	})
	after := settled("home pages republished after the launch")
	got := r.homePublishes(deployer) - publishes
	if changes := after - before; got < 1 || int64(got) > changes {
		t.Errorf("the launch made %d home page changes and %d views.publish calls for the deployer; want between 1 and %d", changes, got, changes)
	}
	t.Logf("launch: %d home page changes, %d republishes", after-before, got)
	if got := r.homePublishes(approver); got != 0 {
		t.Errorf("%d views.publish calls for the approver, who never opened the Home tab; want none", got)
	}
}
