// Package auditjournal is the file beside a SQLite database that holds the
// audit rows of read-only commands between their answer and their commit.
//
// A row is written to the journal with one write(2) before the command
// answers, so a process crash after the answer still leaves the row: the
// kernel has it, as it has a SQLite commit under synchronous=NORMAL. The
// store commits journaled rows to the audit table in batches and then
// empties the file; at the next open it commits whatever a crash left.
//
// Each record is a 4-byte big-endian length, a 4-byte CRC-32C of the body,
// and the body, JSON. Reading stops at the first record that is cut short
// or fails its CRC: only a write cut by a power loss leaves one, and it
// can only be the last.
package auditjournal

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"time"

	"dobot"
)

// Record is one journaled command: its envelope's claim and its audit row.
type Record struct {
	// Key is the envelope's de-duplication key (store.WithEnvelope).
	Key string `json:"key"`
	// ResponseURLHash is the hash the store keeps of the envelope's
	// response_url ("" for none); the URL itself is never written here.
	ResponseURLHash string    `json:"response_url_hash,omitempty"`
	UserID          string    `json:"user_id,omitempty"`
	ChannelID       string    `json:"channel_id,omitempty"`
	SeenAt          time.Time `json:"seen_at"`
	// Entry is the audit row as it will be appended, with Time and
	// Instance set; the store gives it its id and hashes at commit.
	Entry dobot.AuditEntry `json:"entry"`
}

// maxRecord bounds one record's body: a command's text is capped far
// below it, so anything larger is a corrupt length.
const maxRecord = 1 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Path is the journal's file beside the SQLite database at dbPath.
func Path(dbPath string) string { return dbPath + ".audit-journal" }

// File is an open journal. It is not safe for concurrent use: the store
// serialises its calls.
type File struct {
	path string
	f    *os.File
	size int64
}

// Open opens the journal at path, creating it readable by its owner only,
// and returns the records it holds, oldest first.
func Open(path string) (*File, []Record, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open audit journal: %w", err)
	}
	recs, size, err := read(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("read audit journal %s: %w", path, err)
	}
	// A cut last record is dropped, so the next append starts clean.
	if err := f.Truncate(size); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open audit journal: %w", err)
	}
	if _, err := f.Seek(size, io.SeekStart); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open audit journal: %w", err)
	}
	return &File{path: path, f: f, size: size}, recs, nil
}

// read returns the whole records in f and the length they take.
func read(f *os.File) ([]Record, int64, error) {
	r := bufio.NewReader(f)
	var (
		recs []Record
		size int64
		head [8]byte
	)
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return recs, size, nil // the end, or a cut header
		}
		n, sum := binary.BigEndian.Uint32(head[:4]), binary.BigEndian.Uint32(head[4:])
		if n == 0 || n > maxRecord {
			return recs, size, nil
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil || crc32.Checksum(body, castagnoli) != sum {
			return recs, size, nil
		}
		var rec Record
		if err := json.Unmarshal(body, &rec); err != nil {
			// The CRC matched, so the writer wrote this: not a cut write.
			return nil, 0, fmt.Errorf("record at byte %d: %w", size, err)
		}
		recs = append(recs, rec)
		size += int64(len(head) + len(body))
	}
}

// encode returns rec as it is written to the file.
func encode(rec Record) ([]byte, error) {
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if len(body) > maxRecord {
		return nil, fmt.Errorf("audit journal record of %d bytes is over %d", len(body), maxRecord)
	}
	buf := make([]byte, 8, 8+len(body))
	binary.BigEndian.PutUint32(buf[:4], uint32(len(body)))
	binary.BigEndian.PutUint32(buf[4:], crc32.Checksum(body, castagnoli))
	return append(buf, body...), nil
}

// Append writes rec at the end of the journal with one write. When it
// returns nil the record survives a crash of this process.
func (j *File) Append(rec Record) error {
	buf, err := encode(rec)
	if err != nil {
		return fmt.Errorf("append to audit journal: %w", err)
	}
	if _, err := j.f.Write(buf); err != nil {
		// A partial write would leave a cut record in the middle; cut it
		// off, so the records after it stay readable.
		terr := j.f.Truncate(j.size)
		_, serr := j.f.Seek(j.size, io.SeekStart)
		return fmt.Errorf("append to audit journal: %w", errors.Join(err, terr, serr))
	}
	j.size += int64(len(buf))
	return nil
}

// Size is the journal's length in bytes.
func (j *File) Size() int64 { return j.size }

// Reset empties the journal: call it once every record in it is committed.
func (j *File) Reset() error {
	if err := j.f.Truncate(0); err != nil {
		return fmt.Errorf("empty audit journal: %w", err)
	}
	if _, err := j.f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("empty audit journal: %w", err)
	}
	j.size = 0
	return nil
}

// Rewrite replaces the journal with recs, the records not yet committed,
// so that it does not grow without end under steady load. The new file
// is written aside and renamed over the old one: a crash at any point
// leaves one whole journal or the other.
func (j *File) Rewrite(recs []Record) error {
	tmp := j.path + ".new"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("rewrite audit journal: %w", err)
	}
	var size int64
	for _, rec := range recs {
		buf, err := encode(rec)
		if err == nil {
			_, err = f.Write(buf)
		}
		if err != nil {
			f.Close()
			return fmt.Errorf("rewrite audit journal: %w", errors.Join(err, os.Remove(tmp)))
		}
		size += int64(len(buf))
	}
	if err := os.Rename(tmp, j.path); err != nil {
		f.Close()
		return fmt.Errorf("rewrite audit journal: %w", errors.Join(err, os.Remove(tmp)))
	}
	old := j.f
	j.f, j.size = f, size
	return old.Close()
}

// Close closes the file; with nothing left in it, it also removes it.
func (j *File) Close() error {
	err := j.f.Close()
	if j.size == 0 {
		if rerr := os.Remove(j.path); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			err = errors.Join(err, rerr)
		}
	}
	return err
}
