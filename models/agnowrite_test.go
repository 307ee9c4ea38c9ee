package models_test

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"sessiongraph/models"
)

func TestNewSessionIDIsAUUIDv4(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := models.NewSessionID()
		if !v4.MatchString(id) || seen[id] {
			t.Fatalf("%q is not a new UUID v4", id)
		}
		seen[id] = true
	}
}

func TestPythonISOFormat(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2025-09-05T16:02:09Z", "2025-09-05T16:02:09+00:00"},
		{"2025-09-05T16:02:09.5+02:00", "2025-09-05T16:02:09.500000+02:00"},
		{"2025-09-05T16:02:09.123456789-07:30", "2025-09-05T16:02:09.123456-07:30"},
		{"2025-09-05T16:02:09.000000001Z", "2025-09-05T16:02:09+00:00"},
	} {
		t.Run(c.in+" prints as Python's isoformat", func(t *testing.T) {
			parsed, err := models.UnmarshalDateTime(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := models.PythonISOFormat(parsed); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestSummaryDocumentIsAgnosShape(t *testing.T) {
	at := time.Date(2025, 9, 5, 16, 2, 9, 0, time.UTC)
	for _, c := range []struct {
		name string
		in   models.SessionSummaryInput
		want string
	}{
		{"text only", models.SessionSummaryInput{Summary: "Caf\u00e9"}, `{"summary": "Caf\u00e9"}`},
		{"empty topics are kept", models.SessionSummaryInput{Summary: "s", Topics: []string{}}, `{"summary": "s", "topics": []}`},
		{"every key in Agno's order", models.SessionSummaryInput{Summary: "s", Topics: []string{"a", "b"}, UpdatedAt: &at},
			`{"summary": "s", "topics": ["a", "b"], "updated_at": "2025-09-05T16:02:09+00:00"}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := string(c.in.Document()); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestPostgresDocumentStripsAsAgno(t *testing.T) {
	got, err := models.PostgresDocument(json.RawMessage(`{"a\u0001": ["x\u0000y\u000b\u001f\ufffe\uffffz", 1.50, {"n": "\t\n\r ok"}], "big": 123456789012345678901234567890}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"a\u0001":["xyz",1.50,{"n":"\t\n\r ok"}],"big":123456789012345678901234567890}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestUpdateInputEdit(t *testing.T) {
	name := "n"
	in := models.UpdateSessionInput{
		SessionName:  graphql.OmittableOf[*string](nil),
		SessionState: graphql.OmittableOf(models.JSON(`{"b": 1, "a": "\u00e9"}`)),
		Metadata:     graphql.OmittableOf[models.JSON](nil),
	}
	e, err := in.Edit()
	if err != nil {
		t.Fatal(err)
	}
	if e.Name != nil || !e.ClearName || string(e.State) != `{"b": 1, "a": "\u00e9"}` || e.ClearState || e.Metadata != nil || !e.ClearMetadata || e.Summary != nil || e.ClearSummary {
		t.Errorf("edit %+v", e)
	}
	in = models.UpdateSessionInput{SessionName: graphql.OmittableOf(&name), Metadata: graphql.OmittableOf(models.JSON(`[1]`))}
	if _, err := in.Edit(); models.ErrorCode(err) != models.BadUserInput {
		t.Errorf("metadata [1]: %v, want BAD_USER_INPUT", err)
	}
}
