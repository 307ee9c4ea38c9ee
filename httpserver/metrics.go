package httpserver

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sessiongraph/models"
)

// Metrics are the Prometheus metrics of HTTP answers. Their labels are
// bounded whatever clients send: route is a pattern the server registered
// ("" for a path it has none for), status an HTTP status code, code one
// of models.Codes.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	refusals *prometheus.CounterVec
}

// NewMetrics creates the HTTP metrics and registers them with reg; it fails
// if reg holds them already.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sessiongraph_http_requests_total",
			Help: "HTTP requests answered, by route and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "sessiongraph_http_request_duration_seconds",
			Help:    "Time from receiving an HTTP request's headers to the end of its answer.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sessiongraph_http_refusals_total",
			Help: "HTTP requests refused before GraphQL ran (body too large, not a GraphQL request, unauthenticated, wrong method), by error code.",
		}, []string{"code"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.refusals} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) observe(route string, status int, took time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(took.Seconds())
}

func (m *Metrics) refused(code models.Code) {
	m.refusals.WithLabelValues(string(code)).Inc()
}
