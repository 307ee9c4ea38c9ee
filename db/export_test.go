package db

import "gorm.io/gorm"

// GORM returns the Store's GORM handle to the package's black-box tests
// (package db_test), which set up and inspect tables around the Store.
func (s *Store) GORM() *gorm.DB { return s.db }

// Fold returns the COLLATE clause under which the Store lower-cases text on
// PostgreSQL (see detectFold).
func (s *Store) Fold() string { return s.fold }
