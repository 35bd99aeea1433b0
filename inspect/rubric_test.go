package inspect

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lucid/internal/testpki"
	"lucid/internal/testwait"
	"lucid/tls"
)

var rubricUpdate = flag.Bool("rubric.update", false, "rewrite rubric.md from inspect.Rubric")

// readHello reads a recorded ClientHello body from testdata/hellos: hex,
// with # comment lines.
func readHello(t *testing.T, name string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "hellos", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var text strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			text.WriteString(line)
		}
	}
	body, err := hex.DecodeString(text.String())
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return body
}

// reportedHello sends body, a ClientHello body, to a Lucid server and
// returns the ClientHello as the report would show it: the path a real
// visitor's hello takes, from the server's event to the page, even when
// the server then refuses the hello.
func reportedHello(t *testing.T, body []byte) *ClientHello {
	t.Helper()
	ca, err := testpki.NewCA("rubric test root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	type hello struct {
		fields Fields
		length int
	}
	got := make(chan hello, 1)
	cli, srv := net.Pipe()
	defer cli.Close()
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, Observer: func(e tls.Event) {
		if e.Kind == tls.EventMessageReceived && e.Name == "ClientHello" {
			select {
			case got <- hello{cleanFields(e.Fields), e.Length}:
			default:
			}
		}
	}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c := tls.Server(srv, cfg)
		c.Handshake()
		c.Close()
	}()
	msg := append([]byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	record := append([]byte{22, 3, 1, byte(len(msg) >> 8), byte(len(msg))}, msg...)
	go func() {
		cli.SetDeadline(testwait.Deadline(t))
		cli.Write(record)
		// Drain what the server answers until it hangs up, so that it
		// never blocks on the pipe.
		buf := make([]byte, 4096)
		for {
			if _, err := cli.Read(buf); err != nil {
				return
			}
		}
	}()
	// The server either reports the hello and waits for more, or refuses
	// it and hangs up; a hang-up with no report means it did not parse.
	var h hello
	select {
	case h = <-got:
	case <-done:
		select {
		case h = <-got:
		default:
			t.Fatal("the server hung up without reporting a ClientHello")
		}
	case <-testwait.Context(t).Done():
		t.Fatal("gave up waiting for the server's ClientHello event")
	}
	cli.Close()
	testwait.Recv(t, done, "the server to end the handshake")
	return clientHello(h.fields, h.length)
}

// weakHello is a deliberately weak ClientHello body: TLS 1.1 at most (no
// supported_versions), RC4, 3DES and RSA key transport with CBC, and no
// extensions but supported_groups.
func weakHello() []byte {
	var b bytes.Buffer
	b.Write([]byte{3, 2})                // legacy_version TLS 1.1
	b.Write(bytes.Repeat([]byte{7}, 32)) // random
	b.WriteByte(0)                       // no session id
	suites := []uint16{0x0005, 0x000a, 0x002f, 0x0004}
	b.Write([]byte{0, byte(2 * len(suites))})
	for _, s := range suites {
		b.Write([]byte{byte(s >> 8), byte(s)})
	}
	b.Write([]byte{1, 0}) // null compression
	groups := []byte{0, 10, 0, 6, 0, 4, 0, 0x17, 0, 0x18}
	b.Write([]byte{0, byte(len(groups))})
	b.Write(groups)
	return b.Bytes()
}

func results(v *Verdict) map[string]Result {
	m := map[string]Result{}
	for _, p := range v.Points {
		m[p.ID] = p.Result
	}
	return m
}

// Recorded ClientHellos of real clients, and a weak one, get the verdicts
// the rubric gives them, point by point.
func TestRubricRecordedHellos(t *testing.T) {
	for _, tc := range []struct {
		name   string
		body   func(t *testing.T) []byte
		rating Rating
		want   map[string]Result
		detail map[string]string // a point's detail must contain this
	}{
		{
			name: "Chromium 156", body: func(t *testing.T) []byte { return readHello(t, "chromium-156.hex") },
			// Chromium still offers RSA key transport and CBC suites after
			// its modern ones, for old servers.
			rating: RatingImprovable,
			want: map[string]Result{"tls13": ResultPass, "no_old_versions": ResultPass, "forward_secrecy": ResultImprovable,
				"no_cbc": ResultImprovable, "no_broken_ciphers": ResultPass, "pq_hybrid": ResultPass, "grease": ResultPass, "ech": ResultNotScored},
			detail: map[string]string{"forward_secrecy": "TLS_RSA_WITH_AES_128_GCM_SHA256", "pq_hybrid": "X25519MLKEM768 key share", "ech": "sent an encrypted_client_hello"},
		},
		{
			name: "Go crypto/tls", body: func(t *testing.T) []byte { return readHello(t, "go-1.26-crypto-tls.hex") },
			rating: RatingImprovable,
			want: map[string]Result{"tls13": ResultPass, "no_old_versions": ResultPass, "forward_secrecy": ResultPass,
				"no_cbc": ResultImprovable, "no_broken_ciphers": ResultPass, "pq_hybrid": ResultPass, "grease": ResultAdvice, "ech": ResultNotScored},
			detail: map[string]string{"no_cbc": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "grease": "no GREASE"},
		},
		{
			name: "curl 7.88.1", body: func(t *testing.T) []byte { return readHello(t, "curl-7.88.1.hex") },
			rating: RatingImprovable,
			// OpenSSL 3.0 at its default security level still lists
			// TLS 1.1 and 1.0 in supported_versions.
			want: map[string]Result{"tls13": ResultPass, "no_old_versions": ResultImprovable, "forward_secrecy": ResultImprovable,
				"no_cbc": ResultImprovable, "no_broken_ciphers": ResultPass, "pq_hybrid": ResultImprovable, "grease": ResultAdvice, "ech": ResultNotScored},
			// Named from inspect's own table, not Lucid's suites.
			detail: map[string]string{"forward_secrecy": "TLS_RSA_WITH_AES_256_CBC_SHA256", "no_cbc": "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "no_old_versions": "TLS 1.1, TLS 1.0"},
		},
		{
			name: "openssl s_client 3.0.19", body: func(t *testing.T) []byte { return readHello(t, "openssl-3.0.19.hex") },
			rating: RatingImprovable,
			want: map[string]Result{"tls13": ResultPass, "forward_secrecy": ResultImprovable, "no_cbc": ResultImprovable,
				"no_broken_ciphers": ResultPass, "pq_hybrid": ResultImprovable, "grease": ResultAdvice},
		},
		{
			name: "weak", body: func(*testing.T) []byte { return weakHello() },
			rating: RatingBad,
			want: map[string]Result{"tls13": ResultImprovable, "no_old_versions": ResultBad, "forward_secrecy": ResultBad,
				"no_cbc": ResultImprovable, "no_broken_ciphers": ResultBad, "pq_hybrid": ResultImprovable, "grease": ResultAdvice, "ech": ResultNotScored},
			detail: map[string]string{"no_broken_ciphers": "TLS_RSA_WITH_RC4_128_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_RC4_128_MD5", "no_old_versions": "TLS 1.1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := reportedHello(t, tc.body(t))
			v := Rate(ch)
			if v.Rating != tc.rating {
				t.Errorf("rating %s, want %s: %s", v.Rating, tc.rating, v.Summary)
			}
			if !strings.HasPrefix(v.Summary, string(v.Rating)+": ") {
				t.Errorf("summary %q does not open with the rating", v.Summary)
			}
			if len(v.Points) != len(Rubric) {
				t.Fatalf("%d points, the rubric has %d", len(v.Points), len(Rubric))
			}
			got := results(v)
			for id, want := range tc.want {
				if got[id] != want {
					t.Errorf("%s: %s, want %s", id, got[id], want)
				}
			}
			for _, p := range v.Points {
				if want, ok := tc.detail[p.ID]; ok && !strings.Contains(p.Detail, want) {
					t.Errorf("%s detail %q, want it to mention %q", p.ID, p.Detail, want)
				}
			}
			if t.Failed() {
				for _, p := range v.Points {
					t.Logf("%s %s: %s", p.ID, p.Result, p.Detail)
				}
				t.Logf("suites %v\ngroups %v", ch.CipherSuites, ch.SupportedGroups)
			}
		})
	}
}

// Chromium's one-byte GREASE key share reads "(1 byte)", and its GREASE
// key share is named as the other lists name GREASE values.
func TestRecordedHelloWording(t *testing.T) {
	ch := reportedHello(t, readHello(t, "chromium-156.hex"))
	var grease string
	for _, ks := range ch.KeyShares {
		if strings.Contains(ks, "bytes)") && strings.Contains(ks, "(1 bytes)") {
			t.Errorf("key share %q", ks)
		}
		if isGREASEName(ks) {
			grease = ks
		}
	}
	if !strings.HasSuffix(grease, " (1 byte)") {
		t.Errorf("GREASE key share %q, want it to end in (1 byte); shares %v", grease, ch.KeyShares)
	}
	for _, s := range ch.SignatureAlgorithms {
		if strings.HasPrefix(s, "0x") {
			t.Errorf("signature scheme %s has no name", s)
		}
	}
}

// Every point of the rubric counts: a client that passes everything is
// Good, and missing any one scored point alone lowers the rating to what
// the rubric says.
func TestRubricEachPointCounts(t *testing.T) {
	good := &ClientHello{
		LegacyVersion:     "TLS 1.2",
		SupportedVersions: []string{"GREASE(0x1a1a)", "TLS 1.3", "TLS 1.2"},
		CipherSuites:      []string{"GREASE(0x2a2a)", "TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
		SupportedGroups:   []string{"X25519MLKEM768", "x25519"},
		KeyShares:         []string{"X25519MLKEM768 (1216 bytes)"},
		Extensions:        []string{"supported_versions"},
		GREASE:            []string{"cipher_suites: GREASE(0x2a2a)"},
	}
	if v := Rate(good); v.Rating != RatingGood {
		t.Fatalf("the good client is %s: %s", v.Rating, v.Summary)
	}
	for _, tc := range []struct {
		id     string
		change func(ch *ClientHello)
		want   Result
	}{
		{"tls13", func(ch *ClientHello) { ch.SupportedVersions = []string{"TLS 1.2"} }, ResultImprovable},
		{"no_old_versions", func(ch *ClientHello) { ch.SupportedVersions = append(ch.SupportedVersions, "TLS 1.1") }, ResultImprovable},
		{"no_old_versions", func(ch *ClientHello) { ch.SupportedVersions, ch.LegacyVersion = nil, "TLS 1.0" }, ResultBad},
		{"forward_secrecy", func(ch *ClientHello) {
			ch.CipherSuites = append(ch.CipherSuites, "TLS_RSA_WITH_AES_128_GCM_SHA256")
		}, ResultImprovable},
		{"forward_secrecy", func(ch *ClientHello) {
			ch.SupportedVersions = []string{"TLS 1.2"}
			ch.CipherSuites = []string{"TLS_RSA_WITH_AES_128_GCM_SHA256"}
		}, ResultBad},
		{"no_cbc", func(ch *ClientHello) {
			ch.CipherSuites = append(ch.CipherSuites, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")
		}, ResultImprovable},
		{"no_broken_ciphers", func(ch *ClientHello) {
			ch.CipherSuites = append(ch.CipherSuites, "TLS_ECDHE_RSA_WITH_RC4_128_SHA")
		}, ResultBad},
		{"no_broken_ciphers", func(ch *ClientHello) {
			ch.CipherSuites = append(ch.CipherSuites, "TLS_DH_anon_WITH_AES_128_CBC_SHA")
		}, ResultBad},
		{"no_broken_ciphers", func(ch *ClientHello) { ch.CipherSuites = append(ch.CipherSuites, "TLS_RSA_WITH_NULL_SHA") }, ResultBad},
		{"pq_hybrid", func(ch *ClientHello) { ch.SupportedGroups, ch.KeyShares = []string{"x25519"}, nil }, ResultImprovable},
		{"grease", func(ch *ClientHello) { ch.GREASE = nil }, ResultAdvice},
	} {
		ch := *good
		ch.SupportedVersions = append([]string(nil), good.SupportedVersions...)
		ch.CipherSuites = append([]string(nil), good.CipherSuites...)
		tc.change(&ch)
		v := Rate(&ch)
		if got := results(v)[tc.id]; got != tc.want {
			t.Errorf("%s: %s, want %s", tc.id, got, tc.want)
		}
		want := map[Result]Rating{ResultImprovable: RatingImprovable, ResultBad: RatingBad, ResultAdvice: RatingGood}[tc.want]
		if v.Rating != want {
			t.Errorf("%s %s: rating %s, want %s (%s)", tc.id, tc.want, v.Rating, want, v.Summary)
		}
	}
}

// rubric.md is the rubric's published text and says what the Go table
// says.
func TestRubricDocument(t *testing.T) {
	want := RubricMarkdown()
	if *rubricUpdate {
		if err := os.WriteFile("rubric.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("rubric.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("rubric.md differs from inspect.Rubric; run go test ./inspect -run TestRubricDocument -rubric.update")
	}
	for _, c := range Rubric {
		if !strings.Contains(want, c.URL) || !strings.Contains(want, c.Why) {
			t.Errorf("rubric.md lacks %s's reference or explanation", c.ID)
		}
		if !strings.HasPrefix(c.URL, "https://") {
			t.Errorf("%s: reference URL %q", c.ID, c.URL)
		}
	}
}

// FuzzRate feeds arbitrary names to the naming and rating code: it must
// not panic, and every verdict must be one of the three ratings with one
// point per rubric entry.
func FuzzRate(f *testing.F) {
	f.Add("TLS 1.3", "TLS_RSA_WITH_RC4_128_SHA", "group(0x11eb)", "0x003D", "group(0x1a1a) (1 bytes)")
	f.Add("", "", "", "", "")
	f.Add("TLS 1.0", "TLS_", "group(0x", "0x", "GREASE(0x0a0a)")
	f.Fuzz(func(t *testing.T, ver, suite, group, hexSuite, share string) {
		ch := &ClientHello{
			LegacyVersion:     ver,
			SupportedVersions: []string{ver},
			CipherSuites:      nameSuites([]string{suite, hexSuite}),
			SupportedGroups:   nameGroups([]string{group}),
			KeyShares:         fixByteCounts(nameGroups(greaseShares([]string{share}))),
			Extensions:        []string{suite},
		}
		v := Rate(ch)
		switch v.Rating {
		case RatingGood, RatingImprovable, RatingBad:
		default:
			t.Fatalf("rating %q", v.Rating)
		}
		if len(v.Points) != len(Rubric) || v.Summary == "" {
			t.Fatalf("%d points, summary %q", len(v.Points), v.Summary)
		}
	})
}
