package redisstore

import (
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"testing"
	"time"

	"lucid/internal/testredis"
	"lucid/tls"
)

// benchStore returns a store on a redis-server of the benchmark's own.
func benchStore(b *testing.B) *Store {
	b.Helper()
	srv := testredis.Start(b)
	s, err := New(Options{URL: srv.URL(), KEK: testKEK, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// BenchmarkTicketKeys is the per-handshake cost of the ticket keys: from
// memory, no round trip.
func BenchmarkTicketKeys(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	if _, err := s.TicketKeys(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.TicketKeys(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionPutGet is a TLS 1.2 session stored by one server and
// read by another: two round trips, with a sealed session of 200 bytes.
func BenchmarkSessionPutGet(b *testing.B) {
	s := benchStore(b)
	sealed := make([]byte, 200)
	id := make([]byte, 32)
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		n++
		binary.BigEndian.PutUint64(id, n)
		ctx, cancel := context.WithTimeout(context.Background(), tls.SessionStoreTimeout)
		if err := s.PutSession(ctx, id, sealed, time.Minute); err != nil {
			b.Fatal(err)
		}
		if _, err := s.GetSession(ctx, id); err != nil {
			b.Fatal(err)
		}
		cancel()
	}
}

// BenchmarkAdmit is the early-data guard: one round trip per 0-RTT
// handshake.
func BenchmarkAdmit(b *testing.B) {
	s := benchStore(b)
	id := make([]byte, 32)
	b.ReportAllocs()
	var n uint64
	for b.Loop() {
		n++
		binary.BigEndian.PutUint64(id, n)
		now := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), tls.SessionStoreTimeout)
		if err := s.Admit(ctx, id, now, now.Add(10*time.Second)); err != nil {
			b.Fatal(err)
		}
		cancel()
	}
}
