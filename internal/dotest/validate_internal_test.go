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
		if _, got := gapFor("droplets_create", tt.finding, nil); got != tt.want {
			t.Errorf("gapFor(%q) = %v; want %v", tt.finding, got, tt.want)
		}
	}
}

// The projects gap excuses app URNs only: anything else off the pattern is
// still a violation.
func TestOnlyAppURNs(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"resources":["do:app:1","do:droplet:2"]}`, true},
		{`{"resources":[{"urn":"do:app:x","status":"assigned"}]}`, true},
		{`{"resources":["app:1"]}`, false},
		{`{"resources":["do:app:"]}`, false},
		{`{"resources":["do:app:1","do:bogus:2"]}`, false},
		{`not json`, false},
	}
	for _, tt := range tests {
		if got := onlyAppURNs([]byte(tt.body)); got != tt.want {
			t.Errorf("onlyAppURNs(%s) = %v; want %v", tt.body, got, tt.want)
		}
	}
	finding := `request: body: Error at "/resources/0": string doesn't match the regular expression "^do:(dbaas|domain|droplet|floatingip|loadbalancer|space|volume|kubernetes|vpc):.*"`
	if _, ok := gapFor("projects_assign_resources", finding, []byte(`{"resources":["do:app:1"]}`)); !ok {
		t.Error("an app URN is not excused")
	}
	if _, ok := gapFor("projects_assign_resources", finding, []byte(`{"resources":["app:1"]}`)); ok {
		t.Error("a malformed URN is excused")
	}
}
