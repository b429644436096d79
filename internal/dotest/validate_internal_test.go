package dotest

import "testing"

// TestStrictGap checks that an excused clause cannot hide another clause
// that kin-openapi folds into the same finding.
func TestStrictGap(t *testing.T) {
	const nbw = `Error at "/droplet/next_backup_window": doesn't match schema due to: Value is not nullable`
	tests := []struct {
		finding string
		want    bool
	}{
		{`response 200: response body doesn't match schema: ` + nbw, true},
		{`response 202: response body doesn't match schema: doesn't match schema due to: ` + nbw + ` Or Error at "/droplets": property "droplets" is missing`, true},
		{`response 202: response body doesn't match schema: doesn't match schema due to: ` + nbw + ` | Error at "/droplet/status": value is not one of the allowed values Or Error at "/droplets": property "droplets" is missing`, false},
	}
	for _, tt := range tests {
		if _, got := gapFor("droplets_create", tt.finding); got != tt.want {
			t.Errorf("gapFor(%q) = %v; want %v", tt.finding, got, tt.want)
		}
	}
}
