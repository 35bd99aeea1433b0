package redisstore

import (
	"context"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"lucid/internal/testpki"
	"lucid/tls"
)

// countingStore counts what handshakes ask of a store: the calls that
// reach Redis (PutSession, GetSession, Admit) and the TicketKeys calls,
// which a Store answers from memory between refreshes.
type countingStore struct {
	*Store
	keys, puts, gets, admits, sealedBytes atomic.Int64
}

func (c *countingStore) TicketKeys(ctx context.Context) ([][32]byte, error) {
	c.keys.Add(1)
	return c.Store.TicketKeys(ctx)
}

func (c *countingStore) PutSession(ctx context.Context, id, sealed []byte, ttl time.Duration) error {
	c.puts.Add(1)
	c.sealedBytes.Add(int64(len(sealed)))
	return c.Store.PutSession(ctx, id, sealed, ttl)
}

func (c *countingStore) GetSession(ctx context.Context, id []byte) ([]byte, error) {
	c.gets.Add(1)
	return c.Store.GetSession(ctx, id)
}

func (c *countingStore) Admit(ctx context.Context, id []byte, now, until time.Time) error {
	c.admits.Add(1)
	return c.Store.Admit(ctx, id, now, until)
}

// BenchmarkFleetHandshake runs handshakes of each kind against a server
// whose SessionStore is a Store on a real redis-server, and reports what
// each costs the store: Redis round trips per handshake (roundtrips/op)
// and, for TLS 1.2 session IDs, the sealed bytes of a stored session
// (sealed-B/session). The README's scale note is computed from these.
func BenchmarkFleetHandshake(b *testing.B) {
	ca, err := testpki.NewCA("Fleet Bench Root", testpki.ECDSAP256)
	if err != nil {
		b.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost"}, KeyType: testpki.ECDSAP256})
	if err != nil {
		b.Fatal(err)
	}
	cert, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
	if err != nil {
		b.Fatal(err)
	}
	for _, kind := range []struct {
		name      string
		version   uint16
		noTickets bool
		resume    bool
		early     bool
	}{
		{"tls13-full", tls.VersionTLS13, false, false, false},
		{"tls13-resume", tls.VersionTLS13, false, true, false},
		{"tls13-0rtt", tls.VersionTLS13, false, true, true},
		{"tls12-ticket-full", tls.VersionTLS12, false, false, false},
		{"tls12-ticket-resume", tls.VersionTLS12, false, true, false},
		{"tls12-id-full", tls.VersionTLS12, true, false, false},
		{"tls12-id-resume", tls.VersionTLS12, true, true, false},
	} {
		b.Run(kind.name, func(b *testing.B) {
			store := &countingStore{Store: benchStore(b)}
			server := &tls.Config{Certificates: []tls.Certificate{cert}, SessionStore: store, ServerID: "bench",
				MaxVersion: kind.version, SessionTicketsDisabled: kind.noTickets}
			if kind.early {
				server.MaxEarlyData = 1024
			}
			cache := tls.NewLRUClientSessionCache(1)
			client := &tls.Config{RootCAs: ca.Pool, ServerName: "localhost", ClientSessionCache: cache, SendEarlyData: kind.early}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			connect := func() (resumed, early bool) {
				done := make(chan tls.ConnectionState, 1)
				go func() {
					c, err := l.Accept()
					if err != nil {
						done <- tls.ConnectionState{}
						return
					}
					s := tls.Server(c, server)
					buf := make([]byte, 1)
					if _, err := io.ReadFull(s, buf); err == nil {
						s.Write(buf)
					}
					done <- s.ConnectionState()
					s.Close()
				}()
				raw, err := net.Dial("tcp", l.Addr().String())
				if err != nil {
					b.Fatal(err)
				}
				c := tls.Client(raw, client)
				if _, err := c.Write([]byte{'x'}); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, make([]byte, 1)); err != nil {
					b.Fatal(err)
				}
				c.Close()
				cs := <-done
				return cs.DidResume, cs.EarlyData.Accepted
			}
			if kind.resume {
				connect() // the session the loop resumes
			}
			store.keys.Store(0)
			store.puts.Store(0)
			store.gets.Store(0)
			store.admits.Store(0)
			store.sealedBytes.Store(0)
			for b.Loop() {
				if !kind.resume {
					cache.Put("localhost", nil)
				}
				resumed, early := connect()
				if resumed != kind.resume || early != kind.early {
					b.Fatalf("resumed %v, early data %v; want %v, %v", resumed, early, kind.resume, kind.early)
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(store.puts.Load()+store.gets.Load()+store.admits.Load())/n, "roundtrips/op")
			b.ReportMetric(float64(store.keys.Load())/n, "keycalls/op")
			if p := store.puts.Load(); p > 0 {
				b.ReportMetric(float64(store.sealedBytes.Load())/float64(p), "sealed-B/session")
			}
		})
	}
}
