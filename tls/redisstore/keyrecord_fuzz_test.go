package redisstore

import (
	"testing"
	"time"
)

// FuzzOpenRecord feeds arbitrary bytes to the opener of the records read
// from Redis, which anyone who can write to Redis controls: it must return
// an error, never panic or allocate by what the bytes say. Only the seed
// sealed with the fuzz KEK opens, to the key it was sealed with.
func FuzzOpenRecord(f *testing.F) {
	aead, err := recordAEAD(&testKEK)
	if err != nil {
		f.Fatal(err)
	}
	r := testRecord()
	ad := recordAD("lucid:tk", r.id)
	sealed, err := sealRecord(aead, &r, ad)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Add([]byte{})
	f.Add([]byte{recordVersion})
	f.Add(make([]byte, sealedRecordLen))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, key, err := openRecord(aead, data, ad)
		if err == nil && key != r.key {
			t.Fatalf("arbitrary bytes opened to key %x", key)
		}
	})
}

// FuzzRecordRoundTrip checks that every record seals and opens back to
// itself, whatever its times and key.
func FuzzRecordRoundTrip(f *testing.F) {
	aead, err := recordAEAD(&testKEK)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(int64(0), int64(0), []byte{1})
	f.Add(int64(1_800_000_000_000), int64(1_800_000_020_000), make([]byte, 32))
	f.Add(int64(-1), int64(1<<62), []byte("a ticket key of thirty-two bytes"))
	f.Fuzz(func(t *testing.T, created, activates int64, key []byte) {
		r := keyRecord{id: "id", created: time.UnixMilli(created), activates: time.UnixMilli(activates)}
		copy(r.key[:], key)
		ad := recordAD("p:tk", r.id)
		sealed, err := sealRecord(aead, &r, ad)
		if err != nil {
			t.Fatal(err)
		}
		c, a, k, err := openRecord(aead, sealed, ad)
		if err != nil || c.UnixMilli() != created || a.UnixMilli() != activates || k != r.key {
			t.Fatalf("round trip: %v %v %x %v", c.UnixMilli(), a.UnixMilli(), k, err)
		}
	})
}

// FuzzParseKEK checks that the KEK parser, which reads operators' files
// and environment, errs on bad input rather than panics, and never
// returns the all-zero key.
func FuzzParseKEK(f *testing.F) {
	f.Add([]byte("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"))
	f.Add([]byte("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n"))
	f.Add(make([]byte, 32))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		kek, err := ParseKEK(data)
		if err == nil && kek == ([32]byte{}) {
			t.Fatal("ParseKEK returned the all-zero key")
		}
	})
}
