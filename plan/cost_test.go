package plan_test

import (
	"context"
	"errors"
	"testing"

	"dobot"
	"dobot/plan"
)

func TestCostApproval(t *testing.T) {
	limit := func(cents int64) func(context.Context, string, string) (dobot.Policy, error) {
		return func(_ context.Context, action, _ string) (dobot.Policy, error) {
			return dobot.Policy{Action: action, ApprovalAboveCents: cents}, nil
		}
	}
	tests := []struct {
		name   string
		action string
		cents  int64
		limit  int64
		want   bool
	}{
		{"above the limit", "launch", 5001, 5000, true},
		{"at the limit", "launch", 5000, 5000, false},
		{"no limit", "scale", 9900, 0, false},
		{"price unknown", "redeploy", 0, 100, false},
		{"no price to weigh", "teardown", 9900, 100, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &plan.Plan{Op: dobot.Operation{Action: tt.action, App: "web"}, MonthlyCents: tt.cents}
			f, ok, err := p.CostApproval(context.Background(), limit(tt.limit))
			if err != nil || ok != tt.want {
				t.Fatalf("CostApproval = %v, %v, %v; want %v", f, ok, err, tt.want)
			}
			if ok && f.Value != "$50.01/month is above the $50.00/month limit of the launch policy" {
				t.Errorf("CostApproval field = %q", f.Value)
			}
		})
	}
	boom := errors.New("boom")
	p := &plan.Plan{Op: dobot.Operation{Action: "launch"}, MonthlyCents: 1}
	if _, _, err := p.CostApproval(context.Background(), func(context.Context, string, string) (dobot.Policy, error) { return dobot.Policy{}, boom }); !errors.Is(err, boom) {
		t.Errorf("CostApproval with a failing policy lookup: err = %v; want boom", err)
	}
}
