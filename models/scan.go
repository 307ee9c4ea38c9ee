package models

import (
	"bytes"
	"encoding/json"
	"math"
)

// The scan below finds where the values of a JSON document begin and end,
// without decoding them, in one pass. It reads only documents already known
// to be valid (jsonb, or text validated once where the column is read), so it
// checks nothing JSON's grammar requires beyond what it needs to find its
// way, and gives up (ok false) whenever it does not find what valid JSON
// would have; its callers then read the document with gjson instead.
//
// It exists because runs are read at four depths — the runs array, each
// run's fields, each message's and tool's fields, each tool call's — and a
// scan per depth, as gjson and jsonparser offer, reads every byte of a
// session's runs three or four times. Here one pass indexes them all: BenchmarkRunMessages
// went from 1.2 ms (gjson at each depth) to 0.42 ms, and a (b) request's
// server CPU from about 0.73 to 0.61 ms under load. Strings, most of the
// bytes, are skipped with bytes.IndexByte.

// maxScan is the largest document the scan reads: its offsets are int32.
const maxScan = math.MaxInt32

// skipSpace returns the index of the first byte at or after i that is not JSON whitespace.
func skipSpace(d []byte, i int) int {
	for i < len(d) {
		switch d[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the index past the string that opens at d[i], -1 if it does not end.
func stringEnd(d []byte, i int) int {
	i++
	for i <= len(d) {
		j := bytes.IndexByte(d[i:], '"')
		if j < 0 {
			return -1
		}
		i += j
		k := i // a quote after an odd run of backslashes is escaped
		for d[k-1] == '\\' {
			k--
		}
		if (i-k)%2 == 0 {
			return i + 1
		}
		i++
	}
	return -1
}

// valueEnd returns the index past the value that begins at d[i], -1 if it does not end.
func valueEnd(d []byte, i int) int {
	if i >= len(d) {
		return -1
	}
	switch d[i] {
	case '"':
		return stringEnd(d, i)
	case '{', '[':
		depth := 0
		for i < len(d) {
			switch d[i] {
			case '"':
				if i = stringEnd(d, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	start := i // a number or a literal
	for i < len(d) {
		switch d[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return end(i, start)
		}
		i++
	}
	return end(i, start)
}

func end(i, start int) int {
	if i == start {
		return -1
	}
	return i
}

// elements are the elements of an array value found while indexing the
// object that holds it: raws[i] is an element's bytes, objs[i] the element
// read as an indexed object, absent when it is not an object.
type elements struct {
	raws []json.RawMessage
	objs []object
}

// scanner indexes objects and arrays of one document in one pass. An object
// indexed at depth d > 0 also holds the elements of its array values, those
// elements that are objects indexed at depth d-1; at depth 0, members only.
// Each depth appends members to its own arena, and the elements of arrays
// to theirs (by the depth of the array's objects, from -1), so that each
// object's members and each array's elements are contiguous.
type scanner struct {
	d       []byte
	arenas  [runDepth + 1][]member
	raws    [runDepth + 2][]json.RawMessage
	objs    [runDepth + 2][]object
	elems   []elements
	indexes []keyIndex
}

// object indexes the object that opens at d[i] and returns its members, with
// offsets from base, and the index past it; -1 if d is not as expected.
func (s *scanner) object(i, base, depth int) ([]member, int) {
	d := s.d
	arena := &s.arenas[depth]
	n := len(*arena)
	if i >= len(d) || d[i] != '{' {
		return nil, -1
	}
	if i = skipSpace(d, i+1); i < len(d) && d[i] == '}' {
		return nil, i + 1
	}
	for i < len(d) && d[i] == '"' {
		ke := stringEnd(d, i)
		if ke < 0 {
			return nil, -1
		}
		var key string
		if raw := d[i+1 : ke-1]; bytes.IndexByte(raw, '\\') < 0 {
			key = view(raw)
		} else {
			key = unquote(d[i:ke]) // an escaped key, rare
		}
		if i = skipSpace(d, ke); i >= len(d) || d[i] != ':' {
			return nil, -1
		}
		i = skipSpace(d, i+1)
		var elems *elements
		end := -1
		if depth > 0 && i < len(d) && d[i] == '[' {
			elems, end = s.array(i, depth-1)
		} else {
			end = valueEnd(d, i)
		}
		if end < 0 {
			return nil, -1
		}
		appendChunked(arena, &n, member{key: key, start: int32(i - base), end: int32(end - base), elems: elems})
		next, closed := afterValue(d, end, '}')
		switch {
		case closed:
			return (*arena)[n:len(*arena):len(*arena)], next
		case next < 0:
			return nil, -1
		}
		i = next
	}
	return nil, -1
}

// appendChunked appends v to an arena whose values from *n on belong to the
// object or array being scanned, which must stay contiguous. A full arena
// gets a new chunk, into which only those move (*n becomes 0): the values of
// objects and arrays already scanned stay where they are, not copied as
// append would copy them.
func appendChunked[T any](arena *[]T, n *int, v T) {
	if len(*arena) == cap(*arena) {
		open := (*arena)[*n:]
		grown := make([]T, len(open), max(2*len(open), cap(*arena)/2, 8))
		copy(grown, open)
		*arena, *n = grown, 0
	}
	*arena = append(*arena, v)
}

// afterValue reads what follows a value that ends at d[end] inside an object
// or array that closer closes: after a comma, the index of the next value;
// after closer, the index past it, with closed; -1 for anything else.
func afterValue(d []byte, end int, closer byte) (next int, closed bool) {
	i := skipSpace(d, end)
	switch {
	case i >= len(d):
		return -1, false
	case d[i] == ',':
		return skipSpace(d, i+1), false
	case d[i] == closer:
		return i + 1, true
	}
	return -1, false
}

// array reads the elements of the array that opens at d[i], indexing those
// that are objects at depth (at depth -1, none: objs stays empty); it
// returns them with the index past the array.
func (s *scanner) array(i, depth int) (*elements, int) {
	d := s.d
	els := s.elements()
	if i = skipSpace(d, i+1); i < len(d) && d[i] == ']' {
		return els, i + 1
	}
	raws, objs := &s.raws[depth+1], &s.objs[depth+1]
	nr, no := len(*raws), len(*objs)
	for i < len(d) {
		start, end := i, -1
		var o object
		if d[i] == '{' && depth >= 0 {
			var members []member
			if members, end = s.object(i, start, depth); end >= 0 {
				o = object{b: d[start:end:end], idx: s.index(members)}
			}
		} else {
			end = valueEnd(d, i)
		}
		if end < 0 {
			return nil, -1
		}
		appendChunked(raws, &nr, d[start:end:end])
		if depth >= 0 {
			appendChunked(objs, &no, o)
		}
		next, closed := afterValue(d, end, ']')
		switch {
		case closed:
			els.raws = (*raws)[nr:len(*raws):len(*raws)]
			if depth >= 0 {
				els.objs = (*objs)[no:len(*objs):len(*objs)]
			}
			return els, next
		case next < 0:
			return nil, -1
		}
		i = next
	}
	return nil, -1
}

// elements returns empty elements, allocated in chunks: elements handed
// out never move.
func (s *scanner) elements() *elements {
	if len(s.elems) == cap(s.elems) {
		s.elems = make([]elements, 0, max(1, 2*cap(s.elems)))
	}
	s.elems = append(s.elems, elements{})
	return &s.elems[len(s.elems)-1]
}

// index returns a ready index of members, allocated in chunks: an index
// handed out never moves.
func (s *scanner) index(members []member) *keyIndex {
	if len(s.indexes) == cap(s.indexes) {
		s.indexes = make([]keyIndex, 0, max(8, 2*cap(s.indexes)))
	}
	s.indexes = append(s.indexes, keyIndex{members: members, ok: true})
	idx := &s.indexes[len(s.indexes)-1]
	idx.once.Do(func() {})
	return idx
}

// runDepth is the depth runs are indexed at: a run's members, its messages'
// and tools' members, and their tool calls' members.
const runDepth = 2

// newScanner returns a scanner that indexes runs of n bytes in all, its
// arenas sized for Agno's: a run has a dozen or two members, its messages
// and tools about one for every 64 bytes, tool calls few.
func newScanner(n int) *scanner {
	s := &scanner{}
	s.arenas[1] = make([]member, 0, min(n/64, 1<<16))
	s.arenas[2] = make([]member, 0, min(16+n/400, 1<<12))
	// messages and tools, one for about every kilobyte; tool calls fewer
	s.elems = make([]elements, 0, min(8+n/1024, 1<<12))
	s.raws[2], s.objs[2] = make([]json.RawMessage, 0, min(8+n/1024, 1<<12)), make([]object, 0, min(8+n/1024, 1<<12))
	s.raws[1], s.objs[1] = make([]json.RawMessage, 0, min(8+n/2048, 1<<12)), make([]object, 0, min(8+n/2048, 1<<12))
	return s
}

// indexRuns indexes runs read together, such as a window's page, now and
// in one scanner: their members share arenas sized once for all of them,
// where each run's own scan would grow arenas of its own.
func indexRuns(runs []*RunCore) {
	n := 0
	for _, r := range runs {
		n += len(r.doc.b)
	}
	s := newScanner(n)
	for _, r := range runs {
		r.doc.idx = s.indexRun(r.doc.b)
	}
}

// indexRun indexes the valid object doc at runDepth and returns its index,
// not ok when the scan lost its way.
func (s *scanner) indexRun(doc []byte) *keyIndex {
	members, ok := s.members(doc, runDepth)
	idx := s.index(members)
	idx.ok = ok
	return idx
}

// members indexes the valid object doc at depth; ok is false when the scan
// lost its way.
func (s *scanner) members(doc []byte, depth int) ([]member, bool) {
	if len(doc) > maxScan {
		return nil, false
	}
	s.d = doc
	members, end := s.object(skipSpace(doc, 0), 0, depth)
	return members, end >= 0 && skipSpace(doc, end) == len(doc)
}

// scanMembers indexes the valid object doc in one pass, at runDepth when
// deep; ok is false when the scan lost its way.
func scanMembers(doc []byte, deep bool) (members []member, ok bool) {
	if deep {
		return newScanner(len(doc)).members(doc, runDepth)
	}
	return (&scanner{}).members(doc, 0)
}

// scanElements splits the valid array doc, indexing its elements that are
// objects at runDepth when deep; ok is false when the scan lost its way.
func scanElements(doc []byte, deep bool) (*elements, bool) {
	s, depth := &scanner{d: doc}, -1
	if deep {
		s, depth = newScanner(len(doc)), runDepth
		s.d = doc
	}
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '[' || len(doc) > maxScan {
		return nil, false
	}
	els, end := s.array(i, depth)
	return els, end >= 0 && skipSpace(doc, end) == len(doc)
}
