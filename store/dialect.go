package store

import "dobot/store/internal/sqldb"

// The dialects, pool and transactions live in sqldb, the one place the SQL
// of the two backends differs; the store uses them under these names.
type (
	dialect = sqldb.Dialect
	conn    = sqldb.Conn
	txn     = sqldb.Txn
	scanner = sqldb.Scanner // what *sql.Row and *sql.Rows have in common
)

var (
	sqliteDialect   = sqldb.SQLite
	postgresDialect = sqldb.Postgres
	quoteIdent      = sqldb.QuoteIdent
	userTables      = sqldb.UserTables
)
