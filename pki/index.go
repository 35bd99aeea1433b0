package pki

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Kind says what a certificate was issued for.
type Kind string

// The kinds of certificate a CA issues.
const (
	KindServer Kind = "server" // TLS server: DNS and IP SANs, EKU serverAuth
	KindClient Kind = "client" // TLS client: common name, EKU clientAuth
	KindCA     Kind = "ca"     // an intermediate CA signed by this one
)

// certName says what a certificate of this kind is called in messages.
func (k Kind) certName() string {
	if k == KindCA {
		return "intermediate CA certificate"
	}
	return string(k) + " certificate"
}

// Status is a certificate's state at a given time, as List reports it.
type Status string

// The states a recorded certificate can be in. Revoked wins over Expired:
// a revoked certificate stays on the CRL, and that is what matters.
const (
	StatusValid       Status = "valid"
	StatusRevoked     Status = "revoked"
	StatusExpired     Status = "expired"
	StatusNotYetValid Status = "not yet valid"
	// StatusPending is a certificate being issued at this moment: its
	// serial is recorded, its files are not written yet.
	StatusPending Status = "pending"
)

// Record is what the CA remembers of one certificate it issued: enough to
// list it, revoke it and put it on a CRL, without keeping the certificate.
type Record struct {
	// Serial is the serial number as FormatSerial writes it.
	Serial string `json:"serial"`
	// Kind is what the certificate was issued for.
	Kind Kind `json:"kind"`
	// Subject is the subject's distinguished name in RFC 2253 form.
	Subject string `json:"subject"`
	// Names are the subject alternative names: DNS names, IP addresses,
	// email addresses.
	Names []string `json:"names,omitempty"`
	// NotBefore is when the certificate's validity starts.
	NotBefore time.Time `json:"not_before"`
	// NotAfter is when it ends.
	NotAfter time.Time `json:"not_after"`
	// RevokedAt is when the certificate was revoked; zero if it was not.
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// Reason is why it was revoked; meaningful only when RevokedAt is set.
	// It is stored by name (see RevocationReason.String).
	Reason RevocationReason `json:"-"`
	// Pending is set from the moment the CA records the serial, before it
	// signs anything with it, until the certificate is delivered: so no
	// crash can leave a certificate signed that the index does not know.
	// The next operation after a crash resolves it (see Recover).
	Pending *Pending `json:"pending,omitempty"`
	// Undelivered marks a certificate whose issue was interrupted before
	// its files were complete: it was revoked then, since a copy of it
	// might exist, and its owner never had it.
	Undelivered bool `json:"undelivered,omitempty"`
}

// Pending describes a certificate being issued.
type Pending struct {
	// Since is when its issue began; also the revocation time if it is
	// never delivered.
	Since time.Time `json:"since"`
	// Dir is, for an intermediate CA, the directory it is being created
	// in (absolute): recovery looks there to see if it arrived.
	Dir string `json:"dir,omitempty"`
}

// recordJSON adds the reason by name, present exactly when the record is
// revoked, so index.json reads "reason": "keyCompromise" rather than 1 and
// an unspecified reason is still visible.
type recordJSON struct {
	plainRecord
	Reason string `json:"reason,omitempty"`
}

type plainRecord Record

// MarshalJSON writes the record with its reason by name.
func (r Record) MarshalJSON() ([]byte, error) {
	j := recordJSON{plainRecord: plainRecord(r)}
	if r.Revoked() {
		j.Reason = r.Reason.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Record) UnmarshalJSON(data []byte) error {
	var j recordJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*r = Record(j.plainRecord)
	if j.Reason != "" {
		reason, err := ParseReason(j.Reason)
		if err != nil {
			return err
		}
		r.Reason = reason
	}
	return nil
}

// Revoked reports whether the certificate has been revoked.
func (r Record) Revoked() bool { return !r.RevokedAt.IsZero() }

// SerialNumber returns the serial as a number.
func (r Record) SerialNumber() *big.Int {
	n, _ := ParseSerial(r.Serial)
	return n
}

// Status says what state the certificate is in at now.
func (r Record) Status(now time.Time) Status {
	switch {
	case r.Pending != nil:
		return StatusPending
	case r.Revoked():
		return StatusRevoked
	case now.After(r.NotAfter):
		return StatusExpired
	case now.Before(r.NotBefore):
		return StatusNotYetValid
	}
	return StatusValid
}

// indexVersion is the format of index.json this code writes; a newer
// file is refused rather than misread.
const indexVersion = 1

// index is the CA's memory: every certificate it issued and the number of
// the last CRL, stored as index.json.
type index struct {
	Version int `json:"version"`
	// CRLNumber is the number of the last CRL made, 0 before the first.
	// RFC 5280 §5.2.3 wants it to increase with every CRL. It is raised
	// and recorded before the CRL is signed, so a crash can skip a number
	// but never sign two different CRLs under one.
	CRLNumber int64 `json:"crl_number"`
	// CRLPending is set while the CRL numbered CRLNumber is being made.
	CRLPending bool `json:"crl_pending,omitempty"`
	// Certificates are in the order they were issued.
	Certificates []Record `json:"certificates"`
}

func newIndex() *index {
	return &index{Version: indexVersion, Certificates: []Record{}}
}

// clone deep-copies the index, so an operation can change the copy and
// drop it on failure, leaving the original untouched.
func (x *index) clone() *index {
	c := *x
	c.Certificates = make([]Record, len(x.Certificates))
	for i, r := range x.Certificates {
		r.Names = slices.Clone(r.Names)
		if r.Pending != nil {
			p := *r.Pending
			r.Pending = &p
		}
		c.Certificates[i] = r
	}
	return &c
}

// find returns the position of the record with the given serial, or -1.
func (x *index) find(serial *big.Int) int {
	s := FormatSerial(serial)
	return slices.IndexFunc(x.Certificates, func(r Record) bool { return r.Serial == s })
}

// marshal writes the index as indented JSON: people read and diff it.
func (x *index) marshal() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeIndex replaces dir's index.json with x, atomically and durably.
func writeIndex(dir string, x *index, point string) error {
	data, err := x.marshal()
	if err != nil {
		return err
	}
	return replaceFile(filepath.Join(dir, indexFile), data, publicMode, point)
}

// readIndex loads index.json from a CA directory.
func readIndex(path string) (*index, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is missing; the CA directory is incomplete", path)
	}
	if err != nil {
		return nil, err
	}
	var x index
	if err := json.Unmarshal(data, &x); err != nil {
		return nil, fmt.Errorf("%s is not a valid index: %v", path, err)
	}
	if x.Version != indexVersion {
		return nil, fmt.Errorf("%s has format version %d; this Lucid reads version %d", path, x.Version, indexVersion)
	}
	for _, r := range x.Certificates {
		if _, err := ParseSerial(r.Serial); err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
	}
	if x.Certificates == nil {
		x.Certificates = []Record{}
	}
	return &x, nil
}
