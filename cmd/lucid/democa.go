package main

import (

	// Key material comes from the system's generator.
	"crypto/rand"

	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"time"

	"lucid/tls"
)

// demoCA is a throwaway certificate authority that lives only in memory:
// an ECDSA P-256 key and a self-signed root certificate. It exists for the
// length of one demo; nothing is written to disk.
type demoCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	// pool holds just this root, for a client's Config.RootCAs.
	pool *x509.CertPool
}

// newDemoCA makes a root CA named commonName, valid from an hour before now
// to a day after.
func newDemoCA(commonName string, now time.Time) (*demoCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"Lucid demo"}},
		NotBefore:             now.Add(-time.Hour).Truncate(time.Second),
		NotAfter:              now.Add(24 * time.Hour).Truncate(time.Second),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &demoCA{cert: cert, key: key, pool: pool}, nil
}

// serverKeyKind is the kind of key a server certificate carries.
type serverKeyKind int

const (
	keyECDSA serverKeyKind = iota // ECDSA P-256: signs (TLS 1.3, ECDHE_ECDSA)
	keyRSA                        // RSA 2048: also decrypts (RSA key transport)
)

// issueServer makes a key of the given kind and a server certificate for
// the given DNS names and IP addresses, signed by the CA, valid for an
// hour either side of now. The chain holds only the leaf: the client
// already has the root.
func (ca *demoCA) issueServer(kind serverKeyKind, dnsNames []string, ips []net.IP, now time.Time) (tls.Certificate, error) {
	var key crypto.Signer
	var err error
	usage := x509.KeyUsageDigitalSignature
	if kind == keyRSA {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		// RSA key transport encrypts the pre-master secret to this key
		// (RFC 5280 §4.2.1.3: keyEncipherment).
		usage |= x509.KeyUsageKeyEncipherment
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := randomSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	cn := ""
	if len(dnsNames) > 0 {
		cn = dnsNames[0]
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     dnsNames,
		IPAddresses:  ips,
		NotBefore:    now.Add(-time.Hour).Truncate(time.Second),
		NotAfter:     now.Add(time.Hour).Truncate(time.Second),
		KeyUsage:     usage,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// randomSerial returns a positive 128-bit serial number (RFC 5280 §4.1.2.2
// allows up to 20 octets).
func randomSerial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
}
