package models

import "io"

// SessionType is the kind of a session; Stored() is the session_type value.
type SessionType string

// The session types.
const (
	SessionTypeAgent    SessionType = "AGENT"
	SessionTypeTeam     SessionType = "TEAM"
	SessionTypeWorkflow SessionType = "WORKFLOW"
)

// AllSessionType lists the session types.
var AllSessionType = []SessionType{SessionTypeAgent, SessionTypeTeam, SessionTypeWorkflow}

// Stored returns the value Agno stores in session_type.
func (t SessionType) Stored() string {
	switch t {
	case SessionTypeTeam:
		return "team"
	case SessionTypeWorkflow:
		return "workflow"
	default:
		return "agent"
	}
}

// SessionTypeOfStored is the type whose session_type value (Stored) s is;
// false when s is none of Agno's values.
func SessionTypeOfStored(s string) (SessionType, bool) {
	for _, t := range AllSessionType {
		if t.Stored() == s {
			return t, true
		}
	}
	return "", false
}

// IsValid reports whether t is one of the session types.
func (t SessionType) IsValid() bool {
	return t == SessionTypeAgent || t == SessionTypeTeam || t == SessionTypeWorkflow
}

// MarshalGQL writes the enum value.
func (t SessionType) MarshalGQL(w io.Writer) { writeEnum(w, string(t)) }

// UnmarshalGQL reads the enum value.
func (t *SessionType) UnmarshalGQL(v any) (err error) {
	*t, err = enumValue(v, AllSessionType, "SessionType")
	return err
}

// RunStatus is the status Agno records on a run.
type RunStatus string

// The run statuses Agno writes.
const (
	RunStatusPending     RunStatus = "PENDING"
	RunStatusRunning     RunStatus = "RUNNING"
	RunStatusCompleted   RunStatus = "COMPLETED"
	RunStatusPaused      RunStatus = "PAUSED"
	RunStatusCancelled   RunStatus = "CANCELLED"
	RunStatusError       RunStatus = "ERROR"
	RunStatusRegenerated RunStatus = "REGENERATED"
)

// AllRunStatus lists the run statuses.
var AllRunStatus = []RunStatus{RunStatusPending, RunStatusRunning, RunStatusCompleted,
	RunStatusPaused, RunStatusCancelled, RunStatusError, RunStatusRegenerated}

// IsValid reports whether s is a known status.
func (s RunStatus) IsValid() bool {
	for _, x := range AllRunStatus {
		if s == x {
			return true
		}
	}
	return false
}

// MarshalGQL writes the enum value.
func (s RunStatus) MarshalGQL(w io.Writer) { writeEnum(w, string(s)) }

// UnmarshalGQL reads the enum value.
func (s *RunStatus) UnmarshalGQL(v any) (err error) {
	*s, err = enumValue(v, AllRunStatus, "RunStatus")
	return err
}

// SessionOrderField is the key sessions are ordered by.
type SessionOrderField string

// The session order keys.
const (
	SessionOrderFieldCreatedAt SessionOrderField = "CREATED_AT"
	SessionOrderFieldUpdatedAt SessionOrderField = "UPDATED_AT"
	SessionOrderFieldName      SessionOrderField = "NAME"
	SessionOrderFieldSessionID SessionOrderField = "SESSION_ID"
	SessionOrderFieldUserID    SessionOrderField = "USER_ID"
)

// AllSessionOrderField lists the order keys.
var AllSessionOrderField = []SessionOrderField{SessionOrderFieldCreatedAt, SessionOrderFieldUpdatedAt, SessionOrderFieldName,
	SessionOrderFieldSessionID, SessionOrderFieldUserID}

// IsText reports whether the key is text (NAME, SESSION_ID, USER_ID) rather
// than epoch seconds.
func (f SessionOrderField) IsText() bool {
	return f == SessionOrderFieldName || f == SessionOrderFieldSessionID || f == SessionOrderFieldUserID
}

// MarshalGQL writes the enum value.
func (f SessionOrderField) MarshalGQL(w io.Writer) { writeEnum(w, string(f)) }

// UnmarshalGQL reads the enum value.
func (f *SessionOrderField) UnmarshalGQL(v any) (err error) {
	*f, err = enumValue(v, AllSessionOrderField, "SessionOrderField")
	return err
}

// OrderDirection is a sort direction.
type OrderDirection string

// The sort directions.
const (
	OrderDirectionAsc  OrderDirection = "ASC"
	OrderDirectionDesc OrderDirection = "DESC"
)

// AllOrderDirection lists the directions.
var AllOrderDirection = []OrderDirection{OrderDirectionAsc, OrderDirectionDesc}

// MarshalGQL writes the enum value.
func (d OrderDirection) MarshalGQL(w io.Writer) { writeEnum(w, string(d)) }

// UnmarshalGQL reads the enum value.
func (d *OrderDirection) UnmarshalGQL(v any) (err error) {
	*d, err = enumValue(v, AllOrderDirection, "OrderDirection")
	return err
}

// MediaKind is what a media object is: the Agno class it was stored from.
type MediaKind string

// The media kinds.
const (
	MediaKindImage MediaKind = "IMAGE"
	MediaKindVideo MediaKind = "VIDEO"
	MediaKindAudio MediaKind = "AUDIO"
	MediaKindFile  MediaKind = "FILE"
)

// AllMediaKind lists the media kinds.
var AllMediaKind = []MediaKind{MediaKindImage, MediaKindVideo, MediaKindAudio, MediaKindFile}

// MarshalGQL writes the enum value.
func (k MediaKind) MarshalGQL(w io.Writer) { writeEnum(w, string(k)) }

// UnmarshalGQL reads the enum value.
func (k *MediaKind) UnmarshalGQL(v any) (err error) {
	*k, err = enumValue(v, AllMediaKind, "MediaKind")
	return err
}

// ChangeKind is what happened to a session or run (API.md "Live updates").
type ChangeKind string

// The change kinds.
const (
	ChangeKindCreated ChangeKind = "CREATED"
	ChangeKindUpdated ChangeKind = "UPDATED"
	ChangeKindDeleted ChangeKind = "DELETED"
)

// AllChangeKind lists the change kinds.
var AllChangeKind = []ChangeKind{ChangeKindCreated, ChangeKindUpdated, ChangeKindDeleted}

// MarshalGQL writes the enum value.
func (k ChangeKind) MarshalGQL(w io.Writer) { writeEnum(w, string(k)) }

// UnmarshalGQL reads the enum value.
func (k *ChangeKind) UnmarshalGQL(v any) (err error) {
	*k, err = enumValue(v, AllChangeKind, "ChangeKind")
	return err
}
