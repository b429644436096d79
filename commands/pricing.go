package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"dobot/cmdline"
	"dobot/docloud"
)

// money writes cents as dollars.
func money(c int64) string {
	return fmt.Sprintf("$%d.%02d", c/100, c%100)
}

// SizesArgs are sizes's parsed arguments.
type SizesArgs struct{ Droplet bool }

var sizesCommand = &Command{
	Name:        "sizes",
	Usage:       "sizes [--droplet]",
	Description: "List App Platform instance sizes with their monthly price; --droplet lists droplet sizes.",
	Examples:    []string{"sizes", "sizes --droplet"},
	MinRole:     0, // prices are public
	Parse: func(words []string, _ Config) (any, error) {
		fs := cmdline.NewFlagSet("sizes")
		droplet := fs.Bool("droplet", false, "")
		pos, err := cmdline.ParseFlags(fs, words)
		if err != nil {
			return nil, err
		}
		if len(pos) > 0 {
			return nil, userErrorf("sizes takes only --droplet, not %q", strings.Join(pos, " "))
		}
		return SizesArgs{Droplet: *droplet}, nil
	},
	Run: func(ctx context.Context, b *Bot, inv *Invocation) error {
		var sb strings.Builder
		args, err := argsOf[SizesArgs](inv)
		if err != nil {
			return err
		}
		if args.Droplet {
			sizes, err := b.plan.DropletSizes(ctx)
			if err != nil {
				return err
			}
			sb.WriteString("*Droplet sizes* (monthly price)\n")
			for _, s := range sizes {
				if !s.Available {
					continue
				}
				fmt.Fprintf(&sb, "• `%s` — %d vCPU, %d MB, %d GB disk — %s/month\n", s.Slug, s.Vcpus, s.Memory, s.Disk, money(docloud.DollarsToCents(s.PriceMonthly)))
			}
		} else {
			sizes, err := b.plan.AppSizes(ctx)
			if err != nil {
				return err
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
				fmt.Fprintf(&sb, "• `%s` — %s vCPU (%s), %s — %s/month%s\n", s.Slug, s.CPUs, strings.ToLower(string(s.CPUType)), memText(s.MemoryBytes), money(docloud.Cents(s.USDPerMonth)), extra)
			}
		}
		b.tell(ctx, inv.Req, infoMessage(sb.String()))
		return nil
	},
}

func memText(bytes string) string {
	n, err := strconv.ParseInt(bytes, 10, 64)
	if err != nil || n <= 0 {
		return bytes + " bytes"
	}
	if n >= 1<<30 {
		return fmt.Sprintf("%g GB", float64(n)/(1<<30))
	}
	return fmt.Sprintf("%d MB", n>>20)
}
