package live

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sessiongraph/models"
)

// metrics are the subscriptions' Prometheus metrics. Labels are bounded:
// kind is a Subscription field, code one of models.Codes.
type metrics struct {
	open          *prometheus.GaugeVec
	events        *prometheus.CounterVec
	ended         *prometheus.CounterVec
	watchErrors   prometheus.Counter
	watchDuration prometheus.Histogram
	lagSeconds    prometheus.Histogram
}

// newMetrics creates the metrics and registers them with reg, when not nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "sessiongraph_subscriptions_open",
			Help: "Subscriptions open, by field.",
		}, []string{"kind"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sessiongraph_subscription_events_total",
			Help: "Events queued for subscribers, by field.",
		}, []string{"kind"}),
		ended: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sessiongraph_subscriptions_ended_total",
			Help: "Subscriptions ended by the server, by error code (SLOW_CONSUMER: cut off for leaving too many events unread; UNAUTHENTICATED: token expired).",
		}, []string{"code"}),
		watchErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sessiongraph_watcher_errors_total",
			Help: "Reads of a database's change feed that failed (retried at the next tick).",
		}),
		watchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "sessiongraph_watcher_read_duration_seconds",
			Help:    "Time a watcher takes to read a database's changes and queue their events.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		lagSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "sessiongraph_watcher_lag_seconds",
			Help:    "Time from a change's timestamp (whole seconds, by the writer's clock) to its events being queued.",
			Buckets: []float64{.5, 1, 1.5, 2, 3, 5, 10, 30, 60},
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.open, m.events, m.ended, m.watchErrors, m.watchDuration, m.lagSeconds} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) opened(kind string) { m.open.WithLabelValues(kind).Inc() }

func (m *metrics) closed(kind string, code models.Code, byServer bool) {
	m.open.WithLabelValues(kind).Dec()
	if byServer {
		m.ended.WithLabelValues(string(code)).Inc()
	}
}

func (m *metrics) delivered(kind string) { m.events.WithLabelValues(kind).Inc() }

// lag observes the newest change of a batch.
func (m *metrics) lag(changes []models.Change) {
	var newest int64
	for i := range changes {
		newest = max(newest, changes[i].At)
	}
	m.lagSeconds.Observe(max(0, time.Since(time.Unix(newest, 0)).Seconds()))
}
