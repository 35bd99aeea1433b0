package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"lucid/internal/record"
	"lucid/internal/suites"
	"lucid/internal/wire"
	"lucid/tls"
)

// demoMode is one way to run the demo.
type demoMode struct {
	name string
	args []string
	opts demoOptions
}

var demoModes = []demoMode{
	{"tls13", []string{"--tls", "1.3"}, demoOptions{Version: tls.VersionTLS13}},
	{"tls12", []string{"--tls", "1.2"}, demoOptions{Version: tls.VersionTLS12}},
	{"rsa", []string{"--kx", "rsa"}, demoOptions{Version: tls.VersionTLS12, RSA: true}},
	{"ech", []string{"--ech"}, demoOptions{Version: tls.VersionTLS13, ECH: true}},
}

// expectedAlerts is the alert each attack must end with.
var expectedAlerts = map[string]string{
	"tamper":    "bad_record_mac",
	"replay":    "bad_record_mac",
	"impostor":  "unknown_ca",
	"downgrade": "illegal_parameter",
	// The replayed 0-RTT handshake ends with the wiretap hanging up,
	// unable to send the client's Finished: no alert.
	"replay0rtt": "",
}

// cachedStory is one story per mode, told once and shared by the tests
// that only render it, to keep the whole test quick.
type cachedStory struct {
	once   sync.Once
	s      *story
	keyLog string
	err    error
}

var stories = map[string]*cachedStory{"tls13": {}, "tls12": {}, "rsa": {}, "ech": {}}

func storyFor(t *testing.T, m demoMode) (*story, string) {
	t.Helper()
	c := stories[m.name]
	c.once.Do(func() {
		var kl bytes.Buffer
		opts := m.opts
		opts.keyLog = &kl
		opts.Attacks = slices.Clone(demoAttacks)
		c.s, c.err = tellStory(opts)
		c.keyLog = kl.String()
	})
	if c.err != nil {
		t.Fatalf("tellStory(%s): %v", m.name, c.err)
	}
	return c.s, c.keyLog
}

// render tells s in one form: "en", "zh" or "json".
func render(t *testing.T, s *story, form string, showSecrets bool) string {
	t.Helper()
	c := *s
	c.opts.ShowSecrets = showSecrets
	var out bytes.Buffer
	var err error
	switch form {
	case "json":
		err = writeJSON(&out, &c)
	default:
		c.opts.Lang = form
		err = narrate(&out, &c, catalogFor(form))
	}
	if err != nil {
		t.Fatalf("rendering %s: %v", form, err)
	}
	return out.String()
}

// secretsIn parses an NSS key log and returns the secrets, in hex.
func secretsIn(t *testing.T, log string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("key log line %q is not LABEL RANDOM SECRET", line)
		}
		out[f[0]] = f[2]
	}
	if len(out) == 0 {
		t.Fatal("the key log is empty")
	}
	return out
}

// jsonLines runs the demo with --json and returns its objects.
func jsonLines(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := demoMain(append(args, "--json"), &stdout, &stderr); code != 0 {
		t.Fatalf("lucid demo %q: exit %d\nstderr: %s\nstdout: %s", args, code, stderr.String(), stdout.String())
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var o map[string]any
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		out = append(out, o)
	}
	return out
}

// field walks a path of keys into nested JSON objects.
func field(o map[string]any, path ...string) any {
	var v any = o
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestDemoJSON(t *testing.T) {
	for _, m := range demoModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			objs := jsonLines(t, append(m.args, "--attack", "all")...)
			steps := map[string]map[string]any{}
			attacks := map[string]map[string]any{}
			var done map[string]any
			for _, o := range objs {
				switch {
				case o["step"] != nil:
					steps[o["step"].(string)] = o
				case o["attack"] != nil:
					attacks[o["attack"].(string)] = o
				case o["done"] == true:
					done = o
				default:
					t.Errorf("unexpected object %v", o)
				}
			}
			for i := 1; i <= 8; i++ {
				st := steps[stepNum(i)]
				if st == nil || st["title"] == "" || st["facts"] == nil {
					t.Errorf("step %d missing or empty: %v", i, st)
				}
			}
			for name, alert := range expectedAlerts {
				a := attacks[name]
				if a == nil {
					t.Errorf("attack %s missing", name)
					continue
				}
				if a["outcome"] != "stopped" || a["alert"] != alert || a["stopped_by"] == "" {
					t.Errorf("attack %s: outcome %v, alert %v (want stopped, %s), stopped_by %v",
						name, a["outcome"], a["alert"], alert, a["stopped_by"])
				}
			}
			if done == nil || done["ok"] != true {
				t.Errorf("final object %v, want done and ok", done)
			}

			want := tls.VersionName(m.opts.Version)
			if got := field(steps["3"], "facts", "chosen", "version"); got != want {
				t.Errorf("step 3 chose %v, want %s", got, want)
			}
			suite, _ := field(steps["3"], "facts", "chosen", "cipher_suite").(string)
			fs, _ := field(steps["5"], "facts", "forward_secrecy").(bool)
			if m.opts.RSA {
				if suite != "TLS_RSA_WITH_AES_128_GCM_SHA256" || fs {
					t.Errorf("RSA mode: suite %s, forward secrecy %v", suite, fs)
				}
				if n := field(steps["5"], "facts", "encrypted_pre_master_bytes"); n != 256.0 {
					t.Errorf("encrypted pre-master secret of %v bytes, want 256", n)
				}
				if field(steps["3"], "facts", "signature") != nil {
					t.Error("RSA key transport reports a server signature")
				}
			} else {
				if !fs || field(steps["3"], "facts", "signature", "verifies") != true {
					t.Errorf("suite %s: forward secrecy %v, signature %v", suite, fs, field(steps["3"], "facts", "signature"))
				}
			}
			var labels []string
			for _, e := range field(steps["6"], "facts", "key_log").([]any) {
				labels = append(labels, e.(map[string]any)["label"].(string))
				if e.(map[string]any)["value"] != nil {
					t.Errorf("key log value shown without --show-secrets: %v", e)
				}
			}
			wantLabel := "CLIENT_TRAFFIC_SECRET_0"
			if m.opts.Version == tls.VersionTLS12 {
				wantLabel = "CLIENT_RANDOM"
			}
			if !slices.Contains(labels, wantLabel) {
				t.Errorf("key log labels %v lack %s", labels, wantLabel)
			}
			fin, _ := field(steps["6"], "facts", "finished").([]any)
			if len(fin) != 2 {
				t.Errorf("%d Finished messages, want 2", len(fin))
			}
			for _, f := range fin {
				if f.(map[string]any)["recomputed_matches"] != true {
					t.Errorf("Finished not recomputed: %v", f)
				}
			}
			if r, _ := field(steps["7"], "facts", "request", "server_read").(string); !strings.HasPrefix(r, "GET /hello HTTP/1.1\r\n") {
				t.Errorf("step 7 server_read %q", r)
			}
			nonce := field(steps["7"], "facts", "request", "explicit_nonce_bytes")
			if wantNonce := map[bool]float64{true: 0, false: 8}[m.opts.Version == tls.VersionTLS13]; nonce != wantNonce {
				t.Errorf("explicit nonce of %v bytes, want %v", nonce, wantNonce)
			}
			if r, _ := field(steps["8"], "facts", "response", "client_read").(string); !strings.HasPrefix(r, "HTTP/1.1 200 OK\r\n") {
				t.Errorf("step 8 client_read %q", r)
			}
			if got := field(attacks["downgrade"], "facts", "sentinel_hex"); got != hex.EncodeToString([]byte("DOWNGRD\x01")) {
				t.Errorf("downgrade sentinel %v", got)
			}
			if got := field(attacks["tamper"], "facts", "server_read_bytes"); got != 0.0 {
				t.Errorf("the server read %v bytes of the tampered request", got)
			}
			z := attacks["replay0rtt"]
			if field(z, "facts", "handler_runs") != 1.0 || field(z, "facts", "early_accepted") != true ||
				field(z, "facts", "served_early") != "GET /hello HTTP/1.1" {
				t.Errorf("replay0rtt: handler runs %v, early data accepted %v, served %v",
					field(z, "facts", "handler_runs"), field(z, "facts", "early_accepted"), field(z, "facts", "served_early"))
			}
			if d, _ := field(z, "facts", "replay_decision").(string); !strings.HasPrefix(d, "rejected 0-RTT data: replay") {
				t.Errorf("replay0rtt: the server's decision on the replay was %q", d)
			}
		})
	}
}

// Secrets (the key log's values and the record keys derived from them)
// appear in no output without --show-secrets, and all of them with it.
func TestDemoSecrets(t *testing.T) {
	for _, m := range demoModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s, log := storyFor(t, m)
			secrets := secretsIn(t, log)
			for _, k := range s.dec.keys {
				secrets[k.label] = hex.EncodeToString(k.value)
			}
			if len(s.dec.keys) < 4 {
				t.Errorf("only %d record keys derived", len(s.dec.keys))
			}
			for _, form := range []string{"en", "zh", "json"} {
				hidden := strings.ToLower(render(t, s, form, false))
				shown := strings.ToLower(render(t, s, form, true))
				if form != "json" {
					checkWidth(t, shown)
					// Long values are printed over several lines.
					shown = strings.ReplaceAll(shown, "\n       ", "")
					hidden = strings.ReplaceAll(hidden, "\n       ", "")
				}
				for label, secret := range secrets {
					if strings.Contains(hidden, secret) {
						t.Errorf("%s output reveals %s without --show-secrets", form, label)
					}
					if !strings.Contains(shown, secret) {
						t.Errorf("%s output with --show-secrets lacks %s", form, label)
					}
				}
			}
		})
	}
}

func TestDemoTextEN(t *testing.T) {
	for _, m := range demoModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s, _ := storyFor(t, m)
			got := render(t, s, "en", false)
			want := []string{
				"version       " + tls.VersionName(m.opts.Version),
				"ClientHello",
				"ok  chain  localhost <- Lucid Demo CA",
				"issuer        CN=Lucid Demo CA",
				"| GET /hello HTTP/1.1",
				"| HTTP/1.1 200 OK",
				"recomputed: the same",
				"the peer sent alert bad_record_mac",
				"unknown_ca",
				"D  O  W  N  G  R  D",
				"downgrade detected",
				"5 attacks, 5 stopped",
				"accepted up to 16384 bytes of 0-RTT data",
				"rejected 0-RTT data: replay",
				"handler runs  1 ",
				"RFC 8446 §8",
			}
			switch {
			case m.opts.RSA:
				want = append(want, "public key    RSA 2048-bit", "no forward secrecy", "ClientKeyExchange",
					"the seed's step 5", "CLIENT_RANDOM", "ChangeCipherSpec", "explicit nonce")
			case m.opts.Version == tls.VersionTLS12:
				want = append(want, "ServerKeyExchange", "CLIENT_RANDOM", "ChangeCipherSpec", "explicit nonce", "forward secrecy")
			default:
				want = append(want, "CertificateVerify", "CLIENT_TRAFFIC_SECRET_0          32 bytes", "forward secrecy")
			}
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			checkWidth(t, got)
			if t.Failed() {
				t.Logf("output:\n%s", got)
			}
		})
	}
}

func TestDemoTextZH(t *testing.T) {
	for _, m := range demoModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s, _ := storyFor(t, m)
			got := render(t, s, "zh", false)
			c := *s
			c.opts.Lang = "zh"
			ti := titlesFor(&c)
			for i, title := range ti.steps {
				if !strings.Contains(got, stepNum(i+1)+". "+title) {
					t.Errorf("output lacks step title %q", title)
				}
			}
			for i, name := range demoAttacks {
				if !strings.Contains(got, string(rune('A'+i))+". "+ti.attacks[name]) {
					t.Errorf("output lacks attack title %q", ti.attacks[name])
				}
			}
			for _, w := range []string{"客户端", "服务端", "证书", "公钥", "私钥", "会话密钥", "随机值",
				"数字签名", "MAC", "篡改", "重放", "中间人", "已阻止"} {
				if !strings.Contains(got, w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if m.opts.RSA && !strings.Contains(got, "没有前向保密") {
				t.Error("RSA mode does not say there is no forward secrecy")
			}
			checkWidth(t, got)
			if t.Failed() {
				t.Logf("output:\n%s", got)
			}
		})
	}
}

// checkWidth fails for a line wider than 80 terminal columns.
func checkWidth(t *testing.T, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if w := width(line); w > 80 {
			t.Errorf("line of %d columns: %q", w, line)
		}
	}
}

func TestDemoFlags(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"-h"}, 0, "--show-secrets"},
		{[]string{"-h"}, 0, "--attack"},
		{[]string{"--tls", "1.1"}, 2, `--tls "1.1"`},
		{[]string{"--tls", "1.3", "--kx", "rsa"}, 2, "TLS 1.3 removed it"},
		{[]string{"--kx", "dh"}, 2, `--kx "dh"`},
		{[]string{"--attack", "sneeze"}, 2, `unknown attack "sneeze"`},
		{[]string{"--lang", "fr"}, 2, `--lang "fr"`},
		{[]string{"extra"}, 2, "unexpected argument"},
		{[]string{"--nope"}, 2, "unknown flag --nope"},
	} {
		var stdout, stderr bytes.Buffer
		if code := demoMain(tc.args, &stdout, &stderr); code != tc.code {
			t.Errorf("demo %q: exit %d, want %d", tc.args, code, tc.code)
		}
		// Help goes to stdout, mistakes to stderr.
		out := stderr.String()
		if tc.code == 0 {
			out = stdout.String()
		}
		if !strings.Contains(out, tc.stderr) {
			t.Errorf("demo %q: output %q lacks %q", tc.args, out, tc.stderr)
		}
	}
	got, err := parseAttacks("replay, tamper,replay")
	if err != nil || !slices.Equal(got, []string{"tamper", "replay"}) {
		t.Errorf("parseAttacks: %v, %v", got, err)
	}
	objs := jsonLines(t, "--attack", "none", "--lang", "zh")
	if len(objs) != 9 {
		t.Errorf("--attack none: %d objects, want 8 steps and done", len(objs))
	}
	if title, _ := objs[0]["title"].(string); !strings.Contains(title, "客户端") {
		t.Errorf("--lang zh --json: title %q is not Chinese", title)
	}
}

// An attack that was not stopped makes the demo fail, and says so.
func TestDemoFailsWhenAnAttackSucceeds(t *testing.T) {
	s, _ := storyFor(t, demoModes[0])
	c := *s
	c.attacks = []*attack{{name: "tamper", o: s.attacks[0].o, problem: errors.New("the server read the altered request")}}
	if err := c.failures(); err == nil || !strings.Contains(err.Error(), "altered request") {
		t.Errorf("failures() = %v", err)
	}
	out := render(t, &c, "json", false)
	if !strings.Contains(out, `"outcome":"not stopped"`) || !strings.Contains(out, `"ok":false`) {
		t.Errorf("JSON does not report the failure:\n%s", out)
	}
	if got := render(t, &c, "en", false); !strings.Contains(got, "NOT STOPPED") {
		t.Error("the narration does not report the failure")
	}
}

// The downgrade edit yields a well-formed TLS 1.2-only ClientHello, and
// neither it nor the decoder panics on damaged input.
func TestDemoDowngradeHelloAndDecoderAreRobust(t *testing.T) {
	s, _ := storyFor(t, demoModes[0])
	rec := s.recs[0].raw
	before, after, edited, err := downgradeHello(rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(before.KeyShares) == 0 || !slices.Contains(before.SupportedVersions, tls.VersionTLS13) {
		t.Fatalf("original hello: versions %x, %d shares", before.SupportedVersions, len(before.KeyShares))
	}
	if int(edited[3])<<8|int(edited[4]) != len(edited)-record.HeaderLen {
		t.Error("the record length does not match the rewritten hello")
	}
	got := parseClientHelloRecord(edited)
	if got == nil {
		t.Fatal("the rewritten hello does not parse")
	}
	if !slices.Equal(got.SupportedVersions, []uint16{tls.VersionTLS12}) || got.HasKeyShare || len(got.KeyShares) > 0 ||
		slices.Contains(got.Extensions, wire.ExtKeyShare) {
		t.Errorf("rewritten hello: versions %x, key shares %v/%d", got.SupportedVersions, got.HasKeyShare, len(got.KeyShares))
	}
	for _, id := range got.CipherSuites {
		if suites.Lookup13(id) != nil {
			t.Errorf("rewritten hello still offers %s", tls.CipherSuiteName(id))
		}
	}
	if after.Random != before.Random || got.ServerName != demoHost {
		t.Error("the rewrite changed more than versions, suites and key shares")
	}
	for n := range len(rec) {
		downgradeHello(rec[:n])
	}
	for i := range s.recs {
		for _, off := range []int{0, 3, record.HeaderLen, record.HeaderLen + 1, len(s.recs[i].raw) - 1} {
			recs := make([]*tapRecord, len(s.recs))
			for j, r := range s.recs {
				c := *r
				c.raw = bytes.Clone(r.raw)
				recs[j] = &c
			}
			if off < len(recs[i].raw) {
				recs[i].raw[off] ^= 0x5a
			}
			d := decodeCapture(recs, s.keyLog, nil)
			if i > 0 && recs[i].typ != record.TypeChangeCipherSpec && d.verifyProblems() == nil && off >= record.HeaderLen {
				t.Errorf("record %d damaged at %d, yet the capture decodes cleanly", i+1, off)
			}
		}
	}
}

func TestDemoKeyLogParsesSplitWrites(t *testing.T) {
	var k keyLog
	line := "CLIENT_TRAFFIC_SECRET_0 " + strings.Repeat("ab", 32) + " " + strings.Repeat("cd", 48) + "\n"
	in := "# a comment\n" + line + "garbage line\n"
	for i := 0; i < len(in); i += 7 {
		k.Write([]byte(in[i:min(i+7, len(in))]))
	}
	got := k.all()
	if len(got) != 1 || got[0].label != "CLIENT_TRAFFIC_SECRET_0" || len(got[0].secret) != 48 || len(got[0].clientRandom) != 32 {
		t.Fatalf("parsed %+v", got)
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{args: nil, code: 2, stderr: "demo"},
		{args: []string{"-h"}, code: 0, stdout: "lucid demo"},
		{args: []string{"--help"}, code: 0, stdout: "lucid serve"},
		{args: []string{"frobnicate"}, code: 2, stderr: `unknown command "frobnicate"`},
		{args: []string{"get"}, code: 2, stderr: "URL"},
		{args: []string{"demo", "-h"}, code: 0, stdout: "show-secrets"},
		{args: []string{"demo", "--nope"}, code: 2, stderr: "unknown flag --nope"},
		{args: []string{"demo", "extra"}, code: 2, stderr: "unexpected argument"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code {
			t.Errorf("lucid %q: exit %d, want %d", tc.args, code, tc.code)
		}
		if !strings.Contains(stdout.String(), tc.stdout) {
			t.Errorf("lucid %q: stdout %q lacks %q", tc.args, stdout.String(), tc.stdout)
		}
		if !strings.Contains(stderr.String(), tc.stderr) {
			t.Errorf("lucid %q: stderr %q lacks %q", tc.args, stderr.String(), tc.stderr)
		}
	}
	for _, args := range [][]string{nil, {"-h"}} {
		var stdout, stderr bytes.Buffer
		run(args, &stdout, &stderr)
		all := stdout.String() + stderr.String()
		for _, want := range []string{"demo", "serve", "get", "ca"} {
			if !strings.Contains(all, want) {
				t.Errorf("lucid %q: usage lacks %q", args, want)
			}
		}
	}
}

// The demo's CA lives in memory (pki.NewMemoryCA): a run leaves nothing in
// the working directory or in the places `lucid ca` keeps its files.
func TestDemoWritesNothing(t *testing.T) {
	home, work := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	t.Chdir(work)
	var stdout, stderr bytes.Buffer
	if code := demoMain([]string{"--attack", "impostor"}, &stdout, &stderr); code != 0 {
		t.Fatalf("lucid demo: exit %d\n%s", code, stderr.String())
	}
	for _, dir := range []string{home, work} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			t.Errorf("the demo wrote %s", filepath.Join(dir, e.Name()))
		}
	}
}

// The 0-RTT replay, live: the client's early request is accepted once, the
// wiretap's replay of its first flight (ClientHello, early data) is
// refused by the guard, the server goes on in 1-RTT, and the handler runs
// once.
func TestDemoZeroRTTReplayStopped(t *testing.T) {
	s, _ := storyFor(t, demoModes[0])
	var a *attack
	for _, x := range s.attacks {
		if x.name == "replay0rtt" {
			a = x
		}
	}
	if a == nil || a.z == nil {
		t.Fatal("the story has no 0-RTT replay")
	}
	z := a.z
	if !a.stopped || a.problem != nil {
		t.Fatalf("not stopped: %v", a.problem)
	}
	if !z.accepted || !z.early || z.served != "GET /hello HTTP/1.1" {
		t.Errorf("the client's own early data: accepted %v, read early %v, served %q", z.accepted, z.early, z.served)
	}
	if z.runs != 1 {
		t.Errorf("the handler ran %d times", z.runs)
	}
	ch := parseClientHelloRecord(z.flight[0].raw)
	if ch == nil || !ch.EarlyData || len(ch.PSKIdentities) == 0 {
		t.Errorf("the replayed flight does not start with a ClientHello offering a PSK and early data")
	}
	last := z.flight[len(z.flight)-1]
	if last.typ != record.TypeApplicationData {
		t.Errorf("the replayed flight ends with a %s record, not early data", record.TypeName(last.typ))
	}
	if !strings.HasPrefix(z.decision, "rejected 0-RTT data: replay") {
		t.Errorf("decision on the replay: %q", z.decision)
	}
	timeline := strings.Join(z.timeline, "\n")
	if !strings.Contains(timeline, "early_data") || !strings.Contains(timeline, "rejected 0-RTT data: replay") ||
		!strings.Contains(timeline, "→ ServerHello") || !strings.Contains(timeline, "→ Finished") {
		t.Errorf("timeline lacks the decision or the 1-RTT flight:\n%s", timeline)
	}
	if strings.Contains(timeline, "ms  ") {
		t.Errorf("timeline kept its time column:\n%s", timeline)
	}
	if z.replayErr == nil {
		t.Error("the server completed the replayed handshake")
	}
}

// admitEverything is a guard that remembers nothing: with it, the server
// accepts a replayed ClientHello's early data again.
type admitEverything struct{}

func (admitEverything) Admit([]byte, time.Time, time.Time) error { return nil }

// Without the guard the replay succeeds, and the demo must say so and
// fail: the check can fail.
func TestDemoZeroRTTReplayNotStoppedWithoutGuard(t *testing.T) {
	s, err := tellStory(demoOptions{Version: tls.VersionTLS13, Attacks: []string{"replay0rtt"}, earlyGuard: admitEverything{}})
	if err != nil {
		t.Fatal(err)
	}
	a := s.attacks[0]
	if a.stopped {
		t.Fatal("the replay counts as stopped with a guard that admits everything")
	}
	if a.z.runs != 2 || a.problem == nil || !strings.Contains(a.problem.Error(), "ran 2 times") {
		t.Errorf("handler runs %d, problem %v; want 2 and a problem saying so", a.z.runs, a.problem)
	}
	if !strings.HasPrefix(a.z.decision, "accepted") {
		t.Errorf("decision on the replay: %q", a.z.decision)
	}
	if err := s.failures(); err == nil || !strings.Contains(err.Error(), "replay0rtt") {
		t.Errorf("failures() = %v", err)
	}
	if out := render(t, s, "json", false); !strings.Contains(out, `"outcome":"not stopped"`) || !strings.Contains(out, `"ok":false`) {
		t.Errorf("JSON does not report the failure:\n%s", out)
	}
	for lang, want := range map[string]string{"en": "ran the handler again", "zh": "又执行了一次处理函数"} {
		got := render(t, s, lang, false)
		// Chinese wraps between any two characters.
		joined := strings.ReplaceAll(got, "\n   ", "")
		if !strings.Contains(joined, want) || !strings.Contains(got, "NOT STOPPED") && !strings.Contains(got, "未被阻止") {
			t.Errorf("%s narration lacks %q", lang, want)
		}
		checkWidth(t, got)
	}
}
