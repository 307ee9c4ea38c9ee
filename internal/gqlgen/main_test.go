package main

import (
	"slices"
	"strings"
	"testing"
)

func TestChoosePasses(t *testing.T) {
	all := []string{"inlineSlices", "dropUnusedDeferredGroups", "inlineFieldSets", "inlineLeafFields", "inlineResolveField"}
	for _, tc := range []struct {
		name, spec string
		want       []string
	}{
		{"unset runs every pass", "", all},
		{"all runs every pass", "all", all},
		{"none runs none", "none", nil},
		{"a list runs those, in the passes' order", " inlineLeafFields,inlineSlices ", []string{"inlineSlices", "inlineLeafFields"}},
		{"one name runs that one", "inlineFieldSets", []string{"inlineFieldSets"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := choosePasses(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.name)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s=%q runs %v, want %v", passesEnv, tc.spec, got, tc.want)
			}
		})
	}
	t.Run("an unknown name is refused, naming the passes", func(t *testing.T) {
		_, err := choosePasses("inlineSlices,inlineFieldSet")
		if err == nil || !strings.Contains(err.Error(), `"inlineFieldSet"`) || !strings.Contains(err.Error(), "inlineFieldSets") {
			t.Errorf("got %v, want an error naming inlineFieldSet and the passes", err)
		}
	})
}
