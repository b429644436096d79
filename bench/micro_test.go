package bench

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"

	"dobot"
	"dobot/chat"
	"dobot/cmdline"
	"dobot/commands"
	"dobot/store"
)

// Micro-benchmarks of the hot paths the issue names, through exported APIs
// only. The store's own Role, Audit and AppendAudit benchmarks are in
// store/bench_test.go; run both with
//
//	go test -run x -bench . -benchmem ./bench/ ./store/

var parseInputs = []struct{ name, text string }{
	{"help", "help"},
	{"status", "status web"},
	{"launch", `launch web --image ghcr.io/acme/web:1.2.3 --region ams3 --port 8080 --env MODE=prod --env "GREETING=hello world"`},
	{"smartquotes", "launch web --image nginx:1.27 --env \u201cGREETING=hi #general\u201d"},
	{"audit", "audit --app web --since 7d --limit 50"},
}

func BenchmarkSplitWords(b *testing.B) {
	for _, in := range parseInputs {
		b.Run(in.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := cmdline.SplitWords(in.text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTableParse(b *testing.B) {
	bot, err := commands.New(commands.Config{Region: "nyc3"}, commands.Deps{})
	if err != nil {
		b.Fatal(err)
	}
	table, cfg := bot.Table(), commands.Config{Region: "nyc3"}
	for _, in := range parseInputs {
		b.Run(in.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := table.Parse(in.text, cfg); err != nil {
					b.Fatalf("Parse(%q): %v", in.text, err)
				}
			}
		})
	}
}

func BenchmarkParseImageRef(b *testing.B) {
	refs := []string{
		"nginx",
		"ghcr.io/acme/web:1.2.3",
		"registry.digitalocean.com/acme/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	}
	for _, ref := range refs {
		b.Run(ref[:min(len(ref), 24)], func(b *testing.B) {
			for b.Loop() {
				if _, err := dobot.ParseImageRef(ref); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// quietChat is a commands.Chat that drops every message.
type quietChat struct{}

func (quietChat) Post(_ context.Context, ch string, _ commands.Message) (chat.Ref, error) {
	return chat.Ref{Channel: ch, ID: "1.0"}, nil
}
func (quietChat) Reply(_ context.Context, p chat.Ref, _ commands.Message) (chat.Ref, error) {
	return chat.Ref{Channel: p.Channel, ID: "1.1"}, nil
}
func (quietChat) Update(context.Context, chat.Ref, commands.Message) error { return nil }
func (quietChat) Ephemeral(context.Context, string, string, commands.Message) error {
	return nil
}
func (quietChat) Respond(context.Context, string, commands.Message) error { return nil }

func (quietChat) Upload(context.Context, chat.Ref, string, string, string) error { return nil }

func (quietChat) UploadDirect(context.Context, string, string, string, string) error { return nil }
func (quietChat) Permalink(context.Context, chat.Ref) (string, error)                { return "", nil }

var _ commands.Chat = quietChat{}

// noAuditStore is the real store with AppendAudit left out, to see the
// authorisation path without its audit write.
type noAuditStore struct{ *store.DB }

func (noAuditStore) AppendAudit(_ context.Context, e dobot.AuditEntry) (dobot.AuditEntry, error) {
	return e, nil
}

var _ commands.Store = noAuditStore{}

// policyBot returns a Bot over a real store with a deployer, a viewer and a
// glob policy for launch, so policy lookups have rows to scan.
func policyBot(b *testing.B, withAudit bool) *commands.Bot {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "dobot.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	for user, role := range map[string]dobot.Role{"UADMIN": dobot.RoleAdmin, "UDEPLOY": dobot.RoleDeployer, "UVIEW": dobot.RoleViewer} {
		if err := db.SetRole(ctx, user, role, "seed"); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.SetPolicy(ctx, dobot.Policy{Action: commands.ActionLaunch, AppGlob: "prod-*", Role: dobot.RoleApprover, NeedsApproval: true, UpdatedBy: "UADMIN"}); err != nil {
		b.Fatal(err)
	}
	var st commands.Store = db
	if !withAudit {
		st = noAuditStore{db}
	}
	bot, err := commands.New(commands.Config{Region: "nyc3"}, commands.Deps{Store: st, Chat: quietChat{}})
	if err != nil {
		b.Fatal(err)
	}
	return bot
}

// BenchmarkPolicyCheck measures authorisation through Bot.Handle, the only
// exported way in (policyFor and requiredRole are unexported): a viewer's
// launch of prod-web is parsed, the role read, the policies read and
// matched, and the command refused without touching DigitalOcean. "audited"
// includes the refusal's audit row (a write transaction); "no-audit" leaves
// it out.
func BenchmarkPolicyCheck(b *testing.B) {
	for _, tc := range []struct {
		name  string
		audit bool
	}{{"audited", true}, {"no-audit", false}} {
		b.Run(tc.name, func(b *testing.B) {
			bot := policyBot(b, tc.audit)
			ctx := context.Background()
			req := commands.Request{Ref: "bench", UserID: "UVIEW", UserName: "vic", ChannelID: channel,
				Text: "launch prod-web --image ghcr.io/acme/web:1.2.3"}
			for b.Loop() {
				bot.Handle(ctx, req)
			}
		})
	}
}

// BenchmarkHandleHelp is the cheapest allowed command end to end in the
// core: parse, role, the "started" audit row, and the generated help text.
func BenchmarkHandleHelp(b *testing.B) {
	bot := policyBot(b, true)
	ctx := context.Background()
	req := commands.Request{Ref: "bench", UserID: "UDEPLOY", UserName: "dev", ChannelID: channel, Text: "help"}
	for b.Loop() {
		bot.Handle(ctx, req)
	}
}

// BenchmarkStorePolicies is the policy read every mutating command does.
func BenchmarkStorePolicies(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "dobot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.SetPolicy(ctx, dobot.Policy{Action: commands.ActionLaunch, AppGlob: "prod-*", Role: dobot.RoleApprover, UpdatedBy: "U1"}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := db.Policies(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMarkHandled is the write every Slack envelope costs before its
// command runs (the listener's redelivery check).
func BenchmarkMarkHandled(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "dobot.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	i := 0
	for b.Loop() {
		if _, err := db.MarkHandled(ctx, "env:"+strconv.Itoa(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkHandleStatus is the core of the answer path of `/do status` as
// the listener drives it, without the Slack calls: "journaled" is how the
// bot runs a first delivery now (the "started" row and the envelope's
// claim in the audit journal, committed in batches: store.WithNewEnvelope);
// "one-commit" is how it runs a redelivery (the envelope's handled key and
// response_url recorded with the row in one commit, store.WithEnvelope);
// "three-commits" is how it ran before, a handled-key write and a
// response_url write ahead of the command's own audit write.
func BenchmarkHandleStatus(b *testing.B) {
	for _, tc := range []struct {
		name string
		run  func(ctx context.Context, db *store.DB, bot *commands.Bot, key string, req commands.Request)
	}{
		{"journaled", func(ctx context.Context, _ *store.DB, bot *commands.Bot, key string, req commands.Request) {
			bot.Handle(store.WithNewEnvelope(ctx, key, req.ResponseURL, req.UserID, req.ChannelID), req)
		}},
		{"one-commit", func(ctx context.Context, _ *store.DB, bot *commands.Bot, key string, req commands.Request) {
			bot.Handle(store.WithEnvelope(ctx, key, req.ResponseURL, req.UserID, req.ChannelID), req)
		}},
		{"three-commits", func(ctx context.Context, db *store.DB, bot *commands.Bot, key string, req commands.Request) {
			if first, err := db.MarkHandled(ctx, key); err != nil || !first {
				b.Fatalf("MarkHandled = %v, %v", first, err)
			}
			if err := db.RecordResponseURL(ctx, req.ResponseURL, req.UserID, req.ChannelID); err != nil {
				b.Fatal(err)
			}
			bot.Handle(ctx, req)
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			db, err := store.Open(ctx, filepath.Join(b.TempDir(), "dobot.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			if err := db.SetRole(ctx, "UADMIN", dobot.RoleAdmin, "seed"); err != nil {
				b.Fatal(err)
			}
			bot, err := commands.New(commands.Config{Region: "nyc3"}, commands.Deps{Store: db, Chat: quietChat{}})
			if err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				i++
				id := strconv.Itoa(i)
				req := commands.Request{Ref: "E" + id, UserID: "UADMIN", UserName: "ana", ChannelID: channel, Text: "status",
					ResponseURL: "https://hooks.slack.test/commands/T1/" + id}
				tc.run(ctx, db, bot, "cmd:"+id, req)
			}
		})
	}
}
