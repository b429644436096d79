package store

import "dobot/store/internal/sqldb"

// The stored time format is sqldb's.
var (
	formatTime = sqldb.FormatTime
	parseTime  = sqldb.ParseTime
	normTime   = sqldb.NormTime
)
