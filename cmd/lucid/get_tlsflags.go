package main

import (
	"fmt"
	"strings"

	"lucid/internal/kex"
	"lucid/internal/suites"
	"lucid/tls"
)

// groupName is the one name a key exchange group goes by in get, connect
// and cert output: its IANA registry name (secp256r1, x25519,
// X25519MLKEM768), the name the timeline and the RFCs use, rather than Go's
// constant names.
func groupName(g tls.CurveID) string { return kex.Name(uint16(g)) }

// groupAliases are other spellings people type for the groups Lucid has:
// curl and OpenSSL's, NIST's and Go's.
var groupAliases = map[string]uint16{
	"p-256": kex.P256, "p256": kex.P256, "prime256v1": kex.P256, "curvep256": kex.P256,
	"p-384": kex.P384, "p384": kex.P384, "curvep384": kex.P384,
	"p-521": kex.P521, "p521": kex.P521, "curvep521": kex.P521,
}

// lucidGroups are the groups Lucid implements, in the order --help lists them.
var lucidGroups = []uint16{kex.X25519MLKEM768, kex.X25519, kex.P256, kex.P384, kex.P521}

// parseCurves reads --curves: group names separated by ':' or ',', most
// preferred first.
func parseCurves(s string) ([]tls.CurveID, error) {
	var out []tls.CurveID
	for _, n := range splitList(s) {
		g, ok := groupAliases[strings.ToLower(n)]
		if !ok {
			for _, c := range lucidGroups {
				if strings.EqualFold(kex.Name(c), n) {
					g, ok = c, true
				}
			}
		}
		if !ok {
			names := make([]string, len(lucidGroups))
			for i, c := range lucidGroups {
				names[i] = kex.Name(c)
			}
			return nil, fmt.Errorf("--curves: unknown group %q; Lucid has %s", n, strings.Join(names, ", "))
		}
		out = append(out, tls.CurveID(g))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--curves %q names no group", s)
	}
	return out, nil
}

// opensslSuiteNames are OpenSSL's names for the TLS 1.2 suites curl users
// most often pass to --ciphers; OpenSSL names TLS 1.3 suites as IANA does.
var opensslSuiteNames = map[string]uint16{
	"ECDHE-ECDSA-AES128-GCM-SHA256": suites.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": suites.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-CHACHA20-POLY1305": suites.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   suites.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES256-GCM-SHA384":   suites.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-CHACHA20-POLY1305":   suites.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// parseCiphers reads --ciphers: suite names separated by ':' or ',', IANA
// names (as get -v prints them) or OpenSSL's for the ECDHE AEAD suites.
// TLS 1.3 suites among them replace Lucid's TLS 1.3 order, as
// Config.CipherSuites does.
func parseCiphers(s string) ([]uint16, error) {
	var out []uint16
	for _, n := range splitList(s) {
		id, ok := opensslSuiteNames[strings.ToUpper(n)]
		for _, st := range suites.TLS13 {
			if !ok && strings.EqualFold(st.Name, n) {
				id, ok = st.ID, true
			}
		}
		for _, st := range suites.TLS12 {
			if !ok && strings.EqualFold(st.Name, n) {
				id, ok = st.ID, true
			}
		}
		if !ok {
			return nil, fmt.Errorf("--ciphers: unknown cipher suite %q; give IANA names such as TLS_AES_128_GCM_SHA256 or TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", n)
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--ciphers %q names no cipher suite", s)
	}
	return out, nil
}

// splitList splits a curl/OpenSSL list ("a:b" or "a,b"), dropping empty
// items and spaces.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		out = append(out, f)
	}
	return out
}

// parseTLSChoices reads --ciphers and --curves as get and connect take
// them; an empty flag leaves its list nil, Lucid's default.
func parseTLSChoices(ciphers, curves string) (suites []uint16, groups []tls.CurveID, err error) {
	if ciphers != "" {
		if suites, err = parseCiphers(ciphers); err != nil {
			return nil, nil, err
		}
	}
	if curves != "" {
		if groups, err = parseCurves(curves); err != nil {
			return nil, nil, err
		}
	}
	return suites, groups, nil
}
