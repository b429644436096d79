// Package migrations holds the store's schema as numbered SQL files. It is a
// package of its own only because go:embed cannot reach a sibling directory;
// store applies the files in filename order, each exactly once.
package migrations

import "embed"

// FS holds every migration. Files are named NNNN_what.sql and are applied in
// lexical order, so the number must be zero-padded and never reused.
//
//go:embed *.sql
var FS embed.FS
