package store

import "dobot/store/internal/auditkey"

// MinAuditKeyLen is the shortest BOT_AUDIT_KEY accepted: 32 characters, as
// many as a generated key file holds random bytes.
const MinAuditKeyLen = auditkey.MinLen

// CheckAuditKey says why key cannot key the audit chain, without quoting it.
func CheckAuditKey(key []byte) error { return auditkey.Check(key) }

// AuditKeyPath is where the bot keeps a generated audit key: beside the
// database (see auditkey.Path).
func AuditKeyPath(dbPath string) string { return auditkey.Path(dbPath) }

// ReadAuditKeyFile reads a key file written by the bot, refusing one that
// others can read; a missing file is reported with fs.ErrNotExist.
func ReadAuditKeyFile(path string) ([]byte, error) { return auditkey.ReadFile(path) }

// DeriveKey returns a 32-byte key for purpose, derived from the audit key,
// so the bot needs one secret and never stores a second one.
func (db *DB) DeriveKey(purpose string) []byte { return auditkey.Derive(db.auditKey, purpose) }
