package models_test

import (
	"fmt"
	"slices"
	"testing"

	"sessiongraph/models"
)

// sessionChange is a session row as a feed reads it.
func sessionChange(id string, created, at int64, version uint32) models.Change {
	updated := at
	return models.Change{Session: &models.SessionRow{SessionID: id, SessionType: "agent", CreatedAt: created, UpdatedAt: &updated},
		At: at, Version: version}
}

// runChange is a runs-table row as a feed reads it.
func runChange(id string, created, at int64, version uint32) models.Change {
	updated, user := at, "ana"
	return models.Change{Run: &models.RunRow{RunID: id, SessionID: "s-1", RunType: "agent", UserID: &user, CreatedAt: created, UpdatedAt: &updated},
		At: at, Version: version}
}

var feedConfig = models.FeedConfig{Window: 10, MaxSeen: 5}

func TestChangeCursorRemembersAtMostMaxSeenRows(t *testing.T) {
	const t0 = 1760000000
	cursor := models.ChangeCursor{}
	var all []models.Change
	for i := range 40 {
		at := int64(t0 + i/20) // twenty rows in each of two seconds
		all = append(all, sessionChange(fmt.Sprintf("s-%02d", i), at, at, 1))
		batch := cursor.Advance(models.FeedRead{Sessions: all[i:], RunsTable: true}, feedConfig, 1)
		if len(batch.Changes) != 1 {
			t.Fatalf("row %d: %d changes", i, len(batch.Changes))
		}
		cursor = batch.Next
		// Ranges reads limit+1 rows more than the cursor remembers.
		if sessions, _ := cursor.Ranges(feedConfig, 1); sessions.Limit-2 > feedConfig.MaxSeen {
			t.Fatalf("after row %d the cursor remembers %d rows, more than %d", i, sessions.Limit-2, feedConfig.MaxSeen)
		}
	}
	// Twenty rows in one second: the cursor gave up remembering the first
	// ones and reads that second after the last it gave up.
	if sessions, _ := cursor.Ranges(feedConfig, 1); sessions.From != t0+1 || sessions.AfterID != "s-37" {
		t.Errorf("past a full second, the cursor reads from %d after %q, want %d after s-37", sessions.From, sessions.AfterID, t0+1)
	}
	// Whether it remembers them or has put them behind, it delivers none again.
	if again := cursor.Advance(models.FeedRead{Sessions: all, RunsTable: true}, feedConfig, 100); len(again.Changes) != 0 {
		t.Errorf("read again, the rows give %d changes", len(again.Changes))
	}
}

func TestChangeCursorEncodingIsBoundedAndNamesNoRow(t *testing.T) {
	const t0 = 1760000000
	cfg := models.FeedConfig{Window: 10, MaxSeen: 1000}
	var read models.FeedRead
	for i := range 500 {
		read.Sessions = append(read.Sessions, sessionChange(fmt.Sprintf("session-%04d", i), t0, t0, uint32(i)))
		read.Runs = append(read.Runs, runChange(fmt.Sprintf("run-%04d", i), t0, t0, uint32(i)))
	}
	read.RunsTable = true
	batch := models.ChangeCursor{}.Advance(read, cfg, 1000)
	if len(batch.Changes) != 1000 {
		t.Fatalf("%d changes, want 1000", len(batch.Changes))
	}
	encoded := batch.Next.Encode()
	if len(encoded) > 1700 {
		t.Errorf("a cursor remembering 1000 rows encodes in %d bytes", len(encoded))
	}
	decoded, err := models.DecodeChangeCursor(encoded)
	if err != nil || decoded.Encode() != encoded {
		t.Errorf("the cursor does not decode to itself: %v", err)
	}
	for _, ch := range batch.Changes {
		if ch.Cursor == "" {
			t.Fatal("a change without a cursor")
		}
	}
	// The last 32 rows of each table are remembered: a resumed read skips them.
	resumed := decoded.Advance(models.FeedRead{Sessions: read.Sessions[468:], Runs: read.Runs[468:], RunsTable: true}, cfg, 1000)
	if len(resumed.Changes) != 0 {
		t.Errorf("a resumed cursor delivers %d changes it delivered", len(resumed.Changes))
	}
}

func TestDecodeChangeCursorRefusesOtherText(t *testing.T) {
	for _, s := range []string{"", "!!", b64(`{"c":"sessions"}`), b64(`{"c":"changes","s":{"s":"AAAA"}}`), b64(`[]`),
		models.SessionCursor{Order: models.DefaultSessionOrder, Int: 1, SessionID: "s"}.Encode()} {
		if _, err := models.DecodeChangeCursor(s); models.ErrorCode(err) != models.BadUserInput {
			t.Errorf("DecodeChangeCursor(%q) = %v, want BAD_USER_INPUT", s, err)
		}
	}
}

// TestChangeKinds pins how a row the cursor never delivered is told
// created from updated by its timestamps alone.
func TestChangeKinds(t *testing.T) {
	const t0 = 1760000000
	start := models.ChangeCursor{}.Advance(models.FeedRead{Sessions: []models.Change{sessionChange("s-1", t0, t0, 1)},
		Runs: []models.Change{runChange("r-0", t0, t0, 1)}, RunsTable: true}, feedConfig, 10).Next
	cases := []struct {
		name string
		row  models.Change
		want models.ChangeKind
	}{
		{"a session written once is created", sessionChange("s-2", t0-5, t0-5, 1), models.ChangeKindCreated},
		{"a run created within the window is created", runChange("r-1", t0-5, t0+1, 1), models.ChangeKindCreated},
		{"a run created before the window, first read now, is updated", runChange("r-2", t0-30, t0+1, 1), models.ChangeKindUpdated},
		{"a row delivered before is updated", sessionChange("s-1", t0, t0+1, 2), models.ChangeKindUpdated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			read := models.FeedRead{RunsTable: true}
			if c.row.Run != nil {
				read.Runs = []models.Change{c.row}
			} else {
				read.Sessions = []models.Change{c.row}
			}
			batch := start.Advance(read, feedConfig, 10)
			if len(batch.Changes) != 1 || batch.Changes[0].Kind != c.want {
				t.Errorf("got %+v, want one %s", batch.Changes, c.want)
			}
		})
	}
}

// FuzzDecodeChangeCursor checks that any text either fails with
// BAD_USER_INPUT or decodes to a cursor that encodes and decodes to itself.
func FuzzDecodeChangeCursor(f *testing.F) {
	const t0 = 1760000000
	f.Add(models.ChangeCursor{}.Encode())
	f.Add(models.ChangeCursor{}.Advance(models.FeedRead{Sessions: []models.Change{sessionChange("s-1", t0, t0, 1)},
		Runs: []models.Change{runChange("r-1", t0, t0, 2)}, RunsTable: true}, feedConfig, 10).Next.Encode())
	f.Add(b64(`{"c":"changes","s":{"t":-1,"h":9223372036854775807,"s":"gICAgICAgICAAQ=="}}`))
	f.Add(b64(`{"c":"changes","r":{"s":"/////////////////w=="}}`))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := models.DecodeChangeCursor(s)
		if err != nil {
			if models.ErrorCode(err) != models.BadUserInput {
				t.Fatalf("DecodeChangeCursor(%q): %v, want BAD_USER_INPUT", abbrev(s), err)
			}
			return
		}
		again, err := models.DecodeChangeCursor(c.Encode())
		if err != nil || again.Encode() != c.Encode() {
			t.Fatalf("DecodeChangeCursor(%q) encodes to a cursor that does not decode to itself: %v", abbrev(s), err)
		}
	})
}

func TestChangeBatchesKeepTheOrderAcrossTables(t *testing.T) {
	const t0 = 1760000000
	read := models.FeedRead{
		Sessions:  []models.Change{sessionChange("s-1", t0, t0, 1), sessionChange("s-2", t0, t0, 1), sessionChange("s-3", t0+1, t0+1, 1)},
		Runs:      []models.Change{runChange("r-1", t0, t0, 1), runChange("r-2", t0+2, t0+2, 1)},
		RunsTable: true,
	}
	var got []string
	cursor := models.ChangeCursor{}
	for range 10 {
		// Every row is read each time: the cursor skips those it delivered.
		batch := cursor.Advance(read, feedConfig, 2)
		if len(batch.Changes) > 2 {
			t.Fatalf("a batch of 2 holds %d changes", len(batch.Changes))
		}
		for _, ch := range batch.Changes {
			id := ch.SessionID()
			if ch.Run != nil {
				id = ch.Run.RunID
			}
			got = append(got, id)
		}
		cursor = batch.Next
		if !batch.More {
			break
		}
	}
	if want := []string{"s-1", "s-2", "r-1", "s-3", "r-2"}; !slices.Equal(got, want) {
		t.Errorf("the batches hold %v, want %v", got, want)
	}
}
