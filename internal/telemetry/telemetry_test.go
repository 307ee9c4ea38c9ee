package telemetry_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"sessiongraph/internal/telemetry"
)

func TestTracingEnabled(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"nothing set leaves it off", nil, false},
		{"an OTLP endpoint turns it on", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
		{"a traces endpoint turns it on", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, true},
		{"an exporter name turns it on", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true},
		{"the exporter none keeps it off despite an endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, false},
		{"OTEL_SDK_DISABLED wins", map[string]string{"OTEL_SDK_DISABLED": "TRUE", "OTEL_TRACES_EXPORTER": "otlp"}, false},
		{"OTEL_SDK_DISABLED=false does not disable", map[string]string{"OTEL_SDK_DISABLED": "false", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := telemetry.TracingEnabled(func(k string) string { return c.env[k] }); got != c.want {
				t.Errorf("TracingEnabled = %v, want %v", got, c.want)
			}
		})
	}
}

func TestNewLogger(t *testing.T) {
	var buf bytes.Buffer
	log, err := telemetry.NewLogger(&buf, "json", "warn")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("dropped")
	log.Warn("kept", "request_id", "r-1")
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil || rec["msg"] != "kept" || rec["request_id"] != "r-1" || strings.Contains(buf.String(), "dropped") {
		t.Errorf("logged %q (%v)", buf.String(), err)
	}
	buf.Reset()
	log, _ = telemetry.NewLogger(&buf, "text", "debug")
	log.Debug("shown")
	if !strings.Contains(buf.String(), "level=DEBUG msg=shown") {
		t.Errorf("logged %q", buf.String())
	}
}
