package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"lucid/tls"
)

// suiteClass orders cipher suites the way BoringSSL's default list does:
// TLS 1.3 suites, then forward-secret AEAD suites, then forward-secret CBC
// suites, then RSA key transport.
type suiteClass int

const (
	classTLS13 suiteClass = iota
	classECDHEAEAD
	classECDHECBC
	classRSA
)

// classify places a suite by its standard name. TLS 1.3 names carry no key
// exchange ("TLS_AES_128_GCM_SHA256"); TLS 1.2 names read
// "TLS_<kx>_WITH_<cipher>".
func classify(name string) suiteClass {
	kx, cipher, ok := strings.Cut(strings.TrimPrefix(name, "TLS_"), "_WITH_")
	switch {
	case !ok:
		return classTLS13
	case !strings.HasPrefix(kx, "ECDHE"):
		return classRSA
	case strings.Contains(cipher, "_CBC_"):
		return classECDHECBC
	default:
		return classECDHEAEAD
	}
}

// implementedSuites lists every cipher suite lucid/tls implements, in
// suiteClass order and by code point within a class. BoringSSL enables the
// legacy TLS 1.2 suites (RSA key transport, CBC) by default and Lucid only
// when Config.CipherSuites names them, so the shim names them all. The list
// comes from tls.CipherSuiteName, which names exactly the implemented
// suites and formats any other code point as hex, so a suite added to
// Lucid is picked up here without a change.
func implementedSuites() []uint16 {
	var ids []uint16
	for id := range 1 << 16 {
		if tls.CipherSuiteName(uint16(id)) != fmt.Sprintf("0x%04X", id) {
			ids = append(ids, uint16(id))
		}
	}
	slices.SortStableFunc(ids, func(a, b uint16) int {
		return cmp.Compare(classify(tls.CipherSuiteName(a)), classify(tls.CipherSuiteName(b)))
	})
	return ids
}

// cipherRule turns a BoringSSL cipher rule string (-cipher, for
// SSL_CTX_set_strict_cipher_list) into the TLS 1.2 suites it enables, in
// order; TLS 1.3 suites are not subject to the rule, so Lucid's own apply.
// The forms the runner uses are understood: suite names in the standard
// spelling, the aliases ALL, DEFAULT, AES, AES128, AES256 and CHACHA20, and
// the prefixes "!" (remove for good) and "-" (remove). Anything else, an
// equal-preference group "[a|b]" among them, or a suite Lucid lacks, such as
// 3DES, cannot be honoured and is reported as unimplemented.
func cipherRule(rule string, implemented []uint16) ([]uint16, error) {
	var tls12 []uint16
	for _, id := range implemented {
		if classify(tls.CipherSuiteName(id)) != classTLS13 {
			tls12 = append(tls12, id)
		}
	}
	var out []uint16
	banned := map[uint16]bool{}
	for _, tok := range strings.FieldsFunc(rule, func(r rune) bool { return r == ':' || r == ',' }) {
		op := byte(0)
		if tok[0] == '!' || tok[0] == '-' || tok[0] == '+' {
			op, tok = tok[0], tok[1:]
		}
		if strings.ContainsAny(tok, "[]|") {
			return nil, unimplemented("-cipher: equal-preference groups are not implemented: lucid/tls has a strict suite order")
		}
		if op == '+' || strings.Contains(tok, "+") {
			return nil, unimplemented("-cipher: the + operator is not implemented")
		}
		matched, err := cipherAlias(tok, tls12)
		if err != nil {
			return nil, err
		}
		switch op {
		case '!':
			for _, id := range matched {
				banned[id] = true
			}
			fallthrough
		case '-':
			out = slices.DeleteFunc(out, func(id uint16) bool { return slices.Contains(matched, id) })
		default:
			for _, id := range matched {
				if !banned[id] && !slices.Contains(out, id) {
					out = append(out, id)
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-cipher %q leaves no cipher suite", rule)
	}
	return out, nil
}

// cipherAlias returns the suites of tls12 that one rule term names.
func cipherAlias(term string, tls12 []uint16) ([]uint16, error) {
	having := func(part string) []uint16 {
		var out []uint16
		for _, id := range tls12 {
			if strings.Contains(tls.CipherSuiteName(id)+"_", part) {
				out = append(out, id)
			}
		}
		return out
	}
	switch term {
	case "ALL", "DEFAULT":
		return slices.Clone(tls12), nil
	case "AES":
		return having("_AES_"), nil
	case "AES128":
		return having("_AES_128_"), nil
	case "AES256":
		return having("_AES_256_"), nil
	case "CHACHA20":
		return having("_CHACHA20_"), nil
	}
	if strings.HasPrefix(term, "TLS_") {
		for _, id := range tls12 {
			if tls.CipherSuiteName(id) == term {
				return []uint16{id}, nil
			}
		}
		return nil, unimplemented("-cipher: lucid/tls does not implement %s", term)
	}
	return nil, unimplemented("-cipher: the term %q is not implemented", term)
}
