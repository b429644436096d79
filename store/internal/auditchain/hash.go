// Package auditchain is the audit chain's rules: how a row is hashed (keyed,
// or the plain SHA-256 of rows from before the key), and the read-only,
// streaming check of a whole trail that `bot audit verify` runs. The store
// appends rows with Hash and verifies with Verify; the SQL both run is
// written once, for either dialect (sqldb).
//
// How the audit chain is keyed, and how databases from before the key
// upgrade (the one rule verify and the store's Open share):
//
//   - Every row's hash is HMAC-SHA-256 under the audit key of its id, its
//     fields and the previous row's hash ("v2"). Without the key nobody can
//     compute a hash that verifies.
//   - Rows written before the chain was keyed carry a plain SHA-256 ("v1",
//     no id). They may only form the start of the chain: the first time a
//     keyed store opens such a database, it appends an "audit.keyed" row whose
//     keyed hash covers the last unkeyed row's hash, and with it the whole
//     unkeyed span. Verify still checks the unkeyed span and reports it.
//   - So verify fails on a plain-SHA row after a keyed one, and on a chain
//     whose unkeyed rows no keyed row follows: that is either a database no
//     keyed bot has opened yet, or one an attacker rehashed from the start.
package auditchain

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"hash"
	"strconv"

	"dobot"
)

// Columns are the audit table's columns in the order ScanRaw reads them.
const Columns = `id, time, user_id, user_name, channel, command_text, action,
	target, decision, outcome, error, details, prev_hash, hash, instance`

// ScanRaw reads one row of Columns, keeping the stored time text the hash
// covers: verify must judge the bytes as stored, and an unreadable time is
// a fault in that row, not a reason to stop. e.Time is left zero: nothing
// that reads rows this way needs it, and parsing a million times would cost
// verify a tenth of its time.
func ScanRaw(s interface{ Scan(dest ...any) error }) (e dobot.AuditEntry, at string, err error) {
	err = s.Scan(&e.ID, &at, &e.UserID, &e.UserName, &e.Channel, &e.CommandText, &e.Action,
		&e.Target, &e.Decision, &e.Outcome, &e.Error, &e.Details, &e.PrevHash, &e.Hash, &e.Instance)
	if err != nil {
		return dobot.AuditEntry{}, "", err
	}
	return e, at, nil
}

// Hash is the hex HMAC-SHA-256, under key, of the row's id, its stored
// time text and every other field except Hash, the previous row's hash
// included. Each field goes in with its length first, so no two sets of
// values encode alike; the leading version keeps the encodings apart. A
// row with an Instance is hashed as "dobot audit v3", which covers it; a
// row without one as "dobot audit v2", the encoding from before instances
// were recorded, so chains written then still verify. Verify accepts v2
// only for rows whose instance is empty, so an instance cannot be added to
// or changed on a v2 row unnoticed.
func Hash(key []byte, id int64, at string, e dobot.AuditEntry) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(appendFields(make([]byte, 0, 512), id, at, e))
	return hex.EncodeToString(mac.Sum(nil))
}

// appendFields appends to buf what Hash hashes: the version, the id, the
// time text and the fields, each led by its length.
func appendFields(buf []byte, id int64, at string, e dobot.AuditEntry) []byte {
	version := "dobot audit v2"
	if e.Instance != "" {
		version = "dobot audit v3"
	}
	var num [20]byte
	buf = appendField(buf, version)
	buf = appendField(buf, strconv.AppendInt(num[:0], id, 10))
	for _, f := range [...]string{at, e.UserID, e.UserName, e.Channel, e.CommandText, e.Action,
		e.Target, e.Decision, e.Outcome, e.Error, e.Details, e.PrevHash} {
		buf = appendField(buf, f)
	}
	if e.Instance != "" {
		buf = appendField(buf, e.Instance)
	}
	return buf
}

func appendField[T string | []byte](buf []byte, f T) []byte {
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(f)))
	return append(buf, f...)
}

// LegacyHash is the plain SHA-256 that chained the rows written before the
// chain was keyed: the fields as a JSON array of strings led by "v1", no
// id. Anyone can compute it, which is why verify accepts it only at the
// start of the chain (see the package comment).
func LegacyHash(at string, e dobot.AuditEntry) string {
	fields := []string{"v1", at,
		e.UserID, e.UserName, e.Channel, e.CommandText, e.Action,
		e.Target, e.Decision, e.Outcome, e.Error, e.Details,
		e.PrevHash}
	// Marshalling a []string cannot fail.
	b, _ := json.Marshal(fields)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Hasher checks keyed audit hashes without allocating: verify computes a
// million of them.
type Hasher struct {
	mac hash.Hash
	buf []byte
	sum [sha256.Size]byte
	hex [2 * sha256.Size]byte
}

// NewHasher returns a Hasher under key.
func NewHasher(key []byte) *Hasher {
	return &Hasher{mac: hmac.New(sha256.New, key), buf: make([]byte, 0, 1024)}
}

// Matches reports whether e.Hash is Hash of the row under the Hasher's key.
func (h *Hasher) Matches(id int64, at string, e *dobot.AuditEntry) bool {
	h.buf = appendFields(h.buf[:0], id, at, *e)
	h.mac.Reset()
	h.mac.Write(h.buf)
	hex.Encode(h.hex[:], h.mac.Sum(h.sum[:0]))
	return string(h.hex[:]) == e.Hash
}

// Unkeyed reports whether the row is an intact one from before the key: a
// plain SHA-256 over its fields, and no instance (v1 predates instances).
func Unkeyed(at string, e dobot.AuditEntry) bool {
	return e.Instance == "" && LegacyHash(at, e) == e.Hash
}
