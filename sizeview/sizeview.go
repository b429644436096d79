// Package sizeview answers /do sizes: App Platform's instance sizes, or
// with --droplet the droplet sizes, each with its monthly price, as one
// neutral message. It also words money and memory the way the other
// answers quote them.
package sizeview

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"dobot"

	"github.com/digitalocean/godo"

	"dobot/chat"
	"dobot/cmdline"
	"dobot/docloud"
	"dobot/reply"
)

// Args are sizes's parsed arguments.
type Args struct{ Droplet bool }

// Parse reads /do sizes's words: only --droplet.
func Parse(words []string) (Args, error) {
	fs := cmdline.NewFlagSet("sizes")
	droplet := fs.Bool("droplet", false, "")
	pos, err := cmdline.ParseFlags(fs, words)
	if err != nil {
		return Args{}, err
	}
	if len(pos) > 0 {
		return Args{}, reply.Errorf("sizes takes only --droplet, not %q", strings.Join(pos, " "))
	}
	return Args{Droplet: *droplet}, nil
}

// Prices are the size lists, with their prices (plan.Planner's).
type Prices interface {
	AppSizes(ctx context.Context) ([]*godo.AppInstanceSize, error)
	DropletSizes(ctx context.Context) ([]godo.Size, error)
}

// Table is the sizes args ask for as one message: droplet sizes that are
// available, or every App Platform instance size with its limits.
func Table(ctx context.Context, p Prices, args Args) (chat.Message, error) {
	var sb strings.Builder
	if args.Droplet {
		sizes, err := p.DropletSizes(ctx)
		if err != nil {
			return chat.Message{}, err
		}
		sb.WriteString("*Droplet sizes* (monthly price)\n")
		for _, s := range sizes {
			if !s.Available {
				continue
			}
			fmt.Fprintf(&sb, "• `%s` — %d vCPU, %d MB, %d GB disk — %s/month\n", s.Slug, s.Vcpus, s.Memory, s.Disk, Money(docloud.DollarsToCents(s.PriceMonthly)))
		}
		return chat.Message{Text: sb.String()}, nil
	}
	sizes, err := p.AppSizes(ctx)
	if err != nil {
		return chat.Message{}, err
	}
	sb.WriteString("*App Platform instance sizes* (monthly price per instance)\n")
	for _, s := range sizes {
		extra := ""
		if s.SingleInstanceOnly {
			extra += " — one instance only"
		}
		if s.DeprecationIntent {
			extra += " — being retired"
		}
		fmt.Fprintf(&sb, "• `%s` — %s vCPU (%s), %s — %s/month%s\n", s.Slug, s.CPUs, strings.ToLower(string(s.CPUType)), MemText(s.MemoryBytes), Money(docloud.Cents(s.USDPerMonth)), extra)
	}
	return chat.Message{Text: sb.String()}, nil
}

// Money writes cents as dollars: $12.00.
func Money(c int64) string { return dobot.Money(c) }

// MemText writes App Platform's memory size (bytes, as text) as MB or GB.
func MemText(bytes string) string {
	n, err := strconv.ParseInt(bytes, 10, 64)
	if err != nil || n <= 0 {
		return bytes + " bytes"
	}
	if n >= 1<<30 {
		return fmt.Sprintf("%g GB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MB", n>>20)
}
