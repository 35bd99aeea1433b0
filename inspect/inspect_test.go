package inspect_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"lucid/https"
	"lucid/inspect"
	"lucid/internal/testpki"
	"lucid/internal/teststore"
	"lucid/internal/testwait"
	"lucid/tls"
	"lucid/trace"
)

// fixture is a CA, a server certificate for the loopback names and two
// client certificates, one of them with markup in its name.
type fixture struct {
	ca         *testpki.CA
	server     tls.Certificate
	client     tls.Certificate
	evilClient tls.Certificate
}

var (
	fixOnce sync.Once
	fix     *fixture
	fixErr  error
)

func getFixture(t *testing.T) *fixture {
	t.Helper()
	fixOnce.Do(func() {
		fixErr = func() error {
			ca, err := testpki.NewCA("inspect test root", testpki.ECDSAP256)
			if err != nil {
				return err
			}
			f := &fixture{ca: ca}
			for _, x := range []struct {
				dst  *tls.Certificate
				opts testpki.LeafOptions
			}{
				{&f.server, testpki.LeafOptions{Names: []string{"localhost", "127.0.0.1"}}},
				{&f.client, testpki.LeafOptions{Names: []string{"alice"}, Client: true}},
				{&f.evilClient, testpki.LeafOptions{Names: []string{"<script>alert(1)</script>"}, Client: true}},
			} {
				leaf, err := ca.Issue(x.opts)
				if err != nil {
					return err
				}
				if *x.dst, err = tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM); err != nil {
					return err
				}
			}
			fix = f
			return nil
		}()
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return fix
}

// serveInspect runs an https.Server with the inspection handler on a
// loopback port and returns its port.
func serveInspect(t *testing.T, srv *https.Server, o inspect.Options) string {
	t.Helper()
	f := getFixture(t)
	if srv.TLSConfig == nil {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{f.server}}
	}
	if o.TLSConfig == nil {
		o.TLSConfig = srv.TLSConfig
	}
	srv.Handler = inspect.Handler(o)
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}

// fetch GETs url through rt and returns the response and its body.
func fetch(t *testing.T, rt http.RoundTripper, method, url string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(testwait.Context(t), method, url, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func (f *fixture) transport(cfg *tls.Config) *https.Transport {
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg.RootCAs = f.ca.Pool
	return &https.Transport{TLSConfig: cfg}
}

// report fetches /api/handshake, checks it against the schema and decodes
// it.
func report(t *testing.T, rt http.RoundTripper, base string) (*inspect.Report, map[string]any) {
	t.Helper()
	resp, body := fetch(t, rt, "GET", base+"/api/handshake")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("/api/handshake: %s %s\n%s", resp.Status, resp.Header.Get("Content-Type"), body)
	}
	s := loadSchema(t)
	doc, err := decodeJSON(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.validate(doc); err != nil {
		t.Fatalf("the report does not match schema/inspect-v2.json: %v\n%s", err, body)
	}
	var rep inspect.Report
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatal(err)
	}
	return &rep, doc.(map[string]any)
}

func choice(rep *inspect.Report, item string) (inspect.Choice, bool) {
	for _, c := range rep.Choices {
		if c.Item == item {
			return c, true
		}
	}
	return inspect.Choice{}, false
}

// checkPage checks what every inspection page must be: self-contained,
// scriptless, with a well-formed SVG diagram.
func checkPage(t *testing.T, resp *http.Response, page string) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if strings.Contains(strings.ToLower(page), "<script") {
		t.Error("the page contains a script element")
	}
	// Nothing is fetched from elsewhere: the only absolute URLs are the SVG
	// namespace, which is a name, not a fetch, and the verdict's links to
	// the rubric's references, which the visitor follows or not.
	rest := strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, "")
	for _, c := range inspect.Rubric {
		rest = strings.ReplaceAll(rest, `<a href="`+c.URL+`" rel="noreferrer">`, "")
	}
	if m := externalRef.FindString(rest); m != "" {
		t.Errorf("the page refers to something outside itself: %q", m)
	}
	if !strings.Contains(page, `name="viewport"`) {
		t.Error("no viewport meta element: the page would not fit a phone")
	}
	i, j := strings.Index(page, "<svg"), strings.Index(page, "</svg>")
	if i < 0 || j < i {
		t.Fatal("no SVG diagram")
	}
	dec := xml.NewDecoder(strings.NewReader(page[i : j+len("</svg>")]))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG diagram is not well-formed XML: %v", err)
		}
	}
}

// externalRef finds markup that would fetch something: an element with a
// src attribute or a link, an absolute URL in an attribute, a CSS import
// or an url() that is not a fragment.
var externalRef = regexp.MustCompile(`<[a-zA-Z][^>]*\s(src|srcset|data)=|<link|(href|action)="?[a-z]+:|@import|url\([^#)]`)

var ja4Pattern = regexp.MustCompile(`^t1[23]d\d{4}[0-9a-zA-Z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$`)

func TestTLS13(t *testing.T) {
	f := getFixture(t)
	var reports []*inspect.Report
	var mu sync.Mutex
	port := serveInspect(t, &https.Server{Inspect: true}, inspect.Options{OnReport: func(r *inspect.Report) {
		mu.Lock()
		reports = append(reports, r)
		mu.Unlock()
	}})
	rt := f.transport(nil)
	base := "https://localhost:" + port

	rep, doc := report(t, rt, base)
	c := rep.Connection
	if rep.Schema != "lucid.inspect/2" || c.TLSVersion != "TLS 1.3" || c.HTTPProtocol != "HTTP/2.0" || c.ALPN != "h2" || c.ServerName != "localhost" {
		t.Errorf("connection %+v", c)
	}
	if c.Group != "X25519MLKEM768" || c.CipherSuite != "TLS_AES_128_GCM_SHA256" || c.SignatureScheme != "ecdsa_secp256r1_sha256" {
		t.Errorf("connection %+v", c)
	}
	if c.HandshakeMS <= 0 {
		t.Errorf("handshake_ms %v", c.HandshakeMS)
	}
	if !ja4Pattern.MatchString(rep.Fingerprints.JA4) || len(rep.Fingerprints.JA3) != 32 {
		t.Errorf("fingerprints %+v", rep.Fingerprints)
	}
	ch := rep.ClientHello
	if ch == nil || ch.ServerName != "localhost" || len(ch.CipherSuites) == 0 || len(ch.KeyShares) == 0 ||
		len(ch.SignatureAlgorithms) == 0 || strings.Join(ch.ALPN, ",") != "h2,http/1.1" || ch.LegacyVersion != "TLS 1.2" {
		t.Fatalf("client_hello %+v", ch)
	}
	for item, want := range map[string]string{
		"version":                     "TLS 1.3",
		"cipher suite":                "TLS_AES_128_GCM_SHA256",
		"key exchange group":          "X25519MLKEM768",
		"signature scheme":            "ecdsa_secp256r1_sha256",
		"application protocol (ALPN)": "h2",
		"certificate":                 "CN=localhost issued by CN=inspect test root,O=Lucid test PKI",
		"resumption":                  "full handshake",
	} {
		got, ok := choice(rep, item)
		if !ok || got.Chosen != want || got.Why == "" {
			t.Errorf("choice %q: %+v, want %q", item, got, want)
		}
	}
	if g, _ := choice(rep, "key exchange group"); !strings.Contains(g.Why, "no extra round trip") && !strings.Contains(g.Why, "first round trip") {
		t.Errorf("group why: %s", g.Why)
	}
	if s, _ := choice(rep, "signature scheme"); !strings.Contains(s.Why, "ECDSA P-256") {
		t.Errorf("signature why: %s", s.Why)
	}
	if len(rep.CertificateChain) != 1 || rep.CertificateChain[0].PublicKey != "ECDSA P-256" || len(rep.CertificateChain[0].SHA256) != 64 ||
		strings.Join(rep.CertificateChain[0].DNSNames, ",") != "localhost" {
		t.Errorf("certificate_chain %+v", rep.CertificateChain)
	}
	if rep.ClientCertificate != nil || doc["client_certificate"] != nil {
		t.Errorf("client_certificate %+v", rep.ClientCertificate)
	}
	if len(rep.Steps) != 8 {
		t.Fatalf("%d steps", len(rep.Steps))
	}
	for i, s := range rep.Steps {
		want := trace.SeedSteps[i+1]
		if s.Number != i+1 || s.Title != want.Title || s.TitleZH != want.TitleZH || s.Explanation != want.Explanation || s.Here == "" {
			t.Errorf("step %d: %+v", i+1, s)
		}
		for _, e := range s.Events {
			if rep.Events[e].SeedStep != s.Number {
				t.Errorf("step %d lists event %d of step %d", s.Number, e, rep.Events[e].SeedStep)
			}
		}
	}
	var names []string
	for _, e := range rep.Events {
		if strings.HasPrefix(e.Kind, "message_") {
			names = append(names, e.Dir+":"+e.Name)
		}
	}
	if got := strings.Join(names, " "); !strings.HasPrefix(got, "in:ClientHello out:ServerHello out:EncryptedExtensions out:Certificate out:CertificateVerify out:Finished out:NewSessionTicket in:Finished") {
		t.Errorf("messages: %s", got)
	}

	resp, body := fetch(t, rt, "GET", base+"/")
	page := string(body)
	checkPage(t, resp, page)
	for _, want := range []string{
		"<td>TLS 1.3</td>", "<td>X25519MLKEM768</td>", "<td>h2</td>", rep.Fingerprints.JA4, rep.Fingerprints.JA3,
		"What your client offered", "What the server chose, and why", "TLS_CHACHA20_POLY1305_SHA256",
		trace.SeedSteps[6].TitleZH, trace.SeedSteps[4].Explanation[:40], "ClientHello (", "CertificateVerify (",
		`href="#step-1"`, "/api/handshake",
		`id="verdict"`, "Verdict on your client: <span class=\"rating rating-Good\">Good</span>", rep.Verdict.Summary,
		`<a href="https://www.rfc-editor.org/rfc/rfc8701" rel="noreferrer">RFC 8701</a>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Lucid's own client offers TLS 1.3, AEAD ECDHE suites and
	// X25519MLKEM768 only: the rubric's Good.
	if rep.Verdict == nil || rep.Verdict.Rating != inspect.RatingGood {
		t.Errorf("verdict %+v, want Good", rep.Verdict)
	}
	// Wording slips: markdown backticks, "1 bytes" and the like.
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, "")
	for _, slip := range []string{"`", "(1 bytes)", " 1 values", "ticket(s)"} {
		if strings.Contains(text, slip) {
			t.Errorf("the page's text contains %q", slip)
		}
	}
	mu.Lock()
	n := len(reports)
	mu.Unlock()
	if n != 2 {
		t.Errorf("OnReport saw %d reports, want 2", n)
	}

	// HEAD, other paths and methods, the schema.
	if resp, body := fetch(t, rt, "HEAD", base+"/"); resp.StatusCode != 200 || len(body) != 0 {
		t.Errorf("HEAD: %s %d bytes", resp.Status, len(body))
	}
	if resp, _ := fetch(t, rt, "GET", base+"/favicon.ico"); resp.StatusCode != 404 {
		t.Errorf("/favicon.ico: %s", resp.Status)
	}
	if resp, _ := fetch(t, rt, "POST", base+"/api/handshake"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %s", resp.Status)
	}
	if resp, body := fetch(t, rt, "GET", base+"/api/handshake/schema"); resp.StatusCode != 200 || !bytes.Equal(body, inspect.JSONSchema()) {
		t.Errorf("/api/handshake/schema: %s", resp.Status)
	}
}

func TestTLS12WithClientCertificate(t *testing.T) {
	f := getFixture(t)
	port := serveInspect(t, &https.Server{Inspect: true, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{f.server}, ClientAuth: tls.VerifyClientCertIfGiven, ClientCAs: f.ca.Pool,
	}}, inspect.Options{})
	rt := f.transport(&tls.Config{MaxVersion: tls.VersionTLS12, Certificates: []tls.Certificate{f.client}})
	rt.Protocol = https.ProtocolHTTP1
	base := "https://localhost:" + port
	rep, _ := report(t, rt, base)
	c := rep.Connection
	if c.TLSVersion != "TLS 1.2" || c.HTTPProtocol != "HTTP/1.1" || c.ALPN != "http/1.1" || c.Group == "" || c.SignatureScheme == "" {
		t.Errorf("connection %+v", c)
	}
	if !strings.HasPrefix(rep.Fingerprints.JA4, "t12d") {
		t.Errorf("JA4 %s", rep.Fingerprints.JA4)
	}
	if cc := rep.ClientCertificate; cc == nil || cc.Subject != "CN=alice" || !cc.Verified {
		t.Errorf("client_certificate %+v", cc)
	}
	if got, ok := choice(rep, "client certificate"); !ok || got.Chosen != "CN=alice" {
		t.Errorf("client certificate choice %+v", got)
	}
	if got, _ := choice(rep, "key exchange group"); !strings.Contains(got.Why, "ServerKeyExchange") {
		t.Errorf("group why: %s", got.Why)
	}
	if got, _ := choice(rep, "cipher suite"); !strings.Contains(got.Why, "ECDHE") {
		t.Errorf("suite why: %s", got.Why)
	}
	resp, body := fetch(t, rt, "GET", base+"/")
	page := string(body)
	checkPage(t, resp, page)
	for _, want := range []string{"<td>TLS 1.2</td>", "ServerKeyExchange (", "CN=alice (issued by CN=inspect test root", "; verified)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if c.Shape != "tls12-ecdhe-client-auth" {
		t.Errorf("shape %q, want tls12-ecdhe-client-auth", c.Shape)
	}
	checkKeysBeforeRecords(t, diagramRows(t, page))
}

// What the client controls, its ALPN protocols and its certificate's
// subject, reaches the page and the diagram escaped.
func TestEscapes(t *testing.T) {
	f := getFixture(t)
	port := serveInspect(t, &https.Server{Inspect: true, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{f.server}, ClientAuth: tls.RequestClientCert,
	}}, inspect.Options{})
	raw, err := net.Dial("tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(testwait.Deadline(t))
	evil := `<img src=x onerror="alert(1)">`
	c := tls.Client(raw, &tls.Config{
		RootCAs: f.ca.Pool, ServerName: "localhost", NextProtos: []string{"http/1.1", evil},
		Certificates: []tls.Certificate{f.evilClient},
	})
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	checkPage(t, resp, page)
	if strings.Contains(page, evil) || strings.Contains(page, "<img") || !strings.Contains(page, "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;") {
		t.Errorf("the client's ALPN protocol is not escaped")
	}
	if !strings.Contains(page, `CN=\&lt;script\&gt;alert(1)`) || !strings.Contains(page, "not verified") {
		i := strings.Index(page, "Client certificate")
		t.Errorf("the client's certificate subject is not shown escaped:\n%s", page[i:min(len(page), i+300)])
	}
}

// Without Server.Inspect the page shows what ConnectionState knows.
func TestWithoutEvents(t *testing.T) {
	f := getFixture(t)
	port := serveInspect(t, &https.Server{}, inspect.Options{})
	rt := f.transport(nil)
	base := "https://localhost:" + port
	rep, doc := report(t, rt, base)
	if rep.EventsRecorded || rep.ClientHello != nil || doc["client_hello"] != nil || len(rep.Events) != 0 {
		t.Errorf("report claims events: %+v", rep)
	}
	if rep.Connection.TLSVersion != "TLS 1.3" || !ja4Pattern.MatchString(rep.Fingerprints.JA4) {
		t.Errorf("report %+v", rep)
	}
	resp, body := fetch(t, rt, "GET", base+"/")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "<td>TLS 1.3</td>") || strings.Contains(string(body), "<svg") {
		t.Errorf("page: %s\n%s", resp.Status, body)
	}
}

// A resumed connection says so, and sends no certificate.
func TestResumption(t *testing.T) {
	f := getFixture(t)
	port := serveInspect(t, &https.Server{Inspect: true}, inspect.Options{})
	cache := tls.NewLRUClientSessionCache(4)
	base := "https://localhost:" + port
	first := f.transport(&tls.Config{ClientSessionCache: cache})
	rep, _ := report(t, first, base)
	if rep.Connection.Resumed {
		t.Fatal("the first connection resumed")
	}
	first.CloseIdleConnections()
	second := f.transport(&tls.Config{ClientSessionCache: cache})
	rep, _ = report(t, second, base)
	if !rep.Connection.Resumed || len(rep.CertificateChain) != 0 || rep.ClientHello.PSKIdentities == 0 {
		t.Fatalf("second connection: resumed %v, chain %v, psk %v", rep.Connection.Resumed, rep.CertificateChain, rep.ClientHello.PSKIdentities)
	}
	if got, _ := choice(rep, "resumption"); got.Chosen != "resumed" {
		t.Errorf("resumption choice %+v", got)
	}
	if got, _ := choice(rep, "certificate"); got.Chosen != "none sent" {
		t.Errorf("certificate choice %+v", got)
	}
	if rep.Connection.Shape != "tls13-psk" {
		t.Errorf("shape %q, want tls13-psk", rep.Connection.Shape)
	}
	_, body := fetch(t, second, "GET", base+"/")
	rows := diagramRows(t, string(body))
	checkKeysBeforeRecords(t, rows)
	if find(rows, "message_sent", "Certificate") >= 0 || find(rows, "message_sent", "EncryptedExtensions") < 0 {
		t.Errorf("the resumed handshake's diagram: %+v", rows)
	}
}

// A session issued by one server of a fleet and resumed on another: the
// report and the page name the issuer and the shared store.
func TestResumptionFromFleet(t *testing.T) {
	f := getFixture(t)
	store := teststore.New()
	server := func(id string) string {
		return serveInspect(t, &https.Server{Inspect: true, TLSConfig: &tls.Config{
			Certificates: []tls.Certificate{f.server}, SessionStore: store, ServerID: id}}, inspect.Options{})
	}
	a, b := server("edge-a"), server("edge-b")
	cache := tls.NewLRUClientSessionCache(4)
	first := f.transport(&tls.Config{ClientSessionCache: cache})
	if rep, _ := report(t, first, "https://localhost:"+a); rep.Connection.Resumed {
		t.Fatal("the first connection resumed")
	}
	first.CloseIdleConnections()
	second := f.transport(&tls.Config{ClientSessionCache: cache})
	rep, _ := report(t, second, "https://localhost:"+b)
	if c := rep.Connection; !c.Resumed || c.SessionIssuer != "edge-a" || !c.SessionFromStore {
		t.Fatalf("server B's report: resumed %v, issuer %q, from store %v; want true, edge-a, true", c.Resumed, c.SessionIssuer, c.SessionFromStore)
	}
	_, body := fetch(t, second, "GET", "https://localhost:"+b+"/")
	if want := "issued by server <code>edge-a</code>, through the fleet's shared session store"; !strings.Contains(string(body), want) {
		t.Errorf("the page does not say %q", want)
	}
}

// A client with no key share the server takes gets a HelloRetryRequest,
// and the page explains the extra round trip.
func TestHelloRetryRequest(t *testing.T) {
	f := getFixture(t)
	port := serveInspect(t, &https.Server{Inspect: true, TLSConfig: &tls.Config{
		Certificates: []tls.Certificate{f.server}, CurvePreferences: []tls.CurveID{tls.CurveP384},
	}}, inspect.Options{})
	rt := f.transport(&tls.Config{CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP384}})
	base := "https://localhost:" + port
	rep, _ := report(t, rt, base)
	if !rep.Connection.HelloRetryRequest || rep.Connection.Group != "secp384r1" {
		t.Fatalf("connection %+v", rep.Connection)
	}
	if got, _ := choice(rep, "key exchange group"); !strings.Contains(got.Why, "HelloRetryRequest") {
		t.Errorf("group why: %s", got.Why)
	}
	hellos := 0
	for _, e := range rep.Events {
		if e.Kind == "message_received" && e.Name == "ClientHello" {
			hellos++
		}
	}
	if hellos != 2 {
		t.Errorf("%d ClientHellos, want 2", hellos)
	}
	_, body := fetch(t, rt, "GET", base+"/")
	if !strings.Contains(string(body), "HelloRetryRequest: send a share for secp384r1") {
		t.Error("the diagram does not show the HelloRetryRequest")
	}
	if rep.Connection.Shape != "tls13-hrr" {
		t.Errorf("shape %q, want tls13-hrr", rep.Connection.Shape)
	}
	rows := diagramRows(t, string(body))
	checkKeysBeforeRecords(t, rows)
	// After a HelloRetryRequest the compatibility change_cipher_spec went
	// with it, so it stays there rather than moving up to the keys.
	ccs := findLabel(rows, "change_cipher_spec record, seq 0")
	if hrr, sh := find(rows, "message_sent", "ServerHello"), findLabel(rows, "handshake write key installed"); !(hrr < ccs && ccs < sh) {
		t.Errorf("rows HelloRetryRequest %d, change_cipher_spec %d, handshake write key %d", hrr, ccs, sh)
	}
}

// The package comment and the schema describe the same members.
func TestSchemaDocumented(t *testing.T) {
	s := loadSchema(t)
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for name := range s.root["properties"].(map[string]any) {
		if !bytes.Contains(src, []byte("//\t"+name+" ")) {
			t.Errorf("member %q is in the schema but not in the package comment", name)
		}
	}
	if got := s.root["properties"].(map[string]any)["schema"].(map[string]any)["const"]; got != inspect.SchemaVersion {
		t.Errorf("schema const %v, SchemaVersion %s", got, inspect.SchemaVersion)
	}
}
