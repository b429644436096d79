// Package auditkey reads, generates and checks the key of the audit
// chain's HMAC. The key lives only in memory and in its file (or
// BOT_AUDIT_KEY), never in the database.
package auditkey

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MinLen is the shortest BOT_AUDIT_KEY accepted: 32 characters, as
// many as a generated key file holds random bytes.
const MinLen = 32

// Check says why key cannot key the audit chain, without quoting it.
func Check(key []byte) error {
	if len(key) < MinLen {
		return fmt.Errorf("the audit key is %d characters; use at least %d random ones (for example `openssl rand -hex 32`)", len(key), MinLen)
	}
	return nil
}

// Path is where the bot keeps a generated audit key: beside the
// database, so a backup of the directory is one of the database with its key
// (see README: whoever holds both can rewrite the trail).
func Path(dbPath string) string { return dbPath + ".auditkey" }

// ReadFile reads a key file written by the bot. It refuses a file
// that others can read, because the key is what stops them rewriting the
// trail. A missing file is reported with fs.ErrNotExist.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read audit key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read audit key file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("audit key file %s can be read by others (mode %#o); run chmod 600 on it", path, st.Mode().Perm())
	}
	buf := make([]byte, 1024)
	n, err := f.Read(buf)
	if err != nil {
		return nil, fmt.Errorf("read audit key file %s: %w", path, err)
	}
	key := []byte(strings.TrimSpace(string(buf[:n])))
	if err := Check(key); err != nil {
		return nil, fmt.Errorf("audit key file %s: %w", path, err)
	}
	return key, nil
}

// LoadOrCreate returns the key in path, first writing a new random
// one there when the file does not exist. The file holds 64 hex digits, so
// its content can be copied into BOT_AUDIT_KEY as it is. The key is written
// to a temporary file and linked into place, so a process starting at the
// same moment sees either no file or the whole key, and the loser of that
// race reads the winner's key.
func LoadOrCreate(path string) (key []byte, created bool, err error) {
	if key, err := ReadFile(path); !errors.Is(err, fs.ErrNotExist) {
		return key, false, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, false, fmt.Errorf("generate audit key: %w", err)
	}
	key = []byte(hex.EncodeToString(raw))
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, false, fmt.Errorf("create audit key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600 already; set it outright anyway so the
	// mode never depends on the umask the process inherited.
	_, werr := tmp.Write(append(key, '\n'))
	if err := errors.Join(tmp.Chmod(0o600), werr, tmp.Sync(), tmp.Close()); err != nil {
		return nil, false, fmt.Errorf("write audit key file %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		key, err := ReadFile(path)
		return key, false, err
	} else if err != nil {
		return nil, false, fmt.Errorf("create audit key file %s: %w", path, err)
	}
	return key, true, nil
}

// Derive returns a 32-byte key for purpose, derived from key with
// HMAC-SHA-256, so the bot needs one secret (BOT_AUDIT_KEY or its key file)
// and never stores a second one. Keys for different purposes are unrelated
// to each other and reveal nothing of the audit key.
func Derive(key []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("dobot derived key: " + purpose))
	return mac.Sum(nil)
}
