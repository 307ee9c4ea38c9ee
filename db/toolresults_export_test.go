package db

import "time"

// OptionalTableTTL is how long a Store trusts what it found of Agno's optional tables.
const OptionalTableTTL = optionalTableTTL

// AgeOptionalTables makes what every Store found of Agno's optional tables
// older by d, for tests of what it remembers.
func AgeOptionalTables(d time.Duration) {
	optionalTables.mu.Lock()
	defer optionalTables.mu.Unlock()
	for k, a := range optionalTables.items {
		a.at = a.at.Add(-d)
		optionalTables.items[k] = a
	}
}
