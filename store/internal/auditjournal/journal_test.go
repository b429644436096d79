package auditjournal

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"dobot"
)

func rec(key string) Record {
	return Record{Key: key, UserID: "U1", ChannelID: "C1", SeenAt: time.Date(2026, 12, 3, 10, 0, 0, 123456789, time.UTC),
		Entry: dobot.AuditEntry{Time: time.Date(2026, 12, 3, 10, 0, 0, 123456789, time.UTC), UserID: "U1", Action: "status", Decision: "allowed", Outcome: "started", CommandText: "status <&>"}}
}

func openAt(t *testing.T, path string) (*File, []Record) {
	t.Helper()
	f, recs, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return f, recs
}

func TestRecordsSurviveAReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	f, recs := openAt(t, path)
	if len(recs) != 0 {
		t.Fatalf("new journal holds %d records", len(recs))
	}
	want := []Record{rec("cmd:1"), rec("cmd:2")}
	for _, r := range want {
		if err := f.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	// No Close: as after a crash of the process.
	_, got := openAt(t, path)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("reopened journal = %+v\nwant %+v", got, want)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("journal mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
}

func TestCutOrCorruptLastRecordIsDropped(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(b []byte) []byte
	}{
		{"cut in its body", func(b []byte) []byte { return b[:len(b)-5] }},
		{"cut in its header", func(b []byte) []byte { return b[:5] }},
		{"cut in half", func(b []byte) []byte { return b[:len(b)/2] }},
		{"bad checksum", func(b []byte) []byte { b[len(b)-2] ^= 0xff; return b }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "j")
			f, _ := openAt(t, path)
			if err := f.Append(rec("cmd:1")); err != nil {
				t.Fatal(err)
			}
			one := f.Size()
			if err := f.Append(rec("cmd:2")); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			second := tc.spoil(append([]byte(nil), b[one:]...))
			if err := os.WriteFile(path, append(b[:one:one], second...), 0o600); err != nil {
				t.Fatal(err)
			}
			g, got := openAt(t, path)
			if len(got) != 1 || got[0].Key != "cmd:1" {
				t.Fatalf("records = %+v; want only cmd:1", got)
			}
			// The spoilt tail is cut, so a new record reads back after it.
			if err := g.Append(rec("cmd:3")); err != nil {
				t.Fatal(err)
			}
			if _, got := openAt(t, path); len(got) != 2 || got[1].Key != "cmd:3" {
				t.Errorf("after appending past the dropped tail: %+v", got)
			}
		})
	}
}

func TestResetAndRewrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j")
	f, _ := openAt(t, path)
	for _, k := range []string{"cmd:1", "cmd:2", "cmd:3"} {
		if err := f.Append(rec(k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Rewrite([]Record{rec("cmd:3")}); err != nil {
		t.Fatal(err)
	}
	if err := f.Append(rec("cmd:4")); err != nil {
		t.Fatal(err)
	}
	if _, got := openAt(t, path); len(got) != 2 || got[0].Key != "cmd:3" || got[1].Key != "cmd:4" {
		t.Fatalf("after Rewrite: %+v; want cmd:3, cmd:4", got)
	}
	if err := f.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, got := openAt(t, path); len(got) != 0 {
		t.Fatalf("after Reset: %+v", got)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an empty journal is left behind after Close: %v", err)
	}
}

func TestJournalRefusesAKeyAlreadyPending(t *testing.T) {
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if err := j.Add(rec("cmd:1")); err != nil {
		t.Fatal(err)
	}
	if err := j.Add(rec("cmd:1")); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("second Add of one key = %v; want ErrDuplicate", err)
	}
	if got := j.Waiting(); len(got) != 1 {
		t.Fatalf("Waiting = %d records; want 1", len(got))
	}
	j.Committed(1)
	if j.Pending() != 0 || j.file.Size() != 0 {
		t.Fatalf("after Committed: %d pending, file %d bytes; want 0, 0", j.Pending(), j.file.Size())
	}
	// Committed, the key is the database's to refuse.
	if err := j.Add(rec("cmd:1")); err != nil {
		t.Errorf("Add after the key committed = %v", err)
	}
}

func TestCommitterCommitsAfterAnAdd(t *testing.T) {
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j"))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	commits := make(chan int, 4)
	detach := j.Attach(func() error {
		n := len(j.Waiting())
		j.Committed(n)
		commits <- n
		return nil
	})
	defer detach()
	if err := j.Add(rec("cmd:1")); err != nil {
		t.Fatal(err)
	}
	select {
	case n := <-commits:
		if n != 1 {
			t.Errorf("committed %d records; want 1", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no commit after an Add")
	}
}
