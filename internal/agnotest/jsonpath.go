package agnotest

// At walks a decoded JSON value (maps and slices from encoding/json) by
// object keys (string) and array indexes (int); nil where the path leads
// nowhere.
func At(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k < 0 || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// List returns v as a JSON array, nil when it is not one.
func List(v any) []any {
	a, _ := v.([]any)
	return a
}
