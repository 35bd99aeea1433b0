package pki

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"time"
)

// CSROptions describe how to sign a certificate signing request.
type CSROptions struct {
	// Client issues a client certificate; the default is a server one.
	Client bool
	// Days is the validity from Now, as for IssueOptions.Days.
	Days int
	// Now is the time of issue; it must be set.
	Now time.Time
	// Out, when set, is a path prefix: the chain goes to Out+".crt". The
	// key stays with whoever made the CSR.
	Out string
	// Force allows replacing an existing Out+".crt".
	Force bool
}

// oidCommonName is id-at-commonName (RFC 5280 Appendix A).
var oidCommonName = asn1.ObjectIdentifier{2, 5, 4, 3}

// oidSAN is id-ce-subjectAltName (RFC 5280 §4.2.1.6).
var oidSAN = asn1.ObjectIdentifier{2, 5, 29, 17}

// extensionNames name the extensions a CSR commonly asks for, for the
// list of what was not copied.
var extensionNames = map[string]string{
	"2.5.29.14": "subject key identifier",
	"2.5.29.15": "key usage",
	"2.5.29.19": "basic constraints",
	"2.5.29.37": "extended key usage",
	"2.5.29.32": "certificate policies",
	"2.5.29.31": "CRL distribution points",
}

// SignCSR issues a certificate for the key in a PKCS#10 request (PEM or
// DER). The request's signature must verify: it proves the requester holds
// the key. Only the subject's common name and the DNS and IP SANs are
// copied; everything else the request asks for (other subject attributes,
// email and URI SANs, extensions) is left out and listed in
// Issued.Ignored, because the CA, not the requester, decides what a
// certificate may do. The certificate is a server one unless opts.Client.
func (ca *CA) SignCSR(csr []byte, opts CSROptions) (*Issued, error) {
	if opts.Now.IsZero() {
		return nil, errors.New("no time given: CSROptions.Now is zero")
	}
	req, err := parseCSR(csr)
	if err != nil {
		return nil, err
	}
	if err := req.CheckSignature(); err != nil {
		return nil, fmt.Errorf("the CSR's signature does not verify, so it does not prove possession of its key (altered, or made wrongly): %v", err)
	}
	if err := checkPublicKey(req.PublicKey); err != nil {
		return nil, fmt.Errorf("the CSR's key: %v", err)
	}

	var sanText []string
	sanText = append(sanText, req.DNSNames...)
	for _, ip := range req.IPAddresses {
		sanText = append(sanText, ip.String())
	}
	cn := req.Subject.CommonName
	var subj leafSubject
	if opts.Client {
		if cn == "" {
			return nil, errors.New("the CSR has no common name to issue a client certificate to")
		}
		subj, err = subjectFor(KindClient, []string{cn})
		if err != nil {
			return nil, fmt.Errorf("the CSR's common name: %v", err)
		}
		if len(sanText) > 0 {
			if subj.extra, err = parseServerNames(sanText); err != nil {
				return nil, fmt.Errorf("the CSR's subject alternative names: %v", err)
			}
		}
	} else {
		names := sanText
		if cn != "" {
			if _, err := parseServerNames([]string{cn}); err != nil {
				return nil, fmt.Errorf("the CSR's common name %q must be a host name or IP address for a server certificate: %v", cn, err)
			}
			names = append([]string{cn}, sanText...)
		}
		if len(names) == 0 {
			return nil, errors.New("the CSR names no host: it has neither a common name nor DNS or IP subject alternative names")
		}
		if subj, err = subjectFor(KindServer, names); err != nil {
			return nil, fmt.Errorf("the CSR's names: %v", err)
		}
	}

	tmpl, err := ca.leafTemplate(subj, opts.Days, opts.Now, isRSA(req.PublicKey))
	if err != nil {
		return nil, err
	}
	if err := ca.checkOut(opts.Out, false, opts.Force); err != nil {
		return nil, err
	}
	kind := KindServer
	if opts.Client {
		kind = KindClient
	}
	iss, err := ca.sign(signRequest{
		kind: kind, tmpl: tmpl, pub: req.PublicKey,
		now: opts.Now, out: opts.Out, force: opts.Force,
	})
	if err != nil {
		return nil, err
	}
	iss.Ignored = ignoredInCSR(req)
	return iss, nil
}

// parseCSR reads a PKCS#10 request from PEM or DER.
func parseCSR(data []byte) (*x509.CertificateRequest, error) {
	der := data
	if i := bytes.Index(data, []byte("-----BEGIN")); i >= 0 {
		block, _ := pem.Decode(data[i:])
		if block == nil {
			return nil, errors.New("the CSR's PEM is malformed")
		}
		if block.Type != "CERTIFICATE REQUEST" && block.Type != "NEW CERTIFICATE REQUEST" {
			return nil, fmt.Errorf("found a %q PEM block where a CERTIFICATE REQUEST was expected", block.Type)
		}
		der = block.Bytes
	}
	req, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("not a certificate signing request: %v", err)
	}
	return req, nil
}

// ignoredInCSR lists what a request asked for beyond the common name and
// the DNS and IP SANs.
func ignoredInCSR(req *x509.CertificateRequest) []string {
	var out []string
	var rest pkix.Name
	for _, a := range req.Subject.Names {
		if !a.Type.Equal(oidCommonName) {
			rest.ExtraNames = append(rest.ExtraNames, a)
		}
	}
	if len(rest.ExtraNames) > 0 {
		out = append(out, "subject "+rest.String())
	}
	for _, e := range req.EmailAddresses {
		out = append(out, "email SAN "+e)
	}
	for _, u := range req.URIs {
		out = append(out, "URI SAN "+u.String())
	}
	for _, e := range req.Extensions {
		if e.Id.Equal(oidSAN) {
			continue
		}
		name := e.Id.String()
		if n, ok := extensionNames[name]; ok {
			name = n + " (" + name + ")"
		}
		if !slices.Contains(out, "extension "+name) {
			out = append(out, "extension "+name)
		}
	}
	return out
}
