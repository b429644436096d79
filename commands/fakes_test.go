package commands_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitalocean/godo"
	"golang.org/x/oauth2"

	"dobot"
	"dobot/chat"
	"dobot/commands"
	"dobot/imagecheck"
	"dobot/internal/dotest"
	"dobot/internal/regtest"
	"dobot/store"
	"dobot/watch"
)

var _ commands.Store = (*store.DB)(nil)
var _ commands.Chat = (*recordingChat)(nil)

// sent is one message the bot sent through the recording chat.
type sent struct {
	Kind    string // post, reply, update, ephemeral, respond
	Channel string
	User    string
	TS      string
	Thread  string // a reply's thread
	Msg     commands.Message
}

// recordingChat records every message and answers like Slack would.
type recordingChat struct {
	mu   sync.Mutex
	sent []sent
	n    int
}

// asSlack is m's text as Slack gets it: the core's mention and link tokens
// in Slack's markup, and &, < and > of everything else escaped. The tests
// read the recorded messages this way, so they see what people would.
func asSlack(m commands.Message) commands.Message {
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	token := func(seg chat.Segment) string {
		switch seg.Kind {
		case chat.Person:
			return "<@" + seg.Target + ">"
		case chat.Room:
			return "<#" + seg.Target + ">"
		}
		return "<" + seg.Target + "|" + esc.Replace(seg.Text) + ">"
	}
	r := func(s string) string { return chat.Render(s, esc.Replace, token) }
	m.Text, m.Title, m.Body, m.Footer = r(m.Text), r(m.Title), r(m.Body), r(m.Footer)
	fields := make([]commands.Field, len(m.Fields))
	for i, f := range m.Fields {
		fields[i] = commands.Field{Label: r(f.Label), Value: r(f.Value)}
	}
	m.Fields = fields
	return m
}

// readable is recorded (Slack) text as a person reads it: "@U1" for a
// mention, "#C1" for a channel, "label (url)" for a link, and the
// entities undone; what chat.Plain gives for the core's own text.
func readable(s string) string {
	s = slackMention.ReplaceAllString(s, "$1")
	s = slackLink.ReplaceAllStringFunc(s, func(m string) string {
		g := slackLink.FindStringSubmatch(m)
		if g[2] == "" || g[2] == g[1] {
			return g[1]
		}
		return g[2] + " (" + g[1] + ")"
	})
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

var (
	slackMention = regexp.MustCompile(`<([@#][A-Z0-9]+)>`)
	slackLink    = regexp.MustCompile(`<(https?://[^|<>]+)(?:\|([^<>]*))?>`)
)

func (c *recordingChat) add(s sent) string {
	s.Msg = asSlack(s.Msg)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	s.TS = fmt.Sprintf("1700000000.%06d", c.n)
	c.sent = append(c.sent, s)
	return s.TS
}

func (c *recordingChat) Post(_ context.Context, ch string, m commands.Message) (chat.Ref, error) {
	return chat.Ref{Channel: ch, ID: c.add(sent{Kind: "post", Channel: ch, Msg: m})}, nil
}
func (c *recordingChat) Reply(_ context.Context, p chat.Ref, m commands.Message) (chat.Ref, error) {
	return chat.Ref{Channel: p.Channel, ID: c.add(sent{Kind: "reply", Channel: p.Channel, Thread: p.ID, Msg: m})}, nil
}
func (c *recordingChat) Update(_ context.Context, ref chat.Ref, m commands.Message) error {
	c.add(sent{Kind: "update", Channel: ref.Channel, Msg: m})
	return nil
}
func (c *recordingChat) Ephemeral(_ context.Context, ch, user string, m commands.Message) error {
	c.add(sent{Kind: "ephemeral", Channel: ch, User: user, Msg: m})
	return nil
}
func (c *recordingChat) Respond(_ context.Context, url string, m commands.Message) error {
	c.add(sent{Kind: "respond", Msg: m})
	return nil
}

func (c *recordingChat) Upload(_ context.Context, p chat.Ref, name, title, content string) error {
	c.add(sent{Kind: "upload", Channel: p.Channel, TS: p.ID, Thread: p.ID, Msg: commands.Message{Text: content, Title: title}})
	return nil
}

func (c *recordingChat) UploadDirect(_ context.Context, user, name, title, content string) error {
	c.add(sent{Kind: "upload-direct", User: user, Msg: commands.Message{Text: content, Title: title}})
	return nil
}

func (c *recordingChat) Permalink(_ context.Context, ref chat.Ref) (string, error) {
	return "https://example.slack.com/archives/" + ref.Channel + "/p" + strings.ReplaceAll(ref.ID, ".", ""), nil
}

// lastEphemeral is the latest private answer to user.
func (c *recordingChat) lastEphemeral(user string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.sent) - 1; i >= 0; i-- {
		if c.sent[i].Kind == "ephemeral" && c.sent[i].User == user {
			return c.sent[i].Msg.Text
		}
	}
	return ""
}

var (
	registryOnce sync.Once
	registry     *regtest.Server
	registryErr  error
)

// testRegistry is one test registry for the whole package: the harnesses
// only read it, and filling one costs more than most tests.
func testRegistry(t *testing.T) *regtest.Server {
	t.Helper()
	registryOnce.Do(func() { registry, registryErr = regtest.Start(regtest.Options{DOToken: "tok"}) })
	if registryErr != nil {
		t.Fatal(registryErr)
	}
	return registry
}

// harness is a Bot over a real SQLite file and the DigitalOcean test server.
type harness struct {
	bot  *commands.Bot
	db   *store.DB
	do   *dotest.Server
	chat *recordingChat
	// client talks to the test server directly, as someone outside the bot.
	client *godo.Client
	dbPath string
	// cloud and watcher are the bot's, for a second bot over the same
	// database (a restart).
	cloud   commands.Cloud
	watcher *watch.Watcher
	// stop stops the bot, as at shutdown.
	stop func()
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, commands.Config{Region: "nyc3"}, dotest.Options{Token: "tok", PhaseDelay: 50 * time.Millisecond}, nil)
}

// newHarnessWith is newHarness with the bot's settings, the test server's
// options (Token must be set) and the HTTP client for log files.
func newHarnessWith(t *testing.T, cfg commands.Config, opts dotest.Options, httpClient *http.Client) *harness {
	t.Helper()
	return startHarness(t, cfg, opts, func(d *commands.Deps) { d.HTTP = httpClient })
}

// startHarness starts a bot with cfg on a fresh store and a test server
// with opts; with lets a test add to the bot's dependencies.
func startHarness(t *testing.T, cfg commands.Config, opts dotest.Options, with func(*commands.Deps)) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dbPath := filepath.Join(t.TempDir(), "bot.db")
	db, err := store.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := dotest.New(t, opts)
	client, err := godo.New(oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: opts.Token})), godo.SetBaseURL(srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	w := watch.New(client.Apps, nil, watch.Fixed(20*time.Millisecond))
	go w.Run(ctx)
	chat := &recordingChat{}
	images := &imagecheck.Checker{Mirrors: regtest.ParseMirrors(testRegistry(t).Mirrors()), DOToken: "tok"}
	deps := commands.Deps{Store: db, Cloud: commands.CloudOf(client), Chat: chat, Images: images, Watcher: w}
	with(&deps)
	bot, err := commands.New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	if err := bot.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); bot.Wait() }) }
	t.Cleanup(func() {
		stop()
		db.Close()
	})
	return &harness{bot: bot, db: db, do: srv, chat: chat, client: client, dbPath: dbPath, cloud: commands.CloudOf(client), watcher: w, stop: stop}
}

// run runs one command as user and returns the private answer, if any.
func (h *harness) run(user, text string) string {
	h.bot.Handle(context.Background(), commands.Request{Ref: "test", UserID: user, UserName: strings.ToLower(user), ChannelID: "C1", Text: text, ResponseURL: "https://hooks.example/x"})
	return h.chat.lastEphemeral(user)
}

func (h *harness) grant(t *testing.T, user string, role dobot.Role) {
	t.Helper()
	if err := h.db.SetRole(context.Background(), user, role, "test"); err != nil {
		t.Fatal(err)
	}
}

// pushDOCR pushes repo:tag to the account's registry as `docker push`
// would: DigitalOcean's API lists the tag, and the test registry serves the
// image to the pre-flight check.
func (h *harness) pushDOCR(t *testing.T, registry, repo, tag string, exposed ...string) {
	t.Helper()
	h.do.PushImage(registry, repo, tag)
	if err := testRegistry(t).Push("registry.digitalocean.com", registry+"/"+repo, tag, exposed...); err != nil {
		t.Fatal(err)
	}
}
