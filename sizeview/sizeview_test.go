package sizeview_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/digitalocean/godo"

	"dobot/reply"
	"dobot/sizeview"
)

type prices struct {
	apps     []*godo.AppInstanceSize
	droplets []godo.Size
	err      error
}

func (p prices) AppSizes(context.Context) ([]*godo.AppInstanceSize, error) { return p.apps, p.err }
func (p prices) DropletSizes(context.Context) ([]godo.Size, error)         { return p.droplets, p.err }

func TestParse(t *testing.T) {
	for in, want := range map[string]sizeview.Args{"": {}, "--droplet": {Droplet: true}} {
		if got, err := sizeview.Parse(strings.Fields(in)); err != nil || got != want {
			t.Errorf("parse(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	_, err := sizeview.Parse([]string{"big"})
	var ue *reply.UserError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `sizes takes only --droplet, not "big"`) {
		t.Errorf("parse(big) = %v; want a user error", err)
	}
}

func TestTable(t *testing.T) {
	p := prices{
		apps: []*godo.AppInstanceSize{
			{Slug: "apps-s-1vcpu-0.5gb", CPUs: "1", CPUType: godo.AppInstanceSizeCPUType_Shared, MemoryBytes: "536870912", USDPerMonth: "5.00", SingleInstanceOnly: true},
			{Slug: "apps-d-2vcpu-4gb", CPUs: "2", CPUType: godo.AppInstanceSizeCPUType_Dedicated, MemoryBytes: "4294967296", USDPerMonth: "78.50", DeprecationIntent: true},
		},
		droplets: []godo.Size{
			{Slug: "s-1vcpu-1gb", Vcpus: 1, Memory: 1024, Disk: 25, PriceMonthly: 6, Available: true},
			{Slug: "s-old", Vcpus: 1, Memory: 512, Disk: 20, PriceMonthly: 4},
		},
	}
	m, err := sizeview.Table(context.Background(), p, sizeview.Args{})
	want := "*App Platform instance sizes* (monthly price per instance)\n" +
		"• `apps-s-1vcpu-0.5gb` — 1 vCPU (shared), 512 MB — $5.00/month — one instance only\n" +
		"• `apps-d-2vcpu-4gb` — 2 vCPU (dedicated), 4 GB — $78.50/month — being retired\n"
	if err != nil || m.Text != want {
		t.Errorf("app sizes = %q, %v; want %q", m.Text, err, want)
	}
	m, err = sizeview.Table(context.Background(), p, sizeview.Args{Droplet: true})
	want = "*Droplet sizes* (monthly price)\n• `s-1vcpu-1gb` — 1 vCPU, 1024 MB, 25 GB disk — $6.00/month\n"
	if err != nil || m.Text != want {
		t.Errorf("droplet sizes = %q, %v; want %q", m.Text, err, want)
	}
	boom := errors.New("boom")
	if _, err := sizeview.Table(context.Background(), prices{err: boom}, sizeview.Args{}); !errors.Is(err, boom) {
		t.Errorf("error = %v; want boom", err)
	}
}

func TestMemText(t *testing.T) {
	for in, want := range map[string]string{"536870912": "512 MB", "1073741824": "1 GB", "1610612736": "1.5 GB", "x": "x bytes", "0": "0 bytes"} {
		if got := sizeview.MemText(in); got != want {
			t.Errorf("MemText(%q) = %q; want %q", in, got, want)
		}
	}
	if got := sizeview.Money(1205); got != "$12.05" {
		t.Errorf("Money(1205) = %q", got)
	}
}
