// Package migrations holds the store's schema as numbered SQL files, one set
// per dialect. It is a package of its own only because go:embed cannot reach
// a sibling directory; store applies the files in filename order, each
// exactly once.
//
// The SQLite files sit at the top (*.sql) and their PostgreSQL forms under
// postgres/, with the same names: a schema change is one file in each, with
// one number, and schema_migrations lists the same names in both dialects
// (verify and `bot store copy` rely on that). A test fails when the two sets
// of names differ.
package migrations

import (
	"embed"
	"io/fs"
)

// FS holds every SQLite migration. Files are named NNNN_what.sql and are
// applied in lexical order, so the number must be zero-padded and never
// reused.
//
//go:embed *.sql
var FS embed.FS

//go:embed postgres/*.sql
var postgresFS embed.FS

// Postgres holds the PostgreSQL form of every migration in FS, by the same
// names.
var Postgres = mustSub(postgresFS, "postgres")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err) // dir is a literal embedded above
	}
	return sub
}
