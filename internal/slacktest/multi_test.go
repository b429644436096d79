package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
)

// rawClient is one Socket Mode connection read by hand, as one replica's
// would be: it acks what it reads unless told to stay silent.
type rawClient struct {
	id     int
	ws     *websocket.Conn
	silent bool

	mu    sync.Mutex
	texts []string // slash command texts read
}

// dialRaw opens a connection the way a client does: apps.connections.open,
// then the websocket, then hello.
func dialRaw(t *testing.T, srv *Server, silent bool) *rawClient {
	t.Helper()
	api := slack.New(botToken, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(appToken))
	_, link, err := api.StartSocketModeContext(context.Background())
	if err != nil {
		t.Fatalf("apps.connections.open: %v", err)
	}
	ws, _, err := websocket.DefaultDialer.Dial(link, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", link, err)
	}
	var hello struct {
		Type string `json:"type"`
	}
	if err := ws.ReadJSON(&hello); err != nil || hello.Type != "hello" {
		t.Fatalf("first frame = %q, %v; want hello", hello.Type, err)
	}
	c := &rawClient{id: srv.Connections(), ws: ws, silent: silent}
	// The server records a connection as live just after writing its hello,
	// so the client may read hello first: wait for the record.
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := srv.wait(ctx, func() bool {
		for _, lc := range srv.sock.live.list {
			if lc.id == c.id {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("connection %d never recorded as live: %v", c.id, err)
	}
	t.Cleanup(func() { ws.Close() })
	go c.read()
	return c
}

func (c *rawClient) read() {
	for {
		var env struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := c.ws.ReadJSON(&env); err != nil {
			return
		}
		if env.EnvelopeID == "" {
			continue
		}
		var p struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal(env.Payload, &p)
		c.mu.Lock()
		c.texts = append(c.texts, p.Text)
		c.mu.Unlock()
		if !c.silent {
			_ = c.ws.WriteJSON(map[string]string{"envelope_id": env.EnvelopeID})
		}
	}
}

func (c *rawClient) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.texts...)
}

// Envelopes are spread over every live connection, each to one of them,
// as Slack spreads them over an app's connections.
func TestEnvelopesAreSpreadOverConnections(t *testing.T) {
	srv := New(Options{BotToken: botToken, AppToken: appToken})
	defer srv.Close()
	clients := []*rawClient{dialRaw(t, srv, false), dialRaw(t, srv, false), dialRaw(t, srv, false)}
	if srv.Live() != 3 {
		t.Fatalf("Live() = %d; want 3", srv.Live())
	}
	const n = 30
	ids := make([]string, n)
	for i := range n {
		id, err := srv.SlashCommand(slack.SlashCommand{Text: fmt.Sprint(i), UserID: "U1", ChannelID: "C1"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	for _, id := range ids {
		if _, err := srv.WaitAck(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	for _, c := range clients {
		got := c.got()
		if len(got) == 0 {
			t.Errorf("connection %d got no envelope of %d", c.id, n)
		}
		for _, text := range got {
			seen[text]++
		}
	}
	for i := range n {
		if seen[fmt.Sprint(i)] != 1 {
			t.Errorf("command %d was delivered %d times; want once, to one connection", i, seen[fmt.Sprint(i)])
		}
	}
	for _, a := range srv.Acks() {
		if a.Connection < 1 || a.Connection > 3 {
			t.Errorf("ack of %s names connection %d; want 1 to 3", a.EnvelopeID, a.Connection)
		}
	}
}

// An envelope a connection does not ack is redelivered, and may go to
// another connection, as when a replica dies holding it.
func TestUnackedEnvelopeIsRedeliveredElsewhere(t *testing.T) {
	srv := New(Options{BotToken: botToken, AppToken: appToken, AckDeadline: 200 * time.Millisecond})
	defer srv.Close()
	live := dialRaw(t, srv, false)
	dead := dialRaw(t, srv, true)
	var ids []string
	for i := range 4 {
		id, err := srv.SlashCommand(slack.SlashCommand{Text: fmt.Sprint(i), UserID: "U1", ChannelID: "C1"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	retried := 0
	for _, id := range ids {
		a, err := srv.WaitAck(ctx, id)
		if err != nil {
			t.Fatalf("an envelope the silent connection took was never acked elsewhere: %v", err)
		}
		if a.Connection != live.id {
			t.Errorf("envelope %s acked on connection %d; want %d, the one that acks", id, a.Connection, live.id)
		}
		if a.RetryAttempt > 0 {
			retried++
		}
	}
	if len(dead.got()) == 0 || retried == 0 {
		t.Errorf("the silent connection read %d envelopes and %d were retried; want some of each", len(dead.got()), retried)
	}
}

// An app holds at most ten connections; the eleventh is refused.
func TestEleventhConnectionIsRefused(t *testing.T) {
	srv := New(Options{BotToken: botToken, AppToken: appToken})
	defer srv.Close()
	for range MaxConnections {
		dialRaw(t, srv, false)
	}
	api := slack.New(botToken, slack.OptionAPIURL(srv.APIURL()), slack.OptionAppLevelToken(appToken))
	_, link, err := api.StartSocketModeContext(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ws, _, err := websocket.DefaultDialer.Dial(link, nil); err == nil {
		ws.Close()
		t.Errorf("connection %d was accepted; an app may hold %d", MaxConnections+1, MaxConnections)
	}
}
