package auditkey

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadFileRefusesOpenModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if err := os.WriteFile(path, []byte(strings.Repeat("a", 64)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("ReadFile(0644) = %v; want a refusal telling to chmod 600", err)
	}
}
