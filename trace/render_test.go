package trace_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"lucid/internal/handshake"
	"lucid/internal/testbuffer"
	"lucid/tls"
	"lucid/trace"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// script is a short handshake as a client sees it, with fixed times.
func script() []tls.Event {
	at := func(us int) time.Time { return t0.Add(time.Duration(us) * time.Microsecond) }
	return []tls.Event{
		{Kind: tls.EventMessageSent, Time: at(0), Name: "ClientHello", Outbound: true, Length: 300, SeedStep: 1, Fields: []tls.Field{
			{Key: "legacy_version", Value: "TLS 1.2"},
			{Key: "cipher_suites", Value: []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}},
			{Key: "extensions", Value: []string{}},
			{Key: "supported_versions", Value: []string{"TLS 1.3"}},
			{Key: "server_name", Value: "localhost"},
			{Key: "supported_groups", Value: []string{"X25519MLKEM768", "x25519", "secp256r1"}},
			{Key: "alpn", Value: []string{"h2", "http/1.1"}},
		}},
		{Kind: tls.EventRecordSent, Time: at(100), Name: "handshake", Outbound: true, ContentType: "handshake", Length: 300},
		{Kind: tls.EventMessageReceived, Time: at(1500), Name: "ServerHello", Length: 90, SeedStep: 1, Fields: []tls.Field{
			{Key: "cipher_suite", Value: "TLS_AES_128_GCM_SHA256"},
			{Key: "selected_version", Value: "TLS 1.3"},
			{Key: "key_share", Value: "X25519MLKEM768 (1120 bytes)"},
		}},
		{Kind: tls.EventKeyInstalled, Time: at(1600), Name: "handshake traffic key", Epoch: 1, Length: 16, Detail: "read", SeedStep: 6},
		{Kind: tls.EventMessageReceived, Time: at(2000), Name: "Certificate", Length: 450, SeedStep: 3, Fields: []tls.Field{
			{Key: "chain", Value: []string{"CN=localhost issued by CN=Root", "CN=Root issued by CN=Root"}},
		}},
		{Kind: tls.EventCheck, Time: at(2500), Name: "certificate_chain", SeedStep: 4, Err: errors.New(`certificate "CN=localhost" expired`)},
		{Kind: tls.EventAlertSent, Time: at(2600), Name: "certificate_expired", Outbound: true},
	}
}

func TestTimelineFormat(t *testing.T) {
	var b bytes.Buffer
	tl := trace.NewTimeline(&b, trace.TimelineOptions{})
	for _, e := range script() {
		tl.Observe(e)
	}
	want := `             [seed 1: client starts the HTTPS request]
    0.000ms  → ClientHello              TLS 1.3, 3 suites, groups X25519MLKEM768 x25519 …, SNI localhost, ALPN h2 http/1.1
    1.500ms  ← ServerHello              TLS 1.3, TLS_AES_128_GCM_SHA256, key share X25519MLKEM768
             [seed 6: both sides derive the session keys]
    1.600ms  • handshake traffic key    installed for reading, epoch 1, 16-byte key
             [seed 3: server sends its certificate]
    2.000ms  ← Certificate              2 certs: CN=localhost issued by CN=Root, …
             [seed 4: client checks the certificate]
    2.500ms  ✗ certificate_chain        FAILED: certificate "CN=localhost" expired
    2.600ms  → ALERT certificate_expired ALERT sent to the peer
`
	if got := b.String(); got != want {
		t.Errorf("timeline:\n%s\nwant:\n%s", got, want)
	}
}

func TestTimelineOptions(t *testing.T) {
	var b bytes.Buffer
	tl := trace.NewTimeline(&b, trace.TimelineOptions{Records: true, Color: true})
	for _, e := range script() {
		tl.Observe(e)
	}
	out := b.String()
	for _, want := range []string{"→ record handshake         seq 0, epoch 0, 300 bytes", "\x1b[1;31m✗ certificate_chain", "\x1b[36m[seed 4: client checks the certificate]\x1b[0m", "FAILED"} {
		if !strings.Contains(out, want) {
			t.Errorf("colored timeline with records lacks %q:\n%s", want, out)
		}
	}
}

func TestTimelineLabels(t *testing.T) {
	var b bytes.Buffer
	tl := trace.NewTimeline(&b, trace.TimelineOptions{})
	client, server := tl.For("client"), tl.For("server")
	hello := script()[0]
	client(hello)
	hello.Outbound, hello.Kind = false, tls.EventMessageReceived
	server(hello)
	client(script()[2]) // same step: no new label for the client
	out := b.String()
	if n := strings.Count(out, "[seed 1:"); n != 2 {
		t.Errorf("seed 1 label printed %d times, want once per end:\n%s", n, out)
	}
	for _, want := range []string{"client  [seed 1:", "client  → ClientHello", "server  ← ClientHello", "client  ← ServerHello"} {
		if !strings.Contains(out, want) {
			t.Errorf("timeline lacks %q:\n%s", want, out)
		}
	}
}

func TestTimelineWordsForFailures(t *testing.T) {
	var b bytes.Buffer
	tl := trace.NewTimeline(&b, trace.TimelineOptions{})
	tl.Observe(tls.Event{Kind: tls.EventAlertReceived, Time: t0, Name: "handshake_failure"})
	tl.Observe(tls.Event{Kind: tls.EventMessageReceived, Time: t0, Name: "Finished", Err: errors.New("verify_data mismatch")})
	tl.Observe(tls.Event{Kind: tls.EventDecision, Time: t0, Name: "hello_retry", Detail: "server asked for group x25519"})
	tl.Observe(tls.Event{Kind: tls.EventAlertReceived, Time: t0, Name: "close_notify"})
	out := b.String()
	for _, want := range []string{"← ALERT handshake_failure", "ALERT received from the peer", "ERROR: verify_data mismatch", "◆ hello_retry", "server asked for group x25519", "← alert close_notify       orderly close"} {
		if !strings.Contains(out, want) {
			t.Errorf("timeline lacks %q:\n%s", want, out)
		}
	}
}

type failingWriter struct{ calls int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.calls++
	return 0, errors.New("disk full")
}

func TestWriteErrorsKept(t *testing.T) {
	tw, jw := &failingWriter{}, &failingWriter{}
	tl := trace.NewTimeline(tw, trace.TimelineOptions{})
	jl := trace.NewJSONLines(jw)
	for _, e := range script() {
		tl.Observe(e)
		jl.Observe(e)
	}
	if tl.Err() == nil || jl.Err() == nil || tw.calls != 1 || jw.calls != 1 {
		t.Errorf("errors %v %v after %d and %d writes; want the first error and no more writes", tl.Err(), jl.Err(), tw.calls, jw.calls)
	}
}

func TestJSONLinesEncoding(t *testing.T) {
	schema := loadSchema(t)
	var b bytes.Buffer
	jl := trace.NewJSONLines(&b)
	for _, e := range script() {
		jl.Observe(e)
	}
	jl.Observe(tls.Event{Kind: tls.EventMessageReceived, Time: t0, Name: "Odd", Fields: []tls.Field{
		{Key: "empty", Value: ""}, {Key: "none", Value: nil}, {Key: "flag", Value: false},
		{Key: "html", Value: "<a&b>"}, {Key: "when", Value: time.Duration(1500) * time.Millisecond},
		{Key: "flag", Value: true},
	}})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	docs := validateLines(t, schema, b.String())

	hello := lines[0]
	for _, want := range []string{
		`{"schema":"lucid.trace/1","t_ms":0,"time":"2026-03-01T12:00:00Z","kind":"message_sent","name":"ClientHello","dir":"out","length":300,"seed_step":1,"fields":{`,
		`"cipher_suites":["TLS_AES_128_GCM_SHA256","TLS_AES_256_GCM_SHA384","TLS_CHACHA20_POLY1305_SHA256"]`,
		`"server_name":"localhost"`,
	} {
		if !strings.Contains(hello, want) {
			t.Errorf("ClientHello line lacks %s:\n%s", want, hello)
		}
	}
	if strings.Contains(hello, `"extensions"`) {
		t.Errorf("an empty list is written: %s", hello)
	}
	if i, j := strings.Index(hello, "legacy_version"), strings.Index(hello, "alpn"); i > j {
		t.Errorf("fields out of message order: %s", hello)
	}
	record := docs[1]
	for k, want := range map[string]string{"t_ms": "0.1", "epoch": "0", "seq": "0", "content_type": "handshake", "dir": "out", "length": "300"} {
		if fmt.Sprint(record[k]) != want {
			t.Errorf("record %s = %v, want %s", k, record[k], want)
		}
	}
	if _, ok := record["seed_step"]; ok {
		t.Error("a record with no seed step has seed_step")
	}
	key := docs[3]
	if fmt.Sprint(key["epoch"]) != "1" || key["dir"] != "in" || key["detail"] != "read" {
		t.Errorf("key line %v", key)
	}
	check := docs[5]
	if _, ok := check["dir"]; ok || check["error"] != `certificate "CN=localhost" expired` {
		t.Errorf("check line %v", check)
	}
	odd := lines[len(lines)-1]
	if want := `"fields":{"flag":false,"html":"<a&b>","when":"1.5s"}`; !strings.Contains(odd, want) {
		t.Errorf("odd fields: %s, want %s", odd, want)
	}

	// An event with nothing to put in fields has no fields member.
	b.Reset()
	jl.Observe(tls.Event{Kind: tls.EventMessageSent, Time: t0, Name: "ServerHelloDone", Outbound: true, Fields: []tls.Field{{Key: "x", Value: ""}}})
	if strings.Contains(b.String(), "fields") {
		t.Errorf("empty fields written: %s", b.String())
	}
}

// Observe called straight from many goroutines, with zero times too.
func TestConcurrentObserve(t *testing.T) {
	schema := loadSchema(t)
	var tb, jb testbuffer.Buffer
	tl := trace.NewTimeline(&tb, trace.TimelineOptions{Records: true})
	jl := trace.NewJSONLines(&jb)
	rec := trace.NewRecorder(100)
	obs := trace.Tee(tl.For("a"), jl.For("a"), rec.Observe, nil)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i, e := range script() {
				if (g+i)%3 == 0 {
					e.Time = time.Time{}
				}
				obs(e)
			}
			_ = rec.Events()
		})
	}
	wg.Wait()
	n := 16 * len(script())
	if docs := validateLines(t, schema, jb.String()); len(docs) != n {
		t.Errorf("%d JSON lines, want %d", len(docs), n)
	}
	if got := strings.Count(tb.String(), "ClientHello"); got != 16 {
		t.Errorf("timeline has %d ClientHello lines, want 16", got)
	}
	if len(rec.Events()) != 100 || rec.Dropped() != uint64(n-100) {
		t.Errorf("recorder kept %d, dropped %d", len(rec.Events()), rec.Dropped())
	}
}

func TestRecorder(t *testing.T) {
	if trace.NewRecorder(0).Limit() != trace.DefaultRecorderLimit || trace.DefaultRecorderLimit != 1024 {
		t.Fatal("default limit")
	}
	r := trace.NewRecorder(3)
	for i := range 5 {
		r.Observe(tls.Event{Kind: tls.EventCheck, Name: fmt.Sprint(i)})
	}
	got := r.Events()
	if len(got) != 3 || got[0].Name != "0" || got[2].Name != "2" || r.Dropped() != 2 {
		t.Fatalf("kept %v, dropped %d", got, r.Dropped())
	}
	got[0].Name = "changed"
	if r.Events()[0].Name != "0" {
		t.Error("Events does not return a copy")
	}
	r.Reset()
	if len(r.Events()) != 0 || r.Dropped() != 0 {
		t.Error("Reset kept something")
	}
}

func TestSeedSteps(t *testing.T) {
	if len(trace.SeedSteps) != 8 {
		t.Fatalf("%d seed steps, want 8", len(trace.SeedSteps))
	}
	for n := 1; n <= 8; n++ {
		s, ok := trace.SeedSteps[n]
		if !ok || s.Number != n || s.Title == "" || s.Explanation == "" {
			t.Fatalf("step %d: %+v", n, s)
		}
		han := false
		for _, r := range s.TitleZH {
			han = han || unicode.Is(unicode.Han, r)
		}
		if !han {
			t.Errorf("step %d: Chinese title %q", n, s.TitleZH)
		}
		if !strings.HasSuffix(s.Explanation, ".") || strings.Count(s.Explanation, ". ") > 0 {
			t.Errorf("step %d: the explanation should be one sentence: %q", n, s.Explanation)
		}
	}
	if got := trace.SeedSteps[4].Label(); got != "[seed 4: client checks the certificate]" {
		t.Errorf("label %q", got)
	}
	// The Chinese titles are the seed's own words, where the seed is here.
	if seed, err := os.ReadFile("/work/shared/seed/000_bd11187786e6cc67.txt"); err == nil {
		for n, s := range trace.SeedSteps {
			title := s.TitleZH
			if n == 6 {
				title = "服务段解密信息" // the seed's typo, corrected in the table
			}
			if !bytes.Contains(seed, []byte(title)) {
				t.Errorf("step %d: %q is not in the seed", n, title)
			}
		}
	}
}

// TestSeedStepsCoverTable keeps the shape table's step numbers within
// SeedSteps: every number the table gives a message or key has a title, and
// the story's steps that are handshake messages (the hello, the
// certificate, the key exchange, the Finished MAC) are all in the table.
func TestSeedStepsCoverTable(t *testing.T) {
	numbered := map[int]bool{}
	for _, s := range handshake.Shapes() {
		for _, st := range s.Steps() {
			if st.SeedStep == 0 {
				continue
			}
			if _, ok := trace.SeedSteps[st.SeedStep]; !ok {
				t.Errorf("%s: %s is seed step %d, which SeedSteps lacks", s, st.Name(), st.SeedStep)
			}
			numbered[st.SeedStep] = true
		}
	}
	for _, n := range []int{1, 3, 5, 6} {
		if !numbered[n] {
			t.Errorf("no step of any shape is seed step %d", n)
		}
	}
}

// A timeline for a connection, printed as it happens.
func ExampleTimeline() {
	tl := trace.NewTimeline(os.Stdout, trace.TimelineOptions{})
	cfg := &tls.Config{ServerName: "localhost", Observer: tl.Observe}
	_ = cfg // dial with cfg; here, two events stand in for a connection
	tl.Observe(tls.Event{Kind: tls.EventMessageReceived, Time: t0, Name: "Certificate", SeedStep: 3,
		Fields: []tls.Field{{Key: "chain", Value: []string{"CN=localhost issued by CN=Root"}}}})
	tl.Observe(tls.Event{Kind: tls.EventCheck, Time: t0.Add(400 * time.Microsecond), Name: "certificate_chain", Detail: "chain verified", SeedStep: 4})
	// Output:
	//              [seed 3: server sends its certificate]
	//     0.000ms  ← Certificate              1 cert: CN=localhost issued by CN=Root
	//              [seed 4: client checks the certificate]
	//     0.400ms  ✓ certificate_chain        chain verified
}
