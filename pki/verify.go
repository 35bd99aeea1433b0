// Package pki verifies the certificate chains TLS peers present and, when a
// chain is refused, says why in a sentence a person can act on: which
// certificate, which date, which names, which authority. It is also the
// certificate authority behind `lucid ca` and the demo (ca.go, issue.go):
// roots and intermediates in a directory or in memory, server and client
// certificates, CSRs, revocation and CRLs.
package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"lucid/internal/alert"
)

// VerifyOptions says what a peer's chain must satisfy.
type VerifyOptions struct {
	// Roots are the trusted roots; nil means the system roots.
	Roots *x509.CertPool
	// DNSName is the host name or IP literal to match against the leaf's
	// subject alternative names; empty skips the name check.
	DNSName string
	// CurrentTime is the time validity is checked at; zero means time.Now().
	CurrentTime time.Time
	// KeyUsages are the extended key usages the leaf must allow; empty
	// means server authentication. For a client's chain pass
	// []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth} and an empty DNSName,
	// or call VerifyClientChain, which does both.
	KeyUsages []x509.ExtKeyUsage
	// RevocationLists are certificate revocation lists (RFC 5280 §5), as
	// x509.ParseRevocationList returns them. After a chain verifies, each
	// certificate in it below the trust anchor is looked up in the lists
	// of its issuer: a list counts for an issuer when it names the issuer's
	// subject as its issuer, its authority key identifier (if both are
	// present) equals the issuer's subject key identifier, and its
	// signature verifies with the issuer's key (rl.CheckSignatureFrom; an
	// issuer whose key usage lacks cRLSign cannot sign lists). Other lists
	// are ignored. A list past its NextUpdate still counts. A certificate
	// found in a list that counts is refused with Reason Revoked, unless
	// the entry's reason is removeFromCRL.
	RevocationLists []*x509.RevocationList
	// MaxChainLength is the most certificates the peer may send, leaf
	// included; zero means DefaultMaxChainLength.
	MaxChainLength int
}

// DefaultMaxChainLength bounds the chain a peer may send when
// VerifyOptions.MaxChainLength is zero. Real chains have two to four
// certificates; ten leaves room for cross-signed roots.
const DefaultMaxChainLength = 10

// Reason classifies why a chain was refused, for code that must react
// differently (say, retry after fixing the clock) and for the alert to send.
type Reason int

// The reasons a chain can be refused. Other is the zero value so that a
// VerifyError built by hand never claims a specific cause by accident.
const (
	Other            Reason = iota // none of the below; Detail says what
	Expired                        // a certificate's notAfter is in the past
	NotYetValid                    // a certificate's notBefore is in the future
	HostnameMismatch               // the leaf is not valid for DNSName
	UnknownAuthority               // the chain does not lead to a trusted root
	BadSignature                   // a signature is wrong, or uses SHA-1/MD5
	Malformed                      // a certificate could not be parsed
	WrongUsage                     // the extended key usage forbids this use
	UnsupportedKey                 // the leaf key is of a type or size Lucid refuses
	Empty                          // the peer sent no certificate
	SelfSigned                     // the leaf is self-signed and not a trusted root
	ChainTooLong                   // too many certificates, or a pathLenConstraint is exceeded
	Revoked                        // a certificate is on its issuer's revocation list
)

var reasonNames = [...]string{
	Other:            "other",
	Expired:          "expired",
	NotYetValid:      "not yet valid",
	HostnameMismatch: "hostname mismatch",
	UnknownAuthority: "unknown authority",
	BadSignature:     "bad signature",
	Malformed:        "malformed",
	WrongUsage:       "wrong usage",
	UnsupportedKey:   "unsupported key",
	Empty:            "empty",
	SelfSigned:       "self-signed",
	ChainTooLong:     "chain too long",
	Revoked:          "revoked",
}

// String names the reason in lower-case words, such as "unknown authority".
func (r Reason) String() string {
	if r >= 0 && int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// VerifyError explains why a certificate chain was refused.
type VerifyError struct {
	// Reason classifies the failure.
	Reason Reason
	// Cert is the certificate at fault, nil if it could not be parsed or
	// there was none.
	Cert *x509.Certificate
	// Index is Cert's position in the chain the peer sent (0 is the leaf),
	// or -1 when the certificate at fault is a trusted root that the peer
	// did not send, or when no single certificate is at fault.
	Index int
	// Detail is the explanation, a full sentence without a final period.
	Detail string
	// Err is the underlying crypto/x509 error, if any.
	Err error
	// Chain is what the peer sent, parsed, leaf first, whatever failed, so
	// a caller can show it: Chain[i] is certificate i of the chain. When a
	// certificate could not be parsed (Malformed), Chain holds the ones
	// before it; when the peer sent none (Empty), it is nil.
	Chain []*x509.Certificate

	// clientChain records that the chain was checked for client
	// authentication, which changes the alert for an empty chain.
	clientChain bool
}

// Error returns Detail, the explanation meant for a person.
func (e *VerifyError) Error() string {
	if e.Detail != "" {
		return e.Detail
	}
	if e.Err != nil {
		return "certificate refused (" + e.Reason.String() + "): " + e.Err.Error()
	}
	return "certificate refused (" + e.Reason.String() + ")"
}

// Unwrap returns the underlying crypto/x509 error, so errors.As can still
// reach x509.HostnameError and friends.
func (e *VerifyError) Unwrap() error { return e.Err }

// Alert maps the reason to the alert RFC 8446 §6.2 prescribes:
//
//   - Expired, NotYetValid: certificate_expired ("a certificate has expired
//     or is not currently valid").
//   - Revoked: certificate_revoked ("a certificate was revoked by its
//     signer").
//   - UnknownAuthority: unknown_ca.
//   - SelfSigned: unknown_ca too. A self-signed leaf is its own CA, and
//     that CA "could not be matched with a known trust anchor"; it is not
//     corrupt, so bad_certificate would mislead. OpenSSL and Go's
//     crypto/tls send unknown_ca as well.
//   - Malformed, HostnameMismatch, BadSignature, ChainTooLong:
//     bad_certificate ("corrupt, contained signatures that did not verify
//     correctly, etc."); §6.2 has no alert for a chain that is too long.
//   - UnsupportedKey, WrongUsage: unsupported_certificate.
//   - Empty: decode_error when checking a server's chain, because
//     RFC 8446 §4.4.2.4 says a client MUST abort with "decode_error" on an
//     empty server Certificate; certificate_required when checking a client
//     chain (VerifyClientChain, or KeyUsages asks for clientAuth but not
//     serverAuth), the alert §4.4.2.4 and §6.2 name for a client that sent
//     none.
//   - Other: certificate_unknown ("some other (unspecified) issue").
func (e *VerifyError) Alert() alert.Description {
	switch e.Reason {
	case Expired, NotYetValid:
		return alert.CertificateExpired
	case Revoked:
		return alert.CertificateRevoked
	case UnknownAuthority, SelfSigned:
		return alert.UnknownCA
	case Malformed, HostnameMismatch, BadSignature, ChainTooLong:
		return alert.BadCertificate
	case UnsupportedKey, WrongUsage:
		return alert.UnsupportedCertificate
	case Empty:
		if e.clientChain {
			return alert.CertificateRequired
		}
		return alert.DecodeError
	}
	return alert.CertificateUnknown
}

// AlertError wraps e in an *alert.Error carrying e.Alert(), for engines
// that use alert.Of to find the alert to send. errors.As still finds the
// *VerifyError inside.
func (e *VerifyError) AlertError() *alert.Error {
	return &alert.Error{Desc: e.Alert(), Err: e}
}

// timeFormat is how dates appear in explanations: always UTC, to the second,
// because certificate times are UTC to the second (RFC 5280 §4.1.2.5).
const timeFormat = "2006-01-02 15:04:05 UTC"

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

// VerifyChain parses the DER chain (leaf first), verifies it (intermediates
// from the rest of the chain), checks opts.RevocationLists, and returns the
// parsed certificates and the verified chains. On failure it returns a
// *VerifyError; certs then holds the parsed certificates when all of them
// parsed, nil otherwise (VerifyError.Chain holds them in every case).
//
// When several chains verify, those through a revoked certificate are
// dropped; the chain is refused as Revoked only if none is left.
func VerifyChain(chain [][]byte, opts VerifyOptions) (certs []*x509.Certificate, chains [][]*x509.Certificate, err error) {
	usages := opts.KeyUsages
	client := slices.Contains(usages, x509.ExtKeyUsageClientAuth) && !slices.Contains(usages, x509.ExtKeyUsageServerAuth)
	return verifyChain(chain, opts, client)
}

// VerifyClientChain verifies the chain a client sent in its Certificate
// message (RFC 8446 §4.4.2). It is VerifyChain with KeyUsages defaulting to
// client authentication instead of server authentication, and an empty
// chain always yields certificate_required (RFC 8446 §4.4.2.4). DNSName is
// usually empty: a client's certificate names a person or a machine, not
// the host it connects to.
func VerifyClientChain(chain [][]byte, opts VerifyOptions) (certs []*x509.Certificate, chains [][]*x509.Certificate, err error) {
	if len(opts.KeyUsages) == 0 {
		opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	return verifyChain(chain, opts, true)
}

func verifyChain(chain [][]byte, opts VerifyOptions, client bool) ([]*x509.Certificate, [][]*x509.Certificate, error) {
	if len(chain) == 0 {
		return nil, nil, &VerifyError{Reason: Empty, Index: -1, Detail: "the peer sent no certificate", clientChain: client}
	}
	certs := make([]*x509.Certificate, 0, len(chain))
	for i, der := range chain {
		c, perr := x509.ParseCertificate(der)
		if perr != nil {
			return nil, nil, &VerifyError{
				Reason: Malformed, Index: i, Err: perr, Chain: certs,
				Detail: fmt.Sprintf("certificate %d%s in the chain could not be parsed: %v", i, leafNote(i), perr),
			}
		}
		certs = append(certs, c)
	}
	chains, err := verifyCerts(certs, opts, client)
	return certs, chains, err
}

// VerifyParsed is VerifyChain for a chain its caller has already parsed
// (leaf first), so that a TLS stack that needs the parsed certificates
// anyway parses each one once. Every check VerifyChain makes is made.
func VerifyParsed(certs []*x509.Certificate, opts VerifyOptions) (chains [][]*x509.Certificate, err error) {
	usages := opts.KeyUsages
	client := slices.Contains(usages, x509.ExtKeyUsageClientAuth) && !slices.Contains(usages, x509.ExtKeyUsageServerAuth)
	if len(certs) == 0 {
		return nil, &VerifyError{Reason: Empty, Index: -1, Detail: "the peer sent no certificate", clientChain: client}
	}
	return verifyCerts(certs, opts, client)
}

func verifyCerts(certs []*x509.Certificate, opts VerifyOptions, client bool) ([][]*x509.Certificate, error) {
	usages := opts.KeyUsages
	if len(usages) == 0 {
		usages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	now := opts.CurrentTime
	if now.IsZero() {
		now = time.Now()
	}
	chains, ve := verifyParsed(certs, opts, usages, now)
	if ve != nil {
		ve.Chain = certs
		ve.clientChain = client
		return nil, ve
	}
	return chains, nil
}

// verifyParsed runs the checks on a chain that parsed.
func verifyParsed(certs []*x509.Certificate, opts VerifyOptions, usages []x509.ExtKeyUsage, now time.Time) ([][]*x509.Certificate, *VerifyError) {
	limit := opts.MaxChainLength
	if limit <= 0 {
		limit = DefaultMaxChainLength
	}
	if len(certs) > limit {
		return nil, &VerifyError{Reason: ChainTooLong, Index: -1,
			Detail: fmt.Sprintf("the peer sent %d certificates, more than the %d Lucid accepts in a chain", len(certs), limit)}
	}

	leaf := certs[0]
	if msg := checkLeafKey(leaf); msg != "" {
		return nil, &VerifyError{Reason: UnsupportedKey, Cert: leaf, Index: 0,
			Detail: fmt.Sprintf("%s has %s; Lucid accepts only ECDSA P-256/P-384/P-521, RSA of 2048 bits or more, and Ed25519", who(leaf, 0), msg)}
	}

	// A chain of the leaf alone, the common case on resumption and for
	// servers under their root, needs no pool of intermediates.
	var inter *x509.CertPool
	if len(certs) > 1 {
		inter = x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
	}
	// The host name is matched by MatchesHost, the rule a server's
	// certificate selection uses too, not by crypto/x509 on its own.
	chains, verr := leaf.Verify(x509.VerifyOptions{
		Roots:         opts.Roots,
		Intermediates: inter,
		CurrentTime:   now,
		KeyUsages:     usages,
	})
	if opts.DNSName != "" && !refusedBeforeName(verr, leaf) && !MatchesHost(leaf, opts.DNSName) {
		verr = x509.HostnameError{Certificate: leaf, Host: opts.DNSName}
	}
	if verr != nil {
		return nil, explain(verr, certs, opts, usages, now)
	}
	return dropRevokedChains(chains, certs, opts.RevocationLists, now)
}

// refusedBeforeName reports whether verr is a refusal that comes before
// the host name: roots that could not be loaded, or a leaf that is out of
// its dates or carries a critical extension nobody understands. These are
// what crypto/x509 reports before it looks at the name; any other
// failure (the chain, the usages) comes after a name that does not match,
// so the explanation a peer gets does not depend on who matched the name.
func refusedBeforeName(verr error, leaf *x509.Certificate) bool {
	if verr == nil {
		// Before invalid is declared: errors.As takes its address, so
		// it lives on the heap, and a verification that passed should
		// not pay for it.
		return false
	}
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(verr, new(x509.SystemRootsError)), errors.As(verr, new(x509.UnhandledCriticalExtension)):
		return true
	case errors.As(verr, &invalid):
		return invalid.Reason == x509.Expired && invalid.Cert != nil && bytes.Equal(invalid.Cert.Raw, leaf.Raw)
	}
	return false
}

// leafNote marks position 0 as the leaf in messages about positions.
func leafNote(i int) string {
	if i == 0 {
		return " (the leaf)"
	}
	return ""
}

// checkLeafKey returns what is wrong with the leaf's key, or "". Only
// these keys have TLS 1.3 signature schemes (RFC 8446 §4.2.3); RSA below
// 2048 bits is within reach of attackers.
func checkLeafKey(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *ecdsa.PublicKey:
		name := "an unknown curve"
		if k != nil && k.Curve != nil && k.Params() != nil {
			name = k.Params().Name
		}
		switch name {
		case "P-256", "P-384", "P-521":
			return ""
		}
		return "an ECDSA key on " + name
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return "a malformed RSA key"
		}
		if k.N.BitLen() < 2048 {
			return fmt.Sprintf("a %d-bit RSA key, which is too short", k.N.BitLen())
		}
		return ""
	case ed25519.PublicKey:
		return ""
	}
	if c.PublicKeyAlgorithm != x509.UnknownPublicKeyAlgorithm {
		return "a " + c.PublicKeyAlgorithm.String() + " key"
	}
	return "a key of an unknown algorithm"
}

// name renders a certificate's subject for messages.
func name(c *x509.Certificate) string {
	if s := c.Subject.String(); s != "" {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("with an empty subject (serial %s)", c.SerialNumber)
}

// who names the certificate at position idx (-1: a trusted root from the
// pool) so the reader knows which one of the chain is meant.
func who(c *x509.Certificate, idx int) string {
	switch {
	case idx == 0:
		return "certificate " + name(c)
	case idx < 0:
		return "trusted root certificate " + name(c)
	case selfSigned(c):
		return fmt.Sprintf("root certificate %s (certificate %d in the chain)", name(c), idx)
	}
	return fmt.Sprintf("intermediate certificate %s (certificate %d in the chain)", name(c), idx)
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject)
}

// leafLabel names the certificate at position idx like who, except that a leaf
// with a subject alternative name is called "the certificate for" its first
// DNS name (or IP address): that is the name people know a server by.
func leafLabel(c *x509.Certificate, idx int) string {
	if idx == 0 {
		if len(c.DNSNames) > 0 {
			return "the certificate for " + sanForMessage(c.DNSNames[0])
		}
		if len(c.IPAddresses) > 0 {
			return "the certificate for " + c.IPAddresses[0].String()
		}
	}
	return who(c, idx)
}

// sanForMessage returns a DNS name as is when it is made of the characters host
// names use, quoted otherwise, so that no control character or space from a
// certificate reaches a message unescaped.
func sanForMessage(s string) string {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '*', r == '_':
		default:
			return fmt.Sprintf("%q", s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// signsItself reports whether c is self-signed: its issuer is its subject
// and its own key verifies its signature (or the signature uses a broken
// hash that cannot be checked, which explainUnknown reports otherwise).
func signsItself(c *x509.Certificate) bool {
	if !selfSigned(c) {
		return false
	}
	err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
	return err == nil || errors.As(err, new(x509.InsecureAlgorithmError))
}

// indexOf finds c in the sent chain, or -1.
func indexOf(certs []*x509.Certificate, c *x509.Certificate) int {
	if c == nil {
		return -1
	}
	for i, x := range certs {
		if bytes.Equal(x.Raw, c.Raw) {
			return i
		}
	}
	return -1
}

// explain turns a crypto/x509 error into a VerifyError. crypto/x509's errors
// are accurate but terse: it reports "expired or not yet valid" without
// saying which or when, and folds bad signatures and SHA-1 into "unknown
// authority". The classification here recovers those facts.
func explain(verr error, certs []*x509.Certificate, opts VerifyOptions, usages []x509.ExtKeyUsage, now time.Time) *VerifyError {
	ve := &VerifyError{Reason: Other, Index: -1, Err: verr}
	var (
		invalid  x509.CertificateInvalidError
		hostErr  x509.HostnameError
		unknown  x509.UnknownAuthorityError
		rootsErr x509.SystemRootsError
		insecure x509.InsecureAlgorithmError
	)
	switch {
	case errors.As(verr, &hostErr):
		ve.Reason, ve.Cert, ve.Index = HostnameMismatch, certs[0], 0
		ve.Detail = hostnameDetail(certs[0], opts.DNSName)
	case errors.As(verr, &invalid):
		explainInvalid(ve, invalid, certs, usages, now)
	case errors.As(verr, &unknown):
		explainUnknown(ve, unknown.Cert, certs, opts.Roots)
	case errors.As(verr, &rootsErr):
		ve.Reason = UnknownAuthority
		ve.Detail = fmt.Sprintf("no trusted roots are available to check the chain against (loading the system roots failed: %v)", rootsErr.Err)
	case errors.As(verr, &insecure):
		ve.Reason, ve.Cert, ve.Index = BadSignature, certs[0], 0
		ve.Detail = fmt.Sprintf("%s is signed with %v, which is no longer accepted because such signatures can be forged", who(certs[0], 0), x509.SignatureAlgorithm(insecure))
	default:
		ve.Detail = "the certificate chain was refused: " + verr.Error()
	}
	return ve
}

// explainInvalid handles x509.CertificateInvalidError, whose Reason says
// what kind of rule the certificate broke.
func explainInvalid(ve *VerifyError, e x509.CertificateInvalidError, certs []*x509.Certificate, usages []x509.ExtKeyUsage, now time.Time) {
	c := e.Cert
	if c == nil {
		c = certs[0]
	}
	ve.Cert, ve.Index = c, indexOf(certs, c)
	switch e.Reason {
	case x509.Expired:
		// crypto/x509 does not say which bound was crossed: compare the
		// dates ourselves, at the same instant it used.
		switch {
		case now.Before(c.NotBefore):
			ve.Reason = NotYetValid
			ve.Detail = fmt.Sprintf("%s is not valid until %s (now %s); if it was just issued, check this machine's clock",
				leafLabel(c, ve.Index), fmtTime(c.NotBefore), fmtTime(now))
		default:
			ve.Reason = Expired
			ve.Detail = fmt.Sprintf("%s expired on %s (now %s)", leafLabel(c, ve.Index), fmtTime(c.NotAfter), fmtTime(now))
		}
	case x509.IncompatibleUsage:
		ve.Reason = WrongUsage
		explainUsage(ve, certs, usages)
	case x509.NotAuthorizedToSign:
		ve.Detail = fmt.Sprintf("%s is not a certificate authority, yet the chain uses it to sign another certificate", who(c, ve.Index))
	case x509.CANotAuthorizedForThisName, x509.UnconstrainedName, x509.TooManyConstraints:
		ve.Detail = fmt.Sprintf("%s has name constraints that do not allow the names in the leaf certificate: %s", who(c, ve.Index), e.Detail)
	case x509.TooManyIntermediates:
		ve.Reason = ChainTooLong
		ve.Detail = pathLenExplanation(c, ve.Index)
	case x509.CANotAuthorizedForExtKeyUsage:
		ve.Reason = WrongUsage
		ve.Detail = fmt.Sprintf("%s does not permit certificates for %s", who(c, ve.Index), usageList(usages, " or "))
	default:
		ve.Detail = fmt.Sprintf("%s was refused: %v", who(c, ve.Index), e)
	}
}

// pathLenExplanation explains a violated pathLenConstraint (RFC 5280 §4.2.1.9):
// the number of intermediate certificates that may follow c in a path.
func pathLenExplanation(c *x509.Certificate, idx int) string {
	n := c.MaxPathLen
	if n < 0 {
		n = 0
	}
	plural := "s"
	if n == 1 {
		plural = ""
	}
	msg := fmt.Sprintf("%s allows at most %d intermediate certificate%s below it (pathLenConstraint %d), but the chain has more", who(c, idx), n, plural, n)
	if idx > 1 {
		msg = fmt.Sprintf("%s allows at most %d intermediate certificate%s below it (pathLenConstraint %d), but the chain puts %d below it", who(c, idx), n, plural, n, idx-1)
	}
	return msg
}

// usageNames are how people say what a certificate is for.
var usageNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:             "any purpose",
	x509.ExtKeyUsageServerAuth:      "server authentication",
	x509.ExtKeyUsageClientAuth:      "client authentication",
	x509.ExtKeyUsageCodeSigning:     "code signing",
	x509.ExtKeyUsageEmailProtection: "email protection",
	x509.ExtKeyUsageTimeStamping:    "time stamping",
	x509.ExtKeyUsageOCSPSigning:     "OCSP signing",
}

// ekuShortNames are the names RFC 5280 §4.2.1.12 (and the documents that
// define the others) give the key purposes, as OpenSSL also prints them.
var ekuShortNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:                            "anyExtendedKeyUsage",
	x509.ExtKeyUsageServerAuth:                     "serverAuth",
	x509.ExtKeyUsageClientAuth:                     "clientAuth",
	x509.ExtKeyUsageCodeSigning:                    "codeSigning",
	x509.ExtKeyUsageEmailProtection:                "emailProtection",
	x509.ExtKeyUsageIPSECEndSystem:                 "ipsecEndSystem",
	x509.ExtKeyUsageIPSECTunnel:                    "ipsecTunnel",
	x509.ExtKeyUsageIPSECUser:                      "ipsecUser",
	x509.ExtKeyUsageTimeStamping:                   "timeStamping",
	x509.ExtKeyUsageOCSPSigning:                    "OCSPSigning",
	x509.ExtKeyUsageMicrosoftServerGatedCrypto:     "msSGC",
	x509.ExtKeyUsageNetscapeServerGatedCrypto:      "nsSGC",
	x509.ExtKeyUsageMicrosoftCommercialCodeSigning: "msCodeCom",
	x509.ExtKeyUsageMicrosoftKernelCodeSigning:     "msKernelCodeSigning",
}

func usageList(us []x509.ExtKeyUsage, sep string) string {
	parts := make([]string, 0, len(us))
	for _, u := range us {
		if n, ok := usageNames[u]; ok {
			parts = append(parts, n)
		} else if n, ok := ekuShortNames[u]; ok {
			parts = append(parts, n)
		} else {
			parts = append(parts, fmt.Sprintf("extended key usage #%d", int(u)))
		}
	}
	return strings.Join(parts, sep)
}

// ekuShortList renders a certificate's extended key usage extension the way
// OpenSSL does: short names, and dotted OIDs for purposes without one.
func ekuShortList(c *x509.Certificate) string {
	parts := make([]string, 0, len(c.ExtKeyUsage)+len(c.UnknownExtKeyUsage))
	for _, u := range c.ExtKeyUsage {
		if n, ok := ekuShortNames[u]; ok {
			parts = append(parts, n)
		} else {
			parts = append(parts, fmt.Sprintf("#%d", int(u)))
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		parts = append(parts, oid.String())
	}
	return strings.Join(parts, ", ")
}

// allows reports whether a certificate's EKU list permits one of want. An
// absent extension places no restriction (RFC 5280 §4.2.1.12).
func allows(c *x509.Certificate, want []x509.ExtKeyUsage) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageAny || slices.Contains(want, u) {
			return true
		}
	}
	return false
}

// explainUsage finds which certificate's EKU forbids the use: crypto/x509
// always blames the leaf, even when an intermediate narrowed the usages.
func explainUsage(ve *VerifyError, certs []*x509.Certificate, usages []x509.ExtKeyUsage) {
	want := usageList(usages, " or ")
	for i, c := range certs {
		if allows(c, usages) {
			continue
		}
		ve.Cert, ve.Index = c, i
		if i == 0 {
			ve.Detail = fmt.Sprintf("%s is not valid for %s (extended key usage: %s)", who(c, i), want, ekuShortList(c))
		} else {
			has := usageList(c.ExtKeyUsage, ", ")
			if has == "" {
				has = "purposes Lucid does not know"
			}
			ve.Detail = fmt.Sprintf("%s limits the certificates below it to %s (extended key usage: %s), so the leaf is not valid for %s", who(c, i), has, ekuShortList(c), want)
		}
		return
	}
	ve.Detail = fmt.Sprintf("the chain does not allow %s (a trusted root or an intermediate restricts the purposes)", want)
}

// maxListed bounds how many names a hostname explanation lists; some
// certificates carry hundreds.
const maxListed = 10

// hostnameDetail explains a name mismatch by listing what the certificate
// is valid for (RFC 6125 §6: only subject alternative names count).
func hostnameDetail(c *x509.Certificate, host string) string {
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return fmt.Sprintf("certificate %s has no subject alternative names, so it is valid for no host name and not for %s (a name in the common name alone is not accepted)", name(c), host)
	}
	listed := names
	more := ""
	if len(listed) > maxListed {
		more = fmt.Sprintf(" and %d more", len(listed)-maxListed)
		listed = listed[:maxListed]
	}
	msg := fmt.Sprintf("certificate is valid for %s%s, not %s", strings.Join(listed, ", "), more, host)
	isIP := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")) != nil
	switch {
	case isIP && len(c.IPAddresses) == 0:
		msg += " (an IP address matches only IP address SANs, and this certificate has none)"
	case !isIP && len(c.DNSNames) == 0:
		msg += " (a host name matches only DNS name SANs, and this certificate has none)"
	}
	return msg
}

// weakSignature reports whether alg is one of the broken hashes that
// crypto/x509 refuses in chains. RFC 8446 §4.2.3 and RFC 9155 retire SHA-1
// in TLS signatures; MD5 and MD2 were broken long before.
func weakSignature(alg x509.SignatureAlgorithm) bool {
	switch alg {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return true
	}
	return false
}

// explainUnknown handles x509.UnknownAuthorityError. crypto/x509 reports
// the certificate whose issuer it could not find or could not check. That
// covers a genuinely unknown issuer but also a signature that does not
// verify, a SHA-1 signature and an issuer that is not a CA; tell them apart.
func explainUnknown(ve *VerifyError, c *x509.Certificate, certs []*x509.Certificate, roots *x509.CertPool) {
	if c == nil {
		c = certs[len(certs)-1]
	}
	ve.Cert, ve.Index = c, indexOf(certs, c)
	subject := who(c, ve.Index)

	self := signsItself(c)
	if !self && weakSignature(c.SignatureAlgorithm) {
		ve.Reason = BadSignature
		ve.Detail = fmt.Sprintf("%s is signed with %v, which is no longer accepted because SHA-1 and MD5 signatures can be forged", subject, c.SignatureAlgorithm)
		return
	}

	// Issuers the peer sent: is one of them the intended parent? Blame a
	// signature only if no same-named issuer verifies it, since a chain may
	// carry several (cross-signed) issuers of that name.
	var failed error
	failedAt := -1
	for i, p := range certs {
		if bytes.Equal(p.Raw, c.Raw) || !bytes.Equal(p.RawSubject, c.RawIssuer) {
			continue
		}
		err := c.CheckSignatureFrom(p)
		if err == nil {
			failedAt = -1
			break
		}
		if failedAt < 0 {
			failed, failedAt = err, i
		}
	}
	if failedAt >= 0 {
		p := certs[failedAt]
		if errors.As(failed, new(x509.ConstraintViolationError)) {
			ve.Reason = Other
			ve.Detail = fmt.Sprintf("%s is issued by %s, which is not allowed to sign certificates (it is not a CA, or its key usage lacks keyCertSign)", subject, who(p, failedAt))
			return
		}
		ve.Reason = BadSignature
		ve.Detail = fmt.Sprintf("%s has a signature that does not verify with the key of its issuer, %s", subject, who(p, failedAt))
		return
	}

	issuer := c.Issuer.String()
	if issuer == "" {
		issuer = "(empty name)"
	}
	if roots != nil && !self && rootNamed(roots, c.RawIssuer) {
		ve.Reason = BadSignature
		ve.Detail = fmt.Sprintf("%s names the trusted root %q as its issuer, but its signature does not verify with that root's key (forged, corrupted, or issued by a different CA of the same name)", subject, issuer)
		return
	}
	if ve.Index == 0 && self {
		ve.Reason = SelfSigned
		ve.Detail = fmt.Sprintf("%s is self-signed and not trusted (it is not one of the trusted roots)", subject)
		return
	}
	ve.Reason = UnknownAuthority
	if self {
		ve.Detail = fmt.Sprintf("%s is self-signed and is not one of the trusted roots", subject)
		return
	}
	ve.Detail = fmt.Sprintf("%s is signed by an unknown authority %q (not in the trusted roots)", subject, issuer)
}

// rootNamed reports whether the pool holds a root whose subject is the DER
// name raw. CertPool.Subjects is deprecated only because it cannot see the
// roots a platform verifier keeps outside the pool (SystemCertPool on some
// systems); for pools a caller builds it is complete, and elsewhere a miss
// only makes the explanation say "unknown authority" instead.
func rootNamed(roots *x509.CertPool, raw []byte) bool {
	//lint:ignore SA1019 see the comment above: accurate for caller-built pools.
	for _, s := range roots.Subjects() {
		if bytes.Equal(s, raw) {
			return true
		}
	}
	return false
}
