package store

import (
	"dobot/store/internal/auditchain"
	"dobot/store/internal/responseurl"
	"dobot/store/internal/sqldb"
)

// Names the store's tests use for what moved into its internal packages.
var (
	dsn             = sqldb.DSN
	scanAuditRaw    = auditchain.ScanRaw
	legacyAuditHash = auditchain.LegacyHash
	hashURL         = responseurl.Hash
)

const (
	auditColumns  = auditchain.Columns
	maxAuditLimit = auditchain.MaxLimit
)
