package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxCRLFileSize bounds a CRL file ReadCRLFile accepts. The largest public
// CAs' lists run to a few megabytes; a file far beyond that is a mistake,
// and is refused before it is read into memory.
const MaxCRLFileSize = 32 << 20

// ParseCRLs reads certificate revocation lists (RFC 5280 §5) from data:
// one or more PEM blocks of type "X509 CRL" (other blocks are skipped), or
// a single DER-encoded list, as `lucid ca crl` and `openssl ca -gencrl`
// write them. It does not check any signature: VerifyOptions.RevocationLists
// checks each list against the issuer it is used for.
func ParseCRLs(data []byte) ([]*x509.RevocationList, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("no CRL: the data is empty")
	}
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN")) && !bytes.Contains(trimmed, []byte("\n-----BEGIN")) {
		list, err := x509.ParseRevocationList(data)
		if err != nil {
			return nil, fmt.Errorf("not a PEM or DER CRL: %w", err)
		}
		return []*x509.RevocationList{list}, nil
	}
	var lists []*x509.RevocationList
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "X509 CRL" {
			continue
		}
		list, err := x509.ParseRevocationList(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("CRL %d in the PEM: %w", len(lists)+1, err)
		}
		lists = append(lists, list)
	}
	if len(lists) == 0 {
		return nil, errors.New(`no CRL: the PEM holds no "X509 CRL" block`)
	}
	return lists, nil
}

// ReadCRLFile reads the revocation lists in a file with ParseCRLs, refusing
// files larger than MaxCRLFileSize.
func ReadCRLFile(path string) ([]*x509.RevocationList, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The cap holds even when the file grows between a stat and the read.
	data, err := io.ReadAll(io.LimitReader(f, MaxCRLFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > MaxCRLFileSize {
		return nil, fmt.Errorf("%s is larger than %d MiB, more than any CRL this reads", path, MaxCRLFileSize>>20)
	}
	lists, err := ParseCRLs(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return lists, nil
}
