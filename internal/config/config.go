// Package config reads the bot's settings from the environment and checks
// every one, so a bad setting stops the bot at start with a line naming the
// variable, never a token's value.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"dobot"
	"dobot/imagecheck"
	"dobot/store"
)

// Config is the bot's configuration. Its groups are embedded, so their
// fields read as its own (c.DOToken).
type Config struct {
	Slack
	DigitalOcean
	Registries
	// DBPath is BOT_DB: a SQLite file path or a postgres:// URL, which may
	// carry a password; print it only through store.RedactURL.
	DBPath string
	// Instance names this process (BOT_INSTANCE) in logs, /healthz and the
	// audit, so that with several replicas each one can be told apart.
	Instance     string
	Admins       []string
	ApprovalTTL  time.Duration
	AuditChannel string
	// MaxTTL caps an expiring app's whole lifetime, from its launch:
	// neither --ttl nor extend may go past it.
	MaxTTL time.Duration
	// AuditKey keys the audit chain (BOT_AUDIT_KEY); "" means the key file
	// beside the database. A secret: never printed or logged.
	AuditKey string
	// HTTPAddr is where /healthz and /metrics listen; "off" disables them.
	HTTPAddr string
	// Lease is BOT_LEASE: how long a replica's claim on an operation or a
	// loop lasts without a heartbeat (PostgreSQL only; zero: 30 s).
	Lease time.Duration
	// WatchInterval, when set, replaces the adaptive polling pace with a
	// fixed one (for test servers whose deployments take seconds).
	WatchInterval time.Duration
	// ElsewhereInterval (BOT_ELSEWHERE_INTERVAL) is how often the apps are
	// listed to find deployments started outside the bot; zero: a minute.
	ElsewhereInterval time.Duration
}

// Slack is how the bot reaches Slack. The tokens are secrets.
type Slack struct {
	SlackBotToken string
	SlackAppToken string
	SlackAPIURL   string
}

// DigitalOcean is how the bot reaches DigitalOcean and what it launches
// by default. The token is a secret.
type DigitalOcean struct {
	DOToken   string
	DORegion  string
	DOImage   string
	DOAppName string
	DOAPIURL  string
	// DropletImage is DO_DROPLET_IMAGE, the image slug droplets run on;
	// empty picks DigitalOcean's Docker image at launch.
	DropletImage string
	// Project is DO_PROJECT: the project (a name or an id) new apps and
	// droplets go into; resolved against DigitalOcean at start.
	Project string
}

// Registries are how the pre-flight check reads container registries.
type Registries struct {
	// RegistryCredentials (BOT_REGISTRY_CREDENTIALS) sign in to docker.io
	// and ghcr.io for private images. Never print them.
	RegistryCredentials map[string]imagecheck.Credential
	// RegistryMirrors (BOT_REGISTRY_MIRRORS) point a registry host at
	// another base URL.
	RegistryMirrors map[string]*url.URL
}

// dropletImagePattern is the shape of DigitalOcean's image slugs.
var dropletImagePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,63}$`)

// Defaults for optional settings.
const (
	DefaultRegion      = "nyc3"
	DefaultDBPath      = "dobot.db"
	DefaultSlackAPIURL = "https://slack.com/api/"
	DefaultDOAPIURL    = "https://api.digitalocean.com/"
	DefaultHTTPAddr    = ":8080"
	DefaultMaxTTL      = 30 * 24 * time.Hour
)

// instancePattern is what BOT_INSTANCE may be: short, printable, no spaces,
// so it reads plainly in logs and audit exports.
var instancePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:@-]{0,62}$`)

// DefaultInstance is the instance id when BOT_INSTANCE is unset: the host
// name and the process id, unique among replicas on one host or many.
func DefaultInstance() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "dobot"
	}
	if i := strings.IndexByte(host, '.'); i > 0 {
		host = host[:i]
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}

var channelIDPattern = regexp.MustCompile(`^[CGD][A-Z0-9]{2,}$`)

// Load reads the configuration through getenv. The error joins one line per
// problem, each naming its variable.
func Load(getenv func(string) string) (Config, error) {
	l := &loader{get: func(name string) string { return strings.TrimSpace(getenv(name)) }}
	get := l.get
	c := Config{
		Slack: Slack{SlackBotToken: get("SLACK_BOT_TOKEN"), SlackAppToken: get("SLACK_APP_TOKEN"),
			SlackAPIURL: orDefault(get("SLACK_API_URL"), DefaultSlackAPIURL)},
		DigitalOcean: DigitalOcean{DORegion: orDefault(get("DO_REGION"), DefaultRegion), DOImage: get("DO_IMAGE"),
			DOAppName: get("DO_APP_NAME"), DropletImage: get("DO_DROPLET_IMAGE"), DOAPIURL: orDefault(get("DO_API_URL"), DefaultDOAPIURL),
			Project: get("DO_PROJECT")},
		DBPath:       orDefault(get("BOT_DB"), DefaultDBPath),
		AuditChannel: get("BOT_AUDIT_CHANNEL"),
		AuditKey:     get("BOT_AUDIT_KEY"),
		HTTPAddr:     orDefault(get("BOT_HTTP_ADDR"), DefaultHTTPAddr),
		Instance:     get("BOT_INSTANCE"),
		ApprovalTTL:  time.Hour,
		MaxTTL:       DefaultMaxTTL,
	}
	l.slack(&c)
	l.digitalOcean(&c)
	l.durations(&c)
	l.bot(&c)
	l.storage(&c)
	return c, errors.Join(l.errs...)
}

// loader reads settings and collects what is wrong with them.
type loader struct {
	get  func(name string) string
	errs []error
}

func (l *loader) bad(format string, a ...any) { l.errs = append(l.errs, fmt.Errorf(format, a...)) }

// slack checks the Slack tokens and API URL.
func (l *loader) slack(c *Config) {
	switch {
	case c.SlackBotToken == "":
		l.bad("SLACK_BOT_TOKEN is required: the bot token (xoxb-…) from your Slack app's OAuth & Permissions page")
	case !strings.HasPrefix(c.SlackBotToken, "xoxb-") || strings.ContainsAny(c.SlackBotToken, " \t\n"):
		l.bad("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
	}
	switch {
	case c.SlackAppToken == "":
		l.bad("SLACK_APP_TOKEN is required: an app-level token (xapp-…) with the connections:write scope")
	case !strings.HasPrefix(c.SlackAppToken, "xapp-") || strings.ContainsAny(c.SlackAppToken, " \t\n"):
		l.bad("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
	}
	var err error
	if c.SlackAPIURL, err = baseURL(c.SlackAPIURL); err != nil {
		l.bad("SLACK_API_URL: %v", err)
	}
}

// digitalOcean reads the token and checks the DigitalOcean defaults.
func (l *loader) digitalOcean(c *Config) {
	for _, name := range []string{"DO_API_TOKEN", "DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"} {
		if v := l.get(name); v != "" {
			c.DOToken = v
			if strings.ContainsAny(v, " \t\n") {
				l.bad("%s must not contain spaces", name)
			}
			break
		}
	}
	if c.DOToken == "" {
		l.bad("DO_API_TOKEN is required: a DigitalOcean personal access token with read and write scope (DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCESS_TOKEN also work)")
	}
	if _, err := dobot.AppRegion(c.DORegion); err != nil {
		l.bad("DO_REGION: %v", err)
	}
	if c.DOImage != "" {
		if _, err := dobot.ParseImageRef(c.DOImage); err != nil {
			l.bad("DO_IMAGE: %v", err)
		}
	}
	if c.DOAppName != "" {
		if err := dobot.ValidAppName(c.DOAppName); err != nil {
			l.bad("DO_APP_NAME: %v", err)
		}
	}
	if c.DropletImage != "" && !dropletImagePattern.MatchString(c.DropletImage) {
		l.bad("DO_DROPLET_IMAGE is not an image slug; use lowercase letters, digits, dots and dashes, like docker-24-04")
	}
	var err error
	if c.DOAPIURL, err = baseURL(c.DOAPIURL); err != nil {
		l.bad("DO_API_URL: %v", err)
	}
	if c.RegistryCredentials, err = ParseRegistryCredentials(l.get("BOT_REGISTRY_CREDENTIALS")); err != nil {
		l.bad("BOT_REGISTRY_CREDENTIALS: %v", err)
	}
	if c.RegistryMirrors, err = ParseRegistryMirrors(l.get("BOT_REGISTRY_MIRRORS")); err != nil {
		l.bad("BOT_REGISTRY_MIRRORS: %v", err)
	}
}

// durations reads the approval TTL, the longest app TTL and the watch
// interval.
func (l *loader) durations(c *Config) {
	if v := l.get("BOT_APPROVAL_TTL"); v != "" {
		d, err := dobot.ParseDuration(v)
		if err != nil || d <= 0 {
			l.bad("BOT_APPROVAL_TTL must be a positive duration like 30m, 2h or 1d, not %q", v)
		}
		c.ApprovalTTL = d
	}
	if v := l.get("BOT_MAX_TTL"); v != "" {
		d, err := dobot.ParseDuration(v)
		if err != nil || d < time.Minute {
			l.bad("BOT_MAX_TTL must be a duration of at least 1m, like 30d, 7d or 12h, not %q", v)
		}
		c.MaxTTL = d
	}
	if v := l.get("BOT_LEASE"); v != "" {
		d, err := dobot.ParseDuration(v)
		if err != nil || d < time.Second || d > 10*time.Minute {
			l.bad("BOT_LEASE must be a duration from 1s to 10m, like 30s, not %q", v)
		}
		c.Lease = d
	}
	if v := l.get("BOT_WATCH_INTERVAL"); v != "" {
		d, err := dobot.ParseDuration(v)
		if err != nil || d < 10*time.Millisecond {
			l.bad("BOT_WATCH_INTERVAL must be a Go duration of at least 10ms, like 2s, not %q", v)
		}
		c.WatchInterval = d
	}
	if v := l.get("BOT_ELSEWHERE_INTERVAL"); v != "" {
		d, err := dobot.ParseDuration(v)
		if err != nil || d < 10*time.Millisecond {
			l.bad("BOT_ELSEWHERE_INTERVAL must be a Go duration of at least 10ms, like 1m, not %q", v)
		}
		c.ElsewhereInterval = d
	}
}

// bot reads the admins and checks the HTTP address, the audit channel and
// the instance name.
func (l *loader) bot(c *Config) {
	for _, id := range strings.Split(l.get("BOT_ADMINS"), ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if !dobot.IsUserID(id) {
			l.bad("BOT_ADMINS: %q is not a Slack user id (like U0123ABCD)", id)
			continue
		}
		c.Admins = append(c.Admins, id)
	}
	if c.HTTPAddr != "off" {
		if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil || port == "" {
			l.bad("BOT_HTTP_ADDR must be HOST:PORT or :PORT (like :8080), or off, not %q", c.HTTPAddr)
		}
	}
	if c.AuditChannel != "" && !channelIDPattern.MatchString(c.AuditChannel) {
		l.bad("BOT_AUDIT_CHANNEL must be a channel id like C0123ABCD (channel details → bottom of the About tab)")
	}
	switch {
	case c.Instance == "":
		c.Instance = DefaultInstance()
	case !instancePattern.MatchString(c.Instance):
		l.bad("BOT_INSTANCE must be 1 to 63 letters, digits, dots, dashes, colons, @ or underscores, starting with a letter or digit, like web-1")
	}
}

// storage checks the audit key and, for PostgreSQL, the URL and that a
// key is set.
func (l *loader) storage(c *Config) {
	if c.AuditKey != "" {
		if err := store.CheckAuditKey([]byte(c.AuditKey)); err != nil {
			l.bad("BOT_AUDIT_KEY: %v", err)
		}
	}
	if store.IsPostgres(c.DBPath) {
		// The URL itself is never quoted: it may hold a password.
		if u, err := url.Parse(c.DBPath); err != nil || u.Host == "" {
			l.bad("BOT_DB is not a valid PostgreSQL URL; write it postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=require")
		}
		if c.AuditKey == "" {
			l.bad("BOT_AUDIT_KEY is required when BOT_DB is a PostgreSQL URL: no key file can sit beside a database server, and every replica must share one key (for example `openssl rand -hex 32`)")
		}
	}
}

// credentialHosts are the registries whose images may carry
// registry_credentials in an App Platform spec; DOCR uses the DigitalOcean
// token instead.
var credentialHosts = []string{imagecheck.HostDockerHub, imagecheck.HostGHCR}

// mirrorHosts are the registry hosts a mirror may stand in for.
var mirrorHosts = []string{imagecheck.HostDockerHub, imagecheck.HostGHCR, imagecheck.HostDOCR}

// ParseRegistryCredentials reads BOT_REGISTRY_CREDENTIALS: comma-separated
// HOST=USER:TOKEN. Its errors name the entry by position and host, never by
// its value, since the value is a secret.
func ParseRegistryCredentials(s string) (map[string]imagecheck.Credential, error) {
	out := map[string]imagecheck.Credential{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		host, pair, ok := strings.Cut(entry, "=")
		host = strings.ToLower(strings.TrimSpace(host))
		if !ok {
			return nil, fmt.Errorf("entry %d is not HOST=USER:TOKEN (like ghcr.io=USER:TOKEN)", i+1)
		}
		if !slices.Contains(credentialHosts, host) {
			return nil, fmt.Errorf("entry %d names a host other than %s; registry.digitalocean.com uses DO_API_TOKEN", i+1, strings.Join(credentialHosts, " or "))
		}
		user, token, ok := strings.Cut(pair, ":")
		if !ok || user == "" || token == "" || strings.ContainsAny(pair, " \t\n\r") {
			return nil, fmt.Errorf("the entry for %s is not HOST=USER:TOKEN with a user and a token and no spaces", host)
		}
		if _, dup := out[host]; dup {
			return nil, fmt.Errorf("%s is given twice", host)
		}
		out[host] = imagecheck.Credential{User: user, Token: token}
	}
	return out, nil
}

// ParseRegistryMirrors reads BOT_REGISTRY_MIRRORS: comma-separated
// HOST=URL, where URL is an http or https base URL without a path.
func ParseRegistryMirrors(s string) (map[string]*url.URL, error) {
	out := map[string]*url.URL{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for i, entry := range strings.Split(s, ",") {
		entry = strings.TrimSpace(entry)
		host, raw, ok := strings.Cut(entry, "=")
		host = strings.ToLower(strings.TrimSpace(host))
		if !ok {
			return nil, fmt.Errorf("entry %d is not HOST=URL (like docker.io=http://127.0.0.1:5000)", i+1)
		}
		if !slices.Contains(mirrorHosts, host) {
			return nil, fmt.Errorf("entry %d: %q is not one of %s", i+1, host, strings.Join(mirrorHosts, ", "))
		}
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("the mirror for %s must be an http or https base URL with no path, like http://127.0.0.1:5000", host)
		}
		if _, dup := out[host]; dup {
			return nil, fmt.Errorf("%s is given twice", host)
		}
		out[host] = &url.URL{Scheme: u.Scheme, Host: u.Host}
	}
	return out, nil
}

// baseURL checks an absolute http(s) URL and gives it a trailing slash, as
// slack-go and godo expect of a base.
func baseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("must be an absolute http or https URL, not %q", s)
	}
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
