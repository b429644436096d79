// Package golden compares test output with a file kept under testdata,
// and rewrites the file instead when the test runs with its -update flag.
package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// Check compares got with the file at path, naming what changed as what.
// With update it writes got to path instead and reports true.
func Check(t testing.TB, path, what string, got []byte, update bool) (updated bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return true
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s changed; run with -update if intended.\ngot:\n%s\nwant:\n%s", what, got, want)
	}
	return false
}
