package trace_test

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"lucid/internal/handshake"
	"lucid/internal/testbuffer"
	"lucid/internal/testpki"
	"lucid/tls"
	"lucid/trace"
)

var versions = []uint16{tls.VersionTLS13, tls.VersionTLS12}

// A real Lucid client and server on loopback, each end watched by the
// timeline, the JSON writer and a recorder.
func TestLoopbackRenderers(t *testing.T) {
	f := newFixture(t)
	schema := loadSchema(t)
	for _, v := range versions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			var timeline, jsonl, keyLog bytes.Buffer
			tl := trace.NewTimeline(&timeline, trace.TimelineOptions{Records: true})
			jl := trace.NewJSONLines(&jsonl)
			rec := trace.NewRecorder(0)
			cerr, serr := f.run(t, exchange{
				version:        v,
				clientObserver: trace.Tee(tl.For("client"), jl.For("client"), rec.Observe),
				serverObserver: trace.Tee(tl.For("server"), jl.For("server"), rec.Observe),
				keyLog:         &keyLog,
			})
			if cerr != nil || serr != nil {
				t.Fatalf("client: %v, server: %v", cerr, serr)
			}
			if tl.Err() != nil || jl.Err() != nil {
				t.Fatal(tl.Err(), jl.Err())
			}
			out := timeline.String()
			t.Logf("timeline:\n%s", out)
			for _, want := range []string{
				"client  → ClientHello",
				"server  ← ClientHello",
				"SNI localhost",
				"← Certificate",
				"✓ certificate_chain",
				"chain verified",
				"→ Finished",
				"← Finished",
				"record application_data",
				"alert close_notify",
				trace.SeedSteps[1].Label(),
				trace.SeedSteps[3].Label(),
				trace.SeedSteps[4].Label(),
				trace.SeedSteps[6].Label(),
				trace.SeedSteps[7].Label(),
				tls.VersionName(v),
			} {
				if !strings.Contains(out, want) {
					t.Errorf("timeline lacks %q", want)
				}
			}
			if strings.Contains(out, "FAILED") || strings.Contains(out, "ERROR") || strings.Contains(out, "ALERT") {
				t.Errorf("a clean handshake shows a failure")
			}
			// Both ends name the shape, with the table's summary.
			shape := map[uint16]handshake.Shape{tls.VersionTLS13: handshake.ShapeTLS13Full, tls.VersionTLS12: handshake.ShapeTLS12ECDHE}[v]
			for _, side := range []string{"client", "server"} {
				if want := side + "  ◆ " + fmt.Sprintf("%-24s", "handshake_shape") + " " + shape.String() + ": " + shape.Summary(); !strings.Contains(out, want) {
					t.Errorf("timeline lacks %q", want)
				}
			}
			// The seed label comes before the step's first line.
			if i, j := strings.Index(out, trace.SeedSteps[4].Label()), strings.Index(out, "✓ certificate_chain"); i < 0 || i > j {
				t.Errorf("seed 4 label at %d, certificate check at %d", i, j)
			}

			docs := validateLines(t, schema, jsonl.String())
			if n := len(rec.Events()); n != len(docs) || rec.Dropped() != 0 {
				t.Fatalf("%d JSON lines, recorder kept %d and dropped %d", len(docs), n, rec.Dropped())
			}
			// The two ends report concurrently, so the JSON writer and the
			// recorder may see them interleaved differently: compare counts.
			seen := make(map[string]int)
			for _, e := range rec.Events() {
				seen[e.Kind.String()+" "+e.Name]--
			}
			var sawHello, sawCheck bool
			shapes := 0
			for i, d := range docs {
				if d["schema"] != "lucid.trace/1" {
					t.Fatalf("line %d: schema %v", i+1, d["schema"])
				}
				if d["source"] != "client" && d["source"] != "server" {
					t.Fatalf("line %d: source %v", i+1, d["source"])
				}
				seen[d["kind"].(string)+" "+d["name"].(string)]++
				if d["kind"] == "message_sent" && d["name"] == "ClientHello" {
					sawHello = true
					fields := d["fields"].(map[string]any)
					if suites, ok := fields["cipher_suites"].([]any); !ok || len(suites) == 0 {
						t.Errorf("ClientHello cipher_suites is %T %v, want an array", fields["cipher_suites"], fields["cipher_suites"])
					}
					if d["seed_step"] == nil || d["dir"] != "out" {
						t.Errorf("ClientHello line: %v", d)
					}
				}
				if d["kind"] == "decision" && d["name"] == "handshake_shape" {
					if d["detail"] != shape.String() {
						t.Errorf("line %d: the %s's shape is %v, want %s", i+1, d["source"], d["detail"], shape)
					}
					shapes++
				}
				if e, ok := d["kind"].(string); ok && strings.HasPrefix(e, "message_") {
					// Each message carries the seed step the table gives it.
					want, got := handshake.MessageSeedStep(d["name"].(string)), 0
					if n, ok := d["seed_step"]; ok {
						fmt.Sscan(fmt.Sprint(n), &got)
					}
					if got != want {
						t.Errorf("line %d: %s is seed step %v, the shape table says %v", i+1, d["name"], d["seed_step"], want)
					}
				}
				if d["kind"] == "check" && d["name"] == "certificate_chain" {
					sawCheck = d["detail"] != nil && d["dir"] == nil
				}
				if strings.HasPrefix(d["kind"].(string), "record_") {
					for _, k := range []string{"epoch", "seq", "content_type", "length", "dir"} {
						if _, ok := d[k]; !ok {
							t.Errorf("line %d: record without %s", i+1, k)
						}
					}
				}
			}
			for k, n := range seen {
				if n != 0 {
					t.Errorf("%q: %+d more in the JSON trace than in the recorder", k, n)
				}
			}
			if shapes != 2 {
				t.Errorf("%d handshake_shape decisions, want one from each end", shapes)
			}
			if !sawHello || !sawCheck {
				t.Errorf("JSON: ClientHello %v, certificate check %v", sawHello, sawCheck)
			}

			// Secrets from the key log appear in neither output.
			for _, secret := range keyLogSecrets(t, &keyLog) {
				for name, out := range map[string]string{"timeline": timeline.String(), "json": jsonl.String()} {
					if strings.Contains(strings.ToLower(out), secret) {
						t.Errorf("the %s output contains a secret from the key log", name)
					}
				}
			}
		})
	}
}

// A client that does not trust the server's CA: the failed check and the
// alert are spelled out in both outputs.
func TestLoopbackFailure(t *testing.T) {
	f := newFixture(t)
	other, err := testpki.NewCA("Some Other Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	schema := loadSchema(t)
	for _, v := range versions {
		t.Run(tls.VersionName(v), func(t *testing.T) {
			var timeline, jsonl bytes.Buffer
			tl := trace.NewTimeline(&timeline, trace.TimelineOptions{})
			jl := trace.NewJSONLines(&jsonl)
			cerr, serr := f.run(t, exchange{
				version:        v,
				clientObserver: trace.Tee(tl.For("client"), jl.For("client")),
				serverObserver: trace.Tee(tl.For("server"), jl.For("server")),
				roots:          other.Pool,
			})
			if cerr == nil || serr == nil {
				t.Fatalf("client: %v, server: %v; want both to fail", cerr, serr)
			}
			out := timeline.String()
			t.Logf("timeline:\n%s", out)
			for _, want := range []string{"✗ certificate_chain", "FAILED: ", "client  → ALERT ", "ALERT sent to the peer", "server  ← ALERT ", "ALERT received from the peer"} {
				if !strings.Contains(out, want) {
					t.Errorf("timeline lacks %q", want)
				}
			}
			var sawError bool
			for _, d := range validateLines(t, schema, jsonl.String()) {
				if d["kind"] == "decision" && d["name"] == "handshake_shape" {
					t.Errorf("a failed handshake reports the shape %v", d["detail"])
				}
				if d["kind"] == "check" && d["name"] == "certificate_chain" {
					sawError = d["error"] != nil && d["error"] != ""
				}
			}
			if !sawError {
				t.Error("the JSON trace has no error for the failed certificate check")
			}
		})
	}
}

// Many connections at once share one timeline, one JSON writer and one
// small recorder; run with -race. Each JSON line stays whole.
func TestConcurrentConnections(t *testing.T) {
	f := newFixture(t)
	schema := loadSchema(t)
	var timeline, jsonl testbuffer.Buffer
	tl := trace.NewTimeline(&timeline, trace.TimelineOptions{Records: true, Color: true})
	jl := trace.NewJSONLines(&jsonl)
	rec := trace.NewRecorder(50)
	var total atomic.Int64
	count := func(tls.Event) { total.Add(1) }
	obs := trace.Tee(tl.Observe, jl.Observe, rec.Observe, count)

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			cerr, serr := f.run(t, exchange{version: versions[i%2], clientObserver: obs, serverObserver: obs})
			if cerr != nil || serr != nil {
				t.Errorf("connection %d: client %v, server %v", i, cerr, serr)
			}
		})
		// Readers race the writers too.
		wg.Go(func() {
			_ = rec.Events()
			_ = rec.Dropped()
			_ = tl.Err()
		})
	}
	wg.Wait()

	docs := validateLines(t, schema, jsonl.String())
	if int64(len(docs)) != total.Load() {
		t.Errorf("%d JSON lines for %d events", len(docs), total.Load())
	}
	if got := len(rec.Events()); got != 50 || uint64(got)+rec.Dropped() != uint64(total.Load()) {
		t.Errorf("recorder kept %d and dropped %d of %d events", got, rec.Dropped(), total.Load())
	}
	if n := strings.Count(timeline.String(), "ClientHello"); n != 16 {
		t.Errorf("timeline shows ClientHello %d times, want 16 (8 sent, 8 received)", n)
	}
}
