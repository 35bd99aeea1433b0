package main

import (
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lucid/internal/record"
	"lucid/internal/wire"
	"lucid/tls"
)

// The demo runs live, so its output changes with every run: new keys, new
// ports, records interleaved as the scheduler pleases. The golden tests
// fix the inputs instead. A recorded story (testdata/demo/MODE.story.json)
// holds what the live demo gathered: the wiretap's capture, the key log,
// the certificates, what each end read and every attack's outcome. The
// test examines it as the live demo does (decoding the capture with the
// key log, re-doing the certificate checks) and renders it in every form;
// the output must equal the golden files byte for byte.
//
//	go test ./cmd/lucid -run DemoGolden -demo.update   rewrite the golden files
//	go test ./cmd/lucid -run DemoGolden -demo.record   record new stories, live
var (
	updateGolden = flag.Bool("demo.update", false, "rewrite the demo's golden output from the recorded stories")
	recordStory  = flag.Bool("demo.record", false, "record the demo's stories anew from a live run (implies -demo.update)")
)

const goldenDir = "testdata/demo"

// goldenForms are the renderings compared: the narration in each language,
// with and without the secrets, and the JSON lines.
var goldenForms = []struct {
	name        string
	form        string
	showSecrets bool
}{
	{"en.txt", "en", false},
	{"zh.txt", "zh", false},
	{"en-secrets.txt", "en", true},
	{"zh-secrets.txt", "zh", true},
	{"jsonl", "json", false},
}

func TestDemoGolden(t *testing.T) {
	for _, m := range demoModes {
		t.Run(m.name, func(t *testing.T) {
			path := filepath.Join(goldenDir, m.name+".story.json")
			var live *story
			if *recordStory {
				live, _ = storyFor(t, m)
				writeStory(t, path, live)
			}
			s := readStory(t, path)
			for _, g := range goldenForms {
				got := render(t, s, g.form, g.showSecrets)
				if strings.Contains(got, "%!") {
					t.Errorf("%s: a format verb went wrong:\n%s", g.name, got)
				}
				if live != nil {
					// The record must hold all the story tells.
					if l := render(t, live, g.form, g.showSecrets); l != got {
						t.Errorf("%s: the recorded story renders differently from the live one:\n%s", g.name, firstDifference(got, l))
					}
				}
				golden := filepath.Join(goldenDir, m.name+"."+g.name)
				if *updateGolden || *recordStory {
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -demo.update to write it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from %s:\n%s", g.name, golden, firstDifference(got, string(want)))
				}
			}
		})
	}
}

// firstDifference shows the first line where got and want part.
func firstDifference(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got:  %s\n want: %s", i+1, gl, wl)
		}
	}
	return "(they differ only in line endings)"
}

// storyFile is a recorded story: what tellStory gathered from the live
// connections, before anything was derived from it.
type storyFile struct {
	Version  uint16    `json:"version"`
	RSA      bool      `json:"rsa"`
	Start    time.Time `json:"start"`
	Checked  time.Time `json:"checked"`
	Elapsed  int64     `json:"elapsed_ns"`
	CA       []byte    `json:"ca"`
	Leaf     []byte    `json:"leaf"`
	Server   string    `json:"server_addr"`
	Wiretap  string    `json:"wiretap_addr"`
	Suite    uint16    `json:"cipher_suite"`
	Curve    uint16    `json:"curve"`
	ALPN     string    `json:"alpn"`
	HRR      bool      `json:"hello_retry_request"`
	Records  []recFile `json:"records"`
	Target   int       `json:"target"`
	KeyLog   []string  `json:"key_log"`
	Request  string    `json:"request"`
	Response string    `json:"response"`
	SameKeys bool      `json:"same_keys"`
	Attacks  []atkFile `json:"attacks"`
	// ECH is the server's ECH key and what the ends said of it (--ech).
	ECH *echFile `json:"ech,omitempty"`
	// CertEvent is the server's Certificate event, which says whether
	// the message went compressed; stories recorded before the demo kept
	// it lack it and are told from the capture.
	CertEvent *certEventFile `json:"certificate_event,omitempty"`
}

type certEventFile struct {
	Detail string `json:"detail"`
	Length int    `json:"length"`
}

// echFile records --ech: the server's key, with which examine opens the
// outer hello as the live demo does, the public name's certificate, and
// what the two ends reported.
type echFile struct {
	Config         []byte `json:"config"`
	PrivateKey     []byte `json:"private_key"`
	List           []byte `json:"config_list"`
	PublicCert     []byte `json:"public_certificate"`
	Accepted       bool   `json:"accepted"`
	ServerDecision string `json:"server_decision"`
	ClientDecision string `json:"client_decision"`
	ServerInner    string `json:"server_inner_name"`
}

type recFile struct {
	N          int    `json:"n"`
	FromClient bool   `json:"from_client"`
	Raw        []byte `json:"raw"`
	Note       string `json:"note"`
}

type atkFile struct {
	Name           string   `json:"name"`
	Stopped        bool     `json:"stopped"`
	Alert          string   `json:"alert"`
	Problem        string   `json:"problem"`
	ClientErr      string   `json:"client_error"`
	ExchangeErr    string   `json:"exchange_error"`
	ServerErr      string   `json:"server_error"`
	ServerAfter    string   `json:"server_after"`
	RelayErr       string   `json:"relay_error"`
	Request        string   `json:"request"`
	Target         *recFile `json:"target"`
	Offset         int      `json:"offset"`
	Before         byte     `json:"before"`
	After          byte     `json:"after"`
	ExplicitNonce  int      `json:"explicit_nonce"`
	ServedOriginal string   `json:"served_original"`
	Fake           []byte   `json:"fake"`
	Stolen         string   `json:"stolen"`
	HelloBefore    []byte   `json:"hello_before"`
	HelloAfter     []byte   `json:"hello_after"`
	LenBefore      int      `json:"len_before"`
	LenAfter       int      `json:"len_after"`
	ServerRandom   []byte   `json:"server_random"`
	Sentinel       bool     `json:"sentinel"`
	// ZeroRTT is the 0-RTT replay's record.
	ZeroRTT *zeroRTTFile `json:"zero_rtt,omitempty"`
}

type zeroRTTFile struct {
	Accepted       bool      `json:"accepted"`
	Early          bool      `json:"early"`
	Served         string    `json:"served"`
	AcceptDecision string    `json:"accept_decision"`
	Decision       string    `json:"decision"`
	Flight         []recFile `json:"flight"`
	Answer         []recFile `json:"answer"`
	Timeline       []string  `json:"timeline"`
	Runs           int       `json:"runs"`
	ReplayErr      string    `json:"replay_error"`
}

func zeroRTTRecord(z *zeroRTT) *zeroRTTFile {
	if z == nil {
		return nil
	}
	f := &zeroRTTFile{
		Accepted: z.accepted, Early: z.early, Served: z.served, AcceptDecision: z.acceptDecision,
		Decision: z.decision, Timeline: z.timeline, Runs: z.runs, ReplayErr: errText(z.replayErr),
	}
	for _, r := range z.flight {
		f.Flight = append(f.Flight, *recordFile(r))
	}
	for _, r := range z.answer {
		f.Answer = append(f.Answer, *recordFile(r))
	}
	return f
}

func (f *zeroRTTFile) zeroRTT() *zeroRTT {
	if f == nil {
		return nil
	}
	z := &zeroRTT{
		accepted: f.Accepted, early: f.Early, served: f.Served, acceptDecision: f.AcceptDecision,
		decision: f.Decision, timeline: f.Timeline, runs: f.Runs, replayErr: textErr(f.ReplayErr),
	}
	for i := range f.Flight {
		z.flight = append(z.flight, f.Flight[i].record())
	}
	for i := range f.Answer {
		z.answer = append(z.answer, f.Answer[i].record())
	}
	return z
}

func recordFile(r *tapRecord) *recFile {
	if r == nil {
		return nil
	}
	return &recFile{N: r.n, FromClient: r.fromClient, Raw: r.raw, Note: r.note}
}

func (r *recFile) record() *tapRecord {
	if r == nil {
		return nil
	}
	return &tapRecord{
		n: r.N, fromClient: r.FromClient, typ: r.Raw[0],
		version: uint16(r.Raw[1])<<8 | uint16(r.Raw[2]),
		length:  len(r.Raw) - record.HeaderLen, raw: r.Raw, note: r.Note,
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func textErr(s string) error {
	if s == "" {
		return nil
	}
	return errors.New(s)
}

func helloBytes(ch *wire.ClientHello) []byte {
	if ch == nil {
		return nil
	}
	return ch.Marshal()[wire.HeaderLen:]
}

// writeStory records s.
func writeStory(t *testing.T, path string, s *story) {
	t.Helper()
	f := storyFile{
		Version: s.opts.Version, RSA: s.opts.RSA, Start: s.start, Checked: s.checked,
		Elapsed: int64(s.elapsed), CA: s.caCert.Raw, Leaf: s.cert.Leaf.Raw,
		Server: s.o.serverAddr, Wiretap: s.o.tapAddr,
		Suite: s.cs.CipherSuite, Curve: uint16(s.cs.CurveID), ALPN: s.cs.NegotiatedProtocol,
		HRR: s.cs.DidHelloRetryRequest, Target: s.target.n,
		Request: string(s.o.request), Response: string(s.o.response), SameKeys: s.o.sameKeys,
	}
	for _, r := range s.recs {
		f.Records = append(f.Records, *recordFile(r))
	}
	for _, e := range s.keyLog {
		f.KeyLog = append(f.KeyLog, e.label+" "+hex.EncodeToString(e.clientRandom)+" "+hex.EncodeToString(e.secret))
	}
	if e := s.ech; e != nil {
		f.ECH = &echFile{
			Config: e.key.Config, PrivateKey: e.key.PrivateKey, List: e.list, PublicCert: e.publicCert.Leaf.Raw,
			Accepted: e.accepted, ServerDecision: e.serverDecision, ClientDecision: e.clientDecision,
			ServerInner: e.serverInner,
		}
	}
	if e := s.certEvent; e != nil {
		f.CertEvent = &certEventFile{Detail: e.detail, Length: e.length}
	}
	for _, a := range s.attacks {
		af := atkFile{
			Name: a.name, Stopped: a.stopped, Alert: a.alert, Problem: errText(a.problem),
			ClientErr: errText(a.o.clientErr), ExchangeErr: errText(a.o.exchangeErr),
			ServerErr: errText(a.o.serverErr), ServerAfter: errText(a.o.serverAfter), RelayErr: errText(a.relayErr),
			Request: string(a.o.request), Target: recordFile(a.target), Offset: a.offset,
			Before: a.before, After: a.after, ExplicitNonce: a.explicitNonce, ServedOriginal: a.servedOriginal,
			Stolen: string(a.stolen), HelloBefore: helloBytes(a.helloBefore), HelloAfter: helloBytes(a.helloAfter),
			LenBefore: a.lenBefore, LenAfter: a.lenAfter, ServerRandom: a.serverRandom, Sentinel: a.sentinel,
			ZeroRTT: zeroRTTRecord(a.z),
		}
		if a.fake != nil {
			af.Fake = a.fake.Raw
		}
		f.Attacks = append(f.Attacks, af)
	}
	b, err := json.MarshalIndent(f, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// readStory loads a recorded story and examines it as tellStory does.
func readStory(t testing.TB, path string) *story {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -demo.record to record it)", err)
	}
	var f storyFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	parse := func(der []byte) *x509.Certificate {
		t.Helper()
		if der == nil {
			return nil
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return c
	}
	hello := func(body []byte) *wire.ClientHello {
		t.Helper()
		if body == nil {
			return nil
		}
		ch, err := wire.ParseClientHello(body)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return ch
	}
	ca, leaf := parse(f.CA), parse(f.Leaf)
	s := &story{
		opts:    demoOptions{Version: f.Version, RSA: f.RSA, Attacks: []string{}},
		start:   f.Start,
		checked: f.Checked,
		elapsed: time.Duration(f.Elapsed),
		caCert:  ca,
		cert:    tls.Certificate{Certificate: [][]byte{f.Leaf}, Leaf: leaf},
	}
	if e := f.ECH; e != nil {
		s.opts.ECH = true
		pc := parse(e.PublicCert)
		s.ech = &demoECH{
			key:        tls.EncryptedClientHelloKey{Config: e.Config, PrivateKey: e.PrivateKey, SendAsRetry: true},
			list:       e.List,
			publicCert: tls.Certificate{Certificate: [][]byte{e.PublicCert}, Leaf: pc},
			accepted:   e.Accepted, serverDecision: e.ServerDecision, clientDecision: e.ClientDecision,
			serverInner: e.ServerInner,
		}
	}
	s.cs = tls.ConnectionState{
		ECHAccepted: f.ECH != nil && f.ECH.Accepted,
		Version:     f.Version, CipherSuite: f.Suite, CurveID: tls.CurveID(f.Curve),
		NegotiatedProtocol: f.ALPN, DidHelloRetryRequest: f.HRR,
		PeerCertificates: []*x509.Certificate{leaf},
		VerifiedChains:   [][]*x509.Certificate{{leaf, ca}},
	}
	s.o = &outcome{
		serverAddr: f.Server, tapAddr: f.Wiretap, client: s.cs,
		request: []byte(f.Request), response: []byte(f.Response), sameKeys: f.SameKeys,
	}
	for i := range f.Records {
		s.recs = append(s.recs, f.Records[i].record())
	}
	if f.Target < 1 || f.Target > len(s.recs) {
		t.Fatalf("%s: target record %d is not in the capture", path, f.Target)
	}
	s.target = s.recs[f.Target-1]
	kl := &keyLog{}
	kl.Write([]byte(strings.Join(f.KeyLog, "\n") + "\n"))
	s.keyLog = kl.all()
	if e := f.CertEvent; e != nil {
		s.certEvent = &certSent{detail: e.Detail, length: e.Length}
	}
	if err := s.examine(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, af := range f.Attacks {
		s.opts.Attacks = append(s.opts.Attacks, af.Name)
		a := &attack{
			name: af.Name, stopped: af.Stopped, alert: af.Alert, problem: textErr(af.Problem),
			o: &outcome{
				clientErr: textErr(af.ClientErr), exchangeErr: textErr(af.ExchangeErr),
				serverErr: textErr(af.ServerErr), serverAfter: textErr(af.ServerAfter),
				request: []byte(af.Request),
			},
			target: af.Target.record(), offset: af.Offset, before: af.Before, after: af.After,
			explicitNonce: af.ExplicitNonce, servedOriginal: af.ServedOriginal,
			fake: parse(af.Fake), relayErr: textErr(af.RelayErr), stolen: []byte(af.Stolen),
			helloBefore: hello(af.HelloBefore), helloAfter: hello(af.HelloAfter),
			lenBefore: af.LenBefore, lenAfter: af.LenAfter, serverRandom: af.ServerRandom, sentinel: af.Sentinel,
			z: af.ZeroRTT.zeroRTT(),
		}
		s.attacks = append(s.attacks, a)
	}
	return s
}
