package inspect

import (
	"fmt"
	"slices"
	"strings"
)

// Rating is the verdict on a client's handshake, howsmyssl style.
type Rating string

// The ratings, best first.
const (
	RatingGood       Rating = "Good"
	RatingImprovable Rating = "Improvable"
	RatingBad        Rating = "Bad"
)

// Result is how one point of the rubric went for a client.
type Result string

// The results of a point. Pass, Improvable and Bad count towards the
// rating; Advice and NotScored are shown but never lower it.
const (
	ResultPass       Result = "pass"
	ResultImprovable Result = "improvable"
	ResultBad        Result = "bad"
	ResultAdvice     Result = "advice"
	ResultNotScored  Result = "not_scored"
)

// Verdict rates what a client offered in its first ClientHello against
// the rubric (Rubric, published as inspect/rubric.md).
type Verdict struct {
	Rating  Rating  `json:"rating"`
	Summary string  `json:"summary"`
	Points  []Point `json:"points"`
}

// Point is one point of the rubric applied to one client.
type Point struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Result    Result `json:"result"`
	Detail    string `json:"detail"`
	Why       string `json:"why"`
	Reference string `json:"reference"`
	URL       string `json:"url"`
}

// Criterion is one point of the rubric: what it asks, why, where the
// requirement is written, and how a client that misses it is rated.
type Criterion struct {
	ID    string
	Title string
	// Lack names what a client that misses the point does, for the
	// verdict's summary: "no TLS 1.3".
	Lack      string
	Why       string
	Reference string
	URL       string
	// Missed is the result when a client misses the point, Worst the
	// result in the worst case the explanation names (an old version as
	// the newest one, no forward-secret suite at all).
	Missed, Worst Result
	check         func(ch *ClientHello) (Result, string)
}

// Rubric is the published rubric, in the order the page shows it.
// inspect/rubric.md is generated from it (go test ./inspect -run
// TestRubricDocument -rubric.update).
var Rubric = []Criterion{
	{
		ID:        "tls13",
		Title:     "TLS 1.3 offered",
		Lack:      "no TLS 1.3",
		Why:       "TLS 1.3 encrypts the handshake from the ServerHello on (the certificate travels encrypted), allows only forward-secret key exchanges and AEAD ciphers, and signs the whole handshake, which closes the downgrade and renegotiation attacks of earlier versions.",
		Reference: "RFC 8446",
		URL:       "https://www.rfc-editor.org/rfc/rfc8446",
		Missed:    ResultImprovable,
		Worst:     ResultImprovable,
		check:     checkTLS13,
	},
	{
		ID:        "no_old_versions",
		Title:     "Nothing older than TLS 1.2",
		Lack:      "TLS 1.0 or 1.1 still offered",
		Why:       "TLS 1.0 and 1.1 rest on SHA-1 and MD5 in the handshake and have no AEAD ciphers; RFC 8996 forbids negotiating them. Offering them in supported_versions is improvable; a client whose newest version is older than TLS 1.2 is bad.",
		Reference: "RFC 8996",
		URL:       "https://www.rfc-editor.org/rfc/rfc8996",
		Missed:    ResultImprovable,
		Worst:     ResultBad,
		check:     checkOldVersions,
	},
	{
		ID:        "forward_secrecy",
		Title:     "Forward-secret key exchange only",
		Lack:      "suites without forward secrecy",
		Why:       "With RSA key transport (the TLS_RSA_WITH_* suites, step 5 of the HTTPS story in docs/story.md) the client encrypts the pre-master secret under the server's long-term key: whoever obtains that key later decrypts every recorded session. (EC)DHE suites and all of TLS 1.3 use throwaway keys instead. Offering RSA key transport beside forward-secret suites is improvable; offering nothing else is bad.",
		Reference: "RFC 9325 §4.1",
		URL:       "https://www.rfc-editor.org/rfc/rfc9325#section-4.1",
		Missed:    ResultImprovable,
		Worst:     ResultBad,
		check:     checkForwardSecrecy,
	},
	{
		ID:        "no_cbc",
		Title:     "No CBC-mode suites",
		Lack:      "CBC-mode suites",
		Why:       "CBC suites protect records MAC-then-encrypt, the order behind the padding-oracle family (Lucky13 and others); implementations need careful constant-time code to survive it. AEAD suites (AES-GCM, ChaCha20-Poly1305) encrypt and authenticate in one step, and TLS 1.3 keeps only those.",
		Reference: "RFC 9325 §4.2",
		URL:       "https://www.rfc-editor.org/rfc/rfc9325#section-4.2",
		Missed:    ResultImprovable,
		Worst:     ResultImprovable,
		check:     checkCBC,
	},
	{
		ID:        "no_broken_ciphers",
		Title:     "No broken ciphers",
		Lack:      "broken ciphers",
		Why:       "RC4 is biased enough to recover plaintext, NULL suites do not encrypt, export suites use keys short enough to break in minutes, anonymous suites authenticate nobody, and 3DES and DES have 64-bit blocks (Sweet32). Offering any of them is bad: a server that still takes them gives an attacker a way in.",
		Reference: "RFC 9325 §4.1, RFC 7465",
		URL:       "https://www.rfc-editor.org/rfc/rfc9325#section-4.1",
		Missed:    ResultBad,
		Worst:     ResultBad,
		check:     checkBroken,
	},
	{
		ID:        "pq_hybrid",
		Title:     "Post-quantum hybrid key exchange offered",
		Lack:      "no post-quantum hybrid group",
		Why:       "A recording of today's X25519 or P-256 exchange could be decrypted by a future quantum computer (harvest now, decrypt later). A hybrid group such as X25519MLKEM768 combines X25519 with ML-KEM, so the keys stay secret unless both are broken.",
		Reference: "draft-ietf-tls-ecdhe-mlkem",
		URL:       "https://datatracker.ietf.org/doc/draft-ietf-tls-ecdhe-mlkem/",
		Missed:    ResultImprovable,
		Worst:     ResultImprovable,
		check:     checkHybrid,
	},
	{
		ID:        "grease",
		Title:     "GREASE values sent",
		Lack:      "no GREASE",
		Why:       "GREASE (Generate Random Extensions And Sustain Extensibility) sends reserved code points a server must ignore, so that servers which choke on unknown values are found before a real new value is deployed. It protects the ecosystem rather than this connection, so missing it is advice and does not lower the rating.",
		Reference: "RFC 8701",
		URL:       "https://www.rfc-editor.org/rfc/rfc8701",
		Missed:    ResultAdvice,
		Worst:     ResultAdvice,
		check:     checkGREASE,
	},
	{
		ID:        "ech",
		Title:     "Encrypted Client Hello",
		Lack:      "no ECH",
		Why:       "ECH encrypts the ClientHello's private parts, among them the server name, which otherwise tells every observer which site is visited. A client can use it only with the site's config (from DNS); without one it sends a GREASE form that no server can open, and the hello alone does not tell the two apart, so this point is shown but not scored. The summary says whether this server opened your client's encrypted hello.",
		Reference: "RFC 9849",
		URL:       "https://www.rfc-editor.org/rfc/rfc9849",
		Missed:    ResultNotScored,
		Worst:     ResultNotScored,
		check:     checkECH,
	},
}

// Rate applies the rubric to a ClientHello as the report lists it.
func Rate(ch *ClientHello) *Verdict {
	v := &Verdict{Rating: RatingGood}
	var improvable, bad []string
	for _, c := range Rubric {
		res, detail := c.check(ch)
		v.Points = append(v.Points, Point{ID: c.ID, Title: c.Title, Result: res, Detail: detail, Why: c.Why, Reference: c.Reference, URL: c.URL})
		switch res {
		case ResultBad:
			bad = append(bad, c.Lack)
		case ResultImprovable:
			improvable = append(improvable, c.Lack)
		}
	}
	switch {
	case len(bad) > 0:
		v.Rating = RatingBad
		v.Summary = "Bad: " + strings.Join(bad, "; ") + "."
		if len(improvable) > 0 {
			v.Summary += " Also improvable: " + strings.Join(improvable, "; ") + "."
		}
	case len(improvable) > 0:
		v.Rating = RatingImprovable
		v.Summary = "Improvable: nothing broken is offered, but " + strings.Join(improvable, "; ") + "."
	default:
		v.Summary = "Good: your client offers TLS 1.3, only forward-secret AEAD suites and a post-quantum hybrid key exchange, and nothing broken."
	}
	return v
}

// versionsOffered is what the client speaks: supported_versions when sent,
// otherwise legacy_version alone (RFC 8446 §4.2.1).
func versionsOffered(ch *ClientHello) []string {
	if v := withoutGREASE(ch.SupportedVersions); len(v) > 0 {
		return v
	}
	return []string{ch.LegacyVersion}
}

// versionRank orders version names; 0 for one it does not know.
func versionRank(name string) int {
	return slices.Index([]string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}, name) + 1
}

func checkTLS13(ch *ClientHello) (Result, string) {
	if slices.Contains(ch.SupportedVersions, "TLS 1.3") {
		return ResultPass, "Your client lists TLS 1.3 in supported_versions."
	}
	return ResultImprovable, fmt.Sprintf("Your client offers %s, not TLS 1.3.", strings.Join(versionsOffered(ch), ", "))
}

func checkOldVersions(ch *ClientHello) (Result, string) {
	offered := versionsOffered(ch)
	best := 0
	var old []string
	for _, v := range offered {
		r := versionRank(v)
		best = max(best, r)
		if r > 0 && r < versionRank("TLS 1.2") {
			old = append(old, v)
		}
	}
	switch {
	case best < versionRank("TLS 1.2"):
		return ResultBad, fmt.Sprintf("The newest version your client speaks is %s.", strings.Join(offered, ", "))
	case len(old) > 0:
		return ResultImprovable, fmt.Sprintf("Your client still offers %s.", strings.Join(old, ", "))
	}
	return ResultPass, fmt.Sprintf("Your client offers %s.", strings.Join(offered, ", "))
}

// suiteNames is the client's cipher suites without GREASE and the
// signalling values, which name no cipher.
func suiteNames(ch *ClientHello) []string {
	var out []string
	for _, s := range withoutGREASE(ch.CipherSuites) {
		if strings.HasSuffix(s, "_SCSV") || strings.HasPrefix(s, "… and ") {
			continue
		}
		out = append(out, s)
	}
	return out
}

// suiteKeyExchange is the key exchange part of a TLS 1.2-style suite
// name ("ECDHE_RSA"), "" for a TLS 1.3 suite or a name it cannot read.
func suiteKeyExchange(name string) string {
	kx, _, ok := strings.Cut(strings.TrimPrefix(name, "TLS_"), "_WITH_")
	if !ok {
		return ""
	}
	return kx
}

func forwardSecret(name string) bool {
	if isTLS13Suite(name) {
		return true
	}
	kx := suiteKeyExchange(name)
	return strings.HasPrefix(kx, "ECDHE_") || strings.HasPrefix(kx, "DHE_")
}

// known reports whether a suite's name says what it is; a code point
// neither Lucid nor the table of other suites names stays unjudged.
func known(name string) bool { return isTLS13Suite(name) || suiteKeyExchange(name) != "" }

// unjudged says how many suites the rubric could not read, if any.
func unjudged(suites []string) string {
	n := 0
	for _, s := range suites {
		if !known(s) {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s this page does not know by name left unjudged)", plural(n, "suite", "suites"))
}

func checkForwardSecrecy(ch *ClientHello) (Result, string) {
	suites := suiteNames(ch)
	var fs, not []string
	for _, s := range suites {
		switch {
		case !known(s):
		case forwardSecret(s):
			fs = append(fs, s)
		default:
			not = append(not, s)
		}
	}
	switch {
	case len(not) > 0 && len(fs) == 0:
		return ResultBad, fmt.Sprintf("Every suite your client offers lacks forward secrecy: %s%s.", strings.Join(not, ", "), unjudged(suites))
	case len(not) > 0:
		return ResultImprovable, fmt.Sprintf("Your client also offers %s without forward secrecy: %s%s.", plural(len(not), "suite", "suites"), strings.Join(not, ", "), unjudged(suites))
	}
	return ResultPass, fmt.Sprintf("All %s your client offers are forward-secret%s.", plural(len(fs), "suite", "suites"), unjudged(suites))
}

func checkCBC(ch *ClientHello) (Result, string) {
	var cbc []string
	for _, s := range suiteNames(ch) {
		if strings.Contains(s, "_CBC_") {
			cbc = append(cbc, s)
		}
	}
	if len(cbc) > 0 {
		return ResultImprovable, fmt.Sprintf("Your client offers %s: %s.", plural(len(cbc), "CBC suite", "CBC suites"), strings.Join(cbc, ", "))
	}
	return ResultPass, "Your client offers AEAD suites only."
}

// brokenMarks are the pieces of a suite name that make it broken.
var brokenMarks = []string{"_RC4_", "_RC2_", "_NULL_", "_WITH_NULL", "_EXPORT", "_anon_", "_3DES_", "_DES_", "_DES40_", "_IDEA_"}

func checkBroken(ch *ClientHello) (Result, string) {
	var broken []string
	for _, s := range suiteNames(ch) {
		for _, m := range brokenMarks {
			if strings.Contains(s+"_", m) {
				broken = append(broken, s)
				break
			}
		}
	}
	if len(broken) > 0 {
		return ResultBad, fmt.Sprintf("Your client offers %s: %s.", plural(len(broken), "broken suite", "broken suites"), strings.Join(broken, ", "))
	}
	return ResultPass, "Your client offers no RC4, NULL, export, anonymous, DES or 3DES suite."
}

// hybridGroups are the post-quantum hybrid groups by the names the report
// uses; the Kyber one is the pre-standard draft browsers sent in 2024.
var hybridGroups = []string{"X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024", "X25519Kyber768Draft00"}

func checkHybrid(ch *ClientHello) (Result, string) {
	var got []string
	for _, g := range ch.SupportedGroups {
		if slices.Contains(hybridGroups, g) {
			got = append(got, g)
		}
	}
	if len(got) == 0 {
		return ResultImprovable, "Your client offers no post-quantum hybrid group."
	}
	s := fmt.Sprintf("Your client offers %s", strings.Join(got, ", "))
	for _, ks := range ch.KeyShares {
		if name, _, _ := strings.Cut(ks, " ("); slices.Contains(got, name) {
			return ResultPass, s + fmt.Sprintf(" and sent a %s key share up front.", name)
		}
	}
	return ResultPass, s + "."
}

func checkGREASE(ch *ClientHello) (Result, string) {
	if len(ch.GREASE) > 0 {
		return ResultPass, fmt.Sprintf("Your client sent %s.", plural(len(ch.GREASE), "GREASE value", "GREASE values"))
	}
	return ResultAdvice, "Your client sent no GREASE values."
}

func checkECH(ch *ClientHello) (Result, string) {
	if slices.Contains(ch.Extensions, "encrypted_client_hello") {
		return ResultNotScored, "Your client sent an encrypted_client_hello extension (real ECH or its GREASE form; a server without ECH cannot tell them apart)."
	}
	return ResultNotScored, "Your client sent no encrypted_client_hello extension."
}

// RubricMarkdown renders the rubric as the document inspect/rubric.md.
func RubricMarkdown() string {
	var b strings.Builder
	b.WriteString("# The handshake verdict's rubric\n\n")
	b.WriteString("<!-- Generated from inspect.Rubric (inspect/rubric.go) by\n     go test ./inspect -run TestRubricDocument -rubric.update\n     Edit the Go table, not this file. -->\n\n")
	b.WriteString("The inspection page of `lucid serve` (and its JSON, `verdict` in\n/api/handshake) rates the ClientHello your client sent, the way\nhowsmyssl.com does: it judges what your client *offers*, since a client\nthat offers something weak can be talked into it by a server that picks it.\n\n")
	b.WriteString("- **Bad** when any point below is bad.\n- **Improvable** when none is bad and at least one is improvable.\n- **Good** otherwise. Advice and unscored points never lower the rating.\n\n")
	b.WriteString("| Point | When missed | Reference |\n|---|---|---|\n")
	for _, c := range Rubric {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | [%s](%s) |\n", c.Title, c.ID, c.missedWords(), c.Reference, c.URL)
	}
	for _, c := range Rubric {
		fmt.Fprintf(&b, "\n## %s\n\n<a id=\"%s\"></a>`%s` — when missed: %s. Reference: [%s](%s).\n\n%s\n", c.Title, c.ID, c.ID, c.missedWords(), c.Reference, c.URL, c.Why)
	}
	return b.String()
}

func (c Criterion) missedWords() string {
	if c.Worst != c.Missed {
		return fmt.Sprintf("%s, at worst %s", resultWords(c.Missed), resultWords(c.Worst))
	}
	return resultWords(c.Missed)
}

func resultWords(r Result) string {
	switch r {
	case ResultBad:
		return "bad"
	case ResultImprovable:
		return "improvable"
	case ResultAdvice:
		return "advice only"
	case ResultNotScored:
		return "not scored yet"
	}
	return string(r)
}
