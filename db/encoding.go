package db

// SQLiteEncoding says how JSON columns are written to a SQLite table.
type SQLiteEncoding int

const (
	// DoubleEncoded is what Agno up to 2.9 writes: the column holds a JSON
	// string literal whose content is the document (json.dumps twice, ASCII-escaped).
	DoubleEncoded SQLiteEncoding = iota
	// PlainJSON is what later Agno writes: the column holds the document itself.
	PlainJSON
)
