package main

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"lucid/internal/record"
)

// The first flight is the client's records that make up exactly the bytes
// it wrote before it first read; the server's records do not count, and a
// count that ends inside a record finds no flight.
func TestFirstFlight(t *testing.T) {
	rec := func(n int, fromClient bool, size int) *tapRecord {
		return &tapRecord{n: n, fromClient: fromClient, raw: make([]byte, size)}
	}
	recs := []*tapRecord{rec(1, true, 100), rec(2, false, 50), rec(3, true, 6), rec(4, true, 30), rec(5, true, 40)}
	for _, tc := range []struct {
		n    int
		want []int
	}{
		{100, []int{1}},
		{106, []int{1, 3}},
		{136, []int{1, 3, 4}},
		{176, []int{1, 3, 4, 5}},
		{0, nil},
		{120, nil},
		{500, nil},
		{-1, nil},
	} {
		var got []int
		for _, r := range firstFlight(recs, tc.n) {
			got = append(got, r.n)
		}
		if !bytes.Equal(intsBytes(got), intsBytes(tc.want)) {
			t.Errorf("firstFlight(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

func intsBytes(v []int) []byte {
	var b []byte
	for _, x := range v {
		b = append(b, byte(x))
	}
	return b
}

func TestTimelineColumns(t *testing.T) {
	head, rest := timelineColumns("◆ early_data               rejected 0-RTT data: replay")
	if head != "◆ early_data               " || rest != "rejected 0-RTT data: replay" {
		t.Errorf("split as %q | %q", head, rest)
	}
	for _, l := range []string{"[seed 1: client starts the HTTPS request]", "→ Finished", ""} {
		if head, rest := timelineColumns(l); head != "" || rest != l {
			t.Errorf("%q split as %q | %q", l, head, rest)
		}
	}
}

// readRecord returns whole records, and on a short read what it got, with
// io.EOF only when the stream ended between records.
func TestReadRecord(t *testing.T) {
	one := []byte{record.TypeHandshake, 3, 3, 0, 2, 0xaa, 0xbb}
	r := bytes.NewReader(append(bytes.Clone(one), one[:6]...))
	got, err := readRecord(r)
	if err != nil || !bytes.Equal(got, one) {
		t.Fatalf("first record %x, %v", got, err)
	}
	got, err = readRecord(r)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !bytes.Equal(got, one[:6]) {
		t.Fatalf("cut record %x, %v", got, err)
	}
	if got, err = readRecord(r); !errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || len(got) != 0 {
		t.Fatalf("at the end: %x, %v", got, err)
	}
	if got, err = readRecord(bytes.NewReader(one[:3])); !errors.Is(err, io.ErrUnexpectedEOF) || !bytes.Equal(got, one[:3]) {
		t.Fatalf("cut header: %x, %v", got, err)
	}
}

// What the wiretap reads from a server it replays to is the server's to
// choose: any byte stream splits into records that add back up to it,
// each noted without a panic.
func FuzzDemoReadRecords(f *testing.F) {
	f.Add([]byte{22, 3, 3, 0, 4, 2, 0, 0, 0, 20, 3, 3, 0, 1, 1, 23, 3, 3, 0, 2, 9, 9})
	f.Add([]byte{21, 3, 3, 0, 2, 2, 40})
	f.Add([]byte{22, 3, 3, 0xff, 0xff, 1})
	f.Add([]byte{22, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		src := bytes.NewReader(b)
		tap := &wiretap{}
		var all []byte
		for {
			rec, err := readRecord(src)
			all = append(all, rec...)
			if err != nil {
				break
			}
			if len(rec) < record.HeaderLen {
				t.Fatalf("a record of %d bytes without an error", len(rec))
			}
			tap.mu.Lock()
			tap.add(rec, false)
			tap.mu.Unlock()
		}
		if !bytes.Equal(all, b) {
			t.Fatalf("the records add up to %x, not %x", all, b)
		}
	})
}
