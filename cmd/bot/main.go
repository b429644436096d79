// Command bot is dobot: a Slack Socket Mode bot that launches, watches and
// tears down DigitalOcean apps. main only wires the packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"dobot/internal/config"
	"dobot/internal/health"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		// The bot itself has logged its error, with its instance, as its
		// last log line; a plain line after it would be the one line of
		// its log without the instance. The other commands are a person's
		// tools and say what failed plainly.
		if !errors.As(err, new(*loggedError)) {
			fmt.Fprintln(os.Stderr, "dobot:", err)
		}
		os.Exit(exitCode(err))
	}
}

// loggedError is an error the bot has already written to its log.
type loggedError struct{ err error }

func (e *loggedError) Error() string { return e.err.Error() }
func (e *loggedError) Unwrap() error { return e.err }

// exitError gives an error its own exit status. Errors without one exit 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError is a command used wrongly or unable to run: exit status 2, as
// `bot audit verify` keeps 1 for a trail that is not intact.
func usageError(err error) error { return &exitError{code: 2, err: err} }

// exitCode is the process exit status for err.
func exitCode(err error) int {
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return 1
}

// run is the whole program, with its environment passed in so that tests can
// start the bot in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return serve(ctx, getenv, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, getenv, stderr)
	case "console":
		return consoleCommand(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "audit":
		return auditCommand(ctx, args[1:], getenv, stdout, stderr)
	case "store":
		return storeCommand(ctx, args[1:], getenv, stdout)
	case "healthcheck":
		return healthcheck(ctx, getenv, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

// healthcheck probes the bot's /healthz. With BOT_HTTP_ADDR=off the bot
// serves none, so there is nothing to probe: that is a failure the
// container's HEALTHCHECK must show, with a line saying why.
func healthcheck(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	addr := strings.TrimSpace(getenv("BOT_HTTP_ADDR"))
	if addr == "off" {
		return errors.New("health checks are off (BOT_HTTP_ADDR=off): the bot serves no /healthz to probe; set BOT_HTTP_ADDR to an address, or remove the HEALTHCHECK")
	}
	if addr == "" {
		addr = config.DefaultHTTPAddr
	}
	if err := health.Probe(ctx, health.URL(addr)); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "healthy")
	return nil
}

const usage = `usage:
  bot                 run the bot (reads its settings from the environment; see README.md)
  bot serve           the same
  bot console         type /do commands in a terminal, without Slack; simulates DigitalOcean when no token is set
  bot healthcheck     probe /healthz on BOT_HTTP_ADDR (the container's HEALTHCHECK); fails when it is off
  bot audit verify [--head ID:HASH]
                      check the audit trail's keyed hash chain, read-only; --head takes
                      the "#ID · HASH" of the latest audit channel line. Exit 0 intact,
                      1 broken (naming the first bad row), 2 could not check
  bot audit export --format csv|json [--since 24h|7d]
  bot store copy --from dobot.db --to postgres://…
                      copy every row into a new, empty store (SQLite file or PostgreSQL URL),
                      keeping the audit chain's ids and hashes; refuses a target with rows
`
