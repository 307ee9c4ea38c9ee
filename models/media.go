package models

import (
	"fmt"
	"strings"
)

// Media is one image, video, audio clip or file stored on a run or a
// message, in the shape of Agno's Image/Video/Audio/File.to_dict, its fields
// read from the stored object when asked for. Its bytes, which Agno may
// store inline as megabytes of base64, are never decoded.
type Media struct {
	kind MediaKind
	doc  object
}

// mediaKey is a key under which Agno stores a list of media, and their kind.
type mediaKey struct {
	key  string
	kind MediaKind
}

// outputMediaKeys are the media lists of a RunOutput (and Team/WorkflowRunOutput)
// and of a Message, in the order the API lists them.
var outputMediaKeys = []mediaKey{{"images", MediaKindImage}, {"videos", MediaKindVideo}, {"audio", MediaKindAudio}, {"files", MediaKindFile}}

// inputMediaKeys are the media lists of Agno's RunInput and TeamRunInput
// (whose audio list is "audios", where outputs say "audio").
var inputMediaKeys = []mediaKey{{"images", MediaKindImage}, {"videos", MediaKindVideo}, {"audios", MediaKindAudio}, {"files", MediaKindFile}}

// mediaLists reads the media lists of doc at keys, in order. A list that is
// not an array, or an element that is not an object, is left out and
// reported (the first problem) through corruptKey, naming the key after prefix.
func mediaLists(doc object, keys []mediaKey, prefix string, corruptKey func(key string, err error) error) ([]*Media, error) {
	out := []*Media{}
	var firstErr error
	for _, k := range keys {
		objs, _, err := doc.objects(k.key)
		if err != nil && firstErr == nil {
			firstErr = corruptKey(prefix+k.key, err)
		}
		for _, o := range objs {
			if o.absent() {
				if firstErr == nil {
					firstErr = corruptKey("an element of "+prefix+k.key, errNotObject)
				}
				continue
			}
			out = append(out, &Media{kind: k.kind, doc: o})
		}
	}
	return out, firstErr
}

// singleMedia reads the one media object at key (response_audio,
// audio_output); nil when absent, an error when it is not an object.
func singleMedia(doc object, key string, kind MediaKind, corruptKey func(key string, err error) error) (*Media, error) {
	o, err := nestedObject(doc.value(key))
	if err != nil {
		return nil, corruptKey(key, err)
	}
	if o.absent() {
		return nil, nil
	}
	return &Media{kind: kind, doc: o}, nil
}

// Kind returns what the object is, from the key it is stored under.
func (m *Media) Kind() MediaKind { return m.kind }

// ID returns id.
func (m *Media) ID() *string { return m.doc.str("id") }

// URL returns url, else media_reference.url, as Agno's get_url prefers them.
func (m *Media) URL() *string { return m.firstString("url", "url") }

// FilePath returns filepath.
func (m *Media) FilePath() *string { return m.doc.str("filepath") }

// MimeType returns mime_type, else media_reference.mime_type.
func (m *Media) MimeType() *string { return m.firstString("mime_type", "mime_type") }

// Format returns format.
func (m *Media) Format() *string { return m.doc.str("format") }

// FileName returns a File's filename, else its name, else media_reference.filename.
func (m *Media) FileName() *string {
	if s := m.doc.str("filename"); s != nil {
		return s
	}
	return m.firstString("name", "filename")
}

// Size returns a File's size, else media_reference.size.
func (m *Media) Size() *int {
	if n := m.doc.int("size"); n != nil {
		return n
	}
	return m.doc.object("media_reference").int("size")
}

// HasInlineContent reports whether the bytes are stored inline (content).
func (m *Media) HasInlineContent() bool { return m.doc.has("content") }

// Reference returns media_reference, where Agno v3's media_storage put the
// bytes; nil when there is none, an error when it is not an object.
func (m *Media) Reference() (*MediaReference, error) {
	o, err := nestedObject(m.doc.value("media_reference"))
	if err != nil {
		return nil, corrupt(err, "media_reference of %s %s cannot be read", strings.ToLower(string(m.kind)), m.describe())
	}
	if o.absent() {
		return nil, nil
	}
	return &MediaReference{doc: o}, nil
}

// DurationSeconds returns duration.
func (m *Media) DurationSeconds() *float64 { return m.doc.float("duration") }

// Width returns width.
func (m *Media) Width() *int { return m.doc.int("width") }

// Height returns height.
func (m *Media) Height() *int { return m.doc.int("height") }

// Transcript returns transcript.
func (m *Media) Transcript() *string { return m.doc.str("transcript") }

// AltText returns alt_text.
func (m *Media) AltText() *string { return m.doc.str("alt_text") }

// Metadata returns metadata.
func (m *Media) Metadata() JSON { return m.doc.raw("metadata") }

// firstString returns the string at key, else the string at refKey of media_reference.
func (m *Media) firstString(key, refKey string) *string {
	if s := m.doc.str(key); s != nil {
		return s
	}
	return m.doc.object("media_reference").str(refKey)
}

// describe names the object in an error message.
func (m *Media) describe() string {
	if id := m.doc.str("id"); id != nil {
		return fmt.Sprintf("%q", *id)
	}
	return "without id"
}

// MediaReference is Agno v3's MediaReference (media/reference.py): where
// media_storage put a media object's bytes.
type MediaReference struct {
	doc object
}

// MediaID returns media_id.
func (r *MediaReference) MediaID() *string { return r.doc.str("media_id") }

// StorageKey returns storage_key.
func (r *MediaReference) StorageKey() *string { return r.doc.str("storage_key") }

// StorageBackend returns storage_backend.
func (r *MediaReference) StorageBackend() *string { return r.doc.str("storage_backend") }

// SessionID returns session_id.
func (r *MediaReference) SessionID() *string { return r.doc.str("session_id") }

// Bucket returns bucket.
func (r *MediaReference) Bucket() *string { return r.doc.str("bucket") }

// Region returns region.
func (r *MediaReference) Region() *string { return r.doc.str("region") }

// URL returns url.
func (r *MediaReference) URL() *string { return r.doc.str("url") }

// MimeType returns mime_type.
func (r *MediaReference) MimeType() *string { return r.doc.str("mime_type") }

// FileName returns filename.
func (r *MediaReference) FileName() *string { return r.doc.str("filename") }

// Size returns size.
func (r *MediaReference) Size() *int { return r.doc.int("size") }

// ContentHash returns content_hash.
func (r *MediaReference) ContentHash() *string { return r.doc.str("content_hash") }

// MediaType returns media_type.
func (r *MediaReference) MediaType() *string { return r.doc.str("media_type") }

// Metadata returns metadata.
func (r *MediaReference) Metadata() JSON { return r.doc.raw("metadata") }
