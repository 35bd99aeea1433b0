package inspect

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"lucid/internal/handshake"
	"lucid/tls"
)

//go:embed assets/page.html
var pageHTML string

//go:embed assets/page.css
var pageCSS string

//go:embed schema/inspect-v2.json
var schemaJSON []byte

// JSONSchema returns the JSON Schema (draft 2020-12) of a Report, the file
// schema/inspect-v2.json, also served at /api/handshake/schema.
func JSONSchema() []byte { return bytes.Clone(schemaJSON) }

// Options configure Handler and Build.
type Options struct {
	// TLSConfig is the server's configuration, read only: its
	// Certificates let the page describe the chain the server sent
	// (names, dates, key, fingerprint), its MaxVersion explains a version
	// choice. Optional.
	TLSConfig *tls.Config

	// OnReport, if set, is called with each report the handler builds,
	// before it is written; for logs and tests.
	OnReport func(*Report)
}

// Paths the handler answers.
const (
	PathPage   = "/"
	PathJSON   = "/api/handshake"
	PathSchema = "/api/handshake/schema"
)

// contentSecurityPolicy lets the page use nothing from outside: no
// scripts at all, styles and images only from the page itself.
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the inspection page at /, the same report as JSON at
// /api/handshake and its JSON Schema at /api/handshake/schema. Serve it
// from an https.Server with Inspect set; without Inspect the page shows
// only what ConnectionState knows.
func Handler(o Options) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case PathPage, PathJSON, PathSchema:
		default:
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "only GET and HEAD", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		if r.URL.Path == PathSchema {
			h.Set("Content-Type", "application/schema+json")
			if r.Method != http.MethodHead {
				w.Write(schemaJSON)
			}
			return
		}
		rep, err := Build(r, o)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if o.OnReport != nil {
			o.OnReport(rep)
		}
		var body bytes.Buffer
		if r.URL.Path == PathJSON {
			h.Set("Content-Type", "application/json")
			enc := json.NewEncoder(&body)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		} else {
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("Referrer-Policy", "no-referrer")
			if err := WriteHTML(&body, rep); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		h.Set("Content-Length", fmt.Sprint(body.Len()))
		if r.Method != http.MethodHead {
			w.Write(body.Bytes())
		}
	})
}

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"join":   func(l []string) string { return strings.Join(l, ", ") },
	"grease": isGREASEName,
	"ms":     func(f float64) string { return fmt.Sprintf("%.2f", f) },
	"plural": plural,
	"resultWord": func(r Result) string {
		return map[Result]string{ResultPass: "pass", ResultImprovable: "improvable", ResultBad: "bad", ResultAdvice: "advice", ResultNotScored: "not scored"}[r]
	},
}).Parse(pageHTML))

// pageData is what the template reads.
type pageData struct {
	R   *Report
	CSS template.CSS
	// ShapeSummary says what the report's shape is, from the shape table.
	ShapeSummary string
	Diagram      template.HTML
	JA4          []ja4Part
	Offered      []offerRow
	Steps        []stepView
}

// offerRow is one line of "what your client offered".
type offerRow struct {
	Name, Ext string
	Values    []string
	Note      string
}

// ja4Part explains one piece of a JA4 fingerprint.
type ja4Part struct{ Value, Meaning string }

// stepView is a seed step with its events named.
type stepView struct {
	Step
	Events []string
}

// WriteHTML writes the inspection page for rep: one self-contained
// document, its CSS and the SVG diagram inline, no scripts.
func WriteHTML(w interface{ Write([]byte) (int, error) }, rep *Report) error {
	d := pageData{R: rep, CSS: template.CSS(pageCSS), Diagram: diagram(rep), JA4: explainJA4(rep.Fingerprints.JA4)}
	if shape, ok := handshake.ShapeNamed(rep.Connection.Shape); ok {
		d.ShapeSummary = shape.Summary()
	}
	if ch := rep.ClientHello; ch != nil {
		d.Offered = []offerRow{
			{"Versions", "supported_versions", ch.SupportedVersions, "legacy_version says " + ch.LegacyVersion},
			{"Cipher suites", "cipher_suites", ch.CipherSuites, "in your client's order of preference"},
			{"Groups", "supported_groups", ch.SupportedGroups, "key exchange groups, preferred first"},
			{"Key shares", "key_share", ch.KeyShares, "public values sent ahead, to save a round trip"},
			{"Signature schemes", "signature_algorithms", ch.SignatureAlgorithms, "what your client can verify"},
			{"ALPN", "application_layer_protocol_negotiation", ch.ALPN, "application protocols"},
			{"Extensions", "", ch.Extensions, "in the order sent"},
		}
	}
	for _, s := range rep.Steps {
		v := stepView{Step: s}
		for _, i := range s.Events {
			if i < 0 || i >= len(rep.Events) {
				continue
			}
			e := rep.Events[i]
			v.Events = append(v.Events, fmt.Sprintf("%s %s (%s ms)", e.Name, eventVerb(e), fmt.Sprintf("%.2f", e.TMs)))
		}
		d.Steps = append(d.Steps, v)
	}
	return pageTemplate.Execute(w, d)
}

// eventVerb says what happened to an event's subject.
func eventVerb(e Event) string {
	switch e.Kind {
	case "message_sent", "record_sent", "alert_sent":
		return "sent"
	case "message_received", "record_received", "alert_received":
		return "received"
	case "key_installed":
		return "installed"
	case "check":
		if e.Error != "" {
			return "failed"
		}
		return "checked"
	case "decision":
		return "decided"
	}
	return e.Kind
}

// explainJA4 splits a JA4 fingerprint, t13d1516h2_8daaf6152771_e5627efa2ab1,
// into its parts and says what each means.
func explainJA4(fp string) []ja4Part {
	parts := strings.Split(fp, "_")
	if len(parts) != 3 || len(parts[0]) != 10 {
		return nil
	}
	a := parts[0]
	transport := map[byte]string{'t': "TCP", 'q': "QUIC", 'd': "DTLS"}[a[0]]
	version := map[string]string{"13": "TLS 1.3", "12": "TLS 1.2", "11": "TLS 1.1", "10": "TLS 1.0", "s3": "SSL 3.0"}[a[1:3]]
	sni := map[byte]string{'d': "a server_name (SNI) was sent", 'i': "no server_name (SNI) was sent"}[a[3]]
	alpn := "no ALPN"
	if a[8:10] != "00" {
		alpn = "first ALPN value, its first and last characters"
	}
	return []ja4Part{
		{a[0:1], "transport: " + transport},
		{a[1:3], "highest version offered: " + version},
		{a[3:4], sni},
		{a[4:6], "number of cipher suites (GREASE left out)"},
		{a[6:8], "number of extensions (GREASE left out)"},
		{a[8:10], alpn},
		{parts[1], "SHA-256 of the sorted cipher suites, first 12 hex digits"},
		{parts[2], "SHA-256 of the sorted extensions (without server_name and ALPN) and the signature schemes in the order sent, first 12 hex digits"},
	}
}
