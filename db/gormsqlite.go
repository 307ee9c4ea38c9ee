package db

import (
	"database/sql"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/callbacks"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/migrator"
	"gorm.io/gorm/schema"
)

// sqliteDialector is GORM's dialect for the Store's SQLite connections,
// opened with modernc.org/sqlite. GORM's own, gorm.io/driver/sqlite,
// imports mattn/go-sqlite3, which would link a second SQLite (in C, through
// cgo) that the Store never opens; glebarez/sqlite registers its own driver
// as "sqlite" too, which database/sql refuses beside modernc.org/sqlite.
// The Store uses GORM for raw SQL only (Raw, Exec, Transaction and the
// statement callbacks; no models, no migrations), which needs GORM's
// default callbacks, ? placeholders and SQLite's quoting: that is all this
// dialect has. Its methods for models and migrations give GORM's generic
// answers.
type sqliteDialector struct{ conn *sql.DB }

func (sqliteDialector) Name() string { return "sqlite" }

func (d sqliteDialector) Initialize(db *gorm.DB) error {
	db.ConnPool = d.conn
	callbacks.RegisterDefaultCallbacks(db, &callbacks.Config{})
	return nil
}

func (sqliteDialector) BindVarTo(w clause.Writer, _ *gorm.Statement, _ any) { _ = w.WriteByte('?') }

// QuoteTo quotes each part of a dotted name as an SQL identifier.
func (sqliteDialector) QuoteTo(w clause.Writer, name string) {
	for i, part := range strings.Split(name, ".") {
		if i > 0 {
			_ = w.WriteByte('.')
		}
		_, _ = w.WriteString(quoteIdent(part))
	}
}

func (sqliteDialector) Explain(sql string, vars ...any) string {
	return logger.ExplainSQL(sql, nil, `"`, vars...)
}

func (d sqliteDialector) Migrator(db *gorm.DB) gorm.Migrator {
	return migrator.Migrator{Config: migrator.Config{DB: db, Dialector: d}}
}

func (sqliteDialector) DataTypeOf(field *schema.Field) string { return string(field.DataType) }

func (sqliteDialector) DefaultValueOf(*schema.Field) clause.Expression {
	return clause.Expr{SQL: "NULL"}
}
