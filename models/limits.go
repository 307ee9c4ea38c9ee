package models

// The bounds of arguments, each checked by one function below. graph
// applies them to an operation's arguments before anything runs (so that
// input that cannot be right is refused with a 4xx), and the code that
// takes the argument applies the same function again where it is used.

// MaxBatchDelete is the most ids one deleteSessions takes.
const MaxBatchDelete = 1000

// MaxNodes is the most ids one nodes(ids:) takes.
const MaxNodes = 100

// CheckPageSize returns BAD_USER_INPUT unless n, the first or last
// argument called name, is within 0..MaxPageSize.
func CheckPageSize(name string, n int64) error {
	if n < 0 || n > MaxPageSize {
		return Errorf(BadUserInput, "%s must be between 0 and %d, got %d", name, MaxPageSize, n)
	}
	return nil
}

// MaxFacetValues is the most values one field of Facets returns.
const MaxFacetValues = 1000

// CheckFacetSize returns BAD_USER_INPUT unless n, the first argument of a
// field of Facets, is within 0..MaxFacetValues.
func CheckFacetSize(n int64) error {
	if n < 0 || n > MaxFacetValues {
		return Errorf(BadUserInput, "first must be between 0 and %d, got %d", MaxFacetValues, n)
	}
	return nil
}

// CheckIDLength returns BAD_USER_INPUT when id, the argument or input field
// called name, is longer than MaxIDLength.
func CheckIDLength(name, id string) error {
	if len(id) > MaxIDLength {
		return Errorf(BadUserInput, "%s is %d bytes long, more than the %d an id may have", name, len(id), MaxIDLength)
	}
	return nil
}

// CheckCount returns BAD_USER_INPUT when the n ids given as name are more
// than limit (MaxBatchDelete, MaxNodes).
func CheckCount(name string, n, limit int) error {
	if n > limit {
		return Errorf(BadUserInput, "at most %d %s per call, got %d", limit, name, n)
	}
	return nil
}
