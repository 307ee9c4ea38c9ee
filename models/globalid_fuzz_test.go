package models_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"sessiongraph/models"
)

var globalIDTypes = []string{"AgentSession", "TeamSession", "WorkflowSession", "AgentRun", "TeamRun", "WorkflowRun"}

// FuzzGlobalID checks that every id String makes parses back to the same
// parts, and that ParseGlobalID of any text either fails with BAD_USER_INPUT
// or returns a session or run id whose canonical String parses to itself.
func FuzzGlobalID(f *testing.F) {
	ids := func(typ, dbID, session, run string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + dbID + ":" + session + ":" + run))
	}
	for _, seed := range []struct {
		typeIndex             uint8
		dbID, session, run, s string
	}{
		{0, "default", "s-100", "", models.GlobalID{TypeName: "AgentSession", DBID: "default", SessionID: "s-100"}.String()},
		{3, "default", "s-100", "r-a1", models.GlobalID{TypeName: "AgentRun", DBID: "default", SessionID: "s-100", RunID: "r-a1"}.String()},
		{4, "a:b", "c%d", "e+f g", models.GlobalID{TypeName: "TeamRun", DBID: "a:b", SessionID: "c%d", RunID: "e+f g"}.String() + "=="},
		{2, "", "", "", ""},
		{1, "\x00", "\x00\xff", "\xc3", "\x00"},
		{5, strings.Repeat("é", 50_000), strings.Repeat("x", 100_000), "", strings.Repeat("QQ", 2050)},
		{0, "db", "s", "", ids("AgentSession", "db", "s%zz", "")},
		{3, "db", "s", "", ids("AgentRun", "db", "s", "r") + "==="},
		{3, "db", "s", "", base64.StdEncoding.EncodeToString([]byte("AgentRun:db:s:r/?"))},
		{0, "db", "s", "", base64.RawURLEncoding.EncodeToString([]byte("AgentSession:db:s+%41"))},
		{0, "db", "s", "", base64.RawURLEncoding.EncodeToString([]byte("Session:db:s"))},
		{0, "db", "s", "", "not base64 at all!"},
		{0, "db", "s", "", "null"},
		{0, "db", "s", "", "QUdlbnRTZXNzaW9u"},
	} {
		f.Add(seed.typeIndex, seed.dbID, seed.session, seed.run, seed.s)
	}
	f.Fuzz(func(t *testing.T, typeIndex uint8, dbID, session, run, s string) {
		g := models.GlobalID{TypeName: globalIDTypes[int(typeIndex)%len(globalIDTypes)], DBID: dbID, SessionID: session, RunID: run}
		if !g.IsRun() {
			g.RunID = "" // String drops it
		}
		// Ids of ids no argument may carry (longer than MaxIDLength) may be
		// too long to parse; all others round-trip.
		short := len(dbID) <= 64 && len(session) <= models.MaxIDLength && len(run) <= models.MaxIDLength
		if got, err := models.ParseGlobalID(g.String()); short && (err != nil || got != g) {
			t.Errorf("ParseGlobalID(String of %s) = %s, %v", abbrev(g), abbrev(got), err)
		} else if err != nil && models.ErrorCode(err) != models.BadUserInput {
			t.Errorf("ParseGlobalID(String of %s): code %s", abbrev(g), models.ErrorCode(err))
		}

		parsed, err := models.ParseGlobalID(s)
		if err != nil {
			if code := models.ErrorCode(err); code != models.BadUserInput {
				t.Errorf("ParseGlobalID(%s) failed with code %s: %v", abbrev(s), code, err)
			}
			if parsed != (models.GlobalID{}) {
				t.Errorf("ParseGlobalID(%s) failed but returned %s", abbrev(s), abbrev(parsed))
			}
			return
		}
		if parsed.IsRun() == parsed.IsSession() {
			t.Fatalf("ParseGlobalID(%s) = %s: neither a session nor a run id", abbrev(s), abbrev(parsed))
		}
		if !parsed.IsRun() && parsed.RunID != "" {
			t.Errorf("ParseGlobalID(%s) = %s: a session id with a run id", abbrev(s), abbrev(parsed))
		}
		if again, err := models.ParseGlobalID(parsed.String()); err != nil || again != parsed {
			t.Errorf("ParseGlobalID(%s) = %s, but its String parses as %s, %v", abbrev(s), abbrev(parsed), abbrev(again), err)
		}
	})
}
