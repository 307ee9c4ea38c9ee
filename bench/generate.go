// Package bench generates Agno-shaped session data at benchmark scale and
// loads it into PostgreSQL quickly (COPY). The `sgbench` command and the
// package's Go benchmarks build on it.
//
// The data has exact sizes — sessions × runs per session × messages per run —
// in Agno 2.9's stored shapes: mostly agent sessions, some team sessions (member
// runs stored as top-level entries before their team run) and some workflow
// sessions (step_results and step_executor_runs). Unlike the demo dataset it
// favours volume over variety: every run has the same number of messages.
package bench

import (
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"sessiongraph/models"
)

// Spec describes a generated dataset. The same Spec gives the same rows.
type Spec struct {
	Sessions int   // rows
	Runs     int   // entries in each session's runs array
	Messages int   // messages of each run (a workflow run's are in its step run)
	Seed     int64 // picks the content
}

// Share of session kinds.
const (
	agentShare = 0.7
	teamShare  = 0.2 // the rest are workflow sessions
	namedShare = 0.4 // sessions with a stored session_name
	tieShare   = 50  // one session in tieShare has the created_at of the one before
)

// Timestamps: created_at spreads over the year before epochEnd (fixed, so
// that a seed gives the same rows whenever it runs).
var epochEnd = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC).Unix()

const yearSeconds = 365 * 24 * 3600

// Generate returns the rows of spec, in session index order (oldest first).
func Generate(spec Spec) []models.SessionRow {
	rows := make([]models.SessionRow, max(spec.Sessions, 0))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(rows)/100))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(rows); i += workers {
				rows[i] = spec.Row(i)
			}
		})
	}
	wg.Wait()
	return rows
}

// Row returns session i of spec (0 ≤ i < spec.Sessions). Each session draws
// from its own random stream, so rows can be built in any order or in parallel.
func (spec Spec) Row(i int) models.SessionRow {
	b := &builder{spec: spec, r: rand.New(rand.NewPCG(mix(spec.Seed, i, 0), mix(spec.Seed, i, 1)))}
	return b.session(i)
}

// CreatedAt returns the created_at of session i: later sessions are newer,
// about one in fifty ties with the session before it.
func (spec Spec) CreatedAt(i int) int64 {
	n := int64(max(spec.Sessions, 1))
	for i > 0 && mix(spec.Seed, i, 2)%tieShare == 0 {
		i--
	}
	gap := max(yearSeconds/n, 1)
	return epochEnd - yearSeconds + int64(i)*yearSeconds/n + int64(mix(spec.Seed, i, 3)%uint64(gap))
}

// mix hashes a seed, a session index and a stream number (SplitMix64).
func mix(seed int64, i int, stream uint64) uint64 {
	x := uint64(seed)*0x9e3779b97f4a7c15 ^ uint64(i+1)*0xbf58476d1ce4e5b9 ^ (stream+1)*0x94d049bb133111eb
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// builder writes one session.
type builder struct {
	spec    Spec
	r       *rand.Rand
	w       jsonWriter
	scratch []byte

	sessionID string
	userID    string // "" when the session has no user
	clock     int64  // the session's current time, epoch seconds

	// session_metrics accumulated over the runs
	inputTokens, outputTokens int64
	models                    map[model][2]int64
}

func (b *builder) session(i int) models.SessionRow {
	b.sessionID = b.uuid()
	row := models.SessionRow{SessionID: b.sessionID, CreatedAt: b.spec.CreatedAt(i)}
	if b.r.IntN(100) >= 3 {
		b.userID = users[b.r.IntN(len(users))]
		row.UserID = &b.userID
	}
	b.clock = row.CreatedAt
	b.models = map[model][2]int64{}
	var title string
	var d *domain
	switch x := b.r.Float64(); {
	case x < agentShare:
		a := agents[b.r.IntN(len(agents))]
		row.SessionType, row.AgentID, d = "agent", &a.id, a.domain
		row.Runs = b.agentRuns(a)
		row.AgentData = b.componentData("agent_id", a.id, a.name, a.model)
		row.Summary = b.summary(d)
	case x < agentShare+teamShare:
		t := teams[b.r.IntN(len(teams))]
		row.SessionType, row.TeamID, d = "team", &t.id, t.domain
		row.Runs = b.teamRuns(t)
		row.TeamData = b.componentData("team_id", t.id, t.name, t.model)
		row.Summary = b.summary(d)
	default:
		wf := workflows[b.r.IntN(len(workflows))]
		row.SessionType, row.WorkflowID, d = "workflow", &wf.id, wf.research.domain
		row.Runs = b.workflowRuns(wf)
		row.WorkflowData = b.workflowData(wf)
		row.Summary = json.RawMessage("null") // workflow sessions have no summary
	}
	if b.r.Float64() < namedShare {
		title = b.fill(pick(b.r, d.titles))
	}
	row.SessionData = b.sessionData(title, row.SessionType)
	row.Metadata = b.metadata(row.SessionType)
	updated := b.clock
	row.UpdatedAt = &updated
	return row
}

func pick[T any](r *rand.Rand, items []T) T { return items[r.IntN(len(items))] }

// uuid returns a random version-4 UUID from the session's stream.
func (b *builder) uuid() string {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], b.r.Uint64())
	binary.LittleEndian.PutUint64(u[8:], b.r.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			s[j] = '-'
			j++
		}
		s[j], s[j+1] = hexDigits[c>>4], hexDigits[c&0xf]
		j += 2
	}
	return string(s[:])
}

// callID returns an OpenAI-style tool call id.
func (b *builder) callID() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	s := []byte("call_000000000000000000000000")
	for i := 5; i < len(s); i++ {
		s[i] = alnum[b.r.IntN(len(alnum))]
	}
	return string(s)
}

// fill replaces {n} in a template with a number drawn for this text.
func (b *builder) fill(tmpl string) string {
	if !strings.Contains(tmpl, "{n}") {
		return tmpl
	}
	n := strconv.Itoa(20 + b.r.IntN(9000))
	return strings.ReplaceAll(tmpl, "{n}", n)
}

// answer assembles an assistant answer of a few hundred bytes from a domain's sentences.
func (b *builder) answer(d *domain) string {
	b.scratch = b.scratch[:0]
	n := 2 + b.r.IntN(3)
	start := b.r.IntN(len(d.answers))
	for k := range n {
		if k > 0 {
			b.scratch = append(b.scratch, ' ')
		}
		b.scratch = append(b.scratch, b.fill(d.answers[(start+k)%len(d.answers)])...)
	}
	b.scratch = append(b.scratch, ' ')
	b.scratch = append(b.scratch, pick(b.r, commonSentences)...)
	return string(b.scratch)
}

func (b *builder) componentData(idKey, id, name string, m model) json.RawMessage {
	w := &b.w
	w.obj()
	w.kstr("name", name)
	w.kstr(idKey, id)
	w.key("model")
	w.obj()
	w.kstr("id", m.id)
	w.kstr("name", m.name)
	w.kstr("provider", m.provider)
	w.endObj()
	w.endObj()
	return w.bytes()
}

func (b *builder) workflowData(wf *workflow) json.RawMessage {
	w := &b.w
	w.obj()
	w.kstr("workflow_id", wf.id)
	w.kstr("name", wf.name)
	w.key("steps")
	w.arr()
	for k, name := range wf.stepNames {
		w.obj()
		w.kstr("name", name)
		w.kstr("description", wf.stepDescriptions[k])
		w.kstr("type", "Step")
		w.endObj()
	}
	w.endArr()
	w.endObj()
	return w.bytes()
}

func (b *builder) sessionData(name, sessionType string) json.RawMessage {
	w := &b.w
	w.obj()
	if name != "" {
		w.kstr("session_name", name)
	}
	w.key("session_state")
	w.obj()
	if sessionType == "workflow" {
		w.kint("runs_completed", int64(b.spec.Runs))
	} else {
		w.kstr("locale", pick(b.r, []string{"en-US", "de-DE", "fr-BE", "pt-PT"}))
		w.key("cart")
		w.arr()
		for range b.r.IntN(3) {
			w.str("SKU-" + strconv.Itoa(1000+b.r.IntN(9000)))
		}
		w.endArr()
	}
	w.endObj()
	w.key("session_metrics")
	w.obj()
	b.tokenCounters(b.inputTokens, b.outputTokens)
	if len(b.models) > 0 {
		w.key("details")
		w.obj()
		w.key("model")
		w.arr()
		for _, m := range []model{gpt4o, gpt4oMini, claude, gemini} {
			if t, ok := b.models[m]; ok {
				w.obj()
				w.kstr("id", m.id)
				w.kstr("provider", m.provider)
				b.tokenCounters(t[0], t[1])
				w.endObj()
			}
		}
		w.endArr()
		w.endObj()
	}
	w.endObj()
	w.endObj()
	return w.bytes()
}

// tokenCounters writes Agno's token counters, dropping zeros as Agno does.
func (b *builder) tokenCounters(in, out int64) {
	if in > 0 {
		b.w.kint("input_tokens", in)
	}
	if out > 0 {
		b.w.kint("output_tokens", out)
	}
	if in+out > 0 {
		b.w.kint("total_tokens", in+out)
	}
}

func (b *builder) metadata(sessionType string) json.RawMessage {
	if sessionType == "workflow" {
		return json.RawMessage("{}") // WorkflowSession turns None into {}
	}
	if b.r.IntN(2) == 0 {
		return json.RawMessage("null")
	}
	w := &b.w
	w.obj()
	w.kstr("source", pick(b.r, []string{"web", "ios", "android", "slack"}))
	w.kstr("app_version", "2."+strconv.Itoa(b.r.IntN(12))+".0")
	w.endObj()
	return w.bytes()
}

func (b *builder) summary(d *domain) json.RawMessage {
	if b.r.IntN(10) >= 3 {
		return json.RawMessage("null")
	}
	w := &b.w
	w.obj()
	w.kstr("summary", "The user asked: "+b.fill(pick(b.r, d.asks)))
	w.key("topics")
	w.arr()
	w.str(pick(b.r, d.topics))
	w.str(pick(b.r, d.topics))
	w.endArr()
	w.kstr("updated_at", time.Unix(b.clock, 0).UTC().Format("2006-01-02T15:04:05.000000+00:00"))
	w.endObj()
	return w.bytes()
}
