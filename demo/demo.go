// Package demo generates the dataset that `sessiongraph --demo` serves: agno_sessions
// rows for agent, team and workflow sessions in the exact JSON shapes Agno 2.9
// stores, with canned but realistic conversations, tool calls, metrics and the
// odd corners real tables have (failed and cancelled runs, a paused run, SQL NULL
// next to JSON null, legacy rows without updated_at).
package demo

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"sessiongraph/models"
)

// Generate returns n agno_sessions rows in Agno 2.9's exact stored shapes, the same
// for the same seed; timestamps are epoch seconds spread over the 90 days before now.
func Generate(seed int64, n int, now time.Time) []models.SessionRow {
	plans := planSessions(seed, max(n, 0))
	rows := make([]models.SessionRow, len(plans))
	// Each session draws from its own random stream, so building them in
	// parallel gives the same rows as building them one after the other.
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), max(1, len(plans)/50))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(plans); i += workers {
				rows[i] = newSessionBuilder(seed, i, now, &plans[i]).row()
			}
		})
	}
	wg.Wait()
	return rows
}

const (
	kindAgent    = "agent"
	kindTeam     = "team"
	kindWorkflow = "workflow"

	statusCompleted = "COMPLETED"
	statusError     = "ERROR"
	statusCancelled = "CANCELLED"
	statusPaused    = "PAUSED"

	day = int64(24 * 60 * 60)
)

// jsonNull is what Agno writes for a Python None in a JSON column.
var jsonNull = json.RawMessage("null")

// sessionPlan holds the choices made for a session before its content is generated.
type sessionPlan struct {
	kind     string
	agent    *agentSpec
	team     *teamSpec
	workflow *workflowSpec
	userID   *string
	// turns is the number of user turns (agent and team) or workflow runs;
	// 0 is a session created through POST /sessions that never ran.
	turns       int
	runsSQLNull bool // with turns == 0: runs is SQL NULL rather than JSON null
	named       bool // session_data.session_name is set
	legacy      bool // an old row: updated_at, metadata and (agent, team) summary are SQL NULL
	pause       bool // the last run pauses for a tool confirmation
	noInput     bool // the first workflow run has no input
}

// planSessions draws the session kinds, components, users and sizes in one
// sequential pass, so the rarities (paused runs, a workflow run without input,
// runs that are SQL NULL) land on predictable sessions.
func planSessions(seed int64, n int) []sessionPlan {
	r := rand.New(rand.NewPCG(splitmix(uint64(seed)), 0x5e55))
	plans := make([]sessionPlan, n)
	paused := map[*agentSpec]bool{}
	noInputDone := false
	emptySessions := 0
	for i := range plans {
		p := &plans[i]
		switch x := r.Float64(); {
		case x < 0.55:
			p.kind = kindAgent
			p.agent = pickWeighted(r, agents, func(a *agentSpec) int { return a.weight })
		case x < 0.80:
			p.kind = kindTeam
			p.team = pickWeighted(r, teams, func(t *teamSpec) int { return t.weight })
		default:
			p.kind = kindWorkflow
			p.workflow = pickWeighted(r, workflows, func(w *workflowSpec) int { return w.weight })
		}
		if r.Float64() >= 0.05 {
			u := pickWeighted(r, users, func(u user) int { return u.weight }).id
			p.userID = &u
		}
		p.turns = pickTurns(r, p.kind)
		if p.turns == 0 {
			p.runsSQLNull = emptySessions%2 == 0
			emptySessions++
		}
		p.named = r.Float64() < 0.4
		p.legacy = r.Float64() < 0.03
		// The paused turn follows up on an earlier one ("book that flight").
		if p.agent != nil && p.agent.pause != nil && p.turns >= 2 && !paused[p.agent] {
			p.pause = true
			paused[p.agent] = true
		}
		if p.workflow == blogWriter && p.turns > 0 && !noInputDone {
			p.noInput = true
			noInputDone = true
		}
	}
	return plans
}

// pickTurns returns how many turns a session has: mostly short, a long tail,
// and about 3% never ran.
func pickTurns(r *rand.Rand, kind string) int {
	if r.Float64() < 0.03 {
		return 0
	}
	switch kind {
	case kindTeam:
		return 1 + pickIndex(r, []int{45, 30, 15, 10})
	case kindWorkflow:
		return 1 + pickIndex(r, []int{60, 25, 15})
	default:
		return 1 + pickIndex(r, []int{25, 22, 18, 12, 9, 7, 4, 3})
	}
}

func pickIndex(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func pickWeighted[T any](r *rand.Rand, items []T, weight func(T) int) T {
	weights := make([]int, len(items))
	for i, it := range items {
		weights[i] = weight(it)
	}
	return items[pickIndex(r, weights)]
}

func pick[T any](r *rand.Rand, items []T) T {
	return items[r.IntN(len(items))]
}

// splitmix is SplitMix64's finaliser; it turns nearby seeds into unrelated streams.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// sessionBuilder generates one session from its plan. Every session has its own
// random stream, so its content does not depend on the sessions before it.
type sessionBuilder struct {
	r    *rand.Rand
	p    *sessionPlan
	id   string
	user string // "" when the session has no user
	v    *vars
	// sessionState is the component's session_state, nil when it keeps none.
	sessionState object
	// clock is the current time in the session, in seconds.
	clock float64
	// gaps are the pauses before each turn after the first, drawn up front so the
	// session can be placed to end before now.
	gaps    []int64
	metrics sessionMetrics
	// history holds the user, assistant and tool messages of each completed
	// turn, for components that replay history.
	history [][]message
	// titles are the session name candidates (exchange titles); summaries
	// and topics feed the session summary.
	titles    []string
	summaries []string
	topics    []string
}

func newSessionBuilder(seed int64, index int, now time.Time, p *sessionPlan) *sessionBuilder {
	r := rand.New(rand.NewPCG(splitmix(uint64(seed)), splitmix(uint64(seed)^uint64(index+1)*0x9e3779b97f4a7c15)))
	b := &sessionBuilder{r: r, p: p}
	b.id = b.uuid()
	if p.userID != nil {
		b.user = *p.userID
	}
	span := int64(0)
	for t := 1; t < p.turns; t++ {
		gap := 20 + r.Int64N(15*60)
		if r.Float64() < 0.1 && span < day {
			gap = 2*60*60 + r.Int64N(18*60*60)
		}
		b.gaps = append(b.gaps, gap)
		span += gap + 300
	}
	// The last turn may start up to ~5 minutes after the previous one ends; keep
	// the whole session, including its final run, before now.
	latest := now.Unix() - span - 600
	start := latest - r.Int64N(90*day-span-600)
	b.clock = float64(start) + r.Float64()*0.9
	b.v = newVars(r, start)
	return b
}

// row generates the session and returns it as a table row.
func (b *sessionBuilder) row() models.SessionRow {
	p := b.p
	row := models.SessionRow{SessionID: b.id, SessionType: p.kind, UserID: p.userID, CreatedAt: int64(b.clock)}
	if b.r.Float64() < 0.7 {
		b.sessionState = b.state()
	}
	var runs []any
	switch p.kind {
	case kindAgent:
		row.AgentID = ptr(p.agent.id)
		runs = b.agentSession(p.agent)
	case kindTeam:
		row.TeamID = ptr(p.team.id)
		runs = b.teamSession(p.team)
	case kindWorkflow:
		row.WorkflowID = ptr(p.workflow.id)
		runs = b.workflowSession(p.workflow)
	}
	updated := int64(b.clock)
	row.UpdatedAt = &updated

	if p.turns == 0 {
		b.fillNeverRun(&row)
		return row
	}
	row.Runs = mustJSON(runs)
	row.SessionData = mustJSON(b.sessionData())
	row.Metadata = b.metadata()
	switch p.kind {
	case kindAgent:
		row.AgentData = mustJSON(componentData{Name: p.agent.name, AgentID: p.agent.id, Model: p.agent.model.data()})
		row.Summary = b.summary()
	case kindTeam:
		row.TeamData = mustJSON(componentData{Name: p.team.name, TeamID: p.team.id, Model: p.team.model.data()})
		row.Summary = b.summary()
	case kindWorkflow:
		row.WorkflowData = mustJSON(b.workflowData())
		row.Summary = jsonNull
	}
	if p.legacy {
		row.UpdatedAt = nil
		row.Metadata = nil
		if p.kind != kindWorkflow {
			row.Summary = nil
		}
	}
	return row
}

// fillNeverRun fills a session created through POST /sessions that has no runs:
// session_data holds only the state and name the caller gave; agent and team
// data, session data and summary are JSON null otherwise, and workflow sessions
// get {} instead (WorkflowSession turns None into {}).
func (b *sessionBuilder) fillNeverRun(row *models.SessionRow) {
	p := b.p
	if p.runsSQLNull {
		row.Runs = nil
	} else {
		row.Runs = jsonNull
	}
	var data object
	if b.sessionState != nil && b.r.Float64() < 0.3 {
		data = append(data, field{"session_state", b.sessionState})
	}
	if p.named {
		data = append(data, field{"session_name", pick(b.r, newSessionNames)})
	}
	switch p.kind {
	case kindWorkflow:
		if data == nil {
			data = object{}
		}
		row.SessionData = mustJSON(data)
		row.WorkflowData = json.RawMessage("{}")
		row.Metadata = json.RawMessage("{}")
		row.Summary = jsonNull
	default:
		if data == nil {
			row.SessionData = jsonNull
		} else {
			row.SessionData = mustJSON(data)
		}
		if p.kind == kindAgent {
			row.AgentData = jsonNull
		} else {
			row.TeamData = jsonNull
		}
		row.Metadata = b.metadata()
		row.Summary = jsonNull
	}
}

var newSessionNames = []string{"New conversation", "Scratchpad", "Q&A for onboarding", "Draft — do not delete", "Kundenanfrage Müller"}

// sessionData is session_data after the runs: state, accumulated metrics and,
// when the user renamed the session, its name (set last, so it comes last).
func (b *sessionBuilder) sessionData() object {
	var data object
	if b.sessionState != nil {
		data = append(data, field{"session_state", b.sessionState})
	}
	data = append(data, field{"session_metrics", b.metrics})
	if b.p.named && len(b.titles) > 0 {
		data = append(data, field{"session_name", b.titles[0]})
	}
	return data
}

func (b *sessionBuilder) state() object {
	var f func(*vars) object
	switch b.p.kind {
	case kindAgent:
		f = b.p.agent.state
	case kindTeam:
		f = b.p.team.state
	case kindWorkflow:
		f = b.p.workflow.state
	}
	if f == nil {
		return nil
	}
	return f(b.v)
}

// metadata is the app's session metadata: an object, or JSON null when the
// app attached none. Workflow sessions always get {}.
func (b *sessionBuilder) metadata() json.RawMessage {
	var options []object
	switch b.p.kind {
	case kindAgent:
		options = b.p.agent.metadata
	case kindTeam:
		options = b.p.team.metadata
	default:
		return json.RawMessage("{}")
	}
	if len(options) == 0 || b.r.Float64() < 0.4 {
		return jsonNull
	}
	return mustJSON(pick(b.r, options))
}

// summary is the session summary some agents and teams keep (JSON null otherwise).
func (b *sessionBuilder) summary() json.RawMessage {
	if len(b.summaries) == 0 || b.r.Float64() >= 0.35 {
		return jsonNull
	}
	text := b.summaries[0]
	if len(b.summaries) > 1 {
		text += " Later: " + b.summaries[len(b.summaries)-1]
	}
	// SessionSummary.updated_at is datetime.now().isoformat(): local, naive, microseconds.
	at := time.Unix(int64(b.clock)+1, int64(b.r.IntN(1_000_000))*1000).UTC()
	return mustJSON(sessionSummary{Summary: text, Topics: b.topics, UpdatedAt: at.Format("2006-01-02T15:04:05.000000")})
}

func (b *sessionBuilder) workflowData() workflowData {
	w := b.p.workflow
	data := workflowData{WorkflowID: w.id, Name: w.name}
	for _, s := range w.steps {
		data.Steps = append(data.Steps, stepData{Name: s.name, Description: s.description, Type: "Step"})
	}
	return data
}

// advance moves the session clock to the start of the next turn.
func (b *sessionBuilder) advance(turn int) {
	if turn > 0 {
		b.clock = float64(int64(b.clock)+b.gaps[turn-1]) + b.r.Float64()*0.9
	}
}

// note records what a completed turn was about, for the session name and summary.
func (b *sessionBuilder) note(title, summary string, topics []string) {
	if title != "" {
		b.titles = append(b.titles, b.fill(title))
	}
	if summary != "" {
		b.summaries = append(b.summaries, b.fill(summary))
	}
	for _, t := range topics {
		t = b.fill(t)
		seen := false
		for _, have := range b.topics {
			seen = seen || have == t
		}
		if !seen {
			b.topics = append(b.topics, t)
		}
	}
}

// replay returns copies of the messages of the last completed turns, marked
// from_history the way Agno tags history added to the context.
func (b *sessionBuilder) replay() []message {
	const historyRuns = 3
	from := max(0, len(b.history)-historyRuns)
	var out []message
	for _, msgs := range b.history[from:] {
		for _, m := range msgs {
			m.FromHistory = true
			out = append(out, m)
		}
	}
	return out
}

// remember stores a completed turn's non-system messages for later replay.
func (b *sessionBuilder) remember(msgs []message) {
	var keep []message
	for _, m := range msgs {
		if m.Role != "system" && !m.FromHistory {
			keep = append(keep, m)
		}
	}
	b.history = append(b.history, keep)
}

func (b *sessionBuilder) fill(s string) string {
	return b.v.fill(s)
}

// fillValue fills placeholders in the strings of an object, recursively.
func (b *sessionBuilder) fillValue(v any) any {
	switch v := v.(type) {
	case string:
		return b.fill(v)
	case object:
		out := make(object, len(v))
		for i, f := range v {
			out[i] = field{f.key, b.fillValue(f.value)}
		}
		return out
	default:
		return v
	}
}

// uuid returns a random version 4 UUID from the session's stream.
func (b *sessionBuilder) uuid() string {
	return formatUUID(b.r.Uint64(), b.r.Uint64())
}

// formatUUID formats 128 random bits as a version 4 UUID.
func formatUUID(hi, lo uint64) string {
	const hexDigits = "0123456789abcdef"
	hi = hi&^(0xf<<12) | 0x4<<12       // version 4
	lo = lo&^(0x3<<62) | uint64(2)<<62 // RFC 4122 variant
	var out [36]byte
	pos := 0
	for i := range 32 {
		if i == 8 || i == 12 || i == 16 || i == 20 {
			out[pos] = '-'
			pos++
		}
		word, shift := hi, 60-4*i
		if i >= 16 {
			word, shift = lo, 60-4*(i-16)
		}
		out[pos] = hexDigits[(word>>shift)&0xf]
		pos++
	}
	return string(out[:])
}

// toolCallID returns a provider-style tool call id ("call_…" or "toolu_01…").
func (b *sessionBuilder) toolCallID(m model) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var buf [24]byte
	for i := range buf {
		buf[i] = alphabet[b.r.IntN(len(alphabet))]
	}
	return m.toolCallPrefix + string(buf[:])
}

// newVars draws the values one session's text talks about.
func newVars(r *rand.Rand, start int64) *vars {
	t := time.Unix(start, 0).UTC()
	soon := t.AddDate(0, 0, 3+r.IntN(8))
	lastMonth := t.AddDate(0, -1, 0)
	q := (int(t.Month())-1)/3 - 1 // the previous quarter
	qYear := t.Year()
	if q < 0 {
		q, qYear = 3, qYear-1
	}
	qStart := time.Date(qYear, time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
	budget := 800 + 50*r.IntN(45)
	price1 := 89 + r.IntN(180)
	v := &vars{
		order:    strconv.Itoa(10000 + r.IntN(90000)),
		order2:   strconv.Itoa(10000 + r.IntN(90000)),
		ticket:   strconv.Itoa(1000 + r.IntN(9000)),
		customer: pick(r, customers),
		product:  pick(r, products),
		plan:     pick(r, plans),
		amount:   pick(r, []string{"9.90", "19.00", "29.00", "49.00", "119.00"}),
		city:     pick(r, cities),
		month:    soon.Month().String(),
		date:     soon.Format("Monday 2 January"),
		isoDate:  soon.Format("2006-01-02"),
		isoMonth: lastMonth.Format("2006-01"),
		quarter:  fmt.Sprintf("Q%d %d", q+1, qYear),
		qStart:   qStart.Format("2006-01-02"),
		qEnd:     qStart.AddDate(0, 3, 0).Format("2006-01-02"),
		year:     strconv.Itoa(t.Year()),
		region:   pick(r, regions),
		pct:      fmt.Sprintf("%.1f", 5+r.Float64()*9),
		n:        strconv.Itoa(4600 + r.IntN(900)),
		vat:      strconv.Itoa(100000000 + r.IntN(900000000)),
		days:     3 + r.IntN(5),
		budget:   budget,
		budget2:  budget - 200,
		high:     8 + r.IntN(24),
		rain:     2 + r.IntN(12),
		price1:   price1,
		price2:   price1 - 20 - r.IntN(40),
		pick:     r.IntN(100),
	}
	v.low = v.high - 6 - r.IntN(5)
	return v
}

// fill replaces the {placeholders} in s; unknown ones (and JSON braces) stay as they are.
func (v *vars) fill(s string) string {
	i := strings.IndexByte(s, '{')
	if i < 0 {
		return s
	}
	var out strings.Builder
	out.Grow(len(s) + 32)
	for i >= 0 {
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			break
		}
		if value, ok := v.lookup(s[i+1 : i+end]); ok {
			out.WriteString(s[:i])
			out.WriteString(value)
			s = s[i+end+1:]
		} else {
			out.WriteString(s[:i+1])
			s = s[i+1:]
		}
		i = strings.IndexByte(s, '{')
	}
	out.WriteString(s)
	return out.String()
}

func (v *vars) lookup(name string) (string, bool) {
	itoa := strconv.Itoa
	switch name {
	case "order":
		return v.order, true
	case "order2":
		return v.order2, true
	case "ticket":
		return v.ticket, true
	case "customer":
		return v.customer, true
	case "product":
		return v.product, true
	case "plan":
		return v.plan, true
	case "amount":
		return v.amount, true
	case "city":
		return v.city, true
	case "month":
		return v.month, true
	case "date":
		return v.date, true
	case "isodate":
		return v.isoDate, true
	case "isomonth":
		return v.isoMonth, true
	case "quarter":
		return v.quarter, true
	case "qstart":
		return v.qStart, true
	case "qend":
		return v.qEnd, true
	case "year":
		return v.year, true
	case "region":
		return v.region, true
	case "pct":
		return v.pct, true
	case "n":
		return v.n, true
	case "vat":
		return v.vat, true
	case "days":
		return itoa(v.days), true
	case "budget":
		return itoa(v.budget), true
	case "budget2":
		return itoa(v.budget2), true
	case "high":
		return itoa(v.high), true
	case "low":
		return itoa(v.low), true
	case "rain":
		return itoa(v.rain), true
	case "price1":
		return itoa(v.price1), true
	case "price2":
		return itoa(v.price2), true
	}
	return "", false
}
