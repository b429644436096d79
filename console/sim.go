package console

import (
	"context"
	"strings"
)

// fence gathers the lines of a /do command that opens a Markdown code
// block, as `/do launch --spec` followed by a pasted spec does: the lines
// up to the closing fence belong to the same command, and so does a block
// opened on the line after a /do line that ends in --spec. It returns the
// lines still pending and the commands complete so far, in order.
func fence(pending []string, line string) (next, texts []string) {
	if len(pending) == 0 {
		t := strings.ToLower(strings.TrimSpace(line))
		if !strings.HasPrefix(t, "/do") {
			return nil, []string{line}
		}
		if strings.Count(line, "```")%2 == 0 && !(strings.HasSuffix(t, "--spec") && !strings.Contains(t, "```")) {
			return nil, []string{line}
		}
		return []string{line}, nil
	}
	if len(pending) == 1 && !strings.Contains(pending[0], "```") && !strings.HasPrefix(strings.TrimSpace(line), "```") {
		// "--spec" was not followed by a block: two commands.
		next, rest := fence(nil, line)
		return next, append([]string{pending[0]}, rest...)
	}
	pending = append(pending, line)
	joined := strings.Join(pending, "\n")
	if strings.Count(joined, "```")%2 == 1 || !strings.Contains(joined, "```") {
		return pending, nil
	}
	return nil, []string{joined}
}

// sim runs /sim through Options.Sim.
func (c *Console) sim(ctx context.Context, text string) {
	if c.opts.Sim == nil {
		c.say("/sim works only with the simulated DigitalOcean (start the console without DO_API_TOKEN)")
		return
	}
	msg, err := c.opts.Sim(ctx, text)
	if err != nil {
		c.say("/sim: " + err.Error())
		return
	}
	c.say(msg)
}
