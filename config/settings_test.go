package config

import "testing"

// TestSettingsAreDeclaredOnce: every flag and variable names one setting,
// and a setting is secret exactly when its field is one that is never shown
// (a Secret, or databases whose URLs are).
func TestSettingsAreDeclaredOnce(t *testing.T) {
	names := map[string]bool{}
	for _, s := range settings {
		for _, name := range []string{"--" + s.flag, s.env} {
			if name != "" && names[name] {
				t.Errorf("%s names two settings", name)
			}
			names[name] = true
		}
		if k := s.kind(); s.secret != (k == kindSecret || k == kindDatabases) {
			t.Errorf("--%s is secret: %v, but its field is of kind %d", s.flag, s.secret, k)
		}
		if s.secret && s.env == "" {
			t.Errorf("secret --%s has no variable, so no _FILE variant", s.flag)
		}
	}
}
