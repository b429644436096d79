package commands_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"dobot"
	"dobot/chat"
	"dobot/commands"
	"dobot/reply"
	"dobot/slackbot"
)

// botMentions are the only Slack markup the messages below may hold once
// rendered: the mentions of the two people involved, built from their ids.
var botMentions = strings.NewReplacer("<@UREQ1>", "", "<@UDEC1>", "")

// userTextMessages builds every kind of message that carries text a person
// or DigitalOcean wrote, with s as that text.
func userTextMessages(s string) []commands.Message {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	op := dobot.Operation{
		ID:        7,
		Action:    "teardown",
		App:       "web",
		Requester: "UREQ1",
		Reason:    s,
		State:     dobot.OpAwaitingApproval,
		Approval:  dobot.Approval{ExpiresAt: at},
	}
	denied := op
	denied.State, denied.Decider, denied.DecidedAt, denied.Error = dobot.OpCanceled, "UDEC1", at, s
	row := dobot.AuditEntry{ID: 3, Time: at, UserID: "UREQ1", CommandText: "/do " + s, Action: s, Target: s,
		Decision: "denied", Outcome: s, Error: s, Details: s}
	refused := row
	refused.Decision = "refused"
	return []commands.Message{
		commands.ApprovalCard(op, []commands.Field{{Label: "App", Value: "web"}}, true),
		commands.ApprovalCard(denied, nil, false),
		{Text: commands.AuditLine(row)},
		{Text: commands.MirrorLine(row)},
		{Text: commands.MirrorLine(refused)},
		{Text: commands.DecisionLine(denied)},
		commands.ErrorMessage(commands.UserErrorText(s)),
		commands.ErrorMessage(commands.DOErrorText(s, s)),
		{Text: reply.Escape(s)},
	}
}

// checkNoUserMarkup fails when rendered Slack text holds a '<' that is not
// one of the bot's own mentions.
func checkNoUserMarkup(t *testing.T, in, where, text string) {
	t.Helper()
	if strings.Contains(botMentions.Replace(text), "<") {
		t.Fatalf("with user text %q, %s holds an unescaped '<': %q", in, where, text)
	}
}

// checkOnlyBotTokens fails when the core's neutral text holds a token other
// than a mention of the two people involved: user text can forge none.
func checkOnlyBotTokens(t *testing.T, in, text string) {
	t.Helper()
	for _, seg := range chat.Segments(text) {
		if seg.Kind != chat.Text && (seg.Kind != chat.Person || seg.Target != "UREQ1" && seg.Target != "UDEC1") {
			t.Fatalf("with user text %q, the message holds a token %+v: %q", in, seg, text)
		}
	}
}

func FuzzUserTextIsEscaped(f *testing.F) {
	for _, s := range []string{"<!channel>", "<https://evil.example|Open the app>", "<@UREQ1>", "\x1eLhttps://evil.example\x1dclick\x1f", "\x1e@U0BAD\x1f", "a & b > c", "&lt;!here&gt;", "<<!everyone>>", "<#C123|general>", "x\n<!subteam^S1>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range userTextMessages(s) {
			parts := []string{m.Text, m.Title, m.Body, m.Footer}
			for _, fl := range m.Fields {
				parts = append(parts, fl.Label, fl.Value)
			}
			for _, p := range parts {
				checkOnlyBotTokens(t, s, p)
			}
			raw, err := json.Marshal(slackbot.Blocks(m))
			if err != nil {
				t.Fatal(err)
			}
			var blocks any
			if err := json.Unmarshal(raw, &blocks); err != nil {
				t.Fatal(err)
			}
			walkStrings(blocks, func(v string) { checkNoUserMarkup(t, s, "the Block Kit", v) })
		}
	})
}

// walkStrings calls fn on every string in a decoded JSON value.
func walkStrings(v any, fn func(string)) {
	switch v := v.(type) {
	case string:
		fn(v)
	case []any:
		for _, e := range v {
			walkStrings(e, fn)
		}
	case map[string]any:
		for _, e := range v {
			walkStrings(e, fn)
		}
	}
}

func TestRefusalsKeepTheBotsMentionsAndEscapeTheReason(t *testing.T) {
	h := newHarness(t)
	h.grant(t, "UDEP1", dobot.RoleDeployer)
	h.grant(t, "UAPP1", dobot.RoleApprover)
	h.grant(t, "UAPP2", dobot.RoleApprover)
	if err := h.db.SetPolicy(context.Background(), dobot.Policy{Action: commands.ActionLaunch, Role: dobot.RoleDeployer, NeedsApproval: true, UpdatedBy: "test"}); err != nil {
		t.Fatal(err)
	}
	h.run("UDEP1", "launch api --image nginx --reason '<!channel> & co'")
	h.run("UAPP1", "deny 1 <!here> <https://evil.example|click>")
	got := h.run("UAPP2", "approve 1")
	want := "no longer waiting: denied by <@UAPP1> at "
	if !strings.Contains(got, want) || !strings.Contains(got, "&lt;!here&gt; &lt;https://evil.example|click&gt;") {
		t.Errorf("approve after deny, as Slack gets it = %q; want %q and the reason escaped", got, want)
	}
	for _, s := range h.chat.all() {
		if strings.Contains(s, "<!") || strings.Contains(s, "<https://evil") {
			t.Errorf("a message holds user markup as Slack gets it: %q", s)
		}
	}
}
