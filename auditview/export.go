package auditview

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"dobot"
)

// Rows walks every audit row since a time, oldest first.
type Rows interface {
	AuditAll(ctx context.Context, since time.Time, fn func(dobot.AuditEntry) error) error
}

// FormatError is an export format other than csv or json.
type FormatError struct{ Format string }

func (e *FormatError) Error() string {
	return fmt.Sprintf("audit export: --format must be csv or json, not %q", e.Format)
}

// exportHeader names the columns of an export, in order.
var exportHeader = []string{"id", "time", "user_id", "user_name", "channel", "command", "action", "target", "decision", "outcome", "error", "details", "prev_hash", "hash", "instance"}

func exportRow(e dobot.AuditEntry) []string {
	return []string{strconv.FormatInt(e.ID, 10), e.Time.UTC().Format(time.RFC3339Nano), e.UserID, e.UserName, e.Channel, e.CommandText,
		e.Action, e.Target, e.Decision, e.Outcome, e.Error, e.Details, e.PrevHash, e.Hash, e.Instance}
}

// Export writes every audit row since a time to w, oldest first, as CSV
// (format "csv") or JSON lines ("json"); any other format is a
// *FormatError.
func Export(ctx context.Context, src Rows, format string, since time.Time, w io.Writer) error {
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(exportHeader); err != nil {
			return err
		}
		err := src.AuditAll(ctx, since, func(e dobot.AuditEntry) error {
			cells := exportRow(e)
			for i := range cells {
				cells[i] = csvCell(cells[i])
			}
			return cw.Write(cells)
		})
		if err != nil {
			return fmt.Errorf("export audit: %w", err)
		}
		cw.Flush()
		return cw.Error()
	case "json":
		enc := json.NewEncoder(w)
		return src.AuditAll(ctx, since, func(e dobot.AuditEntry) error {
			obj := map[string]string{}
			for i, v := range exportRow(e) {
				obj[exportHeader[i]] = v
			}
			return enc.Encode(obj)
		})
	}
	return &FormatError{Format: format}
}

// csvCell neutralises a cell that a spreadsheet would run as a formula: one
// starting with =, +, -, @, tab or carriage return gets a leading ', as
// OWASP's CSV injection guidance says. Audit rows hold text anyone can type
// into Slack, and the export is opened by the people auditing it.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
