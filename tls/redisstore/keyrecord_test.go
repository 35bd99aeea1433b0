package redisstore

import (
	"bytes"
	"testing"
	"time"
)

// testRecord is a fixed record for the tests and the fuzz seeds.
func testRecord() keyRecord {
	r := keyRecord{
		id:        "0123456789abcdef",
		created:   time.UnixMilli(1_800_000_000_000),
		activates: time.UnixMilli(1_800_000_020_000),
	}
	for i := range r.key {
		r.key[i] = byte(0xa0 + i)
	}
	return r
}

func TestRecordRoundTrip(t *testing.T) {
	aead, err := recordAEAD(&testKEK)
	if err != nil {
		t.Fatal(err)
	}
	r := testRecord()
	ad := recordAD("lucid:tk", r.id)
	sealed, err := sealRecord(aead, &r, ad)
	if err != nil {
		t.Fatal(err)
	}
	if len(sealed) != sealedRecordLen {
		t.Fatalf("sealed record is %d bytes; want %d", len(sealed), sealedRecordLen)
	}
	created, activates, key, err := openRecord(aead, sealed, ad)
	if err != nil || !created.Equal(r.created) || !activates.Equal(r.activates) || key != r.key {
		t.Fatalf("openRecord = %v, %v, %x, %v; want the record sealed", created, activates, key, err)
	}
	// Two seals of one record differ (fresh nonce), so Redis shows no
	// repetition.
	again, _ := sealRecord(aead, &r, ad)
	if bytes.Equal(again, sealed) {
		t.Fatal("two seals of one record are equal")
	}

	other, _ := recordAEAD(&otherKEK)
	for name, open := range map[string]func() error{
		"another KEK": func() error { _, _, _, err := openRecord(other, sealed, ad); return err },
		"another name": func() error {
			_, _, _, err := openRecord(aead, sealed, recordAD("lucid:tk", "fedcba9876543210"))
			return err
		},
		"another prefix": func() error {
			_, _, _, err := openRecord(aead, sealed, recordAD("other:tk", r.id))
			return err
		},
		"a flipped bit": func() error {
			b := bytes.Clone(sealed)
			b[40] ^= 1
			_, _, _, err := openRecord(aead, b, ad)
			return err
		},
		"truncated": func() error { _, _, _, err := openRecord(aead, sealed[:len(sealed)-1], ad); return err },
		"version 2": func() error {
			b := bytes.Clone(sealed)
			b[0] = 2
			_, _, _, err := openRecord(aead, b, ad)
			return err
		},
	} {
		if open() == nil {
			t.Errorf("a record opened with %s", name)
		}
	}
}
