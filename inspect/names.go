package inspect

import (
	"fmt"
	"strings"
)

// otherSuites names cipher suites clients commonly offer that Lucid does
// not implement, and the broken ones a weak client still sends, by their
// IANA registry names. tls.CipherSuiteName names only Lucid's own suites
// and writes the rest as "0x003D"; the page and the rubric need to read
// what the others are.
var otherSuites = map[uint16]string{
	0x0000: "TLS_NULL_WITH_NULL_NULL",
	0x0001: "TLS_RSA_WITH_NULL_MD5",
	0x0002: "TLS_RSA_WITH_NULL_SHA",
	0x0003: "TLS_RSA_EXPORT_WITH_RC4_40_MD5",
	0x0004: "TLS_RSA_WITH_RC4_128_MD5",
	0x0005: "TLS_RSA_WITH_RC4_128_SHA",
	0x0008: "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
	0x0009: "TLS_RSA_WITH_DES_CBC_SHA",
	0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
	0x0016: "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
	0x0018: "TLS_DH_anon_WITH_RC4_128_MD5",
	0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
	0x0034: "TLS_DH_anon_WITH_AES_128_CBC_SHA",
	0x0039: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
	0x003B: "TLS_RSA_WITH_NULL_SHA256",
	0x003D: "TLS_RSA_WITH_AES_256_CBC_SHA256",
	0x0067: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
	0x006B: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
	0x009E: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
	0x009F: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
	0x00FF: "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
	0x1304: "TLS_AES_128_CCM_SHA256",
	0x1305: "TLS_AES_128_CCM_8_SHA256",
	0x5600: "TLS_FALLBACK_SCSV",
	0xC007: "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
	0xC008: "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA",
	0xC011: "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
	0xC012: "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
	0xC024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
	0xC028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
	0xCCAA: "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
}

// otherGroups names key exchange groups Lucid does not implement, by
// their IANA names; kex.Name writes them as "group(0x11eb)".
var otherGroups = map[uint16]string{
	0x001E: "x448",
	0x0100: "ffdhe2048",
	0x0101: "ffdhe3072",
	0x0102: "ffdhe4096",
	0x0103: "ffdhe6144",
	0x0104: "ffdhe8192",
	0x11EB: "SecP256r1MLKEM768",
	0x11ED: "SecP384r1MLKEM1024",
	0x6399: "X25519Kyber768Draft00",
}

// nameSuites replaces the hexadecimal names of suites otherSuites knows.
func nameSuites(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = s
		var v uint16
		if n, err := fmt.Sscanf(s, "0x%04X", &v); n == 1 && err == nil && len(s) == 6 {
			if name, ok := otherSuites[v]; ok {
				out[i] = name
			}
		}
	}
	return out
}

// nameGroups replaces "group(0x11eb)" with the group's name where
// otherGroups knows it, in group lists and in key shares ("group(0x11eb)
// (1216 bytes)").
func nameGroups(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = s
		var v uint16
		if n, _ := fmt.Sscanf(s, "group(0x%04x)", &v); n == 1 {
			if name, ok := otherGroups[v]; ok {
				out[i] = name + strings.TrimPrefix(s, fmt.Sprintf("group(0x%04x)", v))
			}
		}
	}
	return out
}

// fixByteCounts writes "(1 byte)" where tls writes "(1 bytes)", as a
// GREASE key share of one byte reads.
func fixByteCounts(l []string) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strings.ReplaceAll(s, " (1 bytes)", " (1 byte)")
	}
	return out
}
