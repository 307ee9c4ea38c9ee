package dataset

import (
	"math/rand/v2"
	"time"
)

// Realistic returns the realistic profile: n sessions, the same for the
// same seed, their timestamps spread over the 90 days before now.
func Realistic(seed int64, n int, now time.Time) Profile {
	return &realistic{seed: seed, now: now, plans: planSessions(seed, max(n, 0))}
}

type realistic struct {
	seed  int64
	now   time.Time
	plans []sessionPlan
}

func (p *realistic) Len() int { return len(p.plans) }

func (p *realistic) Session(i int) Session {
	plan := &p.plans[i]
	b := newSessionBuilder(sessionRand(p.seed, i), plan)
	r := b.r
	span := int64(0)
	for t := 1; t < plan.turns; t++ {
		gap := 20 + r.Int64N(15*60)
		if r.Float64() < 0.1 && span < day {
			gap = 2*60*60 + r.Int64N(18*60*60)
		}
		b.gaps = append(b.gaps, gap)
		span += gap + 300
	}
	// The last turn may start up to ~5 minutes after the previous one ends; keep
	// the whole session, including its final run, before now.
	latest := p.now.Unix() - span - 600
	b.start(latest-r.Int64N(90*day-span-600), r.Float64()*0.9)
	return b.session()
}

const day = int64(24 * 60 * 60)

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
			p.neverRan = true
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
