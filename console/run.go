package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"dobot"
	"dobot/commands"
)

// Bot is what the console drives: commands.Bot.
type Bot interface {
	Handle(ctx context.Context, req commands.Request)
	HandleClick(ctx context.Context, c commands.Click)
}

// Help is the console's own commands, as /help shows them.
const Help = `console commands:
  /do COMMAND …     run a bot command, as in Slack (/do help lists them)
  N  or  /click N   click the button numbered [N]
  /as USER          act as another user from now on, e.g. /as U0456 (a second person for approvals)
  /as               say who you are
  /form launch      open the launch form; it asks its fields one line at a time
  /home             show your home page (Slack's Home tab)
  /sim push NAME    (simulated DigitalOcean) deploy NAME as a push to its repository would, outside the bot;
                    /sim manual NAME as the control panel or doctl would; add --fail build|deploy to fail it
  /wait [DURATION]  wait until running operations finish (default: the --wait limit)
  /help             this list
  /quit             end (as does end of input): running operations are waited for first
  # …               a comment, ignored
`

// kind is what a typed line asks for.
type kind int

const (
	kindNone  kind = iota // empty line or comment
	kindDo                // /do …
	kindClick             // N or /click N
	kindAs                // /as [USER]
	kindWait              // /wait [DURATION]
	kindHelp              // /help
	kindQuit              // /quit, /exit
	kindForm              // /form NAME
	kindHome              // /home
	kindSim               // /sim …
)

// input is one parsed line.
type input struct {
	kind   kind
	text   string        // kindDo: everything after "/do"; kindAs: the user id, or ""
	choice int           // kindClick
	wait   time.Duration // kindWait: 0 for the console's limit
}

// ParseUser reads a user id as /as and --as take it: U0456, u0456 or
// @U0456.
func ParseUser(s string) (string, error) {
	id := strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(s), "@"))
	if !dobot.IsUserID(id) {
		return "", fmt.Errorf("needs a Slack-style user id like U0456 (U or W, then letters and digits), not %q", s)
	}
	return id, nil
}

// errInput is a line the console cannot make sense of; its text says what
// to type instead.
type errInput struct{ msg string }

func (e *errInput) Error() string { return e.msg }

func inputErrorf(format string, a ...any) error { return &errInput{fmt.Sprintf(format, a...)} }

// parseLine reads one typed line. It is pure: it never touches the bot.
func parseLine(line string) (input, error) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return input{}, nil
	}
	if n, err := strconv.Atoi(line); err == nil {
		if n <= 0 {
			return input{}, inputErrorf("choices are numbered from 1; %q is not one", line)
		}
		return input{kind: kindClick, choice: n}, nil
	}
	word, rest := line, ""
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		word, rest = line[:i], strings.TrimSpace(line[i:])
	}
	switch strings.ToLower(word) {
	case "/do":
		return input{kind: kindDo, text: rest}, nil
	case "/click":
		n, err := strconv.Atoi(rest)
		if err != nil || n <= 0 {
			return input{}, inputErrorf("/click needs a choice number, like /click 1 (the numbers in [brackets] under a message)")
		}
		return input{kind: kindClick, choice: n}, nil
	case "/as":
		if rest == "" {
			return input{kind: kindAs}, nil
		}
		id, err := ParseUser(rest)
		if err != nil {
			return input{}, &errInput{"/as " + err.Error()}
		}
		return input{kind: kindAs, text: id}, nil
	case "/wait":
		if rest == "" {
			return input{kind: kindWait}, nil
		}
		d, err := dobot.ParseDuration(rest)
		if err != nil || d <= 0 {
			return input{}, inputErrorf("/wait takes a duration like 30s or 5m, not %q", rest)
		}
		return input{kind: kindWait, wait: d}, nil
	case "/form":
		if !strings.EqualFold(rest, "launch") {
			return input{}, inputErrorf("/form takes the form's name: /form launch")
		}
		return input{kind: kindForm, text: "launch --form"}, nil
	case "/home":
		return input{kind: kindHome}, nil
	case "/sim":
		return input{kind: kindSim, text: rest}, nil
	case "/help", "/?":
		return input{kind: kindHelp}, nil
	case "/quit", "/exit":
		return input{kind: kindQuit}, nil
	}
	if strings.HasPrefix(word, "/") {
		return input{}, inputErrorf("%s is not a console command: type /do COMMAND for the bot, or /help", word)
	}
	return input{}, inputErrorf("type /do %s to run it as a bot command (/help lists the console's commands)", line)
}

// Run reads lines from in and acts on them until in ends, /quit, or ctx
// ends. At the end of input it waits, up to the Wait limit, for the
// operations still running; when ctx ends it stops at once, and they
// resume at the next start. Each line is handled to the end of its
// synchronous part before the next is read, so a script runs in order.
func (c *Console) Run(ctx context.Context, in io.Reader, bot Bot) error {
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
		close(lines)
	}()

	c.showPrompt()
	var fenced []string // the lines of a /do command whose code block is open
	for {
		var line string
		var open bool
		select {
		case <-ctx.Done():
			c.say("interrupted: running operations resume at the next start")
			return nil
		case line, open = <-lines:
		}
		if !open {
			if err := <-readErr; err != nil {
				return fmt.Errorf("read input: %w", err)
			}
			return c.finish(ctx)
		}
		if c.formLine(ctx, bot, line) {
			c.showPrompt()
			continue
		}
		c.echo(line)
		var texts []string
		// A code block goes on until its closing fence.
		fenced, texts = fence(fenced, line)
		for _, text := range texts {
			if c.handleLine(ctx, bot, text) {
				return c.finish(ctx)
			}
		}
	}
}

// handleLine acts on one typed command (a line, or the lines of a code
// block) and reports whether it was /quit.
func (c *Console) handleLine(ctx context.Context, bot Bot, line string) (quit bool) {
	in, err := parseLine(line)
	if err != nil {
		c.say(err.Error())
		c.showPrompt()
		return false
	}
	if in.kind == kindQuit {
		return true
	}
	c.do(ctx, bot, in)
	c.showPrompt()
	return false
}

// do acts on one parsed line.
func (c *Console) do(ctx context.Context, bot Bot, in input) {
	switch in.kind {
	case kindDo, kindForm:
		ref, user := c.nextRef()
		bot.Handle(ctx, commands.Request{Ref: ref, UserID: user, UserName: user, ChannelID: c.opts.Channel,
			Text: in.text, ResponseURL: responseURL(user, ref), TriggerID: formTrigger})
	case kindHome:
		c.home(ctx, bot)
	case kindSim:
		c.sim(ctx, in.text)
	case kindClick:
		c.click(ctx, bot, in.choice)
	case kindAs:
		if in.text != "" {
			c.mu.Lock()
			c.user = in.text
			c.mu.Unlock()
		}
		c.whoami(ctx)
	case kindWait:
		limit := in.wait
		if limit == 0 {
			limit = c.opts.Wait
		}
		c.wait(ctx, limit, "")
	case kindHelp:
		c.mu.Lock()
		c.print(Help)
		c.mu.Unlock()
	}
}

// click presses a numbered button as the current user, through the same
// Bot.HandleClick as a Slack click.
func (c *Console) click(ctx context.Context, bot Bot, n int) {
	c.mu.Lock()
	ch, ok := c.choices[n]
	var known []int
	if !ok {
		known = slices.Sorted(maps.Keys(c.choices))
	}
	c.mu.Unlock()
	if !ok {
		if len(known) == 0 {
			c.say(fmt.Sprintf("there is no choice %d: no message shows buttons now", n))
		} else {
			c.say(fmt.Sprintf("there is no choice %d (its message may have changed); choices now: %s", n, strings.Trim(fmt.Sprint(known), "[]")))
		}
		return
	}
	if ch.home {
		c.viewClick(ctx, bot, ch)
		return
	}
	ref, user := c.nextRef()
	bot.HandleClick(ctx, commands.Click{Ref: ref, UserID: user, UserName: user, ChannelID: ch.channel, MessageTS: ch.ts,
		ActionID: ch.button.ActionID, Value: ch.button.Value, ResponseURL: responseURL(user, ref), TriggerID: formTrigger})
}

// whoami says who types now, and their role.
func (c *Console) whoami(ctx context.Context) {
	c.mu.Lock()
	user := c.user
	c.mu.Unlock()
	role, err := c.opts.Store.Role(ctx, user)
	switch {
	case err != nil:
		c.say(fmt.Sprintf("you are %s (role unknown: %v)", user, err))
	case role == dobot.RoleNone:
		c.say(fmt.Sprintf("you are %s, with no role (an admin can run /do grant @%s ROLE)", user, user))
	default:
		c.say(fmt.Sprintf("you are %s (%s)", user, role))
	}
}

// finish ends the session, waiting for running operations first.
func (c *Console) finish(ctx context.Context) error {
	c.mu.Lock()
	c.promptShown = false
	c.mu.Unlock()
	c.wait(ctx, c.opts.Wait, "end of input: ")
	return nil
}

// wait waits for running operations, saying what it waits for and, at the
// limit, what is still running.
func (c *Console) wait(ctx context.Context, limit time.Duration, why string) {
	n, _ := c.ops.state()
	running, err := c.running(ctx)
	if err != nil {
		c.say(err.Error())
		return
	}
	if n <= 0 && len(running) == 0 {
		if why == "" {
			c.say("no operations are running")
		}
		return
	}
	c.say(fmt.Sprintf("%swaiting up to %s for %s to finish (Ctrl-C stops waiting; operations resume at the next start)",
		why, limit, plural(max(n, len(running)), "running operation", "running operations")))
	still, err := c.waitOps(ctx, limit)
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		c.say("stopped waiting: running operations resume at the next start")
	case err != nil:
		c.say(err.Error())
	case len(still) > 0:
		c.say(fmt.Sprintf("still running after %s: %s; they resume at the next start (or wait longer with --wait)", limit, opList(still)))
	case why == "":
		c.say("all operations finished")
	}
}

// nextRef numbers a request or click, and says who makes it.
func (c *Console) nextRef() (ref, user string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refs++
	return fmt.Sprintf("console-%d", c.refs), c.user
}

// responseURL is a console response URL: it names the person answered.
func responseURL(user, ref string) string { return "console://" + user + "/" + ref }

// say prints a line from the console itself.
func (c *Console) say(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.print(block("(console) ", "          ", splitLines(text)))
}

// echo repeats a piped line after the prompt, so that the output of a
// script reads as a transcript.
func (c *Console) echo(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.promptShown = false
	if !c.opts.Interactive && strings.TrimSpace(line) != "" {
		_, _ = io.WriteString(c.out, c.prompt()+line+"\n")
	}
}

// showPrompt prints the prompt for a person at a terminal.
func (c *Console) showPrompt() {
	if !c.opts.Interactive {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_, _ = io.WriteString(c.out, c.prompt())
	c.promptShown = true
}
